//! `std::mt19937` with libstdc++'s `uniform_real_distribution<double>` and
//! `normal_distribution<double>`, so seeded noisy runs reproduce ANNarchy's draws
//! (annarchy-semantics.md §8).
//!
//! It also implements `rand`'s RNG traits (`TryRng`, hence `Rng`, and
//! `SeedableRng`), so `rand`/`rand_distr` distributions can draw from it where a
//! draw need not mirror libstdc++ (the OU stimulus noise, CMA-ES sampling). The
//! ANNarchy-exact draws keep using [`Mt19937::canonical`] and
//! [`Mt19937::standard_normal`].

const N: usize = 624;
const M: usize = 397;

/// The 32-bit Mersenne Twister, bit-identical to `std::mt19937`.
#[derive(Clone)]
pub struct Mt19937 {
    state: Box<[u32; N]>,
    index: usize,
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mt19937 {{ index: {} }}", self.index)
    }
}

impl Mt19937 {
    pub fn new(seed: u32) -> Self {
        let mut state = Box::new([0u32; N]);
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Self { state, index: N }
    }

    fn twist(&mut self) {
        let s = &mut self.state;
        for i in 0..N {
            let y = (s[i] & 0x8000_0000) | (s[(i + 1) % N] & 0x7fff_ffff);
            let mut v = s[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            s[i] = v;
        }
        self.index = 0;
    }

    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// libstdc++ `generate_canonical<double, 53>`: two draws, low word first.
    pub fn canonical(&mut self) -> f64 {
        let lo = f64::from(self.next_u32());
        let hi = f64::from(self.next_u32());
        let r = (lo + hi * 4_294_967_296.0) / 18_446_744_073_709_551_616.0;
        if r >= 1.0 {
            1.0 - f64::EPSILON / 2.0
        } else {
            r
        }
    }

    /// libstdc++ `normal_distribution<double>` (Marsaglia polar), freshly constructed:
    /// returns the `y` value of the pair and discards the cached `x`.
    pub fn standard_normal(&mut self) -> f64 {
        loop {
            let x = 2.0 * self.canonical() - 1.0;
            let y = 2.0 * self.canonical() - 1.0;
            let r2 = x * x + y * y;
            if r2 <= 1.0 && r2 != 0.0 {
                let mult = (-2.0 * r2.ln() / r2).sqrt();
                return y * mult;
            }
        }
    }
}

impl rand::TryRng for Mt19937 {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(Mt19937::next_u32(self))
    }

    /// Two words, low first (as libstdc++ builds wider values).
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        rand::rand_core::utils::next_u64_via_u32(self)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand::rand_core::utils::fill_bytes_via_next_word(dst, || self.try_next_u32())
    }
}

impl rand::SeedableRng for Mt19937 {
    /// The `u32` seed of `std::mt19937`, little-endian.
    type Seed = [u8; 4];

    fn from_seed(seed: Self::Seed) -> Self {
        Self::new(u32::from_le_bytes(seed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rand_traits_draw_the_same_stream() {
        use rand::{Rng as _, SeedableRng as _};
        let mut a = Mt19937::new(2024);
        let mut b = Mt19937::from_seed(2024u32.to_le_bytes());
        for _ in 0..1000 {
            assert_eq!(a.next_u32(), rand::Rng::next_u32(&mut b));
        }
        // next_u64 = low word, then high word.
        let (lo, hi) = (u64::from(a.next_u32()), u64::from(a.next_u32()));
        assert_eq!(b.next_u64(), lo | (hi << 32));
    }

    #[test]
    fn matches_the_cpp_standard_reference_value() {
        // C++11 [rand.predef]: the 10000th draw of a default-constructed mt19937
        // (seed 5489) is 4123659995.
        let mut rng = Mt19937::new(5489);
        let mut last = 0;
        for _ in 0..10_000 {
            last = rng.next_u32();
        }
        assert_eq!(last, 4_123_659_995);
    }

    #[test]
    fn canonical_is_in_unit_interval_and_normal_has_unit_variance() {
        let mut rng = Mt19937::new(2024);
        let n = 200_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let u = rng.canonical();
            assert!((0.0..1.0).contains(&u));
            let z = rng.standard_normal();
            s += z;
            s2 += z * z;
        }
        let mean = s / f64::from(n);
        let var = s2 / f64::from(n) - mean * mean;
        // 5 standard errors: sd(mean) = 1/sqrt(n), sd(var) ~ sqrt(2/n).
        assert!(mean.abs() < 5.0 / f64::from(n).sqrt(), "{mean}");
        assert!(
            (var - 1.0).abs() < 5.0 * (2.0 / f64::from(n)).sqrt(),
            "{var}"
        );
    }
}
