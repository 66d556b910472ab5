//! Resolves names and compiles a [`ModelDesc`] into instruction tapes.
//!
//! Stepping follows ANNarchy (annarchy-semantics.md §3): equations run top to bottom;
//! a maximal run of consecutive ODE lines is one block whose derivatives are all
//! computed from the current values before any variable of the block advances;
//! assignments run in place. The spike condition is tested on the new values, and
//! the reset runs at once for the lanes that spiked (§5).

use std::collections::HashMap;

use super::ast::{BinOp, Expr, UnOp};
use super::error::{ModelError, Span};
use super::file::{EqKind, EquationDesc, FunctionDesc, ModelDesc};
use super::fold::{derivative, inline_functions};
use super::limits;
use super::tape::{Op, Tape};

const TEMP: u32 = 1 << 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// Defined by an ODE (`dx/dt = ...`).
    State,
    /// Defined by an assignment (`x = ...`).
    Assigned,
}

#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    pub kind: VarKind,
    pub unit: String,
    pub description: String,
    pub slot: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RandomKind {
    /// A canonical uniform draw in [0, 1).
    Uniform,
    /// A standard normal draw.
    Normal,
}

/// Which per-step program to build.
#[derive(Clone, Copy, PartialEq)]
enum Advance {
    Euler,
    Exponential,
    /// Derivatives only (for multi-stage integrators).
    None,
}

/// A model ready to step: slot layout plus one tape per phase of a step.
#[derive(Clone, Debug)]
pub struct CompiledModel {
    pub desc: ModelDesc,
    pub n_slots: usize,
    /// Slot of each parameter, in `desc.parameters` order.
    pub param_slots: Vec<u32>,
    /// Variables in equation order (the CSV column order).
    pub vars: Vec<VarInfo>,
    pub t_slot: u32,
    pub dt_slot: u32,
    pub constants: Vec<(u32, f64)>,
    /// Random draws in the order ANNarchy fills them each step (§8).
    pub randoms: Vec<(u32, RandomKind)>,
    /// One Euler step including the spike test (ANNarchy order).
    pub euler: Tape,
    /// One exponential-Euler step including the spike test.
    pub exponential: Tape,
    /// Assignments and derivatives without advancing (rk4 stages).
    pub stage: Tape,
    /// (state slot, derivative slot) of every ODE variable.
    pub odes: Vec<(u32, u32)>,
    pub assigned: Vec<u32>,
    pub spike_slot: Option<u32>,
    pub spike: Tape,
    pub reset: Tape,
    pub init: Tape,
    /// Membrane potential, drive and plot groups (declared or inferred).
    pub roles: super::roles::Roles,
}

impl CompiledModel {
    pub fn id(&self) -> &str {
        &self.desc.id
    }

    /// Every parameter's default value, in model order.
    pub fn default_parameters(&self) -> Vec<f64> {
        self.desc.parameters.iter().map(|p| p.default).collect()
    }

    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.desc.parameters.iter().position(|p| p.name == name)
    }

    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.name == name)
    }

    /// Slot of a parameter or variable.
    pub fn slot_of(&self, name: &str) -> Option<u32> {
        self.param_index(name)
            .map(|i| self.param_slots[i])
            .or_else(|| self.var_index(name).map(|i| self.vars[i].slot))
    }

    pub fn has_spike(&self) -> bool {
        self.spike_slot.is_some()
    }
}

const BUILTINS: &[(&str, usize)] = &[
    ("pos", 1),
    ("neg", 1),
    ("abs", 1),
    ("exp", 1),
    ("log", 1),
    ("sqrt", 1),
    ("sin", 1),
    ("cos", 1),
    ("tanh", 1),
    ("pow", 2),
    ("min", 2),
    ("max", 2),
    ("clip", 3),
    ("ite", 3),
    ("Uniform", 2),
    ("Normal", 2),
];

const RESERVED: &[&str] = &["t", "dt", "pi", "if", "else", "and", "or", "not"];

struct Builder<'a> {
    file: &'a str,
    names: HashMap<String, u32>,
    consts: HashMap<u64, u32>,
    const_list: Vec<(u32, f64)>,
    next_slot: u32,
    next_temp: u32,
    max_temp: u32,
    /// Expression nodes the rest of the model may still use (`MAX_MODEL_NODES`).
    nodes_left: usize,
}

impl Builder<'_> {
    fn err(&self, span: Span, msg: impl Into<String>) -> ModelError {
        ModelError::new(self.file, span, msg)
    }

    /// Inlines user functions into `e` within the expression and model size limits.
    fn inlined(
        &mut self,
        e: &Expr,
        functions: &HashMap<String, FunctionDesc>,
        span: Span,
    ) -> Result<Expr, ModelError> {
        let what = "the expression after inlining functions";
        let mut budget = limits::MAX_EXPR_NODES.min(self.nodes_left);
        let Some(out) = inline_functions(e, functions, 0, &mut budget) else {
            let msg = if self.nodes_left < limits::MAX_EXPR_NODES {
                format!(
                    "the model is too large: more than {} expression terms in all (after inlining functions)",
                    limits::MAX_MODEL_NODES
                )
            } else {
                format!(
                    "{what} has more than {} terms; split it into helper variables",
                    limits::MAX_EXPR_NODES
                )
            };
            return Err(self.err(span, msg));
        };
        let nodes = limits::check(&out, what).map_err(|m| self.err(span, m))?;
        self.nodes_left = self.nodes_left.saturating_sub(nodes);
        Ok(out)
    }

    fn persistent(&mut self) -> u32 {
        self.next_slot += 1;
        self.next_slot - 1
    }

    fn temp(&mut self) -> u32 {
        self.next_temp += 1;
        self.max_temp = self.max_temp.max(self.next_temp);
        TEMP | (self.next_temp - 1)
    }

    fn constant(&mut self, v: f64) -> u32 {
        if let Some(&s) = self.consts.get(&v.to_bits()) {
            return s;
        }
        let s = self.persistent();
        self.consts.insert(v.to_bits(), s);
        self.const_list.push((s, v));
        s
    }

    fn emit(&mut self, ops: &mut Vec<Op>, make: impl FnOnce(u32) -> Op) -> u32 {
        let dst = self.temp();
        ops.push(make(dst));
        dst
    }

    /// Compiles `e`, returning the slot that holds its value.
    fn expr(&mut self, e: &Expr, ops: &mut Vec<Op>) -> Result<u32, ModelError> {
        Ok(match e {
            Expr::Num(v) => self.constant(*v),
            Expr::Name(n, span) => match self.names.get(n) {
                Some(&s) => s,
                None => return Err(self.err(*span, format!("undefined name `{n}`"))),
            },
            Expr::Unary(op, a) => {
                let a = self.expr(a, ops)?;
                match op {
                    UnOp::Neg => self.emit(ops, |dst| Op::Neg { dst, a }),
                    UnOp::Not => self.emit(ops, |dst| Op::Not { dst, a }),
                }
            }
            Expr::Binary(BinOp::Pow, a, b) if matches!(**b, Expr::Num(v) if v == 2.0) => {
                let a = self.expr(a, ops)?;
                self.emit(ops, |dst| Op::Square { dst, a })
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.expr(a, ops)?, self.expr(b, ops)?);
                let op = *op;
                self.emit(ops, |dst| binary(op, dst, a, b))
            }
            Expr::IfElse(c, a, b) => {
                let (c, a, b) = (self.expr(c, ops)?, self.expr(a, ops)?, self.expr(b, ops)?);
                self.emit(ops, |dst| Op::Select { dst, c, a, b })
            }
            Expr::Call(name, args, span) => self.call(name, args, *span, ops)?,
        })
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        span: Span,
        ops: &mut Vec<Op>,
    ) -> Result<u32, ModelError> {
        if let Some(kind) = name.strip_prefix("__rand_") {
            // Marked random draw: args = [slot, lo|mean, hi|sd] (see `number_randoms`).
            let Some(Expr::Num(slot)) = args.first() else {
                return Err(self.err(span, "internal: malformed random draw"));
            };
            let raw = *slot as u32;
            let (p, q) = (self.expr(&args[1], ops)?, self.expr(&args[2], ops)?);
            let plain = |e: &Expr, v: f64| matches!(e, Expr::Num(x) if *x == v);
            return Ok(if kind == "u" {
                if plain(&args[1], 0.0) && plain(&args[2], 1.0) {
                    raw
                } else {
                    // libstdc++ uniform_real_distribution: U * (b - a) + a.
                    let width = self.emit(ops, |dst| Op::Sub { dst, a: q, b: p });
                    let scaled = self.emit(ops, |dst| Op::Mul {
                        dst,
                        a: raw,
                        b: width,
                    });
                    self.emit(ops, |dst| Op::Add {
                        dst,
                        a: scaled,
                        b: p,
                    })
                }
            } else if plain(&args[1], 0.0) && plain(&args[2], 1.0) {
                raw
            } else {
                // libstdc++ normal_distribution: z * sd + mean.
                let scaled = self.emit(ops, |dst| Op::Mul { dst, a: raw, b: q });
                self.emit(ops, |dst| Op::Add {
                    dst,
                    a: scaled,
                    b: p,
                })
            });
        }
        let Some(&(_, arity)) = BUILTINS.iter().find(|(n, _)| *n == name) else {
            return Err(self.err(span, format!("unknown function `{name}`")));
        };
        if args.len() != arity {
            return Err(self.err(
                span,
                format!("`{name}` takes {arity} argument(s), got {}", args.len()),
            ));
        }
        let mut slots = Vec::with_capacity(args.len());
        for a in args {
            slots.push(self.expr(a, ops)?);
        }
        let a = slots[0];
        Ok(match name {
            "pos" => self.emit(ops, |dst| Op::PosPart { dst, a }),
            "neg" => self.emit(ops, |dst| Op::NegPart { dst, a }),
            "abs" => self.emit(ops, |dst| Op::Abs { dst, a }),
            "exp" => self.emit(ops, |dst| Op::Exp { dst, a }),
            "log" => self.emit(ops, |dst| Op::Log { dst, a }),
            "sqrt" => self.emit(ops, |dst| Op::Sqrt { dst, a }),
            "sin" => self.emit(ops, |dst| Op::Sin { dst, a }),
            "cos" => self.emit(ops, |dst| Op::Cos { dst, a }),
            "tanh" => self.emit(ops, |dst| Op::Tanh { dst, a }),
            "pow" if matches!(args[1], Expr::Num(v) if v == 2.0) => {
                self.emit(ops, |dst| Op::Square { dst, a })
            }
            "pow" => self.emit(ops, |dst| Op::Pow {
                dst,
                a,
                b: slots[1],
            }),
            "min" => self.emit(ops, |dst| Op::Min {
                dst,
                a,
                b: slots[1],
            }),
            "max" => self.emit(ops, |dst| Op::Max {
                dst,
                a,
                b: slots[1],
            }),
            "clip" => self.emit(ops, |dst| Op::Clip {
                dst,
                x: a,
                lo: slots[1],
                hi: slots[2],
            }),
            "ite" => self.emit(ops, |dst| Op::Select {
                dst,
                c: a,
                a: slots[1],
                b: slots[2],
            }),
            _ => return Err(self.err(span, format!("random draw `{name}` in an unexpected place"))),
        })
    }

    /// Compiles `e` and makes its value land in `target`.
    fn store(&mut self, e: &Expr, target: u32, ops: &mut Vec<Op>) -> Result<(), ModelError> {
        self.next_temp = 0;
        let before = ops.len();
        let r = self.expr(e, ops)?;
        // Retarget the instruction that produced a temporary instead of copying it.
        if r & TEMP != 0
            && ops.len() > before
            && let Some(last) = ops.last_mut()
            && *last.dst_mut() == r
        {
            *last.dst_mut() = target;
            return Ok(());
        }
        ops.push(Op::Copy { dst: target, a: r });
        Ok(())
    }

    fn finish(&self, ops: Vec<Op>, n_slots: usize) -> Tape {
        let mut ops = super::tape::fuse_pairs(ops, |s| s & TEMP != 0);
        let base = self.next_slot;
        for op in &mut ops {
            for s in op.slots_mut() {
                if *s & TEMP != 0 {
                    *s = base + (*s & !TEMP);
                }
            }
        }
        // Every slot was allocated by this builder, so validation cannot fail.
        Tape::with_temps(ops, n_slots, base).unwrap_or_default()
    }
}

fn binary(op: BinOp, dst: u32, a: u32, b: u32) -> Op {
    match op {
        BinOp::Add => Op::Add { dst, a, b },
        BinOp::Sub => Op::Sub { dst, a, b },
        BinOp::Mul => Op::Mul { dst, a, b },
        BinOp::Div => Op::Div { dst, a, b },
        BinOp::Pow => Op::Pow { dst, a, b },
        BinOp::Lt => Op::Lt { dst, a, b },
        BinOp::Le => Op::Le { dst, a, b },
        BinOp::Gt => Op::Gt { dst, a, b },
        BinOp::Ge => Op::Ge { dst, a, b },
        BinOp::Eq => Op::Eq { dst, a, b },
        BinOp::Ne => Op::Ne { dst, a, b },
        BinOp::And => Op::And { dst, a, b },
        BinOp::Or => Op::Or { dst, a, b },
    }
}

/// Replaces `Uniform(a,b)` / `Normal(m,s)` by numbered draws, allocating one slot per
/// occurrence in order of appearance (ANNarchy's `rand_0`, `rand_1`, ...).
fn number_randoms(
    e: &Expr,
    b: &mut Builder,
    randoms: &mut Vec<(u32, RandomKind)>,
) -> Result<Expr, ModelError> {
    Ok(match e {
        Expr::Num(_) | Expr::Name(..) => e.clone(),
        Expr::Unary(op, a) => Expr::Unary(*op, Box::new(number_randoms(a, b, randoms)?)),
        Expr::Binary(op, x, y) => Expr::Binary(
            *op,
            Box::new(number_randoms(x, b, randoms)?),
            Box::new(number_randoms(y, b, randoms)?),
        ),
        Expr::IfElse(c, x, y) => Expr::IfElse(
            Box::new(number_randoms(c, b, randoms)?),
            Box::new(number_randoms(x, b, randoms)?),
            Box::new(number_randoms(y, b, randoms)?),
        ),
        Expr::Call(name, args, span) => {
            let mut new_args = Vec::with_capacity(args.len() + 1);
            for a in args {
                new_args.push(number_randoms(a, b, randoms)?);
            }
            let kind = match name.as_str() {
                "Uniform" => Some((RandomKind::Uniform, "__rand_u")),
                "Normal" => Some((RandomKind::Normal, "__rand_n")),
                _ => None,
            };
            match kind {
                Some((kind, marker)) => {
                    if args.len() != 2 {
                        return Err(b.err(
                            *span,
                            format!("`{name}` takes 2 arguments, got {}", args.len()),
                        ));
                    }
                    let slot = b.persistent();
                    randoms.push((slot, kind));
                    new_args.insert(0, Expr::Num(f64::from(slot)));
                    Expr::Call(marker.into(), new_args, *span)
                }
                None => Expr::Call(name.clone(), new_args, *span),
            }
        }
    })
}

/// Compiles a parsed model. Rejects duplicate definitions, undefined names, unknown
/// functions and wrong argument counts with the position of the offending text.
pub fn compile(desc: ModelDesc) -> Result<CompiledModel, ModelError> {
    let file = desc.file.clone();
    let mut b = Builder {
        file: &file,
        names: HashMap::new(),
        consts: HashMap::new(),
        const_list: Vec::new(),
        next_slot: 0,
        next_temp: 0,
        max_temp: 0,
        nodes_left: limits::MAX_MODEL_NODES,
    };
    let functions = check_functions(&b, &desc)?;

    let mut param_slots = Vec::new();
    for p in &desc.parameters {
        if RESERVED.contains(&p.name.as_str()) || BUILTINS.iter().any(|(n, _)| *n == p.name) {
            return Err(b.err(
                p.span,
                format!("`{}` is reserved and cannot be a parameter", p.name),
            ));
        }
        if b.names.contains_key(&p.name) {
            return Err(b.err(p.span, format!("parameter `{}` is defined twice", p.name)));
        }
        let s = b.persistent();
        b.names.insert(p.name.clone(), s);
        param_slots.push(s);
    }
    let mut vars = Vec::new();
    for eq in &desc.equations {
        if RESERVED.contains(&eq.var.as_str()) || functions.contains_key(&eq.var) {
            return Err(b.err(
                eq.span,
                format!("`{}` is reserved and cannot be a variable", eq.var),
            ));
        }
        if b.names.contains_key(&eq.var) {
            let what = if desc.parameters.iter().any(|p| p.name == eq.var) {
                "a parameter"
            } else {
                "a variable"
            };
            return Err(b.err(
                eq.span,
                format!("`{}` is already defined as {what}", eq.var),
            ));
        }
        let s = b.persistent();
        b.names.insert(eq.var.clone(), s);
        let kind = match eq.kind {
            EqKind::Assign => VarKind::Assigned,
            EqKind::Ode { .. } => VarKind::State,
        };
        vars.push(VarInfo {
            name: eq.var.clone(),
            kind,
            unit: eq.unit.clone(),
            description: eq.description.clone(),
            slot: s,
        });
    }
    let roles = super::roles::resolve(&desc, &vars)?;
    let t_slot = b.persistent();
    let dt_slot = b.persistent();
    b.names.insert("t".into(), t_slot);
    b.names.insert("dt".into(), dt_slot);
    let pi = b.constant(std::f64::consts::PI);
    b.names.insert("pi".into(), pi);

    // Inline functions and number random draws once, so every program (Euler,
    // exponential, stages) reads the same draw slots.
    let mut randoms = Vec::new();
    let mut prepared = Vec::new();
    for eq in &desc.equations {
        let rhs = number_randoms(
            &b.inlined(&eq.rhs, &functions, eq.span)?,
            &mut b,
            &mut randoms,
        )?;
        let factor = match &eq.kind {
            EqKind::Ode { factor: Some(f) } => Some(number_randoms(
                &b.inlined(f, &functions, eq.span)?,
                &mut b,
                &mut randoms,
            )?),
            _ => None,
        };
        prepared.push((eq, rhs, factor));
    }
    let spike = match &desc.spike {
        Some((e, _, span)) => Some(number_randoms(
            &b.inlined(e, &functions, *span)?,
            &mut b,
            &mut randoms,
        )?),
        None => None,
    };
    let mut resets = Vec::new();
    for r in &desc.reset {
        let Some(&slot) = b.names.get(&r.var) else {
            return Err(b.err(
                r.span,
                format!(
                    "reset assigns `{}`, which is not a variable of the model",
                    r.var
                ),
            ));
        };
        if !vars.iter().any(|v| v.slot == slot) {
            return Err(b.err(
                r.span,
                format!(
                    "reset may only assign variables; `{}` is a parameter",
                    r.var
                ),
            ));
        }
        resets.push((
            slot,
            number_randoms(
                &b.inlined(&r.rhs, &functions, r.span)?,
                &mut b,
                &mut randoms,
            )?,
        ));
    }

    let mut odes = Vec::new();
    let mut jac = HashMap::new();
    for (eq, _, _) in &prepared {
        if matches!(eq.kind, EqKind::Ode { .. }) {
            let var = b.names[&eq.var];
            let d = b.persistent();
            jac.insert(var, b.persistent());
            odes.push((var, d));
        }
    }
    let deriv_of: HashMap<u32, u32> = odes.iter().copied().collect();
    let spike_slot = spike.as_ref().map(|_| b.persistent());

    let mut spike_ops = Vec::new();
    if let (Some(e), Some(s)) = (&spike, spike_slot) {
        b.store(e, s, &mut spike_ops)?;
    }
    // The single-stage programs end with the spike test, saving a second dispatch
    // per step; rk4 runs `spike` on its own after combining the stages.
    let mut euler = program(&mut b, &prepared, &deriv_of, &jac, Advance::Euler)?;
    euler.extend_from_slice(&spike_ops);
    let mut exponential = program(&mut b, &prepared, &deriv_of, &jac, Advance::Exponential)?;
    exponential.extend_from_slice(&spike_ops);
    let stage = program(&mut b, &prepared, &deriv_of, &jac, Advance::None)?;
    let mut reset_ops = Vec::new();
    for (slot, rhs) in &resets {
        b.next_temp = 0;
        let r = b.expr(rhs, &mut reset_ops)?;
        // `spike_slot` exists whenever a reset runs; without a spike rule it never does.
        let mask = spike_slot.unwrap_or(*slot);
        reset_ops.push(Op::Masked {
            dst: *slot,
            a: r,
            mask,
        });
    }
    let mut init_ops = Vec::new();
    for eq in &desc.equations {
        if let Some(init) = &eq.init {
            let target = b.names[&eq.var];
            let init = b.inlined(init, &functions, eq.span)?;
            b.store(&init, target, &mut init_ops)?;
        }
    }

    let n_slots = (b.next_slot + b.max_temp) as usize;
    let assigned = vars
        .iter()
        .filter(|v| v.kind == VarKind::Assigned)
        .map(|v| v.slot)
        .collect();
    Ok(CompiledModel {
        n_slots,
        param_slots,
        vars,
        t_slot,
        dt_slot,
        constants: b.const_list.clone(),
        randoms,
        euler: b.finish(euler, n_slots),
        exponential: b.finish(exponential, n_slots),
        stage: b.finish(stage, n_slots),
        odes,
        assigned,
        spike_slot,
        spike: b.finish(spike_ops, n_slots),
        reset: b.finish(reset_ops, n_slots),
        init: b.finish(init_ops, n_slots),
        roles,
        desc,
    })
}

type Prepared<'a> = (&'a EquationDesc, Expr, Option<Expr>);

fn program(
    b: &mut Builder,
    lines: &[Prepared],
    deriv_of: &HashMap<u32, u32>,
    jac: &HashMap<u32, u32>,
    advance: Advance,
) -> Result<Vec<Op>, ModelError> {
    let mut ops = Vec::new();
    let mut block: Vec<u32> = Vec::new();
    let flush = |block: &mut Vec<u32>, ops: &mut Vec<Op>| {
        for &x in block.iter() {
            match advance {
                Advance::Euler => ops.push(Op::Euler {
                    x,
                    dx: deriv_of[&x],
                }),
                Advance::Exponential => ops.push(Op::ExpEuler {
                    x,
                    f: deriv_of[&x],
                    b: jac[&x],
                }),
                Advance::None => {}
            }
        }
        block.clear();
    };
    for (eq, rhs, factor) in lines {
        let var = b.names[&eq.var];
        match &eq.kind {
            EqKind::Assign => {
                flush(&mut block, &mut ops);
                b.store(rhs, var, &mut ops)?;
            }
            EqKind::Ode { .. } => {
                let d = deriv_of[&var];
                let f = match factor {
                    Some(fac) => Expr::bin(BinOp::Div, rhs.clone(), fac.clone()),
                    None => rhs.clone(),
                };
                b.store(&f, d, &mut ops)?;
                if advance == Advance::Exponential {
                    let df = derivative(&f, &eq.var);
                    let what = format!("the derivative of d{}/dt (for exponential Euler)", eq.var);
                    limits::check_derivative(&df, &what).map_err(|m| b.err(eq.span, m))?;
                    b.store(&df, jac[&var], &mut ops)?;
                }
                block.push(var);
            }
        }
    }
    flush(&mut block, &mut ops);
    Ok(ops)
}

fn check_functions(
    b: &Builder,
    desc: &ModelDesc,
) -> Result<HashMap<String, FunctionDesc>, ModelError> {
    let mut map: HashMap<String, FunctionDesc> = HashMap::new();
    for f in &desc.functions {
        if BUILTINS.iter().any(|(n, _)| *n == f.name) || RESERVED.contains(&f.name.as_str()) {
            return Err(b.err(
                f.span,
                format!("`{}` is a built-in name and cannot be redefined", f.name),
            ));
        }
        if map.contains_key(&f.name) || desc.parameters.iter().any(|p| p.name == f.name) {
            return Err(b.err(f.span, format!("`{}` is defined twice", f.name)));
        }
        let mut bad = None;
        f.body.visit_names(&mut |n, s| {
            let known = f.args.iter().any(|a| a == n)
                || desc.parameters.iter().any(|p| p.name == n)
                || desc.equations.iter().any(|e| e.var == n)
                || RESERVED.contains(&n);
            if !known && bad.is_none() {
                bad = Some((n.to_owned(), s));
            }
        });
        if let Some((n, s)) = bad {
            return Err(b.err(s, format!("undefined name `{n}` in function `{}`", f.name)));
        }
        // Only built-ins and functions defined above may be called: this rules out
        // recursion, which inlining would unroll exponentially.
        if let Some((callee, span)) = first_call(&f.body, &|n| {
            BUILTINS.iter().any(|(b, _)| *b == n) || map.contains_key(n)
        }) {
            return Err(b.err(
                span,
                format!(
                    "function `{}` calls `{callee}`, which is not a built-in or a function defined above it (recursion is not allowed)",
                    f.name
                ),
            ));
        }
        map.insert(f.name.clone(), f.clone());
    }
    Ok(map)
}

/// The first call in `e` to a function that `allowed` rejects.
fn first_call(e: &Expr, allowed: &dyn Fn(&str) -> bool) -> Option<(String, Span)> {
    match e {
        Expr::Num(_) | Expr::Name(..) => None,
        Expr::Unary(_, a) => first_call(a, allowed),
        Expr::Binary(_, a, b) => first_call(a, allowed).or_else(|| first_call(b, allowed)),
        Expr::IfElse(c, a, b) => first_call(c, allowed)
            .or_else(|| first_call(a, allowed))
            .or_else(|| first_call(b, allowed)),
        Expr::Call(name, args, span) => {
            if !allowed(name) {
                return Some((name.clone(), *span));
            }
            args.iter().find_map(|a| first_call(a, allowed))
        }
    }
}
