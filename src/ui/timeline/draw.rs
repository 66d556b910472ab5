//! Drawing the timeline strip: the time axis and the input curve (the drive
//! parameter over the protocol, min/max per pixel column).

use egui::{Color32, Pos2, Rect, Stroke};

use super::derived::{InputLevel, first_from};
use crate::sim::run::RunSpec;
use crate::sim::stimulus::StimulusPlayer;

/// Sub-samples per pixel column of the input curve (so 1 ms pulses show at any zoom).
const SUBSAMPLES: usize = 4;

/// Time ↔ x in the strip.
pub struct Axis {
    pub rect: Rect,
    pub t_end_ms: f64,
}

impl Axis {
    pub fn x_of(&self, t_ms: f64) -> f32 {
        self.rect.left() + (t_ms / self.t_end_ms) as f32 * self.rect.width()
    }

    pub fn t_of(&self, x: f32) -> f64 {
        f64::from((x - self.rect.left()) / self.rect.width()).clamp(0.0, 1.0) * self.t_end_ms
    }
}

/// Tick marks and labels at 1, 2 or 5 × 10^k ms.
pub fn draw_ticks(painter: &egui::Painter, axis: &Axis, color: Color32) {
    let raw = axis.t_end_ms / 8.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|k| k * mag)
        .find(|s| *s >= raw)
        .unwrap_or(mag * 10.0);
    let font = egui::FontId::proportional(10.0);
    let rect = axis.rect;
    let mut t = 0.0;
    while t <= axis.t_end_ms {
        let x = axis.x_of(t);
        painter.line_segment(
            [
                Pos2::new(x, rect.bottom() - 4.0),
                Pos2::new(x, rect.bottom()),
            ],
            Stroke::new(1.0, color),
        );
        painter.text(
            Pos2::new(x + 2.0, rect.bottom() - 2.0),
            egui::Align2::LEFT_BOTTOM,
            format!("{t} ms"),
            font.clone(),
            color,
        );
        t += step;
    }
}

/// The input parameter's value over time: its base value, the events that set or
/// add to it (`levels`, in time order) and the stimuli on it, min/max per pixel
/// column.
pub fn draw_input(
    painter: &egui::Painter,
    axis: &Axis,
    setup: &RunSpec,
    input: Option<usize>,
    levels: &[InputLevel],
    color: Color32,
) {
    let Some(p) = input else {
        return;
    };
    let name = &setup.model.desc.parameters[p].name;
    let mut players: Vec<StimulusPlayer> = setup
        .stimuli
        .iter()
        .enumerate()
        .filter(|(_, s)| &s.target == name)
        .map(|(k, s)| StimulusPlayer::new(s.waveform.clone(), setup.seed.wrapping_add(k as u32)))
        .collect();
    let columns = axis.rect.width().max(1.0) as usize;
    let dt = axis.t_end_ms / (columns * SUBSAMPLES) as f64;
    let base = setup.parameters[p];
    let mut next = 0;
    let mut spans = Vec::with_capacity(columns);
    for c in 0..columns {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for s in 0..SUBSAMPLES {
            let t = (c * SUBSAMPLES + s) as f64 * dt;
            next = first_from(levels, next, |l| l.t_ms <= t);
            let level = next.checked_sub(1).map_or(base, |k| levels[k].value(base));
            let v = level + players.iter_mut().map(|pl| pl.value(t, dt)).sum::<f64>();
            lo = lo.min(v);
            hi = hi.max(v);
        }
        spans.push((lo, hi));
    }
    let (min, max) = spans
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &(lo, hi)| {
            (a.min(lo), b.max(hi))
        });
    if !(min.is_finite() && max.is_finite()) {
        return;
    }
    let pad = ((max - min) * 0.1).max(1e-9);
    let rect = axis.rect;
    let (top, bottom) = (rect.top() + 16.0, rect.bottom() - 14.0);
    let y_of =
        |v: f64| bottom - ((v - min + pad) / (max - min + 2.0 * pad)) as f32 * (bottom - top);
    let points: Vec<Pos2> = spans
        .iter()
        .enumerate()
        .flat_map(|(c, &(lo, hi))| {
            let x = rect.left() + c as f32 + 0.5;
            [Pos2::new(x, y_of(lo)), Pos2::new(x, y_of(hi))]
        })
        .collect();
    painter.add(egui::Shape::line(points, Stroke::new(2.0, color)));
    let font = egui::FontId::proportional(10.0);
    painter.text(
        Pos2::new(rect.right() - 4.0, rect.bottom() - 14.0),
        egui::Align2::RIGHT_BOTTOM,
        format!("{name}: {min:.3} … {max:.3}"),
        font,
        color,
    );
}
