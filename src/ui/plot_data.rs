//! The data side of the live plots: which samples and markers a plot draws, in
//! which colour, within which y range (with headroom for the legend), apart from
//! the drawing in `plots.rs`.

use super::history::History;
use super::palette;
use super::plots::PlotInput;

/// At most this many spike markers are drawn (the newest).
const MAX_MARKERS: usize = 2000;
/// Parameters drawn as dashed threshold lines on the membrane plot.
const THRESHOLDS: [&str; 3] = ["v_peak", "v_t", "v_thresh"];

/// One drawn line: name, points and colour.
pub(super) type PlotLine = (String, Vec<[f64; 2]>, egui::Color32);

/// The colour of channel `ch`, the `k`-th of `n` in its plot: the palette's, except
/// that with a reference run the live v and the reference take the Compare tab's
/// candidate and reference colours, so the two stand apart as they do there.
pub(super) fn channel_color(
    input: &PlotInput<'_>,
    ch: usize,
    k: usize,
    n: usize,
    dark: bool,
) -> egui::Color32 {
    if let Some(r) = input.reference_channel {
        if ch == r {
            return palette::REFERENCE;
        }
        if input.model.membrane_var() == Some(ch) {
            return palette::CANDIDATE;
        }
    }
    palette::series(k, n, dark)
}

/// Parameters drawn as dashed threshold lines on the membrane plot, with values.
pub(super) fn thresholds(input: &PlotInput<'_>) -> Vec<(String, f64)> {
    THRESHOLDS
        .iter()
        .filter_map(|n| {
            Some((
                (*n).to_owned(),
                *input.params.get(input.model.param_index(n)?)?,
            ))
        })
        .collect()
}

/// The share of a plot's height kept free above the data for a legend of
/// `entries` rows in the top-left corner, so the legend does not cover the
/// traces. `None`: no legend — switched off, or it would need more than a third
/// of a small plot (the coloured key above the plots names the lines then).
pub(super) fn legend_headroom(ui: &egui::Ui, entries: usize, height: f32) -> Option<f64> {
    if !super::theme::display_style(ui.ctx()).legends || entries == 0 {
        return None;
    }
    let row = egui::TextStyle::Body.resolve(ui.style()).size + 6.0;
    let legend_px = 12.0 + row * entries as f32;
    let share = legend_px / height.max(1.0);
    (share <= 0.35).then_some(share as f64)
}

/// The y range of the drawn data (and thresholds) with a margin; flat traces get a
/// small band around their value instead of a degenerate range.
pub(super) fn y_range(lines: &[PlotLine], thresholds: &[(String, f64)]) -> Option<(f64, f64)> {
    let ys = lines
        .iter()
        .flat_map(|(_, pts, _)| pts.iter().map(|p| p[1]));
    let (mut lo, mut hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    for (_, y) in thresholds {
        // Thresholds within reach of the data are shown; far-away ones would flatten it.
        let span = (hi - lo).max(1.0);
        if *y >= lo - span && *y <= hi + span {
            lo = lo.min(*y);
            hi = hi.max(*y);
        }
    }
    // A nearly flat trace gets a band of a few percent of its value, not a zoom into round-off.
    let min_span = (0.02 * (0.5 * (lo + hi)).abs()).max(1e-3);
    let mid = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo).max(min_span) * 1.08;
    Some((mid - half, mid + half))
}

/// The part of `[t0, t1]` older than the full-resolution samples, with its share
/// of `columns`: (from, to, columns).
pub(super) fn overview_span(
    history: &History,
    t0: f64,
    t1: f64,
    columns: usize,
) -> Option<(f64, f64, usize)> {
    let raw_start = history.time_span().map_or(t1, |(a, _)| a);
    let to = raw_start.min(t1);
    if t0 >= to || t1 <= t0 {
        return None;
    }
    let share = ((to - t0) / (t1 - t0) * columns as f64).ceil() as usize;
    Some((t0, to, share.max(1)))
}

/// (t, y) of spike markers in `range` (and, before the full-resolution samples,
/// from `t0` on from the overview): at the spike threshold, else at v.
pub(super) fn spike_markers(
    input: &PlotInput<'_>,
    range: std::ops::Range<usize>,
    t0: f64,
) -> Vec<[f64; 2]> {
    let h = input.history;
    let level = ["v_peak", "v_t"]
        .iter()
        .find_map(|n| input.params.get(input.model.param_index(n)?).copied());
    let raw_start = h.time_span().map_or(f64::INFINITY, |(a, _)| a);
    let old: Vec<[f64; 2]> = match level {
        Some(y) if t0 < raw_start => h
            .overview()
            .spikes_in(t0, raw_start)
            .map(|t| [t, y])
            .collect(),
        _ => Vec::new(),
    };
    let v = input.model.membrane_var().and_then(|i| h.channel(i));
    let mut out: Vec<[f64; 2]> = h
        .spike_indices(range)
        .rev()
        .take(MAX_MARKERS)
        .filter_map(|i| {
            let y = level.or_else(|| v.and_then(|v| v.get(i).copied()))?;
            Some([h.t_ms()[i], y])
        })
        .collect();
    out.reverse();
    if out.len() < MAX_MARKERS {
        let keep = MAX_MARKERS - out.len();
        let skip = old.len().saturating_sub(keep);
        out.splice(0..0, old.into_iter().skip(skip));
    }
    out
}
