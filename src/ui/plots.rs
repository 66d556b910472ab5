//! The live plots: one per group of channels, stacked, with linked time axes. While
//! running they scroll with the newest sample; paused, they can be zoomed, panned and
//! read on hover (a read-out line above the plots and a tooltip, with units). Each
//! line is min/max-decimated to the plot's pixel width first. Colours come from the
//! colour-blind-safe palette; legends sit in headroom above the data.

use egui_plot::{Corner, HLine, Line, MarkerShape, Plot, PlotPoints, Points, VLine};

use super::decimate::min_max_summarised;
use super::history::History;
use super::palette;
use super::plot_data::{
    PlotLine, channel_color, legend_headroom, overview_span, spike_markers, thresholds, y_range,
};
use super::plot_groups::{Assignment, MEMBRANE, PLOTS, short_name};
use super::plot_style::{AxisSpec, line_width, styled, with_legend};
use super::readout::{ReadoutChannel, channel_unit, readout_ui};
use crate::model::CompiledModel;

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

/// Plots are never shorter than this (points): below it a plot has room for a
/// single tick label.
const MIN_PLOT_HEIGHT: f32 = 80.0;

/// The membrane plot gets more room than the others.
fn plot_weight(plot: usize) -> f32 {
    if plot == MEMBRANE { 1.6 } else { 1.0 }
}

/// Which plots to draw this frame, in how much height, over which time range.
struct PlotPlan<'a> {
    used: &'a [usize],
    room: f32,
    following: bool,
    t0: f64,
    t1: f64,
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
    /// The time under the cursor last frame (any plot; the time axes are linked).
    pub hover_t_ms: Option<f64>,
    /// Screen rectangles of the plots' data areas last frame, top to bottom.
    pub frames: Vec<egui::Rect>,
    scratch: Vec<[f64; 2]>,
}

impl PlotsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, input: &PlotInput<'_>) {
        self.chooser_ui(ui, input.channel_names, input.following);
        let readout = self.readout_channels(input, ui.visuals().dark_mode);
        readout_ui(ui, input.history, self.hover_t_ms, &readout);
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
        let room = ui.available_height() - gap * used.len() as f32;
        self.points_drawn = 0;
        self.hover_t_ms = None;
        self.frames.clear();
        let top = ui.cursor().min;
        let plan = PlotPlan {
            used: &used,
            room,
            following,
            t0,
            t1,
        };
        // Zoomed on a small window the plots would get too short to read: they keep
        // a readable height and the plot area scrolls instead.
        let total: f32 = used.iter().map(|&p| plot_weight(p)).sum();
        let shown = if room / total < MIN_PLOT_HEIGHT {
            // Never taller than the room left: below it sits the protocol strip,
            // whose buttons must stay clickable.
            egui::ScrollArea::vertical()
                .id_salt("plots_scroll")
                .auto_shrink([false, false])
                .min_scrolled_height(0.0)
                .max_height(ui.available_height().max(0.0))
                .show(ui, |ui| self.stack_ui(ui, input, &plan))
                .inner
        } else {
            self.stack_ui(ui, input, &plan)
        };
        if let Some(bounds) = shown {
            self.visible_ms = Some(bounds);
        }
        self.rect = Some(egui::Rect::from_min_max(top, ui.min_rect().max));
    }

    /// Draws the used plots top to bottom, sharing `plan.room` (the membrane plot
    /// gets more); returns the time range shown.
    fn stack_ui(
        &mut self,
        ui: &mut egui::Ui,
        input: &PlotInput<'_>,
        plan: &PlotPlan<'_>,
    ) -> Option<(f64, f64)> {
        let weight = plot_weight;
        let total: f32 = plan.used.iter().map(|&p| weight(p)).sum();
        let unit_height = (plan.room / total).max(MIN_PLOT_HEIGHT);
        let mut shown = None;
        for (k, &plot) in plan.used.iter().enumerate() {
            let layout = PlotLayout {
                plot,
                height: unit_height * weight(plot),
                last: k + 1 == plan.used.len(),
                following: plan.following,
                t0: plan.t0,
                t1: plan.t1,
            };
            let response = self.plot_ui(ui, input, &layout);
            shown.get_or_insert(response);
        }
        shown
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
            following,
            t0,
            t1,
            ..
        } = layout;
        let history = input.history;
        let range = history.range_of(t0, t1);
        // One sample either side so lines reach the edges.
        let range = range.start.saturating_sub(1)..(range.end + 1).min(history.len());
        let lines = self.lines_of(ui, input, layout, range.clone());
        let markers = if plot == MEMBRANE {
            spike_markers(input, range, t0)
        } else {
            Vec::new()
        };
        let gaps: Vec<(f64, f64)> = history.overview().gaps_in(t0, t1).collect();
        let thresholds = if plot == MEMBRANE {
            thresholds(input)
        } else {
            Vec::new()
        };
        let entries = lines.len()
            + thresholds.len()
            + usize::from(!markers.is_empty())
            + usize::from(!gaps.is_empty());
        let headroom = legend_headroom(ui, entries, height);
        let y_range = y_range(&lines, &thresholds)
            .map(|(lo, hi)| (lo, lo + (hi - lo) / (1.0 - headroom.unwrap_or(0.0))));
        let p = self.plot_frame(ui, input, layout, &lines, headroom.is_some());
        let width = line_width(ui.ctx(), 1.0);
        let grey = ui.visuals().weak_text_color();
        let response = p.show(ui, |plot_ui| {
            if following {
                plot_ui.set_plot_bounds_x(t0..=t1);
                if let Some((lo, hi)) = y_range {
                    plot_ui.set_plot_bounds_y(lo..=hi);
                }
            }
            for (name, points, color) in lines {
                plot_ui.line(
                    Line::new(name, PlotPoints::new(points))
                        .width(width)
                        .color(color),
                );
            }
            for (name, y) in thresholds {
                plot_ui.hline(
                    HLine::new(name, y)
                        .style(egui_plot::LineStyle::dashed_loose())
                        .color(grey)
                        .width(1.0),
                );
            }
            // Samples the display dropped (the window lagged): marked, never hidden.
            // Exports replay the session and are complete regardless.
            for (a, b) in gaps {
                for x in [a, b] {
                    plot_ui.vline(
                        VLine::new("display gap (samples dropped)", x)
                            .color(palette::REFERENCE)
                            .width(1.5),
                    );
                }
            }
            if !markers.is_empty() {
                plot_ui.points(
                    Points::new("spikes", PlotPoints::new(markers))
                        .shape(MarkerShape::Down)
                        .radius(4.0 + 0.5 * width)
                        .filled(true)
                        .color(palette::ALERT),
                );
            }
        });
        if let Some(pos) = response.response.hover_pos() {
            self.hover_t_ms = Some(response.transform.value_from_position(pos).x);
        }
        self.frames.push(*response.transform.frame());
        if !input.following {
            track_user_view(ui, &response.response, &mut self.user_view);
        }
        let b = response.transform.bounds();
        (b.min()[0], b.max()[0])
    }

    /// The plot widget for one group: linked time axis, readable ticks, axis titles
    /// with units, hover read-out and legend.
    fn plot_frame<'a>(
        &self,
        ui: &egui::Ui,
        input: &PlotInput<'_>,
        layout: &PlotLayout,
        lines: &[PlotLine],
        legend: bool,
    ) -> Plot<'a> {
        let link = egui::Id::unique("time-axis");
        let y_axis = self.y_axis(input, layout.plot, lines);
        let mut p = Plot::new(("plot", layout.plot))
            .height(layout.height)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .show_x(true)
            .allow_drag(!input.following)
            .allow_zoom(!input.following)
            .allow_scroll(!input.following)
            .allow_boxed_zoom(!input.following)
            .allow_double_click_reset(false)
            .auto_bounds([false, true]);
        p = styled(p, AxisSpec::new("t", "ms"), y_axis.clone());
        // A title longer than a small plot is tall would run into its neighbours'
        // (the coloured key above the plots names the lines and units then).
        let font = egui::TextStyle::Body.resolve(ui.style());
        let title_w = ui
            .painter()
            .layout_no_wrap(y_axis.title(), font, egui::Color32::WHITE)
            .size()
            .x;
        if title_w > layout.height {
            p = p.y_axis_label("");
        }
        if legend {
            p = with_legend(p, ui.ctx(), Corner::LeftTop);
        }
        if layout.last {
            p.x_axis_label("time [ms]")
        } else {
            p.show_axes([false, true])
        }
    }

    /// The y axis of `plot`: the one variable's name and unit, or the group's short
    /// name and the unit its lines share.
    fn y_axis(&self, input: &PlotInput<'_>, plot: usize, lines: &[PlotLine]) -> AxisSpec {
        let units: Vec<String> = self
            .assignment
            .iter()
            .enumerate()
            .filter(|(_, t)| **t == Some(plot))
            .map(|(ch, _)| self.unit_of(input, ch))
            .collect();
        let common = units
            .first()
            .filter(|u| units.iter().all(|x| x == *u))
            .cloned()
            .unwrap_or_default();
        match lines {
            [(name, _, _)] => AxisSpec::new(name.clone(), common),
            _ => AxisSpec::new(short_name(input.model, plot), common),
        }
    }

    fn unit_of(&self, input: &PlotInput<'_>, ch: usize) -> String {
        let name = input.channel_names.get(ch).map_or("", String::as_str);
        channel_unit(input.model, name, input.reference_channel == Some(ch))
    }

    /// The decimated lines of `layout.plot` with their colours.
    fn lines_of(
        &mut self,
        ui: &egui::Ui,
        input: &PlotInput<'_>,
        layout: &PlotLayout,
        range: std::ops::Range<usize>,
    ) -> Vec<PlotLine> {
        let history = input.history;
        let (t0, t1) = (layout.t0, layout.t1);
        let columns = ui.available_width().max(100.0) as usize;
        let dark = ui.visuals().dark_mode;
        let members: Vec<usize> = (0..self.assignment.len())
            .filter(|&ch| self.assignment[ch] == Some(layout.plot))
            .collect();
        let mut lines: Vec<PlotLine> = Vec::new();
        for (k, &ch) in members.iter().enumerate() {
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
            let color = channel_color(input, ch, k, members.len(), dark);
            lines.push((name, std::mem::take(&mut self.scratch), color));
        }
        lines
    }

    /// Every plotted channel with its unit and line colour, for the read-out.
    fn readout_channels(&self, input: &PlotInput<'_>, dark: bool) -> Vec<ReadoutChannel> {
        let mut out = Vec::new();
        for plot in 0..PLOTS.len() {
            let members: Vec<usize> = (0..self.assignment.len())
                .filter(|&ch| self.assignment[ch] == Some(plot))
                .collect();
            for (k, &ch) in members.iter().enumerate() {
                let name = input.channel_names.get(ch).cloned().unwrap_or_default();
                out.push(ReadoutChannel {
                    channel: ch,
                    axis: AxisSpec::new(name, self.unit_of(input, ch)),
                    color: channel_color(input, ch, k, members.len(), dark),
                });
            }
        }
        out
    }

    /// A menu to choose the plot of every channel.
    fn chooser_ui(&mut self, ui: &mut egui::Ui, names: &[String], running: bool) {
        ui.horizontal_wrapped(|ui| {
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
                ui.weak("Drag: pan · scroll or right-drag: zoom · double-click: follow");
            }
        });
    }
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
