//! The model picker: built-in models grouped by family, with the chosen model's
//! name, description and citation.

use super::Intent;
use crate::model::CompiledModel;
use crate::model::builtin::{all_builtins, builtin_ids};

/// (family, [(id, name)]) in library order.
fn families() -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let Ok(models) = all_builtins() else {
        // A broken built-in is reported when chosen; list the ids alone.
        return vec![(
            "Models".into(),
            builtin_ids()
                .map(|id| (id.to_owned(), id.to_owned()))
                .collect(),
        )];
    };
    for m in models {
        let entry = (m.id().to_owned(), m.desc.name.clone());
        match out.iter_mut().find(|(f, _)| *f == m.desc.family) {
            Some((_, list)) => list.push(entry),
            None => out.push((m.desc.family.clone(), vec![entry])),
        }
    }
    out
}

pub fn model_picker_ui(ui: &mut egui::Ui, model: &CompiledModel, out: &mut Vec<Intent>) {
    ui.horizontal(|ui| {
        ui.label("Model");
        egui::ComboBox::from_id_salt("model-picker")
            .selected_text(model.id())
            .width(ui.available_width() - 8.0)
            .height(600.0)
            .show_ui(ui, |ui| {
                for (family, models) in families() {
                    ui.label(egui::RichText::new(family).strong());
                    for (id, name) in models {
                        let selected = id == model.id();
                        if ui
                            .selectable_label(selected, &id)
                            .on_hover_text(&name)
                            .clicked()
                            && !selected
                        {
                            out.push(Intent::SelectModel(id));
                        }
                    }
                    ui.separator();
                }
            })
            .response
            .accessible_name("Model");
    });
    ui.label(egui::RichText::new(&model.desc.name).strong());
    egui::CollapsingHeader::new("About this model")
        .id_salt("about-model")
        .show(ui, |ui| {
            ui.label(&model.desc.description);
            ui.add_space(4.0);
            ui.label(egui::RichText::new(&model.desc.citation).small().weak());
        });
}
