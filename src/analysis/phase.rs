//! The phase plane of a model seen as a 2-D system in two of its ODE variables
//! (x, y), every other variable frozen at a given value: derivatives on a grid
//! (evaluated with the model's own compiled derivative program, one lane per grid
//! point), nullclines as the sign changes of dx/dt and dy/dt along each column,
//! fixed points where the nullclines cross (refined by Newton's method) and their
//! stability from the eigenvalues of the numerical Jacobian.
//!
//! For the Izhikevich families (x = v, y = u) the v-nullcline is the parabola
//! u = f(v) + I and the u-nullcline the line u = b (v - v_r) (or b v).

use crate::model::CompiledModel;

/// Evaluates (dx/dt, dy/dt) at many points at once.
pub struct Field<'a> {
    model: &'a CompiledModel,
    x_slot: usize,
    y_slot: usize,
    dx_slot: usize,
    dy_slot: usize,
    /// Values of every slot for one lane: constants, parameters, frozen variables.
    base: Vec<f64>,
    dt_ms: f64,
    scratch: Vec<f64>,
    /// (state slot, derivative slot) of the variables held at their steady state
    /// for each point (the fast gates of a reduced HH plane).
    fast: Vec<(usize, usize)>,
}

impl<'a> Field<'a> {
    /// Holds the ODE variables `vars` (model indices) at their steady state at
    /// every point instead of frozen (Rinzel's reduction: the fast gates follow v).
    /// The steady state is the root of the variable's own derivative from its
    /// values at 0 and 1, exact for gates (linear in themselves).
    pub fn with_fast(mut self, vars: &[usize]) -> Self {
        let m = self.model;
        self.fast = vars
            .iter()
            .filter_map(|&i| {
                let slot = m.vars.get(i)?.slot;
                let (_, d) = m.odes.iter().find(|(s, _)| *s == slot)?;
                Some((slot as usize, *d as usize))
            })
            .collect();
        self
    }

    /// Sets each fast variable to its steady state in every lane of `scratch`.
    fn relax_fast(&mut self, lanes: usize) {
        if self.fast.is_empty() {
            return;
        }
        let mut at = [Vec::new(), Vec::new()];
        for (k, value) in [0.0, 1.0].into_iter().enumerate() {
            for &(s, _) in &self.fast {
                self.scratch[s * lanes..(s + 1) * lanes].fill(value);
            }
            self.model.stage.run(&mut self.scratch, lanes, self.dt_ms);
            at[k] = self
                .fast
                .iter()
                .flat_map(|&(_, d)| self.scratch[d * lanes..(d + 1) * lanes].to_vec())
                .collect();
        }
        for (j, &(s, _)) in self.fast.iter().enumerate() {
            for lane in 0..lanes {
                let (f0, f1) = (at[0][j * lanes + lane], at[1][j * lanes + lane]);
                let root = if f0 != f1 { f0 / (f0 - f1) } else { 0.0 };
                self.scratch[s * lanes + lane] = root;
            }
        }
    }

    /// `params` in model order; `state` one value per variable (model order).
    /// Returns `None` unless `x` and `y` are both ODE variables.
    pub fn new(
        model: &'a CompiledModel,
        x: usize,
        y: usize,
        params: &[f64],
        state: &[f64],
        t_ms: f64,
        dt_ms: f64,
    ) -> Option<Self> {
        let deriv = |var: usize| {
            let slot = model.vars.get(var)?.slot;
            model
                .odes
                .iter()
                .find(|(s, _)| *s == slot)
                .map(|(_, d)| *d as usize)
        };
        let (dx_slot, dy_slot) = (deriv(x)?, deriv(y)?);
        let base = super::equilibrium::base_slots(model, params, state, t_ms, dt_ms);
        Some(Self {
            model,
            x_slot: model.vars[x].slot as usize,
            y_slot: model.vars[y].slot as usize,
            dx_slot,
            dy_slot,
            base,
            dt_ms,
            scratch: Vec::new(),
            fast: Vec::new(),
        })
    }

    /// (dx/dt, dy/dt) at each point.
    pub fn eval(&mut self, points: &[[f64; 2]]) -> Vec<[f64; 2]> {
        let lanes = points.len();
        if lanes == 0 {
            return Vec::new();
        }
        let n = self.model.n_slots;
        self.scratch.clear();
        self.scratch.resize(n * lanes, 0.0);
        for (s, &v) in self.base.iter().enumerate() {
            self.scratch[s * lanes..(s + 1) * lanes].fill(v);
        }
        for (lane, p) in points.iter().enumerate() {
            self.scratch[self.x_slot * lanes + lane] = p[0];
            self.scratch[self.y_slot * lanes + lane] = p[1];
        }
        self.relax_fast(lanes);
        self.model.stage.run(&mut self.scratch, lanes, self.dt_ms);
        (0..lanes)
            .map(|lane| {
                [
                    self.scratch[self.dx_slot * lanes + lane],
                    self.scratch[self.dy_slot * lanes + lane],
                ]
            })
            .collect()
    }

    pub fn at(&mut self, x: f64, y: f64) -> [f64; 2] {
        self.eval(&[[x, y]])[0]
    }

    /// Jacobian by central differences.
    pub fn jacobian(&mut self, x: f64, y: f64, hx: f64, hy: f64) -> [[f64; 2]; 2] {
        let d = self.eval(&[[x + hx, y], [x - hx, y], [x, y + hy], [x, y - hy]]);
        [
            [
                (d[0][0] - d[1][0]) / (2.0 * hx),
                (d[2][0] - d[3][0]) / (2.0 * hy),
            ],
            [
                (d[0][1] - d[1][1]) / (2.0 * hx),
                (d[2][1] - d[3][1]) / (2.0 * hy),
            ],
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stability {
    StableNode,
    StableFocus,
    UnstableNode,
    UnstableFocus,
    Saddle,
    Center,
}

impl Stability {
    pub fn name(self) -> &'static str {
        match self {
            Stability::StableNode => "stable node",
            Stability::StableFocus => "stable focus",
            Stability::UnstableNode => "unstable node",
            Stability::UnstableFocus => "unstable focus",
            Stability::Saddle => "saddle",
            Stability::Center => "center",
        }
    }

    pub fn is_stable(self) -> bool {
        matches!(self, Stability::StableNode | Stability::StableFocus)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FixedPoint {
    pub x: f64,
    pub y: f64,
    /// Eigenvalues (re, im) of the Jacobian.
    pub eigen: [(f64, f64); 2],
    pub stability: Stability,
}

/// Eigenvalues of a 2×2 matrix and the resulting kind of fixed point.
pub fn classify(j: [[f64; 2]; 2]) -> ([(f64, f64); 2], Stability) {
    let tr = j[0][0] + j[1][1];
    let det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
    let disc = tr * tr / 4.0 - det;
    let eig = if disc >= 0.0 {
        let s = disc.sqrt();
        [(tr / 2.0 - s, 0.0), (tr / 2.0 + s, 0.0)]
    } else {
        let s = (-disc).sqrt();
        [(tr / 2.0, -s), (tr / 2.0, s)]
    };
    let kind = if det < 0.0 {
        Stability::Saddle
    } else if tr == 0.0 {
        Stability::Center
    } else if disc >= 0.0 {
        if tr < 0.0 {
            Stability::StableNode
        } else {
            Stability::UnstableNode
        }
    } else if tr < 0.0 {
        Stability::StableFocus
    } else {
        Stability::UnstableFocus
    };
    (eig, kind)
}

/// Everything drawn in the plane.
#[derive(Clone, Debug, Default)]
pub struct Plane {
    pub x_range: [f64; 2],
    pub y_range: [f64; 2],
    /// dx/dt = 0 (the v-nullcline), as polylines.
    pub x_nullcline: Vec<Vec<[f64; 2]>>,
    /// dy/dt = 0 (the u-nullcline), as polylines.
    pub y_nullcline: Vec<Vec<[f64; 2]>>,
    /// Arrows: (base, direction scaled to a fixed fraction of the view).
    pub arrows: Vec<([f64; 2], [f64; 2])>,
    pub fixed_points: Vec<FixedPoint>,
}

/// Roots of `f` along each column of the grid, chained into polylines (a root in
/// one column joins the nearest root in the next when both columns have as many).
fn nullcline(xs: &[f64], ys: &[f64], values: &[[f64; 2]], comp: usize) -> Vec<Vec<[f64; 2]>> {
    let ny = ys.len();
    let roots: Vec<Vec<f64>> = xs
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let col = &values[i * ny..(i + 1) * ny];
            let mut r = Vec::new();
            for j in 0..ny - 1 {
                let (a, b) = (col[j][comp], col[j + 1][comp]);
                if !(a.is_finite() && b.is_finite()) {
                    continue;
                }
                if a == 0.0 {
                    r.push(ys[j]);
                } else if (a < 0.0) != (b < 0.0) && b != 0.0 {
                    r.push(ys[j] - a * (ys[j + 1] - ys[j]) / (b - a));
                }
            }
            r
        })
        .collect();
    let mut lines: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut open: Vec<Option<usize>> = Vec::new();
    let dy = (ys[ny - 1] - ys[0]).abs() / (ny - 1) as f64;
    for (i, col) in roots.iter().enumerate() {
        let mut next_open = Vec::with_capacity(col.len());
        for &y in col {
            // Join the line ending nearest in the previous column, if close enough.
            let prev = i.checked_sub(1).map(|p| &roots[p]);
            let joined = prev.and_then(|prev| {
                let (k, &py) = prev
                    .iter()
                    .enumerate()
                    .min_by(|a, b| (a.1 - y).abs().total_cmp(&(b.1 - y).abs()))?;
                let ok = col.len() == prev.len() || (py - y).abs() < 3.0 * dy;
                if ok {
                    open.get(k).copied().flatten()
                } else {
                    None
                }
            });
            match joined {
                Some(l) if lines[l].last().is_some_and(|p| p[0] == xs[i - 1]) => {
                    lines[l].push([xs[i], y]);
                    next_open.push(Some(l));
                }
                _ => {
                    lines.push(vec![[xs[i], y]]);
                    next_open.push(Some(lines.len() - 1));
                }
            }
        }
        open = next_open;
    }
    lines
}

/// Computes nullclines, arrows and fixed points in the given view.
pub fn compute_plane(
    field: &mut Field,
    x_range: [f64; 2],
    y_range: [f64; 2],
    nx: usize,
    ny: usize,
    arrows: usize,
) -> Plane {
    let (nx, ny) = (nx.max(3), ny.max(3));
    let lin = |r: [f64; 2], n: usize| -> Vec<f64> {
        (0..n)
            .map(|k| r[0] + (r[1] - r[0]) * k as f64 / (n - 1) as f64)
            .collect()
    };
    let xs = lin(x_range, nx);
    let ys = lin(y_range, ny);
    let pts: Vec<[f64; 2]> = xs
        .iter()
        .flat_map(|&x| ys.iter().map(move |&y| [x, y]))
        .collect();
    let values = field.eval(&pts);
    let x_null = nullcline(&xs, &ys, &values, 0);
    let y_null = nullcline(&xs, &ys, &values, 1);

    // Fixed points: cells where both derivatives change sign, refined by Newton.
    let (hx, hy) = (
        (x_range[1] - x_range[0]) * 1e-6,
        (y_range[1] - y_range[0]) * 1e-6,
    );
    let mut fixed: Vec<FixedPoint> = Vec::new();
    for i in 0..nx - 1 {
        for j in 0..ny - 1 {
            let c = [
                values[i * ny + j],
                values[i * ny + j + 1],
                values[(i + 1) * ny + j],
                values[(i + 1) * ny + j + 1],
            ];
            let changes = |k: usize| {
                let lo = c.iter().map(|v| v[k]).fold(f64::INFINITY, f64::min);
                let hi = c.iter().map(|v| v[k]).fold(f64::NEG_INFINITY, f64::max);
                lo <= 0.0 && hi >= 0.0
            };
            if !(changes(0) && changes(1)) {
                continue;
            }
            let (mut x, mut y) = (0.5 * (xs[i] + xs[i + 1]), 0.5 * (ys[j] + ys[j + 1]));
            let mut converged = false;
            for _ in 0..50 {
                let f = field.at(x, y);
                let jm = field.jacobian(x, y, hx, hy);
                let det = jm[0][0] * jm[1][1] - jm[0][1] * jm[1][0];
                if det == 0.0 || !det.is_finite() {
                    break;
                }
                let sx = (f[0] * jm[1][1] - f[1] * jm[0][1]) / det;
                let sy = (jm[0][0] * f[1] - jm[1][0] * f[0]) / det;
                x -= sx;
                y -= sy;
                if sx.abs() < 1e-12 * (1.0 + x.abs()) && sy.abs() < 1e-12 * (1.0 + y.abs()) {
                    converged = true;
                    break;
                }
            }
            let inside = x >= xs[i] - 2.0 * (xs[1] - xs[0]).abs()
                && x <= xs[i + 1] + 2.0 * (xs[1] - xs[0]).abs();
            if !(converged && inside && x.is_finite() && y.is_finite()) {
                continue;
            }
            let tol_x = 1e-6 * (x_range[1] - x_range[0]).abs();
            let tol_y = 1e-6 * (y_range[1] - y_range[0]).abs();
            if fixed
                .iter()
                .any(|p| (p.x - x).abs() < tol_x.max(1e-9) && (p.y - y).abs() < tol_y.max(1e-9))
            {
                continue;
            }
            let (eigen, stability) = classify(field.jacobian(x, y, hx.max(1e-7), hy.max(1e-7)));
            fixed.push(FixedPoint {
                x,
                y,
                eigen,
                stability,
            });
        }
    }
    fixed.sort_by(|a, b| a.x.total_cmp(&b.x));

    // Direction field, each arrow scaled to 4% of the view in screen-relative units.
    let (sx, sy) = (
        (x_range[1] - x_range[0]).abs(),
        (y_range[1] - y_range[0]).abs(),
    );
    let na = arrows.max(2);
    let ax = lin(
        [
            x_range[0] + sx / (2 * na) as f64,
            x_range[1] - sx / (2 * na) as f64,
        ],
        na,
    );
    let ay = lin(
        [
            y_range[0] + sy / (2 * na) as f64,
            y_range[1] - sy / (2 * na) as f64,
        ],
        na,
    );
    let apts: Vec<[f64; 2]> = ax
        .iter()
        .flat_map(|&x| ay.iter().map(move |&y| [x, y]))
        .collect();
    let adirs = field.eval(&apts);
    let len = 0.6 / na as f64;
    let arrows = apts
        .iter()
        .zip(&adirs)
        .filter_map(|(p, d)| {
            let (u, w) = (d[0] / sx, d[1] / sy);
            let n = (u * u + w * w).sqrt();
            (n.is_finite() && n > 0.0).then(|| (*p, [u / n * len * sx, w / n * len * sy]))
        })
        .collect();
    Plane {
        x_range,
        y_range,
        x_nullcline: x_null,
        y_nullcline: y_null,
        arrows,
        fixed_points: fixed,
    }
}

/// The y of each nullcline at `x`, assuming both derivatives are (nearly) linear in
/// y there (true for the Izhikevich families): a secant through y = y0 and y0 + 1.
pub fn nullcline_y_estimates(field: &mut Field, xs: &[f64], y0: f64) -> Vec<[f64; 2]> {
    let pts: Vec<[f64; 2]> = xs.iter().flat_map(|&x| [[x, y0], [x, y0 + 1.0]]).collect();
    let d = field.eval(&pts);
    d.chunks(2)
        .map(|c| {
            let root = |k: usize| {
                let s = c[1][k] - c[0][k];
                if s != 0.0 { y0 - c[0][k] / s } else { f64::NAN }
            };
            [root(0), root(1)]
        })
        .collect()
}
