//! Speed of the dynamics analyses (maps and bifurcation diagrams) against the
//! engine's own cost for the same neuron-steps, measured in the same run: the
//! ratio says what the analysis adds on top of stepping the lanes (classification,
//! spike bookkeeping, clamp and Newton for equilibria) and how well it uses both
//! cores. `cargo bench --bench dynamics`.

use std::hint::black_box;
use std::time::Instant;

// Only `engine_run` is used here; the native loops serve `benches/engine.rs`.
#[allow(dead_code)]
#[path = "common/native.rs"]
mod native;

use native::engine_run;
use neuron_explorer::analysis::bifurcation::{BifurcationConfig, bifurcation};
use neuron_explorer::analysis::map::{Axis, MapConfig, map_sweep};
use neuron_explorer::analysis::{Control, all_threads, linspace};
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::sim::run::RunSpec;

fn preset(name: &str, duration_ms: f64) -> RunSpec {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name);
    let mut p = load_resolved(&path, None).expect("shipped preset");
    p.duration_ms = duration_ms;
    p
}

/// Seconds of the engine alone for `neuron_steps` (64-lane engines, one core).
fn engine_cost_s(id: &str, dt_ms: f64, i_app: f64, neuron_steps: f64) -> f64 {
    let steps = (20_000.0 * 0.1 / dt_ms) as usize;
    let t = Instant::now();
    black_box(engine_run(id, 64, steps, dt_ms, i_app, false));
    let ns = t.elapsed().as_secs_f64() * 1e9 / (64 * steps) as f64;
    ns * neuron_steps / 1e9
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn axis(param: &str, from: f64, to: f64, n: usize) -> Axis {
    Axis {
        param: param.into(),
        values: linspace(from, to, n).unwrap(),
    }
}

/// (total s, first pass s) of a map.
fn time_map(p: &RunSpec, cfg: &MapConfig) -> (f64, f64) {
    let t = Instant::now();
    let mut first = None;
    map_sweep(p, cfg, &Control::default(), |_| {
        first.get_or_insert(t.elapsed().as_secs_f64());
    })
    .expect("map");
    (t.elapsed().as_secs_f64(), first.unwrap_or(0.0))
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let reps = if quick { 1 } else { 5 };
    let threads = all_threads();
    println!(
        "{threads} threads; ratio = analysis wall time / engine-only time (1 core) for its neuron-steps"
    );
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>7}",
        "case", "wall ms", "first ms", "engine ms", "ratio"
    );

    let (n_izh, n_hh) = if quick { (16, 8) } else { (64, 32) };
    let izh = preset("izhikevich2007_rs_regular_spiking.ron", 1000.0);
    let cfg = MapConfig {
        x: axis("a", 0.01, 0.1, n_izh),
        y: axis("d", 0.0, 200.0, n_izh),
        threads,
    };
    let runs: Vec<(f64, f64)> = (0..reps).map(|_| time_map(&izh, &cfg)).collect();
    let neuron_steps = (n_izh * n_izh) as f64 * 1000.0 / 0.1;
    let engine = engine_cost_s("Izhikevich2007", 0.1, 70.0, neuron_steps);
    report(
        &format!("map Izhikevich2007 {n_izh}x{n_izh}, 1 s, dt 0.1"),
        &runs,
        engine,
    );

    let hh = preset("hh_corbit_fsi_current_step.ron", 500.0);
    let cfg = MapConfig {
        x: axis("gg_Kv3", 100.0, 400.0, n_hh),
        y: axis("gg_Kv1", 0.0, 1.0, n_hh),
        threads,
    };
    let runs: Vec<(f64, f64)> = (0..reps.min(2)).map(|_| time_map(&hh, &cfg)).collect();
    let neuron_steps = (n_hh * n_hh) as f64 * 500.0 / 0.01;
    let engine = engine_cost_s("HHneuronCorbit", 0.01, 5.0, neuron_steps);
    report(
        &format!("map HHneuronCorbit {n_hh}x{n_hh}, 500 ms, dt 0.01"),
        &runs,
        engine,
    );

    let values = if quick { 20 } else { 200 };
    for (p, id, to, dt, i_app) in [
        (&izh, "Izhikevich2007", 300.0, 0.1, 70.0),
        (&hh, "HHneuronCorbit", 10.0, 0.01, 5.0),
    ] {
        let cfg = BifurcationConfig::new("I_app", linspace(0.0, to, values).unwrap(), threads);
        let runs: Vec<(f64, f64)> = (0..reps.min(3))
            .map(|_| {
                let t = Instant::now();
                bifurcation(p, &cfg, &Control::default()).expect("diagram");
                (t.elapsed().as_secs_f64(), 0.0)
            })
            .collect();
        // The attractor runs are the stepping the engine would do anyway.
        let neuron_steps = values as f64 * cfg.run_ms / dt;
        let engine = engine_cost_s(id, dt, i_app, neuron_steps);
        report(&format!("bifurcation {id}, {values} values"), &runs, engine);
    }
}

fn report(case: &str, runs: &[(f64, f64)], engine_s: f64) {
    let wall = median(runs.iter().map(|r| r.0).collect());
    let first = median(runs.iter().map(|r| r.1).collect());
    println!(
        "{case:<44} {:>9.1} {:>9.1} {:>9.1} {:>6.2}x",
        wall * 1e3,
        first * 1e3,
        engine_s * 1e3,
        wall / engine_s
    );
}
