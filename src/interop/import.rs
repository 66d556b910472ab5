//! Turns ANNarchy neuron definitions found in Python source into `.neuron` model
//! descriptions (docs/model-format.md). The `.neuron` format is ANNarchy notation
//! plus metadata, so the equations, spike, reset and functions are re-emitted as
//! written; only parameters gain metadata:
//!
//! * unit and description from the `# comment` after a parameter, as CompNeuroPy
//!   writes them (`C = 100 # pF`): the comment up to its first `,`, `;` or `-->` is
//!   the unit, the rest the description; a comment of more than three words before
//!   that is all description. A comment-only line continues the description above.
//! * slider ranges from the format's default rule ([`crate::model::file::default_range`]):
//!   0 → −1 .. 1, a positive default x → 0 .. 2x, a negative one → 2x .. 0.
//!
//! Every line of the generated text remembers the Python line it came from, so
//! errors of the model parser and compiler name the line of the Python file.

use std::sync::Arc;

use super::InteropError;
use super::pylex::PyStr;
use super::pysource::{NeuronDef, find_definitions};
use crate::model::{CompiledModel, ModelError, compile, parse_model_file};

/// One successfully imported model.
#[derive(Clone, Debug)]
pub struct ImportedModel {
    pub id: String,
    /// Line of the definition in the Python file.
    pub line: usize,
    /// The model as `.neuron` text, ready to save.
    pub neuron_text: String,
    pub model: Arc<CompiledModel>,
}

/// What an import found: the models read, and one error per definition that
/// could not be read.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub models: Vec<ImportedModel>,
    pub errors: Vec<InteropError>,
}

/// Largest Python file read for import (CompNeuroPy's whole model module is ~100 kB).
pub const MAX_PYTHON_BYTES: usize = 8 << 20;

/// Imports every neuron definition of a Python file. `file` names it in errors.
pub fn import_python(file: &str, source: &str) -> ImportReport {
    let mut report = ImportReport::default();
    for def in find_definitions(file, source) {
        match def.and_then(|d| convert(file, &d)) {
            Ok(m) => report.models.push(m),
            Err(e) => report.errors.push(e),
        }
    }
    if report.models.is_empty() && report.errors.is_empty() {
        report.errors.push(InteropError::at(
            file,
            0,
            "no `Neuron(...)` definition and no class calling `super().__init__(parameters=..., equations=...)` found",
        ));
    }
    report
}

/// `.neuron` text with the Python line of each of its lines.
#[derive(Default)]
struct Writer {
    text: String,
    py_lines: Vec<usize>,
}

impl Writer {
    fn line(&mut self, text: &str, py_line: usize) {
        self.text.push_str(text);
        self.text.push('\n');
        self.py_lines.push(py_line);
    }

    /// Every line of a string argument, as written, with its source line.
    fn verbatim(&mut self, s: &PyStr) {
        let mut offset = 0;
        for piece in s.text.split('\n') {
            if !piece.trim().is_empty() {
                self.line(piece.trim_end(), s.line_at(offset + leading_ws(piece)));
            }
            offset += piece.len() + 1;
        }
    }
}

fn leading_ws(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// One-line metadata text: whitespace collapsed, no comment or continuation marks.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .replace('#', "")
        .trim_end_matches(':')
        .trim()
        .to_owned()
}

fn convert(file: &str, def: &NeuronDef) -> Result<ImportedModel, InteropError> {
    for unsupported in ["axon_spike", "axon_reset", "refractory"] {
        if def.args.contains_key(unsupported) {
            return Err(InteropError::at(
                file,
                def.line,
                format!(
                    "{}: `{unsupported}=` is not supported by neuron-explorer's model format; remove it to import the rest",
                    def.id
                ),
            ));
        }
    }
    let Some(equations) = def.args.get("equations") else {
        return Err(InteropError::at(
            file,
            def.line,
            format!("{}: no `equations=` string", def.id),
        ));
    };
    let short = std::path::Path::new(file)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(file);
    let mut w = Writer::default();
    model_section(&mut w, short, def);
    w.line("[parameters]", def.line);
    if let Some(p) = def.args.get("parameters") {
        parameter_lines(p, &mut w);
    }
    for (section, key) in [
        ("equations", "equations"),
        ("spike", "spike"),
        ("reset", "reset"),
        ("functions", "functions"),
    ] {
        let Some(s) = def.args.get(key) else { continue };
        w.line("", def.line);
        w.line(&format!("[{section}]"), s.line_at(0));
        w.verbatim(if key == "equations" { equations } else { s });
    }
    let neuron_file = format!("{short} ({})", def.id);
    let to_py = |e: ModelError| {
        let line = w
            .py_lines
            .get(e.span.line.saturating_sub(1))
            .copied()
            .unwrap_or(def.line);
        InteropError::at(file, line, format!("{}: {}", def.id, e.message))
    };
    let desc = parse_model_file(&neuron_file, &w.text).map_err(to_py)?;
    let model = compile(desc).map_err(to_py)?;
    Ok(ImportedModel {
        id: def.id.clone(),
        line: def.line,
        neuron_text: w.text.clone(),
        model: Arc::new(model),
    })
}

/// The `[model]` section: id, name and description from `name=`, `description=`
/// or the class docstring.
fn model_section(w: &mut Writer, short: &str, def: &NeuronDef) {
    let name = def
        .args
        .get("name")
        .map(|n| one_line(&n.text))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| def.id.clone());
    let description = def
        .args
        .get("description")
        .or(def.docstring.as_ref())
        .map(|d| one_line(&d.text))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| format!("ANNarchy neuron `{}` imported from {short}.", def.id));
    w.line(
        &format!(
            "# Imported by neuron-explorer from {short}, line {} (`{}`).",
            def.line, def.id
        ),
        def.line,
    );
    w.line("[model]", def.line);
    w.line(&format!("id          = {}", def.id), def.line);
    w.line("family      = Imported", def.line);
    w.line(&format!("name        = {name}"), def.line);
    w.line(
        &format!("citation    = Imported from {short}, line {}.", def.line),
        def.line,
    );
    w.line(&format!("description = {description}"), def.line);
    w.line("", def.line);
}

/// Parameter lines with unit and description from their `# comment`.
fn parameter_lines(p: &PyStr, w: &mut Writer) {
    // (code, unit, description, python line); flushed at the end so that a
    // comment-only line can extend the description above it.
    let mut params: Vec<(String, String, String, usize)> = Vec::new();
    let mut offset = 0;
    for piece in p.text.split('\n') {
        let line = p.line_at(offset + leading_ws(piece));
        offset += piece.len() + 1;
        let (code, comment) = match piece.split_once('#') {
            Some((c, k)) => (c.trim(), k.trim()),
            None => (piece.trim(), ""),
        };
        if code.is_empty() {
            if let Some(last) = params.last_mut().filter(|_| !comment.is_empty()) {
                last.2 = one_line(&format!("{} {comment}", last.2));
            }
            continue;
        }
        let (unit, description) = unit_and_description(comment);
        params.push((code.to_owned(), unit, description, line));
    }
    for (code, unit, description, line) in params {
        let text = match (unit.is_empty(), description.is_empty()) {
            (true, true) => code,
            (false, true) => format!("{code} | {unit}"),
            _ => format!("{code} | {unit} | | {description}"),
        };
        w.line(&text, line);
    }
}

/// The documented comment rule (module doc).
pub fn unit_and_description(comment: &str) -> (String, String) {
    let comment = comment.replace('|', "/");
    let cut = [",", ";", "-->"]
        .iter()
        .filter_map(|s| comment.find(s))
        .min()
        .unwrap_or(comment.len());
    let unit = comment[..cut].trim();
    let rest = comment[cut..].trim_start_matches([',', ';', '-', '>', ' ']);
    if unit.split_whitespace().count() > 3 {
        return (String::new(), one_line(&comment));
    }
    (unit.to_owned(), one_line(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_from_compneuropy_comments() {
        let cases = [
            ("pF", ("pF", "")),
            ("pS * mV**-1", ("pS * mV**-1", "")),
            ("yM --> strange units for k", ("yM", "strange units for k")),
            (
                "yM, from Lee et al. (2000)",
                ("yM", "from Lee et al. (2000)"),
            ),
            (
                "the membrane capacitance of the cell",
                ("", "the membrane capacitance of the cell"),
            ),
        ];
        for (comment, (unit, description)) in cases {
            assert_eq!(
                unit_and_description(comment),
                (unit.to_owned(), description.to_owned()),
                "{comment}"
            );
        }
    }

    #[test]
    fn minimal_neuron_imports() {
        let src = "from ANNarchy import Neuron\nLIF = Neuron(\n    parameters='tau = 10.0 # ms',\n    equations='tau * dv/dt = -v',\n    spike='v > 1', reset='v = 0')\n";
        let report = import_python("m.py", src);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let m = &report.models[0];
        assert_eq!(m.id, "LIF");
        assert_eq!(m.line, 2);
        assert!(
            m.neuron_text.contains("tau = 10.0 | ms"),
            "{}",
            m.neuron_text
        );
    }
}
