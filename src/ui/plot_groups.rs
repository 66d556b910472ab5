//! Which recorded channel goes in which plot, with defaults derived from the model
//! description: the membrane potential; gates and recovery variables; currents;
//! conductances; the stimulus. Intermediate quantities (rates, time constants,
//! steady states) start hidden but can be chosen.

use crate::model::{CompiledModel, VarKind};

/// The plots, top to bottom.
pub const PLOTS: [&str; 5] = [
    "Membrane potential",
    "Gates / recovery",
    "Currents",
    "Conductances",
    "Stimulus",
];
/// Short names of the plots, for a y axis with several lines.
pub const SHORT_NAMES: [&str; 5] = ["v", "gates", "currents", "conductances", "stimulus"];
pub const MEMBRANE: usize = 0;
pub const GATES: usize = 1;
pub const CURRENTS: usize = 2;
pub const CONDUCTANCES: usize = 3;
pub const STIMULUS: usize = 4;

/// Per channel: the plot it is drawn in, or `None` when hidden.
pub type Assignment = Vec<Option<usize>>;

/// Default plots for the model's variables, plus the input channel if `has_input`.
pub fn default_assignment(model: &CompiledModel, has_input: bool) -> Assignment {
    let mut out: Assignment = model
        .vars
        .iter()
        .map(|v| default_plot(&v.name, &v.unit, v.kind))
        .collect();
    if has_input {
        out.push(Some(STIMULUS));
    }
    if out.iter().all(Option::is_none)
        && let Some(first) = out.first_mut()
    {
        // Models without a recognisable variable still show something.
        *first = Some(GATES);
    }
    out
}

fn default_plot(name: &str, unit: &str, kind: VarKind) -> Option<usize> {
    let intermediate = name.contains("inf")
        || name.starts_with("alpha")
        || name.starts_with("beta")
        || name.starts_with("tau")
        || name.starts_with("prev");
    if name == "v" {
        Some(MEMBRANE)
    } else if name.starts_with("g_") {
        Some(CONDUCTANCES)
    } else if name.starts_with('I') && !intermediate {
        Some(CURRENTS)
    } else if intermediate {
        None
    } else if (unit == "1" && (kind == VarKind::State || name.len() <= 5)) || name == "u" {
        // Gates (dimensionless) and the Izhikevich recovery variable; concentrations
        // and other states would squash the 0..1 gates and start hidden.
        Some(GATES)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin;

    fn shown(id: &str, plot: usize) -> Vec<String> {
        let Some(Ok(m)) = builtin(id) else {
            panic!("{id}")
        };
        let a = default_assignment(&m, false);
        m.vars
            .iter()
            .zip(&a)
            .filter(|(_, p)| **p == Some(plot))
            .map(|(v, _)| v.name.clone())
            .collect()
    }

    #[test]
    fn family_defaults() {
        assert_eq!(shown("Izhikevich2007", MEMBRANE), ["v"]);
        assert_eq!(shown("Izhikevich2007", GATES), ["u"]);
        assert_eq!(shown("Izhikevich2007", CURRENTS), ["I_v"]);
        let currents = shown("HHneuronCorbit", CURRENTS);
        for c in ["I_Na", "I_Kv3", "I_Kv1", "I_L"] {
            assert!(currents.iter().any(|n| n == c), "{c} in {currents:?}");
        }
        assert!(shown("HHneuronCorbitSyn", CONDUCTANCES).contains(&"g_ampa".to_owned()));
    }
}
