//! Listing a folder for the in-app file dialog (the UI does no file I/O itself).

use std::path::Path;

/// The entries of `dir` a file dialog shows, at most `max`: sub-folders, then
/// files ending in `.ext` (none when `ext` is `None`, as when choosing a folder),
/// each sorted by name; hidden entries are left out. `(name, is_folder)`.
pub fn list_for_dialog(
    dir: &Path,
    ext: Option<&str>,
    max: usize,
) -> std::io::Result<Vec<(String, bool)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten().take(max) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.path().is_dir();
        let wanted = ext.is_some_and(|ext| Path::new(&name).extension().is_some_and(|e| e == ext));
        if !name.starts_with('.') && (is_dir || wanted) {
            entries.push((name, is_dir));
        }
    }
    entries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(entries)
}
