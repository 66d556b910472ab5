//! The parsing half of neuron-explorer (model files, presets, the engine that runs
//! what compiles), compiled from the main crate's sources without the GUI, so the
//! fuzz build does not compile eframe and wgpu under the sanitizer.

#![allow(dead_code, unused_imports, clippy::all)]

#[path = "../../src/io/mod.rs"]
pub mod io;
#[path = "../../src/model/mod.rs"]
pub mod model;
#[path = "sim_shim.rs"]
pub mod sim;
