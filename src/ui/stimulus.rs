//! The stimulus editor (waveforms added to a parameter, usually `I_app`) and the
//! AMPA/GABA kick buttons for models with synaptic conductances.

use super::Intent;
use crate::io::stimulus::{Stimulus, Waveform};
use crate::model::CompiledModel;

const KINDS: [&str; 6] = ["constant", "step", "pulses", "ramp", "sine", "noise"];

fn kind_of(w: &Waveform) -> usize {
    match w {
        Waveform::Constant { .. } => 0,
        Waveform::Step { .. } => 1,
        Waveform::Pulses { .. } => 2,
        Waveform::Ramp { .. } => 3,
        Waveform::Sine { .. } => 4,
        Waveform::Noise { .. } => 5,
    }
}

/// A waveform of kind `k` with sensible numbers at `scale` (the target's range).
fn new_waveform(k: usize, scale: f64) -> Waveform {
    match k {
        0 => Waveform::Constant { value: scale },
        1 => Waveform::Step {
            start_ms: 100.0,
            end_ms: Some(600.0),
            amplitude: scale,
        },
        2 => Waveform::Pulses {
            start_ms: 100.0,
            width_ms: 5.0,
            period_ms: 50.0,
            amplitude: scale,
            count: None,
        },
        3 => Waveform::Ramp {
            start_ms: 0.0,
            end_ms: 1000.0,
            from: 0.0,
            to: scale,
        },
        4 => Waveform::Sine {
            amplitude: scale,
            frequency_hz: 5.0,
            phase_deg: 0.0,
            offset: 0.0,
        },
        _ => Waveform::Noise {
            mean: 0.0,
            sigma: scale,
            tau_ms: 5.0,
        },
    }
}

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
                    let kind = kind_of(&s.waveform);
                    let mut new_kind = kind;
                    egui::ComboBox::from_id_salt("kind")
                        .selected_text(KINDS[kind])
                        .width(80.0)
                        .show_ui(ui, |ui| {
                            for (i, name) in KINDS.iter().enumerate() {
                                ui.selectable_value(&mut new_kind, i, *name);
                            }
                        })
                        .response
                        .accessible_name("waveform");
                    if new_kind != kind {
                        let scale = model.param_index(&s.target).map_or(1.0, |i| {
                            let r = &model.desc.parameters[i].range;
                            ((r.max - r.min) / 10.0).abs().max(1e-3)
                        });
                        s.waveform = new_waveform(new_kind, scale);
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
                changed |= waveform_ui(ui, &mut s.waveform);
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
                waveform: new_waveform(1, scale),
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

/// The waveform's numbers; returns whether one changed.
fn waveform_ui(ui: &mut egui::Ui, w: &mut Waveform) -> bool {
    let mut changed = false;
    let mut num = |ui: &mut egui::Ui, label: &str, v: &mut f64| {
        ui.label(label);
        changed |= ui.add(egui::DragValue::new(v).speed(0.1)).changed();
    };
    ui.horizontal_wrapped(|ui| match w {
        Waveform::Constant { value } => num(ui, "value", value),
        Waveform::Step {
            start_ms,
            end_ms,
            amplitude,
        } => {
            num(ui, "from [ms]", start_ms);
            let mut end = end_ms.unwrap_or(f64::INFINITY);
            num(ui, "to [ms]", &mut end);
            *end_ms = end.is_finite().then_some(end);
            num(ui, "amplitude", amplitude);
        }
        Waveform::Pulses {
            start_ms,
            width_ms,
            period_ms,
            amplitude,
            ..
        } => {
            num(ui, "start [ms]", start_ms);
            num(ui, "width [ms]", width_ms);
            num(ui, "period [ms]", period_ms);
            num(ui, "amplitude", amplitude);
        }
        Waveform::Ramp {
            start_ms,
            end_ms,
            from,
            to,
        } => {
            num(ui, "from [ms]", start_ms);
            num(ui, "to [ms]", end_ms);
            num(ui, "start value", from);
            num(ui, "end value", to);
        }
        Waveform::Sine {
            amplitude,
            frequency_hz,
            phase_deg,
            offset,
        } => {
            num(ui, "amplitude", amplitude);
            num(ui, "f [Hz]", frequency_hz);
            num(ui, "phase [°]", phase_deg);
            num(ui, "offset", offset);
        }
        Waveform::Noise {
            mean,
            sigma,
            tau_ms,
        } => {
            num(ui, "mean", mean);
            num(ui, "σ", sigma);
            num(ui, "τ [ms]", tau_ms);
        }
    });
    changed
}
