//! The compiled form of a model: flat instruction tapes over numbered slots.
//!
//! Slot `s` of lane `i` lives at `s * lanes + i`, so every instruction runs over all
//! lanes of one slot at once (struct of arrays). With many lanes the interpretation
//! cost is spread over the lanes and the inner loops vectorise; with one lane a step
//! is a short run over a few dozen instructions with no allocation and no look-ups.
//! The built-in models' tapes also run as compiled kernels (see [`super::kernel`]).

use super::kernel::Kernel;

/// One instruction. Operands are slot numbers; booleans are 0.0 / 1.0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Copy {
        dst: u32,
        a: u32,
    },
    Add {
        dst: u32,
        a: u32,
        b: u32,
    },
    Sub {
        dst: u32,
        a: u32,
        b: u32,
    },
    Mul {
        dst: u32,
        a: u32,
        b: u32,
    },
    Div {
        dst: u32,
        a: u32,
        b: u32,
    },
    Pow {
        dst: u32,
        a: u32,
        b: u32,
    },
    Square {
        dst: u32,
        a: u32,
    },
    Neg {
        dst: u32,
        a: u32,
    },
    Exp {
        dst: u32,
        a: u32,
    },
    Log {
        dst: u32,
        a: u32,
    },
    Sqrt {
        dst: u32,
        a: u32,
    },
    Sin {
        dst: u32,
        a: u32,
    },
    Cos {
        dst: u32,
        a: u32,
    },
    Tanh {
        dst: u32,
        a: u32,
    },
    Abs {
        dst: u32,
        a: u32,
    },
    /// ANNarchy's `pos`: `x > 0 ? x : 0`.
    PosPart {
        dst: u32,
        a: u32,
    },
    /// ANNarchy's `neg`: `x < 0 ? x : 0`.
    NegPart {
        dst: u32,
        a: u32,
    },
    Not {
        dst: u32,
        a: u32,
    },
    Lt {
        dst: u32,
        a: u32,
        b: u32,
    },
    Le {
        dst: u32,
        a: u32,
        b: u32,
    },
    Gt {
        dst: u32,
        a: u32,
        b: u32,
    },
    Ge {
        dst: u32,
        a: u32,
        b: u32,
    },
    Eq {
        dst: u32,
        a: u32,
        b: u32,
    },
    Ne {
        dst: u32,
        a: u32,
        b: u32,
    },
    And {
        dst: u32,
        a: u32,
        b: u32,
    },
    Or {
        dst: u32,
        a: u32,
        b: u32,
    },
    Min {
        dst: u32,
        a: u32,
        b: u32,
    },
    Max {
        dst: u32,
        a: u32,
        b: u32,
    },
    /// `dst = c != 0 ? a : b` (ANNarchy's `ite`, `if/else`).
    Select {
        dst: u32,
        c: u32,
        a: u32,
        b: u32,
    },
    /// `dst = x < lo ? lo : (x > hi ? hi : x)` (ANNarchy's `clip`).
    Clip {
        dst: u32,
        x: u32,
        lo: u32,
        hi: u32,
    },
    /// `dst = mask != 0 ? a : dst` (reset statements run only where a lane spiked).
    Masked {
        dst: u32,
        a: u32,
        mask: u32,
    },
    /// Fused pairs (a peephole pass merges an instruction into its single consumer,
    /// saving a store and a load per lane; each keeps the two IEEE roundings of the
    /// pair, so results are bit-identical to the unfused tape).
    /// `dst = c * (a - b)`.
    MulOfSub {
        dst: u32,
        c: u32,
        a: u32,
        b: u32,
    },
    /// `dst = a * b + c`.
    MulAdd {
        dst: u32,
        a: u32,
        b: u32,
        c: u32,
    },
    /// `dst = a * b - c`.
    MulSub {
        dst: u32,
        a: u32,
        b: u32,
        c: u32,
    },
    /// `dst = (a - b) + c`.
    SubAdd {
        dst: u32,
        a: u32,
        b: u32,
        c: u32,
    },
    /// `dst = (a - b) / c`.
    SubDiv {
        dst: u32,
        a: u32,
        b: u32,
        c: u32,
    },
    /// `dst = exp(a) + c`.
    ExpAdd {
        dst: u32,
        a: u32,
        c: u32,
    },
    /// Forward Euler advance: `x += dt * dx`.
    Euler {
        x: u32,
        dx: u32,
    },
    /// Exponential Euler advance for `dx/dt = f` with `b = df/dx`:
    /// `x += f * (exp(b dt) - 1) / b` (exact when f is linear in x).
    ExpEuler {
        x: u32,
        f: u32,
        b: u32,
    },
}

impl Op {
    /// Every slot the instruction touches, for validation and renumbering.
    pub fn slots_mut(&mut self) -> Vec<&mut u32> {
        use Op::*;
        match self {
            Copy { dst, a }
            | Square { dst, a }
            | Neg { dst, a }
            | Exp { dst, a }
            | Log { dst, a }
            | Sqrt { dst, a }
            | Sin { dst, a }
            | Cos { dst, a }
            | Tanh { dst, a }
            | Abs { dst, a }
            | PosPart { dst, a }
            | NegPart { dst, a }
            | Not { dst, a } => vec![dst, a],
            Add { dst, a, b }
            | Sub { dst, a, b }
            | Mul { dst, a, b }
            | Div { dst, a, b }
            | Pow { dst, a, b }
            | Lt { dst, a, b }
            | Le { dst, a, b }
            | Gt { dst, a, b }
            | Ge { dst, a, b }
            | Eq { dst, a, b }
            | Ne { dst, a, b }
            | And { dst, a, b }
            | Or { dst, a, b }
            | Min { dst, a, b }
            | Max { dst, a, b } => {
                vec![dst, a, b]
            }
            Select { dst, c, a, b } => vec![dst, c, a, b],
            Clip { dst, x, lo, hi } => vec![dst, x, lo, hi],
            Masked { dst, a, mask } => vec![dst, a, mask],
            MulOfSub { dst, c, a, b } => vec![dst, c, a, b],
            MulAdd { dst, a, b, c }
            | MulSub { dst, a, b, c }
            | SubAdd { dst, a, b, c }
            | SubDiv { dst, a, b, c } => {
                vec![dst, a, b, c]
            }
            ExpAdd { dst, a, c } => vec![dst, a, c],
            Euler { x, dx } => vec![x, dx],
            ExpEuler { x, f, b } => vec![x, f, b],
        }
    }

    /// The slot this instruction writes.
    pub fn dst_mut(&mut self) -> &mut u32 {
        use Op::*;
        match self {
            Copy { dst, .. }
            | Square { dst, .. }
            | Neg { dst, .. }
            | Exp { dst, .. }
            | Log { dst, .. }
            | Sqrt { dst, .. }
            | Sin { dst, .. }
            | Cos { dst, .. }
            | Tanh { dst, .. }
            | Abs { dst, .. }
            | PosPart { dst, .. }
            | NegPart { dst, .. }
            | Not { dst, .. }
            | Add { dst, .. }
            | Sub { dst, .. }
            | Mul { dst, .. }
            | Div { dst, .. }
            | Pow { dst, .. }
            | Lt { dst, .. }
            | Le { dst, .. }
            | Gt { dst, .. }
            | Ge { dst, .. }
            | Eq { dst, .. }
            | Ne { dst, .. }
            | And { dst, .. }
            | Or { dst, .. }
            | Min { dst, .. }
            | Max { dst, .. }
            | Select { dst, .. }
            | Clip { dst, .. }
            | Masked { dst, .. }
            | MulOfSub { dst, .. }
            | MulAdd { dst, .. }
            | MulSub { dst, .. }
            | SubAdd { dst, .. }
            | SubDiv { dst, .. }
            | ExpAdd { dst, .. } => dst,
            Euler { x, .. } | ExpEuler { x, .. } => x,
        }
    }
}

/// Merges an instruction writing a temporary into the next instruction when that
/// is the temporary's only reader (before it is written again). `is_temp` tells
/// temporaries from named slots, which must always be stored.
pub fn fuse_pairs(ops: Vec<Op>, is_temp: impl Fn(u32) -> bool) -> Vec<Op> {
    let mut out = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if i + 1 < ops.len()
            && let Some(f) = fuse(ops[i], ops[i + 1], &is_temp)
            && dead_after(&ops[i + 2..], *ops[i].clone().dst_mut())
        {
            out.push(f);
            i += 2;
        } else {
            out.push(ops[i]);
            i += 1;
        }
    }
    out
}

/// Whether `t` is written again (or never read) before any read in `rest`.
fn dead_after(rest: &[Op], t: u32) -> bool {
    for op in rest {
        let mut op = *op;
        let dst = *op.dst_mut();
        let slots = op.slots_mut();
        // Reads are every operand but the destination (Masked and the advances
        // also read their destination, which `dst == t` covers as a read).
        let reads_t = slots.iter().skip(1).any(|s| **s == t)
            || (dst == t
                && matches!(
                    op,
                    Op::Masked { .. } | Op::Euler { .. } | Op::ExpEuler { .. }
                ));
        if reads_t {
            return false;
        }
        if dst == t {
            return true;
        }
    }
    true
}

fn fuse(first: Op, second: Op, is_temp: &impl Fn(u32) -> bool) -> Option<Op> {
    let t = {
        let mut f = first;
        *f.dst_mut()
    };
    if !is_temp(t) {
        return None;
    }
    // `t` must be read exactly once by `second`.
    let mut s2 = second;
    let dst = *s2.dst_mut();
    let n_reads = s2.slots_mut().iter().skip(1).filter(|s| ***s == t).count();
    if n_reads != 1 {
        return None;
    }
    // IEEE + and * commute exactly, so `x op c` and `c op x` fuse alike.
    let other = |a: u32, b: u32| if a == t { b } else { a };
    Some(match (first, second) {
        (Op::Sub { a, b, .. }, Op::Mul { a: x, b: y, .. }) => Op::MulOfSub {
            dst,
            c: other(x, y),
            a,
            b,
        },
        (Op::Mul { a, b, .. }, Op::Add { a: x, b: y, .. }) => Op::MulAdd {
            dst,
            a,
            b,
            c: other(x, y),
        },
        (Op::Mul { a, b, .. }, Op::Sub { a: x, b: c, .. }) if x == t => Op::MulSub { dst, a, b, c },
        (Op::Sub { a, b, .. }, Op::Add { a: x, b: y, .. }) => Op::SubAdd {
            dst,
            a,
            b,
            c: other(x, y),
        },
        (Op::Sub { a, b, .. }, Op::Div { a: x, b: c, .. }) if x == t => Op::SubDiv { dst, a, b, c },
        (Op::Exp { a, .. }, Op::Add { a: x, b: y, .. }) => Op::ExpAdd {
            dst,
            a,
            c: other(x, y),
        },
        _ => return None,
    })
}

/// A validated instruction sequence: every slot it names is below `n_slots`.
#[derive(Clone, Debug, Default)]
pub struct Tape {
    ops: Vec<Op>,
    n_slots: usize,
    /// Slots from here on are temporaries: each is written before it is read within
    /// one statement, so nothing outside the tape ever needs its value.
    temp_base: u32,
    /// The compiled kernel for exactly these instructions, when there is one.
    kernel: Option<&'static Kernel>,
}

impl Tape {
    /// Checks every operand against `n_slots`; the executor relies on this.
    pub fn new(ops: Vec<Op>, n_slots: usize) -> Option<Self> {
        Self::with_temps(ops, n_slots, u32::try_from(n_slots).unwrap_or(u32::MAX))
    }

    /// As [`Tape::new`], with slots `temp_base..` holding only statement-local
    /// temporaries (a compiled kernel keeps those in registers and never stores them).
    pub fn with_temps(mut ops: Vec<Op>, n_slots: usize, temp_base: u32) -> Option<Self> {
        let ok = ops
            .iter_mut()
            .all(|op| op.slots_mut().into_iter().all(|s| (*s as usize) < n_slots));
        let kernel = super::kernel::find(&ops, temp_base);
        ok.then_some(Self {
            ops,
            n_slots,
            temp_base,
            kernel,
        })
    }

    /// First temporary slot (see [`Tape::with_temps`]).
    pub fn temp_base(&self) -> u32 {
        self.temp_base
    }

    /// Name of the compiled kernel that runs this tape, if it has one.
    pub fn kernel_name(&self) -> Option<&'static str> {
        self.kernel.map(|k| k.name)
    }

    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Runs the tape over `lanes` lanes of `slots` (length `n_slots * lanes`).
    ///
    /// # Panics
    /// If `slots` is shorter than the tape's slot count times `lanes`.
    #[inline]
    pub fn run(&self, slots: &mut [f64], lanes: usize, dt: f64) {
        match self.kernel {
            Some(k) => {
                assert!(
                    slots.len() >= self.n_slots * lanes,
                    "slot buffer too small for tape"
                );
                // SAFETY: the kernel names only slots of `self.ops`, which
                // `Tape::new` checked against n_slots; the assert covers the length.
                unsafe { (k.run)(slots.as_mut_ptr(), lanes, dt) }
            }
            None => self.run_interpreted(slots, lanes, dt),
        }
    }

    /// Runs the tape in the interpreter even when a compiled kernel exists (for
    /// benchmarks and for checking kernels against it).
    ///
    /// # Panics
    /// As [`Tape::run`].
    #[inline]
    pub fn run_interpreted(&self, slots: &mut [f64], lanes: usize, dt: f64) {
        assert!(
            slots.len() >= self.n_slots * lanes,
            "slot buffer too small for tape"
        );
        if lanes == 1 {
            // SAFETY: as below, with lanes = 1.
            unsafe { run_single(&self.ops, slots.as_mut_ptr(), dt) }
        } else {
            // SAFETY: `Tape::new` checked every operand < n_slots, and the assert above
            // guarantees n_slots * lanes elements, so every `s * lanes + i` with
            // i < lanes is in bounds.
            unsafe { run_lanes_dispatch(&self.ops, slots.as_mut_ptr(), lanes, dt) }
        }
    }
}

macro_rules! lanes_loop {
    ($p:ident, $lanes:ident, $dst:expr, |$i:ident| $val:expr) => {{
        let d = $dst as usize * $lanes;
        for $i in 0..$lanes {
            // SAFETY: see `Tape::run`.
            unsafe { *$p.add(d + $i) = $val };
        }
    }};
}

// The semantics of the instructions that are more than one IEEE operation, shared
// by both interpreters and the generated kernels so that all three agree bit for bit.

#[inline(always)]
pub(crate) fn b2f(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

#[inline(always)]
pub(crate) fn pos_part(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

#[inline(always)]
pub(crate) fn neg_part(x: f64) -> f64 {
    if x < 0.0 { x } else { 0.0 }
}

/// C's `x < y ? x : y` (differs from `f64::min` for NaN and signed zeros).
#[inline(always)]
pub(crate) fn min_of(x: f64, y: f64) -> f64 {
    if x < y { x } else { y }
}

#[inline(always)]
pub(crate) fn max_of(x: f64, y: f64) -> f64 {
    if x > y { x } else { y }
}

#[inline(always)]
pub(crate) fn select(c: f64, a: f64, b: f64) -> f64 {
    if c != 0.0 { a } else { b }
}

#[inline(always)]
pub(crate) fn clip(v: f64, lo: f64, hi: f64) -> f64 {
    if v < lo {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

#[inline(always)]
pub(crate) fn exp_euler(x: f64, f: f64, b: f64, dt: f64) -> f64 {
    let h = b * dt;
    if h.abs() < 1e-12 {
        x + dt * f
    } else {
        x + f * h.exp_m1() / b
    }
}

/// Picks the widest vector build of [`run_lanes`] this CPU runs. Every build does
/// the same IEEE operations in the same order (no FMA contraction), so results are
/// bit-identical; wider registers only move more lanes per load, op and store.
///
/// # Safety
/// As [`run_lanes`].
#[inline]
unsafe fn run_lanes_dispatch(ops: &[Op], p: *mut f64, lanes: usize, dt: f64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked above); operands as the caller promised.
        return unsafe { run_lanes_avx2(ops, p, lanes, dt) };
    }
    // SAFETY: as the caller promised.
    unsafe { run_lanes(ops, p, lanes, dt) }
}

/// # Safety
/// As [`run_lanes`], on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_lanes_avx2(ops: &[Op], p: *mut f64, lanes: usize, dt: f64) {
    // SAFETY: as the caller promised.
    unsafe { run_lanes(ops, p, lanes, dt) }
}

/// # Safety
/// Every operand `s` of `ops` satisfies `(s + 1) * lanes <= len(p)`.
#[inline(always)]
unsafe fn run_lanes(ops: &[Op], p: *mut f64, lanes: usize, dt: f64) {
    // SAFETY (whole function): guaranteed by the caller, see `Tape::run`.
    let at = |s: u32, i: usize| unsafe { *p.add(s as usize * lanes + i) };
    for op in ops {
        match *op {
            Op::Copy { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i)),
            Op::Add { dst, a, b } => lanes_loop!(p, lanes, dst, |i| at(a, i) + at(b, i)),
            Op::Sub { dst, a, b } => lanes_loop!(p, lanes, dst, |i| at(a, i) - at(b, i)),
            Op::Mul { dst, a, b } => lanes_loop!(p, lanes, dst, |i| at(a, i) * at(b, i)),
            Op::Div { dst, a, b } => lanes_loop!(p, lanes, dst, |i| at(a, i) / at(b, i)),
            Op::Pow { dst, a, b } => lanes_loop!(p, lanes, dst, |i| at(a, i).powf(at(b, i))),
            Op::Square { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i) * at(a, i)),
            Op::Neg { dst, a } => lanes_loop!(p, lanes, dst, |i| -at(a, i)),
            Op::Exp { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i).exp()),
            Op::Log { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i).ln()),
            Op::Sqrt { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i).sqrt()),
            Op::Sin { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i).sin()),
            Op::Cos { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i).cos()),
            Op::Tanh { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i).tanh()),
            Op::Abs { dst, a } => lanes_loop!(p, lanes, dst, |i| at(a, i).abs()),
            Op::PosPart { dst, a } => lanes_loop!(p, lanes, dst, |i| pos_part(at(a, i))),
            Op::NegPart { dst, a } => lanes_loop!(p, lanes, dst, |i| neg_part(at(a, i))),
            Op::Not { dst, a } => lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) == 0.0)),
            Op::Lt { dst, a, b } => lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) < at(b, i))),
            Op::Le { dst, a, b } => lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) <= at(b, i))),
            Op::Gt { dst, a, b } => lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) > at(b, i))),
            Op::Ge { dst, a, b } => lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) >= at(b, i))),
            Op::Eq { dst, a, b } => lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) == at(b, i))),
            Op::Ne { dst, a, b } => lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) != at(b, i))),
            Op::And { dst, a, b } => {
                lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) != 0.0 && at(b, i) != 0.0))
            }
            Op::Or { dst, a, b } => {
                lanes_loop!(p, lanes, dst, |i| b2f(at(a, i) != 0.0 || at(b, i) != 0.0))
            }
            Op::Min { dst, a, b } => lanes_loop!(p, lanes, dst, |i| min_of(at(a, i), at(b, i))),
            Op::Max { dst, a, b } => lanes_loop!(p, lanes, dst, |i| max_of(at(a, i), at(b, i))),
            Op::Select { dst, c, a, b } => {
                lanes_loop!(p, lanes, dst, |i| select(at(c, i), at(a, i), at(b, i)))
            }
            Op::Clip { dst, x, lo, hi } => {
                lanes_loop!(p, lanes, dst, |i| clip(at(x, i), at(lo, i), at(hi, i)))
            }
            Op::MulOfSub { dst, c, a, b } => {
                lanes_loop!(p, lanes, dst, |i| at(c, i) * (at(a, i) - at(b, i)))
            }
            Op::MulAdd { dst, a, b, c } => {
                lanes_loop!(p, lanes, dst, |i| at(a, i) * at(b, i) + at(c, i))
            }
            Op::MulSub { dst, a, b, c } => {
                lanes_loop!(p, lanes, dst, |i| at(a, i) * at(b, i) - at(c, i))
            }
            Op::SubAdd { dst, a, b, c } => {
                lanes_loop!(p, lanes, dst, |i| (at(a, i) - at(b, i)) + at(c, i))
            }
            Op::SubDiv { dst, a, b, c } => {
                lanes_loop!(p, lanes, dst, |i| (at(a, i) - at(b, i)) / at(c, i))
            }
            Op::ExpAdd { dst, a, c } => lanes_loop!(p, lanes, dst, |i| at(a, i).exp() + at(c, i)),
            Op::Masked { dst, a, mask } => {
                lanes_loop!(p, lanes, dst, |i| select(at(mask, i), at(a, i), at(dst, i)))
            }
            Op::Euler { x, dx } => lanes_loop!(p, lanes, x, |i| at(x, i) + dt * at(dx, i)),
            Op::ExpEuler { x, f, b } => {
                lanes_loop!(p, lanes, x, |i| exp_euler(at(x, i), at(f, i), at(b, i), dt))
            }
        }
    }
}

/// The one-lane case without the inner loops: the live neuron runs here.
///
/// # Safety
/// Every operand `s` of `ops` satisfies `s < len(p)`.
unsafe fn run_single(ops: &[Op], p: *mut f64, dt: f64) {
    // SAFETY (whole function): guaranteed by the caller, see `Tape::run`.
    let at = |s: u32| unsafe { *p.add(s as usize) };
    let set = |s: u32, v: f64| unsafe { *p.add(s as usize) = v };
    for op in ops {
        match *op {
            Op::Copy { dst, a } => set(dst, at(a)),
            Op::Add { dst, a, b } => set(dst, at(a) + at(b)),
            Op::Sub { dst, a, b } => set(dst, at(a) - at(b)),
            Op::Mul { dst, a, b } => set(dst, at(a) * at(b)),
            Op::Div { dst, a, b } => set(dst, at(a) / at(b)),
            Op::Pow { dst, a, b } => set(dst, at(a).powf(at(b))),
            Op::Square { dst, a } => set(dst, at(a) * at(a)),
            Op::Neg { dst, a } => set(dst, -at(a)),
            Op::Exp { dst, a } => set(dst, at(a).exp()),
            Op::Log { dst, a } => set(dst, at(a).ln()),
            Op::Sqrt { dst, a } => set(dst, at(a).sqrt()),
            Op::Sin { dst, a } => set(dst, at(a).sin()),
            Op::Cos { dst, a } => set(dst, at(a).cos()),
            Op::Tanh { dst, a } => set(dst, at(a).tanh()),
            Op::Abs { dst, a } => set(dst, at(a).abs()),
            Op::PosPart { dst, a } => set(dst, pos_part(at(a))),
            Op::NegPart { dst, a } => set(dst, neg_part(at(a))),
            Op::Not { dst, a } => set(dst, b2f(at(a) == 0.0)),
            Op::Lt { dst, a, b } => set(dst, b2f(at(a) < at(b))),
            Op::Le { dst, a, b } => set(dst, b2f(at(a) <= at(b))),
            Op::Gt { dst, a, b } => set(dst, b2f(at(a) > at(b))),
            Op::Ge { dst, a, b } => set(dst, b2f(at(a) >= at(b))),
            Op::Eq { dst, a, b } => set(dst, b2f(at(a) == at(b))),
            Op::Ne { dst, a, b } => set(dst, b2f(at(a) != at(b))),
            Op::And { dst, a, b } => set(dst, b2f(at(a) != 0.0 && at(b) != 0.0)),
            Op::Or { dst, a, b } => set(dst, b2f(at(a) != 0.0 || at(b) != 0.0)),
            Op::Min { dst, a, b } => set(dst, min_of(at(a), at(b))),
            Op::Max { dst, a, b } => set(dst, max_of(at(a), at(b))),
            Op::Select { dst, c, a, b } => set(dst, select(at(c), at(a), at(b))),
            Op::Clip { dst, x, lo, hi } => set(dst, clip(at(x), at(lo), at(hi))),
            Op::MulOfSub { dst, c, a, b } => set(dst, at(c) * (at(a) - at(b))),
            Op::MulAdd { dst, a, b, c } => set(dst, at(a) * at(b) + at(c)),
            Op::MulSub { dst, a, b, c } => set(dst, at(a) * at(b) - at(c)),
            Op::SubAdd { dst, a, b, c } => set(dst, (at(a) - at(b)) + at(c)),
            Op::SubDiv { dst, a, b, c } => set(dst, (at(a) - at(b)) / at(c)),
            Op::ExpAdd { dst, a, c } => set(dst, at(a).exp() + at(c)),
            Op::Masked { dst, a, mask } => {
                if at(mask) != 0.0 {
                    set(dst, at(a));
                }
            }
            Op::Euler { x, dx } => set(x, at(x) + dt * at(dx)),
            Op::ExpEuler { x, f, b } => set(x, exp_euler(at(x), at(f), at(b), dt)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_out_of_range_slots() {
        assert!(Tape::new(vec![Op::Add { dst: 0, a: 1, b: 5 }], 5).is_none());
        assert!(Tape::new(vec![Op::Add { dst: 0, a: 1, b: 4 }], 5).is_some());
    }

    #[test]
    fn lanes_and_single_agree() {
        let ops = vec![
            Op::Mul { dst: 2, a: 0, b: 1 },
            Op::Select {
                dst: 3,
                c: 2,
                a: 0,
                b: 1,
            },
            Op::Euler { x: 0, dx: 2 },
            Op::Gt { dst: 4, a: 0, b: 1 },
            Op::Masked {
                dst: 1,
                a: 2,
                mask: 4,
            },
        ];
        let tape = Tape::new(ops, 5).unwrap();
        let lanes = 3;
        let init = [[1.5, 2.0], [0.0, -1.0], [-3.0, 0.5]];
        let mut multi = vec![0.0; 5 * lanes];
        for (i, [a, b]) in init.iter().enumerate() {
            multi[i] = *a;
            multi[lanes + i] = *b;
        }
        tape.run(&mut multi, lanes, 0.1);
        for (i, [a, b]) in init.iter().enumerate() {
            let mut one = vec![*a, *b, 0.0, 0.0, 0.0];
            tape.run(&mut one, 1, 0.1);
            for s in 0..5 {
                assert_eq!(one[s], multi[s * lanes + i], "slot {s} lane {i}");
            }
        }
        // lane 0: a=1.5,b=2 -> prod 3, x = 1.5 + 0.3 = 1.8 < 2 -> no reset.
        assert_eq!(multi[0], 1.8);
        assert_eq!(multi[lanes], 2.0);
    }

    #[test]
    fn fused_pairs_are_bit_identical_and_respect_later_reads() {
        const T: u32 = 100; // temporaries are slots >= 100 in this test
        let t = |k: u32| T + k;
        let ops = vec![
            Op::Sub {
                dst: t(0),
                a: 0,
                b: 1,
            },
            Op::Mul {
                dst: t(1),
                a: 2,
                b: t(0),
            }, // c * (a - b)
            Op::Mul {
                dst: t(2),
                a: t(1),
                b: 3,
            },
            Op::Sub {
                dst: 5,
                a: t(2),
                b: 4,
            }, // a*b - c, into a named slot
            Op::Exp { dst: t(3), a: 0 },
            Op::Add {
                dst: t(4),
                a: 3,
                b: t(3),
            }, // exp(a) + c
            Op::Sub {
                dst: t(5),
                a: t(4),
                b: 1,
            },
            Op::Div {
                dst: 6,
                a: t(5),
                b: 2,
            }, // (a - b) / c
            Op::Sub {
                dst: t(6),
                a: 0,
                b: 2,
            },
            Op::Add {
                dst: 7,
                a: t(6),
                b: 3,
            }, // not fused: t(6) is read again
            Op::Mul {
                dst: 8,
                a: t(6),
                b: t(6),
            },
        ];
        let fused = fuse_pairs(ops.clone(), |s| s >= T);
        assert_eq!(fused.len(), ops.len() - 4, "{fused:?}");
        assert!(fused.contains(&Op::Sub {
            dst: t(6),
            a: 0,
            b: 2
        }));
        let n = 107;
        let (plain, fast) = (Tape::new(ops, n).unwrap(), Tape::new(fused, n).unwrap());
        for seed in 0..50u32 {
            let mut rng = crate::sim::rng::Mt19937::new(seed);
            let mut a: Vec<f64> = (0..n).map(|_| rng.canonical() * 8.0 - 4.0).collect();
            let mut b = a.clone();
            plain.run(&mut a, 1, 0.1);
            fast.run(&mut b, 1, 0.1);
            for s in 0..9 {
                assert_eq!(a[s].to_bits(), b[s].to_bits(), "slot {s}");
            }
        }
    }
}
