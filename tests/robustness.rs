//! Mangled input never panics: thousands of random edits of a valid preset and of a
//! valid model file must each parse to a value or to an error message.

use neuron_explorer::io::preset::Preset;
use neuron_explorer::model::builtin::BUILTIN_SOURCES;
use neuron_explorer::model::load_model;
use neuron_explorer::sim::rng::Mt19937;
use neuron_explorer::sim::{Engine, Integrator};

const PRESET: &str = r#"(
    model: "Izhikevich2007CorbitFsiNoisyAmpa",
    parameters: { "C": 1.0, "k": 0.065839636773661, "nonlin": 2.05780715954647 },
    initial: { "v": -70.04, "u": 0.0 },
    dt_ms: 0.1, duration_ms: 400.0, integrator: "euler", seed: 2024,
    events: [(t_ms: 50.0, set: { "I_app": 5.0 }), (t_ms: 100.0, add: { "g_ampa": 0.3 })],
    stimuli: [(target: "I_app", waveform: Pulses(start_ms: 1.0, width_ms: 2.0, period_ms: 5.0, amplitude: 1.0, count: Some(3)))],
)"#;

/// Deletes, duplicates, replaces or inserts a few random bytes.
fn mangle(src: &[u8], rng: &mut Mt19937) -> Vec<u8> {
    let mut b = src.to_vec();
    let edits = 1 + rng.next_u32() % 4;
    for _ in 0..edits {
        if b.is_empty() {
            break;
        }
        let i = rng.next_u32() as usize % b.len();
        let pick = |rng: &mut Mt19937| {
            let alphabet = b"()[]{}:,.\"=+-*/<>#|0123456789eE_ \nabcvdt\xff";
            alphabet[rng.next_u32() as usize % alphabet.len()]
        };
        match rng.next_u32() % 4 {
            0 => {
                b.remove(i);
            }
            1 => {
                let c = b[i];
                b.insert(i, c);
            }
            2 => b[i] = pick(rng),
            _ => {
                let c = pick(rng);
                b.insert(i, c);
            }
        }
    }
    b
}

#[test]
fn mangled_presets_never_panic() {
    let mut rng = Mt19937::new(11);
    let mut errors = 0;
    for _ in 0..3000 {
        let bytes = mangle(PRESET.as_bytes(), &mut rng);
        match Preset::parse("fuzz.ron", &bytes) {
            Ok(p) => {
                let text = String::from_utf8_lossy(&bytes);
                if let Err(e) = p.resolve("fuzz.ron", &text, None) {
                    assert!(e.to_string().starts_with("fuzz.ron"), "{e}");
                    errors += 1;
                }
            }
            Err(e) => {
                assert!(e.to_string().starts_with("fuzz.ron"), "{e}");
                errors += 1;
            }
        }
    }
    assert!(
        errors > 1000,
        "the mangling should break most presets, broke {errors}"
    );
}

#[test]
fn mangled_model_files_never_panic_and_survive_a_few_steps() {
    let mut rng = Mt19937::new(12);
    let mut compiled = 0;
    for round in 0..2000 {
        let (_, src) = BUILTIN_SOURCES[round % BUILTIN_SOURCES.len()];
        let bytes = mangle(src.as_bytes(), &mut rng);
        let text = String::from_utf8_lossy(&bytes);
        match load_model("fuzz.neuron", &text) {
            Ok(m) => {
                compiled += 1;
                // Whatever compiled must step without panicking (NaN is allowed).
                let mut e = Engine::new(m, 2, 0.1, Integrator::Rk4, 1).unwrap();
                for _ in 0..20 {
                    e.step();
                }
                e.set_integrator(Integrator::Exponential);
                e.step();
            }
            Err(e) => assert!(e.to_string().starts_with("fuzz.neuron:"), "{e}"),
        }
    }
    assert!(
        compiled > 100,
        "mangling comments and numbers often still compiles, got {compiled}"
    );
}
