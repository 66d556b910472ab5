//! Ahead-of-time compiled kernels for the built-in models' tapes.
//!
//! The tape interpreter pays, for every instruction, a dispatch and a store and
//! reload of its result; for a model of a dozen flops that costs more than the
//! arithmetic. So the tapes of the built-in models are also translated to Rust
//! ([`super::codegen`] writes `kernels.rs`, a test keeps it current) and compiled
//! with the app: one straight-line function per tape, every intermediate in a
//! register, blocks of lanes in vector registers.
//!
//! A kernel is chosen only when a tape's instructions equal, one for one, those it
//! was generated from, and it performs the same IEEE operations in the same order
//! through the same helpers as the interpreter, so results are bit-identical (a test
//! checks every kernel against the interpreter). A user's own model file, or a
//! built-in after a compiler change that the file does not yet reflect, simply runs
//! interpreted.

use super::tape::Op;

/// Lanes per vector block: two AVX2 registers of f64.
pub(crate) const BLOCK: usize = 8;

/// Runs a kernel over `lanes` lanes of a slot buffer with `dt`.
///
/// # Safety
/// The buffer holds at least `(s + 1) * lanes` values for every slot `s` named by
/// the kernel's instructions.
pub type KernelFn = unsafe fn(*mut f64, usize, f64);

/// One generated kernel and the instructions it implements.
#[derive(Debug)]
pub struct Kernel {
    /// `<model id>/<tape>`, for diagnostics and benchmarks.
    pub name: &'static str,
    pub ops: &'static [Op],
    /// Slots from here on are temporaries the kernel does not store.
    pub temp_base: u32,
    pub run: KernelFn,
}

/// The kernel generated from exactly these instructions and temporaries, if any.
pub fn find(ops: &[Op], temp_base: u32) -> Option<&'static Kernel> {
    super::kernels::KERNELS
        .iter()
        .find(|k| k.temp_base == temp_base && k.ops == ops)
}

/// Every generated kernel.
pub fn all() -> &'static [Kernel] {
    super::kernels::KERNELS
}

/// Loads lanes `b..b + N` of slot `s`.
///
/// # Safety
/// `(s + 1) * l >= b + N` values are readable at `p`.
#[inline(always)]
pub(crate) unsafe fn ld<const N: usize>(p: *const f64, l: usize, b: usize, s: u32) -> [f64; N] {
    // SAFETY: as the caller promised; `[f64; N]` has f64 alignment.
    unsafe { std::ptr::read(p.add(s as usize * l + b).cast::<[f64; N]>()) }
}

/// Stores lanes `b..b + N` of slot `s`.
///
/// # Safety
/// As [`ld`], writable.
#[inline(always)]
pub(crate) unsafe fn st<const N: usize>(p: *mut f64, l: usize, b: usize, s: u32, x: [f64; N]) {
    // SAFETY: as the caller promised.
    unsafe { std::ptr::write(p.add(s as usize * l + b).cast::<[f64; N]>(), x) }
}

#[inline(always)]
pub(crate) fn m1<const N: usize>(a: [f64; N], f: impl Fn(f64) -> f64) -> [f64; N] {
    std::array::from_fn(|k| f(a[k]))
}

#[inline(always)]
pub(crate) fn m2<const N: usize>(
    a: [f64; N],
    b: [f64; N],
    f: impl Fn(f64, f64) -> f64,
) -> [f64; N] {
    std::array::from_fn(|k| f(a[k], b[k]))
}

#[inline(always)]
pub(crate) fn m3<const N: usize>(
    a: [f64; N],
    b: [f64; N],
    c: [f64; N],
    f: impl Fn(f64, f64, f64) -> f64,
) -> [f64; N] {
    std::array::from_fn(|k| f(a[k], b[k], c[k]))
}

/// Calls `block(b)` for each whole block of lanes and `one(b)` for each lane left.
#[inline(always)]
pub(crate) fn drive(lanes: usize, mut block: impl FnMut(usize), mut one: impl FnMut(usize)) {
    let mut b = 0;
    while b + BLOCK <= lanes {
        block(b);
        b += BLOCK;
    }
    while b < lanes {
        one(b);
        b += 1;
    }
}

/// Defines `$run`, a [`KernelFn`] running the block function `$k` over all lanes,
/// in an AVX2 build when the CPU has it (same operations, wider registers).
macro_rules! kernel_entry {
    ($run:ident, $k:ident) => {
        /// # Safety
        /// See [`KernelFn`](crate::model::kernel::KernelFn).
        unsafe fn $run(p: *mut f64, l: usize, dt: f64) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn wide(p: *mut f64, l: usize, dt: f64) {
                    drive(
                        l,
                        // SAFETY: as the caller of `$run` promised.
                        |b| unsafe { $k::<BLOCK>(p, l, b, dt) },
                        // SAFETY: as above.
                        |b| unsafe { $k::<1>(p, l, b, dt) },
                    );
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2; the rest as the caller promised.
                    return unsafe { wide(p, l, dt) };
                }
            }
            drive(
                l,
                // SAFETY: as the caller promised.
                |b| unsafe { $k::<BLOCK>(p, l, b, dt) },
                // SAFETY: as above.
                |b| unsafe { $k::<1>(p, l, b, dt) },
            );
        }
    };
}
pub(crate) use kernel_entry;
