//! Recursive-descent parser for expressions, with Python's precedence as ANNarchy uses
//! it: `if/else` < `or` < `and` < `not` < comparisons < `+ -` < `* /` < unary `-` < `**`.

use super::ast::{BinOp, Expr, UnOp};
use super::error::Span;
use super::lexer::{Tok, Token};
use super::limits::{self, MAX_NESTING};

pub type ParseResult<T> = Result<T, (Span, String)>;

pub struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    end: Span,
    /// Current recursion depth, bounded by `MAX_NESTING` so that no input can
    /// overflow the stack.
    depth: usize,
}

impl<'a> Parser<'a> {
    pub fn new(toks: &'a [Token], end: Span) -> Self {
        Self {
            toks,
            pos: 0,
            end,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn span(&self) -> Span {
        self.toks.get(self.pos).map_or(self.end, |t| t.span)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(s)) if s == kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> ParseResult<()> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err((
                self.span(),
                format!("expected {what}, found {}", self.describe_next()),
            ))
        }
    }

    fn describe_next(&self) -> String {
        match self.toks.get(self.pos) {
            None => "end of line".into(),
            Some(t) => match &t.tok {
                Tok::Num(v) => format!("number {v}"),
                Tok::Ident(s) => format!("`{s}`"),
                other => format!("`{}`", tok_text(other)),
            },
        }
    }

    /// Runs `f` one nesting level deeper, refusing input nested beyond `MAX_NESTING`.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> ParseResult<T>) -> ParseResult<T> {
        if self.depth >= MAX_NESTING {
            return Err((
                self.span(),
                format!(
                    "expression nested more than {MAX_NESTING} levels deep (brackets, signs, `not`, `if`); split it into helper variables"
                ),
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Parses a whole expression and requires that nothing follows it.
    pub fn parse_complete(mut self) -> ParseResult<Expr> {
        let e = self.expr()?;
        if self.pos < self.toks.len() {
            return Err((
                self.span(),
                format!("unexpected {} after expression", self.describe_next()),
            ));
        }
        Ok(e)
    }

    pub fn expr(&mut self) -> ParseResult<Expr> {
        self.nested(Self::expr_inner)
    }

    fn expr_inner(&mut self) -> ParseResult<Expr> {
        if self.eat_keyword("if") {
            let cond = self.or_expr()?;
            self.expect(&Tok::Colon, "`:` after the condition of `if`")?;
            let then = self.expr()?;
            if !self.eat_keyword("else") {
                return Err((
                    self.span(),
                    format!("expected `else`, found {}", self.describe_next()),
                ));
            }
            self.expect(&Tok::Colon, "`:` after `else`")?;
            let other = self.expr()?;
            return Ok(Expr::IfElse(
                Box::new(cond),
                Box::new(then),
                Box::new(other),
            ));
        }
        self.or_expr()
    }

    fn or_expr(&mut self) -> ParseResult<Expr> {
        let mut lhs = self.and_expr()?;
        while self.eat_keyword("or") {
            let rhs = self.and_expr()?;
            lhs = Expr::bin(BinOp::Or, lhs, rhs);
        }
        Ok(lhs)
    }

    fn and_expr(&mut self) -> ParseResult<Expr> {
        let mut lhs = self.not_expr()?;
        while self.eat_keyword("and") {
            let rhs = self.not_expr()?;
            lhs = Expr::bin(BinOp::And, lhs, rhs);
        }
        Ok(lhs)
    }

    fn not_expr(&mut self) -> ParseResult<Expr> {
        if self.eat_keyword("not") {
            let e = self.nested(Self::not_expr)?;
            return Ok(Expr::Unary(UnOp::Not, Box::new(e)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> ParseResult<Expr> {
        let lhs = self.additive()?;
        let op = match self.peek() {
            Some(Tok::Lt) => BinOp::Lt,
            Some(Tok::Le) => BinOp::Le,
            Some(Tok::Gt) => BinOp::Gt,
            Some(Tok::Ge) => BinOp::Ge,
            Some(Tok::EqEq) => BinOp::Eq,
            Some(Tok::NotEq) => BinOp::Ne,
            _ => return Ok(lhs),
        };
        self.pos += 1;
        let rhs = self.additive()?;
        Ok(Expr::bin(op, lhs, rhs))
    }

    fn additive(&mut self) -> ParseResult<Expr> {
        let mut lhs = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Plus) => BinOp::Add,
                Some(Tok::Minus) => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.multiplicative()?;
            lhs = Expr::bin(op, lhs, rhs);
        }
    }

    fn multiplicative(&mut self) -> ParseResult<Expr> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Star) => BinOp::Mul,
                Some(Tok::Slash) => BinOp::Div,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.unary()?;
            lhs = Expr::bin(op, lhs, rhs);
        }
    }

    fn unary(&mut self) -> ParseResult<Expr> {
        if self.eat(&Tok::Minus) {
            let e = self.nested(Self::unary)?;
            return Ok(match e {
                Expr::Num(v) => Expr::Num(-v),
                other => Expr::Unary(UnOp::Neg, Box::new(other)),
            });
        }
        if self.eat(&Tok::Plus) {
            return self.nested(Self::unary);
        }
        self.power()
    }

    fn power(&mut self) -> ParseResult<Expr> {
        let base = self.atom()?;
        if self.eat(&Tok::StarStar) {
            // Right-associative, and the exponent may carry its own sign: x ** -2.
            let exp = self.nested(Self::unary)?;
            return Ok(Expr::bin(BinOp::Pow, base, exp));
        }
        Ok(base)
    }

    fn atom(&mut self) -> ParseResult<Expr> {
        let span = self.span();
        match self.toks.get(self.pos).map(|t| t.tok.clone()) {
            Some(Tok::Num(v)) => {
                self.pos += 1;
                Ok(Expr::Num(v))
            }
            Some(Tok::Ident(name)) => {
                if matches!(name.as_str(), "if" | "else" | "and" | "or" | "not") {
                    return Err((span, format!("unexpected keyword `{name}`")));
                }
                self.pos += 1;
                if self.eat(&Tok::LParen) {
                    let mut args = Vec::new();
                    if !self.eat(&Tok::RParen) {
                        loop {
                            args.push(self.expr()?);
                            if self.eat(&Tok::RParen) {
                                break;
                            }
                            self.expect(&Tok::Comma, "`,` or `)` in the argument list")?;
                        }
                    }
                    Ok(Expr::Call(name, args, span))
                } else {
                    Ok(Expr::Name(name, span))
                }
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(&Tok::RParen, "`)`")?;
                Ok(e)
            }
            _ => Err((
                span,
                format!(
                    "expected a number, a name or `(`, found {}",
                    self.describe_next()
                ),
            )),
        }
    }
}

fn tok_text(t: &Tok) -> &'static str {
    match t {
        Tok::Num(_) | Tok::Ident(_) => "token",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        Tok::Colon => ":",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::StarStar => "**",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::EqEq => "==",
        Tok::NotEq => "!=",
        Tok::Assign => "=",
    }
}

/// Parses `text` (found at `line`, starting at `column`) as one expression.
pub fn parse_expr(text: &str, line: usize, column: usize) -> ParseResult<Expr> {
    let toks = super::lexer::tokenize(text, line, column)?;
    let end = Span {
        line,
        column: column + text.chars().count(),
    };
    let e = Parser::new(&toks, end).parse_complete()?;
    // Chains (`a + b + c ...`) are parsed by loops but build deep trees.
    limits::check(&e, "the expression").map_err(|m| (Span { line, column }, m))?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        parse_expr(s, 1, 1).unwrap()
    }

    fn eval(e: &Expr) -> f64 {
        match e {
            Expr::Num(v) => *v,
            Expr::Unary(UnOp::Neg, a) => -eval(a),
            Expr::Unary(UnOp::Not, a) => f64::from(eval(a) == 0.0),
            Expr::Binary(op, a, b) => {
                let (a, b) = (eval(a), eval(b));
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    BinOp::Pow => a.powf(b),
                    BinOp::Lt => f64::from(a < b),
                    BinOp::Gt => f64::from(a > b),
                    BinOp::And => f64::from(a != 0.0 && b != 0.0),
                    BinOp::Or => f64::from(a != 0.0 || b != 0.0),
                    _ => unreachable!(),
                }
            }
            Expr::IfElse(c, a, b) => {
                if eval(c) != 0.0 {
                    eval(a)
                } else {
                    eval(b)
                }
            }
            _ => unreachable!(),
        }
    }

    #[test]
    fn precedence_follows_python() {
        assert_eq!(eval(&p("2 + 3 * 4")), 14.0);
        assert_eq!(eval(&p("-2 ** 2")), -4.0);
        assert_eq!(eval(&p("2 ** 3 ** 2")), 512.0);
        assert_eq!(eval(&p("2 ** -1")), 0.5);
        assert_eq!(eval(&p("8 / 2 / 2")), 2.0);
        assert_eq!(eval(&p("10 - 2 - 3")), 5.0);
        assert_eq!(eval(&p("1 < 2 and 3 > 4 or 1")), 1.0);
        assert_eq!(eval(&p("not 1 > 2")), 1.0);
        assert_eq!(eval(&p("1 + 2 < 4")), 1.0);
    }

    #[test]
    fn inline_if_else() {
        assert_eq!(eval(&p("if 1 > 2: 5 else: 7")), 7.0);
        assert_eq!(eval(&p("if (3 - 1) > 0: 2 * 3 else: 0")), 6.0);
        assert_eq!(eval(&p("1 + (if 0: 1 else: 2)")), 3.0);
    }

    #[test]
    fn calls_and_names() {
        match p("ite(v > 0, pos(x), -1)") {
            Expr::Call(name, args, _) => {
                assert_eq!(name, "ite");
                assert_eq!(args.len(), 3);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_point_at_the_problem() {
        let (span, msg) = parse_expr("a + * b", 4, 5).unwrap_err();
        assert_eq!(span, Span { line: 4, column: 9 });
        assert!(msg.contains("expected a number"), "{msg}");
        let (span, msg) = parse_expr("(a + b", 1, 1).unwrap_err();
        assert_eq!(span.column, 7);
        assert!(msg.contains("`)`"), "{msg}");
        let (_, msg) = parse_expr("a b", 1, 1).unwrap_err();
        assert!(msg.contains("unexpected `b`"), "{msg}");
        assert!(parse_expr("if a: b", 1, 1).is_err());
    }

    #[test]
    fn deep_and_long_expressions_are_refused_not_overflowed() {
        let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
        let (_, msg) = parse_expr(&deep, 1, 1).unwrap_err();
        assert!(msg.contains("tokens"), "{msg}");
        for text in [
            format!("{}x{}", "(".repeat(500), ")".repeat(500)),
            format!("{}x", "-".repeat(1500)),
            format!("{}x", "not ".repeat(1500)),
            format!("x{}", " ** x".repeat(900)),
            format!("{}1{}", "f(".repeat(500), ")".repeat(500)),
            format!("{}1", "if 1: 1 else: ".repeat(300)),
        ] {
            let (_, msg) = parse_expr(&text, 3, 1).unwrap_err();
            assert!(msg.contains("levels deep"), "{msg}");
        }
        let chain = format!("x{}", " + x".repeat(900));
        let (span, msg) = parse_expr(&chain, 3, 5).unwrap_err();
        assert_eq!(span, Span { line: 3, column: 5 });
        assert!(msg.contains("levels deep"), "{msg}");
        assert!(parse_expr(&format!("x{}", " + x".repeat(150)), 1, 1).is_ok());
    }
}
