//! Reads a `.neuron` model file (docs/model-format.md) into a [`ModelDesc`]: the one
//! description from which the compiler, sliders, presets and CSV columns are derived.

use super::ast::Expr;
use super::error::{ModelError, Span};
use super::parser::parse_expr;

/// How a parameter's slider behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    pub log: bool,
}

#[derive(Clone, Debug)]
pub struct ParamDesc {
    pub name: String,
    pub default: f64,
    pub unit: String,
    pub range: Range,
    pub description: String,
    /// `: population` in ANNarchy; accepted, no effect for independent lanes.
    pub population: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum EqKind {
    Assign,
    /// `dx/dt = rhs`, or `factor * dx/dt = rhs` (then dx/dt = rhs / factor).
    Ode {
        factor: Option<Expr>,
    },
}

#[derive(Clone, Debug)]
pub struct EquationDesc {
    pub var: String,
    pub kind: EqKind,
    pub rhs: Expr,
    pub init: Option<Expr>,
    pub unit: String,
    pub description: String,
    /// The equation as written (without flags and metadata), for `describe`.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ResetDesc {
    pub var: String,
    pub rhs: Expr,
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FunctionDesc {
    pub name: String,
    pub args: Vec<String>,
    pub body: Expr,
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct ModelDesc {
    pub file: String,
    pub id: String,
    pub family: String,
    pub name: String,
    pub citation: String,
    pub description: String,
    /// Time step a new run of this model starts with.
    pub dt_ms: f64,
    pub parameters: Vec<ParamDesc>,
    pub equations: Vec<EquationDesc>,
    pub spike: Option<(Expr, String, Span)>,
    pub reset: Vec<ResetDesc>,
    pub functions: Vec<FunctionDesc>,
    /// The `[roles]` section (empty when the file has none: roles are inferred).
    pub roles: super::roles::RolesDesc,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    Model,
    Parameters,
    Equations,
    Spike,
    Reset,
    Functions,
    Roles,
}

/// One logical line: comment stripped, continuation lines joined.
struct Logical {
    text: String,
    line: usize,
    /// 1-based column of `text`'s first character in the file.
    column: usize,
}

fn logical_lines(source: &str) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut pending: Option<Logical> = None;
    for (i, raw) in source.lines().enumerate() {
        let code = raw.split('#').next().unwrap_or("");
        let trimmed = code.trim();
        if trimmed.is_empty() {
            continue;
        }
        let lead = code.len() - code.trim_start().len();
        let column = code[..lead].chars().count() + 1;
        let mut cur = match pending.take() {
            Some(mut p) => {
                p.text.push(' ');
                p.text.push_str(trimmed);
                p
            }
            None => Logical {
                text: trimmed.to_owned(),
                line: i + 1,
                column,
            },
        };
        // A line ending in ':' (inline if/else split over lines) continues below;
        // a line starting with `else` belongs to the one above.
        if trimmed.starts_with("else")
            && let Some(mut joined) = out.pop()
        {
            joined.text.push(' ');
            joined.text.push_str(&cur.text);
            cur = joined;
        }
        let meta_free = cur.text.split('|').next().unwrap_or("").trim_end();
        if meta_free.ends_with(':') && !cur.text.starts_with('[') {
            pending = Some(cur);
        } else {
            out.push(cur);
        }
    }
    out.extend(pending);
    out
}

/// Splits `text` at the first `|` into code and metadata fields.
fn split_meta(text: &str) -> (&str, Vec<&str>) {
    let mut parts = text.split('|');
    let code = parts.next().unwrap_or("");
    (code, parts.map(str::trim).collect())
}

/// Finds the `=` that separates left from right side (not part of `==`, `<=`, ...).
fn assignment_eq(code: &str) -> Option<usize> {
    let b = code.as_bytes();
    (0..b.len()).find(|&i| {
        b[i] == b'='
            && b.get(i + 1) != Some(&b'=')
            && (i == 0 || !matches!(b[i - 1], b'=' | b'<' | b'>' | b'!'))
    })
}

/// Peels ANNarchy flags (`: init=..., population`) off the end of a right-hand side.
/// Only a final `:` group made solely of known flags counts, so the colons of an
/// inline `if c: a else: b` stay part of the expression.
fn split_flags(rhs: &str) -> (&str, Vec<(String, Option<String>)>) {
    let Some(pos) = rhs.rfind(':') else {
        return (rhs, Vec::new());
    };
    let tail = &rhs[pos + 1..];
    let mut flags = Vec::new();
    for item in tail.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (key, value) = match item.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim().to_owned())),
            None => (item, None),
        };
        let known = matches!(
            key,
            "init"
                | "population"
                | "min"
                | "max"
                | "explicit"
                | "implicit"
                | "exponential"
                | "midpoint"
                | "rk4"
        );
        if !known {
            return (rhs, Vec::new());
        }
        flags.push((key.to_owned(), value));
    }
    (&rhs[..pos], flags)
}

fn column_of(text: &str, part: &str, base: usize) -> usize {
    // `part` is a sub-slice of `text`; its char offset gives the column.
    let offset = part.as_ptr() as usize - text.as_ptr() as usize;
    base + text[..offset].chars().count()
}

struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn err(&self, line: usize, column: usize, msg: impl Into<String>) -> ModelError {
        ModelError::new(self.file, Span { line, column }, msg)
    }

    fn expr(&self, l: &Logical, part: &str) -> Result<Expr, ModelError> {
        let trimmed = part.trim_start();
        let col = column_of(&l.text, trimmed, l.column);
        parse_expr(trimmed.trim_end(), l.line, col)
            .map_err(|(span, msg)| ModelError::new(self.file, span, msg))
    }

    fn constant(&self, l: &Logical, part: &str, what: &str) -> Result<f64, ModelError> {
        let e = self.expr(l, part)?;
        super::fold::constant_value(&e).ok_or_else(|| {
            self.err(
                l.line,
                column_of(&l.text, part.trim_start(), l.column),
                format!("{what} must be a number"),
            )
        })
    }
}

/// Parses a model file. `file` names it in error messages.
pub fn parse_model_file(file: &str, source: &str) -> Result<ModelDesc, ModelError> {
    let r = Reader { file };
    let mut desc = ModelDesc {
        file: file.to_owned(),
        dt_ms: 0.1,
        ..ModelDesc::default()
    };
    check_size(&r, source)?;
    let mut section = Section::None;
    for l in logical_lines(source) {
        if l.text.starts_with('[') {
            section = match l.text.as_str() {
                "[model]" => Section::Model,
                "[parameters]" => Section::Parameters,
                "[equations]" => Section::Equations,
                "[spike]" => Section::Spike,
                "[reset]" => Section::Reset,
                "[functions]" => Section::Functions,
                "[roles]" => Section::Roles,
                other => {
                    return Err(r.err(
                        l.line,
                        l.column,
                        format!("unknown section {other}; expected [model], [parameters], [equations], [spike], [reset], [functions] or [roles]"),
                    ));
                }
            };
            continue;
        }
        match section {
            Section::None => {
                return Err(r.err(l.line, l.column, "text before the first [section]"));
            }
            Section::Model => model_line(&r, &l, &mut desc)?,
            Section::Parameters => desc.parameters.push(parameter_line(&r, &l)?),
            Section::Equations => desc.equations.push(equation_line(&r, &l)?),
            Section::Spike => {
                if desc.spike.is_some() {
                    return Err(r.err(l.line, l.column, "[spike] takes a single condition"));
                }
                let (code, _) = split_meta(&l.text);
                let e = r.expr(&l, code)?;
                desc.spike = Some((
                    e,
                    code.trim().to_owned(),
                    Span {
                        line: l.line,
                        column: l.column,
                    },
                ));
            }
            Section::Reset => desc.reset.push(reset_line(&r, &l)?),
            Section::Functions => desc.functions.push(function_line(&r, &l)?),
            Section::Roles => {
                super::roles::roles_line(file, &l.text, l.line, l.column, &mut desc.roles)?;
            }
        }
    }
    if desc.id.is_empty() {
        desc.id = std::path::Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("custom")
            .to_owned();
    }
    Ok(desc)
}

/// Refuses files beyond the size limits before any parsing work (`model::limits`).
fn check_size(r: &Reader, source: &str) -> Result<(), ModelError> {
    use super::limits::{MAX_MODEL_BYTES, MAX_MODEL_LINES};
    if source.len() > MAX_MODEL_BYTES {
        return Err(r.err(
            1,
            1,
            format!(
                "the file has {} bytes; model files are limited to {MAX_MODEL_BYTES} bytes",
                source.len()
            ),
        ));
    }
    let mut code_lines = source
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.split('#').next().unwrap_or("").trim().is_empty());
    if let Some((i, _)) = code_lines.nth(MAX_MODEL_LINES) {
        return Err(r.err(
            i + 1,
            1,
            format!("more than {MAX_MODEL_LINES} lines of definitions; model files are limited to {MAX_MODEL_LINES}"),
        ));
    }
    Ok(())
}

fn model_line(r: &Reader, l: &Logical, desc: &mut ModelDesc) -> Result<(), ModelError> {
    let Some((key, value)) = l.text.split_once('=') else {
        return Err(r.err(l.line, l.column, "expected `key = value` in [model]"));
    };
    let value = value.trim().to_owned();
    match key.trim() {
        "id" => desc.id = value,
        "family" => desc.family = value,
        "name" => desc.name = value,
        "citation" => desc.citation = value,
        "description" => desc.description = value,
        "dt_ms" => match value.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => desc.dt_ms = v,
            _ => {
                return Err(r.err(
                    l.line,
                    l.column,
                    format!("dt_ms must be a positive number, got `{value}`"),
                ));
            }
        },
        other => {
            return Err(r.err(
                l.line,
                l.column,
                format!("unknown key `{other}` in [model]; expected id, family, name, citation, description or dt_ms"),
            ));
        }
    }
    Ok(())
}

fn parse_range(r: &Reader, l: &Logical, text: &str, default: f64) -> Result<Range, ModelError> {
    let mut words = text.split_whitespace().collect::<Vec<_>>();
    let log = words.last() == Some(&"log");
    if log {
        words.pop();
    }
    let joined = words.join(" ");
    let Some((lo, hi)) = joined.split_once("..") else {
        return Err(r.err(
            l.line,
            l.column,
            format!("range `{text}` must read `min .. max` (optionally `log`)"),
        ));
    };
    let (Ok(min), Ok(max)) = (lo.trim().parse::<f64>(), hi.trim().parse::<f64>()) else {
        return Err(r.err(
            l.line,
            l.column,
            format!("range `{text}` must hold two numbers"),
        ));
    };
    // Written so that NaN bounds fail too.
    if min.partial_cmp(&max) != Some(std::cmp::Ordering::Less) || (log && min <= 0.0) {
        return Err(r.err(
            l.line,
            l.column,
            format!("range `{text}` needs min < max (and min > 0 for log)"),
        ));
    }
    if !(min..=max).contains(&default) {
        return Err(r.err(
            l.line,
            l.column,
            format!("default {default} lies outside the range {min} .. {max}"),
        ));
    }
    Ok(Range { min, max, log })
}

/// A slider range for a parameter whose file gives none.
pub fn default_range(default: f64) -> Range {
    let m = default.abs();
    if m == 0.0 {
        Range {
            min: -1.0,
            max: 1.0,
            log: false,
        }
    } else if default > 0.0 {
        Range {
            min: 0.0,
            max: 2.0 * m,
            log: false,
        }
    } else {
        Range {
            min: 2.0 * default,
            max: 0.0,
            log: false,
        }
    }
}

fn parameter_line(r: &Reader, l: &Logical) -> Result<ParamDesc, ModelError> {
    let (code, meta) = split_meta(&l.text);
    let Some(eq) = assignment_eq(code) else {
        return Err(r.err(l.line, l.column, "expected `name = value` in [parameters]"));
    };
    let name = code[..eq].trim();
    if !is_identifier(name) {
        return Err(r.err(
            l.line,
            l.column,
            format!("`{name}` is not a valid parameter name"),
        ));
    }
    let (value, flags) = split_flags(&code[eq + 1..]);
    let default = r.constant(l, value, &format!("the default of `{name}`"))?;
    let population = flags.iter().any(|(k, _)| k == "population");
    let unit = meta.first().map_or("", |s| s).to_owned();
    let range = match meta.get(1) {
        Some(text) if !text.is_empty() => parse_range(r, l, text, default)?,
        _ => default_range(default),
    };
    let description = meta.get(2).map_or("", |s| s).to_owned();
    Ok(ParamDesc {
        name: name.to_owned(),
        default,
        unit,
        range,
        description,
        population,
        span: Span {
            line: l.line,
            column: l.column,
        },
    })
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn equation_line(r: &Reader, l: &Logical) -> Result<EquationDesc, ModelError> {
    let (code, meta) = split_meta(&l.text);
    let Some(eq) = assignment_eq(code) else {
        return Err(r.err(
            l.line,
            l.column,
            "expected `x = expr`, `dx/dt = expr` or `C * dx/dt = expr`",
        ));
    };
    let lhs = code[..eq].trim();
    let (rhs_text, flags) = split_flags(&code[eq + 1..]);
    let rhs = r.expr(l, rhs_text)?;
    let (var, kind) = if let Some(before) = lhs.strip_suffix("/dt") {
        let before = before.trim_end();
        let (factor, dterm) = match before.rfind('*') {
            Some(star) => (Some(r.expr(l, &before[..star])?), before[star + 1..].trim()),
            None => (None, before),
        };
        let var = dterm.strip_prefix('d').unwrap_or("");
        if !is_identifier(var) {
            return Err(r.err(l.line, l.column, format!("cannot read `{lhs}` as `dx/dt`")));
        }
        (var.to_owned(), EqKind::Ode { factor })
    } else {
        if !is_identifier(lhs) {
            return Err(r.err(l.line, l.column, format!("`{lhs}` is not a variable name")));
        }
        (lhs.to_owned(), EqKind::Assign)
    };
    let mut init = None;
    for (key, value) in flags {
        if key == "init" {
            let Some(v) = value else {
                return Err(r.err(l.line, l.column, "`init` needs a value: `init=-60`"));
            };
            let start = l.text.rfind(&v).unwrap_or(0);
            init = Some(r.expr(l, &l.text[start..start + v.len()])?);
        }
    }
    Ok(EquationDesc {
        var,
        kind,
        rhs,
        init,
        unit: meta.first().map_or("", |s| s).to_owned(),
        description: meta.get(1).map_or("", |s| s).to_owned(),
        text: format!("{lhs} = {}", rhs_text.trim()),
        span: Span {
            line: l.line,
            column: l.column,
        },
    })
}

fn reset_line(r: &Reader, l: &Logical) -> Result<ResetDesc, ModelError> {
    let (code, _) = split_meta(&l.text);
    let Some(eq) = assignment_eq(code) else {
        return Err(r.err(l.line, l.column, "expected `x = expr` in [reset]"));
    };
    let var = code[..eq].trim();
    if !is_identifier(var) {
        return Err(r.err(l.line, l.column, format!("`{var}` is not a variable name")));
    }
    let (rhs_text, _) = split_flags(&code[eq + 1..]);
    Ok(ResetDesc {
        var: var.to_owned(),
        rhs: r.expr(l, rhs_text)?,
        text: code.trim().to_owned(),
        span: Span {
            line: l.line,
            column: l.column,
        },
    })
}

fn function_line(r: &Reader, l: &Logical) -> Result<FunctionDesc, ModelError> {
    let (code, _) = split_meta(&l.text);
    let bad = || {
        r.err(
            l.line,
            l.column,
            "expected `name(x, y) = expr` in [functions]",
        )
    };
    let eq = assignment_eq(code).ok_or_else(bad)?;
    let head = code[..eq].trim();
    let (name, args) = head.split_once('(').ok_or_else(bad)?;
    let args = args.strip_suffix(')').ok_or_else(bad)?;
    let args: Vec<String> = args
        .split(',')
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    if !is_identifier(name.trim()) || !args.iter().all(|a| is_identifier(a)) {
        return Err(bad());
    }
    Ok(FunctionDesc {
        name: name.trim().to_owned(),
        args,
        body: r.expr(l, &code[eq + 1..])?,
        text: code.trim().to_owned(),
        span: Span {
            line: l.line,
            column: l.column,
        },
    })
}
