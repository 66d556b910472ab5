//! CMA-ES (Hansen's tutorial, 2016) and the symmetric eigen-decomposition it needs.
//!
//! Sampling uses `rand_distr`'s standard normal on a ChaCha8 generator seeded by
//! the caller: ChaCha8's stream is fixed by its specification, so a seed gives the
//! same samples whatever `rand` version or platform builds the program.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The generator of every seeded search in the fitter.
pub(crate) fn seeded_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A plain (μ/μ_w, λ)-CMA-ES (Hansen's tutorial, 2016).
pub(crate) struct Cmaes {
    n: usize,
    lambda: usize,
    mean: Vec<f64>,
    pub(crate) sigma: f64,
    weights: Vec<f64>,
    mu_eff: f64,
    cc: f64,
    cs: f64,
    c1: f64,
    cmu: f64,
    damps: f64,
    chi_n: f64,
    pc: Vec<f64>,
    ps: Vec<f64>,
    c: Vec<Vec<f64>>,
    b: Vec<Vec<f64>>,
    d: Vec<f64>,
    generation: usize,
}

// Index loops read like the matrix formulas they implement.
#[allow(clippy::needless_range_loop)]
impl Cmaes {
    pub(crate) fn new(mean: Vec<f64>, sigma: f64, lambda: usize) -> Self {
        let n = mean.len();
        let nf = n as f64;
        let mu = lambda / 2;
        let raw: Vec<f64> = (0..mu)
            .map(|i| (mu as f64 + 0.5).ln() - ((i + 1) as f64).ln())
            .collect();
        let sum: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / sum).collect();
        let mu_eff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let cc = (4.0 + mu_eff / nf) / (nf + 4.0 + 2.0 * mu_eff / nf);
        let cs = (mu_eff + 2.0) / (nf + mu_eff + 5.0);
        let c1 = 2.0 / ((nf + 1.3).powi(2) + mu_eff);
        let cmu =
            (1.0 - c1).min(2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((nf + 2.0).powi(2) + mu_eff));
        let damps = 1.0 + 2.0 * (((mu_eff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + cs;
        let chi_n = nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));
        let eye: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
            .collect();
        Self {
            n,
            lambda,
            mean,
            sigma,
            weights,
            mu_eff,
            cc,
            cs,
            c1,
            cmu,
            damps,
            chi_n,
            pc: vec![0.0; n],
            ps: vec![0.0; n],
            c: eye.clone(),
            b: eye,
            d: vec![1.0; n],
            generation: 0,
        }
    }

    pub(crate) fn ask(&mut self, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
        let (vals, vecs) = jacobi_eigen(&self.c);
        self.d = vals.iter().map(|v| v.max(1e-20).sqrt()).collect();
        self.b = vecs;
        (0..self.lambda)
            .map(|_| {
                let z: Vec<f64> = (0..self.n).map(|_| StandardNormal.sample(rng)).collect();
                (0..self.n)
                    .map(|i| {
                        let y: f64 = (0..self.n).map(|j| self.b[i][j] * self.d[j] * z[j]).sum();
                        self.mean[i] + self.sigma * y
                    })
                    .collect()
            })
            .collect()
    }

    pub(crate) fn tell(&mut self, xs: &[Vec<f64>], losses: &[f64]) {
        let n = self.n;
        let mut order: Vec<usize> = (0..xs.len()).collect();
        order.sort_by(|&a, &b| losses[a].total_cmp(&losses[b]).then(a.cmp(&b)));
        let old = self.mean.clone();
        let ys: Vec<Vec<f64>> = order[..self.weights.len()]
            .iter()
            .map(|&k| (0..n).map(|i| (xs[k][i] - old[i]) / self.sigma).collect())
            .collect();
        let yw: Vec<f64> = (0..n)
            .map(|i| self.weights.iter().zip(&ys).map(|(w, y)| w * y[i]).sum())
            .collect();
        for i in 0..n {
            self.mean[i] = old[i] + self.sigma * yw[i];
        }
        // C^(-1/2) y_w = B D^-1 B^T y_w.
        let bty: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| self.b[i][j] * yw[i]).sum::<f64>() / self.d[j])
            .collect();
        let cinv_y: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| self.b[i][j] * bty[j]).sum())
            .collect();
        let ks = (self.cs * (2.0 - self.cs) * self.mu_eff).sqrt();
        for i in 0..n {
            self.ps[i] = (1.0 - self.cs) * self.ps[i] + ks * cinv_y[i];
        }
        self.generation += 1;
        let ps_norm = self.ps.iter().map(|x| x * x).sum::<f64>().sqrt();
        let denom = (1.0 - (1.0 - self.cs).powi(2 * self.generation as i32)).sqrt();
        let hsig = ps_norm / denom < (1.4 + 2.0 / (n as f64 + 1.0)) * self.chi_n;
        let kc = (self.cc * (2.0 - self.cc) * self.mu_eff).sqrt();
        for i in 0..n {
            self.pc[i] = (1.0 - self.cc) * self.pc[i] + if hsig { kc * yw[i] } else { 0.0 };
        }
        let dh = if hsig { 0.0 } else { self.cc * (2.0 - self.cc) };
        for i in 0..n {
            for j in 0..n {
                let rank_mu: f64 = self
                    .weights
                    .iter()
                    .zip(&ys)
                    .map(|(w, y)| w * y[i] * y[j])
                    .sum();
                self.c[i][j] = (1.0 - self.c1 - self.cmu) * self.c[i][j]
                    + self.c1 * (self.pc[i] * self.pc[j] + dh * self.c[i][j])
                    + self.cmu * rank_mu;
            }
        }
        self.sigma *= ((self.cs / self.damps) * (ps_norm / self.chi_n - 1.0)).exp();
    }
}

/// Eigenvalues and eigenvectors (columns) of a symmetric matrix (cyclic Jacobi).
#[allow(clippy::needless_range_loop)]
fn jacobi_eigen(m: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m.to_vec();
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let m = vec![
            vec![4.0, 1.0, 0.5],
            vec![1.0, 3.0, 0.2],
            vec![0.5, 0.2, 1.0],
        ];
        let (d, v) = jacobi_eigen(&m);
        for k in 0..3 {
            for i in 0..3 {
                let mv: f64 = (0..3).map(|j| m[i][j] * v[j][k]).sum();
                assert!((mv - d[k] * v[i][k]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn cmaes_minimises_a_rotated_quadratic() {
        let f =
            |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + x[0] - 3.0).powi(2) + x[2].powi(2);
        let mut es = Cmaes::new(vec![0.0; 3], 1.0, 8);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut best = f64::INFINITY;
        for _ in 0..150 {
            let xs = es.ask(&mut rng);
            let fs: Vec<f64> = xs.iter().map(|x| f(x)).collect();
            best = fs.iter().copied().fold(best, f64::min);
            es.tell(&xs, &fs);
        }
        assert!(best < 1e-8, "{best}");
    }
}
