//! The compiled form of a model: flat instruction tapes over numbered slots.
//!
//! Slot `s` of lane `i` lives at `s * lanes + i`, so every instruction runs over all
//! lanes of one slot at once (struct of arrays). With many lanes the interpretation
//! cost is spread over the lanes and the inner loops vectorise; with one lane a step
//! is a short run over a few dozen instructions with no allocation and no look-ups.
//! The built-in models' tapes also run as compiled kernels (see [`super::kernel`]).

use super::kernel::Kernel;

pub use super::op_table::Op;
use super::op_table::{run_lanes, run_single};

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
        if op.reads().contains(&t) {
            return false;
        }
        if *op.clone().dst_mut() == t {
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
