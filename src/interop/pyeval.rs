//! Evaluates Python expressions without running Python, as far as neuron
//! definitions need: string literals (implicitly concatenated), f-strings, `+` of
//! strings, `a if c else b`, numbers, booleans, `None`, container literals and
//! names bound in an environment. Anything else (a call, say) is
//! [`Value::Unresolved`], with a reason naming what could not be resolved.

use std::collections::HashMap;

use super::pylex::{FPart, PyStr, Tok, Token};

/// A value of a Python expression, as far as it can be known statically.
#[derive(Clone, Debug)]
pub enum Value {
    Str(PyStr),
    /// A number literal, as written.
    Num(String),
    Bool(bool),
    None,
    /// A container literal (a `{}` default, say), not usable as a string.
    Other(String),
    /// Cannot be known without running Python; the reason names what.
    Unresolved(String),
}

pub type Env = HashMap<String, Value>;

/// Evaluates an expression's tokens in `env`.
pub fn eval(tokens: &[Token], env: &Env) -> Value {
    let mut p = Parser {
        tokens,
        pos: 0,
        env,
    };
    let value = p.conditional();
    if p.pos < tokens.len() {
        return Value::Unresolved(format!("the expression `{}`", text_of(tokens)));
    }
    value
}

pub fn is_name(t: &Token, word: &str) -> bool {
    matches!(&t.tok, Tok::Name(n) if n == word)
}

pub fn is_op(t: &Token, op: &str) -> bool {
    matches!(&t.tok, Tok::Op(o) if o == op)
}

pub fn name_of(t: &Token) -> Option<String> {
    match &t.tok {
        Tok::Name(n) => Some(n.clone()),
        _ => None,
    }
}

/// Index of the matching closing bracket of the one at `open`.
pub fn matching(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match &t.tok {
            Tok::Op(o) if matches!(o.as_str(), "(" | "[" | "{") => depth += 1,
            Tok::Op(o) if matches!(o.as_str(), ")" | "]" | "}") => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// First index ≥ `from` of `op` outside brackets.
pub fn top_level(tokens: &[Token], from: usize, op: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(from) {
        match &t.tok {
            Tok::Op(o) if matches!(o.as_str(), "(" | "[" | "{") => depth += 1,
            Tok::Op(o) if matches!(o.as_str(), ")" | "]" | "}") => depth = depth.saturating_sub(1),
            Tok::Op(o) if depth == 0 && o == op => return Some(i),
            _ => {}
        }
    }
    None
}

/// Splits `tokens` at top-level commas (empty pieces dropped).
pub fn split_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(c) = top_level(tokens, start, ",") {
        out.push(&tokens[start..c]);
        start = c + 1;
    }
    out.push(&tokens[start..]);
    out.retain(|p| !p.is_empty());
    out
}

/// Source-like text of tokens, for messages.
pub fn text_of(tokens: &[Token]) -> String {
    let mut s = String::new();
    for t in tokens {
        match &t.tok {
            Tok::Name(n) | Tok::Number(n) => {
                if s.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    s.push(' ');
                }
                s.push_str(n);
            }
            Tok::Str(_) | Tok::FStr(_) => s.push_str("\"…\""),
            Tok::Op(o) if o == "," => s.push_str(", "),
            Tok::Op(o) => s.push_str(o),
            Tok::Newline => {}
        }
    }
    s
}

pub fn describe(v: &Value) -> String {
    match v {
        Value::Str(_) => "a string".into(),
        Value::Num(n) => format!("the number {n}"),
        Value::Bool(b) => (if *b { "True" } else { "False" }).to_owned(),
        Value::None => "None".into(),
        Value::Other(t) => format!("`{t}`"),
        Value::Unresolved(why) => why.clone(),
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    env: &'a Env,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn at_name(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| is_name(t, word))
    }

    fn at_op(&self, op: &str) -> bool {
        self.peek().is_some_and(|t| is_op(t, op))
    }

    /// `a if c else b`.
    fn conditional(&mut self) -> Value {
        let then = self.sum();
        if !self.at_name("if") {
            return then;
        }
        self.pos += 1;
        let negate = self.at_name("not");
        if negate {
            self.pos += 1;
        }
        let cond = self.sum();
        if !self.at_name("else") {
            return Value::Unresolved(format!("the expression `{}`", text_of(self.tokens)));
        }
        self.pos += 1;
        let otherwise = self.conditional();
        let truth = match cond {
            Value::Bool(b) => b,
            Value::None => false,
            Value::Str(s) => !s.text.is_empty(),
            Value::Num(n) => n.parse::<f64>().is_ok_and(|x| x != 0.0),
            Value::Other(t) => t != "{}" && t != "[]",
            Value::Unresolved(why) => return Value::Unresolved(why),
        };
        if truth != negate { then } else { otherwise }
    }

    /// `a + b + …` (string concatenation).
    fn sum(&mut self) -> Value {
        let start = self.pos;
        let mut value = self.postfix();
        while self.at_op("+") {
            self.pos += 1;
            let right = self.postfix();
            value = match (value, right) {
                (Value::Str(mut a), Value::Str(b)) => {
                    a.append(&b);
                    Value::Str(a)
                }
                (Value::Unresolved(why), _) | (_, Value::Unresolved(why)) => Value::Unresolved(why),
                _ => Value::Unresolved(format!(
                    "the expression `{}`",
                    text_of(&self.tokens[start..self.pos])
                )),
            };
        }
        value
    }

    /// A primary followed by calls, attributes and subscripts.
    fn postfix(&mut self) -> Value {
        let start = self.pos;
        let mut value = self.primary();
        let mut unresolved_arg: Option<String> = None;
        loop {
            if self.at_op(".") {
                self.pos += 2;
            } else if self.at_op("(") || self.at_op("[") {
                let Some(close) = matching(self.tokens, self.pos) else {
                    self.pos = self.tokens.len();
                    break;
                };
                if self.at_op("(") {
                    for arg in split_commas(&self.tokens[self.pos + 1..close]) {
                        let keyword =
                            arg.len() > 2 && name_of(&arg[0]).is_some() && is_op(&arg[1], "=");
                        let value = if keyword { &arg[2..] } else { arg };
                        if let Value::Unresolved(why) = eval(value, self.env) {
                            unresolved_arg.get_or_insert(why);
                        }
                    }
                }
                self.pos = close + 1;
            } else {
                break;
            }
            let what = text_of(&self.tokens[start..self.pos.min(self.tokens.len())]);
            value = Value::Unresolved(match &unresolved_arg {
                Some(why) => format!("the result of `{what}`, a call whose input is {why}"),
                None => format!("the result of `{what}`, which only running Python can give"),
            });
        }
        value
    }

    fn primary(&mut self) -> Value {
        let Some(t) = self.peek().cloned() else {
            return Value::Unresolved("an empty expression".into());
        };
        self.pos += 1;
        match &t.tok {
            Tok::Str(_) | Tok::FStr(_) => {
                self.pos -= 1;
                self.strings()
            }
            Tok::Number(n) => Value::Num(n.clone()),
            Tok::Op(o) if o == "-" || o == "+" => match self.primary() {
                Value::Num(n) if o == "-" => Value::Num(format!("-{n}")),
                Value::Num(n) => Value::Num(n),
                _ => Value::Unresolved(format!("the expression `{}`", text_of(self.tokens))),
            },
            Tok::Op(o) if o == "(" => {
                let Some(close) = matching(self.tokens, self.pos - 1) else {
                    return Value::Unresolved("an unclosed `(`".into());
                };
                let inner = eval(&self.tokens[self.pos..close], self.env);
                self.pos = close + 1;
                inner
            }
            Tok::Op(o) if o == "{" || o == "[" => {
                let close = matching(self.tokens, self.pos - 1).unwrap_or(self.tokens.len() - 1);
                let text = text_of(&self.tokens[self.pos - 1..=close]);
                self.pos = close + 1;
                Value::Other(text)
            }
            Tok::Name(n) => match n.as_str() {
                "True" => Value::Bool(true),
                "False" => Value::Bool(false),
                "None" => Value::None,
                _ => self.env.get(n).cloned().unwrap_or_else(|| {
                    Value::Unresolved(format!("`{n}`, which is neither an `__init__` argument with a literal default nor a string assigned before"))
                }),
            },
            _ => Value::Unresolved(format!("the expression `{}`", text_of(self.tokens))),
        }
    }

    /// Adjacent string literals, implicitly concatenated; f-string fields evaluated.
    fn strings(&mut self) -> Value {
        let mut out = PyStr::default();
        let mut unresolved: Option<String> = None;
        while let Some(t) = self.peek().cloned() {
            match &t.tok {
                Tok::Str(s) => out.append(s),
                Tok::FStr(parts) => {
                    for part in parts {
                        match part {
                            FPart::Text(s) => out.append(s),
                            FPart::Field { tokens, source } => {
                                match self.field(tokens, source, t.line) {
                                    Ok(s) => out.append(&s),
                                    Err(why) => {
                                        unresolved.get_or_insert(why);
                                    }
                                }
                            }
                        }
                    }
                }
                _ => break,
            }
            self.pos += 1;
        }
        match unresolved {
            Some(why) => Value::Unresolved(why),
            None => Value::Str(out),
        }
    }

    /// The text an f-string field puts in its string.
    fn field(&self, tokens: &[Token], source: &str, line: usize) -> Result<PyStr, String> {
        match eval(tokens, self.env) {
            Value::Str(s) => Ok(s),
            Value::Num(n) => Ok(PyStr::synthetic(&n, line)),
            Value::Bool(b) => Ok(PyStr::synthetic(if b { "True" } else { "False" }, line)),
            Value::None => Ok(PyStr::synthetic("None", line)),
            Value::Other(_) => Err(format!(
                "an f-string whose field `{{{source}}}` is not a string or number"
            )),
            Value::Unresolved(why) => {
                Err(format!("an f-string whose field `{{{source}}}` is {why}"))
            }
        }
    }
}
