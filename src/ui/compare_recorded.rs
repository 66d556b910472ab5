//! The Compare tab against a recorded trace (chosen with *Recorded CSV…*; the app
//! reads and parses the file and hands it over): the loss table of the current
//! setup against the recording and the two traces, computed in the background.
//! Fits then run against the same recording (the spec's reference names it, so
//! results are keyed to it).

use super::ComparePanel;
use crate::analysis::background_threads;
use crate::analysis::fitspec::Reference;
use crate::analysis::trace_import::compare_recorded;
use crate::analysis::trace_ref::RecordedReference;
use crate::sim::run::RunSpec;
use crate::ui::job::{JobKind, JobRequest};

impl ComparePanel {
    /// Makes the recording the reference (the preset reference's results are
    /// dropped; *Choose…* goes back to a preset).
    pub fn use_recorded(&mut self, rec: RecordedReference) {
        let specs = rec.recordings.iter().map(|r| r.spec.clone()).collect();
        self.fit.spec.reference = Some(Reference::Recorded(specs));
        self.fit.recorded = Some(rec.clone());
        self.recorded = Some(rec);
        self.reference = None;
        self.candidate = None;
        self.table = None;
        self.traces = None;
        self.iv = None;
        self.key = None;
    }

    /// Back to a preset reference.
    pub(super) fn drop_recorded(&mut self) {
        if self.recorded.take().is_some() {
            self.fit.recorded = None;
            self.fit.spec.reference = None;
        }
    }

    /// The comparison of the current setup with the recording, for the app's
    /// job registry (the same kind as a preset comparison: one replaces the other).
    pub(super) fn start_recorded(&mut self, setup: &RunSpec) -> Option<JobRequest> {
        let rec = self.recorded.clone()?;
        let candidate = match setup.resolve() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e.to_string());
                return None;
            }
        };
        let spec = self.fit.spec.clone();
        self.running = true;
        Some(JobRequest::new(JobKind::Compare, 1, move |input| {
            compare_recorded(&rec, &candidate, &spec, background_threads(), input.control)
        }))
    }

    pub(super) fn apply_recorded(&mut self, (table, recorded, cand): super::RecordedComparison) {
        self.table = Some(table);
        self.traces = Some((recorded, cand));
        self.warning = None;
    }
}
