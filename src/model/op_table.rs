//! The instruction set, written once.
//!
//! Each line of the table below names an instruction, its operand slots, the slot
//! it writes, the slots it reads (in order) and its value as an expression of those
//! reads (and `dt`). From that one table come:
//! - the [`Op`] enum and its slot accessors (validation, renumbering, fusion);
//! - [`sem`], one `#[inline(always)]` function per instruction with its value;
//! - the interpreter's lane loop ([`run_lanes`]) and one-lane path ([`run_single`]);
//! - what [`super::codegen`] writes into the generated kernels ([`Op::parts`]),
//!   which call the same [`sem`] functions.
//!
//! So a new instruction is one line here, and the interpreter, its one-lane path and
//! the compiled kernels do the same IEEE operations in the same order by
//! construction (the kernels test still checks every kernel bit for bit).

/// `1.0` for true, `0.0` for false (booleans in slots).
#[inline(always)]
pub(crate) fn b2f(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// ANNarchy's `pos`: `x > 0 ? x : 0`.
#[inline(always)]
pub(crate) fn pos_part(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

/// ANNarchy's `neg`: `x < 0 ? x : 0`.
#[inline(always)]
pub(crate) fn neg_part(x: f64) -> f64 {
    if x < 0.0 { x } else { 0.0 }
}

/// C's `x < y ? x : y` (differs from `f64::min` for NaN and signed zeros).
#[inline(always)]
pub(crate) fn min_of(x: f64, y: f64) -> f64 {
    if x < y { x } else { y }
}

/// C's `x > y ? x : y`.
#[inline(always)]
pub(crate) fn max_of(x: f64, y: f64) -> f64 {
    if x > y { x } else { y }
}

/// `c != 0 ? a : b`.
#[inline(always)]
pub(crate) fn select(c: f64, a: f64, b: f64) -> f64 {
    if c != 0.0 { a } else { b }
}

/// ANNarchy's `clip`: `v < lo ? lo : (v > hi ? hi : v)`.
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

/// Exponential Euler step of `dx/dt = f` with `b = df/dx`.
#[inline(always)]
pub(crate) fn exp_euler(x: f64, f: f64, b: f64, dt: f64) -> f64 {
    let h = b * dt;
    if h.abs() < 1e-12 {
        x + dt * f
    } else {
        x + f * h.exp_m1() / b
    }
}

/// Expands the table (see the module docs). Each entry:
/// `Name { fields } -> written_field (read fields) = value;`
macro_rules! op_table {
    (
        $dt:ident;
        $(
            $(#[$doc:meta])*
            $name:ident { $($field:ident),+ } -> $dst:ident ( $($read:ident),+ ) = $body:expr;
        )+
    ) => {
        /// One instruction. Operands are slot numbers; booleans are 0.0 / 1.0.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Op {
            $( $(#[$doc])* $name { $($field: u32),+ }, )+
        }

        /// Each instruction's value from the values of the slots it reads, in the
        /// order of the table; shared by the interpreter and the generated kernels.
        #[allow(non_snake_case, unused_variables)]
        pub mod sem {
            #[allow(unused_imports)]
            use super::{b2f, clip, exp_euler, max_of, min_of, neg_part, pos_part, select};
            $(
                #[inline(always)]
                pub fn $name($dt: f64, $($read: f64),+) -> f64 {
                    $body
                }
            )+
        }

        #[allow(unused_variables)]
        impl Op {
            /// Every slot the instruction names (destination first, then the other
            /// fields in declaration order), for validation and renumbering.
            pub fn slots_mut(&mut self) -> Vec<&mut u32> {
                match self {
                    $( Op::$name { $($field),+ } => vec![$($field),+], )+
                }
            }

            /// The slot this instruction writes.
            pub fn dst_mut(&mut self) -> &mut u32 {
                match self {
                    $( Op::$name { $($field),+ } => $dst, )+
                }
            }

            /// The slots this instruction reads (a masked reset and the advances
            /// also read the slot they write).
            pub fn reads(&self) -> Vec<u32> {
                match *self {
                    $( Op::$name { $($field),+ } => vec![$($read),+], )+
                }
            }

            /// For code generation: the slot written, the [`sem`] function that
            /// gives its value, and the slots passed to it, in order.
            pub fn parts(&self) -> (u32, &'static str, Vec<u32>) {
                match *self {
                    $( Op::$name { $($field),+ } => ($dst, stringify!($name), vec![$($read),+]), )+
                }
            }
        }

        /// One instance of every instruction, each field on its own slot (see
        /// `slot_of_field`), for tests that must cover the whole table.
        #[cfg(test)]
        fn every_op() -> Vec<Op> {
            vec![$( Op::$name { $($field: tests::slot_of_field(stringify!($field))),+ }, )+]
        }

        /// Runs `ops` over `lanes` lanes of the slot buffer at `p`.
        ///
        /// # Safety
        /// Every operand `s` of `ops` satisfies `(s + 1) * lanes <= len(p)`.
        #[inline(always)]
        #[allow(unused_variables)]
        pub(super) unsafe fn run_lanes(ops: &[Op], p: *mut f64, lanes: usize, $dt: f64) {
            // SAFETY (whole function): guaranteed by the caller, see `Tape::run`.
            let at = |s: u32, i: usize| unsafe { *p.add(s as usize * lanes + i) };
            for op in ops {
                match *op {
                    $( Op::$name { $($field),+ } => {
                        let d = $dst as usize * lanes;
                        for i in 0..lanes {
                            let value = sem::$name($dt, $(at($read, i)),+);
                            // SAFETY: as above; `d + i` is slot `dst` of lane `i`.
                            unsafe { *p.add(d + i) = value };
                        }
                    } )+
                }
            }
        }

        /// The one-lane case without the inner loops: the live neuron runs here.
        ///
        /// # Safety
        /// Every operand `s` of `ops` satisfies `s < len(p)`.
        #[allow(unused_variables)]
        pub(super) unsafe fn run_single(ops: &[Op], p: *mut f64, $dt: f64) {
            // SAFETY (whole function): guaranteed by the caller, see `Tape::run`.
            let at = |s: u32| unsafe { *p.add(s as usize) };
            for op in ops {
                match *op {
                    $( Op::$name { $($field),+ } => {
                        let value = sem::$name($dt, $(at($read)),+);
                        // SAFETY: as above.
                        unsafe { *p.add($dst as usize) = value };
                    } )+
                }
            }
        }
    };
}

op_table! {
    dt;
    Copy { dst, a } -> dst (a) = a;
    Add { dst, a, b } -> dst (a, b) = a + b;
    Sub { dst, a, b } -> dst (a, b) = a - b;
    Mul { dst, a, b } -> dst (a, b) = a * b;
    Div { dst, a, b } -> dst (a, b) = a / b;
    Pow { dst, a, b } -> dst (a, b) = a.powf(b);
    Square { dst, a } -> dst (a) = a * a;
    Neg { dst, a } -> dst (a) = -a;
    Exp { dst, a } -> dst (a) = a.exp();
    Log { dst, a } -> dst (a) = a.ln();
    Sqrt { dst, a } -> dst (a) = a.sqrt();
    Sin { dst, a } -> dst (a) = a.sin();
    Cos { dst, a } -> dst (a) = a.cos();
    Tanh { dst, a } -> dst (a) = a.tanh();
    Abs { dst, a } -> dst (a) = a.abs();
    /// ANNarchy's `pos`: `x > 0 ? x : 0`.
    PosPart { dst, a } -> dst (a) = pos_part(a);
    /// ANNarchy's `neg`: `x < 0 ? x : 0`.
    NegPart { dst, a } -> dst (a) = neg_part(a);
    Not { dst, a } -> dst (a) = b2f(a == 0.0);
    Lt { dst, a, b } -> dst (a, b) = b2f(a < b);
    Le { dst, a, b } -> dst (a, b) = b2f(a <= b);
    Gt { dst, a, b } -> dst (a, b) = b2f(a > b);
    Ge { dst, a, b } -> dst (a, b) = b2f(a >= b);
    Eq { dst, a, b } -> dst (a, b) = b2f(a == b);
    Ne { dst, a, b } -> dst (a, b) = b2f(a != b);
    And { dst, a, b } -> dst (a, b) = b2f(a != 0.0 && b != 0.0);
    Or { dst, a, b } -> dst (a, b) = b2f(a != 0.0 || b != 0.0);
    Min { dst, a, b } -> dst (a, b) = min_of(a, b);
    Max { dst, a, b } -> dst (a, b) = max_of(a, b);
    /// `dst = c != 0 ? a : b` (ANNarchy's `ite`, `if/else`).
    Select { dst, c, a, b } -> dst (c, a, b) = select(c, a, b);
    /// `dst = x < lo ? lo : (x > hi ? hi : x)` (ANNarchy's `clip`).
    Clip { dst, x, lo, hi } -> dst (x, lo, hi) = clip(x, lo, hi);
    /// `dst = mask != 0 ? a : dst` (reset statements run only where a lane spiked;
    /// elsewhere the slot's own value is written back, bit for bit).
    Masked { dst, a, mask } -> dst (mask, a, dst) = select(mask, a, dst);
    /// Fused pairs (a peephole pass merges an instruction into its single consumer,
    /// saving a store and a load per lane; each keeps the two IEEE roundings of the
    /// pair, so results are bit-identical to the unfused tape).
    /// `dst = c * (a - b)`.
    MulOfSub { dst, c, a, b } -> dst (c, a, b) = c * (a - b);
    /// `dst = a * b + c`.
    MulAdd { dst, a, b, c } -> dst (a, b, c) = a * b + c;
    /// `dst = a * b - c`.
    MulSub { dst, a, b, c } -> dst (a, b, c) = a * b - c;
    /// `dst = (a - b) + c`.
    SubAdd { dst, a, b, c } -> dst (a, b, c) = (a - b) + c;
    /// `dst = (a - b) / c`.
    SubDiv { dst, a, b, c } -> dst (a, b, c) = (a - b) / c;
    /// `dst = exp(a) + c`.
    ExpAdd { dst, a, c } -> dst (a, c) = a.exp() + c;
    /// Forward Euler advance: `x += dt * dx`.
    Euler { x, dx } -> x (x, dx) = x + dt * dx;
    /// Exponential Euler advance for `dx/dt = f` with `b = df/dx`:
    /// `x += f * (exp(b dt) - 1) / b` (exact when f is linear in x).
    ExpEuler { x, f, b } -> x (x, f, b) = exp_euler(x, f, b, dt);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tape::Tape;

    /// Distinct slots per field name, so no instruction reads what it writes by accident.
    pub(super) fn slot_of_field(name: &str) -> u32 {
        ["dst", "a", "b", "c", "x", "lo", "hi", "mask", "dx", "f"]
            .iter()
            .position(|n| *n == name)
            .expect("a field name of the table") as u32
    }

    const SLOTS: usize = 10;

    /// Every instruction, on inputs that reach each branch (signs, zero, NaN), gives
    /// the same bits in the lane loop, the one-lane path and its `sem` function.
    #[test]
    fn every_instruction_agrees_across_executors() {
        let inputs = [-2.5, -0.0, 0.0, 0.75, 3.0, f64::NAN, 1e-13, -7.0];
        let lanes = inputs.len();
        let dt = 0.1;
        for op in every_op() {
            let tape = Tape::new(vec![op], SLOTS).expect("slots in range");
            // Lane i, slot s holds inputs[(i + s) % n]: each lane sees other operand mixes.
            let value = |s: usize, i: usize| inputs[(i + s) % lanes];
            let mut multi: Vec<f64> = (0..SLOTS * lanes)
                .map(|k| value(k / lanes, k % lanes))
                .collect();
            tape.run_interpreted(&mut multi, lanes, dt);
            let (dst, _, reads) = op.parts();
            for i in 0..lanes {
                let mut one: Vec<f64> = (0..SLOTS).map(|s| value(s, i)).collect();
                let before = one.clone();
                tape.run_interpreted(&mut one, 1, dt);
                let r: Vec<f64> = reads.iter().map(|&s| before[s as usize]).collect();
                let expected = sem_call(&op, dt, &r);
                let d = dst as usize;
                assert_eq!(
                    one[d].to_bits(),
                    multi[d * lanes + i].to_bits(),
                    "{op:?} lane {i}"
                );
                assert_eq!(one[d].to_bits(), expected.to_bits(), "{op:?} lane {i}");
                for s in (0..SLOTS).filter(|&s| s != d) {
                    assert_eq!(
                        one[s].to_bits(),
                        before[s].to_bits(),
                        "{op:?} wrote slot {s}"
                    );
                }
            }
        }
    }

    /// Applies `op`'s semantics by hand, independently of the table's generated paths.
    fn sem_call(op: &Op, dt: f64, r: &[f64]) -> f64 {
        let a = |k: usize| r[k];
        match op {
            Op::Copy { .. } => a(0),
            Op::Add { .. } => a(0) + a(1),
            Op::Sub { .. } => a(0) - a(1),
            Op::Mul { .. } => a(0) * a(1),
            Op::Div { .. } => a(0) / a(1),
            Op::Pow { .. } => a(0).powf(a(1)),
            Op::Square { .. } => a(0) * a(0),
            Op::Neg { .. } => -a(0),
            Op::Exp { .. } => a(0).exp(),
            Op::Log { .. } => a(0).ln(),
            Op::Sqrt { .. } => a(0).sqrt(),
            Op::Sin { .. } => a(0).sin(),
            Op::Cos { .. } => a(0).cos(),
            Op::Tanh { .. } => a(0).tanh(),
            Op::Abs { .. } => a(0).abs(),
            Op::PosPart { .. } => {
                if a(0) > 0.0 {
                    a(0)
                } else {
                    0.0
                }
            }
            Op::NegPart { .. } => {
                if a(0) < 0.0 {
                    a(0)
                } else {
                    0.0
                }
            }
            Op::Not { .. } => b2f(a(0) == 0.0),
            Op::Lt { .. } => b2f(a(0) < a(1)),
            Op::Le { .. } => b2f(a(0) <= a(1)),
            Op::Gt { .. } => b2f(a(0) > a(1)),
            Op::Ge { .. } => b2f(a(0) >= a(1)),
            Op::Eq { .. } => b2f(a(0) == a(1)),
            Op::Ne { .. } => b2f(a(0) != a(1)),
            Op::And { .. } => b2f(a(0) != 0.0 && a(1) != 0.0),
            Op::Or { .. } => b2f(a(0) != 0.0 || a(1) != 0.0),
            Op::Min { .. } => {
                if a(0) < a(1) {
                    a(0)
                } else {
                    a(1)
                }
            }
            Op::Max { .. } => {
                if a(0) > a(1) {
                    a(0)
                } else {
                    a(1)
                }
            }
            Op::Select { .. } | Op::Masked { .. } => {
                if a(0) != 0.0 {
                    a(1)
                } else {
                    a(2)
                }
            }
            // C's nested conditional: NaN passes through (unlike f64::clamp).
            Op::Clip { .. } => {
                if a(0) < a(1) {
                    a(1)
                } else if a(0) > a(2) {
                    a(2)
                } else {
                    a(0)
                }
            }
            Op::MulOfSub { .. } => a(0) * (a(1) - a(2)),
            Op::MulAdd { .. } => a(0) * a(1) + a(2),
            Op::MulSub { .. } => a(0) * a(1) - a(2),
            Op::SubAdd { .. } => (a(0) - a(1)) + a(2),
            Op::SubDiv { .. } => (a(0) - a(1)) / a(2),
            Op::ExpAdd { .. } => a(0).exp() + a(1),
            Op::Euler { .. } => a(0) + dt * a(1),
            Op::ExpEuler { .. } => {
                let h = a(2) * dt;
                if h.abs() < 1e-12 {
                    a(0) + dt * a(1)
                } else {
                    a(0) + a(1) * h.exp_m1() / a(2)
                }
            }
        }
    }
}
