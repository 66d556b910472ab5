//! Tokens of ANNarchy's expression notation, with their columns for error messages.

use super::error::Span;
use super::limits::MAX_EXPR_TOKENS;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Num(f64),
    Ident(String),
    LParen,
    RParen,
    Comma,
    Colon,
    Plus,
    Minus,
    Star,
    Slash,
    StarStar,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    NotEq,
    Assign,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Splits one logical line into tokens. `line` and `first_column` place the text in
/// its file so that every token carries the position a user sees in an editor.
pub fn tokenize(
    text: &str,
    line: usize,
    first_column: usize,
) -> Result<Vec<Token>, (Span, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let span = Span {
            line,
            column: first_column + i,
        };
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if out.len() >= MAX_EXPR_TOKENS {
            return Err((
                span,
                format!(
                    "expression longer than {MAX_EXPR_TOKENS} tokens; split it into helper variables"
                ),
            ));
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let s: String = chars[start..i].iter().collect();
            let Ok(v) = s.parse::<f64>() else {
                return Err((span, format!("malformed number `{s}`")));
            };
            out.push(Token {
                tok: Tok::Num(v),
                span,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                span,
            });
            continue;
        }
        let next = chars.get(i + 1).copied();
        let (tok, len) = match (c, next) {
            ('*', Some('*')) => (Tok::StarStar, 2),
            ('<', Some('=')) => (Tok::Le, 2),
            ('>', Some('=')) => (Tok::Ge, 2),
            ('=', Some('=')) => (Tok::EqEq, 2),
            ('!', Some('=')) => (Tok::NotEq, 2),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            (',', _) => (Tok::Comma, 1),
            (':', _) => (Tok::Colon, 1),
            ('+', _) => (Tok::Plus, 1),
            ('-', _) => (Tok::Minus, 1),
            ('*', _) => (Tok::Star, 1),
            ('/', _) => (Tok::Slash, 1),
            ('<', _) => (Tok::Lt, 1),
            ('>', _) => (Tok::Gt, 1),
            ('=', _) => (Tok::Assign, 1),
            _ => return Err((span, format!("unexpected character `{c}`"))),
        };
        out.push(Token { tok, span });
        i += len;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_two_char_operators() {
        let toks = tokenize("1.5e-3*x_1 ** 2 <= y != 3.", 7, 1).unwrap();
        let kinds: Vec<Tok> = toks.into_iter().map(|t| t.tok).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Num(1.5e-3),
                Tok::Star,
                Tok::Ident("x_1".into()),
                Tok::StarStar,
                Tok::Num(2.0),
                Tok::Le,
                Tok::Ident("y".into()),
                Tok::NotEq,
                Tok::Num(3.0)
            ]
        );
    }

    #[test]
    fn reports_column_of_bad_character() {
        let err = tokenize("a + $b", 3, 10).unwrap_err();
        assert_eq!(
            err.0,
            Span {
                line: 3,
                column: 14
            }
        );
    }
}
