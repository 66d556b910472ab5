//! The same comparison as `engine.rs` in a standard harness (divan): absolute time
//! per run of 20 000 steps for each model, lane count and implementation. Ratios are
//! what `cargo bench --bench engine` prints; this gives divan's statistics.

#[path = "common/native.rs"]
mod native;

use divan::Bencher;
use native::{engine_run, native_avx2, native_corbit, native_izhikevich};

fn main() {
    divan::main();
}

const STEPS: usize = 20_000;

#[divan::bench(args = [1, 64])]
fn izhikevich2007_native(b: Bencher, lanes: usize) {
    b.bench(|| native_izhikevich(divan::black_box(lanes), STEPS, 70.0));
}

#[divan::bench(args = [1, 64])]
fn izhikevich2007_native_avx2(b: Bencher, lanes: usize) {
    b.bench(|| native_avx2("Izhikevich2007", divan::black_box(lanes), STEPS, 70.0));
}

#[divan::bench(args = [1, 64])]
fn izhikevich2007_engine(b: Bencher, lanes: usize) {
    b.bench(|| {
        engine_run(
            "Izhikevich2007",
            divan::black_box(lanes),
            STEPS,
            0.1,
            70.0,
            false,
        )
    });
}

#[divan::bench(args = [1, 64], sample_count = 10)]
fn hh_corbit_native(b: Bencher, lanes: usize) {
    b.bench(|| native_corbit(divan::black_box(lanes), STEPS / 10, 5.0));
}

#[divan::bench(args = [1, 64], sample_count = 10)]
fn hh_corbit_native_avx2(b: Bencher, lanes: usize) {
    b.bench(|| native_avx2("HHneuronCorbit", divan::black_box(lanes), STEPS / 10, 5.0));
}

#[divan::bench(args = [1, 64], sample_count = 10)]
fn hh_corbit_engine(b: Bencher, lanes: usize) {
    b.bench(|| {
        engine_run(
            "HHneuronCorbit",
            divan::black_box(lanes),
            STEPS / 10,
            0.01,
            5.0,
            false,
        )
    });
}
