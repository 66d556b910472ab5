//! Cost of a preset's events, against the cost of its simulation, in one process
//! (ratios: these machines are shared).
//!
//! 1. The whole `neuron-explorer run` (read, parse, check, set up, step, write the
//!    CSV and the sidecar) of a 20 s Izhikevich2007 protocol (200k steps) whose
//!    drive rises in 200k scattered events, against the same rise in 200 events:
//!    the same simulation and CSV, 1000× fewer events.
//! 2. Per event count, parse + resolve, set-up and the sidecar text, in µs per
//!    event: linear costs keep these flat from 10k to 1M events.
//!
//! `cargo bench --profile release --bench events` (the `bench` profile rebuilds
//! every dependency with debug info).

use std::path::Path;
use std::time::Instant;

use neuron_explorer::cli::run::run_cmd;
use neuron_explorer::cli::{PresetArgs, RunArgs};
use neuron_explorer::io::csv::sidecar;
use neuron_explorer::io::preset::Preset;
use neuron_explorer::sim::session::Session;

/// `n_events` events over `n_events` steps (dt 0.1 ms), out of time order as a
/// generator might write them, adding up to a 200 pA rise; `every` > 1 merges
/// them into fewer, larger steps of the same rise.
fn preset_text(n_events: usize, every: usize) -> String {
    let duration_ms = n_events as f64 * 0.1;
    let mut text = format!("(model: \"Izhikevich2007\", duration_ms: {duration_ms}, events: [\n");
    let n = n_events / every;
    let add = 200.0 / n as f64;
    for k in 0..n {
        let slot = (k * 7919) % n;
        let t = (slot * every) as f64 * 0.1;
        text.push_str(&format!("(t_ms: {t}, add: {{\"I_app\": {add}}}),\n"));
    }
    text.push_str("])\n");
    text
}

fn run_args(preset: &Path, out: &Path) -> RunArgs {
    RunArgs {
        run: PresetArgs::new(preset, out),
        duration_ms: None,
        record: Vec::new(),
    }
}

/// Median wall time of `run` on `text`, in seconds.
fn time_run(dir: &Path, name: &str, text: &str, reps: usize) -> f64 {
    let preset = dir.join(format!("{name}.ron"));
    let out = dir.join(format!("{name}.csv"));
    std::fs::write(&preset, text).expect("write the preset");
    let args = run_args(&preset, &out);
    let mut samples: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            run_cmd(&args).expect("runs");
            t0.elapsed().as_secs_f64()
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[reps / 2]
}

/// (parse + resolve, set-up, sidecar text) in seconds, median of `reps`.
fn phases(text: &str, reps: usize) -> (f64, f64, f64) {
    let mut samples: Vec<(f64, f64, f64)> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            let p = Preset::parse("bench.ron", text.as_bytes()).expect("valid preset");
            let r = p.into_run("bench.ron", text, None).expect("resolves");
            let t1 = Instant::now();
            let s = Session::new(&r, 1).expect("session");
            let t2 = Instant::now();
            let vars: Vec<usize> = (0..r.model.vars.len()).collect();
            let side = sidecar(&r, &vars, None).to_json().expect("sidecar");
            let t3 = Instant::now();
            std::hint::black_box((s.engine.var(0, 0), side.len()));
            (
                (t1 - t0).as_secs_f64(),
                (t2 - t1).as_secs_f64(),
                (t3 - t2).as_secs_f64(),
            )
        })
        .collect();
    samples.sort_by(|a, b| (a.0 + a.1 + a.2).total_cmp(&(b.0 + b.1 + b.2)));
    samples[reps / 2]
}

fn main() {
    // `cargo test --benches` runs benches as smoke tests: keep that short.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let dir = tempfile::tempdir().expect("temporary folder");
    let (n, reps) = if smoke { (2_000, 1) } else { (200_000, 5) };

    let few = time_run(dir.path(), "few", &preset_text(n, 1000), reps);
    let many = time_run(dir.path(), "many", &preset_text(n, 1), reps);
    println!(
        "`run`, {} s simulated ({n} steps): {} events {:.0} ms, {n} events {:.0} ms: {:.2}x",
        n as f64 * 1e-4,
        n / 1000,
        few * 1e3,
        many * 1e3,
        many / few
    );

    let counts: &[usize] = if smoke {
        &[1_000]
    } else {
        &[10_000, 50_000, 200_000, 1_000_000]
    };
    println!("events | parse+resolve µs/event | set-up µs/event | sidecar µs/event");
    for &n in counts {
        let (p, s, w) = phases(&preset_text(n, 1), reps.min(3));
        let per = |x: f64| x * 1e6 / n as f64;
        println!(
            "{n:>9} | {:>8.3} | {:>8.3} | {:>8.3}",
            per(p),
            per(s),
            per(w)
        );
    }
}
