//! Integration methods, registered by name.

use std::fmt;
use std::str::FromStr;

/// How the engine advances ODE variables by one step.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Integrator {
    /// ANNarchy's `explicit` method with its block order (annarchy-semantics.md §3).
    #[default]
    Euler,
    /// Exponential Euler: exact for ODEs linear in their own variable (gates);
    /// other ODEs are linearised around the current value. First order.
    Exponential,
    /// Classic fourth-order Runge–Kutta over all ODE variables at once.
    Rk4,
}

impl Integrator {
    pub const ALL: [Integrator; 3] = [Integrator::Euler, Integrator::Exponential, Integrator::Rk4];

    pub fn name(self) -> &'static str {
        match self {
            Integrator::Euler => "euler",
            Integrator::Exponential => "exponential",
            Integrator::Rk4 => "rk4",
        }
    }

    /// The order of convergence the method reaches on smooth problems.
    pub fn order(self) -> u32 {
        match self {
            Integrator::Euler | Integrator::Exponential => 1,
            Integrator::Rk4 => 4,
        }
    }
}

impl fmt::Display for Integrator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown integrator `{0}`; expected euler, exponential or rk4")]
pub struct UnknownIntegrator(pub String);

impl FromStr for Integrator {
    type Err = UnknownIntegrator;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Integrator::ALL
            .into_iter()
            .find(|i| i.name() == s || (s == "explicit" && *i == Integrator::Euler))
            .ok_or_else(|| UnknownIntegrator(s.to_owned()))
    }
}
