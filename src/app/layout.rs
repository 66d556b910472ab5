//! The window layout: toolbar on top, status bar at the bottom, controls on the
//! left, plots in the centre.

use std::sync::Arc;

use super::App;
use crate::ui::Intent;
use crate::ui::model_picker::model_picker_ui;
use crate::ui::plots::PlotInput;
use crate::ui::settings::{history_ui, initial_values_ui, simulation_ui};
use crate::ui::status::status_ui;
use crate::ui::toolbar::{ToolbarState, ViewMenuState, toolbar_ui};

impl App {
    /// Draws one frame; user actions land in `out`.
    pub(super) fn frame_ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Intent>) {
        let status = self.status_line();
        if !self.focus {
            let toolbar = ToolbarState {
                running: self.is_running(),
                speed: self.settings.speed,
                window_ms: self.settings.window_ms,
                recording: self.settings.recording,
                can_undo: self.undo.can_undo(),
                can_redo: self.undo.can_redo(),
                recent: &self.settings.recent,
                view: ViewMenuState {
                    zoom: self.settings.zoom,
                    theme: self.settings.theme,
                    line_width: self.settings.line_width,
                    legends: self.settings.legends,
                    focus: self.focus,
                },
            };
            egui::Panel::top("toolbar").show(ui, |ui| toolbar_ui(ui, &toolbar, out));
        }
        egui::Panel::bottom("status").show(ui, |ui| status_ui(ui, &status));
        if !self.focus {
            self.side_panel_ui(ui, out);
        }
        if let Some(lesson) = &self.lesson {
            // At most a third of the window, so zoomed on a small screen the panel
            // stays whole and the plots keep room. Shown in Focus mode too: the
            // lesson's text is what the class follows.
            let max_width = (ui.available_width() / 3.0).clamp(180.0, 640.0);
            egui::Panel::right("lesson")
                .resizable(true)
                .default_size(380.0_f32.min(max_width))
                .size_range(180.0..=max_width)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        crate::ui::lesson_panel::lesson_panel_ui(
                            ui,
                            lesson,
                            &self.setup.model,
                            out,
                        );
                    });
                });
        }
        let views: Vec<crate::ui::View> = crate::ui::View::ALL
            .into_iter()
            .filter(|&v| self.lesson_allows(v))
            .collect();
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if self.focus {
                // A lesson step's shown sliders are what Focus exposes.
                let exposed = match &self.lesson {
                    Some(l) if !l.shown_params().is_empty() => l.shown_params(),
                    _ => &self.focus_params,
                };
                let input = crate::ui::focus::FocusInput {
                    model: &self.setup.model,
                    values: &self.setup.parameters,
                    exposed,
                    running: self.is_running(),
                    view: self.view,
                    views: &views,
                };
                crate::ui::focus::focus_strip_ui(ui, &input, out);
            } else {
                crate::ui::toolbar::view_tabs_ui(ui, self.view, &views, out);
            }
            ui.separator();
            match self.view {
                crate::ui::View::Traces | crate::ui::View::Equations => {}
                crate::ui::View::Gallery => {
                    self.gallery.ui(ui, out);
                    return;
                }
                crate::ui::View::PhasePlane => {
                    let input = crate::ui::phase_plane::PhaseInput {
                        history: &self.history,
                        setup: &self.setup,
                        window_ms: self.settings.window_ms,
                        running: self.is_running(),
                    };
                    self.phase.ui(ui, &input);
                    return;
                }
                crate::ui::View::Iv => {
                    self.iv.ui(ui, &self.setup, out);
                    return;
                }
                crate::ui::View::Fi => {
                    self.fi.ui(ui, &self.setup, out);
                    return;
                }
                crate::ui::View::Bifurcation => {
                    self.bifurcation.ui(ui, &self.setup, out);
                    return;
                }
                crate::ui::View::Map => {
                    self.map.ui(ui, &self.setup, out);
                    return;
                }
                crate::ui::View::Compare => {
                    self.compare.ui(ui, &self.setup, self.live_reference, out);
                    return;
                }
            }
            // The plots draw what was recorded, with the recorded run's model: for the
            // frames until the worker switches, the setup may already be the next one.
            if self.recorded.is_none() {
                ui.label("Starting the simulation…");
                return;
            }
            // The protocol strip under the plots (the plots fill what is left above it).
            egui::Panel::bottom("timeline")
                .resizable(false)
                .show(ui, |ui| self.timeline_ui(ui, out));
            let Some(recorded) = &self.recorded else {
                return;
            };
            let same_model = Arc::ptr_eq(&recorded.model, &self.setup.model);
            let default_params: Vec<f64>;
            let params = if same_model {
                &self.setup.parameters
            } else {
                default_params = recorded.model.default_parameters();
                &default_params
            };
            if self.view == crate::ui::View::Equations {
                let panel = &mut self.equations;
                equations_ui(ui, panel, &self.history, recorded, params, out);
            }
            self.features.update(
                &self.history,
                &recorded.model,
                (self.settings.window_ms, recorded.dt_ms),
                self.is_running(),
            );
            if !self.focus {
                // Focus mode keeps the height for the plots.
                self.features.ui(ui);
            }
            let input = PlotInput {
                history: &self.history,
                model: &recorded.model,
                channel_names: &recorded.channels,
                reference_channel: recorded.reference.then(|| recorded.channels.len() - 1),
                params,
                following: self.is_running(),
                window_ms: self.settings.window_ms,
            };
            self.plots.ui(ui, &input);
        });
        self.notes.ui(ui.ctx(), out);
        self.export_progress_ui(ui.ctx(), out);
        self.toasts.ui(ui.ctx());
    }

    /// The timeline strip of the run's protocol.
    fn timeline_ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Intent>) {
        let now_ms = self.history.time_span().map_or(0.0, |(_, t)| t);
        let input = crate::ui::timeline::TimelineInput {
            setup: &self.setup,
            now_ms,
            overridden: self.warned_override,
            has_notes: self.notes.text.is_some(),
        };
        self.timeline.ui(ui, &input, out);
    }

    /// The controls on the left. Its width changes only when the user drags its
    /// edge: the contents scroll both ways inside it instead of widening it, and it
    /// never takes more than 45 % of the window, so the plots stay whole when zoomed.
    fn side_panel_ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Intent>) {
        let window_w = ui.ctx().content_rect().width();
        let max_w = (0.45 * window_w).max(200.0);
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(500.0_f32.min(max_w))
            .size_range(200.0..=max_w)
            .show(ui, |ui| {
                egui::ScrollArea::both()
                    .auto_shrink([false, false])
                    .show(ui, |ui| self.controls_ui(ui, out));
            });
    }

    /// A small window with the running export's progress and a Cancel button.
    fn export_progress_ui(&self, ctx: &egui::Context, out: &mut Vec<Intent>) {
        let Some(job) = &self.export else { return };
        egui::Window::new("Exporting CSV")
            .anchor(egui::Align2::RIGHT_BOTTOM, [-12.0, -40.0])
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                ui.label(format!(
                    "Replaying {} steps into {}",
                    job.total_steps,
                    job.path.display()
                ));
                ui.add(egui::ProgressBar::new(job.progress).show_percentage());
                if ui.button("Cancel export").clicked() {
                    out.push(Intent::CancelJob(crate::ui::job::JobKind::Export));
                }
            });
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Intent>) {
        ui.add_space(4.0);
        model_picker_ui(ui, &self.setup.model, out);
        let model = std::sync::Arc::clone(&self.setup.model);
        egui::CollapsingHeader::new(format!("Parameters ({})", model.desc.parameters.len()))
            .id_salt("params")
            .default_open(true)
            .show(ui, |ui| {
                let stimulated: Vec<bool> = model
                    .desc
                    .parameters
                    .iter()
                    .map(|p| self.setup.stimuli.iter().any(|s| s.target == p.name))
                    .collect();
                (self.params.hidden, self.params.locked) = self.lesson_param_masks();
                self.params
                    .ui(ui, &model, &self.setup.parameters, &stimulated, out);
            });
        egui::CollapsingHeader::new("Stimulus")
            .id_salt("stimulus")
            .default_open(true)
            .show(ui, |ui| {
                self.stimulus.ui(ui, &model, out);
            });
        egui::CollapsingHeader::new("Initial values")
            .id_salt("initial")
            .show(ui, |ui| {
                initial_values_ui(ui, &self.setup, out);
            });
        egui::CollapsingHeader::new("Simulation")
            .id_salt("simulation")
            .default_open(true)
            .show(ui, |ui| {
                simulation_ui(ui, &self.setup, out);
            });
        egui::CollapsingHeader::new("Recording")
            .id_salt("recording")
            .show(ui, |ui| {
                let capacity_ms = self.history.capacity() as f64 * self.setup.dt_ms;
                let window_ms = self.settings.window_ms;
                history_ui(ui, self.settings.history, capacity_ms, window_ms, out);
            });
        egui::CollapsingHeader::new("Presets")
            .id_salt("presets")
            .default_open(true)
            .show(ui, |ui| {
                self.browser.ui(ui, out);
            });
    }
}

/// The Equations view's upper part: the equations with live terms, scrolling
/// within about half the height so the traces stay in view below.
fn equations_ui(
    ui: &mut egui::Ui,
    panel: &mut crate::ui::equations_panel::EquationsPanel,
    history: &crate::ui::history::History,
    recorded: &crate::sim::worker::Announcement,
    params: &[f64],
    out: &mut Vec<Intent>,
) {
    let model = Arc::clone(&recorded.model);
    let n = model.vars.len();
    let state: Option<Vec<f64>> = (0..n)
        .map(|i| history.channel(i).and_then(|c| c.back().copied()))
        .collect();
    let input = crate::ui::equations_panel::EquationsInput {
        model: &model,
        params,
        state,
        t_ms: history.t_ms().back().copied().unwrap_or(0.0),
        dt_ms: recorded.dt_ms,
    };
    let height = ui.available_height() * 0.55;
    // Both ways: a long fraction may be wider than a zoomed window.
    egui::ScrollArea::both()
        .id_salt("equations")
        .max_height(height)
        .show(ui, |ui| panel.ui(ui, &input, out));
    ui.separator();
}
