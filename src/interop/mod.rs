//! Meeting the Python ecosystem: reading ANNarchy/CompNeuroPy neuron definitions
//! from Python source (without running Python), writing any model back out as an
//! ANNarchy script, and the CompNeuroPy constructor snippet.
//!
//! * [`pylex`]: a Python tokenizer (all string-literal forms, f-strings).
//! * [`pyeval`]: evaluates the expressions a definition's strings are made of.
//! * [`pysource`]: finds `Neuron(...)` calls and CompNeuroPy-style classes and
//!   evaluates their string arguments.
//! * [`import`]: turns one definition into a `.neuron` model description.
//! * [`annarchy`]: the `Neuron(...)` definition and a one-neuron ANNarchy script
//!   reproducing a preset.
//! * [`snippet`]: the CompNeuroPy constructor call of a preset.

pub mod annarchy;
pub mod import;
pub mod pyeval;
pub mod pylex;
pub mod pysource;
pub mod snippet;

pub use import::{ImportReport, ImportedModel, import_python};

/// A problem in a Python file, at a line of that file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct InteropError {
    pub file: String,
    /// 1-based line of the Python file (0 when no line applies).
    pub line: usize,
    pub message: String,
}

impl InteropError {
    pub fn at(file: &str, line: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so
/// a failed write never leaves a half-written file. Errors name the path.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let named = |e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
    };
    std::fs::write(&tmp, bytes).map_err(named)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        named(e)
    })
}
