//! The live plots: one per group of channels, stacked, with linked time axes. While
//! running they scroll with the newest sample; paused, they can be zoomed, panned and
//! read on hover. Each line is min/max-decimated to the plot's pixel width first.

use egui_plot::{HLine, Legend, Line, MarkerShape, Plot, PlotPoints, Points, VLine};

use super::decimate::min_max_summarised;
use super::history::History;
use super::plot_groups::{Assignment, MEMBRANE, PLOTS};
use crate::model::CompiledModel;

/// At most this many spike markers are drawn (the newest).
const MAX_MARKERS: usize = 2000;
/// Parameters drawn as dashed threshold lines on the membrane plot.
const THRESHOLDS: [&str; 3] = ["v_peak", "v_t", "v_thresh"];

/// What the plots show, for this frame.
pub struct PlotInput<'a> {
    pub history: &'a History,
    pub model: &'a CompiledModel,
    /// Names of the recorded channels (variables, then the input parameter, then
    /// the reference run's v when one runs alongside).
    pub channel_names: &'a [String],
    /// The reference run's channel. It and the live `v` then take the Compare tab's
    /// reference and candidate colours, so the two stand apart as they do there.
    pub reference_channel: Option<usize>,
    pub params: &'a [f64],
    pub following: bool,
    pub window_ms: f64,
}

/// Where one plot goes and what time range it shows.
struct PlotLayout {
    plot: usize,
    height: f32,
    /// The bottom plot carries the time axis.
    last: bool,
    following: bool,
    t0: f64,
    t1: f64,
}

#[derive(Debug, Default)]
pub struct PlotsPanel {
    pub assignment: Assignment,
    /// The time range shown last frame, for exports of the visible window.
    pub visible_ms: Option<(f64, f64)>,
    /// Screen rectangle of all plots, for PNG export.
    pub rect: Option<egui::Rect>,
    /// Points drawn last frame, summed over lines (tests check that data arrived).
    pub points_drawn: usize,
    /// The user zoomed or panned while paused: stop following the newest sample
    /// until the run resumes or the plot is double-clicked.
    pub user_view: bool,
    scratch: Vec<[f64; 2]>,
}

impl PlotsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, input: &PlotInput<'_>) {
        self.chooser_ui(ui, input.channel_names, input.following);
        let used: Vec<usize> = (0..PLOTS.len())
            .filter(|p| self.assignment.contains(&Some(*p)))
            .collect();
        if used.is_empty() {
            ui.label("No variable is chosen for plotting; use “Variables…” above.");
            return;
        }
        let following = input.following || !self.user_view;
        let (t0, t1) = self.x_range(input, following);
        let gap = ui.spacing().item_spacing.y;
        // The membrane plot gets more room than the others.
        let weight = |p: usize| if p == MEMBRANE { 1.6 } else { 1.0 };
        let total: f32 = used.iter().map(|&p| weight(p)).sum();
        let unit_height = (ui.available_height() - gap * used.len() as f32) / total;
        let top = ui.cursor().min;
        self.points_drawn = 0;
        let mut shown = None;
        for (k, &plot) in used.iter().enumerate() {
            let last = k + 1 == used.len();
            let height = (unit_height * weight(plot)).max(60.0);
            let layout = PlotLayout {
                plot,
                height,
                last,
                following,
                t0,
                t1,
            };
            let response = self.plot_ui(ui, input, &layout);
            shown.get_or_insert(response);
        }
        if let Some(bounds) = shown {
            self.visible_ms = Some(bounds);
        }
        self.rect = Some(egui::Rect::from_min_max(top, ui.min_rect().max));
    }

    /// The time range to draw: the newest `window_ms` while following, else what the
    /// user zoomed to last frame.
    fn x_range(&self, input: &PlotInput<'_>, following: bool) -> (f64, f64) {
        let end = input.history.time_span().map_or(0.0, |(_, t1)| t1);
        match (following, self.visible_ms) {
            (false, Some(range)) => range,
            _ => {
                let t1 = end.max(input.window_ms);
                (t1 - input.window_ms, t1)
            }
        }
    }

    fn plot_ui(
        &mut self,
        ui: &mut egui::Ui,
        input: &PlotInput<'_>,
        layout: &PlotLayout,
    ) -> (f64, f64) {
        let &PlotLayout {
            plot,
            height,
            last,
            following,
            t0,
            t1,
        } = layout;
        let history = input.history;
        let columns = ui.available_width().max(100.0) as usize;
        let range = history.range_of(t0, t1);
        // One sample either side so lines reach the edges.
        let range = range.start.saturating_sub(1)..(range.end + 1).min(history.len());
        let link = egui::Id::unique("time-axis");
        let mut p = Plot::new(("plot", plot))
            .height(height)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .legend(
                Legend::default()
                    .follow_insertion_order(true)
                    .position(egui_plot::Corner::LeftTop),
            )
            .y_axis_min_width(48.0)
            .show_x(true)
            .allow_drag(!input.following)
            .allow_zoom(!input.following)
            .allow_scroll(!input.following)
            .allow_boxed_zoom(!input.following)
            .allow_double_click_reset(false)
            .auto_bounds([false, true]);
        if last {
            p = p.x_axis_label("time [ms]");
        } else {
            p = p.show_axes([false, true]);
        }
        let mut lines: Vec<PlotLine> = Vec::new();
        for (ch, target) in self.assignment.iter().enumerate() {
            if *target != Some(plot) {
                continue;
            }
            let (Some(values), Some(summary)) = (history.channel(ch), history.extremes(ch)) else {
                continue;
            };
            self.scratch.clear();
            // Older than the full-resolution samples: the overview's chunk extremes.
            if let Some((t_from, t_to, old_columns)) = overview_span(history, t0, t1, columns) {
                history
                    .overview()
                    .points(ch, t_from, t_to, old_columns, &mut self.scratch);
            }
            min_max_summarised(
                history.t_ms(),
                values,
                summary,
                range.clone(),
                columns,
                &mut self.scratch,
            );
            self.points_drawn += self.scratch.len();
            let name = input.channel_names.get(ch).cloned().unwrap_or_default();
            let color = input.reference_channel.and_then(|r| {
                if ch == r {
                    Some(super::compare_panel::REF_COLOR)
                } else {
                    (input.model.var_index("v") == Some(ch))
                        .then_some(super::compare_panel::CAND_COLOR)
                }
            });
            lines.push((name, std::mem::take(&mut self.scratch), color));
        }
        let markers = if plot == MEMBRANE {
            spike_markers(input, range.clone(), t0)
        } else {
            Vec::new()
        };
        let gaps: Vec<(f64, f64)> = history.overview().gaps_in(t0, t1).collect();
        let thresholds: Vec<(String, f64)> = if plot == MEMBRANE {
            THRESHOLDS
                .iter()
                .filter_map(|n| {
                    Some((
                        (*n).to_owned(),
                        *input.params.get(input.model.param_index(n)?)?,
                    ))
                })
                .collect()
        } else {
            Vec::new()
        };
        let y_range = y_range(&lines, &thresholds);
        let response = p.show(ui, |plot_ui| {
            if following {
                plot_ui.set_plot_bounds_x(t0..=t1);
                if let Some((lo, hi)) = y_range {
                    plot_ui.set_plot_bounds_y(lo..=hi);
                }
            }
            for (name, points, color) in lines {
                let line = Line::new(name, PlotPoints::new(points)).width(1.5);
                plot_ui.line(match color {
                    Some(c) => line.color(c),
                    None => line,
                });
            }
            for (name, y) in thresholds {
                plot_ui.hline(
                    HLine::new(name, y)
                        .style(egui_plot::LineStyle::dashed_loose())
                        .width(1.0),
                );
            }
            // Samples the display dropped (the window lagged): marked, never hidden.
            // Exports replay the session and are complete regardless.
            for (a, b) in gaps {
                for x in [a, b] {
                    plot_ui.vline(
                        VLine::new("display gap (samples dropped)", x)
                            .color(egui::Color32::from_rgb(230, 140, 20))
                            .width(1.5),
                    );
                }
            }
            if !markers.is_empty() {
                plot_ui.points(
                    Points::new("spikes", PlotPoints::new(markers))
                        .shape(MarkerShape::Down)
                        .radius(4.0)
                        .filled(true)
                        .color(egui::Color32::from_rgb(220, 60, 60)),
                );
            }
        });
        if !input.following {
            track_user_view(ui, &response.response, &mut self.user_view);
        }
        let b = response.transform.bounds();
        (b.min()[0], b.max()[0])
    }

    /// A menu to choose the plot of every channel.
    fn chooser_ui(&mut self, ui: &mut egui::Ui, names: &[String], running: bool) {
        ui.horizontal(|ui| {
            ui.menu_button("Variables…", |ui| {
                egui::ScrollArea::vertical()
                    .max_height(500.0)
                    .show(ui, |ui| {
                        egui::Grid::new("chooser").striped(true).show(ui, |ui| {
                            for (ch, name) in names.iter().enumerate() {
                                let Some(target) = self.assignment.get_mut(ch) else {
                                    continue;
                                };
                                ui.label(name);
                                let text = target.map_or("hidden", |p| PLOTS[p]);
                                egui::ComboBox::from_id_salt(("chooser", ch))
                                    .selected_text(text)
                                    .show_ui(ui, |ui| {
                                        ui.selectable_value(target, None, "hidden");
                                        for (p, plot_name) in PLOTS.iter().enumerate() {
                                            ui.selectable_value(target, Some(p), *plot_name);
                                        }
                                    })
                                    .response
                                    .accessible_name(format!("plot of {name}"));
                                ui.end_row();
                            }
                        });
                    });
            });
            if running {
                ui.weak("Pause to zoom, pan and read values.");
            } else {
                ui.weak("Drag to pan, scroll or right-drag a box to zoom, double-click to follow again.");
            }
        });
    }
}

/// The y range of the drawn data (and thresholds) with a margin; flat traces get a
/// small band around their value instead of a degenerate range.
/// One drawn line: name, points and a colour when it must not be picked for it.
type PlotLine = (String, Vec<[f64; 2]>, Option<egui::Color32>);

fn y_range(lines: &[PlotLine], thresholds: &[(String, f64)]) -> Option<(f64, f64)> {
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
fn overview_span(history: &History, t0: f64, t1: f64, columns: usize) -> Option<(f64, f64, usize)> {
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
fn spike_markers(input: &PlotInput<'_>, range: std::ops::Range<usize>, t0: f64) -> Vec<[f64; 2]> {
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
    let v = input.model.var_index("v").and_then(|i| h.channel(i));
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

/// Notes whether the user has taken over a plot's view: a drag, scroll or zoom on it
/// sets `user_view`; a double click hands the view back to the app.
pub(crate) fn track_user_view(ui: &egui::Ui, r: &egui::Response, user_view: &mut bool) {
    let moved = r.dragged()
        || (r.hovered()
            && ui.input(|i| i.smooth_scroll_delta != egui::Vec2::ZERO || i.zoom_delta() != 1.0));
    if r.double_clicked() {
        *user_view = false;
    } else if moved {
        *user_view = true;
    }
}
