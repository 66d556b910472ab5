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

mod derived;
mod draw;

use egui::{Color32, Pos2, Sense, Stroke, StrokeKind, vec2};

use super::Intent;
use crate::sim::run::Event;
use crate::sim::run::RunSpec;
use crate::sim::worker::input_param;
use derived::Derived;
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
    /// The events in time order and their changes to the input, per protocol.
    derived: Derived,
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
        self.derived.refresh(input.setup);
        let expanded = self
            .expanded
            .unwrap_or_else(|| ui.ctx().content_rect().height() >= FOLD_BELOW_POINTS);
        self.header_ui(ui, input, expanded, out);
        if expanded {
            self.strip_ui(ui, input, out);
            self.editor_ui(ui, input, out);
        }
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
            if let Some(text) = override_warning(input, &self.derived) {
                ui.colored_label(ui.visuals().warn_fg_color, text);
            }
        });
    }

    fn add_event(&mut self, setup: &RunSpec, t_ms: f64, out: &mut Vec<Intent>) {
        let Some(p) = input_param(&setup.model, &setup.stimuli) else {
            return;
        };
        let name = setup.model.desc.parameters[p].name.clone();
        let mut events = Vec::clone(&setup.events);
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
        let last_event = self.derived.times.last().copied().unwrap_or(0.0);
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
        let d = &self.derived;
        draw_input(
            &painter,
            &axis,
            setup,
            d.input,
            &d.input_levels,
            INPUT_COLOR,
        );
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
            && let Some(i) = self.pick(axis, x)
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
            self.selected = self.pick(axis, x);
        }
    }

    /// The event whose marker is nearest to `x`, within reach.
    fn pick(&self, axis: &Axis, x: f32) -> Option<usize> {
        let t = axis.t_of(x);
        let (order, times) = (&self.derived.order, &self.derived.times);
        let k = times.partition_point(|&tk| tk < t);
        [k.checked_sub(1), Some(k)]
            .into_iter()
            .flatten()
            .filter_map(|k| Some((*order.get(k)?, *times.get(k)?)))
            .map(|(i, tk)| (i, (axis.x_of(tk) - x).abs()))
            .filter(|&(_, d)| d <= PICK_POINTS)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// One marker per pixel column that holds events (found by binary search, so a
    /// frame costs the same for 200k events as for 20), then the selected, dragged
    /// and overridden ones on top; labels where they fit. Dense protocols get
    /// translucent bands where events fill neighbouring columns, so the input curve
    /// stays visible.
    fn draw_events(
        &self,
        painter: &egui::Painter,
        axis: &Axis,
        input: &TimelineInput<'_>,
        ui: &egui::Ui,
    ) {
        let events = &input.setup.events;
        let (order, times) = (&self.derived.order, &self.derived.times);
        let rect = axis.rect;
        let dense = times.len() as f32 > rect.width() / 4.0;
        let plain = if dense {
            Color32::from_rgba_unmultiplied(240, 170, 40, 90)
        } else {
            Color32::from_rgb(240, 170, 40)
        };
        let marker = |x: f32, color: Color32, special: bool| {
            let width = if special { 2.5 } else { 1.5 };
            painter.line_segment(
                [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                Stroke::new(width, color),
            );
            let r = if special { 6.0 } else { 4.5 };
            painter.circle_filled(Pos2::new(x, rect.top() + 6.0), r, color);
        };
        let font = egui::FontId::proportional(11.0);
        let labels = events.len() <= MAX_LABELS;
        let mut label_end = f32::NEG_INFINITY;
        // Dense markers in neighbouring columns are drawn as one band.
        let mut band: Option<(f32, f32)> = None;
        let band_ui = |(x0, x1): (f32, f32)| {
            let r = egui::Rect::from_x_y_ranges(x0 - 0.5..=x1 + 0.5, rect.y_range());
            painter.rect_filled(r, 0.0, plain);
        };
        let mut k = 0;
        while k < times.len() {
            let x = axis.x_of(times[k]);
            if self.drag.is_some_and(|(d, _)| d == order[k]) {
                // Drawn where it is dragged to, below.
            } else if dense {
                band = match band {
                    Some((x0, x1)) if x - x1 <= 1.5 => Some((x0, x)),
                    Some(done) => {
                        band_ui(done);
                        Some((x, x))
                    }
                    None => Some((x, x)),
                };
            } else {
                marker(x, plain, false);
            }
            if labels && x > label_end {
                let galley = painter.layout_no_wrap(
                    event_label(&events[order[k]]),
                    font.clone(),
                    ui.visuals().strong_text_color(),
                );
                let pos = Pos2::new(x + 8.0, rect.top() + 1.0);
                label_end = pos.x + galley.size().x + 4.0;
                painter.galley(pos, galley, Color32::WHITE);
            }
            // The next event at least a pixel to the right.
            let t_next = axis.t_of(x + 1.0);
            k = derived::first_from(times, k + 1, |&t| t < t_next);
        }
        if let Some(done) = band {
            band_ui(done);
        }
        let overridden = overridden_event(input, &self.derived);
        let special = [
            (overridden, ui.visuals().warn_fg_color),
            (self.selected, ui.visuals().selection.bg_fill),
        ];
        for (i, color) in special {
            let Some(event) = i.and_then(|i| events.get(i)) else {
                continue;
            };
            let t = match self.drag {
                Some((d, t)) if Some(d) == i => t,
                _ => event.t_ms,
            };
            marker(axis.x_of(t), color, true);
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
            let mut list = Vec::clone(events);
            list.remove(i);
            self.selected = None;
            out.push(Intent::SetEvents(list));
        } else if changed && event.t_ms.is_finite() {
            let mut list = Vec::clone(events);
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
fn overridden_event(input: &TimelineInput<'_>, derived: &Derived) -> Option<usize> {
    let p = input.overridden?;
    let name = &input.setup.model.desc.parameters.get(p)?.name;
    derived.next_change_of(&input.setup.events, name, input.now_ms)
}

/// "Your I_app edit holds until the event at 350 ms sets it."
fn override_warning(input: &TimelineInput<'_>, derived: &Derived) -> Option<String> {
    let i = overridden_event(input, derived)?;
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
