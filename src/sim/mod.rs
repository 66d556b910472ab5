//! Simulation: the run description, the population engine, integrators, random
//! numbers, stimulus waveforms and the live worker. Nothing here reads or writes
//! files (`io` does, and imports this module, never the reverse).

pub mod changes;
pub mod engine;
pub mod integrator;
pub mod rng;
pub mod run;
pub mod session;
pub mod stimulus;
pub mod waveform_fields;
pub mod worker;

pub use engine::{Engine, EngineError};
pub use integrator::Integrator;
