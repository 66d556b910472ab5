//! The stimulus editor (waveforms added to a parameter, by default the model's drive)
//! and the AMPA/GABA kick buttons for models with synaptic conductances. The
//! waveform kinds and their fields' widgets come from the one table of
//! `sim::waveform_fields`.

use super::Intent;
use crate::model::CompiledModel;
use crate::sim::stimulus::{Stimulus, Waveform};
use crate::sim::waveform_fields::{TARGET_UNIT, WAVEFORMS};

#[derive(Debug)]
pub struct StimulusPanel {
    /// The stimuli being edited; sent when valid.
    pub draft: Vec<Stimulus>,
    pub error: Option<String>,
    pub ampa_kick: f64,
    pub gaba_kick: f64,
}

impl Default for StimulusPanel {
    fn default() -> Self {
        Self {
            draft: Vec::new(),
            error: None,
            ampa_kick: 1.0,
            gaba_kick: 1.0,
        }
    }
}

impl StimulusPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, model: &CompiledModel, out: &mut Vec<Intent>) {
        let mut changed = false;
        let mut remove = None;
        for (k, s) in self.draft.iter_mut().enumerate() {
            ui.push_id(("stimulus", k), |ui| {
                ui.horizontal(|ui| {
                    egui::ComboBox::from_id_salt("target")
                        .selected_text(&s.target)
                        .width(90.0)
                        .show_ui(ui, |ui| {
                            for p in &model.desc.parameters {
                                changed |= ui
                                    .selectable_value(&mut s.target, p.name.clone(), &p.name)
                                    .changed();
                            }
                        })
                        .response
                        .accessible_name("stimulus target");
                    let kind = s.waveform.kind_index();
                    let mut new_kind = kind;
                    egui::ComboBox::from_id_salt("kind")
                        .selected_text(WAVEFORMS[kind].label)
                        .width(80.0)
                        .show_ui(ui, |ui| {
                            for (i, k) in WAVEFORMS.iter().enumerate() {
                                ui.selectable_value(&mut new_kind, i, k.label);
                            }
                        })
                        .response
                        .accessible_name("waveform");
                    if new_kind != kind {
                        let scale = model.param_index(&s.target).map_or(1.0, |i| {
                            let r = &model.desc.parameters[i].range;
                            ((r.max - r.min) / 10.0).abs().max(1e-3)
                        });
                        s.waveform = Waveform::new_of_kind(new_kind, scale);
                        changed = true;
                    }
                    if ui
                        .small_button("remove")
                        .on_hover_text("Remove this stimulus")
                        .clicked()
                    {
                        remove = Some(k);
                    }
                });
                let unit = model
                    .param_index(&s.target)
                    .map_or("", |i| model.desc.parameters[i].unit.as_str());
                changed |= waveform_ui(ui, &mut s.waveform, unit);
            });
            ui.separator();
        }
        if let Some(k) = remove {
            self.draft.remove(k);
            changed = true;
        }
        let target = model.drive_param().or(if model.desc.parameters.is_empty() {
            None
        } else {
            Some(0)
        });
        if let Some(t) = target
            && ui.button("Add stimulus").clicked()
        {
            let p = &model.desc.parameters[t];
            let scale = ((p.range.max - p.range.min) / 10.0).abs().max(1e-3);
            self.draft.push(Stimulus {
                target: p.name.clone(),
                waveform: Waveform::new_of_kind(STEP, scale),
            });
            changed = true;
        }
        if changed {
            self.error = self.draft.iter().find_map(|s| s.validate().err());
            if self.error.is_none() {
                out.push(Intent::SetStimuli(self.draft.clone()));
            }
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        self.kicks_ui(ui, model, out);
    }

    fn kicks_ui(&mut self, ui: &mut egui::Ui, model: &CompiledModel, out: &mut Vec<Intent>) {
        for (name, label, amount) in [
            ("g_ampa", "AMPA kick", &mut self.ampa_kick),
            ("g_gaba", "GABA kick", &mut self.gaba_kick),
        ] {
            let Some(var) = model.var_index(name) else {
                continue;
            };
            ui.horizontal(|ui| {
                if ui
                    .button(label)
                    .on_hover_text(format!("Add the amount to {name} now"))
                    .clicked()
                {
                    out.push(Intent::Kick {
                        var,
                        delta: *amount,
                    });
                }
                ui.add(
                    egui::DragValue::new(amount)
                        .speed(0.01)
                        .range(0.0..=f64::MAX),
                );
                ui.weak(&model.vars[var].unit);
            });
        }
    }
}

/// The kind a new stimulus starts as (index into `WAVEFORMS`).
const STEP: usize = 1;

/// The waveform's numbers, one drag value per field of its kind, labelled with the
/// field's unit (`target_unit` for amplitudes); returns whether one changed.
fn waveform_ui(ui: &mut egui::Ui, w: &mut Waveform, target_unit: &str) -> bool {
    let kind = w.kind_index();
    let mut values = w.values();
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        for (field, value) in WAVEFORMS[kind].fields.iter().zip(values.iter_mut()) {
            let unit = if field.unit == TARGET_UNIT {
                target_unit
            } else {
                field.unit
            };
            let text = if unit.is_empty() || unit == "1" {
                field.label.to_owned()
            } else {
                format!("{} [{unit}]", field.label)
            };
            let label = ui.label(text);
            // An unset optional shows as ∞: a step that never ends, pulses without
            // a count.
            let mut v = value.unwrap_or(f64::INFINITY);
            let drag = if field.integer {
                egui::DragValue::new(&mut v).speed(1.0).fixed_decimals(0)
            } else {
                egui::DragValue::new(&mut v).speed(0.1)
            };
            if ui.add(drag).labelled_by(label.id).changed() {
                *value = Some(v).filter(|v| !field.optional || v.is_finite());
                changed = true;
            }
        }
    });
    if changed {
        *w = Waveform::from_values(kind, &values);
    }
    changed
}
