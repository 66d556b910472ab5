//! Where the shipped presets live and which files they are.

use std::path::{Path, PathBuf};

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
