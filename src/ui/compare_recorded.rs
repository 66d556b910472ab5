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
use crate::ui::sweep_job::{Poll, SweepJob};

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

    pub(super) fn start_recorded(&mut self, setup: &RunSpec, ctx: Option<egui::Context>) {
        let Some(rec) = self.recorded.clone() else {
            return;
        };
        let candidate = match setup.resolve() {
            Ok(r) => r,
            Err(e) => return self.error = Some(e.to_string()),
        };
        let spec = self.fit.spec.clone();
        self.recorded_job = Some(SweepJob::spawn(1, ctx, move |c| {
            compare_recorded(&rec, &candidate, &spec, background_threads(), c)
        }));
    }

    pub(super) fn poll_recorded(&mut self, wait: bool) {
        let Some(job) = &self.recorded_job else {
            return;
        };
        let r = if wait {
            match self.recorded_job.take() {
                Some(job) => job.wait(),
                None => return,
            }
        } else {
            match job.poll() {
                Poll::Done(r) => {
                    self.recorded_job = None;
                    r
                }
                _ => return,
            }
        };
        match r {
            Ok((table, recorded, cand)) => {
                self.table = Some(table);
                self.traces = Some((recorded, cand));
                self.warning = None;
            }
            Err(crate::analysis::SweepError::Cancelled) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}
