//! Cost of a preset's events: parse, resolve, set up and run an Izhikevich2007
//! protocol of 2000 ms (20,000 steps) with 0, 10k, 50k and 200k events, next to the
//! same run without events, in one process (ratios, on a shared machine).
//!
//! `cargo bench --bench events` prints per event count the time to parse + resolve,
//! to set up the session, to run, and the whole relative to the event-free run.

use std::time::Instant;

use neuron_explorer::io::preset::Preset;
use neuron_explorer::sim::session::Session;

fn preset_text(n_events: usize) -> String {
    let mut text = String::from("(model: \"Izhikevich2007\", duration_ms: 2000.0, events: [");
    for k in 0..n_events {
        // Out of order, many on the same step, as a generator might write them.
        let t = ((k * 7919) % 20_000) as f64 * 0.1;
        text.push_str(&format!("(t_ms: {t}, add: {{\"I_app\": 0.001}}),"));
    }
    text.push_str("])");
    text
}

/// (parse + resolve, set-up, run) in seconds, median of `reps`.
fn measure(text: &str, reps: usize) -> (f64, f64, f64) {
    let mut samples: Vec<(f64, f64, f64)> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            let p = Preset::parse("bench.ron", text.as_bytes()).expect("valid preset");
            let r = p.into_run("bench.ron", text, None).expect("resolves");
            let t1 = Instant::now();
            let mut s = Session::new(&r, 1).expect("session");
            let t2 = Instant::now();
            for _ in 0..20_000 {
                s.step();
            }
            let t3 = Instant::now();
            std::hint::black_box(s.engine.var(0, 0));
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
    let counts: &[usize] = if smoke {
        &[0, 1_000]
    } else {
        &[0, 10_000, 50_000, 200_000]
    };
    let reps = if smoke { 1 } else { 5 };
    let (p0, s0, r0) = measure(&preset_text(0), reps);
    let base = p0 + s0 + r0;
    println!("events | parse+resolve ms | set-up ms | run ms | total / no events");
    for &n in counts {
        let (p, s, r) = measure(&preset_text(n), reps);
        println!(
            "{n:>7} | {:>8.1} | {:>7.2} | {:>7.2} | {:.2}x",
            p * 1e3,
            s * 1e3,
            r * 1e3,
            (p + s + r) / base
        );
    }
}
