//! Errors raised while reading and compiling a model file.

use std::fmt;

/// A position in a model file (1-based line and column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub line: usize,
    pub column: usize,
}

/// A problem in a model file, pointing at the offending place.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub struct ModelError {
    pub file: String,
    pub span: Span,
    pub message: String,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.span.line, self.span.column, self.message
        )
    }
}

impl ModelError {
    pub fn new(file: &str, span: Span, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            span,
            message: message.into(),
        }
    }
}
