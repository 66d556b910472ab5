//! A recorded CSV trace as the Compare tab's reference: the app reads and parses
//! the file (the panel does no file I/O) and hands the parsed trace to the panel;
//! a bad file leaves the reference as it was and says why (file, line, column).

use std::path::Path;

use super::App;
use crate::analysis::trace_import;

impl App {
    pub(super) fn use_recorded_reference(&mut self, path: &Path) {
        // The current column is named as the drive of the spec, else of the model
        // being fitted (a recording has no model to ask).
        let drive = self.compare.fit.spec.drive_name(&self.setup.model);
        match trace_import::load(path, &drive) {
            Ok(rec) => {
                self.compare.use_recorded(rec);
                self.compare.error = None;
            }
            Err(e) => {
                let msg = format!("Cannot use this recording: {e}");
                self.compare.error = Some(msg.clone());
                self.toasts.error(msg);
            }
        }
    }
}
