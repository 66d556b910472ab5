//! Focus mode (F11 or the toolbar's *Focus* button): the side panels are hidden
//! and a compact strip above the plots holds only Run/Pause, Reset and sliders for
//! the exposed parameters, beside the view's tabs — what a projected lesson needs,
//! nothing to mis-click.
//! Which parameters are exposed is the app's `focus_params` list (a lesson sets it);
//! names the model lacks are skipped, and with none left the model's drive shows.

use super::Intent;
use super::params::{ParamRow, param_row_ui, slider_width_for};
use super::theme::DisplayIntent;
use crate::model::CompiledModel;

/// Indices of the parameters the strip shows for `names` in `model`.
pub fn exposed_params(model: &CompiledModel, names: &[String]) -> Vec<usize> {
    let found: Vec<usize> = names.iter().filter_map(|n| model.param_index(n)).collect();
    if found.is_empty() {
        model.drive_param().into_iter().collect()
    } else {
        found
    }
}

/// What the strip shows this frame.
pub struct FocusInput<'a> {
    pub model: &'a CompiledModel,
    pub values: &'a [f64],
    pub exposed: &'a [String],
    pub running: bool,
    /// The central view, whose tabs (or menu) share the buttons' row.
    pub view: super::View,
    /// The views offered (a lesson step may offer only some).
    pub views: &'a [super::View],
}

/// Draws the Focus strip; edits and buttons land in `out`.
pub fn focus_strip_ui(ui: &mut egui::Ui, input: &FocusInput<'_>, out: &mut Vec<Intent>) {
    let params = exposed_params(input.model, input.exposed);
    ui.horizontal_wrapped(|ui| {
        let run_label = if input.running { "Pause" } else { "Run" };
        if ui.button(run_label).on_hover_text("Space").clicked() {
            out.push(Intent::ToggleRunning);
        }
        if ui.button("Reset").on_hover_text("R").clicked() {
            out.push(Intent::Reset);
        }
        if ui
            .button("Leave Focus")
            .on_hover_text("Esc or F11: show the side panels again")
            .clicked()
        {
            out.push(Intent::Display(DisplayIntent::SetFocus(false)));
        }
        ui.separator();
        super::toolbar::view_tabs_ui(ui, input.view, input.views, out);
    });
    let descs = &input.model.desc.parameters;
    let rows: Vec<ParamRow<'_>> = params
        .iter()
        .map(|&index| ParamRow {
            desc: &descs[index],
            index,
            value: input
                .values
                .get(index)
                .copied()
                .unwrap_or(descs[index].default),
            stimulated: false,
        })
        .collect();
    ui.spacing_mut().slider_width = slider_width_for(ui, &rows).min(600.0);
    for row in &rows {
        // A refused (non-finite) entry simply keeps the old value here.
        let _ = param_row_ui(ui, row, out);
    }
}
