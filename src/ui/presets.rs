//! The browser of the shipped `presets/` folder and the recent-files list.

use std::path::{Path, PathBuf};

use super::Intent;

/// Recent files kept.
pub const MAX_RECENT: usize = 10;

/// The shipped presets folder: next to the working directory, or next to the
/// executable (also when it runs from `target/release`).
pub fn presets_dir() -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("presets")];
    if let Ok(exe) = std::env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(4) {
            candidates.push(ancestor.join("presets"));
        }
    }
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("presets"));
    candidates.into_iter().find(|p| p.is_dir())
}

/// `*.ron` files in `dir`, sorted by name.
pub fn list_presets(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

/// Moves `path` to the front of `recent`, bounded.
pub fn remember(recent: &mut Vec<PathBuf>, path: &Path) {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    recent.retain(|p| *p != path);
    recent.insert(0, path);
    recent.truncate(MAX_RECENT);
}

#[derive(Debug, Default)]
pub struct PresetBrowser {
    files: Vec<PathBuf>,
    dir: Option<PathBuf>,
    scanned: bool,
}

impl PresetBrowser {
    pub fn ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Intent>) {
        if !self.scanned || ui.small_button("rescan").clicked() {
            self.dir = presets_dir();
            self.files = self.dir.as_deref().map(list_presets).unwrap_or_default();
            self.scanned = true;
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
