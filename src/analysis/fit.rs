//! Fitting a candidate model to a reference: CMA-ES over chosen free parameters,
//! minimising the loss of [`super::compare`].
//!
//! * The search starts from the candidate preset's values; bounds are the sliders'
//!   ranges of the model description (widened to include the start if it lies
//!   outside). Parameters with a logarithmic slider are searched in log space.
//! * Search coordinates are scaled so that one unit is a natural first step: 0.15 in
//!   ln units for log parameters, else 10 % of the value, kept between 0.2 % and 5 %
//!   of the slider range. CMA-ES starts with σ = 1 and the identity covariance.
//! * Out-of-bounds samples are evaluated at the nearest point in the box and pay the
//!   squared distance to the box (in search units) on top of its loss.
//! * Each generation's population is simulated as the lanes of one engine per
//!   thread (reference responses are computed once). The run is seeded (Mt19937)
//!   and reproducible: the same inputs and seed give the same result on any number
//!   of threads.
//! * The evaluation budget counts the starting point; the best point evaluated is
//!   returned.

use super::compare::{DRIVE_PARAM, Metrics, Protocol, Responses, Runner, metrics};
use super::{Control, SweepError};
use crate::io::preset::ResolvedPreset;
use crate::sim::rng::Mt19937;

#[derive(Clone, Debug)]
pub struct FitConfig {
    /// Names of the free parameters.
    pub free: Vec<String>,
    pub evaluations: usize,
    pub seed: u32,
    /// Population size λ (default 4 + ⌊3 ln n⌋ for n free parameters).
    pub population: Option<usize>,
    pub threads: usize,
    pub protocol: Protocol,
}

#[derive(Clone, Debug)]
pub struct FitResult {
    /// Indices of the free parameters in the model.
    pub free: Vec<usize>,
    /// The fitted candidate's full parameter vector (model order).
    pub parameters: Vec<f64>,
    pub before: Metrics,
    pub after: Metrics,
    pub evaluations: usize,
    /// Best loss after each generation.
    pub history: Vec<f64>,
    pub reference: Responses,
}

/// One free parameter's mapping between model values and search coordinates.
#[derive(Clone, Debug)]
struct Coord {
    index: usize,
    log: bool,
    origin: f64,
    scale: f64,
    lo: f64,
    hi: f64,
}

impl Coord {
    fn value(&self, x: f64) -> f64 {
        let u = self.origin + self.scale * x;
        if self.log { u.exp() } else { u }
    }
}

/// Minimises the loss of `candidate` against `reference` over `cfg.free`.
/// `on_generation(evaluations, best_loss)` is called after every generation.
pub fn fit(
    reference: &ResolvedPreset,
    candidate: &ResolvedPreset,
    cfg: &FitConfig,
    control: &Control,
    on_generation: &mut dyn FnMut(usize, f64),
) -> Result<FitResult, SweepError> {
    let model = &candidate.model;
    let mut coords = Vec::new();
    for name in &cfg.free {
        let i = super::require_param(model, name)?;
        if name == DRIVE_PARAM {
            return Err(SweepError::Usage(format!(
                "{DRIVE_PARAM} is driven by the protocols and cannot be free"
            )));
        }
        if coords.iter().any(|c: &Coord| c.index == i) {
            return Err(SweepError::Usage(format!("`{name}` is listed twice")));
        }
        let p = &model.desc.parameters[i];
        let v = candidate.parameters[i];
        let (min, max) = (p.range.min.min(v), p.range.max.max(v));
        let log = p.range.log && min > 0.0;
        let c = if log {
            let scale = 0.15;
            Coord {
                index: i,
                log,
                origin: v.ln(),
                scale,
                lo: (min.ln() - v.ln()) / scale,
                hi: (max.ln() - v.ln()) / scale,
            }
        } else {
            let w = (max - min).max(1e-12);
            let scale = (0.1 * v.abs()).clamp(0.002 * w, 0.05 * w);
            Coord {
                index: i,
                log,
                origin: v,
                scale,
                lo: (min - v) / scale,
                hi: (max - v) / scale,
            }
        };
        coords.push(c);
    }
    if coords.is_empty() {
        return Err(SweepError::Usage("no free parameter".into()));
    }
    if cfg.evaluations < 2 {
        return Err(SweepError::Usage(
            "at least 2 evaluations are needed".into(),
        ));
    }
    let p = &cfg.protocol;
    let reference = Runner::new(reference, p, cfg.threads, control)?.responses(None)?;
    let runner = Runner::new(candidate, p, cfg.threads, control)?;
    let amps = reference.step_amps.clone();
    let base = candidate.parameters.clone();
    let to_params = |x: &[f64]| -> Vec<f64> {
        let mut v = base.clone();
        for (c, &xi) in coords.iter().zip(x) {
            // The origin is the start value exactly (exp(ln v) may differ from v).
            let xi = xi.clamp(c.lo, c.hi);
            if xi != 0.0 {
                v[c.index] = c.value(xi);
            }
        }
        v
    };
    let penalty = |x: &[f64]| -> f64 {
        coords
            .iter()
            .zip(x)
            .map(|(c, &xi)| (xi - xi.clamp(c.lo, c.hi)).powi(2))
            .sum()
    };
    let evaluate = |xs: &[Vec<f64>]| -> Result<Vec<(f64, Metrics)>, SweepError> {
        let sets: Vec<Vec<f64>> = xs.iter().map(|x| to_params(x)).collect();
        let resp = runner.responses_of(&sets, Some(&amps))?;
        Ok(resp
            .iter()
            .zip(xs)
            .map(|(r, x)| {
                let m = metrics(&reference, r, p);
                let f = m.loss + penalty(x);
                (if f.is_nan() { f64::INFINITY } else { f }, m)
            })
            .collect())
    };

    let n = coords.len();
    let start = vec![0.0; n];
    let (f0, before) = evaluate(std::slice::from_ref(&start))?[0];
    let mut best = (f0, start.clone(), before);
    let mut evals = 1;
    let lambda = cfg
        .population
        .unwrap_or(4 + (3.0 * (n as f64).ln()).floor() as usize)
        .max(4);
    let mut es = Cmaes::new(start, 1.0, lambda);
    let mut rng = Mt19937::new(cfg.seed);
    let mut history = Vec::new();
    while evals + lambda <= cfg.evaluations {
        if control.cancelled() {
            return Err(SweepError::Cancelled);
        }
        let xs = es.ask(&mut rng);
        let fs = evaluate(&xs)?;
        evals += lambda;
        for (x, (f, m)) in xs.iter().zip(&fs) {
            if *f < best.0 {
                best = (*f, x.clone(), *m);
            }
        }
        let losses: Vec<f64> = fs.iter().map(|(f, _)| *f).collect();
        es.tell(&xs, &losses);
        history.push(best.0);
        on_generation(evals, best.0);
        if es.sigma < 1e-8 {
            break;
        }
    }
    Ok(FitResult {
        free: coords.iter().map(|c| c.index).collect(),
        parameters: to_params(&best.1),
        before,
        after: best.2,
        evaluations: evals,
        history,
        reference,
    })
}

/// A plain (μ/μ_w, λ)-CMA-ES (Hansen's tutorial, 2016).
struct Cmaes {
    n: usize,
    lambda: usize,
    mean: Vec<f64>,
    sigma: f64,
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
    fn new(mean: Vec<f64>, sigma: f64, lambda: usize) -> Self {
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

    fn ask(&mut self, rng: &mut Mt19937) -> Vec<Vec<f64>> {
        let (vals, vecs) = jacobi_eigen(&self.c);
        self.d = vals.iter().map(|v| v.max(1e-20).sqrt()).collect();
        self.b = vecs;
        (0..self.lambda)
            .map(|_| {
                let z: Vec<f64> = (0..self.n).map(|_| rng.standard_normal()).collect();
                (0..self.n)
                    .map(|i| {
                        let y: f64 = (0..self.n).map(|j| self.b[i][j] * self.d[j] * z[j]).sum();
                        self.mean[i] + self.sigma * y
                    })
                    .collect()
            })
            .collect()
    }

    fn tell(&mut self, xs: &[Vec<f64>], losses: &[f64]) {
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
        let mut rng = Mt19937::new(1);
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
