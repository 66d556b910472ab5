//! Any bytes as a `.neuron` model file: parse and compile must return a model or an
//! error naming `fuzz.neuron:line:column`, and whatever compiles must step.
#![no_main]

use fuzz_shim::model::load_model;
use fuzz_shim::sim::{Engine, Integrator};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match load_model("fuzz.neuron", &text) {
        Ok(model) => {
            for integrator in [Integrator::Euler, Integrator::Exponential, Integrator::Rk4] {
                if let Ok(mut engine) = Engine::new(model.clone(), 2, 0.1, integrator, 1) {
                    for _ in 0..5 {
                        engine.step();
                    }
                }
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.neuron:"), "{e}"),
    }
});
