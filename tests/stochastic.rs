//! Firing and noise statistics of the noisy models against ANNarchy 5.0.4
//! (`../shared/oracle/stochastic/stoch_*.json`).
//!
//! Each oracle file is one ANNarchy run of 200 neurons × 10 s of a noisy model,
//! and the statistics it produced. ANNarchy shares one `std::mt19937` across the
//! whole network, our population engine gives every lane its own stream
//! (`mt19937(seed + lane)`), so the runs cannot agree draw by draw — they must
//! agree statistically. Each test runs the same protocol with the same design
//! (200 lanes × 10 s, the oracle's seed, so the test is deterministic, never
//! flaky), computes the statistics the JSON reports the way it defines them, and
//! requires |ours − ANNarchy| ≤ 5 combined standard errors,
//! SE = sqrt(SE_ANNarchy² + SE_ours²) (two independent samples).
//!
//! Where do the SEs come from?
//! * The JSON's own SE when it reports one (`rate_hz_sem`).
//! * Counts of Bernoulli events (noise jumps, baseline redraws, Poisson spikes per
//!   step): the exact binomial SE sqrt(n p (1 − p)) of each run.
//! * Everything else is estimated from our own sample by a delete-one-neuron
//!   jackknife. Neurons are independent while the steps of one neuron are not
//!   (g_ampa and offset_base are autocorrelated, ISIs of an adapting neuron are
//!   serially correlated), so a naive std/sqrt(n) over pooled samples would
//!   understate the error; the jackknife over neurons does not. ANNarchy's run has
//!   the same design, so its SE is taken equal to ours, but never smaller than the
//!   naive std/sqrt(n) its JSON implies (where it gives std and n).
//! * Where the JSON states an exact expectation (jump and redraw rates, AR(1)
//!   mean and variance of g_ampa, base_noise², p mean, Fano factor), ours is also
//!   compared with it, with our SE alone.
//!
//! Budget and design: the issue asks that every noisy model match ANNarchy's
//! firing statistics within 5 SE over a 100 s single-neuron run. That run is done
//! literally ([`check_single_neuron`], independent seed), and the population run
//! of 200 lanes × 10 s (1960-2000 neuron-seconds, 20x the single neuron's) gives
//! the oracle's own statistics with a smaller SE. Measured in release mode on this
//! 2-core machine: 12 s of CPU for the whole file, 22-35 s wall-clock while other
//! builds loaded the machine (the slowest test, Izhikevich2007CorbitFsiNoisyBase,
//! ~11 s), so there is no need to cut lanes.

mod common;

use std::fmt::Write as _;

use common::{json_files, num, oracle_file, preset_from_json, read_json, resolve_json};
use neuron_explorer::sim::session::{Session, steps_for};
use serde_json::Value;

/// Lanes of our run: the oracle's 200 neurons.
const LANES: usize = 200;
/// Allowed distance in combined standard errors.
const Z_MAX: f64 = 5.0;

/// Collects comparisons; fails at the end with the full report.
struct Report {
    name: String,
    lines: String,
    failures: Vec<String>,
}

impl Report {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            lines: String::new(),
            failures: Vec::new(),
        }
    }

    /// |ours − want| ≤ Z_MAX · sqrt(se_ours² + se_want²).
    fn check(&mut self, what: &str, ours: f64, want: f64, se_ours: f64, se_want: f64) {
        let se = se_ours.hypot(se_want);
        let z = (ours - want).abs() / se;
        let ok = z <= Z_MAX; // NaN fails
        let line = format!(
            "  {what:<40} ours {ours:<14.6} ANNarchy {want:<14.6} SE {se:<10.3e} z = {z:.2}{}",
            if ok { "" } else { "  <-- FAIL" }
        );
        let _ = writeln!(self.lines, "{line}");
        if !ok {
            self.failures.push(line);
        }
    }

    /// An exact requirement (no sampling error involved).
    fn require(&mut self, what: &str, ok: bool, detail: String) {
        let line = format!(
            "  {what:<40} {detail}{}",
            if ok { "" } else { "  <-- FAIL" }
        );
        let _ = writeln!(self.lines, "{line}");
        if !ok {
            self.failures.push(line);
        }
    }

    fn finish(self) {
        eprint!("{}:\n{}", self.name, self.lines);
        assert!(
            self.failures.is_empty(),
            "{}: {} statistic(s) disagree with ANNarchy:\n{}\nfull report:\n{}",
            self.name,
            self.failures.len(),
            self.failures.join("\n"),
            self.lines
        );
    }
}

/// Delete-one-neuron jackknife of a statistic of per-neuron sufficient sums:
/// returns (statistic of all neurons, standard error).
fn jackknife<const K: usize>(per: &[[f64; K]], stat: impl Fn(&[f64; K]) -> f64) -> (f64, f64) {
    let mut total = [0.0; K];
    for x in per {
        for (t, v) in total.iter_mut().zip(x) {
            *t += v;
        }
    }
    let full = stat(&total);
    let n = per.len() as f64;
    let leave_out: Vec<f64> = per
        .iter()
        .map(|x| {
            let mut t = total;
            for (t, v) in t.iter_mut().zip(x) {
                *t -= v;
            }
            stat(&t)
        })
        .collect();
    let mean = leave_out.iter().sum::<f64>() / n;
    let var = leave_out.iter().map(|v| (v - mean).powi(2)).sum::<f64>() * (n - 1.0) / n;
    (full, var.sqrt())
}

/// Moments from sums [n, Σx, Σx², Σx³, Σx⁴].
fn mean_of(s: &[f64]) -> f64 {
    s[1] / s[0]
}
fn var_of(s: &[f64]) -> f64 {
    let m = s[1] / s[0];
    s[2] / s[0] - m * m
}
fn std_of(s: &[f64]) -> f64 {
    var_of(s).sqrt()
}
fn cv_of(s: &[f64]) -> f64 {
    std_of(s) / mean_of(s)
}
fn skew_of(s: &[f64; 5]) -> f64 {
    let (n, m) = (s[0], s[1] / s[0]);
    let m2 = s[2] / n - m * m;
    let m3 = s[3] / n - 3.0 * m * s[2] / n + 2.0 * m.powi(3);
    m3 / m2.powf(1.5)
}
fn excess_kurtosis_of(s: &[f64; 5]) -> f64 {
    let (n, m) = (s[0], s[1] / s[0]);
    let m2 = s[2] / n - m * m;
    let m4 = s[4] / n - 4.0 * m * s[3] / n + 6.0 * m * m * s[2] / n - 3.0 * m.powi(4);
    m4 / (m2 * m2) - 3.0
}

fn add_sample<const K: usize>(acc: &mut [f64; K], x: f64) {
    let mut p = 1.0;
    for a in acc.iter_mut() {
        *a += p;
        p *= x;
    }
}

fn window(v: &Value) -> (f64, f64) {
    let w = v.as_array().expect("window is a [start, end] pair");
    (
        w[0].as_f64().expect("window start"),
        w[1].as_f64().expect("window end"),
    )
}

/// Everything recorded during our run that the statistics need.
struct Run {
    dt: f64,
    n_steps: u64,
    /// Spike steps per lane.
    spikes: Vec<Vec<u64>>,
    /// AMPA noise: per lane jumps, and [n, Σg, Σg²] of g at the start of each
    /// step of the stationary window.
    jumps: Vec<f64>,
    g: Vec<[f64; 3]>,
    /// Noisy baseline: per lane redraw count, [n, Σx..Σx⁴] of the new values,
    /// [n, Σ, Σ²] of offset_base over the window, and max |I_base − base_mean − offset_base|.
    changes: Vec<f64>,
    new_values: Vec<[f64; 5]>,
    offset: Vec<[f64; 3]>,
    i_base_identity: f64,
    /// Poisson: [n, Σp, Σp²] of the recorded p and the number of p = 0 rows per lane.
    p: Vec<[f64; 3]>,
    p_zero: Vec<f64>,
    /// Deterministic rate variable (`rates` / `act`) of lane 0 after every step.
    rate_trace: Vec<f64>,
}

fn simulate(file: &str, meta: &Value) -> Run {
    let kind = meta["kind"].as_str().expect("kind");
    let resolved = resolve_json(file, meta);
    let dt = resolved.dt_ms;
    let n_steps = steps_for(resolved.duration_ms, dt);
    let mut session = Session::new(&resolved, LANES).unwrap_or_else(|e| panic!("{file}: {e}"));
    let m = session.engine.model().clone();
    let var = |name: &str| {
        m.var_index(name)
            .unwrap_or_else(|| panic!("{file}: our {} has no variable `{name}`", m.id()))
    };
    let par = |name: &str| {
        let i = m
            .param_index(name)
            .unwrap_or_else(|| panic!("{file}: our {} has no parameter `{name}`", m.id()));
        resolved.parameters[i]
    };
    let lanes = LANES;
    let mut run = Run {
        dt,
        n_steps,
        spikes: vec![Vec::new(); lanes],
        jumps: vec![0.0; lanes],
        g: vec![[0.0; 3]; lanes],
        changes: vec![0.0; lanes],
        new_values: vec![[0.0; 5]; lanes],
        offset: vec![[0.0; 3]; lanes],
        i_base_identity: 0.0,
        p: vec![[0.0; 3]; lanes],
        p_zero: vec![0.0; lanes],
        rate_trace: Vec::with_capacity(n_steps as usize),
    };
    let ampa = (kind == "ampa").then(|| {
        let (w0, w1) = window(&meta["g_ampa"]["stationary_window_ms"]);
        (
            var("g_ampa"),
            1.0 - dt / par("tau_ampa"),
            par("increase_noise"),
            w0,
            w1,
        )
    });
    let base = (kind == "base").then(|| {
        let (w0, w1) = window(&meta["offset_base"]["time_average_window_ms"]);
        (var("offset_base"), var("I_base"), par("base_mean"), w0, w1)
    });
    let poisson = kind.starts_with("poisson").then(|| var("p"));
    let rate_var = match kind {
        "poisson_tv" => Some(var(if meta.get("act_trace_every_1ms").is_some() {
            "act"
        } else {
            "rates"
        })),
        _ => None,
    };
    let mut before = vec![0.0; lanes];
    for k in 0..n_steps {
        let t = k as f64 * dt;
        if let Some((g, _, _, w0, w1)) = ampa {
            for (lane, b) in before.iter_mut().enumerate() {
                *b = session.engine.var(g, lane);
                // ANNarchy records g_ampa at the start of the step (semantics §6).
                if t >= w0 - 1e-9 && t < w1 {
                    add_sample(&mut run.g[lane], *b);
                }
            }
        }
        if let Some((o, ..)) = base {
            for (lane, b) in before.iter_mut().enumerate() {
                *b = session.engine.var(o, lane);
            }
        }
        session.step();
        let e = &session.engine;
        for lane in 0..lanes {
            if e.spiked(lane) {
                run.spikes[lane].push(k);
            }
        }
        if let Some((g, decay, inc, ..)) = ampa {
            for (lane, b) in before.iter().enumerate() {
                // No jump: g = b (1 - dt/tau) exactly; a jump adds increase_noise.
                if e.var(g, lane) - b * decay > 0.5 * inc {
                    run.jumps[lane] += 1.0;
                }
            }
        }
        if let Some((o, ib, base_mean, w0, w1)) = base {
            for (lane, b) in before.iter().enumerate() {
                let x = e.var(o, lane);
                if x != *b {
                    run.changes[lane] += 1.0;
                    add_sample(&mut run.new_values[lane], x);
                }
                if t >= w0 - 1e-9 && t < w1 {
                    add_sample(&mut run.offset[lane], x);
                }
                run.i_base_identity = run
                    .i_base_identity
                    .max((e.var(ib, lane) - (base_mean + x)).abs());
            }
        }
        if let Some(p) = poisson {
            for lane in 0..lanes {
                let x = e.var(p, lane);
                add_sample(&mut run.p[lane], x);
                if x == 0.0 {
                    run.p_zero[lane] += 1.0;
                }
            }
        }
        if let Some(r) = rate_var {
            run.rate_trace.push(e.var(r, 0));
        }
    }
    run
}

/// Per-neuron spike counts `[count]` and ISI sums `[n, Σ, Σ²]` of the spikes at
/// times within [w0, w1] ms.
fn firing_sums(
    spikes: &[Vec<u64>],
    dt: f64,
    (w0, w1): (f64, f64),
) -> (Vec<[f64; 1]>, Vec<[f64; 3]>) {
    let in_window = |k: u64| {
        let t = k as f64 * dt;
        t >= w0 - 1e-9 && t <= w1 + 1e-9
    };
    spikes
        .iter()
        .map(|s| {
            let times: Vec<f64> = s
                .iter()
                .filter(|&&k| in_window(k))
                .map(|&k| k as f64 * dt)
                .collect();
            let mut isi = [0.0; 3];
            for w in times.windows(2) {
                add_sample(&mut isi, w[1] - w[0]);
            }
            ([times.len() as f64], isi)
        })
        .unzip()
}

/// Standard errors of our population run, reused to scale the single-neuron run.
struct FiringSe {
    rate_mean: f64,
    isi_mean: f64,
    isi_cv: f64,
    /// ANNarchy-side SEs of ISI mean and CV (as used in the population check).
    isi_mean_want: f64,
    isi_cv_want: f64,
    /// Observed neuron-seconds of our population run.
    neuron_seconds: f64,
}

/// Firing rate and ISI statistics, as in the JSON's `firing` block.
fn check_firing(rep: &mut Report, run: &Run, firing: &Value) -> FiringSe {
    let (w0, w1) = window(&firing["window_ms"]);
    let n_oracle: f64 = 200.0;
    let lanes = run.spikes.len() as f64;
    let secs = (w1 - w0) / 1000.0;
    let (counts, isis) = firing_sums(&run.spikes, run.dt, (w0, w1));

    // Rate: mean over neurons, its SEM (the JSON's own for ANNarchy).
    let rates: Vec<f64> = counts.iter().map(|c| c[0] / secs).collect();
    let mean = rates.iter().sum::<f64>() / lanes;
    let sd = (rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / lanes).sqrt();
    rep.check(
        "rate mean over neurons (Hz)",
        mean,
        num(firing, "rate_hz_mean_over_neurons"),
        sd / lanes.sqrt(),
        num(firing, "rate_hz_sem"),
    );
    // Spread of rates across neurons: SE of a standard deviation ≈ sd / sqrt(2 (n - 1)).
    let sd_want = num(firing, "rate_hz_std_over_neurons");
    rep.check(
        "rate std over neurons (Hz)",
        sd,
        sd_want,
        sd / (2.0 * (lanes - 1.0)).sqrt(),
        sd_want / (2.0 * (n_oracle - 1.0)).sqrt(),
    );

    let isi = &firing["isi_ms"];
    let n_isi_want = num(isi, "n");
    let scale = (lanes / n_oracle).sqrt(); // our SE -> SE of a 200-neuron run
    let (isi_mean, se_mean) = jackknife(&isis, |s| mean_of(s));
    let se_mean_want = (se_mean * scale).max(num(isi, "std") / n_isi_want.sqrt());
    rep.check(
        "ISI mean (ms)",
        isi_mean,
        num(isi, "mean"),
        se_mean,
        se_mean_want,
    );
    let (isi_std, se_std) = jackknife(&isis, |s| std_of(s));
    rep.check(
        "ISI std (ms)",
        isi_std,
        num(isi, "std"),
        se_std,
        (se_std * scale).max(num(isi, "std") / (2.0 * n_isi_want).sqrt()),
    );
    let (cv, se_cv) = jackknife(&isis, |s| cv_of(s));
    rep.check(
        "ISI CV (pooled)",
        cv,
        num(firing, "isi_cv_pooled"),
        se_cv,
        se_cv * scale,
    );
    FiringSe {
        rate_mean: sd / lanes.sqrt(),
        isi_mean: se_mean,
        isi_cv: se_cv,
        isi_mean_want: se_mean_want,
        isi_cv_want: se_cv * scale,
        neuron_seconds: lanes * secs,
    }
}

/// Length of the single-neuron run the issue asks for.
const SINGLE_NEURON_MS: f64 = 100_000.0;

/// The criterion: ONE neuron simulated for 100 s matches ANNarchy's firing
/// statistics within 5 SE. Its seed is `seed + LANES`, a stream the population run
/// does not use, so it is an independent sample. For a stationary process the SE
/// of a time-pooled statistic scales as 1/sqrt(observed time), so our SE is the
/// population run's (jackknife) SE × sqrt(population neuron-seconds / 100 s).
/// Only for stationary protocols: the time-varying Poisson models follow a 10 s
/// protocol (events at 1, 4, 7 s), whose 100 s continuation is another statistic.
fn check_single_neuron(rep: &mut Report, file: &str, meta: &Value, pop: &FiringSe) {
    let firing = &meta["firing"];
    let (w0, _) = window(&firing["window_ms"]);
    let mut preset = preset_from_json(meta);
    preset.duration_ms = Some(SINGLE_NEURON_MS);
    preset.seed = Some(preset.seed.expect("seed") + LANES as u32);
    let resolved = preset
        .resolve(file, "", None)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut session = Session::new(&resolved, 1).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut spikes = Vec::new();
    for k in 0..steps_for(resolved.duration_ms, resolved.dt_ms) {
        if session.step() > 0 {
            spikes.push(k);
        }
    }
    let (counts, isis) = firing_sums(&[spikes], resolved.dt_ms, (w0, SINGLE_NEURON_MS));
    let secs = (SINGLE_NEURON_MS - w0) / 1000.0;
    let f = (pop.neuron_seconds / secs).sqrt();
    rep.check(
        "1 neuron x 100 s: rate (Hz)",
        counts[0][0] / secs,
        num(firing, "rate_hz_mean_over_neurons"),
        pop.rate_mean * f,
        num(firing, "rate_hz_sem"),
    );
    rep.check(
        "1 neuron x 100 s: ISI mean (ms)",
        mean_of(&isis[0]),
        num(&firing["isi_ms"], "mean"),
        pop.isi_mean * f,
        pop.isi_mean_want,
    );
    rep.check(
        "1 neuron x 100 s: ISI CV",
        cv_of(&isis[0]),
        num(firing, "isi_cv_pooled"),
        pop.isi_cv * f,
        pop.isi_cv_want,
    );
}

/// Bernoulli event counts per neuron and second: `events_per_lane` happened in
/// `n_steps` trials of probability `prob` on every lane.
fn check_event_rate(
    rep: &mut Report,
    what: &str,
    run: &Run,
    events_per_lane: &[f64],
    prob: f64,
    want_total: f64,
    want_expected_rate: f64,
) {
    let lanes = events_per_lane.len() as f64;
    let secs = run.n_steps as f64 * run.dt / 1000.0;
    let ours = events_per_lane.iter().sum::<f64>() / (lanes * secs);
    let want = want_total / (200.0 * secs);
    let trials = run.n_steps as f64;
    // Binomial SE of a per-neuron-second rate from `n` neurons.
    let se = |n: f64| (n * trials * prob * (1.0 - prob)).sqrt() / (n * secs);
    rep.check(
        &format!("{what} rate per neuron (Hz)"),
        ours,
        want,
        se(lanes),
        se(200.0),
    );
    // Both against the exact expectation (only our sampling error).
    rep.check(
        &format!("{what} rate vs expectation (Hz)"),
        ours,
        want_expected_rate,
        se(lanes),
        0.0,
    );
}

fn check_ampa(rep: &mut Report, run: &Run, meta: &Value) {
    let g = &meta["g_ampa"];
    let params = &meta["parameters"];
    let prob = num(params, "rates_noise") * run.dt / 1000.0;
    check_event_rate(
        rep,
        "AMPA noise jumps",
        run,
        &run.jumps,
        prob,
        num(g, "n_jump_events"),
        num(g, "expected_jump_rate_hz"),
    );
    let scale = (run.g.len() as f64 / 200.0).sqrt();
    let (mean, se) = jackknife(&run.g, |s| mean_of(s));
    rep.check(
        "g_ampa mean (stationary window)",
        mean,
        num(g, "mean"),
        se,
        se * scale,
    );
    rep.check(
        "g_ampa mean vs AR(1) theory",
        mean,
        num(g, "theory_mean"),
        se,
        0.0,
    );
    let (var, se) = jackknife(&run.g, |s| var_of(s));
    rep.check(
        "g_ampa variance (stationary window)",
        var,
        num(g, "var"),
        se,
        se * scale,
    );
    rep.check(
        "g_ampa variance vs AR(1) theory",
        var,
        num(g, "theory_var"),
        se,
        0.0,
    );
}

fn check_base(rep: &mut Report, run: &Run, meta: &Value) {
    let o = &meta["offset_base"];
    let params = &meta["parameters"];
    let prob = num(params, "rate_base_noise") * run.dt / 1000.0;
    check_event_rate(
        rep,
        "offset_base redraws",
        run,
        &run.changes,
        prob,
        num(o, "n_change_events"),
        num(o, "expected_change_rate_hz"),
    );

    // Redrawn values are independent Normal(0, base_noise) draws: the textbook SEs
    // of mean, std, skewness and excess kurtosis of n normal samples.
    let nv = &o["new_values"];
    let mut all = [0.0; 5];
    for x in &run.new_values {
        for (a, v) in all.iter_mut().zip(x) {
            *a += v;
        }
    }
    let (n_ours, n_want) = (all[0], num(nv, "n"));
    let (sd_ours, sd_want) = (std_of(&all), num(nv, "std"));
    rep.check(
        "new offset mean",
        mean_of(&all),
        num(nv, "mean"),
        sd_ours / n_ours.sqrt(),
        sd_want / n_want.sqrt(),
    );
    rep.check(
        "new offset std",
        sd_ours,
        sd_want,
        sd_ours / (2.0 * n_ours).sqrt(),
        sd_want / (2.0 * n_want).sqrt(),
    );
    rep.check(
        "new offset std vs base_noise",
        sd_ours,
        num(&o["expected_new_values"], "std"),
        sd_ours / (2.0 * n_ours).sqrt(),
        0.0,
    );
    rep.check(
        "new offset skewness",
        skew_of(&all),
        num(nv, "skew"),
        (6.0 / n_ours).sqrt(),
        (6.0 / n_want).sqrt(),
    );
    rep.check(
        "new offset excess kurtosis",
        excess_kurtosis_of(&all),
        num(nv, "excess_kurtosis"),
        (24.0 / n_ours).sqrt(),
        (24.0 / n_want).sqrt(),
    );

    // Time averages: offset_base is piecewise constant (held ~1/rate), so use the
    // jackknife over neurons.
    let scale = (run.offset.len() as f64 / 200.0).sqrt();
    let (mean, se) = jackknife(&run.offset, |s| mean_of(s));
    rep.check(
        "offset_base time mean",
        mean,
        num(o, "time_mean"),
        se,
        se * scale,
    );
    let (var, se) = jackknife(&run.offset, |s| var_of(s));
    rep.check(
        "offset_base time variance",
        var,
        num(o, "time_var"),
        se,
        se * scale,
    );
    rep.check(
        "offset_base time variance vs base_noise^2",
        var,
        num(o, "expected_time_var_after_first_change"),
        se,
        0.0,
    );
    // I_base = base_mean + offset_base is a plain assignment: exact, as in ANNarchy.
    let want = num(o, "I_base_minus_base_mean_minus_offset_max_abs");
    rep.require(
        "max |I_base - base_mean - offset_base|",
        run.i_base_identity <= want,
        format!("ours {:e}, ANNarchy {want:e}", run.i_base_identity),
    );
}

fn check_poisson(rep: &mut Report, run: &Run, meta: &Value) {
    let ps = &meta["poisson"];
    let scale = (run.p.len() as f64 / 200.0).sqrt();
    // p is a fresh uniform draw every step (0 in spike rows): i.i.d. samples.
    let (p_mean, se) = jackknife(&run.p, |s| mean_of(s));
    rep.check("p mean", p_mean, num(ps, "p_mean"), se, se * scale);
    rep.check(
        "p mean vs expectation",
        p_mean,
        num(ps, "expected_p_mean"),
        se,
        0.0,
    );
    let trials = run.n_steps as f64 * run.p.len() as f64;
    let zero = run.p_zero.iter().sum::<f64>() / trials;
    let prob = num(ps, "expected_spike_prob_per_step");
    let se_bin = |n: f64| (prob * (1.0 - prob) / n).sqrt();
    rep.check(
        "fraction of p = 0 (spike rows)",
        zero,
        num(ps, "p_fraction_zero"),
        se_bin(trials),
        se_bin(run.n_steps as f64 * 200.0),
    );
    rep.check(
        "fraction of p = 0 vs expectation",
        zero,
        prob,
        se_bin(trials),
        0.0,
    );
    // Fano factor of spike counts in 100 ms bins (pooled over neurons and bins).
    let bin = (100.0 / run.dt).round() as u64;
    let n_bins = run.n_steps / bin;
    let per: Vec<[f64; 3]> = run
        .spikes
        .iter()
        .map(|s| {
            let mut counts = vec![0.0; n_bins as usize];
            for &k in s {
                if let Some(c) = counts.get_mut((k / bin) as usize) {
                    *c += 1.0;
                }
            }
            let mut acc = [0.0; 3];
            for c in counts {
                add_sample(&mut acc, c);
            }
            acc
        })
        .collect();
    let (fano, se) = jackknife(&per, |s| var_of(s) / mean_of(s));
    rep.check(
        "Fano factor (100 ms bins)",
        fano,
        num(ps, "fano_100ms"),
        se,
        se * scale,
    );
    rep.check(
        "Fano factor vs expectation",
        fano,
        num(ps, "expected_fano_discrete"),
        se,
        0.0,
    );
}

/// Time-varying Poisson: the deterministic rate trace, and the PSTH against the
/// expected counts and against ANNarchy's PSTH.
fn check_poisson_tv(rep: &mut Report, run: &Run, meta: &Value) {
    let (key, what) = if meta.get("act_trace_every_1ms").is_some() {
        ("act_trace_every_1ms", "act")
    } else {
        ("rates_trace_every_1ms", "rates")
    };
    // Entry j is the value after the update of step j * (1 ms / dt).
    let trace: Vec<f64> = meta[key]
        .as_array()
        .expect(key)
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    let stride = (1.0 / run.dt).round() as usize;
    let mut worst: f64 = 0.0;
    let mut worst_at = 0;
    for (j, want) in trace.iter().enumerate() {
        let got = run.rate_trace[j * stride];
        // Deterministic: the oracle tolerance of tests/oracle.rs (1e-9 rel + abs).
        let ratio = (got - want).abs() / (1e-9 + 1e-9 * want.abs());
        if ratio.is_nan() || ratio > worst {
            worst = ratio;
            worst_at = j;
        }
    }
    rep.require(
        &format!("{what} trace every 1 ms (deterministic)"),
        worst <= 1.0,
        format!(
            "worst |error|/(1e-9 + 1e-9|x|) = {worst:.3e} at {worst_at} ms (ANNarchy {}, ours {})",
            trace[worst_at],
            run.rate_trace[worst_at * stride]
        ),
    );

    let psth = &meta["psth"];
    let bin_steps = (num(psth, "bin_ms") / run.dt).round() as u64;
    let as_vec = |k: &str| -> Vec<f64> {
        psth[k]
            .as_array()
            .expect(k)
            .iter()
            .map(|x| x.as_f64().expect("number"))
            .collect()
    };
    let (expected, observed_want) = (as_vec("expected"), as_vec("observed"));
    let mut ours = vec![0.0; expected.len()];
    for s in &run.spikes {
        for &k in s {
            if let Some(c) = ours.get_mut((k / bin_steps) as usize) {
                *c += 1.0;
            }
        }
    }
    // Expected counts are for 200 neurons; scale if we run another number of lanes.
    let f = run.spikes.len() as f64 / 200.0;
    let (mut chi2, mut dof, mut zero_bins) = (0.0, 0.0, 0.0);
    for (o, e) in ours.iter().zip(&expected) {
        if *e > 0.0 {
            chi2 += (o - e * f).powi(2) / (e * f);
            dof += 1.0;
        } else {
            zero_bins += o;
        }
    }
    // chi2 with `dof` degrees of freedom: mean dof, SD sqrt(2 dof).
    rep.check(
        &format!("PSTH chi2 vs expected ({} bins)", dof),
        chi2,
        dof,
        (2.0 * dof).sqrt(),
        0.0,
    );
    rep.require(
        "spikes in bins of zero expected rate",
        zero_bins == 0.0,
        format!(
            "ours {zero_bins}, ANNarchy {}",
            num(psth, "observed_in_zero_expected_bins")
        ),
    );
    // Two-sample test of the PSTHs: Σ (a − f b)² / (a + f² b) ~ chi2(bins) for Poisson counts.
    let (mut chi2_2, mut dof_2) = (0.0, 0.0);
    for (a, b) in ours.iter().zip(&observed_want) {
        let v = a + f * f * b;
        if v > 0.0 {
            chi2_2 += (a - f * b).powi(2) / v;
            dof_2 += 1.0;
        }
    }
    rep.check(
        &format!("PSTH chi2 ours vs ANNarchy ({} bins)", dof_2),
        chi2_2,
        dof_2,
        (2.0 * dof_2).sqrt(),
        0.0,
    );
}

fn run_stochastic(file: &str) {
    let meta = read_json(&oracle_file("stochastic", file));
    let kind = meta["kind"].as_str().expect("kind").to_owned();
    let model = meta["model"].as_str().expect("model").to_owned();
    assert_eq!(
        num(&meta, "n_neurons"),
        200.0,
        "{file}: the SE scaling assumes the oracle's 200 neurons"
    );
    let started = std::time::Instant::now();
    let run = simulate(file, &meta);
    let mut rep = Report::new(&format!(
        "{file} ({model}, kind {kind}, {LANES} lanes x {} ms, {:.1} s)",
        run.n_steps as f64 * run.dt,
        started.elapsed().as_secs_f64()
    ));
    let se = check_firing(&mut rep, &run, &meta["firing"]);
    if kind != "poisson_tv" {
        check_single_neuron(&mut rep, file, &meta, &se);
    }
    match kind.as_str() {
        "ampa" => check_ampa(&mut rep, &run, &meta),
        "base" => check_base(&mut rep, &run, &meta),
        "poisson" => check_poisson(&mut rep, &run, &meta),
        "poisson_tv" => check_poisson_tv(&mut rep, &run, &meta),
        other => panic!("{file}: unknown kind `{other}`: extend tests/stochastic.rs"),
    }
    rep.finish();
}

macro_rules! stochastic_tests {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_stochastic($file);
            }
        )*

        const COVERED: &[&str] = &[$($file),*];
    };
}

stochastic_tests!(
    izhikevich2003_fixed_noisy_ampa => "stoch_Izhikevich2003FixedNoisyAmpa.json",
    izhikevich2003_noisy_ampa => "stoch_Izhikevich2003NoisyAmpa.json",
    izhikevich2003_noisy_ampa_nonlin => "stoch_Izhikevich2003NoisyAmpaNonlin.json",
    izhikevich2003_noisy_ampa_oscillating => "stoch_Izhikevich2003NoisyAmpaOscillating.json",
    izhikevich2003_noisy_base => "stoch_Izhikevich2003NoisyBase.json",
    izhikevich2003_noisy_base_nonlin => "stoch_Izhikevich2003NoisyBaseNonlin.json",
    izhikevich2007_corbit_fsi_noisy_ampa => "stoch_Izhikevich2007CorbitFsiNoisyAmpa.json",
    izhikevich2007_corbit_fsi_noisy_base => "stoch_Izhikevich2007CorbitFsiNoisyBase.json",
    izhikevich2007_fsi_noisy_ampa => "stoch_Izhikevich2007FsiNoisyAmpa.json",
    izhikevich2007_noisy_ampa => "stoch_Izhikevich2007NoisyAmpa.json",
    izhikevich2007_noisy_ampa_oscillating => "stoch_Izhikevich2007NoisyAmpaOscillating.json",
    izhikevich2007_noisy_base => "stoch_Izhikevich2007NoisyBase.json",
    poisson_neuron => "stoch_PoissonNeuron.json",
    poisson_neuron_sin => "stoch_PoissonNeuronSin.json",
    poisson_neuron_up_down => "stoch_PoissonNeuronUpDown.json",
);

/// A new statistics file cannot be skipped silently.
#[test]
fn every_stochastic_json_is_covered() {
    let on_disk = json_files("stochastic", "stoch_");
    let mut covered: Vec<String> = COVERED.iter().map(|s| (*s).to_owned()).collect();
    covered.sort();
    assert_eq!(on_disk, covered, "stochastic oracle files and tests differ");
}
