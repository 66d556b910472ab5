//! Firing features of one voltage trace over a time window: spike count, rate,
//! latency, ISI statistics, adaptation, bursts, action-potential shape, resting
//! potential, and a firing class. Every definition is in `docs/features.md`
//! (eFEL's where it has one).
//!
//! Inputs follow the trace CSV's conventions: `t_ms[j]`/`v_mv[j]` are the samples
//! (row 0 the initial state), and a spike time is the start of the step in which the
//! spike condition became true (as in [`super::fi`]), so for a reset model the sample
//! at a spike time is the last one before the reset: the trace never holds the
//! reset model's true peak (the reset runs in the same step, as in ANNarchy).
//!
//! [`classify_train`] classifies from spike times alone (plus two voltages), so the
//! parameter map can classify thousands of lanes without recording their traces.

use std::fmt;

use super::SweepError;
use crate::io::csv::time_label;
use crate::sim::run::RunSpec;
use crate::sim::session::{Session, steps_for};

/// eFEL's `DerivativeThreshold`: an action potential begins where dv/dt first
/// exceeds this (mV/ms) on the way up to its peak.
pub const AP_BEGIN_DVDT_MV_PER_MS: f64 = 10.0;
/// How far after a spike time its peak is searched for (ms).
const PEAK_SEARCH_MS: f64 = 5.0;
/// An ISI at least this many times the ISI before it ends a burst.
pub const BURST_FACTOR: f64 = 2.5;
/// `adapting` when the last ISI is at least this many times the early ISI.
pub const ADAPTING_RATIO: f64 = 2.0;
/// `irregular` when the local variation LV of the ISIs exceeds this
/// (LV = 0 for a regular train, 1 for a Poisson train).
pub const IRREGULAR_LV: f64 = 0.3;
/// `bursting` needs at least this fraction of the spikes inside bursts (random
/// trains have a few chance "bursts" but most of their spikes outside them).
pub const BURSTING_FRACTION: f64 = 2.0 / 3.0;
/// `depolarization_block` when, after spiking, the last quarter of the window is
/// silent and its mean v is at least this far above the resting potential (mV).
pub const BLOCK_ABOVE_REST_MV: f64 = 15.0;
/// Without a resting potential, the absolute level for the same test (mV).
pub const BLOCK_LEVEL_MV: f64 = -50.0;

/// The firing pattern of a train, after Izhikevich (2003, 2007) and the Petilla
/// terminology; the rules are in `docs/features.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FiringClass {
    Silent,
    Tonic,
    Adapting,
    InitialBurst,
    Bursting,
    Irregular,
    DepolarizationBlock,
    /// The run blew up (a variable became NaN or infinite): no firing to classify.
    NonFinite,
}

impl FiringClass {
    /// Every class, in legend order.
    pub const ALL: [FiringClass; 8] = [
        FiringClass::Silent,
        FiringClass::Tonic,
        FiringClass::Adapting,
        FiringClass::InitialBurst,
        FiringClass::Bursting,
        FiringClass::Irregular,
        FiringClass::DepolarizationBlock,
        FiringClass::NonFinite,
    ];

    /// The name printed by the CLI and written to CSV files.
    pub fn name(self) -> &'static str {
        match self {
            FiringClass::Silent => "silent",
            FiringClass::Tonic => "tonic",
            FiringClass::Adapting => "adapting",
            FiringClass::InitialBurst => "initial_burst",
            FiringClass::Bursting => "bursting",
            FiringClass::Irregular => "irregular",
            FiringClass::DepolarizationBlock => "depolarization_block",
            FiringClass::NonFinite => "blew_up",
        }
    }

    /// The class of a name written by [`FiringClass::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for FiringClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Bursts of a spike train (see [`find_bursts`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bursts {
    /// (index of the first spike, number of spikes) of each burst.
    pub runs: Vec<(usize, usize)>,
}

impl Bursts {
    pub fn count(&self) -> usize {
        self.runs.len()
    }

    /// Mean number of spikes per burst.
    pub fn spikes_per_burst(&self) -> Option<f64> {
        (!self.runs.is_empty())
            .then(|| self.runs.iter().map(|r| r.1 as f64).sum::<f64>() / self.runs.len() as f64)
    }
}

/// Features of one trace over `[from_ms, to_ms)`. `None` where a feature is
/// undefined (e.g. ISI statistics with fewer than two spikes).
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    pub from_ms: f64,
    pub to_ms: f64,
    pub spike_count: usize,
    pub rate_hz: f64,
    /// First spike time minus `from_ms`.
    pub first_spike_latency_ms: Option<f64>,
    pub isi_mean_ms: Option<f64>,
    pub isi_cv: Option<f64>,
    /// eFEL's `adaptation_index2`.
    pub adaptation_index: Option<f64>,
    pub burst_count: usize,
    pub spikes_per_burst: Option<f64>,
    /// Mean over spikes of the highest v after each spike time.
    pub ap_peak_mv: Option<f64>,
    /// Mean of (peak − AP begin voltage).
    pub ap_amplitude_mv: Option<f64>,
    /// Mean width at half amplitude.
    pub ap_half_width_ms: Option<f64>,
    /// Mean minimum between consecutive peaks, relative to the resting potential.
    pub ahp_depth_mv: Option<f64>,
    pub resting_mv: Option<f64>,
    pub class: FiringClass,
}

impl Features {
    /// (name, value, unit) for printing: one line per feature, `class` last, with
    /// "n/a" for undefined values.
    pub fn lines(&self) -> Vec<(&'static str, String, &'static str)> {
        let num = |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |x| format!("{x:.4}"));
        vec![
            ("spike_count", self.spike_count.to_string(), ""),
            ("rate", num(Some(self.rate_hz)), "Hz"),
            (
                "first_spike_latency",
                num(self.first_spike_latency_ms),
                "ms",
            ),
            ("isi_mean", num(self.isi_mean_ms), "ms"),
            ("isi_cv", num(self.isi_cv), ""),
            ("adaptation_index", num(self.adaptation_index), ""),
            ("burst_count", self.burst_count.to_string(), ""),
            ("spikes_per_burst", num(self.spikes_per_burst), ""),
            ("ap_peak", num(self.ap_peak_mv), "mV"),
            ("ap_amplitude", num(self.ap_amplitude_mv), "mV"),
            ("ap_half_width", num(self.ap_half_width_ms), "ms"),
            ("ahp_depth", num(self.ahp_depth_mv), "mV"),
            ("resting_potential", num(self.resting_mv), "mV"),
            ("class", self.class.name().to_owned(), ""),
        ]
    }

    /// The lines of [`Features::lines`] as `name: value unit` text.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (name, value, unit) in self.lines() {
            s.push_str(name);
            s.push_str(": ");
            s.push_str(&value);
            if !unit.is_empty() {
                s.push(' ');
                s.push_str(unit);
            }
            s.push('\n');
        }
        s
    }
}

/// Inter-spike intervals.
pub fn isis(spikes_ms: &[f64]) -> Vec<f64> {
    spikes_ms.windows(2).map(|w| w[1] - w[0]).collect()
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Coefficient of variation: population SD over mean (as the f–I sweep reports it);
/// needs two ISIs.
pub fn cv(isis: &[f64]) -> Option<f64> {
    let m = mean(isis).filter(|_| isis.len() >= 2)?;
    let var = isis.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / isis.len() as f64;
    (m > 0.0).then(|| var.sqrt() / m)
}

/// eFEL's `adaptation_index2`: the mean of (ISI[i+1] − ISI[i]) / (ISI[i+1] + ISI[i])
/// from the second ISI on; needs three ISIs. Positive when firing slows down.
pub fn adaptation_index(isis: &[f64]) -> Option<f64> {
    if isis.len() < 3 {
        return None;
    }
    let terms: Vec<f64> = isis[1..]
        .windows(2)
        .map(|w| (w[1] - w[0]) / (w[1] + w[0]))
        .collect();
    mean(&terms)
}

/// Local variation LV of Shinomoto et al. (2003): 3/(n−1) Σ ((I_i − I_{i+1}) /
/// (I_i + I_{i+1}))² over n ISIs; insensitive to slow changes of rate. Needs two ISIs.
pub fn local_variation(isis: &[f64]) -> Option<f64> {
    if isis.len() < 2 {
        return None;
    }
    let s: f64 = isis
        .windows(2)
        .map(|w| ((w[0] - w[1]) / (w[0] + w[1])).powi(2))
        .sum();
    Some(3.0 * s / (isis.len() - 1) as f64)
}

/// Bursts: the train is cut at every ISI at least [`BURST_FACTOR`] times the ISI
/// before it (a gap); a group of two or more spikes between gaps (or the window's
/// ends) is a burst when its longest ISI times [`BURST_FACTOR`] is still shorter
/// than the gaps next to it. A regular or slowly adapting train has no gaps.
pub fn find_bursts(spikes_ms: &[f64]) -> Bursts {
    let isi = isis(spikes_ms);
    // Index i of an ISI that is a gap: it lies between spike i and i + 1.
    let gaps: Vec<usize> = (1..isi.len())
        .filter(|&i| isi[i] >= BURST_FACTOR * isi[i - 1])
        .collect();
    let mut runs = Vec::new();
    let mut start = 0usize;
    for k in 0..=gaps.len() {
        // Spikes start..=end form one group.
        let end = gaps
            .get(k)
            .copied()
            .unwrap_or(spikes_ms.len().saturating_sub(1));
        let n = end + 1 - start.min(end + 1);
        if n >= 2 {
            let inner = isi[start..end].iter().copied().fold(0.0, f64::max);
            let before = start.checked_sub(1).map(|g| isi[g]);
            let after = gaps.get(k).map(|&g| isi[g]);
            let gap = before
                .into_iter()
                .chain(after)
                .fold(f64::INFINITY, f64::min);
            if gap.is_finite() && inner * BURST_FACTOR < gap {
                runs.push((start, n));
            }
        }
        start = end + 1;
    }
    Bursts { runs }
}

/// What [`classify_train`] needs besides the spike times.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainContext {
    pub from_ms: f64,
    pub to_ms: f64,
    /// Mean v over the last quarter of the window.
    pub tail_v_mean_mv: Option<f64>,
    pub resting_mv: Option<f64>,
}

/// The firing class of the spikes in the window (times in ms, sorted); the rules
/// are applied in the order written in `docs/features.md`.
pub fn classify_train(spikes_ms: &[f64], ctx: &TrainContext) -> FiringClass {
    let tail_start = ctx.to_ms - 0.25 * (ctx.to_ms - ctx.from_ms);
    let tail_silent = spikes_ms.last().is_none_or(|&t| t < tail_start);
    let depolarized = ctx.tail_v_mean_mv.is_some_and(|v| match ctx.resting_mv {
        Some(rest) => v >= rest + BLOCK_ABOVE_REST_MV,
        None => v >= BLOCK_LEVEL_MV,
    });
    if !spikes_ms.is_empty() && tail_silent && depolarized {
        return FiringClass::DepolarizationBlock;
    }
    if spikes_ms.len() < 2 {
        return FiringClass::Silent;
    }
    let bursts = find_bursts(spikes_ms);
    let in_bursts: usize = bursts.runs.iter().map(|r| r.1).sum();
    if bursts.count() >= 2 && in_bursts as f64 >= BURSTING_FRACTION * spikes_ms.len() as f64 {
        return FiringClass::Bursting;
    }
    if let [(0, _)] = bursts.runs.as_slice() {
        return FiringClass::InitialBurst;
    }
    let isi = isis(spikes_ms);
    if local_variation(&isi).is_some_and(|lv| lv > IRREGULAR_LV) {
        return FiringClass::Irregular;
    }
    // The early ISI skips the first one when there are enough (an onset doublet
    // is not adaptation; eFEL's adaptation_index2 skips it too).
    let early = if isi.len() >= 3 { isi[1] } else { isi[0] };
    let last = isi[isi.len() - 1];
    if isi.len() >= 2 && last >= ADAPTING_RATIO * early {
        return FiringClass::Adapting;
    }
    FiringClass::Tonic
}

/// Indices `[lo, hi)` of the samples with `from_ms <= t < to_ms`.
fn sample_range(t_ms: &[f64], from_ms: f64, to_ms: f64) -> std::ops::Range<usize> {
    let lo = t_ms.partition_point(|&t| t < from_ms);
    let hi = t_ms.partition_point(|&t| t < to_ms).max(lo);
    lo..hi
}

/// Shape of one action potential, from the samples `range` around it.
struct ApShape {
    peak_index: usize,
    peak_mv: f64,
    amplitude_mv: f64,
    half_width_ms: Option<f64>,
}

/// The action potential whose spike time is `spike_ms`, searched between the
/// previous spike (or the window's start, index `floor`) and the next spike.
fn ap_shape(t: &[f64], v: &[f64], spike_ms: f64, floor: usize, ceil_ms: f64) -> Option<ApShape> {
    let start = t.partition_point(|&x| x < spike_ms);
    let stop_ms = (spike_ms + PEAK_SEARCH_MS).min(ceil_ms);
    let stop = t
        .partition_point(|&x| x <= stop_ms)
        .max(start + 1)
        .min(v.len());
    let peak_index = (start..stop).max_by(|&a, &b| v[a].total_cmp(&v[b]))?;
    let peak_mv = v[peak_index];
    // Begin: walking back from the steepest point of the upstroke (since the
    // previous peak), the first sample whose slope to the next falls below the
    // threshold. Starting at the peak itself would stop at once wherever the
    // sampling resolves the rounded top (dt 0.01 ms: < 0.1 mV per sample there).
    let slope_at = |j: usize| (v[j] - v[j - 1]) / (t[j] - t[j - 1]);
    let mut begin = (floor + 1..=peak_index)
        .max_by(|&a, &b| slope_at(a).total_cmp(&slope_at(b)))
        .unwrap_or(peak_index);
    while begin > floor {
        let slope = (v[begin] - v[begin - 1]) / (t[begin] - t[begin - 1]);
        if slope < AP_BEGIN_DVDT_MV_PER_MS {
            break;
        }
        begin -= 1;
    }
    let amplitude_mv = peak_mv - v[begin];
    let half = v[begin] + 0.5 * amplitude_mv;
    let cross = |a: usize, b: usize| {
        let f = (half - v[a]) / (v[b] - v[a]);
        t[a] + f * (t[b] - t[a])
    };
    let rise = (begin..peak_index)
        .find(|&j| v[j + 1] >= half)
        .map(|j| cross(j, j + 1));
    let fall = (peak_index..v.len().saturating_sub(1))
        .find(|&j| v[j + 1] < half)
        .map(|j| cross(j, j + 1));
    let half_width_ms = rise.zip(fall).map(|(r, f)| f - r).filter(|w| *w > 0.0);
    Some(ApShape {
        peak_index,
        peak_mv,
        amplitude_mv,
        half_width_ms,
    })
}

/// Time before the first action potential below which no resting potential is
/// reported (ms): the window began during firing.
const MIN_BASELINE_MS: f64 = 5.0;

/// Resting potential: the median of v over the window's samples before the first
/// spike's action potential begins (all of them when there is no spike).
fn resting(v: &[f64], range: std::ops::Range<usize>, first_begin: Option<usize>) -> Option<f64> {
    let end = first_begin.map_or(range.end, |b| b.clamp(range.start, range.end));
    let mut xs: Vec<f64> = v[range.start..end]
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    })
}

/// All features of the trace (`t_ms`, `v_mv`, sorted times) with spike times
/// `spikes_ms` over `[from_ms, to_ms)`.
pub fn features(
    t_ms: &[f64],
    v_mv: &[f64],
    spikes_ms: &[f64],
    from_ms: f64,
    to_ms: f64,
) -> Features {
    let n = t_ms.len().min(v_mv.len());
    let (t, v) = (&t_ms[..n], &v_mv[..n]);
    let spikes: Vec<f64> = spikes_ms
        .iter()
        .copied()
        .filter(|&s| s >= from_ms && s < to_ms)
        .collect();
    let range = sample_range(t, from_ms, to_ms);
    let mut shapes = Vec::with_capacity(spikes.len());
    for (k, &s) in spikes.iter().enumerate() {
        let floor = shapes
            .last()
            .map_or(range.start, |p: &ApShape| p.peak_index);
        let ceil_ms = spikes.get(k + 1).copied().unwrap_or(to_ms);
        if let Some(shape) = ap_shape(t, v, s, floor, ceil_ms) {
            shapes.push(shape);
        }
    }
    let first_begin = spikes.first().map(|&s| {
        let i = t.partition_point(|&x| x < s);
        // The upstroke begins where the slope first exceeds the threshold.
        let mut b = i.min(n.saturating_sub(1));
        while b > range.start && (v[b] - v[b - 1]) / (t[b] - t[b - 1]) >= AP_BEGIN_DVDT_MV_PER_MS {
            b -= 1;
        }
        b
    });
    // A window that opens on a spike's upstroke has no baseline to speak of: say
    // nothing rather than report the upstroke's median as the rest.
    let baseline_ms = first_begin.map_or(f64::INFINITY, |b| t[b] - t[range.start]);
    let resting_mv = if baseline_ms >= MIN_BASELINE_MS {
        resting(v, range.clone(), first_begin)
    } else {
        None
    };
    let isi = isis(&spikes);
    let bursts = find_bursts(&spikes);
    let mean_of = |f: &dyn Fn(&ApShape) -> Option<f64>| {
        let xs: Vec<f64> = shapes.iter().filter_map(f).collect();
        mean(&xs)
    };
    let troughs: Vec<f64> = shapes
        .windows(2)
        .filter_map(|w| {
            v[w[0].peak_index..=w[1].peak_index]
                .iter()
                .copied()
                .reduce(f64::min)
        })
        .collect();
    let tail = sample_range(t, to_ms - 0.25 * (to_ms - from_ms), to_ms);
    let ctx = TrainContext {
        from_ms,
        to_ms,
        tail_v_mean_mv: mean(&v[tail]),
        resting_mv,
    };
    let window_s = (to_ms - from_ms) / 1000.0;
    Features {
        from_ms,
        to_ms,
        spike_count: spikes.len(),
        rate_hz: if window_s > 0.0 {
            spikes.len() as f64 / window_s
        } else {
            0.0
        },
        first_spike_latency_ms: spikes.first().map(|s| s - from_ms),
        isi_mean_ms: mean(&isi),
        isi_cv: cv(&isi),
        adaptation_index: adaptation_index(&isi),
        burst_count: bursts.count(),
        spikes_per_burst: bursts.spikes_per_burst(),
        ap_peak_mv: mean_of(&|s| Some(s.peak_mv)),
        ap_amplitude_mv: mean_of(&|s| Some(s.amplitude_mv)),
        ap_half_width_ms: mean_of(&|s| s.half_width_ms),
        ahp_depth_mv: mean(&troughs).zip(resting_mv).map(|(m, r)| m - r),
        resting_mv,
        class: classify_train(&spikes, &ctx),
    }
}

/// The membrane potential and spike times of one run of a preset (its protocol
/// included), for [`features`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MembraneTrace {
    pub t_ms: Vec<f64>,
    pub v_mv: Vec<f64>,
    pub spikes_ms: Vec<f64>,
}

/// Runs `preset` (events and stimuli applied, one lane) for its duration and
/// records the membrane potential at every step, labelled as the trace CSV does.
pub fn run_membrane(preset: &RunSpec) -> Result<MembraneTrace, SweepError> {
    let model = &preset.model;
    let Some(v) = model.membrane_var() else {
        return Err(SweepError::Usage(format!(
            "{} has no membrane potential; firing features need one",
            model.id()
        )));
    };
    let mut session = Session::new(preset, 1)?;
    let dt = preset.dt_ms;
    let n = steps_for(preset.duration_ms, dt);
    let mut out = MembraneTrace {
        t_ms: Vec::with_capacity(n as usize + 1),
        v_mv: Vec::with_capacity(n as usize + 1),
        spikes_ms: Vec::new(),
    };
    out.t_ms.push(0.0);
    out.v_mv.push(session.engine.var(v, 0));
    for k in 0..n {
        if session.step() > 0 && session.engine.spiked(0) {
            out.spikes_ms.push(time_label(k, dt));
        }
        out.t_ms.push(time_label(k + 1, dt));
        out.v_mv.push(session.engine.var(v, 0));
    }
    Ok(out)
}

impl MembraneTrace {
    /// [`features`] of this trace over `[from_ms, to_ms)`.
    pub fn features(&self, from_ms: f64, to_ms: f64) -> Features {
        features(&self.t_ms, &self.v_mv, &self.spikes_ms, from_ms, to_ms)
    }
}

#[cfg(test)]
#[path = "features_tests.rs"]
mod tests;
