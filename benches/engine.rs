//! Engine speed against hand-written native Rust loops of the same models, measured
//! side by side in one run and reported as ratios (this machine is shared and noisy,
//! so absolute times mean little; ratios of interleaved runs do).
//!
//! `cargo bench --bench engine` prints, per model and lane count, ns per neuron-step
//! of the native loop and of the engine, and engine / native.

use std::hint::black_box;
use std::time::Instant;

#[path = "common/native.rs"]
mod native;

use native::{engine_run, native_corbit, native_izhikevich};

/// Median ns per neuron-step over `reps` runs of `f`.
fn time_it(reps: usize, neuron_steps: usize, mut f: impl FnMut() -> f64) -> f64 {
    let mut samples: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e9 / neuron_steps as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[reps / 2]
}

fn main() {
    // `cargo test --benches` passes `--bench`-less args; run a tiny smoke version then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let reps = if quick { 1 } else { 15 };
    println!(
        "{:<28} {:>6} {:>14} {:>14} {:>8}",
        "model", "lanes", "native ns/ns", "engine ns/ns", "ratio"
    );
    let cases: [(&str, usize, usize, f64, f64); 4] = [
        ("Izhikevich2007", 1, 200_000, 0.1, 70.0),
        ("Izhikevich2007", 64, 5_000, 0.1, 70.0),
        ("HHneuronCorbit", 1, 100_000, 0.01, 5.0),
        ("HHneuronCorbit", 64, 2_000, 0.01, 5.0),
    ];
    for (id, lanes, steps, dt, i_app) in cases {
        let steps = if quick { steps / 100 } else { steps };
        let n = lanes * steps;
        let native = |l, s| {
            if id == "Izhikevich2007" {
                native_izhikevich(l, s, i_app)
            } else {
                native_corbit(l, s, i_app)
            }
        };
        // Interleave native and engine so drift in machine load hits both alike.
        let (mut tn, mut te) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            tn.push(time_it(reps, n, || {
                native(black_box(lanes), black_box(steps))
            }));
            te.push(time_it(reps, n, || {
                engine_run(id, black_box(lanes), black_box(steps), dt, i_app)
            }));
        }
        tn.sort_by(f64::total_cmp);
        te.sort_by(f64::total_cmp);
        let (tn, te) = (tn[1], te[1]);
        println!(
            "{id:<28} {lanes:>6} {tn:>14.2} {te:>14.2} {:>7.2}x",
            te / tn
        );
    }
}
