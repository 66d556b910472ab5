//! The population engine: one compiled model stepping N independent lanes, each
//! with its own parameters, state and random stream. The live neuron is one lane;
//! sweeps, fits and noisy trials use many.

use std::sync::Arc;

use super::integrator::Integrator;
use super::rng::Mt19937;
use crate::model::tape::Tape;
use crate::model::{CompiledModel, RandomKind};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EngineError {
    #[error("dt must be a positive finite number of ms, got {0}")]
    BadDt(f64),
    #[error("a population needs at least one lane")]
    NoLanes,
}

/// ANNarchy fills neuron by neuron, each neuron's draws in order (§8).
fn draw_randoms(model: &CompiledModel, rngs: &mut [Mt19937], slots: &mut [f64], lanes: usize) {
    for (lane, rng) in rngs.iter_mut().enumerate() {
        for &(slot, kind) in &model.randoms {
            slots[slot as usize * lanes + lane] = match kind {
                RandomKind::Uniform => rng.canonical(),
                RandomKind::Normal => rng.standard_normal(),
            };
        }
    }
}

/// How many of `row` (all exactly 0.0 or 1.0) are 1. Four independent sums (exact:
/// small integers) let the loop vectorise, unlike one sum in order.
fn count_ones(row: &[f64]) -> usize {
    let mut acc = [0.0f64; 4];
    let mut chunks = row.chunks_exact(4);
    for c in &mut chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    let tail: f64 = chunks.remainder().iter().sum();
    (acc.iter().sum::<f64>() + tail) as usize
}

fn run_tape(tape: &Tape, slots: &mut [f64], lanes: usize, dt_ms: f64, interpreted: bool) {
    if interpreted {
        tape.run_interpreted(slots, lanes, dt_ms);
    } else {
        tape.run(slots, lanes, dt_ms);
    }
}

/// Whether any instruction of any tape reads the time slot.
fn model_reads_t(model: &CompiledModel) -> bool {
    let t = model.t_slot;
    [
        &model.init,
        &model.euler,
        &model.exponential,
        &model.stage,
        &model.spike,
        &model.reset,
    ]
    .iter()
    .flat_map(|tape| tape.ops())
    .any(|op| {
        let mut op = *op;
        op.slots_mut().iter().skip(1).any(|s| **s == t)
    })
}

#[derive(Debug, Clone)]
pub struct Engine {
    model: Arc<CompiledModel>,
    lanes: usize,
    dt_ms: f64,
    integrator: Integrator,
    seed: u32,
    slots: Vec<f64>,
    rngs: Vec<Mt19937>,
    step_index: u64,
    /// Whether any tape reads `t`; most models don't, and then the per-step fill of
    /// the time row is skipped.
    reads_t: bool,
    /// Run every tape in the interpreter, bypassing compiled kernels.
    interpreted: bool,
    rk: Vec<f64>,
}

impl Engine {
    /// A population with every lane at the model's defaults and initial values.
    pub fn new(
        model: Arc<CompiledModel>,
        lanes: usize,
        dt_ms: f64,
        integrator: Integrator,
        seed: u32,
    ) -> Result<Self, EngineError> {
        if !(dt_ms.is_finite() && dt_ms > 0.0) {
            return Err(EngineError::BadDt(dt_ms));
        }
        if lanes == 0 {
            return Err(EngineError::NoLanes);
        }
        let mut e = Self {
            slots: vec![0.0; model.n_slots * lanes],
            rngs: Vec::new(),
            reads_t: model_reads_t(&model),
            interpreted: false,
            rk: Vec::new(),
            model,
            lanes,
            dt_ms,
            integrator,
            seed,
            step_index: 0,
        };
        let model = Arc::clone(&e.model);
        for (p, &slot) in model.desc.parameters.iter().zip(&model.param_slots) {
            e.fill_slot(slot, p.default);
        }
        e.reset_state();
        Ok(e)
    }

    pub fn model(&self) -> &Arc<CompiledModel> {
        &self.model
    }

    pub fn lanes(&self) -> usize {
        self.lanes
    }

    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }

    pub fn integrator(&self) -> Integrator {
        self.integrator
    }

    /// Runs every tape in the interpreter even where a compiled kernel exists; the
    /// results are bit-identical, only slower (benchmarks and tests compare both).
    pub fn set_interpreted(&mut self, interpreted: bool) {
        self.interpreted = interpreted;
    }

    /// The compiled kernel that runs this engine's steps, or `None` when they run
    /// in the tape interpreter (a user's model file, or [`Engine::set_interpreted`]).
    pub fn kernel_name(&self) -> Option<&'static str> {
        if self.interpreted {
            return None;
        }
        match self.integrator {
            Integrator::Euler => self.model.euler.kernel_name(),
            Integrator::Exponential => self.model.exponential.kernel_name(),
            Integrator::Rk4 => self.model.stage.kernel_name(),
        }
    }

    pub fn set_integrator(&mut self, integrator: Integrator) {
        self.integrator = integrator;
    }

    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// Steps taken since the last reset.
    pub fn step_index(&self) -> u64 {
        self.step_index
    }

    /// Time at the start of the next step, in ms (ANNarchy: `double(t) * dt`).
    pub fn time_ms(&self) -> f64 {
        self.step_index as f64 * self.dt_ms
    }

    fn fill_slot(&mut self, slot: u32, value: f64) {
        let start = slot as usize * self.lanes;
        self.slots[start..start + self.lanes].fill(value);
    }

    /// Variables back to their initial values, time to 0, random streams re-seeded.
    /// Parameters keep their current values (initial values may depend on them).
    pub fn reset_state(&mut self) {
        let model = Arc::clone(&self.model);
        for v in &model.vars {
            self.fill_slot(v.slot, 0.0);
        }
        for &(slot, value) in &model.constants {
            self.fill_slot(slot, value);
        }
        self.fill_slot(model.t_slot, 0.0);
        self.fill_slot(model.dt_slot, self.dt_ms);
        model.init.run(&mut self.slots, self.lanes, self.dt_ms);
        // Seeding costs 624 words per lane, so models without draws skip it.
        self.rngs = if model.randoms.is_empty() {
            Vec::new()
        } else {
            (0..self.lanes as u32)
                .map(|i| Mt19937::new(self.seed.wrapping_add(i)))
                .collect()
        };
        self.step_index = 0;
        if let Some(s) = model.spike_slot {
            self.fill_slot(s, 0.0);
        }
    }

    pub fn slot(&self, slot: u32, lane: usize) -> f64 {
        self.slots[slot as usize * self.lanes + lane]
    }

    pub fn set_slot(&mut self, slot: u32, lane: usize, value: f64) {
        self.slots[slot as usize * self.lanes + lane] = value;
    }

    pub fn param(&self, index: usize, lane: usize) -> f64 {
        self.slot(self.model.param_slots[index], lane)
    }

    pub fn set_param(&mut self, index: usize, lane: usize, value: f64) {
        self.set_slot(self.model.param_slots[index], lane, value);
    }

    /// Sets a parameter in every lane.
    pub fn set_param_all(&mut self, index: usize, value: f64) {
        self.fill_slot(self.model.param_slots[index], value);
    }

    pub fn var(&self, index: usize, lane: usize) -> f64 {
        self.slot(self.model.vars[index].slot, lane)
    }

    pub fn set_var(&mut self, index: usize, lane: usize, value: f64) {
        self.set_slot(self.model.vars[index].slot, lane, value);
    }

    /// Whether `lane` spiked in the last step (the spike test's row holds 0 or 1,
    /// and nothing but the spike test writes it).
    pub fn spiked(&self, lane: usize) -> bool {
        self.model
            .spike_slot
            .is_some_and(|s| self.slot(s, lane) != 0.0)
    }

    /// The first variable (index, lane) that is NaN or infinite, if any.
    pub fn first_non_finite(&self) -> Option<(usize, usize)> {
        self.model.vars.iter().enumerate().find_map(|(i, v)| {
            let start = v.slot as usize * self.lanes;
            self.slots[start..start + self.lanes]
                .iter()
                .position(|x| !x.is_finite())
                .map(|lane| (i, lane))
        })
    }

    /// Advances every lane by one step; returns how many lanes spiked.
    pub fn step(&mut self) -> usize {
        let t = self.time_ms();
        let l = self.lanes;
        let model: &CompiledModel = &self.model;
        if self.reads_t {
            let ts = model.t_slot as usize * l;
            self.slots[ts..ts + l].fill(t);
        }
        if !model.randoms.is_empty() {
            draw_randoms(model, &mut self.rngs, &mut self.slots, l);
        }
        match self.integrator {
            Integrator::Euler => run_tape(
                &model.euler,
                &mut self.slots,
                l,
                self.dt_ms,
                self.interpreted,
            ),
            Integrator::Exponential => {
                run_tape(
                    &model.exponential,
                    &mut self.slots,
                    l,
                    self.dt_ms,
                    self.interpreted,
                );
            }
            Integrator::Rk4 => {
                let model = Arc::clone(&self.model);
                self.rk4_step(&model, t);
                model.spike.run(&mut self.slots, l, self.dt_ms);
            }
        }
        self.step_index += 1;
        let model: &CompiledModel = &self.model;
        let Some(spike_slot) = model.spike_slot else {
            return 0;
        };
        let start = spike_slot as usize * l;
        let n = count_ones(&self.slots[start..start + l]);
        if n > 0 {
            model.reset.run(&mut self.slots, l, self.dt_ms);
        }
        n
    }

    /// Classic RK4 over all ODE variables. Random draws stay fixed within the step;
    /// assigned variables are recomputed at each stage from their step-start values,
    /// and keep the values of the first stage (those of the step-start state).
    fn rk4_step(&mut self, model: &CompiledModel, t: f64) {
        let (l, n_ode, n_asg) = (self.lanes, model.odes.len(), model.assigned.len());
        // Layout: y0 | k1 | k2 | k3 | k4 | a0 | a1, each lane-major inside a slot.
        let per = n_ode * l;
        self.rk.resize(5 * per + 2 * n_asg * l, 0.0);
        let (y0, rest) = self.rk.split_at_mut(per);
        let (ks, rest) = rest.split_at_mut(4 * per);
        let (a0, a1) = rest.split_at_mut(n_asg * l);
        let slots = &mut self.slots;
        let copy_out = |slots: &[f64], list: &mut dyn Iterator<Item = u32>, dst: &mut [f64]| {
            for (j, s) in list.enumerate() {
                let s = s as usize * l;
                dst[j * l..(j + 1) * l].copy_from_slice(&slots[s..s + l]);
            }
        };
        copy_out(slots, &mut model.odes.iter().map(|o| o.0), y0);
        copy_out(slots, &mut model.assigned.iter().copied(), a0);
        let set_t = |slots: &mut [f64], t: f64| {
            let s = model.t_slot as usize * l;
            slots[s..s + l].fill(t);
        };
        let restore = |slots: &mut [f64], src: &[f64], list: &[u32]| {
            for (j, &s) in list.iter().enumerate() {
                let s = s as usize * l;
                slots[s..s + l].copy_from_slice(&src[j * l..(j + 1) * l]);
            }
        };
        let stage_c = [0.0, 0.5, 0.5, 1.0];
        for stage in 0..4 {
            if stage > 0 {
                let prev = &ks[(stage - 1) * per..stage * per];
                let c = stage_c[stage] * self.dt_ms;
                for (j, &(x, _)) in model.odes.iter().enumerate() {
                    let s = x as usize * l;
                    for i in 0..l {
                        slots[s + i] = y0[j * l + i] + c * prev[j * l + i];
                    }
                }
                restore(slots, a0, &model.assigned);
                set_t(slots, t + c);
            }
            run_tape(&model.stage, slots, l, self.dt_ms, self.interpreted);
            let k = &mut ks[stage * per..(stage + 1) * per];
            copy_out(slots, &mut model.odes.iter().map(|o| o.1), k);
            if stage == 0 {
                copy_out(slots, &mut model.assigned.iter().copied(), a1);
            }
        }
        let h6 = self.dt_ms / 6.0;
        for (j, &(x, _)) in model.odes.iter().enumerate() {
            let s = x as usize * l;
            for i in 0..l {
                let q = j * l + i;
                let sum = ks[q] + 2.0 * ks[per + q] + 2.0 * ks[2 * per + q] + ks[3 * per + q];
                slots[s + i] = y0[q] + h6 * sum;
            }
        }
        restore(slots, a1, &model.assigned);
        set_t(slots, t);
    }
}
