//! neuron-explorer: CompNeuroPy's neuron models, compiled from their equations and
//! stepped with ANNarchy's semantics, live in a GUI or headless from the CLI.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod interop;
pub mod io;
pub mod lesson;
pub mod model;
pub mod sim;
pub mod ui;
