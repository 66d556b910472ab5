//! Simulation: the population engine, integrators and random numbers.

pub mod engine;
pub mod integrator;
pub mod rng;
pub mod session;
pub mod worker;

pub use engine::{Engine, EngineError};
pub use integrator::Integrator;
