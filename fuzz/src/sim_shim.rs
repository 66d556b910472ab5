//! `crate::sim` without the GUI's worker thread.

#[path = "../../src/sim/changes.rs"]
pub mod changes;
#[path = "../../src/sim/engine.rs"]
pub mod engine;
#[path = "../../src/sim/integrator.rs"]
pub mod integrator;
#[path = "../../src/sim/rng.rs"]
pub mod rng;
#[path = "../../src/sim/run.rs"]
pub mod run;
#[path = "../../src/sim/session.rs"]
pub mod session;
#[path = "../../src/sim/stimulus.rs"]
pub mod stimulus;
#[path = "../../src/sim/waveform_fields.rs"]
pub mod waveform_fields;

pub use engine::{Engine, EngineError};
pub use integrator::Integrator;
