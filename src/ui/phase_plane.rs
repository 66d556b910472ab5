//! The live phase plane. For models with ODE variables `v` and `u` (the Izhikevich
//! families): v- and u-nullclines for the current parameters, input and the other
//! variables' current values, a direction field, fixed points with their stability,
//! and the recorded trajectory on top. Everything is recomputed within the frame
//! when a slider moves (a grid of a few thousand points through the model's own
//! derivative program). For other models: the trajectory projected on v and a
//! chosen variable.

use egui::Color32;
use egui_plot::{Arrows, Line, MarkerShape, Plot, PlotBounds, PlotPoints, Points};

use super::history::History;
use crate::analysis::phase::{Field, Plane, compute_plane, nullcline_y_estimates};
use crate::model::{CompiledModel, VarKind};
use crate::sim::run::RunSpec;

/// Grid of the nullcline computation (columns × rows) and arrows per side.
const GRID: (usize, usize) = (241, 161);
const ARROWS: usize = 17;
/// Most trajectory points drawn.
const MAX_TRAJECTORY: usize = 6000;

pub struct PhaseInput<'a> {
    pub history: &'a History,
    pub setup: &'a RunSpec,
    /// Simulated ms of trajectory to show.
    pub window_ms: f64,
    pub running: bool,
}

#[derive(Default)]
pub struct PhasePlanePanel {
    /// The y variable when the model is not of the (v, u) kind.
    pub y_var: Option<usize>,
    /// The user zoomed or panned: keep their view instead of the automatic one.
    pub user_view: bool,
    last_bounds: Option<([f64; 2], [f64; 2])>,
    cache_key: String,
    pub plane: Option<Plane>,
    /// Times the plane was recomputed (tests).
    pub recomputed: u64,
    pub trajectory_points: usize,
    /// Reset jumps drawn dashed in the last frame (tests).
    pub reset_jumps: usize,
}

/// (x, y) variables for the nullcline mode: the membrane potential and `u`, both
/// ODE variables.
pub fn vu_pair(m: &CompiledModel) -> Option<(usize, usize)> {
    let ode = |i: usize| Some(i).filter(|&i| m.vars[i].kind == VarKind::State);
    Some((ode(m.membrane_var()?)?, ode(m.var_index("u")?)?))
}

/// The current state: the last recorded sample, else the initial state of the setup;
/// and the current settings of the parameters. Only an input parameter driven by a
/// stimulus waveform takes its value from the last sample (setting plus waveform, as
/// the engine saw it); otherwise a slider edit moves the plane at once, even paused.
fn current(input: &PhaseInput<'_>) -> (Vec<f64>, Vec<f64>, f64) {
    let setup = input.setup;
    let m = &setup.model;
    let n = m.vars.len();
    let mut params = setup.parameters.clone();
    let h = input.history;
    if !h.is_empty() {
        let state: Vec<f64> = (0..n)
            .map(|i| h.channel(i).and_then(|c| c.back().copied()).unwrap_or(0.0))
            .collect();
        if h.channels() > n
            && let (Some(p), Some(v)) = (
                crate::sim::worker::input_param(m, &setup.stimuli),
                h.channel(n).and_then(|c| c.back().copied()),
            )
            && setup
                .stimuli
                .iter()
                .any(|s| s.target == m.desc.parameters[p].name)
        {
            params[p] = v;
        }
        let t = h.time_span().map_or(0.0, |(_, t)| t);
        return (state, params, t);
    }
    let state = match setup.engine(1) {
        Ok(e) => (0..n).map(|i| e.var(i, 0)).collect(),
        Err(_) => vec![0.0; n],
    };
    (state, params, 0.0)
}

/// Rounds a range outward to a "nice" grid so the automatic view (and the cached
/// plane) changes only when the data leaves it.
fn nice(lo: f64, hi: f64, min_span: f64) -> [f64; 2] {
    let (mut lo, mut hi) = (lo, hi);
    if hi - lo < min_span {
        let mid = 0.5 * (lo + hi);
        lo = mid - 0.5 * min_span;
        hi = mid + 0.5 * min_span;
    }
    let margin = 0.08 * (hi - lo);
    lo -= margin;
    hi += margin;
    let step = 10f64.powf((hi - lo).log10().floor()) / 4.0;
    [(lo / step).floor() * step, (hi / step).ceil() * step]
}

fn min_max(it: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = it
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    (lo <= hi).then_some((lo, hi))
}

/// The ODE variables other than v and `y` whose time constant at the current state
/// (−1 / the Jacobian's diagonal) is shorter than `y`'s: in the reduced plane they
/// follow v at their steady state (Rinzel 1985); slower ones stay frozen.
fn faster_than(
    m: &crate::model::CompiledModel,
    y: usize,
    params: &[f64],
    state: &[f64],
    dt_ms: f64,
) -> Vec<usize> {
    let mut rhs = crate::analysis::equilibrium::Rhs::new(m, params, dt_ms);
    let vars = rhs.state_vars();
    let x: Vec<f64> = vars
        .iter()
        .map(|&i| state.get(i).copied().unwrap_or(0.0))
        .collect();
    let j = rhs.jacobian(&x);
    let tau = |k: usize| -1.0 / j[k][k];
    let Some(ky) = vars.iter().position(|&i| i == y) else {
        return Vec::new();
    };
    let v = m.membrane_var();
    vars.iter()
        .enumerate()
        .filter(|&(k, &i)| Some(i) != v && i != y && tau(k) > 0.0 && tau(k) < tau(ky).abs())
        .map(|(_, &i)| i)
        .collect()
}

/// A reset model's trajectory: solid paths between spikes and dashed reset jumps.
#[derive(Default)]
struct ResetPieces {
    paths: Vec<Vec<[f64; 2]>>,
    jumps: Vec<Vec<[f64; 2]>>,
}

/// The membrane potential at which a spike is emitted, when the spike condition
/// reads `v > X` or `v >= X` with X a number or a parameter (the Izhikevich
/// models' `v_peak`, or 30 mV).
fn spike_threshold_mv(m: &crate::model::CompiledModel, params: &[f64]) -> Option<f64> {
    let v = &m.vars[m.membrane_var()?].name;
    let (_, text, _) = m.desc.spike.as_ref()?;
    let (lhs, rhs) = text.split_once(">=").or_else(|| text.split_once('>'))?;
    if lhs.trim().trim_start_matches('(') != v {
        return None;
    }
    let rhs = rhs.trim().trim_end_matches(')').trim();
    rhs.parse::<f64>()
        .ok()
        .or_else(|| m.param_index(rhs).and_then(|i| params.get(i).copied()))
}

impl PhasePlanePanel {
    /// The recent trajectory (x, y), thinned to at most `MAX_TRAJECTORY` points.
    fn trajectory(input: &PhaseInput<'_>, x: usize, y: usize) -> Vec<[f64; 2]> {
        let h = input.history;
        let (Some(xs), Some(ys)) = (h.channel(x), h.channel(y)) else {
            return Vec::new();
        };
        let Some((_, t1)) = h.time_span() else {
            return Vec::new();
        };
        let range = h.range_of(t1 - input.window_ms, t1);
        let stride = range.len().div_ceil(MAX_TRAJECTORY).max(1);
        let mut out: Vec<[f64; 2]> = range
            .clone()
            .step_by(stride)
            .map(|k| [xs[k], ys[k]])
            .collect();
        if let Some(last) = range.end.checked_sub(1)
            && !(range.end - range.start - 1).is_multiple_of(stride)
        {
            out.push([xs[last], ys[last]]);
        }
        out
    }

    /// For a reset model, the trajectory split at its resets: the solid pieces
    /// between spikes and the jumps (pre-reset state → reset state), which the plot
    /// draws dashed; the reset is a jump, not a path the state travels. `None` for
    /// models without a reset.
    fn reset_pieces(input: &PhaseInput<'_>, x: usize, y: usize) -> Option<ResetPieces> {
        let m = &input.setup.model;
        if m.desc.reset.is_empty() {
            return None;
        }
        let h = input.history;
        let (xs, ys) = (h.channel(x)?, h.channel(y)?);
        let (_, t1) = h.time_span()?;
        let range = h.range_of(t1 - input.window_ms, t1);
        let stride = range.len().div_ceil(MAX_TRAJECTORY).max(1);
        let mut pieces = ResetPieces::default();
        let mut start = range.start;
        let spikes: Vec<usize> = h
            .spike_indices(range.clone())
            .filter(|&j| j > range.start)
            .collect();
        for end in spikes.iter().copied().chain(std::iter::once(range.end)) {
            // Samples start..end (exclusive), thinned, with the last one kept.
            let mut piece: Vec<[f64; 2]> = (start..end)
                .step_by(stride)
                .map(|k| [xs[k], ys[k]])
                .collect();
            if end > start + 1 {
                piece.push([xs[end - 1], ys[end - 1]]);
            }
            pieces.paths.push(piece);
            if end < range.end {
                pieces
                    .jumps
                    .push(vec![[xs[end - 1], ys[end - 1]], [xs[end], ys[end]]]);
            }
            start = end;
        }
        Some(pieces)
    }

    /// The automatic view: trajectory, fixed points and the nullclines' lower part.
    fn auto_view(
        &self,
        field: &mut Field,
        traj: &[[f64; 2]],
        state: (f64, f64),
    ) -> ([f64; 2], [f64; 2]) {
        let fps = self
            .plane
            .as_ref()
            .map(|p| p.fixed_points.clone())
            .unwrap_or_default();
        let (xlo, xhi) = min_max(
            traj.iter()
                .map(|p| p[0])
                .chain([state.0])
                .chain(fps.iter().map(|f| f.x)),
        )
        .unwrap_or((state.0, state.0));
        let xr = nice(xlo, xhi, 40.0);
        let xs: Vec<f64> = (0..=40)
            .map(|k| xr[0] + (xr[1] - xr[0]) * k as f64 / 40.0)
            .collect();
        let est = nullcline_y_estimates(field, &xs, state.1);
        let mut ys: Vec<f64> = traj
            .iter()
            .map(|p| p[1])
            .chain([state.1])
            .chain(fps.iter().map(|f| f.y))
            .collect();
        ys.extend(est.iter().map(|e| e[1]));
        if let Some((lo, _)) = min_max(est.iter().map(|e| e[0])) {
            ys.push(lo);
        }
        let (ylo, yhi) = min_max(ys.into_iter()).unwrap_or((state.1 - 1.0, state.1 + 1.0));
        let min_span = (0.05 * ylo.abs().max(yhi.abs())).max(1e-3);
        (xr, nice(ylo, yhi, min_span))
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, input: &PhaseInput<'_>) {
        let m = &input.setup.model;
        let (state, params, t) = current(input);
        let Some(v) = m.membrane_var().or(Some(0)).filter(|_| !m.vars.is_empty()) else {
            ui.label("This model has no variables.");
            return;
        };
        let pair = vu_pair(m);
        let y = match pair {
            Some((_, u)) => u,
            None => {
                let default = (0..m.vars.len())
                    .find(|&i| i != v && m.vars[i].kind == VarKind::State)
                    .unwrap_or(v);
                let mut y = self.y_var.filter(|&i| i < m.vars.len()).unwrap_or(default);
                ui.horizontal(|ui| {
                    ui.label(format!("Trajectory of {} against", m.vars[v].name));
                    egui::ComboBox::from_id_salt("phase_y")
                        .selected_text(m.vars[y].name.clone())
                        .show_ui(ui, |ui| {
                            for (i, var) in m.vars.iter().enumerate() {
                                ui.selectable_value(&mut y, i, &var.name);
                            }
                        });
                    ui.weak("(reduced plane: faster gates at steady state)")
                        .on_hover_text(
                            "When both are ODE variables: the gates faster than the chosen one \
                         follow v at their steady state, slower ones stay frozen (after Rinzel).",
                        );
                });
                self.y_var = Some(y);
                y
            }
        };
        let traj = Self::trajectory(input, v, y);
        self.trajectory_points = traj.len();
        let resets = Self::reset_pieces(input, v, y);
        self.reset_jumps = resets.as_ref().map_or(0, |r| r.jumps.len());
        let v_peak = spike_threshold_mv(m, &params).filter(|_| m.membrane_var() == Some(v));
        let dt = input.setup.dt_ms;
        let mut field = match pair {
            Some((x, yy)) => Field::new(m, x, yy, &params, &state, t, dt),
            // Any other model with v and y as ODE variables: the reduced plane.
            None if m.vars[v].kind == VarKind::State
                && m.vars[y].kind == VarKind::State
                && v != y =>
            {
                let fast = faster_than(m, y, &params, &state, dt);
                Field::new(m, v, y, &params, &state, t, dt).map(|f| f.with_fast(&fast))
            }
            None => None,
        };
        let following = !self.user_view || input.running;
        if let Some(field) = field.as_mut() {
            let (xr, yr) = match (following, self.last_bounds) {
                (false, Some(b)) => b,
                // The reduced plane's nullclines are not linear in the gate: frame
                // the trajectory (and the state) instead.
                _ if pair.is_none() => {
                    let pts = traj.iter().copied().chain([[state[v], state[y]]]);
                    let (x0, x1) = min_max(pts.clone().map(|p| p[0])).unwrap_or((-100.0, 50.0));
                    let (y0, y1) = min_max(pts.map(|p| p[1])).unwrap_or((0.0, 1.0));
                    (nice(x0, x1, 40.0), nice(y0, y1, 0.5))
                }
                _ => self.auto_view(field, &traj, (state[v], state[y])),
            };
            // The frozen variables (all but v and u) and the parameters define the plane.
            let frozen: Vec<u64> = state
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != v && *i != y)
                .map(|(_, s)| s.to_bits())
                .collect();
            let key = format!(
                "{}|{xr:?}|{yr:?}|{:?}|{frozen:?}",
                m.id(),
                params.iter().map(|p| p.to_bits()).collect::<Vec<_>>()
            );
            if key != self.cache_key {
                self.plane = Some(compute_plane(field, xr, yr, GRID.0, GRID.1, ARROWS));
                self.cache_key = key;
                self.recomputed += 1;
            }
        } else {
            self.plane = None;
        }
        let plane = self.plane.clone();
        if let Some(p) = &plane {
            ui.horizontal_wrapped(|ui| {
                if p.fixed_points.is_empty() {
                    ui.label("No fixed point in view (the cell fires tonically for this input).");
                }
                for f in &p.fixed_points {
                    let eig = f
                        .eigen
                        .iter()
                        .map(|(re, im)| {
                            if *im == 0.0 {
                                format!("{re:.4}")
                            } else {
                                format!("{re:.4}{im:+.4}i")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    ui.monospace(format!(
                        "({:.3}, {:.3}) {} λ = {eig}",
                        f.x,
                        f.y,
                        f.stability.name()
                    ));
                }
            });
        }
        let names = (m.vars[v].name.clone(), m.vars[y].name.clone());
        let plot = super::plot_style::styled(
            Plot::new("phase_plane"),
            super::plot_style::AxisSpec::new(names.0.clone(), m.vars[v].unit.clone()),
            super::plot_style::AxisSpec::new(names.1.clone(), m.vars[y].unit.clone()),
        );
        // The hover read-out also gives the time of a trajectory point under the cursor.
        let (x_axis, y_axis) = (
            super::plot_style::AxisSpec::new(names.0.clone(), m.vars[v].unit.clone()),
            super::plot_style::AxisSpec::new(names.1.clone(), m.vars[y].unit.clone()),
        );
        let history = input.history;
        let window = history
            .time_span()
            .map_or(0..0, |(_, t1)| history.range_of(t1 - input.window_ms, t1));
        let plot = plot.label_formatter(move |pos| {
            let mut text = super::plot_style::hover_text(pos, &x_axis, &y_axis);
            if let egui_plot::HoverPosition::NearDataPoint { position, .. } = pos
                && let Some(t) = time_of_point(history, (v, y), window.clone(), position)
            {
                text.push_str(&format!("\nt = {t} ms"));
            }
            Some(text)
        });
        let mut plot = super::plot_style::with_legend(plot, ui.ctx(), egui_plot::Corner::LeftTop)
            .allow_double_click_reset(false);
        let colors = PhaseColors::for_ui(ui);
        if plane.is_none() {
            plot = plot.auto_bounds([true, true]);
        }
        let response = plot.show(ui, |p| {
            if let Some(pl) = &plane {
                if following {
                    p.set_plot_bounds(PlotBounds::from_min_max(
                        [pl.x_range[0], pl.y_range[0]],
                        [pl.x_range[1], pl.y_range[1]],
                    ));
                }
                let origins: Vec<[f64; 2]> = pl.arrows.iter().map(|a| a.0).collect();
                let tips: Vec<[f64; 2]> = pl
                    .arrows
                    .iter()
                    .map(|a| [a.0[0] + a.1[0], a.0[1] + a.1[1]])
                    .collect();
                p.arrows(
                    Arrows::new(
                        "direction field",
                        PlotPoints::new(origins),
                        PlotPoints::new(tips),
                    )
                    .color(colors.field),
                );
                let vn = format!("{}-nullcline (d{}/dt = 0)", names.0, names.0);
                for line in &pl.x_nullcline {
                    p.line(
                        Line::new(vn.clone(), PlotPoints::new(line.clone()))
                            .color(colors.x_nullcline)
                            .width(colors.width * 1.6),
                    );
                }
                let un = format!("{}-nullcline (d{}/dt = 0)", names.1, names.1);
                for line in &pl.y_nullcline {
                    p.line(
                        Line::new(un.clone(), PlotPoints::new(line.clone()))
                            .color(colors.y_nullcline)
                            .width(colors.width * 1.6),
                    );
                }
            }
            let green = colors.trajectory;
            if let Some(pieces) = &resets {
                for path in &pieces.paths {
                    p.line(
                        Line::new("trajectory", PlotPoints::new(path.clone()))
                            .color(green)
                            .width(colors.width),
                    );
                }
                for jump in &pieces.jumps {
                    p.line(
                        Line::new("reset (jump)", PlotPoints::new(jump.clone()))
                            .color(green)
                            .width(1.0)
                            .style(egui_plot::LineStyle::dashed_dense()),
                    );
                }
            }
            if let Some(vp) = v_peak {
                p.vline(
                    egui_plot::VLine::new(format!("spike at {} ≥ {vp}", names.0), vp)
                        .color(colors.alert)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            if !traj.is_empty() {
                if resets.is_none() {
                    p.line(
                        Line::new("trajectory", PlotPoints::new(traj.clone()))
                            .color(green)
                            .width(colors.width),
                    );
                }
                if let Some(last) = traj.last() {
                    p.points(
                        Points::new("now", PlotPoints::new(vec![*last]))
                            .radius(5.0)
                            .filled(true)
                            .color(green),
                    );
                }
            }
            if let Some(pl) = &plane {
                let (stable, unstable): (Vec<_>, Vec<_>) = pl
                    .fixed_points
                    .iter()
                    .partition(|f| f.stability.is_stable());
                let pts = |v: &[&crate::analysis::phase::FixedPoint]| -> Vec<[f64; 2]> {
                    v.iter().map(|f| [f.x, f.y]).collect()
                };
                if !stable.is_empty() {
                    p.points(
                        Points::new("stable fixed point", PlotPoints::new(pts(&stable)))
                            .shape(MarkerShape::Circle)
                            .radius(6.0)
                            .filled(true)
                            .color(colors.stable),
                    );
                }
                if !unstable.is_empty() {
                    p.points(
                        Points::new("unstable fixed point", PlotPoints::new(pts(&unstable)))
                            .shape(MarkerShape::Circle)
                            .radius(6.0)
                            .filled(false)
                            .color(colors.alert),
                    );
                }
            }
        });
        if !input.running {
            super::plots::track_user_view(ui, &response.response, &mut self.user_view);
        }
        let b = response.transform.bounds();
        self.last_bounds = Some(([b.min()[0], b.max()[0]], [b.min()[1], b.max()[1]]));
    }
}

/// The phase plane's colours for the theme in use: Okabe–Ito blue and orange
/// nullclines, a bluish-green trajectory, vermillion for spikes and unstable
/// points, and stable points in the text colour (white on dark, black on light).
struct PhaseColors {
    field: Color32,
    x_nullcline: Color32,
    y_nullcline: Color32,
    trajectory: Color32,
    alert: Color32,
    stable: Color32,
    width: f32,
}

impl PhaseColors {
    fn for_ui(ui: &egui::Ui) -> Self {
        let v = ui.visuals();
        Self {
            field: v.weak_text_color(),
            x_nullcline: if v.dark_mode {
                super::palette::categorical(0, true)
            } else {
                super::palette::CANDIDATE
            },
            y_nullcline: super::palette::REFERENCE,
            trajectory: super::palette::STABLE,
            alert: super::palette::ALERT,
            stable: v.strong_text_color(),
            width: super::plot_style::line_width(ui.ctx(), 1.0),
        }
    }
}

/// The time of the recorded sample at exactly `point` in channels `(x, y)` within
/// `range` (a trajectory point under the cursor), if it is one; the latest wins.
fn time_of_point(
    history: &crate::ui::history::History,
    (x, y): (usize, usize),
    range: std::ops::Range<usize>,
    point: &egui_plot::PlotPoint,
) -> Option<f64> {
    let (xs, ys) = (history.channel(x)?, history.channel(y)?);
    range
        .rev()
        .find(|&k| xs[k] == point.x && ys[k] == point.y)
        .map(|k| history.t_ms()[k])
}
