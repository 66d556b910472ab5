//! The voltage-clamp step protocol of a physiology lab: hold at a holding
//! potential, step to each test potential, then step to a tail potential and
//! watch the tail current as the channels opened by the test step close
//! (Hodgkin & Huxley 1952, J. Physiol. 116:449; Hille, *Ion Channels of Excitable
//! Membranes*, 3rd ed., ch. 2). One lane per test potential, on the clamped model
//! of [`super::clamp::clamp_model`]; the recorded current is the clamp current,
//! outward positive (`−I_inf`, see [`super::clamp::outward`]).

use super::clamp::{I_INF, clamp_model, outward};
use super::{Control, SweepError, engine_for};
use crate::sim::run::RunSpec;

/// The protocol: potentials in mV, durations in ms.
#[derive(Clone, Debug, PartialEq)]
pub struct StepProtocol {
    pub v_hold_mv: f64,
    pub hold_ms: f64,
    /// One trace per test potential.
    pub v_tests_mv: Vec<f64>,
    pub test_ms: f64,
    pub v_tail_mv: f64,
    pub tail_ms: f64,
    /// Samples kept per trace (the traces are decimated to about this many).
    pub samples: usize,
}

impl Default for StepProtocol {
    fn default() -> Self {
        Self {
            v_hold_mv: -80.0,
            hold_ms: 200.0,
            v_tests_mv: (0..=8).map(|k| -60.0 + 10.0 * f64::from(k)).collect(),
            test_ms: 20.0,
            v_tail_mv: -50.0,
            tail_ms: 20.0,
            samples: 2000,
        }
    }
}

/// Clamp current traces of the protocol.
#[derive(Clone, Debug, Default)]
pub struct StepTraces {
    pub model_id: String,
    /// Time (ms) from the start of the holding phase.
    pub t_ms: Vec<f64>,
    /// Per test potential, the clamp current (outward positive) at each time.
    pub current: Vec<Vec<f64>>,
    pub v_tests_mv: Vec<f64>,
    /// When the test step starts and the tail starts (ms).
    pub test_start_ms: f64,
    pub tail_start_ms: f64,
}

impl StepProtocol {
    fn phase_steps(&self, dt_ms: f64) -> [u64; 3] {
        [self.hold_ms, self.test_ms, self.tail_ms].map(|ms| (ms / dt_ms).round().max(1.0) as u64)
    }

    /// Lane-steps of the whole protocol (for progress bars).
    pub fn total(&self, dt_ms: f64) -> u64 {
        self.phase_steps(dt_ms).iter().sum::<u64>() * self.v_tests_mv.len() as u64
    }

    fn check(&self) -> Result<(), SweepError> {
        let all = [
            self.v_hold_mv,
            self.hold_ms,
            self.test_ms,
            self.v_tail_mv,
            self.tail_ms,
        ];
        if all.iter().any(|x| !x.is_finite()) || self.v_tests_mv.iter().any(|x| !x.is_finite()) {
            return Err(SweepError::Usage(
                "the step protocol needs finite numbers".into(),
            ));
        }
        if self.hold_ms <= 0.0 || self.test_ms <= 0.0 || self.tail_ms <= 0.0 {
            return Err(SweepError::Usage(
                "hold, test and tail durations must be > 0 ms".into(),
            ));
        }
        if self.v_tests_mv.is_empty() {
            return Err(SweepError::Usage("no test potential".into()));
        }
        Ok(())
    }
}

/// Runs the step protocol on `preset`'s model and parameters (events and stimuli
/// are not applied), from its initial state.
pub fn step_protocol(
    preset: &RunSpec,
    protocol: &StepProtocol,
    control: &Control,
) -> Result<StepTraces, SweepError> {
    protocol.check()?;
    let model = clamp_model(&preset.model)?;
    let (Some(v), Some(i_inf)) = (model.membrane_var(), model.var_index(I_INF)) else {
        return Err(SweepError::Usage(format!(
            "{} has no membrane potential to clamp",
            preset.model.id()
        )));
    };
    let lanes = protocol.v_tests_mv.len();
    let mut e = engine_for(preset, &model, lanes, 0)?;
    let dt = preset.dt_ms;
    let phases = protocol.phase_steps(dt);
    let total: u64 = phases.iter().sum();
    let every = (total / protocol.samples.max(1) as u64).max(1);
    let mut out = StepTraces {
        model_id: preset.model.id().to_owned(),
        current: vec![Vec::new(); lanes],
        v_tests_mv: protocol.v_tests_mv.clone(),
        test_start_ms: phases[0] as f64 * dt,
        tail_start_ms: (phases[0] + phases[1]) as f64 * dt,
        ..StepTraces::default()
    };
    let mut k = 0u64;
    let mut pending = 0u64;
    for (phase, &n) in phases.iter().enumerate() {
        for lane in 0..lanes {
            let target = match phase {
                0 => protocol.v_hold_mv,
                1 => protocol.v_tests_mv[lane],
                _ => protocol.v_tail_mv,
            };
            e.set_var(v, lane, target);
        }
        for _ in 0..n {
            e.step();
            k += 1;
            if k.is_multiple_of(every) {
                out.t_ms.push(k as f64 * dt);
                for (lane, trace) in out.current.iter_mut().enumerate() {
                    trace.push(outward(e.var(i_inf, lane)));
                }
            }
            control.tick(&mut pending, lanes)?;
        }
    }
    control.flush(&mut pending, lanes);
    Ok(out)
}
