//! File dialogs: the system's (rfd) when it works, else the in-app one, with a toast
//! saying why. rfd returns `None` both for "cancelled" and for "no dialog available"
//! (no desktop portal, no zenity) and only logs the latter; the logger's record of
//! that error tells the two apart. After one failure the app stays with the in-app
//! dialog for the session.

use std::path::PathBuf;

use super::App;
use super::logger;
use crate::ui::file_dialog::{DialogOutcome, InAppDialog, PathUse};
use crate::ui::{Intent, PresetTarget};

impl App {
    /// Uses the in-app file dialog from now on, as after a failed system dialog
    /// (tests that are about what a chosen file does, not about the fallback).
    pub fn use_in_app_dialogs(&mut self) {
        self.native_dialog_failed = true;
    }

    /// Starts every file dialog in `dir` (tests: nothing a click saves lands in the
    /// working copy).
    pub fn start_dialogs_in(&mut self, dir: PathBuf) {
        self.dialog_folder = Some(dir);
    }

    /// Asks for a path for `purpose`, starting in `folder` with `file_name`.
    pub(super) fn pick_path(
        &mut self,
        purpose: PathUse,
        folder: Option<PathBuf>,
        file_name: String,
    ) {
        let folder = self.dialog_folder.clone().or(folder);
        if !self.native_dialog_failed {
            logger::init();
            let ext = purpose.extension();
            let mut dialog = rfd::FileDialog::new().set_title(purpose.title());
            if !ext.is_empty() {
                dialog = dialog.add_filter(ext, &[ext]);
            }
            if let Some(dir) = &folder {
                dialog = dialog.set_directory(dir);
            }
            let (picked, failure) = logger::with_dialog(|| {
                if purpose.picks_folder() {
                    dialog.pick_folder()
                } else if purpose.saves() {
                    dialog.set_file_name(&file_name).save_file()
                } else {
                    dialog.pick_file()
                }
            });
            if let Some(path) = picked {
                return self.use_path(purpose, path);
            }
            let Some(reason) = failure else {
                return; // Cancelled by the user.
            };
            self.native_dialog_failed = true;
            self.toasts.info(format!(
                "The system file dialog is unavailable ({reason}); using the built-in one. Installing xdg-desktop-portal or zenity brings the system dialog back."
            ));
        }
        let start = folder
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let name = if purpose.saves() {
            file_name
        } else {
            String::new()
        };
        self.file_dialog = Some(InAppDialog::new(purpose, start, name));
    }

    /// Acts on a chosen path.
    fn use_path(&mut self, purpose: PathUse, path: PathBuf) {
        match purpose {
            PathUse::OpenPreset => self.apply(Intent::Open(path)),
            PathUse::OpenModel => self.apply(Intent::OpenModel(path)),
            PathUse::SavePreset => self.apply(Intent::Save(path)),
            PathUse::SaveSession => self.apply(Intent::SaveSession(path)),
            PathUse::Export(scope) => self.apply(Intent::Export(path, scope)),
            PathUse::Png => self.request_png(path),
            PathUse::Table(text) => self.apply(Intent::WriteTable { path, text }),
            PathUse::Preset(PresetTarget::CompareReference) => {
                if self.compare.choose_reference(path) && self.live_reference {
                    // The running reference follows the new choice.
                    self.apply(Intent::SetLiveReference(true));
                }
            }
            PathUse::Preset(PresetTarget::FiOverlay) => {
                if let Some(request) = self.fi.overlay_request(&path) {
                    self.start_job(request);
                }
            }
            PathUse::ImportPython => {
                let folder = path.parent().map(ToOwned::to_owned);
                self.pick_path(PathUse::ImportFolder(path), folder, String::new());
            }
            PathUse::ImportFolder(file) => self.import_python(&file, &path),
            PathUse::AnnarchyFolder => self.export_annarchy(&path),
            PathUse::OpenLesson => self.apply(Intent::OpenLesson(path.display().to_string())),
            PathUse::RecordedReference => self.apply(Intent::UseRecordedReference(path)),
        }
    }

    /// Draws the in-app dialog while one is open.
    pub(super) fn file_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.file_dialog else {
            return;
        };
        match dialog.ui(ctx) {
            Some(DialogOutcome::Picked(path)) => {
                let purpose = dialog.purpose.clone();
                self.file_dialog = None;
                self.use_path(purpose, path);
            }
            Some(DialogOutcome::Cancelled) => self.file_dialog = None,
            None => {}
        }
    }
}
