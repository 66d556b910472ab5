//! The app's CSV export and session save: both ask the worker for the session (the
//! run as it started plus its change log) and then, for an export, replay it on a
//! background thread with progress and cancel, so the window never blocks.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use super::App;
use crate::sim::worker::{Command, SessionReply};
use crate::ui::ExportScope;
use crate::ui::export::{CsvExport, ExportError, replay_csv};

/// What a requested session description is for.
#[derive(Debug, Clone)]
pub(super) enum SessionUse {
    Export(PathBuf, ExportScope),
    SavePreset(PathBuf),
    /// Kept by the autosave: the recording so far, replayable after a crash.
    Autosave,
}

/// A CSV export running in the background.
pub struct ExportJob {
    pub path: PathBuf,
    /// Steps to replay in all.
    pub total_steps: u64,
    steps_done: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<u64, ExportError>>>,
}

impl ExportJob {
    fn spawn(export: CsvExport) -> std::io::Result<Self> {
        let steps_done = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (done, stop) = (Arc::clone(&steps_done), Arc::clone(&cancel));
        let path = export.path.clone();
        let total_steps = *export.rows.end();
        let thread = std::thread::Builder::new()
            .name("csv-export".into())
            .spawn(move || replay_csv(&export, &done, &stop))?;
        Ok(Self {
            path,
            total_steps,
            steps_done,
            cancel,
            thread: Some(thread),
        })
    }

    /// Fraction done, 0..=1.
    pub fn progress(&self) -> f32 {
        let done = self.steps_done.load(Ordering::Relaxed);
        (done as f64 / self.total_steps.max(1) as f64).min(1.0) as f32
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The result once the thread has finished.
    fn finished(&mut self) -> Option<Result<u64, ExportError>> {
        if !self.thread.as_ref().is_some_and(JoinHandle::is_finished) {
            return None;
        }
        let thread = self.thread.take()?;
        Some(
            thread
                .join()
                .unwrap_or_else(|_| Err(ExportError::Replay("the export thread panicked".into()))),
        )
    }

    /// Waits for the result (tests and scripted use only, never in a frame).
    pub fn wait(&mut self) -> Option<Result<u64, ExportError>> {
        let thread = self.thread.take()?;
        Some(
            thread
                .join()
                .unwrap_or_else(|_| Err(ExportError::Replay("the export thread panicked".into()))),
        )
    }
}

impl App {
    /// Asks the worker for the session; the reply is used as `purpose` says.
    pub(super) fn request_session(&mut self, purpose: SessionUse) {
        if matches!(purpose, SessionUse::Export(..)) && self.export_job.is_some() {
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
            SessionUse::SavePreset(path) => {
                self.write_preset(&path, &reply.run.to_preset().to_ron())
            }
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
            model,
            vars,
            rows,
            model_file: self
                .own_model_file
                .as_deref()
                .map(|p| p.display().to_string()),
        };
        match ExportJob::spawn(export) {
            Ok(job) => self.export_job = Some(job),
            Err(e) => self.toasts.error(format!("cannot start the export: {e}")),
        }
    }

    /// Reports a finished export (called every frame).
    pub(super) fn poll_export(&mut self) {
        let Some(job) = &mut self.export_job else {
            return;
        };
        let Some(result) = job.finished() else {
            if let Some(ctx) = &self.ctx {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
            }
            return;
        };
        let path = job.path.clone();
        self.export_job = None;
        self.report_export(&path, &result);
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

    /// The running export, if any (status bar, tests).
    pub fn export_job(&mut self) -> Option<&mut ExportJob> {
        self.export_job.as_mut()
    }

    /// Waits for the running export and reports it as a frame would (tests and
    /// scripted use only); returns its rows or its error text.
    pub fn finish_export(&mut self) -> Option<Result<u64, String>> {
        let mut job = self.export_job.take()?;
        let result = job.wait()?;
        self.report_export(&job.path, &result);
        Some(result.map_err(|e| e.to_string()))
    }
}
