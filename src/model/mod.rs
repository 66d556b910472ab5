//! Model descriptions: parsing `.neuron` files, compiling them to tapes, and the
//! registry of built-in models.

pub mod ast;
pub mod builtin;
pub mod codegen;
pub mod compile;
pub mod error;
pub mod file;
pub mod fold;
pub mod kernel;
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
mod kernels;
pub mod lexer;
pub mod limits;
pub mod op_table;
pub mod parser;
pub mod pretty;
pub mod roles;
pub mod tape;

pub use compile::{CompiledModel, RandomKind, VarInfo, VarKind, compile};
pub use error::{ModelError, Span};
pub use file::{ModelDesc, ParamDesc, parse_model_file};

use std::sync::Arc;

/// Parses and compiles a model file's text.
pub fn load_model(file: &str, source: &str) -> Result<Arc<CompiledModel>, ModelError> {
    let desc = parse_model_file(file, source)?;
    compile(desc).map(Arc::new)
}
