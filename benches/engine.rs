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

use native::{engine_run, native_avx2, native_corbit, native_izhikevich};

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
    println!("ns per neuron-step; ratio = engine / the faster native build");
    println!(
        "{:<16} {:>5} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7}",
        "model", "lanes", "native", "nat-avx2", "engine", "interp", "ratio", "interp"
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
        // Interleave all four so drift in machine load hits them alike.
        let mut t: [Vec<f64>; 4] = Default::default();
        for _ in 0..3 {
            t[0].push(time_it(reps, n, || {
                native(black_box(lanes), black_box(steps))
            }));
            t[1].push(time_it(reps, n, || {
                native_avx2(id, black_box(lanes), black_box(steps), i_app)
            }));
            t[2].push(time_it(reps, n, || {
                engine_run(id, black_box(lanes), black_box(steps), dt, i_app, false)
            }));
            t[3].push(time_it(reps, n, || {
                engine_run(id, black_box(lanes), black_box(steps), dt, i_app, true)
            }));
        }
        let [tn, ta, te, ti] = t.map(|mut v| {
            v.sort_by(f64::total_cmp);
            v[1]
        });
        let best = tn.min(ta);
        println!(
            "{id:<16} {lanes:>5} {tn:>8.2} {ta:>8.2} {te:>8.2} {ti:>8.2} {:>6.2}x {:>6.2}x",
            te / best,
            ti / best
        );
    }
}
