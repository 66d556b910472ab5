//! Expression trees produced by the parser and consumed by the compiler.

use super::error::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Name(String, Span),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>, Span),
    /// `if c: a else: b` and `ite(c, a, b)`.
    IfElse(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// Calls `f` on every name in the expression (function names excluded).
    pub fn visit_names(&self, f: &mut impl FnMut(&str, Span)) {
        match self {
            Expr::Num(_) => {}
            Expr::Name(n, s) => f(n, *s),
            Expr::Unary(_, a) => a.visit_names(f),
            Expr::Binary(_, a, b) => {
                a.visit_names(f);
                b.visit_names(f);
            }
            Expr::Call(_, args, _) => args.iter().for_each(|a| a.visit_names(f)),
            Expr::IfElse(c, a, b) => {
                c.visit_names(f);
                a.visit_names(f);
                b.visit_names(f);
            }
        }
    }
}
