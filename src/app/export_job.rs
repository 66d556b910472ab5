//! The app's CSV export and session save: both ask the worker for the session (the
//! run as it started plus its change log) and then, for an export, replay it on a
//! background thread with progress and cancel, so the window never blocks.

use std::path::PathBuf;
use std::sync::Arc;

use super::App;
use super::export_file::{CsvExport, ExportError, replay_csv};
use super::jobs::JobEvent;
use crate::analysis::SweepError;
use crate::sim::worker::{Command, SessionReply};
use crate::ui::ExportScope;
use crate::ui::job::{JobKind, JobRequest, JobValue, take};

/// What a requested session description is for.
#[derive(Debug, Clone)]
pub(super) enum SessionUse {
    Export(PathBuf, ExportScope),
    SavePreset(PathBuf),
    /// Kept by the autosave: the recording so far, replayable after a crash.
    Autosave,
}

/// The CSV export the job registry runs, as the status window shows it.
pub struct ExportStatus {
    pub path: PathBuf,
    /// Steps to replay in all.
    pub total_steps: u64,
    /// Fraction done, 0..=1.
    pub progress: f32,
}

impl App {
    /// Asks the worker for the session; the reply is used as `purpose` says.
    pub(super) fn request_session(&mut self, purpose: SessionUse) {
        if matches!(purpose, SessionUse::Export(..)) && self.export.is_some() {
            return self
                .toasts
                .error("an export is still running; wait for it or cancel it");
        }
        self.next_session_id += 1;
        let id = self.next_session_id;
        self.pending_sessions.push((id, purpose));
        self.send(Command::DescribeSession(id));
    }

    /// The worker described the session: export it or save it as a preset.
    pub(super) fn on_session(&mut self, reply: SessionReply) {
        let Some(k) = self
            .pending_sessions
            .iter()
            .position(|(id, _)| *id == reply.id)
        else {
            return;
        };
        let (_, purpose) = self.pending_sessions.remove(k);
        if !reply.complete && !matches!(purpose, SessionUse::Autosave) {
            self.toasts.error(
                "more changes than the session log keeps were made in this run; \
                 reset (R) to start a run that can be replayed exactly",
            );
        }
        match purpose {
            SessionUse::SavePreset(path) => self.write_preset(&path, &reply.run.to_preset_ron()),
            SessionUse::Export(path, scope) => self.start_export(path, scope, reply),
            SessionUse::Autosave => self.on_autosave_session(&reply),
        }
    }

    fn start_export(&mut self, path: PathBuf, scope: ExportScope, reply: SessionReply) {
        let Some(recorded) = &self.recorded else {
            return self.toasts.error("nothing is running yet");
        };
        let model = Arc::clone(&recorded.model);
        let n_vars = model.vars.len();
        let vars: Vec<usize> = (0..n_vars)
            .filter(|&i| {
                !scope.visible_variables
                    || self.plots.assignment.get(i).is_some_and(Option::is_some)
            })
            .collect();
        let dt_ms = recorded.dt_ms;
        let rows = match (scope.visible_window, self.plots.visible_ms) {
            (true, Some((t0, t1))) => {
                let first = (t0 / dt_ms).ceil().max(0.0) as u64;
                let last = ((t1 / dt_ms).floor().max(0.0) as u64).min(reply.steps);
                first.min(last)..=last
            }
            _ => 0..=reply.steps,
        };
        let export = CsvExport {
            path,
            run: reply.run,
            vars,
            rows,
            model_file: self
                .own_model_file
                .as_deref()
                .map(|p| p.display().to_string()),
        };
        let path = export.path.clone();
        let total_steps = *export.rows.end();
        // Cancel still ends through the replay, which says no file was written.
        let request = JobRequest::new(JobKind::Export, total_steps, move |input| {
            Ok(replay_csv(
                &export,
                &input.control.done,
                &input.control.cancel,
            ))
        })
        .finishing_on_cancel();
        self.export = Some(ExportStatus {
            path,
            total_steps,
            progress: 0.0,
        });
        self.start_job(request);
    }

    /// The job registry's news of the export.
    pub(super) fn on_export_progress(&mut self, progress: Option<f32>) {
        if let (Some(status), Some(p)) = (&mut self.export, progress) {
            status.progress = p;
        }
    }

    /// Reports the finished export; returns its rows or its error text.
    pub(super) fn on_export_done(
        &mut self,
        result: Result<JobValue, SweepError>,
    ) -> Option<Result<u64, String>> {
        let status = self.export.take()?;
        let result = match result.map(take::<Result<u64, ExportError>>) {
            Ok(Some(r)) => r,
            Ok(None) => Err(ExportError::Replay("the export produced nothing".into())),
            Err(e) => Err(ExportError::Replay(e.to_string())),
        };
        self.report_export(&status.path, &result);
        Some(result.map_err(|e| e.to_string()))
    }

    fn report_export(&mut self, path: &std::path::Path, result: &Result<u64, ExportError>) {
        match result {
            Ok(n) => self.toasts.info(format!(
                "Exported {n} rows to {} (+ sidecar {})",
                path.display(),
                crate::io::csv::sidecar_path(path).display()
            )),
            Err(ExportError::Cancelled) => {
                self.toasts.info("Export cancelled; no file was written")
            }
            Err(e) => self
                .toasts
                .error(format!("export to {}: {e}", path.display())),
        }
    }

    /// The running export, if any (status window, tests).
    pub fn export_status(&self) -> Option<&ExportStatus> {
        self.export.as_ref()
    }

    /// Waits for the running export and reports it as a frame would (tests and
    /// scripted use only); returns its rows or its error text.
    pub fn finish_export(&mut self) -> Option<Result<u64, String>> {
        let events = self
            .jobs
            .wait(&JobKind::Export, std::time::Duration::from_secs(600))?;
        let mut outcome = None;
        for event in events {
            match event {
                JobEvent::Done(JobKind::Export, r) => outcome = self.on_export_done(r),
                other => self.deliver(vec![other]),
            }
        }
        outcome
    }
}
