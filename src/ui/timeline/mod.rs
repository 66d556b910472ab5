//! The protocol strip under the live plots: the run's timed events and the input
//! it feeds the model (base value, events on it and stimulus waveforms) against
//! time, from 0 to the protocol's end, with the current time marked.
//!
//! Events are edited here: drag a marker to move it, click it to select it and
//! edit its time and values below the strip, *Delete* it, or *Add event* at the
//! current time (double-click the strip: at that time). Every edit is one
//! [`Intent::SetEvents`] with the whole new list, so undo and the worker's change
//! log see one change. Drawing is bounded for protocols of thousands of events:
//! one sort per change of the events (cached), one marker per pixel column,
//! labels only where they fit, and the input curve sampled once per pixel.

mod draw;

use egui::{Color32, Pos2, Sense, Stroke, StrokeKind, vec2};

use super::Intent;
use crate::sim::run::Event;
use crate::sim::run::RunSpec;
use crate::sim::worker::input_param;
use draw::{Axis, draw_input, draw_ticks};

/// Height of the strip in points.
const STRIP_HEIGHT: f32 = 72.0;
/// A marker is picked within this many points of the pointer.
const PICK_POINTS: f32 = 7.0;
/// Labels are drawn only for this many events or fewer.
const MAX_LABELS: usize = 60;
/// Below this window height (points) the strip starts folded to its header row, so
/// zoomed on a small screen (2× on 1280×720 is 360 points) the plots keep room.
const FOLD_BELOW_POINTS: f32 = 560.0;
/// The input curve's colour (light blue, readable on dark and light themes).
const INPUT_COLOR: Color32 = Color32::from_rgb(70, 160, 245);

/// What the timeline draws from.
pub struct TimelineInput<'a> {
    pub setup: &'a RunSpec,
    /// The run's current time (ms).
    pub now_ms: f64,
    /// A parameter the user edited that a later event overrides, if any.
    pub overridden: Option<usize>,
    /// Whether the opened preset has notes to show.
    pub has_notes: bool,
}

#[derive(Debug, Default)]
pub struct TimelinePanel {
    /// The selected event (index into the setup's events).
    pub selected: Option<usize>,
    /// The event being dragged, and where it is now (ms).
    drag: Option<(usize, f64)>,
    /// Event indices sorted by time, and the fingerprint of the events they sort.
    order: Vec<usize>,
    order_key: u64,
    /// Whether the strip is shown under its header: the user's choice once made,
    /// else by the window's height.
    pub expanded: Option<bool>,
}

impl TimelinePanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, input: &TimelineInput<'_>, out: &mut Vec<Intent>) {
        let events = &input.setup.events;
        if self.selected.is_some_and(|i| i >= events.len()) {
            self.selected = None;
        }
        self.refresh_order(events);
        let expanded = self
            .expanded
            .unwrap_or_else(|| ui.ctx().content_rect().height() >= FOLD_BELOW_POINTS);
        self.header_ui(ui, input, expanded, out);
        if expanded {
            self.strip_ui(ui, input, out);
            self.editor_ui(ui, input, out);
        }
    }

    /// Re-sorts the events only when they changed (an O(n) fingerprint per frame).
    fn refresh_order(&mut self, events: &[Event]) {
        let key = events.iter().fold(events.len() as u64, |h, e| {
            (h.rotate_left(7) ^ e.t_ms.to_bits()).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        });
        if key == self.order_key && self.order.len() == events.len() {
            return;
        }
        self.order = (0..events.len()).collect();
        self.order
            .sort_by(|&a, &b| events[a].t_ms.total_cmp(&events[b].t_ms));
        self.order_key = key;
    }

    fn header_ui(
        &mut self,
        ui: &mut egui::Ui,
        input: &TimelineInput<'_>,
        expanded: bool,
        out: &mut Vec<Intent>,
    ) {
        let setup = input.setup;
        ui.horizontal_wrapped(|ui| {
            let (verb, tip) = if expanded {
                ("Hide", "Fold the protocol strip to this row (more room for the plots)")
            } else {
                ("Show", "Show the protocol strip: events and input against time")
            };
            if ui.small_button(verb).on_hover_text(tip).clicked() {
                self.expanded = Some(!expanded);
            }
            ui.strong("Protocol");
            ui.weak(format!(
                "{} events, {} stimuli, end {} ms{}",
                setup.events.len(),
                setup.stimuli.len(),
                setup.duration_ms,
                if setup.pause_at_end { " (pauses)" } else { "" }
            ));
            let now = snap(input.now_ms, setup.dt_ms);
            if ui
                .button("Add event")
                .on_hover_text(format!(
                    "A new event at the current time ({now} ms) that sets the input to its value now; \
                     double-click the strip to add one elsewhere"
                ))
                .clicked()
            {
                self.add_event(setup, now, out);
            }
            if input.has_notes && ui.button("Notes").on_hover_text("What this preset shows").clicked() {
                out.push(Intent::ShowNotes(true));
            }
            if let Some(text) = override_warning(input) {
                ui.colored_label(ui.visuals().warn_fg_color, text);
            }
        });
    }

    fn add_event(&mut self, setup: &RunSpec, t_ms: f64, out: &mut Vec<Intent>) {
        let Some(p) = input_param(&setup.model, &setup.stimuli) else {
            return;
        };
        let name = setup.model.desc.parameters[p].name.clone();
        let mut events = setup.events.clone();
        events.push(Event {
            t_ms,
            set: [(name, setup.parameters[p])].into(),
            ..Event::default()
        });
        self.selected = Some(events.len() - 1);
        out.push(Intent::SetEvents(events));
    }

    fn strip_ui(&mut self, ui: &mut egui::Ui, input: &TimelineInput<'_>, out: &mut Vec<Intent>) {
        let setup = input.setup;
        let width = ui.available_width().max(100.0);
        let (rect, response) =
            ui.allocate_exact_size(vec2(width, STRIP_HEIGHT), Sense::click_and_drag());
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Protocol timeline")
        });
        let last_event = self.order.last().map_or(0.0, |&i| setup.events[i].t_ms);
        let t_end_ms = setup
            .duration_ms
            .max(last_event * 1.02)
            .max(input.now_ms)
            .max(setup.dt_ms * 10.0);
        let axis = Axis { rect, t_end_ms };
        self.interact(&response, &axis, setup, out);
        let painter = ui.painter_at(rect.expand(2.0));
        let visuals = ui.visuals();
        painter.rect_filled(rect, 2.0, visuals.extreme_bg_color);
        draw_ticks(&painter, &axis, visuals.weak_text_color());
        draw_input(&painter, &axis, setup, &self.order, INPUT_COLOR);
        self.draw_events(&painter, &axis, input, ui);
        let x_now = axis.x_of(input.now_ms.min(t_end_ms));
        painter.line_segment(
            [
                Pos2::new(x_now, rect.top()),
                Pos2::new(x_now, rect.bottom()),
            ],
            Stroke::new(2.0, Color32::from_rgb(230, 80, 60)),
        );
        painter.rect_stroke(
            rect,
            2.0,
            Stroke::new(1.0, visuals.weak_text_color()),
            StrokeKind::Inside,
        );
        if response.hovered() && self.drag.is_none() {
            response.on_hover_text(
                "Drag an event to move it; click it to edit; double-click to add one here. \
                 The line is the input the model gets (base value, events and stimuli).",
            );
        }
    }

    /// Drag to move, click to select, double-click to add.
    fn interact(
        &mut self,
        response: &egui::Response,
        axis: &Axis,
        setup: &RunSpec,
        out: &mut Vec<Intent>,
    ) {
        let pointer_x = response.interact_pointer_pos().map(|p| p.x);
        // A drag is recognised after the pointer moved: pick where it was pressed.
        let press_x = response
            .ctx
            .input(|i| i.pointer.press_origin())
            .map(|p| p.x);
        if response.drag_started()
            && let Some(x) = press_x
            && let Some(i) = self.pick(axis, setup, x)
        {
            self.drag = Some((i, setup.events[i].t_ms));
            self.selected = Some(i);
        }
        if let Some((_, t)) = &mut self.drag
            && let Some(x) = pointer_x
            && response.dragged()
        {
            *t = snap(axis.t_of(x), setup.dt_ms);
        }
        if response.drag_stopped()
            && let Some((i, t_ms)) = self.drag.take()
        {
            out.push(Intent::SetEvents(with_time(&setup.events, i, t_ms)));
        }
        if response.double_clicked()
            && let Some(x) = pointer_x
        {
            self.add_event(setup, snap(axis.t_of(x), setup.dt_ms), out);
        } else if response.clicked()
            && let Some(x) = pointer_x
        {
            self.selected = self.pick(axis, setup, x);
        }
    }

    /// The event whose marker is nearest to `x`, within reach.
    fn pick(&self, axis: &Axis, setup: &RunSpec, x: f32) -> Option<usize> {
        let t = axis.t_of(x);
        let k = self.order.partition_point(|&i| setup.events[i].t_ms < t);
        [k.checked_sub(1), Some(k)]
            .into_iter()
            .flatten()
            .filter_map(|k| self.order.get(k).copied())
            .map(|i| (i, (axis.x_of(setup.events[i].t_ms) - x).abs()))
            .filter(|&(_, d)| d <= PICK_POINTS)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// One marker per pixel column (the selected and dragged ones always), labels
    /// where they fit.
    fn draw_events(
        &self,
        painter: &egui::Painter,
        axis: &Axis,
        input: &TimelineInput<'_>,
        ui: &egui::Ui,
    ) {
        let events = &input.setup.events;
        let accent = ui.visuals().selection.bg_fill;
        let plain = Color32::from_rgb(240, 170, 40);
        let warn = ui.visuals().warn_fg_color;
        let overridden = overridden_event(input);
        let font = egui::FontId::proportional(11.0);
        let labels = events.len() <= MAX_LABELS;
        let mut last_px = f32::NEG_INFINITY;
        let mut label_end = f32::NEG_INFINITY;
        let rect = axis.rect;
        for &i in &self.order {
            let t = match self.drag {
                Some((d, t)) if d == i => t,
                _ => events[i].t_ms,
            };
            let x = axis.x_of(t);
            let special = self.selected == Some(i) || overridden == Some(i);
            if (x - last_px).abs() < 1.0 && !special {
                continue;
            }
            last_px = x;
            let color = if overridden == Some(i) {
                warn
            } else if self.selected == Some(i) {
                accent
            } else {
                plain
            };
            let width = if special { 2.5 } else { 1.5 };
            painter.line_segment(
                [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                Stroke::new(width, color),
            );
            painter.circle_filled(
                Pos2::new(x, rect.top() + 6.0),
                if special { 6.0 } else { 4.5 },
                color,
            );
            if labels && x > label_end {
                let galley = painter.layout_no_wrap(
                    event_label(&events[i]),
                    font.clone(),
                    ui.visuals().strong_text_color(),
                );
                let pos = Pos2::new(x + 8.0, rect.top() + 1.0);
                label_end = pos.x + galley.size().x + 4.0;
                painter.galley(pos, galley, Color32::WHITE);
            }
        }
    }

    /// Time and values of the selected event, and *Delete*.
    fn editor_ui(&mut self, ui: &mut egui::Ui, input: &TimelineInput<'_>, out: &mut Vec<Intent>) {
        let events = &input.setup.events;
        let Some((i, event)) = self.selected.and_then(|i| Some((i, events.get(i)?))) else {
            ui.weak("Click an event on the strip to edit it.");
            return;
        };
        let mut event = event.clone();
        let mut changed = false;
        let mut delete = false;
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Event {} of {}:", i + 1, events.len()));
            let label = ui.label("event time [ms]");
            changed |= ui
                .add(
                    egui::DragValue::new(&mut event.t_ms)
                        .speed(input.setup.dt_ms.max(0.1))
                        .range(0.0..=f64::MAX),
                )
                .labelled_by(label.id)
                .changed();
            for (name, value) in event.set.iter_mut() {
                let label = ui.label(format!("set {name} ="));
                changed |= ui
                    .add(egui::DragValue::new(value).speed(0.1))
                    .labelled_by(label.id)
                    .changed();
            }
            for (name, value) in event.add.iter_mut() {
                let label = ui.label(format!("add to {name}"));
                changed |= ui
                    .add(egui::DragValue::new(value).speed(0.1))
                    .labelled_by(label.id)
                    .changed();
            }
            if let Some(name) = &event.integrator {
                ui.label(format!("integrator from here: {name}"));
            }
            if let Some(s) = &event.stimuli {
                ui.label(format!("replaces the stimuli ({})", s.len()));
            }
            delete = ui.button("Delete event").clicked();
        });
        if delete {
            let mut list = events.clone();
            list.remove(i);
            self.selected = None;
            out.push(Intent::SetEvents(list));
        } else if changed && event.t_ms.is_finite() {
            let mut list = events.clone();
            list[i] = event;
            out.push(Intent::SetEvents(list));
        }
    }
}

/// `t_ms` rounded to a whole step, as the engine rounds event times.
fn snap(t_ms: f64, dt_ms: f64) -> f64 {
    let t = (t_ms / dt_ms).round() * dt_ms;
    // Print 50.0 rather than 50.00000000000001.
    (t * 1e9).round() / 1e9
}

/// `events` with event `i` moved to `t_ms`.
fn with_time(events: &[Event], i: usize, t_ms: f64) -> Vec<Event> {
    let mut list = events.to_vec();
    if let Some(e) = list.get_mut(i) {
        e.t_ms = t_ms;
    }
    list
}

/// "I_app = 3.3", "g_ampa + 0.3", "integrator rk4", "stimuli (2)".
pub fn event_label(e: &Event) -> String {
    let sets = e.set.iter().map(|(n, v)| format!("{n} = {v}"));
    let adds = e.add.iter().map(|(n, v)| format!("{n} + {v}"));
    let integrator = e.integrator.iter().map(|i| format!("integrator {i}"));
    let stimuli = e.stimuli.iter().map(|s| format!("stimuli ({})", s.len()));
    sets.chain(adds)
        .chain(integrator)
        .chain(stimuli)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The next event after now that sets or adds to the overridden parameter.
fn overridden_event(input: &TimelineInput<'_>) -> Option<usize> {
    let p = input.overridden?;
    let name = &input.setup.model.desc.parameters.get(p)?.name;
    input
        .setup
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.t_ms > input.now_ms && (e.set.contains_key(name) || e.add.contains_key(name))
        })
        .min_by(|a, b| a.1.t_ms.total_cmp(&b.1.t_ms))
        .map(|(i, _)| i)
}

/// "Your I_app edit holds until the event at 350 ms sets it."
pub fn override_warning(input: &TimelineInput<'_>) -> Option<String> {
    let i = overridden_event(input)?;
    let p = input.overridden?;
    let name = &input.setup.model.desc.parameters[p].name;
    let e = &input.setup.events[i];
    let how = if e.set.contains_key(name) {
        "sets"
    } else {
        "adds to"
    };
    Some(format!(
        "Your {name} edit holds until the event at {} ms {how} it (edit or delete that event to keep it)",
        e.t_ms
    ))
}
