//! Continuous stimulus waveforms added to a parameter's value at every step.
//!
//! Preset syntax (RON):
//! ```ron
//! stimuli: [
//!     (target: "I_app", waveform: Step(start_ms: 100.0, end_ms: Some(400.0), amplitude: 5.0)),
//!     (target: "I_app", waveform: Pulses(start_ms: 50.0, width_ms: 2.0, period_ms: 20.0, amplitude: 10.0, count: Some(5))),
//!     (target: "I_app", waveform: Ramp(start_ms: 0.0, end_ms: 500.0, from: 0.0, to: 20.0)),
//!     (target: "I_app", waveform: Sine(amplitude: 3.0, frequency_hz: 8.0, phase_deg: 0.0, offset: 0.0)),
//!     (target: "I_app", waveform: Noise(mean: 0.0, sigma: 2.0, tau_ms: 5.0)),
//! ]
//! ```
//! The value of the target parameter before each step is its base value (from the
//! preset, events or sliders) plus the sum of its waveforms at the step's start time.

use rand_distr::{Distribution as _, StandardNormal};
use serde::{Deserialize, Serialize};

use super::rng::Mt19937;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stimulus {
    /// Name of the parameter the waveform is added to (usually `I_app`).
    pub target: String,
    pub waveform: Waveform,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Waveform {
    /// A constant offset.
    Constant { value: f64 },
    /// `amplitude` from `start_ms` until `end_ms` (or forever).
    Step {
        start_ms: f64,
        #[serde(default)]
        end_ms: Option<f64>,
        amplitude: f64,
    },
    /// Rectangular pulses of `width_ms` every `period_ms` from `start_ms`.
    Pulses {
        start_ms: f64,
        width_ms: f64,
        period_ms: f64,
        amplitude: f64,
        #[serde(default)]
        count: Option<u32>,
    },
    /// Linear from `from` at `start_ms` to `to` at `end_ms`; 0 outside.
    Ramp {
        start_ms: f64,
        end_ms: f64,
        from: f64,
        to: f64,
    },
    /// `offset + amplitude * sin(2π f t + phase)`.
    Sine {
        amplitude: f64,
        frequency_hz: f64,
        #[serde(default)]
        phase_deg: f64,
        #[serde(default)]
        offset: f64,
    },
    /// Ornstein–Uhlenbeck noise with stationary mean and standard deviation,
    /// advanced by its exact discrete-time update.
    Noise { mean: f64, sigma: f64, tau_ms: f64 },
}

impl Stimulus {
    /// Checks the numbers against the rules of the waveform's fields
    /// (`sim::waveform_fields`); the message says which one is wrong.
    pub fn validate(&self) -> Result<(), String> {
        super::waveform_fields::validate(&self.waveform)
    }
}

/// A waveform being played: keeps the noise state between steps.
#[derive(Clone, Debug)]
pub struct StimulusPlayer {
    pub waveform: Waveform,
    noise: f64,
    rng: Mt19937,
}

impl StimulusPlayer {
    /// `seed` feeds the noise stream, kept apart from the model's own draws so that
    /// adding a stimulus does not change ANNarchy-matching random numbers.
    pub fn new(waveform: Waveform, seed: u32) -> Self {
        let noise = match waveform {
            Waveform::Noise { mean, .. } => mean,
            _ => 0.0,
        };
        Self {
            waveform,
            noise,
            rng: Mt19937::new(seed ^ 0x5EED_0001),
        }
    }

    /// The value at time `t_ms` (start of the step); call once per step, in order.
    pub fn value(&mut self, t_ms: f64, dt_ms: f64) -> f64 {
        match self.waveform {
            Waveform::Constant { value } => value,
            Waveform::Step {
                start_ms,
                end_ms,
                amplitude,
            } => {
                if t_ms >= start_ms && end_ms.is_none_or(|e| t_ms < e) {
                    amplitude
                } else {
                    0.0
                }
            }
            Waveform::Pulses {
                start_ms,
                width_ms,
                period_ms,
                amplitude,
                count,
            } => {
                if t_ms < start_ms {
                    return 0.0;
                }
                let k = ((t_ms - start_ms) / period_ms).floor();
                let within = t_ms - start_ms - k * period_ms < width_ms - 1e-9;
                let counted = count.is_none_or(|c| k < f64::from(c));
                if within && counted { amplitude } else { 0.0 }
            }
            Waveform::Ramp {
                start_ms,
                end_ms,
                from,
                to,
            } => {
                if t_ms < start_ms || t_ms >= end_ms {
                    0.0
                } else {
                    from + (to - from) * (t_ms - start_ms) / (end_ms - start_ms)
                }
            }
            Waveform::Sine {
                amplitude,
                frequency_hz,
                phase_deg,
                offset,
            } => {
                let phase = phase_deg.to_radians();
                offset
                    + amplitude
                        * (2.0 * std::f64::consts::PI * frequency_hz * t_ms / 1000.0 + phase).sin()
            }
            Waveform::Noise {
                mean,
                sigma,
                tau_ms,
            } => {
                let x = self.noise;
                let decay = (-dt_ms / tau_ms).exp();
                let kick = sigma * (1.0 - decay * decay).sqrt();
                // Exact OU update (Gillespie 1996). The stimulus noise need not mirror
                // ANNarchy's libstdc++ draws, so it uses rand_distr's ziggurat normal.
                let z: f64 = StandardNormal.sample(&mut self.rng);
                self.noise = mean + (x - mean) * decay + kick * z;
                x
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(w: Waveform, ts: &[f64]) -> Vec<f64> {
        let mut p = StimulusPlayer::new(w, 1);
        ts.iter().map(|&t| p.value(t, 0.1)).collect()
    }

    #[test]
    fn deterministic_waveforms() {
        let pulses = Waveform::Pulses {
            start_ms: 10.0,
            width_ms: 2.0,
            period_ms: 5.0,
            amplitude: 3.0,
            count: Some(2),
        };
        assert_eq!(
            sample(pulses, &[9.9, 10.0, 11.9, 12.0, 15.0, 20.0]),
            vec![0.0, 3.0, 3.0, 0.0, 3.0, 0.0]
        );
        let ramp = Waveform::Ramp {
            start_ms: 0.0,
            end_ms: 10.0,
            from: 0.0,
            to: 20.0,
        };
        assert_eq!(sample(ramp, &[0.0, 5.0, 10.0]), vec![0.0, 10.0, 0.0]);
        let step = Waveform::Step {
            start_ms: 1.0,
            end_ms: Some(2.0),
            amplitude: 4.0,
        };
        assert_eq!(sample(step, &[0.5, 1.0, 2.0]), vec![0.0, 4.0, 0.0]);
        let sine = Waveform::Sine {
            amplitude: 2.0,
            frequency_hz: 250.0,
            phase_deg: 0.0,
            offset: 1.0,
        };
        let v = sample(sine, &[0.0, 1.0]);
        assert!((v[0] - 1.0).abs() < 1e-12 && (v[1] - 3.0).abs() < 1e-12);
    }

    #[test]
    fn ou_noise_has_the_requested_mean_and_spread() {
        let (mean, sigma, tau) = (1.0, 2.0, 5.0);
        let mut p = StimulusPlayer::new(
            Waveform::Noise {
                mean,
                sigma,
                tau_ms: tau,
            },
            7,
        );
        let dt = 0.1;
        let n = 400_000;
        let xs: Vec<f64> = (0..n).map(|i| p.value(i as f64 * dt, dt)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        // Correlated samples: effective count ~ n * dt / (2 tau) = 4000, so
        // SE(mean) ~ 2/sqrt(4000) = 0.032; allow 5 SE.
        assert!((m - mean).abs() < 0.16, "mean {m}");
        assert!((var.sqrt() - sigma).abs() < 0.2, "sd {}", var.sqrt());
    }
}
