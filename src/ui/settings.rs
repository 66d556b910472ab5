//! Simulation settings (dt, integrator, seed), initial values and the recording's
//! bounds.

use super::Intent;
use crate::model::VarKind;
use crate::sim::Integrator;
use crate::sim::run::RunSpec;

/// The recording's bounds as the user set them.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistoryBounds {
    pub duration_s: f64,
    pub budget_mb: usize,
}

impl Default for HistoryBounds {
    fn default() -> Self {
        Self {
            duration_s: 60.0,
            // Enough for 60 s of the largest built-in model (HHneuronBischop: 38
            // variables at dt 0.01 ms is ~1.8 GB); smaller models stop at 60 s first.
            budget_mb: 2048,
        }
    }
}

pub fn simulation_ui(ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
    egui::Grid::new("sim-settings").num_columns(2).show(ui, |ui| {
        let label = ui.label("dt [ms]");
        let mut dt = setup.dt_ms;
        let r = ui
            .add(egui::DragValue::new(&mut dt).range(1e-4..=10.0).speed(0.001).max_decimals(4))
            .labelled_by(label.id)
            .on_hover_text("Integration step. Changing it restarts the run.");
        if r.changed() && dt != setup.dt_ms {
            out.push(Intent::SetDt(dt));
        }
        ui.end_row();
        ui.label("integrator");
        egui::ComboBox::from_id_salt("integrator").selected_text(setup.integrator.name()).show_ui(ui, |ui| {
            for i in Integrator::ALL {
                if ui.selectable_label(i == setup.integrator, i.name()).clicked() && i != setup.integrator {
                    out.push(Intent::SetIntegrator(i));
                }
            }
        }).response.accessible_name("integrator");
        ui.end_row();
        ui.label("seed");
        let mut seed = setup.seed;
        let r = ui
            .add(egui::DragValue::new(&mut seed))
            .on_hover_text("Seed of the model's random numbers and of noise stimuli. Changing it restarts the run.");
        if r.changed() && seed != setup.seed {
            out.push(Intent::SetSeed(seed));
        }
        ui.end_row();
        end_row_ui(ui, setup, out);
    });
}

/// The protocol's end: its length (saved in presets) and whether to pause there.
fn end_row_ui(ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
    let label = ui.label("end [ms]");
    ui.horizontal(|ui| {
        let (mut pause, mut duration_ms) = (setup.pause_at_end, setup.duration_ms);
        let r = ui
            .add(
                egui::DragValue::new(&mut duration_ms)
                    .range(0.01..=1e7)
                    .speed(1.0),
            )
            .labelled_by(label.id)
            .on_hover_text("Length of the protocol, saved in presets as duration_ms.");
        let c = ui.checkbox(&mut pause, "pause there").on_hover_text(
            "A running simulation pauses when it reaches the end (Run continues past \
                 it, Reset replays it). On for presets with timed events.",
        );
        if (r.changed() || c.changed())
            && (pause, duration_ms) != (setup.pause_at_end, setup.duration_ms)
        {
            out.push(Intent::SetEnd { pause, duration_ms });
        }
    });
    ui.end_row();
}

pub fn initial_values_ui(ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
    ui.weak("Used at the next reset; unset values come from the model.");
    egui::Grid::new("initial-values")
        .num_columns(3)
        .show(ui, |ui| {
            for (var, (info, value)) in setup.model.vars.iter().zip(&setup.initial).enumerate() {
                if info.kind != VarKind::State {
                    continue;
                }
                ui.label(super::params::param_label(&info.name, &info.unit))
                    .on_hover_text(&info.description);
                match value {
                    Some(v) => {
                        let mut x = *v;
                        if ui.add(egui::DragValue::new(&mut x).speed(0.1)).changed()
                            && x.is_finite()
                        {
                            out.push(Intent::SetInitial {
                                var,
                                value: Some(x),
                            });
                        }
                        if ui
                            .small_button("clear")
                            .on_hover_text("Use the model's initial value")
                            .clicked()
                        {
                            out.push(Intent::SetInitial { var, value: None });
                        }
                    }
                    None => {
                        ui.weak("model");
                        if ui.small_button("set").clicked() {
                            out.push(Intent::SetInitial {
                                var,
                                value: Some(0.0),
                            });
                        }
                    }
                }
                ui.end_row();
            }
        });
}

/// The recording's bounds. `capacity_ms` is what the memory limit allows at full
/// resolution and `window_ms` what the plots need at full resolution; older parts of
/// the recording are kept at chunk resolution for `duration_s`.
pub fn history_ui(
    ui: &mut egui::Ui,
    bounds: HistoryBounds,
    capacity_ms: f64,
    window_ms: f64,
    out: &mut Vec<Intent>,
) {
    let mut b = bounds;
    ui.horizontal(|ui| {
        ui.label("keep").on_hover_text(
            "How long the plots can scroll back: the time window at full resolution, \
                 older samples as per-pixel min/max. Exports replay the session and are \
                 always complete.",
        );
        ui.add(
            egui::DragValue::new(&mut b.duration_s)
                .range(1.0..=3600.0)
                .suffix(" s"),
        );
        ui.label("within");
        ui.add(
            egui::DragValue::new(&mut b.budget_mb)
                .range(16..=16384)
                .suffix(" MB"),
        );
    });
    if capacity_ms + 1e-9 < window_ms.min(b.duration_s * 1000.0) {
        ui.weak(format!(
            "The memory limit allows {:.1} s at full resolution for this model and dt.",
            capacity_ms / 1000.0
        ));
    }
    if b != bounds {
        out.push(Intent::SetHistory {
            duration_s: b.duration_s,
            budget_mb: b.budget_mb,
        });
    }
}
