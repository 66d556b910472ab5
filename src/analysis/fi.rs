//! f–I curves: one lane per value of a swept parameter (default `I_app`), held
//! constant from t = 0 (the preset's events and stimuli are not applied), starting
//! from the preset's initial state.
//!
//! A spike's time is the start of the step in which the spike condition became
//! true (ANNarchy's convention): a spike found by step k (0-based) is at t = k·dt.
//! Spikes with `transient_ms <= t < duration_ms` are counted; the rate is their
//! number over the window length. `first_spike_ms` is the latency of the first
//! spike of the whole run, measured from t = 0 (when the input is switched on),
//! whether or not it falls in the transient. ISI mean and CV use the spikes in the
//! window (mean needs two spikes, CV three; CV = population SD / mean).

use super::{Control, SweepError, cell, chunks, engine_for, run_chunks};
use crate::sim::run::RunSpec;
use crate::sim::session::steps_for;

#[derive(Clone, Debug, PartialEq)]
pub struct FiConfig {
    /// Parameter to sweep.
    pub param: String,
    pub values: Vec<f64>,
    pub duration_ms: f64,
    pub transient_ms: f64,
    pub threads: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FiPoint {
    pub value: f64,
    pub rate_hz: f64,
    pub n_spikes: usize,
    pub first_spike_ms: Option<f64>,
    pub isi_mean_ms: Option<f64>,
    pub isi_cv: Option<f64>,
    /// A variable of this lane ended NaN or infinite: the statistics are not valid
    /// (the CSV leaves them empty; the other points are unaffected).
    pub non_finite: bool,
}

#[derive(Clone, Debug, Default)]
pub struct FiResult {
    pub param: String,
    /// The swept parameter's unit in this model.
    pub unit: String,
    pub model_id: String,
    pub points: Vec<FiPoint>,
    /// (silent, spiking): the rheobase bracket after [`refine_rheobase`], when the
    /// grid had a silent value just below its first spiking one.
    pub rheobase_bracket: Option<(f64, f64)>,
}

impl FiResult {
    /// The smallest swept value that gives at least one spike in the window, if the
    /// values are sorted and every value above it spikes too (else the first spiking one).
    pub fn rheobase(&self) -> Option<f64> {
        self.points.iter().find(|p| p.n_spikes > 0).map(|p| p.value)
    }

    /// The rheobase to the bracket's precision when refined, else on the grid.
    pub fn best_rheobase(&self) -> Option<f64> {
        self.rheobase_bracket
            .map(|(_, spiking)| spiking)
            .or_else(|| self.rheobase())
    }

    /// The rheobase in words, with its unit and precision.
    pub fn rheobase_text(&self) -> String {
        let (p, u) = (&self.param, &self.unit);
        match (self.rheobase_bracket, self.rheobase()) {
            (Some((silent, spiking)), _) => {
                // Enough decimals to tell the two ends apart.
                let d = (-(spiking - silent).log10()).ceil().clamp(0.0, 12.0) as usize + 1;
                format!("rheobase {p} = {spiking:.d$} {u} (silent at {silent:.d$})")
            }
            (None, Some(x)) => format!("rheobase {p} <= {x} {u} (spikes at the first value)"),
            (None, None) => "no spikes in the range".to_owned(),
        }
    }

    /// The grid's (silent, first spiking) pair around the rheobase, if it has one.
    fn grid_bracket(&self) -> Option<(f64, f64)> {
        let k = self.points.iter().position(|p| p.n_spikes > 0)?;
        let below = self.points.get(k.checked_sub(1)?)?;
        Some((below.value, self.points[k].value))
    }
}

/// Values run side by side in each round of [`refine_rheobase`].
const REFINE_LANES: usize = 8;
/// Rounds of [`refine_rheobase`]: each narrows the bracket 9-fold, so three make it
/// 729 times narrower than the grid's step.
const REFINE_ROUNDS: usize = 3;

/// Lane-steps [`refine_rheobase`] takes at most (for progress bars).
pub fn refine_total(cfg: &FiConfig, dt_ms: f64) -> u64 {
    steps_for(cfg.duration_ms, dt_ms) * (REFINE_LANES * REFINE_ROUNDS) as u64
}

/// Narrows the grid's rheobase bracket by multisection: each round runs eight values
/// inside the bracket as lanes and keeps the pair around the first that spikes. Sets
/// `result.rheobase_bracket`; a grid that spikes at its first value, or never, has
/// no bracket to narrow and is left as it is.
pub fn refine_rheobase(
    preset: &RunSpec,
    cfg: &FiConfig,
    result: &mut FiResult,
    control: &Control,
) -> Result<(), SweepError> {
    let Some((mut silent, mut spiking)) = result.grid_bracket() else {
        return Ok(());
    };
    for _ in 0..REFINE_ROUNDS {
        let inner =
            super::linspace(silent, spiking, REFINE_LANES + 2).map_err(SweepError::Usage)?;
        let round = FiConfig {
            values: inner[1..=REFINE_LANES].to_vec(),
            ..cfg.clone()
        };
        let r = fi_sweep(preset, &round, control)?;
        match r.points.iter().position(|p| p.n_spikes > 0) {
            Some(0) => spiking = r.points[0].value,
            Some(k) => (silent, spiking) = (r.points[k - 1].value, r.points[k].value),
            None => silent = r.points[REFINE_LANES - 1].value,
        }
    }
    result.rheobase_bracket = Some((silent, spiking));
    Ok(())
}

/// Total lane-steps of a sweep (for progress bars).
pub fn fi_total(cfg: &FiConfig, dt_ms: f64) -> u64 {
    steps_for(cfg.duration_ms, dt_ms) * cfg.values.len() as u64
}

/// Statistics of one spike train (step indices) for the window [k0, n).
pub fn train_stats(
    value: f64,
    spike_steps: &[u64],
    dt_ms: f64,
    transient_ms: f64,
    duration_ms: f64,
) -> FiPoint {
    // Times as the trace CSV labels them (k*dt rounded to 1e-9 ms: 0.1*3 is 0.3).
    let time = |k: u64| crate::io::csv::time_label(k, dt_ms);
    let first_spike_ms = spike_steps.first().map(|&k| time(k));
    // Window by time, with a little slack for round-off in k*dt.
    let eps = 1e-9 * dt_ms;
    let times: Vec<f64> = spike_steps
        .iter()
        .map(|&k| time(k))
        .filter(|&t| t >= transient_ms - eps && t < duration_ms - eps)
        .collect();
    let n = times.len();
    let window_s = (duration_ms - transient_ms) / 1000.0;
    let isis: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = (!isis.is_empty()).then(|| isis.iter().sum::<f64>() / isis.len() as f64);
    let cv = mean.filter(|_| isis.len() >= 2).map(|m| {
        let var = isis.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / isis.len() as f64;
        var.sqrt() / m
    });
    FiPoint {
        value,
        rate_hz: if window_s > 0.0 {
            n as f64 / window_s
        } else {
            0.0
        },
        n_spikes: n,
        first_spike_ms,
        isi_mean_ms: mean,
        isi_cv: cv,
        non_finite: false,
    }
}

pub fn fi_sweep(
    preset: &RunSpec,
    cfg: &FiConfig,
    control: &Control,
) -> Result<FiResult, SweepError> {
    let model = &preset.model;
    let pi = super::require_param(model, &cfg.param)?;
    if !model.has_spike() {
        return Err(SweepError::Usage(format!(
            "{} has no spike condition; an f–I curve needs spikes",
            model.id()
        )));
    }
    if !(cfg.duration_ms.is_finite() && cfg.duration_ms > 0.0) {
        return Err(SweepError::Usage(format!(
            "the duration must be > 0 ms, got {}",
            cfg.duration_ms
        )));
    }
    if !(cfg.transient_ms.is_finite()
        && cfg.transient_ms >= 0.0
        && cfg.transient_ms < cfg.duration_ms)
    {
        return Err(SweepError::Usage(format!(
            "the transient must be >= 0 ms and shorter than the duration ({} ms), got {}",
            cfg.duration_ms, cfg.transient_ms
        )));
    }
    if cfg.values.is_empty() {
        return Err(SweepError::Usage("no value to sweep".into()));
    }
    let dt = preset.dt_ms;
    let n_steps = steps_for(cfg.duration_ms, dt);
    let ranges = chunks(cfg.values.len(), cfg.threads);
    let results = run_chunks(&ranges, cfg.threads, |range| {
        let lanes = range.len();
        let mut e = engine_for(preset, model, lanes, range.start)?;
        // Initial values may depend on parameters (`init=v_r`): the swept value is set
        // after the preset's initial state was computed, as a held input would be.
        for (lane, &x) in cfg.values[range.clone()].iter().enumerate() {
            e.set_param(pi, lane, x);
        }
        let mut spikes: Vec<Vec<u64>> = vec![Vec::new(); lanes];
        let mut pending = 0u64;
        for k in 0..n_steps {
            if e.step() > 0 {
                for (lane, s) in spikes.iter_mut().enumerate() {
                    if e.spiked(lane) {
                        s.push(k);
                    }
                }
            }
            control.tick(&mut pending, lanes)?;
        }
        control.flush(&mut pending, lanes);
        let n_vars = model.vars.len();
        Ok(cfg.values[range]
            .iter()
            .zip(&spikes)
            .enumerate()
            .map(|(lane, (&x, s))| {
                let mut p = train_stats(x, s, dt, cfg.transient_ms, cfg.duration_ms);
                p.non_finite = (0..n_vars).any(|i| !e.var(i, lane).is_finite());
                p
            })
            .collect::<Vec<_>>())
    })?;
    Ok(FiResult {
        param: cfg.param.clone(),
        unit: model.desc.parameters[pi].unit.clone(),
        model_id: model.id().to_owned(),
        points: results.into_iter().flatten().collect(),
        rheobase_bracket: None,
    })
}

/// The f–I table as CSV: `<param>,rate_hz,n_spikes,first_spike_ms,isi_mean_ms,isi_cv`
/// (empty cells where a value is undefined).
pub fn fi_csv(result: &FiResult) -> String {
    let mut s = format!(
        "{},rate_hz,n_spikes,first_spike_ms,isi_mean_ms,isi_cv\n",
        result.param
    );
    for p in &result.points {
        cell(&mut s, Some(p.value));
        if p.non_finite {
            // Marked, not guessed: a blown-up lane has no rate.
            s.push_str(",,,,,\n");
            continue;
        }
        s.push(',');
        cell(&mut s, Some(p.rate_hz));
        s.push(',');
        s.push_str(&p.n_spikes.to_string());
        for x in [p.first_spike_ms, p.isi_mean_ms, p.isi_cv] {
            s.push(',');
            cell(&mut s, x);
        }
        s.push('\n');
    }
    s
}
