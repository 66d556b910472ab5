//! Two-parameter maps: every pixel is one lane run from the preset's initial state
//! with its protocol (events and stimuli), the pixel's two parameter values set
//! after the initial state was computed; each lane's spike train is classified
//! ([`super::features::classify_train`]) and its rate measured over the whole run.
//!
//! Maps are computed progressively: a coarse grid first (every 8th pixel in each
//! direction), then the pixels in between, halving the stride each pass, so a first
//! picture appears after 1/64 of the work. Unfilled pixels show their nearest
//! computed neighbour above and to the left ([`MapResult::display_cell`]).
//!
//! When a swept parameter is itself driven by the protocol (an event or stimulus
//! targets it), the protocol would overwrite the pixel's value at every step; the
//! map then holds both parameters from t = 0 without the protocol, as the f–I sweep
//! does, and says so ([`MapResult::protocol_applied`]).

use super::features::{FiringClass, TrainContext, classify_train};
use super::{Control, SweepError, cell, require_param, run_chunks};
use crate::io::csv::time_label;
use crate::sim::run::RunSpec;
use crate::sim::session::{Session, steps_for};

/// Strides of the progressive passes, coarsest first.
pub const PASS_STRIDES: [usize; 4] = [8, 4, 2, 1];
/// Lanes per engine.
const LANES_PER_ENGINE: usize = 512;

/// One swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub param: String,
    pub values: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MapConfig {
    pub x: Axis,
    pub y: Axis,
    pub threads: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapCell {
    pub class: FiringClass,
    pub rate_hz: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MapResult {
    pub x: Option<Axis>,
    pub y: Option<Axis>,
    /// Row-major: `cells[iy * nx + ix]`; `None` until computed.
    pub cells: Vec<Option<MapCell>>,
    /// Whether the preset's events and stimuli were applied (see the module doc).
    pub protocol_applied: bool,
    /// Passes finished so far (of [`PASS_STRIDES`]).
    pub passes_done: usize,
}

impl MapResult {
    pub fn nx(&self) -> usize {
        self.x.as_ref().map_or(0, |a| a.values.len())
    }

    pub fn ny(&self) -> usize {
        self.y.as_ref().map_or(0, |a| a.values.len())
    }

    /// The cell to draw at (ix, iy): its own once computed, else the nearest
    /// computed one of the coarser grids (rounding down to the pass's stride).
    pub fn display_cell(&self, ix: usize, iy: usize) -> Option<MapCell> {
        let nx = self.nx();
        for &s in PASS_STRIDES.iter().rev() {
            let (jx, jy) = (ix / s * s, iy / s * s);
            if let Some(c) = self.cells.get(jy * nx + jx).copied().flatten() {
                return Some(c);
            }
        }
        None
    }

    /// The computed cell nearest to the values (x, y), if any.
    pub fn cell_at(&self, x: f64, y: f64) -> Option<MapCell> {
        let ix = nearest(&self.x.as_ref()?.values, x)?;
        let iy = nearest(&self.y.as_ref()?.values, y)?;
        self.display_cell(ix, iy)
    }
}

/// Index of the value nearest to `x`.
pub fn nearest(values: &[f64], x: f64) -> Option<usize> {
    (0..values.len()).min_by(|&a, &b| (values[a] - x).abs().total_cmp(&(values[b] - x).abs()))
}

/// The pixels (ix, iy) computed in pass `p`: on the pass's stride grid but not on
/// any coarser one.
pub fn pass_pixels(nx: usize, ny: usize, p: usize) -> Vec<(usize, usize)> {
    let s = PASS_STRIDES[p];
    let coarser = &PASS_STRIDES[..p];
    let mut out = Vec::new();
    for iy in (0..ny).step_by(s) {
        for ix in (0..nx).step_by(s) {
            if !coarser.iter().any(|&c| ix % c == 0 && iy % c == 0) {
                out.push((ix, iy));
            }
        }
    }
    out
}

/// Total lane-steps of a whole map (for progress bars).
pub fn map_total(cfg: &MapConfig, preset: &RunSpec) -> u64 {
    steps_for(preset.duration_ms, preset.dt_ms) * (cfg.x.values.len() * cfg.y.values.len()) as u64
}

fn check(cfg: &MapConfig) -> Result<(), SweepError> {
    for a in [&cfg.x, &cfg.y] {
        if a.values.is_empty() || a.values.len() > 4096 {
            return Err(SweepError::Usage(format!(
                "{}: 1 to 4096 values are needed, got {}",
                a.param,
                a.values.len()
            )));
        }
    }
    if cfg.x.param == cfg.y.param {
        return Err(SweepError::Usage(format!(
            "both axes sweep `{}`; choose two different parameters",
            cfg.x.param
        )));
    }
    Ok(())
}

/// Whether the preset's protocol sets or stimulates parameter `name`.
fn protocol_drives(preset: &RunSpec, name: &str) -> bool {
    preset.stimuli.iter().any(|s| s.target == name)
        || preset
            .events
            .iter()
            .any(|e| e.set.contains_key(name) || e.add.contains_key(name))
}

/// Computes the whole map, calling `on_pass` with the partial result after each
/// progressive pass.
pub fn map_sweep(
    preset: &RunSpec,
    cfg: &MapConfig,
    control: &Control,
    mut on_pass: impl FnMut(&MapResult),
) -> Result<MapResult, SweepError> {
    check(cfg)?;
    let model = &preset.model;
    let px = require_param(model, &cfg.x.param)?;
    let py = require_param(model, &cfg.y.param)?;
    let (nx, ny) = (cfg.x.values.len(), cfg.y.values.len());
    let mut result = MapResult {
        x: Some(cfg.x.clone()),
        y: Some(cfg.y.clone()),
        cells: vec![None; nx * ny],
        protocol_applied: !(protocol_drives(preset, &cfg.x.param)
            || protocol_drives(preset, &cfg.y.param)),
        passes_done: 0,
    };
    let mut run = preset.clone();
    if !result.protocol_applied {
        run.events = Default::default();
        run.stimuli.clear();
    }
    for p in 0..PASS_STRIDES.len() {
        let pixels = pass_pixels(nx, ny, p);
        let values: Vec<(f64, f64)> = pixels
            .iter()
            .map(|&(ix, iy)| (cfg.x.values[ix], cfg.y.values[iy]))
            .collect();
        let cells = run_pixels(&run, (px, py), &values, cfg.threads, control)?;
        for (&(ix, iy), c) in pixels.iter().zip(cells) {
            result.cells[iy * nx + ix] = Some(c);
        }
        result.passes_done = p + 1;
        on_pass(&result);
    }
    Ok(result)
}

/// Runs one lane per (x, y) value pair and classifies each.
fn run_pixels(
    preset: &RunSpec,
    (px, py): (usize, usize),
    values: &[(f64, f64)],
    threads: usize,
    control: &Control,
) -> Result<Vec<MapCell>, SweepError> {
    let model = &preset.model;
    let Some(vi) = model.membrane_var() else {
        return Err(SweepError::Usage(format!(
            "{} has no membrane potential; the map classifies its firing",
            model.id()
        )));
    };
    let resting_mv = preset.initial.get(vi).copied().flatten();
    let dt = preset.dt_ms;
    let n_steps = steps_for(preset.duration_ms, dt);
    let tail_from = n_steps - n_steps / 4;
    let ranges: Vec<_> = (0..values.len())
        .step_by(LANES_PER_ENGINE)
        .map(|s| s..(s + LANES_PER_ENGINE).min(values.len()))
        .collect();
    let out = run_chunks(&ranges, threads, |range| {
        let lanes = range.len();
        let mut s = Session::new(preset, lanes)?;
        let rest = resting_mv.unwrap_or_else(|| s.engine.var(vi, 0));
        for (lane, &(x, y)) in values[range.clone()].iter().enumerate() {
            s.engine.set_param(px, lane, x);
            s.engine.set_param(py, lane, y);
        }
        let mut spikes: Vec<Vec<f64>> = vec![Vec::new(); lanes];
        let mut tail_sum = vec![0.0; lanes];
        let mut pending = 0u64;
        for k in 0..n_steps {
            if s.step() > 0 {
                for (lane, sp) in spikes.iter_mut().enumerate() {
                    if s.engine.spiked(lane) {
                        sp.push(time_label(k, dt));
                    }
                }
            }
            if k >= tail_from {
                for (lane, sum) in tail_sum.iter_mut().enumerate() {
                    *sum += s.engine.var(vi, lane);
                }
            }
            control.tick(&mut pending, lanes)?;
        }
        control.flush(&mut pending, lanes);
        let duration_ms = n_steps as f64 * dt;
        let tail_n = (n_steps - tail_from).max(1) as f64;
        let n_vars = model.vars.len();
        Ok(spikes
            .iter()
            .zip(&tail_sum)
            .enumerate()
            .map(|(lane, (sp, sum))| {
                // Marked, not classified: a blown-up lane's spikes mean nothing.
                if (0..n_vars).any(|i| !s.engine.var(i, lane).is_finite()) {
                    return MapCell {
                        class: FiringClass::NonFinite,
                        rate_hz: f64::NAN,
                    };
                }
                let ctx = TrainContext {
                    from_ms: 0.0,
                    to_ms: duration_ms,
                    tail_v_mean_mv: Some(sum / tail_n),
                    resting_mv: Some(rest),
                };
                MapCell {
                    class: classify_train(sp, &ctx),
                    rate_hz: sp.len() as f64 / (duration_ms / 1000.0),
                }
            })
            .collect::<Vec<_>>())
    })?;
    Ok(out.into_iter().flatten().collect())
}

/// The map as CSV: `<x>,<y>,class,rate_hz`, x varying fastest.
pub fn map_csv(m: &MapResult) -> String {
    let (Some(x), Some(y)) = (&m.x, &m.y) else {
        return String::new();
    };
    let mut s = format!("{},{},class,rate_hz\n", x.param, y.param);
    for (iy, &yv) in y.values.iter().enumerate() {
        for (ix, &xv) in x.values.iter().enumerate() {
            let Some(c) = m.cells[iy * x.values.len() + ix] else {
                continue;
            };
            cell(&mut s, Some(xv));
            s.push(',');
            cell(&mut s, Some(yv));
            s.push(',');
            s.push_str(c.class.name());
            s.push(',');
            cell(&mut s, Some(c.rate_hz).filter(|r| r.is_finite()));
            s.push('\n');
        }
    }
    s
}

/// RGB colour of each firing class (the GUI legend and `--png` use the same): the
/// Okabe–Ito colours (Okabe & Ito 2008), told apart with the common colour-vision
/// deficiencies, as the app's palette (`ui::palette`) uses them.
pub fn class_rgb(c: FiringClass) -> [u8; 3] {
    match c {
        FiringClass::Silent => [220, 220, 220],
        FiringClass::Tonic => [0, 114, 178],
        FiringClass::Adapting => [0, 158, 115],
        FiringClass::InitialBurst => [240, 228, 66],
        FiringClass::Bursting => [213, 94, 0],
        FiringClass::Irregular => [204, 121, 167],
        FiringClass::DepolarizationBlock => [60, 60, 60],
        // Orange, the palette's one colour no firing class uses: a blown-up region
        // stands out.
        FiringClass::NonFinite => [230, 159, 0],
    }
}

/// A colour for a rate between 0 and `max_hz` (dark blue → yellow, perceptually
/// ordered like viridis' ends).
pub fn rate_rgb(rate_hz: f64, max_hz: f64) -> [u8; 3] {
    if !rate_hz.is_finite() {
        return class_rgb(FiringClass::NonFinite);
    }
    let f = if max_hz > 0.0 {
        (rate_hz / max_hz).clamp(0.0, 1.0)
    } else {
        0.0
    };
    // Three stops: (68,1,84) → (33,145,140) → (253,231,37).
    let (lo, hi, g) = if f < 0.5 {
        ([68.0, 1.0, 84.0], [33.0, 145.0, 140.0], f * 2.0)
    } else {
        ([33.0, 145.0, 140.0], [253.0, 231.0, 37.0], (f - 0.5) * 2.0)
    };
    std::array::from_fn(|k| (lo[k] + (hi[k] - lo[k]) * g).round() as u8)
}

/// RGB pixels of the map coloured by class, `scale`×`scale` per cell, y up.
pub fn class_image(m: &MapResult, scale: usize) -> (u32, u32, Vec<u8>) {
    let (nx, ny, s) = (m.nx(), m.ny(), scale.max(1));
    let (w, h) = (nx * s, ny * s);
    let mut px = vec![255u8; w * h * 3];
    for row in 0..h {
        let iy = ny - 1 - row / s;
        for col in 0..w {
            if let Some(c) = m.display_cell(col / s, iy) {
                let k = (row * w + col) * 3;
                px[k..k + 3].copy_from_slice(&class_rgb(c.class));
            }
        }
    }
    (w as u32, h as u32, px)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_cover_every_pixel_once() {
        let (nx, ny) = (13, 9);
        let mut seen = vec![0; nx * ny];
        for p in 0..PASS_STRIDES.len() {
            for (ix, iy) in pass_pixels(nx, ny, p) {
                seen[iy * nx + ix] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n == 1));
        assert_eq!(pass_pixels(64, 64, 0).len(), 64);
    }
}
