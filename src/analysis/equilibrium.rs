//! Equilibria of a whole model: its ODE right-hand sides evaluated by the model's
//! own compiled derivative program (the `stage` tape, one lane per point), Newton's
//! method on them, the numerical Jacobian, its eigenvalues and the resulting kind of
//! fixed point. The bifurcation diagram and the phase planes use these.
//!
//! Eigenvalues come from the characteristic polynomial (Faddeev–LeVerrier) and its
//! roots (Durand–Kerner): exact enough for the few state variables of a point
//! neuron (2 for Izhikevich, 5 for the Corbit HH cell), after scaling the matrix to
//! unit size.

use super::phase::Stability;
use crate::model::{CompiledModel, RandomKind};

/// Slot values of one lane: constants, parameters, `state` (one value per variable,
/// model order), random draws at their "nothing happens" value (U = 0.5, N = 0),
/// time and dt.
pub(crate) fn base_slots(
    model: &CompiledModel,
    params: &[f64],
    state: &[f64],
    t_ms: f64,
    dt_ms: f64,
) -> Vec<f64> {
    let mut base = vec![0.0; model.n_slots];
    for &(s, v) in &model.constants {
        base[s as usize] = v;
    }
    for (s, v) in model.param_slots.iter().zip(params) {
        base[*s as usize] = *v;
    }
    for (var, v) in model.vars.iter().zip(state) {
        base[var.slot as usize] = *v;
    }
    for &(s, kind) in &model.randoms {
        base[s as usize] = match kind {
            RandomKind::Uniform => 0.5,
            RandomKind::Normal => 0.0,
        };
    }
    base[model.t_slot as usize] = t_ms;
    base[model.dt_slot as usize] = dt_ms;
    base
}

/// The ODE right-hand sides of a model at given parameters, as a function of its
/// state variables (in `model.odes` order).
pub struct Rhs<'a> {
    model: &'a CompiledModel,
    base: Vec<f64>,
    dt_ms: f64,
    scratch: Vec<f64>,
}

impl<'a> Rhs<'a> {
    pub fn new(model: &'a CompiledModel, params: &[f64], dt_ms: f64) -> Self {
        let state = vec![0.0; model.vars.len()];
        Self {
            model,
            base: base_slots(model, params, &state, 0.0, dt_ms),
            dt_ms,
            scratch: Vec::new(),
        }
    }

    /// Number of state variables.
    pub fn dim(&self) -> usize {
        self.model.odes.len()
    }

    /// Index in `model.vars` of each state variable.
    pub fn state_vars(&self) -> Vec<usize> {
        self.model
            .odes
            .iter()
            .filter_map(|(s, _)| self.model.vars.iter().position(|v| v.slot == *s))
            .collect()
    }

    /// The derivatives at each point (each a state vector).
    pub fn eval(&mut self, points: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let lanes = points.len();
        if lanes == 0 {
            return Vec::new();
        }
        self.scratch.clear();
        self.scratch.resize(self.model.n_slots * lanes, 0.0);
        for (s, &v) in self.base.iter().enumerate() {
            self.scratch[s * lanes..(s + 1) * lanes].fill(v);
        }
        for (lane, p) in points.iter().enumerate() {
            for (&(slot, _), &x) in self.model.odes.iter().zip(p) {
                self.scratch[slot as usize * lanes + lane] = x;
            }
        }
        self.model.stage.run(&mut self.scratch, lanes, self.dt_ms);
        (0..lanes)
            .map(|lane| {
                self.model
                    .odes
                    .iter()
                    .map(|&(_, d)| self.scratch[d as usize * lanes + lane])
                    .collect()
            })
            .collect()
    }

    /// The Jacobian at `x` by central differences (all 2n points in one call).
    pub fn jacobian(&mut self, x: &[f64]) -> Vec<Vec<f64>> {
        let n = x.len();
        let h: Vec<f64> = x.iter().map(|&xi| 1e-6 * xi.abs().max(1e-3)).collect();
        let mut pts = Vec::with_capacity(2 * n);
        for j in 0..n {
            for sign in [1.0, -1.0] {
                let mut p = x.to_vec();
                p[j] += sign * h[j];
                pts.push(p);
            }
        }
        let d = self.eval(&pts);
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| (d[2 * j][i] - d[2 * j + 1][i]) / (2.0 * h[j]))
                    .collect()
            })
            .collect()
    }

    /// Newton's method from `x0`; `None` unless it converges to finite values.
    pub fn newton(&mut self, x0: &[f64], max_iter: usize) -> Option<Vec<f64>> {
        let mut x = x0.to_vec();
        for _ in 0..max_iter {
            let f = self.eval(std::slice::from_ref(&x)).pop()?;
            let j = self.jacobian(&x);
            let step = solve(j, f)?;
            let mut small = true;
            for (xi, si) in x.iter_mut().zip(&step) {
                *xi -= si;
                small &= si.abs() <= 1e-11 * (1.0 + xi.abs());
            }
            if !x.iter().all(|v| v.is_finite()) {
                return None;
            }
            if small {
                return Some(x);
            }
        }
        None
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &k| a[i][c].abs().total_cmp(&a[k][c].abs()))?;
        if a[p][c] == 0.0 || !a[p][c].is_finite() {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        let (top, rest) = a.split_at_mut(c + 1);
        let pivot = &top[c];
        for (r, row) in rest.iter_mut().enumerate() {
            let f = row[c] / pivot[c];
            for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                *x -= f * p;
            }
            b[c + 1 + r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

type C = (f64, f64);

fn cmul(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn cdiv(a: C, b: C) -> C {
    let d = b.0 * b.0 + b.1 * b.1;
    ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
}

/// Eigenvalues (re, im) of a square matrix, sorted by real part.
pub fn eigenvalues(m: &[Vec<f64>]) -> Vec<(f64, f64)> {
    let n = m.len();
    if n == 0 {
        return Vec::new();
    }
    let scale = m
        .iter()
        .flatten()
        .fold(0.0f64, |s, x| s.max(x.abs()))
        .max(f64::MIN_POSITIVE);
    let a: Vec<Vec<f64>> = m
        .iter()
        .map(|r| r.iter().map(|x| x / scale).collect())
        .collect();
    // Faddeev–LeVerrier: p(z) = z^n + c[1] z^(n-1) + … + c[n].
    let mut c = vec![1.0; n + 1];
    let mut mk = vec![vec![0.0; n]; n];
    for k in 1..=n {
        // M_k = A M_{k-1} + c_{k-1} I; c_k = -tr(A M_k) / k.
        let mut next = vec![vec![0.0; n]; n];
        for (i, row) in next.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = (0..n).map(|l| a[i][l] * mk[l][j]).sum::<f64>();
            }
            row[i] += c[k - 1];
        }
        mk = next;
        let tr: f64 = (0..n)
            .map(|i| (0..n).map(|l| a[i][l] * mk[l][i]).sum::<f64>())
            .sum();
        c[k] = -tr / k as f64;
    }
    let mut roots = durand_kerner(&c);
    for r in &mut roots {
        *r = (r.0 * scale, r.1 * scale);
    }
    roots.sort_by(|x, y| x.0.total_cmp(&y.0));
    roots
}

/// Roots of the monic polynomial with coefficients `c` (c[0] = 1, highest first).
fn durand_kerner(c: &[f64]) -> Vec<C> {
    let n = c.len() - 1;
    let eval = |z: C| {
        c.iter().fold((0.0, 0.0), |acc, &k| {
            let p = cmul(acc, z);
            (p.0 + k, p.1)
        })
    };
    let radius = 1.0 + c[1..].iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let mut z: Vec<C> = (0..n)
        .map(|k| {
            let angle = 2.0 * std::f64::consts::PI * k as f64 / n as f64 + 0.4;
            (radius * angle.cos(), radius * angle.sin())
        })
        .collect();
    for _ in 0..2000 {
        let mut moved = 0.0f64;
        for i in 0..n {
            let mut den = (1.0, 0.0);
            for j in 0..n {
                if i != j {
                    den = cmul(den, (z[i].0 - z[j].0, z[i].1 - z[j].1));
                }
            }
            let step = cdiv(eval(z[i]), den);
            if step.0.is_finite() && step.1.is_finite() {
                z[i] = (z[i].0 - step.0, z[i].1 - step.1);
                moved = moved.max(step.0.abs() + step.1.abs());
            }
        }
        if moved < 1e-15 {
            break;
        }
    }
    // Conjugate pairs come out with tiny imaginary parts on real roots: clean up.
    z.into_iter()
        .map(|(re, im)| if im.abs() < 1e-9 { (re, 0.0) } else { (re, im) })
        .collect()
}

/// The kind of fixed point with these eigenvalues: stable when every real part is
/// negative; a saddle when some are positive and some negative; node or focus by
/// whether the eigenvalue that decides (the largest real part when stable, the
/// smallest when unstable) is real.
pub fn stability_of(eigen: &[(f64, f64)]) -> Stability {
    let positive = eigen.iter().filter(|e| e.0 > 0.0).count();
    let negative = eigen.iter().filter(|e| e.0 < 0.0).count();
    let pick = |e: Option<&(f64, f64)>, node, focus| match e {
        Some(e) if e.1 != 0.0 => focus,
        _ => node,
    };
    if positive == 0 && negative == eigen.len() {
        let lead = eigen.iter().max_by(|a, b| a.0.total_cmp(&b.0));
        pick(lead, Stability::StableNode, Stability::StableFocus)
    } else if positive > 0 && negative > 0 {
        Stability::Saddle
    } else if positive == eigen.len() {
        let lead = eigen.iter().min_by(|a, b| a.0.total_cmp(&b.0));
        pick(lead, Stability::UnstableNode, Stability::UnstableFocus)
    } else {
        Stability::Center
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenvalues_of_known_matrices() {
        // Upper triangular: the diagonal.
        let e = eigenvalues(&[
            vec![-3.0, 1.0, 2.0],
            vec![0.0, -0.01, 5.0],
            vec![0.0, 0.0, 200.0],
        ]);
        for (got, want) in e.iter().zip([-3.0, -0.01, 200.0]) {
            assert!((got.0 - want).abs() < 1e-9 * want.abs().max(1.0), "{e:?}");
            assert_eq!(got.1, 0.0);
        }
        // Rotation-like: ±2i shifted by -1.
        let e = eigenvalues(&[vec![-1.0, -2.0], vec![2.0, -1.0]]);
        assert!((e[0].0 + 1.0).abs() < 1e-12 && (e[0].1.abs() - 2.0).abs() < 1e-12);
        assert_eq!(stability_of(&e), Stability::StableFocus);
        assert_eq!(stability_of(&[(-1.0, 0.0), (2.0, 0.0)]), Stability::Saddle);
        assert_eq!(
            stability_of(&[(1.0, 0.0), (2.0, 0.0)]),
            Stability::UnstableNode
        );
    }

    #[test]
    fn linear_solve() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
    }
}
