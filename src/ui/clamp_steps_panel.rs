//! The voltage-clamp lab beside the I–V curves: the step protocol (holding
//! potential, test steps, tail) as clamp current traces against time, the channel
//! blockers (TTX, TEA) as undoable parameter edits, and the colour map that tells
//! many clamp curves apart.

use egui::Color32;
use egui_plot::{Line, Plot, PlotPoints, VLine};

use super::Intent;
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use super::sweep_fields::ms_field_ui;
use crate::analysis::blockers::Blocker;
use crate::analysis::clamp_steps::{StepProtocol, StepTraces, step_protocol};
use crate::analysis::{SweepError, range_by_step};
use crate::sim::run::RunSpec;

/// Colour `k` of `n` curves ordered by potential: a perceptually ordered map
/// (viridis' anchor colours, Smith & van der Walt 2015, interpolated), so the
/// hyperpolarised curves are dark blue and the depolarised ones yellow, and 25
/// curves stay distinguishable on a projector.
pub fn family_color(k: usize, n: usize) -> Color32 {
    const ANCHORS: [[f32; 3]; 6] = [
        [68.0, 1.0, 84.0],
        [65.0, 68.0, 135.0],
        [42.0, 120.0, 142.0],
        [34.0, 168.0, 132.0],
        [122.0, 209.0, 81.0],
        [253.0, 231.0, 37.0],
    ];
    let x = if n > 1 {
        k as f32 / (n - 1) as f32
    } else {
        0.5
    } * (ANCHORS.len() - 1) as f32;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f32;
    let mix = |c: usize| (ANCHORS[i][c] * (1.0 - f) + ANCHORS[i + 1][c] * f).round() as u8;
    Color32::from_rgb(mix(0), mix(1), mix(2))
}

/// TTX and TEA toggles for the model's Na⁺ and K⁺ conductances; each click is one
/// undoable parameter edit. Nothing is drawn for models without such channels.
pub fn blockers_ui(ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
    let model = &setup.model;
    if Blocker::ALL.iter().all(|b| b.targets(model).is_empty()) {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Channel blockers:");
        for blocker in Blocker::ALL {
            let targets = blocker.targets(model);
            if targets.is_empty() {
                continue;
            }
            let names: Vec<&str> = targets
                .iter()
                .map(|&i| model.desc.parameters[i].name.as_str())
                .collect();
            let applied = blocker.is_applied(model, &setup.parameters);
            let label = if applied {
                format!("Wash out {}", blocker.name())
            } else {
                format!("Apply {}", blocker.name())
            };
            let hover = format!(
                "{} blocks the {}: sets {} to 0 (wash-out restores the model's defaults); Ctrl+Z undoes it.",
                blocker.name(),
                blocker.blocks(),
                names.join(", ")
            );
            if ui.selectable_label(applied, label).on_hover_text(hover).clicked() {
                out.push(Intent::SetParams(blocker.edits(model, !applied)));
            }
        }
    });
}

/// The step protocol's settings, its background run and its traces.
pub struct StepsPanel {
    pub protocol: StepProtocol,
    /// Test potentials as from/to/step (mV).
    pub from_mv: f64,
    pub to_mv: f64,
    pub step_mv: f64,
    key: Option<String>,
    /// Whether the app is running the protocol.
    pub running: bool,
    pub result: Option<StepTraces>,
    pub error: Option<String>,
}

impl Default for StepsPanel {
    fn default() -> Self {
        Self {
            protocol: StepProtocol::default(),
            from_mv: -60.0,
            to_mv: 20.0,
            step_mv: 10.0,
            key: None,
            running: false,
            result: None,
            error: None,
        }
    }
}

impl StepsPanel {
    fn key_of(&self, setup: &RunSpec) -> String {
        let p = &self.protocol;
        format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            setup.sweep_key(),
            p.v_hold_mv,
            p.hold_ms,
            self.from_mv,
            self.to_mv,
            self.step_mv,
            p.test_ms,
            p.v_tail_mv,
            p.tail_ms,
            p.samples
        )
    }

    /// Starts the protocol on the current setup when it or the settings changed.
    pub fn auto_update(&mut self, setup: &RunSpec) -> Option<JobRequest> {
        if setup.model.membrane_var().is_none() || self.key.as_deref() == Some(&self.key_of(setup))
        {
            return None;
        }
        self.key = Some(self.key_of(setup));
        self.error = None;
        let resolved = match setup.resolve() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e.to_string());
                return None;
            }
        };
        match range_by_step(self.from_mv, self.to_mv, self.step_mv) {
            Ok(v) => self.protocol.v_tests_mv = v,
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        }
        let protocol = self.protocol.clone();
        let total = protocol.total(resolved.dt_ms);
        self.running = true;
        Some(JobRequest::new(JobKind::ClampSteps, total, move |input| {
            step_protocol(&resolved, &protocol, input.control)
        }))
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec, unit: &str, out: &mut Vec<Intent>) {
        out.extend(self.auto_update(setup).map(Intent::StartJob));
        self.settings_ui(ui);
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if self.running {
            ui.add(egui::Spinner::new());
        }
        let Some(r) = &self.result else {
            ui.label("Computing the step protocol…");
            return;
        };
        let n = r.current.len();
        ui.horizontal_wrapped(|ui| {
            ui.weak(format!(
                "{}: {} test steps. Colour: {} mV (dark blue) to {} mV (yellow). \
                 Dashed lines: test step and tail start.",
                r.model_id,
                n,
                r.v_tests_mv.first().copied().unwrap_or(0.0),
                r.v_tests_mv.last().copied().unwrap_or(0.0)
            ));
        });
        // The holding phase is long so the state is steady; show its last part.
        let t_from = (r.test_start_ms - (r.tail_start_ms - r.test_start_ms)).max(0.0);
        let weak = ui.visuals().weak_text_color();
        Plot::new("clamp_steps")
            .height(ui.available_height().max(160.0))
            .x_axis_label("time [ms]")
            .y_axis_label(format!("clamp current, outward + [{unit}]"))
            .legend(
                egui_plot::Legend::default()
                    .follow_insertion_order(true)
                    .position(egui_plot::Corner::RightTop),
            )
            .include_x(t_from)
            .show(ui, |p| {
                p.hline(egui_plot::HLine::new("", 0.0).width(0.5).color(weak));
                for t in [r.test_start_ms, r.tail_start_ms] {
                    p.vline(
                        VLine::new("", t)
                            .style(egui_plot::LineStyle::dashed_dense())
                            .color(weak),
                    );
                }
                for (k, trace) in r.current.iter().enumerate() {
                    let pts: Vec<[f64; 2]> = r
                        .t_ms
                        .iter()
                        .zip(trace)
                        .filter(|(t, _)| **t >= t_from)
                        .map(|(&t, &y)| [t, y])
                        .collect();
                    // Named only when few, so the legend never covers the traces.
                    let name = if n <= 10 {
                        format!("{} mV", r.v_tests_mv[k])
                    } else {
                        String::new()
                    };
                    p.line(
                        Line::new(name, PlotPoints::new(pts))
                            .width(1.5)
                            .color(family_color(k, n)),
                    );
                }
            });
    }

    fn settings_ui(&mut self, ui: &mut egui::Ui) {
        let p = &mut self.protocol;
        ui.horizontal_wrapped(|ui| {
            ui.label("hold at");
            ui.add(
                egui::DragValue::new(&mut p.v_hold_mv)
                    .speed(1.0)
                    .suffix(" mV"),
            );
            ms_field_ui(ui, "for", &mut p.hold_ms, 0.1, 10.0);
            ui.label("test steps from");
            ui.add(
                egui::DragValue::new(&mut self.from_mv)
                    .speed(1.0)
                    .suffix(" mV"),
            );
            ui.label("to");
            ui.add(
                egui::DragValue::new(&mut self.to_mv)
                    .speed(1.0)
                    .suffix(" mV"),
            );
            ui.label("step");
            ui.add(
                egui::DragValue::new(&mut self.step_mv)
                    .speed(0.5)
                    .range(0.5..=100.0)
                    .suffix(" mV"),
            );
            ms_field_ui(ui, "for", &mut p.test_ms, 0.1, 1.0);
            ui.label("tail at");
            ui.add(
                egui::DragValue::new(&mut p.v_tail_mv)
                    .speed(1.0)
                    .suffix(" mV"),
            );
            ms_field_ui(ui, "for", &mut p.tail_ms, 0.1, 1.0);
        });
    }
}

impl JobClient for StepsPanel {
    fn job_progress(&mut self, _kind: &JobKind, progress: Option<f32>) {
        self.running = progress.is_some();
    }

    fn job_done(&mut self, _kind: &JobKind, result: Result<JobValue, SweepError>) {
        match result.map(take::<StepTraces>) {
            Ok(r) => self.result = r.or(self.result.take()),
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}
