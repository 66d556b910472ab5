//! A small stderr logger, so warnings of the libraries (rfd, wgpu, eframe) reach the
//! terminal instead of vanishing. `RUST_LOG=info` (or debug, trace, error, off) sets
//! the level; the default is `warn`.
//!
//! It also remembers the last error rfd logs: rfd reports an unavailable native
//! dialog (no desktop portal, no zenity) only to the logger and returns `None`, the
//! same as a cancelled dialog. The app asks [`with_dialog`] to tell the two
//! apart and falls back to its in-app dialog.

use std::sync::{Mutex, OnceLock};

struct StderrLogger {
    level: log::LevelFilter,
}

static DIALOG_FAILURE: Mutex<Option<String>> = Mutex::new(None);

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &log::Record) {
        let from_rfd = record.target().starts_with("rfd");
        if from_rfd
            && record.level() == log::Level::Error
            && let Ok(mut slot) = DIALOG_FAILURE.lock()
        {
            *slot = Some(record.args().to_string());
        }
        if self.enabled(record.metadata()) {
            eprintln!("[{} {}] {}", record.level(), record.target(), record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the logger once (later calls, and tests that race, are no-ops).
pub fn init() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(log::LevelFilter::Warn);
    static LOGGER: OnceLock<StderrLogger> = OnceLock::new();
    let logger = LOGGER.get_or_init(|| StderrLogger { level });
    if log::set_logger(logger).is_ok() {
        // rfd's errors are always captured; what is printed follows `level`.
        log::set_max_level(level.max(log::LevelFilter::Error));
    }
}

/// Runs a native dialog (`show`) and returns its answer with the error rfd logged
/// meanwhile, if any (why the dialog failed). Dialogs of one process take turns,
/// so one dialog's failure is never read by another (tests open them at once).
pub fn with_dialog<T>(show: impl FnOnce() -> T) -> (T, Option<String>) {
    static TURN: Mutex<()> = Mutex::new(());
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let take = || DIALOG_FAILURE.lock().ok().and_then(|mut s| s.take());
    let _ = take();
    let answer = show();
    (answer, take())
}
