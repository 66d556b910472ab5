//! Bounds on model files, so that hostile or broken input is refused cheaply with a
//! file:line:column message instead of exhausting the stack or memory.
//!
//! The parser, the function inliner, differentiation and the compiler all recurse
//! over expression trees; these limits keep that recursion shallow (a tree is never
//! deeper than [`MAX_EXPR_DEPTH`]) and the work linear in the file's size. The
//! built-in models use a small fraction of each (see the test below).

use super::ast::Expr;

/// Largest model file accepted, in bytes.
pub const MAX_MODEL_BYTES: usize = 1 << 20;
/// Most logical lines (parameters, equations, resets, functions) in one file.
pub const MAX_MODEL_LINES: usize = 5_000;
/// Most tokens in one expression.
pub const MAX_EXPR_TOKENS: usize = 2_000;
/// Deepest nesting the parser follows: brackets, signs, `not`, `if`, calls, `**`.
pub const MAX_NESTING: usize = 64;
/// Deepest expression tree, also after inlining functions and differentiating
/// (a long chain `a + b + c + ...` is a deep tree).
pub const MAX_EXPR_DEPTH: usize = 200;
/// Most nodes in one expression after inlining functions.
pub const MAX_EXPR_NODES: usize = 20_000;
/// Most expression nodes in the whole model after inlining (bounds the tapes).
pub const MAX_MODEL_NODES: usize = 400_000;

/// Depth and node count of an expression tree, measured without recursion.
pub fn measure(e: &Expr) -> (usize, usize) {
    let mut stack = vec![(e, 1usize)];
    let (mut depth, mut nodes) = (0, 0);
    while let Some((e, d)) = stack.pop() {
        depth = depth.max(d);
        nodes += 1;
        match e {
            Expr::Num(_) | Expr::Name(..) => {}
            Expr::Unary(_, a) => stack.push((a, d + 1)),
            Expr::Binary(_, a, b) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            Expr::Call(_, args, _) => stack.extend(args.iter().map(|a| (a, d + 1))),
            Expr::IfElse(c, a, b) => {
                stack.push((c, d + 1));
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
        }
    }
    (depth, nodes)
}

/// Checks an expression against the depth and size limits; `what` says which
/// stage built it ("expression", "expression after inlining functions", ...).
pub fn check(e: &Expr, what: &str) -> Result<usize, String> {
    check_within(e, what, MAX_EXPR_DEPTH, MAX_EXPR_NODES)
}

/// A derivative may be deeper and larger than what it was taken of (the product and
/// chain rules copy subtrees), so it gets wider bounds, still far from the stack's.
pub fn check_derivative(e: &Expr, what: &str) -> Result<usize, String> {
    check_within(e, what, 4 * MAX_EXPR_DEPTH, 50 * MAX_EXPR_NODES)
}

fn check_within(e: &Expr, what: &str, max_depth: usize, max_nodes: usize) -> Result<usize, String> {
    let (depth, nodes) = measure(e);
    if depth > max_depth {
        return Err(format!(
            "{what} is nested {depth} levels deep (limit {max_depth}); split it into helper variables"
        ));
    }
    if nodes > max_nodes {
        return Err(format!(
            "{what} has {nodes} terms (limit {max_nodes}); split it into helper variables"
        ));
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::BUILTIN_SOURCES;
    use crate::model::file::parse_model_file;

    #[test]
    fn built_in_models_stay_far_below_the_limits() {
        for (id, src) in BUILTIN_SOURCES {
            assert!(src.len() < MAX_MODEL_BYTES / 10, "{id}");
            let desc = parse_model_file(id, src).unwrap();
            for eq in &desc.equations {
                let (depth, nodes) = measure(&eq.rhs);
                assert!(depth < MAX_EXPR_DEPTH / 4, "{id} {}: depth {depth}", eq.var);
                assert!(nodes < MAX_EXPR_NODES / 10, "{id} {}: {nodes}", eq.var);
            }
        }
    }
}
