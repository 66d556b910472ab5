//! Display math for a model's equations: expression trees ([`Expr`]) turned into a
//! small layout tree ([`Math`]) with subscripts (`g_Na` → g with subscript Na),
//! Greek letters where a name spells one (`tau_h` → τ_h), stacked fractions,
//! powers as superscripts (`pow(m, 3)` → m³) and only the parentheses the
//! precedence needs. The GUI lays the tree out (`ui::math_layout`); [`to_text`] is
//! its plain-text form (tests, accessibility).
//!
//! The tree keeps every name's model spelling, so the GUI can link a symbol back to
//! its parameter slider.

use super::ast::{BinOp, Expr, UnOp};
use super::file::{EqKind, EquationDesc};

/// A piece of display math.
#[derive(Clone, Debug, PartialEq)]
pub enum Math {
    /// A model name as a symbol: `base` with an optional subscript; `name` is the
    /// spelling in the model file.
    Name {
        base: String,
        sub: String,
        name: String,
    },
    Num(String),
    /// An operator or word drawn between operands (`" − "`, `"·"`, `"d"`).
    Op(String),
    Row(Vec<Math>),
    /// A stacked fraction (numerator over denominator).
    Frac(Box<Math>, Box<Math>),
    /// A base with a superscript.
    Pow(Box<Math>, Box<Math>),
    Paren(Box<Math>),
    /// A function applied to its arguments: `exp(…)`.
    Call(String, Vec<Math>),
    /// `|x|`
    Abs(Box<Math>),
}

/// Names that spell a Greek letter (ANNarchy models write `tau`, `alpha`, …).
const GREEK: &[(&str, &str)] = &[
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("Gamma", "Γ"),
    ("delta", "δ"),
    ("Delta", "Δ"),
    ("epsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("Theta", "Θ"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("Lambda", "Λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("pi", "π"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("Sigma", "Σ"),
    ("tau", "τ"),
    ("phi", "φ"),
    ("Phi", "Φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Omega", "Ω"),
];

/// One `_`-separated part of a name as displayed.
fn glyph(part: &str, in_subscript: bool) -> &str {
    if let Some((_, g)) = GREEK.iter().find(|(w, _)| *w == part) {
        return g;
    }
    match part {
        // The maximal conductance ḡ, which the Corbit and Bischop models spell `gg`.
        "gg" if !in_subscript => "ḡ",
        "inf" if in_subscript => "∞",
        _ => part,
    }
}

/// How a model name is drawn: (base, subscript). The first `_`-part is the base,
/// the others the subscript, separated by commas.
pub fn symbol(name: &str) -> (String, String) {
    let mut parts = name.split('_').filter(|p| !p.is_empty());
    let Some(first) = parts.next() else {
        return (name.to_owned(), String::new());
    };
    let sub: Vec<&str> = parts.map(|p| glyph(p, true)).collect();
    (glyph(first, false).to_owned(), sub.join(","))
}

fn name(n: &str) -> Math {
    let (base, sub) = symbol(n);
    Math::Name {
        base,
        sub,
        name: n.to_owned(),
    }
}

fn op(s: &str) -> Math {
    Math::Op(s.to_owned())
}

/// A number as a student would write it: `1.0` → `1`, `1e-20` stays short.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-4..1e6).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

// Binding strength, loosest first (Python's order, as the parser reads it).
const P_IF: u8 = 0;
const P_OR: u8 = 1;
const P_AND: u8 = 2;
const P_NOT: u8 = 3;
const P_CMP: u8 = 4;
const P_ADD: u8 = 5;
const P_MUL: u8 = 6;
const P_NEG: u8 = 7;
const P_POW: u8 = 8;
const P_ATOM: u8 = 9;

/// Where a sub-expression is drawn: stacked fractions only at the outer level,
/// slashes inside fractions, exponents and function arguments (keeps lines short).
#[derive(Clone, Copy)]
struct Ctx {
    inline: bool,
}

/// `e` as display math.
pub fn expr(e: &Expr) -> Math {
    build(e, Ctx { inline: false }).0
}

/// Wraps `m` in parentheses when its binding strength `p` is below `min`.
fn wrap((m, p): (Math, u8), min: u8) -> Math {
    if p < min { Math::Paren(Box::new(m)) } else { m }
}

fn build(e: &Expr, ctx: Ctx) -> (Math, u8) {
    match e {
        Expr::Num(v) => (Math::Num(number(*v)), P_ATOM),
        Expr::Name(n, _) => (name(n), P_ATOM),
        Expr::Unary(UnOp::Neg, a) => {
            let inner = wrap(build(a, ctx), P_MUL);
            (Math::Row(vec![op("−"), inner]), P_NEG)
        }
        Expr::Unary(UnOp::Not, a) => {
            let inner = wrap(build(a, ctx), P_NOT);
            (Math::Row(vec![op("not "), inner]), P_NOT)
        }
        Expr::Binary(o, a, b) => binary(*o, a, b, ctx),
        Expr::IfElse(c, a, b) => {
            let part = |x: &Expr| wrap(build(x, ctx), P_OR);
            let row = vec![
                op("if "),
                part(c),
                op(" then "),
                part(a),
                op(" else "),
                part(b),
            ];
            (Math::Row(row), P_IF)
        }
        Expr::Call(f, args, _) => call(f, args, ctx),
    }
}

fn binary(o: BinOp, a: &Expr, b: &Expr, ctx: Ctx) -> (Math, u8) {
    let infix = |sym: &str, p: u8, left_min: u8, right_min: u8| {
        let l = wrap(build(a, ctx), left_min);
        // A negated right operand keeps its parentheses: a + (−b), not a + −b.
        let right_min = if matches!(b, Expr::Unary(UnOp::Neg, _)) {
            P_ATOM
        } else {
            right_min
        };
        let r = wrap(build(b, ctx), right_min);
        (Math::Row(vec![l, op(sym), r]), p)
    };
    // Sums and products regroup freely in mathematics (a + (b − c) = a + b − c),
    // so only a difference's right operand and a quotient's keep their parentheses.
    match o {
        BinOp::Add => infix(" + ", P_ADD, P_ADD, P_ADD),
        BinOp::Sub => infix(" − ", P_ADD, P_ADD, P_MUL),
        BinOp::Mul => infix("·", P_MUL, P_MUL, P_MUL),
        BinOp::Div if ctx.inline => infix("/", P_MUL, P_MUL, P_NEG),
        BinOp::Div => {
            // Inside a fraction, further divisions are written inline.
            let inner = Ctx { inline: true };
            let num = build(a, inner).0;
            let den = build(b, inner).0;
            (Math::Frac(Box::new(num), Box::new(den)), P_ATOM)
        }
        BinOp::Pow => power(build(a, ctx), b),
        BinOp::Lt => infix(" < ", P_CMP, P_ADD, P_ADD),
        BinOp::Le => infix(" ≤ ", P_CMP, P_ADD, P_ADD),
        BinOp::Gt => infix(" > ", P_CMP, P_ADD, P_ADD),
        BinOp::Ge => infix(" ≥ ", P_CMP, P_ADD, P_ADD),
        BinOp::Eq => infix(" = ", P_CMP, P_ADD, P_ADD),
        BinOp::Ne => infix(" ≠ ", P_CMP, P_ADD, P_ADD),
        BinOp::And => infix(" and ", P_AND, P_AND, P_NOT),
        BinOp::Or => infix(" or ", P_OR, P_OR, P_AND),
    }
}

/// `base` raised to `exponent` (drawn as a superscript, inline inside).
fn power(base: (Math, u8), exponent: &Expr) -> (Math, u8) {
    // A fraction as a base needs its parentheses although it binds tightly.
    let base = match base {
        (m @ Math::Frac(..), _) => Math::Paren(Box::new(m)),
        b => wrap(b, P_ATOM),
    };
    let exp = build(exponent, Ctx { inline: true }).0;
    (Math::Pow(Box::new(base), Box::new(exp)), P_POW)
}

fn call(f: &str, args: &[Expr], ctx: Ctx) -> (Math, u8) {
    let inline = Ctx { inline: true };
    match (f, args) {
        ("pow", [a, b]) => power(build(a, ctx), b),
        ("abs", [a]) => (Math::Abs(Box::new(build(a, inline).0)), P_ATOM),
        ("sqrt", [a]) => (Math::Call("√".into(), vec![build(a, inline).0]), P_ATOM),
        ("ite", [c, a, b]) => build(
            &Expr::IfElse(c.clone().into(), a.clone().into(), b.clone().into()),
            ctx,
        ),
        _ => {
            // ANNarchy's `log` is the natural logarithm.
            let shown = if f == "log" { "ln" } else { f };
            let args = args.iter().map(|a| build(a, inline).0).collect();
            (Math::Call(shown.to_owned(), args), P_ATOM)
        }
    }
}

/// The left-hand side of an equation: `x`, `dx/dt` or `factor·dx/dt`.
pub fn lhs(eq: &EquationDesc) -> Math {
    match &eq.kind {
        EqKind::Assign => name(&eq.var),
        EqKind::Ode { factor } => {
            let d = Math::Frac(
                Box::new(Math::Row(vec![op("d"), name(&eq.var)])),
                Box::new(op("dt")),
            );
            match factor {
                None => d,
                Some(f) => Math::Row(vec![
                    wrap(build(f, Ctx { inline: true }), P_MUL),
                    op("·"),
                    d,
                ]),
            }
        }
    }
}

/// The additive terms of `e` at its top level, each with its sign: `a − b + c` →
/// [(+, a), (−, b), (+, c)]; a leading minus belongs to its term.
pub fn additive_terms(e: &Expr) -> Vec<(bool, &Expr)> {
    fn walk<'a>(e: &'a Expr, negative: bool, out: &mut Vec<(bool, &'a Expr)>) {
        match e {
            Expr::Binary(BinOp::Add, a, b) => {
                walk(a, negative, out);
                walk(b, negative, out);
            }
            Expr::Binary(BinOp::Sub, a, b) => {
                walk(a, negative, out);
                walk(b, !negative, out);
            }
            Expr::Unary(UnOp::Neg, a) => walk(a, !negative, out),
            _ => out.push((negative, e)),
        }
    }
    let mut out = Vec::new();
    walk(e, false, &mut out);
    out
}

/// The plain-text form: `x_{sub}`, `(a)/(b)` for stacked fractions, `a^{b}` for powers.
pub fn to_text(m: &Math) -> String {
    let mut s = String::new();
    write_text(m, &mut s);
    s
}

fn write_text(m: &Math, s: &mut String) {
    match m {
        Math::Name { base, sub, .. } => {
            s.push_str(base);
            if !sub.is_empty() {
                s.push_str(&format!("_{{{sub}}}"));
            }
        }
        Math::Num(n) | Math::Op(n) => s.push_str(n),
        Math::Row(items) => items.iter().for_each(|i| write_text(i, s)),
        Math::Frac(a, b) => {
            s.push('(');
            write_text(a, s);
            s.push_str(")/(");
            write_text(b, s);
            s.push(')');
        }
        Math::Pow(a, b) => {
            write_text(a, s);
            s.push_str("^{");
            write_text(b, s);
            s.push('}');
        }
        Math::Paren(a) => {
            s.push('(');
            write_text(a, s);
            s.push(')');
        }
        Math::Call(f, args) => {
            s.push_str(f);
            s.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_text(a, s);
            }
            s.push(')');
        }
        Math::Abs(a) => {
            s.push('|');
            write_text(a, s);
            s.push('|');
        }
    }
}

#[cfg(test)]
#[path = "pretty_tests.rs"]
mod tests;
