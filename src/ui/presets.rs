//! The browser of the shipped `presets/` folder and the recent-files list.

use std::path::{Path, PathBuf};

use super::Intent;

/// Recent files kept.
pub const MAX_RECENT: usize = 10;

pub use crate::io::preset_dir::{list_presets, presets_dir};

/// Moves `path` to the front of `recent`, bounded.
pub fn remember(recent: &mut Vec<PathBuf>, path: &Path) {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    recent.retain(|p| *p != path);
    recent.insert(0, path);
    recent.truncate(MAX_RECENT);
}

/// The presets folder's listing, as the app read it ([`Intent::ScanPresets`]).
#[derive(Debug, Default)]
pub struct PresetBrowser {
    pub files: Vec<PathBuf>,
    pub dir: Option<PathBuf>,
    scanned: bool,
}

impl PresetBrowser {
    /// The app's listing of the presets folder.
    pub fn set_listing(&mut self, dir: Option<PathBuf>, files: Vec<PathBuf>) {
        self.dir = dir;
        self.files = files;
        self.scanned = true;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Intent>) {
        if !self.scanned || ui.small_button("rescan").clicked() {
            // Asked once until the listing arrives.
            self.scanned = true;
            out.push(Intent::ScanPresets);
        }
        let Some(dir) = &self.dir else {
            ui.weak("No presets/ folder found next to the program or the working directory.");
            return;
        };
        if self.files.is_empty() {
            ui.weak(format!("{} has no .ron presets.", dir.display()));
        }
        for path in &self.files {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if ui
                .selectable_label(false, name)
                .on_hover_text(path.display().to_string())
                .clicked()
            {
                out.push(Intent::Open(path.clone()));
            }
        }
        ui.weak("Tip: drop a .ron file onto the window to open it.");
    }
}
