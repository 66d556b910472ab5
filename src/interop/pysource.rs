//! Finds neuron definitions in Python source and evaluates their arguments without
//! running Python: every `Neuron(...)` / `ann.Neuron(...)` call, and every
//! CompNeuroPy-style class whose `__init__` passes the definition to
//! `super().__init__(...)`. Arguments may be string literals of any form,
//! implicit concatenations, `+` of strings, conditional expressions and f-strings
//! whose fields are `__init__` arguments with literal defaults (or strings assigned
//! earlier). Anything else is reported as unresolved, naming what it is.

use std::collections::BTreeMap;

use super::InteropError;
use super::pyeval::{
    Env, Value, describe, eval, is_name, is_op, matching, name_of, split_commas, text_of, top_level,
};
use super::pylex::{PyStr, Tok, Token, tokenize};

/// `Neuron(...)`'s arguments in ANNarchy 5's positional order.
pub const NEURON_ARGS: [&str; 11] = [
    "parameters",
    "equations",
    "spike",
    "axon_spike",
    "reset",
    "axon_reset",
    "refractory",
    "functions",
    "name",
    "description",
    "extra_values",
];

/// One neuron definition found in the source, its string arguments evaluated.
#[derive(Clone, Debug)]
pub struct NeuronDef {
    /// The assigned variable or class name (or `neuron_line<N>`).
    pub id: String,
    /// Line of the call or class.
    pub line: usize,
    /// Keyword → string value (`None` arguments are left out).
    pub args: BTreeMap<String, PyStr>,
    pub docstring: Option<PyStr>,
}

/// Finds every definition in `source`. A file that does not tokenize is one error.
pub fn find_definitions(file: &str, source: &str) -> Vec<Result<NeuronDef, InteropError>> {
    let tokens = match tokenize(file, source, 1) {
        Ok(t) => t,
        Err(e) => return vec![Err(e)],
    };
    let lines: Vec<&[Token]> = tokens
        .split(|t| t.tok == Tok::Newline)
        .filter(|l| !l.is_empty())
        .collect();
    let class_names: Vec<String> = lines
        .iter()
        .filter_map(|l| match (l.first(), l.get(1)) {
            (Some(t), Some(n)) if is_name(t, "class") => name_of(n),
            _ => None,
        })
        .collect();
    let cx = Cx { file, class_names };
    let mut env = Env::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_name(&line[0], "class") {
            let end = block_end(&lines, i);
            if let Some(def) = cx.class(&lines[i..end], &env) {
                out.push(def);
            }
            i = end;
            continue;
        }
        cx.calls_in_line(line, &env, &mut out);
        if line[0].column == 0
            && let Some((name, rhs)) = assignment(line)
        {
            env.insert(name, eval(rhs, &env));
        }
        i += 1;
    }
    out
}

struct Cx<'a> {
    file: &'a str,
    class_names: Vec<String>,
}

/// The lines of the block opened by `lines[start]` (it included).
fn block_end(lines: &[&[Token]], start: usize) -> usize {
    let column = lines[start][0].column;
    let mut end = start + 1;
    while end < lines.len() && lines[end][0].column > column {
        end += 1;
    }
    end
}

/// `name = rhs` or `name: annotation = rhs`.
fn assignment(line: &[Token]) -> Option<(String, &[Token])> {
    let name = name_of(line.first()?)?;
    if line.get(1).is_some_and(|t| is_op(t, "=")) {
        return Some((name, &line[2..]));
    }
    if line.get(1).is_some_and(|t| is_op(t, ":")) {
        let eq = top_level(line, 2, "=")?;
        return Some((name, &line[eq + 1..]));
    }
    None
}

impl Cx<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> InteropError {
        InteropError::at(self.file, line, message)
    }

    /// Every `Neuron(` call of a line outside classes.
    fn calls_in_line(
        &self,
        line: &[Token],
        env: &Env,
        out: &mut Vec<Result<NeuronDef, InteropError>>,
    ) {
        for (i, t) in line.iter().enumerate() {
            let is_call = is_name(t, "Neuron") && line.get(i + 1).is_some_and(|n| is_op(n, "("));
            if !is_call {
                continue;
            }
            let Some(close) = matching(line, i + 1) else {
                out.push(Err(self.err(t.line, "`Neuron(` is never closed")));
                continue;
            };
            // `x = Neuron(...)` or `x = ann.Neuron(...)`: the model takes the name `x`.
            let direct = (i == 2 || (i == 4 && is_op(&line[3], "."))) && close + 1 == line.len();
            let assigned = direct
                .then(|| assignment(line))
                .flatten()
                .map(|(name, _)| name);
            let label = assigned.clone().unwrap_or_else(|| "Neuron(...)".to_owned());
            let result = self
                .call_args(&line[i + 2..close], env)
                .map_err(|e| InteropError {
                    message: format!("{label}: {}", e.message),
                    ..e
                });
            let result = result.map(|args| {
                let id = assigned.clone().unwrap_or_else(|| {
                    args.get("name")
                        .map(|n| sanitize_id(&n.text))
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| format!("neuron_line{}", t.line))
                });
                NeuronDef {
                    id,
                    line: t.line,
                    args,
                    docstring: None,
                }
            });
            out.push(result);
        }
    }

    /// Evaluates a call's arguments into keyword → string.
    fn call_args(
        &self,
        args: &[Token],
        env: &Env,
    ) -> Result<BTreeMap<String, PyStr>, InteropError> {
        let mut out = BTreeMap::new();
        for (k, arg) in split_commas(args).into_iter().enumerate() {
            let line = arg[0].line;
            let (key, value_tokens) = match (name_of(&arg[0]), arg.get(1)) {
                (Some(key), Some(eq)) if is_op(eq, "=") => (key, &arg[2..]),
                _ if is_op(&arg[0], "*") || is_op(&arg[0], "**") => {
                    return Err(self.err(
                        line,
                        format!(
                            "`{}` unpacks arguments, which cannot be read without running Python",
                            text_of(arg)
                        ),
                    ));
                }
                _ => match NEURON_ARGS.get(k) {
                    Some(key) => ((*key).to_owned(), arg),
                    None => {
                        return Err(
                            self.err(line, "too many positional arguments for `Neuron(...)`")
                        );
                    }
                },
            };
            if !NEURON_ARGS.contains(&key.as_str()) {
                return Err(self.err(
                    line,
                    format!(
                        "`{key}=` is not an argument of ANNarchy's `Neuron`; expected one of {}",
                        NEURON_ARGS.join(", ")
                    ),
                ));
            }
            match eval(value_tokens, env) {
                Value::Str(s) => {
                    out.insert(key, s);
                }
                Value::None => {}
                Value::Other(_) if key == "extra_values" => {}
                Value::Unresolved(why) => {
                    return Err(self.err(
                        line,
                        format!("cannot resolve `{key}=` without running Python: it is {why}"),
                    ));
                }
                other => {
                    return Err(self.err(
                        line,
                        format!("`{key}=` must be a string, got {}", describe(&other)),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// A class block (header line first); `None` if it is not a neuron class.
    fn class(
        &self,
        block: &[&[Token]],
        module_env: &Env,
    ) -> Option<Result<NeuronDef, InteropError>> {
        let header = block[0];
        let name = name_of(header.get(1)?)?;
        let line = header[0].line;
        let bases: Vec<String> = match header.get(2) {
            Some(t) if is_op(t, "(") => {
                let close = matching(header, 2)?;
                split_commas(&header[3..close])
                    .iter()
                    .filter_map(|b| b.iter().rev().find_map(name_of))
                    .collect()
            }
            _ => Vec::new(),
        };
        let neuron_base = bases
            .iter()
            .any(|b| b.to_ascii_lowercase().ends_with("neuron"));
        let body = &block[1..];
        let docstring = body.first().and_then(|l| match (&l[0].tok, l.len()) {
            (Tok::Str(s), 1) => Some(s.clone()),
            _ => None,
        });
        let init_at = body.iter().position(|l| {
            is_name(&l[0], "def") && l.get(1).is_some_and(|t| is_name(t, "__init__"))
        });
        let Some(init_at) = init_at else {
            return neuron_base.then(|| {
                Err(self.err(
                    line,
                    format!("class {name} derives from a neuron class but defines no `__init__`"),
                ))
            });
        };
        let end = block_end(body, init_at);
        let mut env = module_env.clone();
        if let Err(e) = self.init_params(body[init_at], &mut env) {
            return neuron_base.then_some(Err(e));
        }
        for stmt in &body[init_at + 1..end] {
            if let Some(call) = super_call(stmt) {
                let has_keywords = call
                    .iter()
                    .any(|t| matches!(&t.tok, Tok::Name(n) if NEURON_ARGS.contains(&n.as_str())));
                if !neuron_base && !has_keywords {
                    return None;
                }
                if call.is_empty() {
                    return Some(Err(self.unresolved_base(&name, &bases, stmt[0].line)));
                }
                let args = self.call_args(call, &env).map_err(|e| InteropError {
                    message: format!("class {name}: {}", e.message),
                    ..e
                });
                return Some(args.map(|args| NeuronDef {
                    id: name.clone(),
                    line,
                    args,
                    docstring: docstring.clone(),
                }));
            }
            if let Some((var, rhs)) = assignment(stmt) {
                let value = eval(rhs, &env);
                env.insert(var, value);
            }
        }
        neuron_base.then(|| Err(self.err(line, format!("class {name}: its `__init__` never calls `super().__init__(...)` with the definition"))))
    }

    fn unresolved_base(&self, class: &str, bases: &[String], line: usize) -> InteropError {
        let base = bases.first().map_or("?", String::as_str);
        let why = if self.class_names.iter().any(|c| c == base) {
            format!(
                "base class `{base}` builds them, and reading inherited definitions is not supported"
            )
        } else {
            format!(
                "they come from base class `{base}`, which this file does not define (cannot resolve `{base}`)"
            )
        };
        self.err(
            line,
            format!(
                "class {class}: `super().__init__()` gets no parameters=/equations= strings; {why}"
            ),
        )
    }

    /// Binds `__init__`'s arguments to their defaults.
    fn init_params(&self, def_line: &[Token], env: &mut Env) -> Result<(), InteropError> {
        let open = def_line
            .iter()
            .position(|t| is_op(t, "("))
            .ok_or_else(|| self.err(def_line[0].line, "cannot read `def __init__`"))?;
        let close = matching(def_line, open)
            .ok_or_else(|| self.err(def_line[0].line, "`def __init__(` is never closed"))?;
        for param in split_commas(&def_line[open + 1..close]) {
            let Some(name) = name_of(&param[0]) else {
                continue;
            }; // *, **kw
            if name == "self" {
                continue;
            }
            let value = match top_level(param, 1, "=") {
                Some(eq) => eval(&param[eq + 1..], env),
                None => Value::Unresolved(format!(
                    "`{name}`, an `__init__` argument without a default"
                )),
            };
            env.insert(name, value);
        }
        Ok(())
    }
}

/// The argument tokens of `super().__init__(...)`, `super(X, self).__init__(...)`
/// or `Neuron.__init__(self, ...)` if the statement is one.
fn super_call(stmt: &[Token]) -> Option<&[Token]> {
    let init = stmt.iter().position(|t| is_name(t, "__init__"))?;
    let is_super = is_name(&stmt[0], "super") || is_name(&stmt[0], "Neuron");
    if !is_super || !stmt.get(init + 1).is_some_and(|t| is_op(t, "(")) {
        return None;
    }
    let close = matching(stmt, init + 1)?;
    let args = &stmt[init + 2..close];
    // `Neuron.__init__(self, ...)` passes self first.
    match args.first() {
        Some(t) if is_name(t, "self") => Some(args.get(2..).unwrap_or(&[])),
        _ => Some(args),
    }
}

/// A model id from a free-text name: identifier characters only.
pub fn sanitize_id(name: &str) -> String {
    let id: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n_{id}")
    } else {
        id
    }
}
