//! A run of one preset: the engine plus the protocol (events and stimuli) that
//! drives it. Used alike by the CLI, the oracle tests and the live worker.

use super::run::{Event, RunSpec};
use super::stimulus::{Stimulus, StimulusPlayer};
use super::{Engine, EngineError, Integrator};
use crate::model::CompiledModel;

#[derive(Clone, Debug)]
enum Target {
    Param(usize),
    Var(usize),
}

#[derive(Clone, Debug)]
enum Action {
    Value {
        target: Target,
        value: f64,
        add: bool,
    },
    Integrator(Integrator),
    Stimuli(Vec<Stimulus>),
}

#[derive(Clone, Debug)]
pub struct Session {
    pub engine: Engine,
    /// The protocol's actions, grouped by the step they act before (see [`Schedule`]).
    events: Schedule,
    next_event: usize,
    stimuli: Vec<(usize, StimulusPlayer)>,
    /// Parameter values before stimuli are added (what sliders and events change).
    base: Vec<f64>,
    /// Per stimulated parameter, the sum of its waveforms this step (scratch).
    totals: Vec<(usize, f64)>,
    /// Seeds the noise of stimuli that events put in place.
    seed: u32,
}

/// Players for `stimuli` on `model`'s parameters; the k-th stimulus's noise is
/// seeded with `seed + k` (stimuli on unknown parameters are skipped).
pub fn stimulus_players(
    model: &CompiledModel,
    stimuli: &[Stimulus],
    seed: u32,
) -> Vec<(usize, StimulusPlayer)> {
    stimuli
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let i = model.param_index(&s.target)?;
            Some((
                i,
                StimulusPlayer::new(s.waveform.clone(), seed.wrapping_add(k as u32)),
            ))
        })
        .collect()
}

/// The step an event at `t_ms` acts before: `round(t_ms / dt_ms)`.
pub fn event_step(t_ms: f64, dt_ms: f64) -> u64 {
    (t_ms / dt_ms).round().max(0.0) as u64
}

/// The time label of row `step`, rounded so that 0.1 * 3 prints as 0.3.
pub fn time_label(step: u64, dt_ms: f64) -> f64 {
    let t = step as f64 * dt_ms;
    (t * 1e9).round() / 1e9
}

/// ANNarchy's `simulate(T)` runs `ceil(T / dt)` steps, round-off included (§1).
pub fn steps_for(duration_ms: f64, dt_ms: f64) -> u64 {
    (duration_ms / dt_ms).ceil().max(0.0) as u64
}

impl Session {
    /// Sets up `lanes` identical lanes for the preset, at t = 0.
    pub fn new(preset: &RunSpec, lanes: usize) -> Result<Self, EngineError> {
        Self::build(preset, lanes, &preset.events)
    }

    /// As [`Session::new`] without the preset's events: what a step costs, measured
    /// without setting up a long protocol first (run budgets).
    pub fn without_events(preset: &RunSpec, lanes: usize) -> Result<Self, EngineError> {
        Self::build(preset, lanes, &[])
    }

    fn build(preset: &RunSpec, lanes: usize, events: &[Event]) -> Result<Self, EngineError> {
        let model = preset.model.clone();
        let engine = preset.engine(lanes)?;
        let events = merge_events(events, preset.dt_ms, &engine);
        let stimuli = stimulus_players(&model, &preset.stimuli, preset.seed);
        Ok(Self {
            engine,
            events,
            next_event: 0,
            stimuli,
            base: preset.parameters.clone(),
            totals: Vec::new(),
            seed: preset.seed,
        })
    }

    /// Applies this step's events and stimuli, then advances; returns lanes that spiked.
    pub fn step(&mut self) -> usize {
        let step = self.engine.step_index();
        while let Some(&(s, _)) = self.events.steps.get(self.next_event) {
            if s > step {
                break;
            }
            if s == step {
                // Taken out and put back (O(1)): no clone per event on the live path.
                let range = self.events.steps[self.next_event].1.clone();
                let actions = std::mem::take(&mut self.events.actions);
                for a in &actions[range] {
                    self.apply(a);
                }
                self.events.actions = actions;
            }
            self.next_event += 1;
        }
        if !self.stimuli.is_empty() {
            let t = self.engine.time_ms();
            let dt = self.engine.dt_ms();
            // Reused buffer: no allocation per step on the live path.
            self.totals.clear();
            for (i, player) in &mut self.stimuli {
                let v = player.value(t, dt);
                match self.totals.iter_mut().find(|(j, _)| j == i) {
                    Some((_, sum)) => *sum += v,
                    None => self.totals.push((*i, v)),
                }
            }
            for &(i, sum) in &self.totals {
                self.engine.set_param_all(i, self.base[i] + sum);
            }
        }
        self.engine.step()
    }

    fn apply(&mut self, a: &Action) {
        match a {
            Action::Value {
                target: Target::Param(i),
                value,
                add,
            } => {
                let v = if *add { self.base[*i] + value } else { *value };
                self.set_param(*i, v);
            }
            Action::Value {
                target: Target::Var(i),
                value,
                add,
            } => {
                for lane in 0..self.engine.lanes() {
                    let v = if *add {
                        self.engine.var(*i, lane) + value
                    } else {
                        *value
                    };
                    self.engine.set_var(*i, lane, v);
                }
            }
            Action::Integrator(integrator) => self.engine.set_integrator(*integrator),
            Action::Stimuli(stimuli) => {
                let players = stimulus_players(self.engine.model(), stimuli, self.seed);
                self.set_stimuli(players);
            }
        }
    }

    /// Sets a parameter's base value in every lane (stimuli are added on top).
    pub fn set_param(&mut self, index: usize, value: f64) {
        self.base[index] = value;
        self.engine.set_param_all(index, value);
    }

    /// Replaces the timed events (GUI timeline editing): those that act at or after
    /// the current step will act; earlier ones are past and never act in this run.
    pub fn set_events(&mut self, events: &[Event]) {
        self.events = merge_events(events, self.engine.dt_ms(), &self.engine);
        let step = self.engine.step_index();
        self.next_event = self.events.steps.partition_point(|&(s, _)| s < step);
    }

    /// Replaces the stimulus waveforms (GUI editing).
    pub fn set_stimuli(&mut self, stimuli: Vec<(usize, StimulusPlayer)>) {
        for (i, _) in &self.stimuli {
            self.engine.set_param_all(*i, self.base[*i]);
        }
        self.stimuli = stimuli;
    }
}

/// The protocol's actions in one flat list, in the order they act, and per step
/// that has any the range of them that acts before it: two allocations however many
/// events there are.
#[derive(Clone, Debug, Default)]
struct Schedule {
    steps: Vec<(u64, std::ops::Range<usize>)>,
    actions: Vec<Action>,
}

/// Groups the events by the step they act before, keeping the preset's order within
/// a step. A stable sort, then one pass: O(n log n) for n events (a search per event
/// made a 200k-event preset take tens of seconds before its first step).
fn merge_events<'e>(events: &'e [Event], dt_ms: f64, engine: &Engine) -> Schedule {
    // Names are looked up once per model, not once per event (a 200k-event protocol).
    let m = engine.model();
    let mut targets: std::collections::HashMap<&str, Target> = std::collections::HashMap::new();
    for (i, p) in m.desc.parameters.iter().enumerate().rev() {
        targets.insert(&p.name, Target::Param(i));
    }
    for (i, v) in m.vars.iter().enumerate().rev() {
        targets.entry(&v.name).or_insert(Target::Var(i));
    }
    // Generated protocols name the same few targets over and over: the last
    // lookup is kept, so most events cost a string comparison, not a hash.
    let mut last: Option<(&str, Option<Target>)> = None;
    let mut lookup = |name: &'e str| match &last {
        Some((n, t)) if *n == name => t.clone(),
        _ => {
            let t = targets.get(name).cloned();
            last = Some((name, t.clone()));
            t
        }
    };
    // The events are read in file order, then the flat list of actions is put in
    // step order, stably, so a step's actions keep the file's order: sorting
    // (step, index in `actions`) pairs is a stable sort by step.
    let mut actions = Vec::with_capacity(events.len());
    let mut order: Vec<(u64, usize)> = Vec::with_capacity(events.len());
    for ev in events {
        let step = event_step(ev.t_ms, dt_ms);
        let first = actions.len();
        push_actions(ev, &mut lookup, &mut actions);
        order.extend((first..actions.len()).map(|k| (step, k)));
    }
    if !order.is_sorted() {
        order.sort_unstable();
    }
    let mut slots: Vec<Option<Action>> = actions.into_iter().map(Some).collect();
    let mut out = Schedule {
        steps: Vec::new(),
        actions: Vec::with_capacity(slots.len()),
    };
    for (step, k) in order {
        out.actions.extend(slots[k].take());
        let end = out.actions.len();
        match out.steps.last_mut() {
            Some((s, range)) if *s == step => range.end = end,
            _ => out.steps.push((step, end - 1..end)),
        }
    }
    out
}

/// Appends the actions of one event, in the order they act.
fn push_actions<'e>(
    ev: &'e Event,
    target: &mut impl FnMut(&'e str) -> Option<Target>,
    out: &mut Vec<Action>,
) {
    let sets = ev.set.iter().map(|(n, v)| (n, *v, false));
    let adds = ev.add.iter().map(|(n, v)| (n, *v, true));
    out.extend(sets.chain(adds).filter_map(|(n, value, add)| {
        Some(Action::Value {
            target: target(n)?,
            value,
            add,
        })
    }));
    // Resolved runs have checked the name; an unknown one changes nothing.
    let integrator = ev.integrator.as_deref().and_then(|name| name.parse().ok());
    out.extend(integrator.map(Action::Integrator));
    out.extend(ev.stimuli.clone().map(Action::Stimuli));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::roles::DRIVE_PARAM;

    fn i_app_after(events_later: &[Event], steps_before: u64, steps_after: u64) -> Vec<f64> {
        let Some(Ok(model)) = crate::model::builtin::builtin("Izhikevich2007") else {
            panic!("built-in model")
        };
        let resolved = RunSpec {
            dt_ms: 1.0,
            ..RunSpec::defaults(model)
        };
        let Ok(mut s) = Session::new(&resolved, 1) else {
            panic!("session")
        };
        let Some(i) = s.engine.model().drive_param() else {
            panic!("Izhikevich2007 has a drive")
        };
        for _ in 0..steps_before {
            s.step();
        }
        s.set_events(events_later);
        (0..steps_after)
            .map(|_| {
                s.step();
                s.engine.param(i, 0)
            })
            .collect()
    }

    fn set_at(t_ms: f64, value: f64) -> Event {
        Event {
            t_ms,
            set: [(DRIVE_PARAM.to_owned(), value)].into(),
            ..Event::default()
        }
    }

    #[test]
    fn new_events_act_from_the_current_step_and_past_ones_never() {
        // At step 5: an event at 3 ms is past, one at 5 ms acts before the next step,
        // one at 7 ms two steps later.
        let got = i_app_after(
            &[set_at(3.0, 9.0), set_at(5.0, 1.0), set_at(7.0, 2.0)],
            5,
            4,
        );
        assert_eq!(got, [1.0, 1.0, 2.0, 2.0]);
    }

    #[test]
    fn events_of_one_step_act_in_file_order_whatever_the_order_of_steps() {
        // Written out of step order; at 2 ms a set then an add (→ 5), at 1 ms an add
        // then a set (→ 7); within a step the file's order decides.
        let add_at = |t_ms: f64, value: f64| Event {
            t_ms,
            add: [(DRIVE_PARAM.to_owned(), value)].into(),
            ..Event::default()
        };
        let got = i_app_after(
            &[
                set_at(2.0, 4.0),
                add_at(1.0, 100.0),
                add_at(2.0, 1.0),
                set_at(1.0, 7.0),
            ],
            0,
            3,
        );
        assert_eq!(got, [0.0, 7.0, 5.0]);
    }
}
