//! A slider for every parameter, generated from the model description: label with
//! unit, the description's range (logarithmic where it says so), a number field
//! that accepts any finite value, also outside the range (the slider then sits at
//! its end and the row says "out of range"; non-finite input is refused), the
//! description as tooltip, per-parameter and global reset, and a search box for
//! models with many parameters. [`param_row_ui`] is also the Focus strip's slider.

use egui::{Slider, SliderClamping};

use super::Intent;
use crate::model::CompiledModel;
use crate::model::ParamDesc;

/// Sliders are never narrower than this (points), however narrow the panel; at
/// the side panel's default width they get 200 points or more.
pub const MIN_SLIDER_WIDTH: f32 = 100.0;

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
    /// The last typed input that was refused (not a finite number), shown until
    /// the next accepted edit.
    pub refused: Option<String>,
    /// Per parameter: not shown (a lesson step shows only some; empty: all shown).
    pub hidden: Vec<bool>,
    /// Per parameter: shown but disabled (locked by a lesson step).
    pub locked: Vec<bool>,
    /// The parameter to scroll to and focus (a click in the Equations view).
    pub focus: Option<String>,
    /// The parameter found last and until when (egui time, s) its slider is outlined.
    pub highlight: Option<(String, f64)>,
}

/// One parameter's row as drawn: its description, index, value and whether a
/// stimulus adds to it.
pub struct ParamRow<'a> {
    pub desc: &'a ParamDesc,
    pub index: usize,
    pub value: f64,
    pub stimulated: bool,
}

/// Whether `value` lies outside the slider's range (typed there on purpose).
pub fn out_of_range(desc: &ParamDesc, value: f64) -> bool {
    value < desc.range.min || value > desc.range.max
}

/// Draws one parameter row: reset, slider with its number field, and an
/// out-of-range mark. A finite edit becomes a `SetParam`; a non-finite one is
/// refused and described in the returned message. Also returns the slider's response
/// (to scroll to it or outline it).
pub fn param_row_ui(
    ui: &mut egui::Ui,
    row: &ParamRow<'_>,
    out: &mut Vec<Intent>,
) -> (Option<String>, egui::Response) {
    let p = row.desc;
    let mut refused = None;
    let inner = ui.horizontal(|ui| {
        let changed = row.value.to_bits() != p.default.to_bits();
        if ui
            .add_enabled(changed, egui::Button::new("reset").small())
            .on_hover_text(format!("Back to the default, {}", p.default))
            .clicked()
        {
            out.push(Intent::SetParam {
                index: row.index,
                value: p.default,
            });
        }
        let mut v = row.value;
        // `Never`: the number field takes any value; the slider itself still stays
        // within its range and shows its end for a value beyond it.
        let slider = Slider::new(&mut v, p.range.min..=p.range.max)
            .logarithmic(p.range.log && p.range.min > 0.0)
            .clamping(SliderClamping::Never)
            .text(param_label(&p.name, &p.unit));
        let mut tip = p.description.clone();
        if row.stimulated {
            tip.push_str("\nA stimulus adds to this value.");
        }
        tip.push_str(&format!(
            "\nDefault {}; slider range {} .. {}. Click the number to type any finite value, \
             also outside the range.",
            p.default, p.range.min, p.range.max
        ));
        let response = ui.add(slider).on_hover_text(tip);
        if response.changed() && v.to_bits() != row.value.to_bits() {
            if v.is_finite() {
                out.push(Intent::SetParam {
                    index: row.index,
                    value: v,
                });
            } else {
                refused = Some(format!(
                    "{}: {v} is not a finite number; kept {}",
                    p.name, row.value
                ));
            }
        }
        if out_of_range(p, row.value) {
            ui.colored_label(ui.visuals().warn_fg_color, "out of range")
                .on_hover_text(format!(
                    "{} is outside the slider's range {} .. {}; the slider shows its end.",
                    row.value, p.range.min, p.range.max
                ));
        }
        response
    });
    (refused, inner.inner)
}

/// The slider width that leaves room in the row for the reset button, the number
/// field, the longest label of `rows` and (when a value is out of range) its mark,
/// but at least [`MIN_SLIDER_WIDTH`] (the panel scrolls sideways rather than shrink
/// a slider further).
pub fn slider_width_for(ui: &egui::Ui, rows: &[ParamRow<'_>]) -> f32 {
    let width_of = |text: &str, style: egui::TextStyle| {
        let font = style.resolve(ui.style());
        ui.painter()
            .layout_no_wrap(text.to_owned(), font, egui::Color32::WHITE)
            .size()
            .x
    };
    let label_w = rows
        .iter()
        .map(|r| {
            width_of(
                &param_label(&r.desc.name, &r.desc.unit),
                egui::TextStyle::Body,
            )
        })
        .fold(0.0_f32, f32::max);
    let pad = 2.0 * ui.spacing().button_padding.x;
    let reset_w = width_of("reset", egui::TextStyle::Small) + pad;
    let value_w =
        width_of("-0.00000", egui::TextStyle::Monospace).max(ui.spacing().interact_size.x) + pad;
    let mark_w = if rows.iter().any(|r| out_of_range(r.desc, r.value)) {
        width_of("out of range", egui::TextStyle::Body)
    } else {
        0.0
    };
    let gaps = 5.0 * ui.spacing().item_spacing.x;
    (ui.available_width() - label_w - reset_w - value_w - mark_w - gaps).max(MIN_SLIDER_WIDTH)
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
        self.search_row_ui(ui, model, values, out);
        if let Some(msg) = &self.refused {
            ui.colored_label(ui.visuals().error_fg_color, msg);
        }
        let needle = self.search.to_lowercase();
        let rows: Vec<ParamRow<'_>> = model
            .desc
            .parameters
            .iter()
            .zip(values)
            .enumerate()
            .filter(|(_, (p, _))| {
                needle.is_empty()
                    || p.name.to_lowercase().contains(&needle)
                    || p.description.to_lowercase().contains(&needle)
            })
            .map(|(index, (p, &value))| ParamRow {
                desc: p,
                index,
                value,
                stimulated: stimulated.get(index).copied().unwrap_or(false),
            })
            .collect();
        ui.spacing_mut().slider_width = slider_width_for(ui, &rows);
        for row in &rows {
            if self.hidden.get(row.index).copied().unwrap_or(false) {
                continue;
            }
            let locked = self.locked.get(row.index).copied().unwrap_or(false);
            let before = out.len();
            let (refused, slider) = ui
                .add_enabled_ui(!locked, |ui| param_row_ui(ui, row, out))
                .inner;
            if let Some(msg) = refused {
                self.refused = Some(msg);
            } else if out.len() > before {
                self.refused = None;
            }
            self.find_ui(ui, &row.desc.name, &slider);
        }
    }

    /// Scrolls to and focuses the slider a click in the Equations view asked for,
    /// and outlines it for a few seconds.
    fn find_ui(&mut self, ui: &egui::Ui, name: &str, slider: &egui::Response) {
        let now_s = ui.input(|i| i.time);
        if self.focus.as_deref() == Some(name) {
            slider.scroll_to_me(Some(egui::Align::Center));
            slider.request_focus();
            self.focus = None;
            self.highlight = Some((name.to_owned(), now_s + 3.0));
        }
        if let Some((found, until_s)) = &self.highlight
            && found == name
            && now_s < *until_s
        {
            let stroke = egui::Stroke::new(2.0, ui.visuals().hyperlink_color);
            let rect = slider.rect.expand(3.0);
            ui.painter()
                .rect_stroke(rect, 3.0, stroke, egui::StrokeKind::Outside);
            ui.ctx()
                .request_repaint_after_secs((*until_s - now_s) as f32);
        }
    }

    fn search_row_ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &CompiledModel,
        values: &[f64],
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
    }
}
