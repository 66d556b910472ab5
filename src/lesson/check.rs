//! Evaluating a step's [`Check`] on the live run: the samples recorded since the step
//! started (through [`Recording`]) and the current settings. Fixed points and the
//! rheobase are computed from the current settings (cached until they change), the
//! rest only from what was recorded — nothing is predicted.

use super::format::{Check, LessonView};
use crate::analysis::Control;
use crate::analysis::bifurcation::{BifurcationConfig, bifurcation};
use crate::analysis::features::{Features, features};
use crate::analysis::fi::{FiConfig, fi_sweep, refine_rheobase};
use crate::model::CompiledModel;
use crate::sim::run::RunSpec;

/// Rates, features and classes are taken over this last stretch of the run...
pub const WINDOW_MS: f64 = 1000.0;
/// ...or over all of it since the step started, once that is this long (a preset's
/// protocol may pause after half a second).
pub const MIN_WINDOW_MS: f64 = 400.0;

/// The recorded run, as the checks read it (the GUI's display history implements it).
pub trait Recording {
    /// First and last recorded time (ms).
    fn span_ms(&self) -> Option<(f64, f64)>;
    /// Times (ms) of the spikes in `[from_ms, to_ms]`.
    fn spikes_ms(&self, from_ms: f64, to_ms: f64) -> Vec<f64>;
    /// Times and values of variable `var` in `[from_ms, to_ms]`.
    fn samples(&self, var: usize, from_ms: f64, to_ms: f64) -> (Vec<f64>, Vec<f64>);
}

/// What a check is evaluated on.
pub struct Observed<'a> {
    pub recording: &'a dyn Recording,
    /// The recorded time at which the step started (or its run began).
    pub since_ms: f64,
    /// Current settings of the live run.
    pub settings: &'a RunSpec,
    pub view: LessonView,
}

/// A check's verdict and what it saw, for the panel ("rate 12.0 Hz").
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub passed: bool,
    pub seen: String,
}

impl Outcome {
    fn new(passed: bool, seen: String) -> Self {
        Self { passed, seen }
    }
}

/// Model analyses of the current settings, kept until a parameter changes.
#[derive(Default)]
pub struct Analyses {
    key: String,
    /// (all, stable) fixed points.
    fixed_points: Option<Option<(usize, usize)>>,
    rheobase: Option<Option<f64>>,
}

impl Analyses {
    fn refresh(&mut self, s: &RunSpec) {
        let key = format!(
            "{}|{:?}|{}",
            s.model.id(),
            s.parameters.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            s.dt_ms
        );
        if key != self.key {
            *self = Self {
                key,
                ..Self::default()
            };
        }
    }

    fn fixed_points(&mut self, s: &RunSpec) -> Option<(usize, usize)> {
        self.refresh(s);
        *self
            .fixed_points
            .get_or_insert_with(|| count_fixed_points(s))
    }

    fn rheobase(&mut self, s: &RunSpec) -> Option<f64> {
        self.refresh(s);
        *self.rheobase.get_or_insert_with(|| rheobase_of(s))
    }
}

/// The parameter the analyses vary: the drive, else the first.
fn drive_name(model: &CompiledModel) -> Option<String> {
    let i = model.drive_param().unwrap_or(0);
    model.desc.parameters.get(i).map(|p| p.name.clone())
}

/// Equilibria of the current settings (as the bifurcation diagram finds them):
/// (count, stable count).
fn count_fixed_points(s: &RunSpec) -> Option<(usize, usize)> {
    let param = drive_name(&s.model)?;
    let value = s.parameters[s.model.param_index(&param)?];
    let mut cfg = BifurcationConfig::new(&param, vec![value], 1);
    // Only the equilibria matter: the shortest attractor run.
    cfg.run_ms = s.dt_ms;
    cfg.transient_ms = 0.0;
    let b = bifurcation(s, &cfg, &Control::default()).ok()?;
    let stable = b
        .equilibria
        .iter()
        .filter(|e| e.stability.is_stable())
        .count();
    Some((b.equilibria.len(), stable))
}

/// The refined rheobase of the drive over its slider range (600 ms holds, spikes
/// counted after 100 ms, as the f–I tab).
fn rheobase_of(s: &RunSpec) -> Option<f64> {
    let param = drive_name(&s.model)?;
    let p = &s.model.desc.parameters[s.model.param_index(&param)?];
    let values = crate::analysis::linspace(p.range.min, p.range.max, 41).ok()?;
    let cfg = FiConfig {
        param,
        values,
        duration_ms: 600.0,
        transient_ms: 100.0,
        threads: 1,
    };
    let control = Control::default();
    let mut result = fi_sweep(s, &cfg, &control).ok()?;
    refine_rheobase(s, &cfg, &mut result, &control).ok()?;
    result.best_rheobase()
}

/// The features of the last [`WINDOW_MS`] since the step started, once at least
/// [`MIN_WINDOW_MS`] was recorded.
fn last_second(o: &Observed<'_>) -> Option<Features> {
    let (_, t_end) = o.recording.span_ms()?;
    let from_ms = (t_end - WINDOW_MS).max(o.since_ms);
    if t_end - from_ms < MIN_WINDOW_MS {
        return None;
    }
    let v = o.settings.model.membrane_var()?;
    let (t, vs) = o.recording.samples(v, from_ms, t_end);
    let spikes = o.recording.spikes_ms(from_ms, t_end);
    Some(features(&t, &vs, &spikes, from_ms, t_end))
}

fn feature_value(f: &Features, name: &str) -> Option<f64> {
    Some(match name {
        "spike_count" => f.spike_count as f64,
        "rate" => f.rate_hz,
        "first_spike_latency" => f.first_spike_latency_ms?,
        "isi_mean" => f.isi_mean_ms?,
        "isi_cv" => f.isi_cv?,
        "adaptation_index" => f.adaptation_index?,
        "burst_count" => f.burst_count as f64,
        "spikes_per_burst" => f.spikes_per_burst?,
        "ap_peak" => f.ap_peak_mv?,
        "ap_amplitude" => f.ap_amplitude_mv?,
        "ap_half_width" => f.ap_half_width_ms?,
        "ahp_depth" => f.ahp_depth_mv?,
        "resting_potential" => f.resting_mv?,
        _ => return None,
    })
}

const MEASURING: &str = "measuring…";

/// Evaluates `check` now.
pub fn evaluate(check: &Check, o: &Observed<'_>, analyses: &mut Analyses) -> Outcome {
    let in_range = |x: f64, min: f64, max: f64| x >= min && x <= max;
    let span = o.recording.span_ms();
    match check {
        Check::Rate { min_hz, max_hz } => match last_second(o) {
            Some(f) => Outcome::new(
                in_range(f.rate_hz, *min_hz, *max_hz),
                format!("{:.1} Hz", f.rate_hz),
            ),
            None => Outcome::new(false, MEASURING.into()),
        },
        Check::Spiked => {
            let n = span.map_or(0, |(_, t)| o.recording.spikes_ms(o.since_ms, t).len());
            Outcome::new(n > 0, format!("{n} spikes"))
        }
        Check::Silent { ms } => match span {
            Some((_, t)) if t - o.since_ms >= *ms => {
                let n = o.recording.spikes_ms(t - ms, t).len();
                Outcome::new(n == 0, format!("{n} spikes in the last {ms} ms"))
            }
            _ => Outcome::new(false, MEASURING.into()),
        },
        Check::Param { name, min, max } => {
            let model = &o.settings.model;
            match model.param_index(name).map(|i| o.settings.parameters[i]) {
                Some(x) => Outcome::new(in_range(x, *min, *max), format!("{name} = {x}")),
                None => Outcome::new(false, format!("no parameter {name}")),
            }
        }
        Check::FixedPoints { count, stable } => match analyses.fixed_points(o.settings) {
            Some((n, s)) => Outcome::new(
                count.is_none_or(|c| c == n) && stable.is_none_or(|c| c == s),
                format!("{n} fixed points, {s} stable"),
            ),
            None => Outcome::new(false, "no fixed points computed".into()),
        },
        Check::Feature { name, min, max } => match last_second(o) {
            Some(f) => match feature_value(&f, name) {
                Some(x) => Outcome::new(in_range(x, *min, *max), format!("{name} = {x:.3}")),
                None => Outcome::new(false, format!("{name} undefined")),
            },
            None => Outcome::new(false, MEASURING.into()),
        },
        Check::Class { name } => match last_second(o) {
            Some(f) => Outcome::new(f.class.name() == name, f.class.name().to_owned()),
            None => Outcome::new(false, MEASURING.into()),
        },
        Check::Rheobase { min, max } => match analyses.rheobase(o.settings) {
            Some(r) => Outcome::new(in_range(r, *min, *max), format!("rheobase {r:.4}")),
            None => Outcome::new(false, "no rheobase in the slider range".into()),
        },
        Check::Reached { var, above, below } => reached(o, var, *above, *below),
        Check::View(v) => {
            let open = o.view == *v;
            let seen = if open {
                "the tab is open"
            } else {
                "another tab is open"
            };
            Outcome::new(open, seen.into())
        }
        Check::All(list) => {
            let outcomes: Vec<Outcome> = list.iter().map(|c| evaluate(c, o, analyses)).collect();
            let passed = outcomes.iter().all(|x| x.passed);
            let seen: Vec<String> = outcomes.into_iter().map(|x| x.seen).collect();
            Outcome::new(passed, seen.join("; "))
        }
    }
}

fn reached(o: &Observed<'_>, var: &str, above: Option<f64>, below: Option<f64>) -> Outcome {
    let (Some(i), Some((_, t))) = (o.settings.model.var_index(var), o.recording.span_ms()) else {
        return Outcome::new(false, MEASURING.into());
    };
    let (_, values) = o.recording.samples(i, o.since_ms, t);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let passed = above.is_some_and(|a| max > a) || below.is_some_and(|b| min < b);
    let seen = if values.is_empty() {
        MEASURING.into()
    } else {
        format!("{var} from {min:.1} to {max:.1}")
    };
    Outcome::new(passed, seen)
}
