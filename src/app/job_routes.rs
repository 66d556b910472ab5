//! The app's side of background jobs: intents that start and cancel them, the
//! per-frame poll of the registry ([`super::jobs::Jobs`]), and the routing of each
//! job's progress, partial results and outcome to the panel that asked for it.

use std::time::Duration;

use super::App;
use super::jobs::JobEvent;
use crate::ui::job::{JobClient, JobKind, JobRequest};

/// How long [`App::wait_job`] waits.
const WAIT_LIMIT: Duration = Duration::from_secs(120);

impl App {
    /// Starts a panel's job (replacing a running one of its kind).
    pub(super) fn start_job(&mut self, request: JobRequest) {
        let kind = request.kind.clone();
        let refused = crate::cli::budget::job_refusal(&self.setup, request.total);
        let started = match refused {
            Some(why) => {
                self.toasts.error(format!("not started: {why}"));
                Err(why)
            }
            None => self.jobs.start(request),
        };
        match started {
            Ok(events) => self.deliver(events),
            Err(e) => {
                let error = crate::analysis::SweepError::Usage(e);
                let ended = JobEvent::Progress(kind.clone(), None);
                self.deliver(vec![ended, JobEvent::Done(kind, Err(error))]);
            }
        }
    }

    pub(super) fn cancel_job(&mut self, kind: &JobKind) {
        let events = self.jobs.cancel(kind, false);
        self.deliver(events);
    }

    /// Hands every job's news to its panel (called every frame).
    pub(super) fn poll_jobs(&mut self) {
        let events = self.jobs.poll();
        self.deliver(events);
    }

    pub(super) fn deliver(&mut self, events: Vec<JobEvent>) {
        for event in events {
            match event {
                JobEvent::Progress(JobKind::Export, p) => self.on_export_progress(p),
                JobEvent::Done(JobKind::Export, r) => {
                    self.on_export_done(r);
                }
                JobEvent::Progress(kind, p) => {
                    if let Some(client) = self.job_client(&kind) {
                        client.job_progress(&kind, p);
                    }
                }
                JobEvent::Report(kind, v) => {
                    if let Some(client) = self.job_client(&kind) {
                        client.job_report(&kind, v);
                    }
                }
                JobEvent::Done(kind, r) => {
                    if let Some(client) = self.job_client(&kind) {
                        client.job_done(&kind, r);
                    }
                }
            }
        }
    }

    /// The panel a job of `kind` reports to (the export reports to the app).
    fn job_client(&mut self, kind: &JobKind) -> Option<&mut dyn JobClient> {
        Some(match kind {
            JobKind::Fi | JobKind::FiOverlay(_) => &mut self.fi,
            JobKind::Iv => &mut self.iv,
            JobKind::ClampSteps => &mut self.iv.steps,
            JobKind::Bifurcation => &mut self.bifurcation,
            JobKind::Map => &mut self.map,
            JobKind::Compare => &mut self.compare,
            JobKind::Fit => &mut self.compare.fit,
            JobKind::Gallery => &mut self.gallery,
            JobKind::Export => return None,
        })
    }

    /// Whether a job of `kind` is running (tests, status).
    pub fn is_job_running(&self, kind: &JobKind) -> bool {
        self.jobs.is_running(kind)
    }

    /// The kinds of job running now.
    pub fn running_jobs(&self) -> Vec<JobKind> {
        self.jobs.kinds()
    }

    /// Waits (up to two minutes) for the job of `kind` and delivers its result as a
    /// frame would (tests and scripted use only, never in a frame); false if none
    /// ran or it did not end in time.
    pub fn wait_job(&mut self, kind: &JobKind) -> bool {
        match self.jobs.wait(kind, WAIT_LIMIT) {
            Some(events) => {
                self.deliver(events);
                true
            }
            None => false,
        }
    }

    /// Waits for every running job (tests only).
    pub fn wait_jobs(&mut self) {
        for kind in self.jobs.kinds() {
            self.wait_job(&kind);
        }
    }
}
