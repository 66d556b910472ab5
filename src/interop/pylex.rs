//! A small tokenizer for Python source, enough to read ANNarchy/CompNeuroPy neuron
//! definitions without running Python: names, numbers, operators, and string
//! literals of every form (single, triple-quoted, raw, byte, f-strings), with the
//! source line of every byte of a string's value so later errors can name the line
//! of the Python file.

use super::InteropError;

/// A string value with, for every byte, the 1-based source line it came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PyStr {
    pub text: String,
    pub lines: Vec<usize>,
}

impl PyStr {
    pub fn push(&mut self, c: char, line: usize) {
        self.text.push(c);
        self.lines.resize(self.text.len(), line);
    }

    pub fn append(&mut self, other: &PyStr) {
        self.text.push_str(&other.text);
        self.lines.extend_from_slice(&other.lines);
    }

    /// A value that did not come from the source (a substituted number, say),
    /// attributed to `line`.
    pub fn synthetic(text: &str, line: usize) -> Self {
        Self {
            text: text.to_owned(),
            lines: vec![line; text.len()],
        }
    }

    /// The source line of byte `offset` (the last line for the end).
    pub fn line_at(&self, offset: usize) -> usize {
        self.lines
            .get(offset)
            .or(self.lines.last())
            .copied()
            .unwrap_or(0)
    }
}

/// One piece of an f-string: literal text, or a replacement field's expression.
#[derive(Clone, Debug, PartialEq)]
pub enum FPart {
    Text(PyStr),
    /// The field's expression tokens (conversion and format spec dropped).
    Field {
        tokens: Vec<Token>,
        source: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Name(String),
    Number(String),
    Str(PyStr),
    FStr(Vec<FPart>),
    Op(String),
    /// End of a logical line (outside brackets).
    Newline,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
    /// 0-based column of the token's first character.
    pub column: usize,
}

/// Longest operators first.
const OPS: [&str; 24] = [
    "**=", "//=", "->", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", ":=", "(", ")",
    "[", "]", "{", "}", ",", ":", ".", "=",
];

struct Lexer<'a> {
    file: &'a str,
    chars: Vec<char>,
    pos: usize,
    line: usize,
    column: usize,
    depth: usize,
    out: Vec<Token>,
}

/// Tokenizes Python source. `line0` is the line of the first character (for
/// f-string fields lexed on their own).
pub fn tokenize(file: &str, source: &str, line0: usize) -> Result<Vec<Token>, InteropError> {
    let mut lx = Lexer {
        file,
        chars: source.chars().collect(),
        pos: 0,
        line: line0,
        column: 0,
        depth: 0,
        out: Vec::new(),
    };
    lx.run()?;
    Ok(lx.out)
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 0;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn err(&self, line: usize, message: impl Into<String>) -> InteropError {
        InteropError::at(self.file, line, message)
    }

    fn emit(&mut self, tok: Tok, line: usize, column: usize) {
        self.out.push(Token { tok, line, column });
    }

    fn run(&mut self) -> Result<(), InteropError> {
        while let Some(c) = self.peek(0) {
            let (line, column) = (self.line, self.column);
            match c {
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                '\n' => {
                    self.bump();
                    if self.depth == 0 && self.out.last().is_some_and(|t| t.tok != Tok::Newline) {
                        self.emit(Tok::Newline, line, column);
                    }
                }
                '\\' if self.peek(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                c if c.is_whitespace() => {
                    self.bump();
                }
                '\'' | '"' => self.string("", line, column)?,
                c if c.is_alphabetic() || c == '_' => {
                    let word = self.take_while(|c| c.is_alphanumeric() || c == '_');
                    let is_prefix = word.len() <= 2
                        && word.chars().all(|c| "rRbBuUfF".contains(c))
                        && matches!(self.peek(0), Some('\'' | '"'));
                    if is_prefix {
                        self.string(&word.to_ascii_lowercase(), line, column)?;
                    } else {
                        self.emit(Tok::Name(word), line, column);
                    }
                }
                c if c.is_ascii_digit()
                    || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    let number = self.number();
                    self.emit(Tok::Number(number), line, column);
                }
                _ => self.operator(line, column)?,
            }
        }
        if self.out.last().is_some_and(|t| t.tok != Tok::Newline) {
            let (line, column) = (self.line, self.column);
            self.emit(Tok::Newline, line, column);
        }
        Ok(())
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0).filter(|&c| keep(c)) {
            s.push(c);
            self.bump();
        }
        s
    }

    fn number(&mut self) -> String {
        let mut s = self.take_while(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        // An exponent sign: 1e-5, 2.5E+3.
        if s.ends_with(['e', 'E'])
            && !s.starts_with("0x")
            && matches!(self.peek(0), Some('+' | '-'))
        {
            s.extend(self.bump());
            s.push_str(&self.take_while(|c| c.is_ascii_digit() || c == '_'));
        }
        s.replace('_', "")
    }

    fn operator(&mut self, line: usize, column: usize) -> Result<(), InteropError> {
        let rest: String = self.chars[self.pos..].iter().take(3).collect();
        let op = OPS
            .iter()
            .find(|op| rest.starts_with(*op))
            .map(|s| (*s).to_owned())
            .or_else(|| {
                let c = rest.chars().next()?;
                "+-*/%<>@&|^~!;".contains(c).then(|| c.to_string())
            })
            .ok_or_else(|| {
                self.err(
                    line,
                    format!(
                        "unexpected character `{}`",
                        &rest[..rest.chars().next().map_or(0, char::len_utf8)]
                    ),
                )
            })?;
        for _ in 0..op.chars().count() {
            self.bump();
        }
        match op.as_str() {
            "(" | "[" | "{" => self.depth += 1,
            ")" | "]" | "}" => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        self.emit(Tok::Op(op), line, column);
        Ok(())
    }

    /// A string literal starting at the opening quote; `prefix` is lower case.
    fn string(&mut self, prefix: &str, line: usize, column: usize) -> Result<(), InteropError> {
        let quote = self.peek(0).unwrap_or('"');
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        for _ in 0..if triple { 3 } else { 1 } {
            self.bump();
        }
        let raw = prefix.contains('r');
        let is_f = prefix.contains('f');
        let mut parts: Vec<FPart> = Vec::new();
        let mut text = PyStr::default();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.err(line, "string literal is never closed"));
            };
            let here = self.line;
            if c == quote
                && (!triple || (self.peek(1) == Some(quote) && self.peek(2) == Some(quote)))
            {
                for _ in 0..if triple { 3 } else { 1 } {
                    self.bump();
                }
                break;
            }
            if c == '\n' && !triple {
                return Err(self.err(line, "string literal is never closed on its line"));
            }
            if c == '\\' {
                self.bump();
                let Some(next) = self.bump() else { continue };
                if raw {
                    text.push('\\', here);
                    text.push(next, here);
                } else {
                    self.escape(next, &mut text, here)?;
                }
                continue;
            }
            if is_f && (c == '{' || c == '}') {
                self.bump();
                if self.peek(0) == Some(c) {
                    self.bump();
                    text.push(c, here);
                } else if c == '}' {
                    return Err(self.err(here, "single `}` in an f-string"));
                } else {
                    parts.push(FPart::Text(std::mem::take(&mut text)));
                    parts.push(self.field(here)?);
                }
                continue;
            }
            self.bump();
            text.push(c, here);
        }
        if is_f {
            parts.push(FPart::Text(text));
            self.emit(Tok::FStr(parts), line, column);
        } else {
            self.emit(Tok::Str(text), line, column);
        }
        Ok(())
    }

    fn escape(&mut self, next: char, text: &mut PyStr, line: usize) -> Result<(), InteropError> {
        let simple = match next {
            '\n' => return Ok(()), // backslash-newline joins lines
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '0' => Some('\0'),
            '\\' | '\'' | '"' => Some(next),
            _ => None,
        };
        if let Some(c) = simple {
            text.push(c, line);
            return Ok(());
        }
        let width = match next {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => {
                // Python keeps unknown escapes as written.
                text.push('\\', line);
                text.push(next, line);
                return Ok(());
            }
        };
        let hex: String = (0..width).filter_map(|_| self.bump()).collect();
        let c = u32::from_str_radix(&hex, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| self.err(line, format!("invalid escape `\\{next}{hex}`")))?;
        text.push(c, line);
        Ok(())
    }

    /// An f-string replacement field after its `{`: the expression up to a
    /// top-level `!`, `:` or `}`, lexed on its own.
    fn field(&mut self, line: usize) -> Result<FPart, InteropError> {
        let mut source = String::new();
        let mut depth = 0usize;
        let mut in_str: Option<char> = None;
        loop {
            let Some(c) = self.bump() else {
                return Err(self.err(line, "f-string field is never closed"));
            };
            if let Some(q) = in_str {
                if c == q {
                    in_str = None;
                }
                source.push(c);
                continue;
            }
            match c {
                '\'' | '"' => in_str = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                '}' if depth > 0 => depth -= 1,
                '}' => break,
                '!' if depth == 0 && self.peek(0) != Some('=') => {
                    self.skip_to_field_end(line)?;
                    break;
                }
                ':' if depth == 0 => {
                    self.skip_to_field_end(line)?;
                    break;
                }
                _ => {}
            }
            source.push(c);
        }
        let mut tokens = tokenize(self.file, &source, line)?;
        tokens.retain(|t| t.tok != Tok::Newline);
        Ok(FPart::Field {
            tokens,
            source: source.trim().to_owned(),
        })
    }

    fn skip_to_field_end(&mut self, line: usize) -> Result<(), InteropError> {
        let mut depth = 0usize;
        loop {
            match self.bump() {
                None => return Err(self.err(line, "f-string field is never closed")),
                Some('{') => depth += 1,
                Some('}') if depth > 0 => depth -= 1,
                Some('}') => return Ok(()),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(src: &str) -> Vec<String> {
        tokenize("t.py", src, 1)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter_map(|t| match t.tok {
                Tok::Str(s) => Some(s.text),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_string_form() {
        let src = "a = 'x\\ty' \"q\\\"\" r'\\n' b\"b\" '''t\n'u'''\n";
        assert_eq!(strings(src), ["x\ty", "q\"", "\\n", "b", "t\n'u"]);
    }

    #[test]
    fn string_lines_follow_the_source() {
        let tokens = tokenize("t.py", "x = 1\ny = \"\"\"\nab\ncd\"\"\"\n", 1).unwrap_or_default();
        let Some(Tok::Str(s)) = tokens
            .iter()
            .map(|t| t.tok.clone())
            .find(|t| matches!(t, Tok::Str(_)))
        else {
            panic!("no string");
        };
        assert_eq!(s.text, "\nab\ncd");
        assert_eq!(s.line_at(1), 3);
        assert_eq!(s.line_at(4), 4);
    }

    #[test]
    fn f_string_fields() {
        let tokens =
            tokenize("t.py", "f'a = {a} {{b}} {\"x\" if p else \"\"}'", 1).unwrap_or_default();
        let Some(Tok::FStr(parts)) = tokens.first().map(|t| t.tok.clone()) else {
            panic!("no f-string");
        };
        let fields: Vec<String> = parts
            .iter()
            .filter_map(|p| match p {
                FPart::Field { source, .. } => Some(source.clone()),
                FPart::Text(_) => None,
            })
            .collect();
        assert_eq!(fields, ["a", "\"x\" if p else \"\""]);
        assert!(matches!(&parts[2], FPart::Text(t) if t.text == " {b} "));
    }

    #[test]
    fn unclosed_string_names_its_line() {
        let e = tokenize("t.py", "x = 1\ny = 'abc\n", 1).err();
        assert_eq!(e.map(|e| e.line), Some(2));
    }
}
