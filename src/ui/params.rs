//! A slider for every parameter, generated from the model description: label with
//! unit, the description's range (logarithmic where it says so), a number field
//! that accepts values outside the range, the description as tooltip, per-parameter
//! and global reset, and a search box for models with many parameters.

use egui::{Slider, SliderClamping};

use super::Intent;
use crate::model::CompiledModel;

/// The slider label, also its accessibility name: `I_app [pA]`.
pub fn param_label(name: &str, unit: &str) -> String {
    if unit.is_empty() || unit == "1" {
        name.to_owned()
    } else {
        format!("{name} [{unit}]")
    }
}

#[derive(Debug, Default)]
pub struct ParamsPanel {
    pub search: String,
    /// Per parameter: not shown (a lesson step shows only some; empty: all shown).
    pub hidden: Vec<bool>,
    /// Per parameter: shown but disabled (locked by a lesson step).
    pub locked: Vec<bool>,
    /// The parameter to scroll to and focus (a click in the Equations view).
    pub focus: Option<String>,
    /// The parameter found last and until when (egui time, s) its slider is outlined.
    pub highlight: Option<(String, f64)>,
}

impl ParamsPanel {
    /// `stimulated[i]` marks parameters a stimulus adds to (their slider sets the base).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &CompiledModel,
        values: &[f64],
        stimulated: &[bool],
        out: &mut Vec<Intent>,
    ) {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("search parameters")
                    .desired_width(150.0),
            );
            if !self.search.is_empty()
                && ui
                    .small_button("clear")
                    .on_hover_text("Clear the search")
                    .clicked()
            {
                self.search.clear();
            }
            let changed = model
                .desc
                .parameters
                .iter()
                .zip(values)
                .any(|(p, v)| p.default.to_bits() != v.to_bits());
            if ui
                .add_enabled(changed, egui::Button::new("Reset all"))
                .on_hover_text("All parameters back to the model's defaults")
                .clicked()
            {
                out.push(Intent::ResetAllParams);
            }
        });
        let needle = self.search.to_lowercase();
        // Reset button, value field and label take about 230 points; the slider gets the rest,
        // so rows never widen the panel.
        ui.spacing_mut().slider_width = (ui.available_width() - 230.0).clamp(60.0, 260.0);
        for (index, (p, &value)) in model.desc.parameters.iter().zip(values).enumerate() {
            if !needle.is_empty()
                && !p.name.to_lowercase().contains(&needle)
                && !p.description.to_lowercase().contains(&needle)
            {
                continue;
            }
            if self.hidden.get(index).copied().unwrap_or(false) {
                continue;
            }
            let locked = self.locked.get(index).copied().unwrap_or(false);
            ui.horizontal(|ui| {
                if locked {
                    ui.disable();
                }
                let changed = value.to_bits() != p.default.to_bits();
                if ui
                    .add_enabled(changed, egui::Button::new("reset").small())
                    .on_hover_text(format!("Back to the default, {}", p.default))
                    .clicked()
                {
                    out.push(Intent::SetParam {
                        index,
                        value: p.default,
                    });
                }
                let mut v = value;
                let slider = Slider::new(&mut v, p.range.min..=p.range.max)
                    .logarithmic(p.range.log && p.range.min > 0.0)
                    .clamping(SliderClamping::Edits)
                    .text(param_label(&p.name, &p.unit));
                let mut tip = p.description.clone();
                if stimulated.get(index).copied().unwrap_or(false) {
                    tip.push_str("\nA stimulus adds to this value.");
                }
                tip.push_str(&format!(
                    "\nDefault {}; slider range {} .. {} (type any value in the field).",
                    p.default, p.range.min, p.range.max
                ));
                let response = ui.add(slider).on_hover_text(tip);
                let now_s = ui.input(|i| i.time);
                if self.focus.as_deref() == Some(p.name.as_str()) {
                    response.scroll_to_me(Some(egui::Align::Center));
                    response.request_focus();
                    self.focus = None;
                    self.highlight = Some((p.name.clone(), now_s + 3.0));
                }
                if let Some((name, until_s)) = &self.highlight
                    && *name == p.name
                    && now_s < *until_s
                {
                    let stroke = egui::Stroke::new(2.0, ui.visuals().hyperlink_color);
                    let rect = response.rect.expand(3.0);
                    ui.painter()
                        .rect_stroke(rect, 3.0, stroke, egui::StrokeKind::Outside);
                    ui.ctx()
                        .request_repaint_after_secs((*until_s - now_s) as f32);
                }
                if response.changed() && v.is_finite() && v.to_bits() != value.to_bits() {
                    out.push(Intent::SetParam { index, value: v });
                }
            });
        }
    }
}
