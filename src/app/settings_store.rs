//! The UI settings on disk: `settings.ron` in the app's storage folder, written
//! atomically (temporary file, flush, rename) so a crash or a full disk mid-write
//! never leaves a truncated file. eframe's own `app.ron` is written in place, so the
//! app does not use it: eframe persistence (window geometry, egui memory) is off,
//! and the window size and zoom live in [`Settings`] instead.

use std::path::{Path, PathBuf};

use super::Settings;
use crate::io::atomic::write_atomic;

/// The settings file's name in the storage folder.
const FILE_NAME: &str = "settings.ron";
/// A settings file larger than this is not ours (settings are a few kB).
const MAX_SETTINGS_BYTES: usize = 1 << 20;

/// Where the settings of this user live (`~/.local/share/neuron-explorer/` on Linux).
pub fn settings_path() -> Option<PathBuf> {
    eframe::storage_dir("neuron-explorer").map(|dir| dir.join(FILE_NAME))
}

/// The saved settings, or why they could not be read (the caller starts with
/// defaults and says so; the unreadable file is left for the user to inspect until
/// the next save replaces it).
pub fn load(path: &Path) -> Result<Option<Settings>, String> {
    let bytes = match crate::io::read::read_limited(path, MAX_SETTINGS_BYTES) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: cannot read the settings: {e}", path.display())),
    };
    let text = String::from_utf8_lossy(&bytes);
    ron::from_str(&text).map(Some).map_err(|e| {
        format!(
            "{}:{}: the settings cannot be read ({}); starting with the defaults",
            path.display(),
            e.position.line,
            e.code
        )
    })
}

/// Writes `settings` atomically; the old file survives any failure.
pub fn save(path: &Path, settings: &Settings) -> Result<(), String> {
    let text = ron::ser::to_string_pretty(settings, ron::ser::PrettyConfig::default())
        .map_err(|e| format!("cannot encode the settings: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomic(path, text.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_a_missing_file_is_no_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(FILE_NAME);
        assert!(matches!(load(&path), Ok(None)));
        let settings = Settings {
            speed: 0.25,
            window_ms: 321.0,
            ..Settings::default()
        };
        save(&path, &settings).unwrap();
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back.speed, 0.25);
        assert_eq!(back.window_ms, 321.0);
    }

    #[test]
    fn a_damaged_file_is_reported_with_its_line_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "(\n speed: 2.0,\n window_ms: [oops").unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.contains(&format!("{}:3:", path.display())), "{err}");
        assert!(
            path.exists(),
            "the damaged file stays for the user to inspect"
        );
    }

    #[test]
    fn a_failed_save_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        save(&path, &Settings::default()).unwrap();
        let before = std::fs::read(&path).unwrap();
        // A folder where the temporary file would go cannot be written: make the
        // target a path whose parent is a file.
        let blocked = path.join("inside-a-file.ron");
        assert!(save(&blocked, &Settings::default()).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
