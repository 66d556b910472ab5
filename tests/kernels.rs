//! The generated kernels (`src/model/kernels.rs`): current with the built-in
//! models, used by every built-in tape they cover, and bit-identical to the
//! interpreter on every lane count.

use neuron_explorer::model::builtin::all_builtins;
use neuron_explorer::model::codegen::kernels_source;
use neuron_explorer::model::tape::Tape;
use neuron_explorer::sim::rng::Mt19937;

const KERNELS_RS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/model/kernels.rs");

#[test]
fn generated_kernels_are_current() {
    let models = all_builtins().expect("built-in models compile");
    let refs: Vec<_> = models.iter().map(|m| m.as_ref()).collect();
    let want = kernels_source(&refs);
    let have = std::fs::read_to_string(KERNELS_RS).unwrap_or_default();
    if have != want {
        if std::env::var_os("NEURON_EXPLORER_BLESS").is_some() {
            std::fs::write(KERNELS_RS, &want).expect("write kernels.rs");
            return;
        }
        panic!(
            "src/model/kernels.rs is out of date with the built-in models; regenerate with \
             NEURON_EXPLORER_BLESS=1 cargo test --release --test kernels"
        );
    }
}

#[test]
fn every_builtin_step_tape_has_a_kernel() {
    for m in all_builtins().expect("built-in models compile") {
        for (kind, tape) in [
            ("euler", &m.euler),
            ("exponential", &m.exponential),
            ("stage", &m.stage),
        ] {
            if !tape.is_empty() {
                assert!(
                    tape.kernel_name().is_some(),
                    "{} {kind} runs interpreted",
                    m.id()
                );
            }
        }
    }
}

/// Random values over the ranges the models see, plus exact zeros and ones so that
/// comparisons, masks and selects take both branches.
fn random_slots(rng: &mut Mt19937, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| match (rng.canonical() * 6.0) as u32 {
            0 => 0.0,
            1 => 1.0,
            2 => rng.canonical(),
            3 => rng.canonical() * 200.0 - 100.0,
            _ => rng.standard_normal() * 10.0,
        })
        .collect()
}

fn check(name: &str, tape: &Tape, n_slots: usize) {
    let mut rng = Mt19937::new(7);
    for lanes in [1, 3, 8, 13, 64] {
        for round in 0..20 {
            let start = random_slots(&mut rng, n_slots * lanes);
            let (mut compiled, mut interpreted) = (start.clone(), start);
            tape.run(&mut compiled, lanes, 0.05);
            tape.run_interpreted(&mut interpreted, lanes, 0.05);
            // Temporaries are statement-local: kernels keep them in registers.
            let named = tape.temp_base() as usize * lanes;
            for (i, (a, b)) in compiled[..named].iter().zip(&interpreted).enumerate() {
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{name}: lanes {lanes} round {round} slot {} lane {}: kernel {a:e} vs interpreter {b:e}",
                    i / lanes,
                    i % lanes
                );
            }
        }
    }
}

#[test]
fn kernels_match_the_interpreter_bit_for_bit() {
    let mut n = 0;
    for m in all_builtins().expect("built-in models compile") {
        for (kind, tape) in [
            ("euler", &m.euler),
            ("exponential", &m.exponential),
            ("stage", &m.stage),
        ] {
            if tape.kernel_name().is_some() {
                check(&format!("{}/{kind}", m.id()), tape, m.n_slots);
                n += 1;
            }
        }
    }
    assert!(n >= 26, "only {n} tapes ran as kernels");
}

/// Whole runs (events of spikes, resets and noise included) agree bit for bit with
/// the interpreter for every model, integrator and a lane count with a tail.
#[test]
fn engine_runs_match_the_interpreter() {
    use neuron_explorer::sim::{Engine, Integrator};
    let mut spikes = 0;
    for m in all_builtins().expect("built-in models compile") {
        for integrator in [Integrator::Euler, Integrator::Exponential, Integrator::Rk4] {
            let lanes = 11;
            let dt = if m.id().starts_with("HH") { 0.01 } else { 0.1 };
            let new = |interpreted| {
                let mut e = Engine::new(m.clone(), lanes, dt, integrator, 2024).expect("engine");
                e.set_interpreted(interpreted);
                if let Some(i) = m.param_index("I_app") {
                    for lane in 0..lanes {
                        // Drive from below rheobase to fast spiking across lanes.
                        e.set_param(
                            i,
                            lane,
                            lane as f64 * if m.id().starts_with("HH") { 2.0 } else { 20.0 },
                        );
                    }
                }
                e
            };
            let (mut fast, mut slow) = (new(false), new(true));
            for step in 0..3000 {
                let n = fast.step();
                assert_eq!(n, slow.step(), "{} {integrator:?} step {step}", m.id());
                spikes += n;
            }
            for lane in 0..lanes {
                for v in 0..m.vars.len() {
                    let (a, b) = (fast.var(v, lane), slow.var(v, lane));
                    assert!(
                        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                        "{} {integrator:?} {} lane {lane}: {a} vs {b}",
                        m.id(),
                        m.vars[v].name
                    );
                }
            }
        }
    }
    // The runs must have gone through spikes and resets to test those paths.
    assert!(spikes > 10_000, "only {spikes} spikes");
}
