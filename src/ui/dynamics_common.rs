//! Pieces shared by the bifurcation and map tabs: the key that decides when a
//! sweep is stale, a parameter picker, slider ranges and the click-to-set helper.

use egui_plot::PlotResponse;

use crate::model::CompiledModel;
use crate::sim::run::RunSpec;

/// The setup as a key, leaving out the swept parameters: moving their sliders
/// only moves the marker, while any other slider makes the sweep stale.
pub fn key_without(setup: &RunSpec, swept: &[&str], extra: String) -> String {
    let m = &setup.model;
    let params: Vec<u64> = m
        .desc
        .parameters
        .iter()
        .zip(&setup.parameters)
        .filter(|(p, _)| !swept.contains(&p.name.as_str()))
        .map(|(_, v)| v.to_bits())
        .collect();
    format!(
        "{}|{params:?}|{:?}|{}|{}|{}|{:?}|{:?}|{extra}",
        m.id(),
        setup.initial,
        setup.dt_ms,
        setup.integrator.name(),
        setup.duration_ms,
        setup.events.len(),
        setup.stimuli,
    )
}

/// The drive parameter's name, else the first parameter's.
pub fn default_param(m: &CompiledModel) -> String {
    m.drive_param()
        .or((!m.desc.parameters.is_empty()).then_some(0))
        .map(|i| m.desc.parameters[i].name.clone())
        .unwrap_or_default()
}

/// The slider range of a parameter, if it exists.
pub fn slider_range(m: &CompiledModel, name: &str) -> Option<(f64, f64)> {
    let i = m.param_index(name)?;
    let r = &m.desc.parameters[i].range;
    Some((r.min, r.max))
}

/// A combo box choosing one of the model's parameters; true when it changed.
pub fn param_combo_ui(ui: &mut egui::Ui, id: &str, m: &CompiledModel, param: &mut String) -> bool {
    let before = param.clone();
    egui::ComboBox::from_id_salt(id)
        .selected_text(param.clone())
        .show_ui(ui, |ui| {
            for p in &m.desc.parameters {
                ui.selectable_value(param, p.name.clone(), &p.name);
            }
        })
        .response
        .accessible_name(id);
    *param != before
}

/// Where a plot was clicked (without dragging), in plot coordinates.
pub fn clicked_point<R>(r: &PlotResponse<R>) -> Option<[f64; 2]> {
    if !r.response.clicked() {
        return None;
    }
    let pos = r.response.interact_pointer_pos()?;
    let p = r.transform.value_from_position(pos);
    Some([p.x, p.y])
}

/// The unit as a suffix (" mV"), empty for dimensionless parameters.
pub fn unit_suffix(m: &CompiledModel, name: &str) -> String {
    m.param_index(name)
        .map(|i| m.desc.parameters[i].unit.as_str())
        .filter(|u| !u.is_empty() && *u != "1")
        .map(|u| format!(" {u}"))
        .unwrap_or_default()
}

/// What the Compute / Cancel row of a sweep tab asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunControl {
    Idle,
    Compute,
    Cancel,
}

/// The Compute button, or while a job runs, Cancel and the job's progress bar.
pub fn run_controls_ui(ui: &mut egui::Ui, running: bool, progress: Option<f32>) -> RunControl {
    if !running {
        return if ui.button("Compute").clicked() {
            RunControl::Compute
        } else {
            RunControl::Idle
        };
    }
    let cancel = ui.button("Cancel").clicked();
    ui.add(
        egui::ProgressBar::new(progress.unwrap_or(0.0))
            .show_percentage()
            .desired_width(200.0),
    );
    if cancel {
        RunControl::Cancel
    } else {
        RunControl::Idle
    }
}
