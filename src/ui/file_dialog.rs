//! The in-app file dialog: used when the system's dialog is unavailable (no desktop
//! portal and no zenity, where rfd returns nothing). A folder path, its entries
//! (folders first, then files with the wanted extension; at most `MAX_ENTRIES`), a
//! file name and Open/Save and Cancel. egui-file-dialog has no release for egui 0.37,
//! hence this small one.

use std::path::PathBuf;

use super::{ExportScope, PresetTarget};

/// Entries listed from one folder (a huge folder must not stall a frame).
const MAX_ENTRIES: usize = 2_000;

/// What a chosen path is for.
#[derive(Clone, Debug, PartialEq)]
pub enum PathUse {
    OpenPreset,
    OpenModel,
    SavePreset,
    /// The session (run plus its change log) as a preset.
    SaveSession,
    Export(ExportScope),
    Png,
    /// An analysis table: the CSV text to write at the chosen path.
    Table(String),
    /// A preset for a panel (Compare reference, f–I overlay).
    Preset(PresetTarget),
    /// File → Import from Python: the `.py` file…
    ImportPython,
    /// …then the folder for its `.neuron` files.
    ImportFolder(PathBuf),
    /// File → Export → ANNarchy script: the folder to write it in.
    AnnarchyFolder,
    /// A lesson file (docs/lessons.md).
    OpenLesson,
    /// A recorded CSV trace as the Compare tab's reference.
    RecordedReference,
}

impl PathUse {
    /// The file extension shown and (when saving) added.
    pub fn extension(&self) -> &'static str {
        match self {
            Self::OpenPreset | Self::SavePreset | Self::SaveSession | Self::Preset(_) => "ron",
            Self::OpenModel => "neuron",
            Self::Export(_) | Self::Table(_) | Self::RecordedReference => "csv",
            Self::Png => "png",
            Self::ImportPython => "py",
            Self::ImportFolder(_) | Self::AnnarchyFolder => "",
            Self::OpenLesson => "ron",
        }
    }

    /// Whether a folder (not a file) is asked for.
    pub fn picks_folder(&self) -> bool {
        matches!(self, Self::ImportFolder(_) | Self::AnnarchyFolder)
    }

    pub fn saves(&self) -> bool {
        matches!(
            self,
            Self::SavePreset | Self::SaveSession | Self::Export(_) | Self::Png | Self::Table(_)
        )
    }

    pub fn title(&self) -> &'static str {
        match self {
            Self::OpenPreset => "Open preset",
            Self::OpenModel => "Open model file",
            Self::SavePreset => "Save preset",
            Self::SaveSession => "Save session as preset",
            Self::Export(_) => "Export CSV",
            Self::Png => "Save PNG",
            Self::Table(_) => "Save table as CSV",
            Self::Preset(PresetTarget::CompareReference) => "Choose the reference preset",
            Self::Preset(PresetTarget::FiOverlay) => "Add a preset's f–I curve",
            Self::ImportPython => "Import from Python",
            Self::ImportFolder(_) => "Folder for the imported .neuron models",
            Self::AnnarchyFolder => "Folder for the ANNarchy script",
            Self::OpenLesson => "Open lesson",
            Self::RecordedReference => "Choose a recorded trace (CSV) as the reference",
        }
    }
}

/// What the dialog returned this frame.
#[derive(Debug, PartialEq)]
pub enum DialogOutcome {
    Picked(PathBuf),
    Cancelled,
}

pub struct InAppDialog {
    pub purpose: PathUse,
    folder: PathBuf,
    folder_text: String,
    file_name: String,
    entries: Vec<(String, bool)>,
    listing_error: Option<String>,
}

impl InAppDialog {
    pub fn new(purpose: PathUse, folder: PathBuf, file_name: String) -> Self {
        let mut d = Self {
            purpose,
            folder_text: folder.display().to_string(),
            folder,
            file_name,
            entries: Vec::new(),
            listing_error: None,
        };
        d.refresh();
        d
    }

    fn go_to(&mut self, folder: PathBuf) {
        self.folder_text = folder.display().to_string();
        self.folder = folder;
        self.refresh();
    }

    /// Reads the folder: sub-folders, then files with the purpose's extension.
    fn refresh(&mut self) {
        self.entries.clear();
        self.listing_error = None;
        let ext = (!self.purpose.picks_folder()).then(|| self.purpose.extension());
        match crate::io::folder::list_for_dialog(&self.folder, ext, MAX_ENTRIES) {
            Ok(entries) => self.entries = entries,
            Err(e) => self.listing_error = Some(format!("cannot list this folder: {e}")),
        }
    }

    /// The chosen path, with the extension added when saving without one (a folder
    /// dialog chooses the folder shown).
    fn chosen(&self) -> Option<PathBuf> {
        if self.purpose.picks_folder() {
            return Some(self.folder.clone());
        }
        let name = self.file_name.trim();
        if name.is_empty() {
            return None;
        }
        let mut path = self.folder.join(name);
        if self.purpose.saves() && path.extension().is_none() {
            path.set_extension(self.purpose.extension());
        }
        Some(path)
    }

    /// Draws the dialog as a window; returns what the user did this frame.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<DialogOutcome> {
        let mut outcome = None;
        let mut open = true;
        egui::Window::new(self.purpose.title())
            .collapsible(false)
            .resizable(true)
            .default_size([520.0, 420.0])
            .open(&mut open)
            .show(ctx, |ui| outcome = self.body_ui(ui));
        if !open {
            return Some(DialogOutcome::Cancelled);
        }
        outcome
    }

    fn body_ui(&mut self, ui: &mut egui::Ui) -> Option<DialogOutcome> {
        let mut outcome = None;
        ui.horizontal(|ui| {
            if ui.button("Up").clicked()
                && let Some(parent) = self.folder.parent()
            {
                self.go_to(parent.to_owned());
            }
            let label = ui.label("Folder:");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut self.folder_text)
                        .desired_width(f32::INFINITY)
                        .hint_text("Folder"),
                )
                .labelled_by(label.id);
            if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                self.go_to(PathBuf::from(self.folder_text.trim()));
            }
        });
        if let Some(e) = &self.listing_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let mut enter = None;
        egui::ScrollArea::vertical()
            .max_height(260.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for (name, is_dir) in &self.entries {
                    let label = if *is_dir {
                        format!("{name}/")
                    } else {
                        name.clone()
                    };
                    let selected = !is_dir && *name == self.file_name;
                    let r = ui.selectable_label(selected, label);
                    if r.clicked() {
                        enter = Some((name.clone(), *is_dir));
                    }
                    if r.double_clicked() && !is_dir {
                        outcome = Some(DialogOutcome::Picked(self.folder.join(name)));
                    }
                }
            });
        match enter {
            Some((name, true)) => self.go_to(self.folder.join(name)),
            Some((name, false)) => self.file_name = name,
            None => {}
        }
        if !self.purpose.picks_folder() {
            ui.horizontal(|ui| {
                let label = ui.label("File name:");
                ui.add(egui::TextEdit::singleline(&mut self.file_name).desired_width(280.0))
                    .labelled_by(label.id);
            });
        }
        ui.horizontal(|ui| {
            let verb = if self.purpose.picks_folder() {
                "Use this folder"
            } else if self.purpose.saves() {
                "Save"
            } else {
                "Open"
            };
            let chosen = self.chosen();
            if ui
                .add_enabled(chosen.is_some(), egui::Button::new(verb))
                .clicked()
                && let Some(path) = chosen
            {
                outcome = Some(DialogOutcome::Picked(path));
            }
            if ui.button("Cancel").clicked() {
                outcome = Some(DialogOutcome::Cancelled);
            }
        });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_folders_and_wanted_files_and_adds_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.ron"), "").unwrap();
        std::fs::write(dir.path().join("b.csv"), "").unwrap();
        let mut d = InAppDialog::new(PathUse::SavePreset, dir.path().into(), "new".into());
        assert_eq!(
            d.entries,
            vec![("sub".to_owned(), true), ("a.ron".to_owned(), false)]
        );
        assert_eq!(d.chosen(), Some(dir.path().join("new.ron")));
        d.file_name.clear();
        assert_eq!(d.chosen(), None);
    }

    #[test]
    fn a_folder_dialog_lists_folders_only_and_chooses_the_folder_shown() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::fs::write(dir.path().join("model.py"), "").unwrap();
        let d = InAppDialog::new(PathUse::AnnarchyFolder, dir.path().into(), String::new());
        assert_eq!(d.entries, vec![("out".to_owned(), true)]);
        assert_eq!(d.chosen(), Some(dir.path().to_owned()));
    }
}
