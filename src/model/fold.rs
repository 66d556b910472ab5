//! Constant folding, function inlining and symbolic differentiation on expression
//! trees. Differentiation serves the exponential-Euler integrator, which needs the
//! derivative of each right-hand side with respect to its own variable.

use std::collections::HashMap;

use super::ast::{BinOp, Expr, UnOp};
use super::file::FunctionDesc;

/// The value of an expression made of numbers only (`-1e-3`, `2*3`), if it is one.
pub fn constant_value(e: &Expr) -> Option<f64> {
    match e {
        Expr::Num(v) => Some(*v),
        Expr::Unary(UnOp::Neg, a) => constant_value(a).map(|v| -v),
        Expr::Binary(op, a, b) => {
            let (a, b) = (constant_value(a)?, constant_value(b)?);
            match op {
                BinOp::Add => Some(a + b),
                BinOp::Sub => Some(a - b),
                BinOp::Mul => Some(a * b),
                BinOp::Div => Some(a / b),
                BinOp::Pow => Some(a.powf(b)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Takes one node from the budget; `None` once it is spent.
fn spend(budget: &mut usize, nodes: usize) -> Option<()> {
    *budget = budget.checked_sub(nodes)?;
    Some(())
}

/// Replaces every call of a user function by its body with the arguments substituted.
/// Functions may call functions defined before them; recursion is cut at depth 32.
/// Every node built is taken from `budget`: `None` when the inlined expression would
/// exceed it (functions calling functions can grow exponentially).
pub fn inline_functions(
    e: &Expr,
    functions: &HashMap<String, FunctionDesc>,
    depth: usize,
    budget: &mut usize,
) -> Option<Expr> {
    spend(budget, 1)?;
    let mut inline = |a: &Expr| inline_functions(a, functions, depth, budget).map(Box::new);
    Some(match e {
        Expr::Num(_) | Expr::Name(..) => e.clone(),
        Expr::Unary(op, a) => Expr::Unary(*op, inline(a)?),
        Expr::Binary(op, a, b) => Expr::Binary(*op, inline(a)?, inline(b)?),
        Expr::IfElse(c, a, b) => Expr::IfElse(inline(c)?, inline(a)?, inline(b)?),
        Expr::Call(name, args, span) => {
            let args: Vec<Expr> = args
                .iter()
                .map(|a| inline_functions(a, functions, depth, budget))
                .collect::<Option<_>>()?;
            match functions.get(name) {
                Some(f) if depth < 32 && f.args.len() == args.len() => {
                    let map: HashMap<&str, (&Expr, usize)> = f
                        .args
                        .iter()
                        .map(String::as_str)
                        .zip(args.iter().map(|a| (a, super::limits::measure(a).1)))
                        .collect();
                    let body = substitute(&f.body, &map, budget)?;
                    inline_functions(&body, functions, depth + 1, budget)?
                }
                _ => Expr::Call(name.clone(), args, *span),
            }
        }
    })
}

/// Replaces names by expressions (with their node counts, taken from `budget`).
fn substitute(e: &Expr, map: &HashMap<&str, (&Expr, usize)>, budget: &mut usize) -> Option<Expr> {
    spend(budget, 1)?;
    let mut sub = |a: &Expr| substitute(a, map, budget).map(Box::new);
    Some(match e {
        Expr::Name(n, _) => match map.get(n.as_str()) {
            Some((r, nodes)) => {
                spend(budget, *nodes)?;
                (*r).clone()
            }
            None => e.clone(),
        },
        Expr::Num(_) => e.clone(),
        Expr::Unary(op, a) => Expr::Unary(*op, sub(a)?),
        Expr::Binary(op, a, b) => Expr::Binary(*op, sub(a)?, sub(b)?),
        Expr::IfElse(c, a, b) => Expr::IfElse(sub(c)?, sub(a)?, sub(b)?),
        Expr::Call(n, args, s) => Expr::Call(
            n.clone(),
            args.iter()
                .map(|a| substitute(a, map, budget))
                .collect::<Option<_>>()?,
            *s,
        ),
    })
}

fn is_zero(e: &Expr) -> bool {
    matches!(e, Expr::Num(v) if *v == 0.0)
}

fn is_one(e: &Expr) -> bool {
    matches!(e, Expr::Num(v) if *v == 1.0)
}

fn add(a: Expr, b: Expr) -> Expr {
    if is_zero(&a) {
        b
    } else if is_zero(&b) {
        a
    } else {
        Expr::bin(BinOp::Add, a, b)
    }
}

fn sub(a: Expr, b: Expr) -> Expr {
    if is_zero(&b) {
        a
    } else if is_zero(&a) {
        neg(b)
    } else {
        Expr::bin(BinOp::Sub, a, b)
    }
}

fn mul(a: Expr, b: Expr) -> Expr {
    if is_zero(&a) || is_zero(&b) {
        Expr::Num(0.0)
    } else if is_one(&a) {
        b
    } else if is_one(&b) {
        a
    } else {
        Expr::bin(BinOp::Mul, a, b)
    }
}

fn div(a: Expr, b: Expr) -> Expr {
    if is_zero(&a) {
        Expr::Num(0.0)
    } else if is_one(&b) {
        a
    } else {
        Expr::bin(BinOp::Div, a, b)
    }
}

fn neg(a: Expr) -> Expr {
    match a {
        Expr::Num(v) => Expr::Num(-v),
        other => Expr::Unary(UnOp::Neg, Box::new(other)),
    }
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Call(name.to_owned(), args, Default::default())
}

fn ite(c: Expr, a: Expr, b: Expr) -> Expr {
    if a == b {
        a
    } else {
        Expr::IfElse(Box::new(c), Box::new(a), Box::new(b))
    }
}

fn depends_on(e: &Expr, var: &str) -> bool {
    let mut found = false;
    e.visit_names(&mut |n, _| found |= n == var);
    found
}

/// d e / d var, treating every other name (parameters, assigned variables, other
/// states) as constant. Functions must already be inlined. Random draws are constant.
pub fn derivative(e: &Expr, var: &str) -> Expr {
    match e {
        Expr::Num(_) => Expr::Num(0.0),
        Expr::Name(n, _) => Expr::Num(if n == var { 1.0 } else { 0.0 }),
        Expr::Unary(UnOp::Neg, a) => neg(derivative(a, var)),
        Expr::Unary(UnOp::Not, _) => Expr::Num(0.0),
        Expr::Binary(op, a, b) => {
            let (da, db) = (derivative(a, var), derivative(b, var));
            let (a, b) = ((**a).clone(), (**b).clone());
            match op {
                BinOp::Add => add(da, db),
                BinOp::Sub => sub(da, db),
                BinOp::Mul => add(mul(da, b.clone()), mul(a, db)),
                BinOp::Div => {
                    if is_zero(&db) {
                        div(da, b)
                    } else {
                        div(sub(mul(da, b.clone()), mul(a, db)), mul(b.clone(), b))
                    }
                }
                BinOp::Pow => power_derivative(a, b, da, db, var),
                _ => Expr::Num(0.0),
            }
        }
        Expr::IfElse(c, a, b) => ite((**c).clone(), derivative(a, var), derivative(b, var)),
        Expr::Call(name, args, _) => call_derivative(name, args, var),
    }
}

fn power_derivative(a: Expr, b: Expr, da: Expr, db: Expr, var: &str) -> Expr {
    if !depends_on(&b, var) {
        // b * a^(b-1) * a'
        let pow = Expr::bin(BinOp::Pow, a, sub(b.clone(), Expr::Num(1.0)));
        return mul(mul(b, pow), da);
    }
    // a^b * (b' ln a + b a' / a)
    let whole = Expr::bin(BinOp::Pow, a.clone(), b.clone());
    let inner = add(mul(db, call("log", vec![a.clone()])), div(mul(b, da), a));
    mul(whole, inner)
}

fn call_derivative(name: &str, args: &[Expr], var: &str) -> Expr {
    let d = |i: usize| args.get(i).map_or(Expr::Num(0.0), |a| derivative(a, var));
    let a = || args.first().cloned().unwrap_or(Expr::Num(0.0));
    let zero = || Expr::Num(0.0);
    match name {
        "exp" => mul(call("exp", vec![a()]), d(0)),
        "log" => div(d(0), a()),
        "sqrt" => div(d(0), mul(Expr::Num(2.0), call("sqrt", vec![a()]))),
        "sin" => mul(call("cos", vec![a()]), d(0)),
        "cos" => neg(mul(call("sin", vec![a()]), d(0))),
        "tanh" => {
            let t = call("tanh", vec![a()]);
            mul(sub(Expr::Num(1.0), mul(t.clone(), t)), d(0))
        }
        "abs" => ite(Expr::bin(BinOp::Ge, a(), zero()), d(0), neg(d(0))),
        "pos" => ite(Expr::bin(BinOp::Gt, a(), zero()), d(0), zero()),
        "neg" => ite(Expr::bin(BinOp::Lt, a(), zero()), d(0), zero()),
        "pow" if args.len() == 2 => {
            power_derivative(args[0].clone(), args[1].clone(), d(0), d(1), var)
        }
        "min" if args.len() == 2 => ite(
            Expr::bin(BinOp::Le, args[0].clone(), args[1].clone()),
            d(0),
            d(1),
        ),
        "max" if args.len() == 2 => ite(
            Expr::bin(BinOp::Ge, args[0].clone(), args[1].clone()),
            d(0),
            d(1),
        ),
        "clip" if args.len() == 3 => ite(
            Expr::bin(BinOp::Lt, args[0].clone(), args[1].clone()),
            d(1),
            ite(
                Expr::bin(BinOp::Gt, args[0].clone(), args[2].clone()),
                d(2),
                d(0),
            ),
        ),
        "ite" if args.len() == 3 => ite(args[0].clone(), d(1), d(2)),
        _ => zero(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parser::parse_expr;

    fn p(s: &str) -> Expr {
        parse_expr(s, 1, 1).unwrap()
    }

    fn eval(e: &Expr, x: f64) -> f64 {
        match e {
            Expr::Num(v) => *v,
            Expr::Name(..) => x,
            Expr::Unary(UnOp::Neg, a) => -eval(a, x),
            Expr::Binary(op, a, b) => {
                let (a, b) = (eval(a, x), eval(b, x));
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    BinOp::Pow => a.powf(b),
                    BinOp::Gt => f64::from(a > b),
                    BinOp::Ge => f64::from(a >= b),
                    BinOp::Lt => f64::from(a < b),
                    _ => unimplemented!(),
                }
            }
            Expr::IfElse(c, a, b) => {
                if eval(c, x) != 0.0 {
                    eval(a, x)
                } else {
                    eval(b, x)
                }
            }
            Expr::Call(n, args, _) => {
                let a = eval(&args[0], x);
                match n.as_str() {
                    "exp" => a.exp(),
                    "log" => a.ln(),
                    "sqrt" => a.sqrt(),
                    "sin" => a.sin(),
                    "cos" => a.cos(),
                    "tanh" => a.tanh(),
                    _ => unimplemented!("{n}"),
                }
            }
            _ => unimplemented!(),
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let cases = [
            "3*x*x - 2*x + 1",
            "(0.5 - x) / 2.5",
            "exp(-x / 3) * sin(x)",
            "x ** 3 / (1 + x)",
            "sqrt(1 + x*x) - log(2 + x)",
            "tanh(x) * cos(2*x)",
            "if x > 0.3: x**2 else: -x",
            "2 ** x",
        ];
        for src in cases {
            let e = p(src);
            let d = derivative(&e, "x");
            for &x in &[0.1, 0.7, 1.9] {
                let h = 1e-6;
                let fd = (eval(&e, x + h) - eval(&e, x - h)) / (2.0 * h);
                let exact = eval(&d, x);
                assert!(
                    (fd - exact).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{src} at {x}: {fd} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn inlines_functions_with_argument_substitution() {
        let f = FunctionDesc {
            name: "f".into(),
            args: vec!["x".into(), "y".into()],
            body: p("x * 10 + y"),
            text: String::new(),
            span: Default::default(),
        };
        let map = HashMap::from([("f".to_owned(), f)]);
        let e = inline_functions(&p("f(2, f(3, 4))"), &map, 0, &mut 1000).unwrap();
        assert_eq!(constant_value(&e), Some(54.0));
    }

    #[test]
    fn folds_constants() {
        assert_eq!(constant_value(&p("-2 * 3 + 1")), Some(-5.0));
        assert_eq!(constant_value(&p("x + 1")), None);
    }
}
