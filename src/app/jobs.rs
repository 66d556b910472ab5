//! The app's background jobs: the one place that starts, polls, cancels and reports
//! the progress of every sweep, comparison, fit, gallery and export. Panels describe
//! a job ([`JobRequest`]) and return it as an intent; the registry runs it on a named
//! thread, loads the preset files it reads there (so the window never waits on a
//! disk), and turns what the thread sends back over bounded channels into
//! [`JobEvent`]s, which the app hands to the panel that asked ([`JobClient`]).
//! A new analysis needs a [`JobKind`] and a route in `App::job_client`, no threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError, sync_channel};
use std::time::Duration;

use crate::analysis::{Control, SweepError};
use crate::io::preset::load_resolved;
use crate::ui::job::{JobInput, JobKind, JobRequest, JobValue};

/// Partial results a job may queue before the UI picks them up; more are dropped
/// (a partial result is superseded by the next one or by the final result).
const REPORT_SLOTS: usize = 64;
/// How often a frame is asked for while a job runs, so its progress bar moves.
const PROGRESS_REPAINT: Duration = Duration::from_millis(50);

/// What happened to a job since the last poll, in order.
pub enum JobEvent {
    /// Progress 0..=1 while it runs; `None` when it ended or was cancelled.
    Progress(JobKind, Option<f32>),
    Report(JobKind, JobValue),
    Done(JobKind, Result<JobValue, SweepError>),
}

struct Running {
    kind: JobKind,
    control: Control,
    total: Arc<AtomicU64>,
    finishes_on_cancel: bool,
    done_rx: Receiver<Result<JobValue, SweepError>>,
    report_rx: Receiver<JobValue>,
}

impl Running {
    fn progress(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed).max(1);
        (self.control.done() as f64 / total as f64).min(1.0) as f32
    }

    /// Partial results queued so far, then the outcome if the thread ended.
    fn drain(&self, events: &mut Vec<JobEvent>) -> Option<Result<JobValue, SweepError>> {
        while let Ok(v) = self.report_rx.try_recv() {
            events.push(JobEvent::Report(self.kind.clone(), v));
        }
        match self.done_rx.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(stopped())),
        }
    }
}

fn stopped() -> SweepError {
    SweepError::Usage("the background job stopped unexpectedly".into())
}

/// Every background job of the app, by kind.
#[derive(Default)]
pub struct Jobs {
    running: Vec<Running>,
    /// Woken when a job reports or ends.
    ctx: Option<egui::Context>,
}

impl Jobs {
    pub fn new(ctx: Option<egui::Context>) -> Self {
        Self {
            running: Vec::new(),
            ctx,
        }
    }

    /// Starts `request` on its own thread, replacing (and cancelling) a running job
    /// of its kind; returns the events that replacement caused.
    pub fn start(&mut self, request: JobRequest) -> Result<Vec<JobEvent>, String> {
        let mut events = self.cancel(&request.kind, true);
        let kind = request.kind.clone();
        let finishes_on_cancel = request.finishes_on_cancel;
        let control = Control::default();
        let total = Arc::new(AtomicU64::new(request.total));
        let (done_tx, done_rx) = sync_channel(1);
        let (report_tx, report_rx) = sync_channel(REPORT_SLOTS);
        let (c, t, wake) = (control.clone(), Arc::clone(&total), self.ctx.clone());
        let thread = std::thread::Builder::new()
            .name(format!("job-{}", thread_name(&kind)))
            .spawn(move || {
                let report = |v: JobValue| {
                    // A full queue drops the partial result: the next one supersedes it.
                    let _ = report_tx.try_send(v);
                    if let Some(ctx) = &wake {
                        ctx.request_repaint();
                    }
                };
                let result = run(&request, &c, &t, &report);
                let _ = done_tx.send(result);
                if let Some(ctx) = &wake {
                    ctx.request_repaint();
                }
            });
        if let Err(e) = thread {
            return Err(format!("cannot start a background thread: {e}"));
        }
        events.push(JobEvent::Progress(kind.clone(), Some(0.0)));
        self.running.push(Running {
            kind,
            control,
            total,
            finishes_on_cancel,
            done_rx,
            report_rx,
        });
        Ok(events)
    }

    /// Cancels the job of `kind`: dropped at once (its progress ends), unless it
    /// finishes on cancel (a fit), which then still delivers what it returns.
    /// `replace`: a new job of the kind follows, so nothing is kept.
    pub fn cancel(&mut self, kind: &JobKind, replace: bool) -> Vec<JobEvent> {
        let Some(k) = self.running.iter().position(|j| j.kind == *kind) else {
            return Vec::new();
        };
        self.running[k].control.cancel();
        if self.running[k].finishes_on_cancel && !replace {
            return Vec::new();
        }
        self.running.remove(k);
        vec![JobEvent::Progress(kind.clone(), None)]
    }

    pub fn is_running(&self, kind: &JobKind) -> bool {
        self.running.iter().any(|j| j.kind == *kind)
    }

    /// Progress of the job of `kind`, while it runs.
    pub fn progress(&self, kind: &JobKind) -> Option<f32> {
        self.running
            .iter()
            .find(|j| j.kind == *kind)
            .map(Running::progress)
    }

    /// What every job did since the last poll (called every frame; never blocks).
    pub fn poll(&mut self) -> Vec<JobEvent> {
        let mut events = Vec::new();
        let mut k = 0;
        while k < self.running.len() {
            let job = &self.running[k];
            match job.drain(&mut events) {
                Some(result) => {
                    let job = self.running.remove(k);
                    finish(job, result, &mut events);
                }
                None => {
                    events.push(JobEvent::Progress(job.kind.clone(), Some(job.progress())));
                    k += 1;
                }
            }
        }
        if !self.running.is_empty()
            && let Some(ctx) = &self.ctx
        {
            ctx.request_repaint_after(PROGRESS_REPAINT);
        }
        events
    }

    /// Waits for the job of `kind` to end (tests and scripted use only, never in a
    /// frame); `None` when none runs or it did not end within `timeout`.
    pub fn wait(&mut self, kind: &JobKind, timeout: Duration) -> Option<Vec<JobEvent>> {
        let k = self.running.iter().position(|j| j.kind == *kind)?;
        let result = match self.running[k].done_rx.recv_timeout(timeout) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => Err(stopped()),
        };
        let job = self.running.remove(k);
        let mut events = Vec::new();
        while let Ok(v) = job.report_rx.try_recv() {
            events.push(JobEvent::Report(job.kind.clone(), v));
        }
        finish(job, result, &mut events);
        Some(events)
    }

    /// The kinds running now.
    pub fn kinds(&self) -> Vec<JobKind> {
        self.running.iter().map(|j| j.kind.clone()).collect()
    }
}

fn finish(job: Running, result: Result<JobValue, SweepError>, events: &mut Vec<JobEvent>) {
    events.push(JobEvent::Progress(job.kind.clone(), None));
    // A cancelled sweep has nothing to show; a job that finishes on cancel (a fit)
    // still says how it ended.
    if job.finishes_on_cancel || !matches!(result, Err(SweepError::Cancelled)) {
        events.push(JobEvent::Done(job.kind, result));
    }
}

/// Loads the presets the request reads, then runs it.
fn run(
    request: &JobRequest,
    control: &Control,
    total: &AtomicU64,
    report: &(dyn Fn(JobValue) + Sync),
) -> Result<JobValue, SweepError> {
    let presets = request
        .presets
        .iter()
        .map(|p| load_resolved(p, None).map_err(|e| SweepError::Usage(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let input = JobInput {
        control,
        presets: &presets,
        total,
        report,
    };
    request.run(&input)
}

/// A short thread name (Linux keeps 15 bytes).
fn thread_name(kind: &JobKind) -> &'static str {
    match kind {
        JobKind::Fi => "fi",
        JobKind::FiOverlay(_) => "fi-overlay",
        JobKind::Iv => "iv",
        JobKind::ClampSteps => "clamp-steps",
        JobKind::Bifurcation => "bifurcation",
        JobKind::Map => "map",
        JobKind::Compare => "compare",
        JobKind::Fit => "fit",
        JobKind::Gallery => "gallery",
        JobKind::Export => "export",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_done(jobs: &mut Jobs, kind: &JobKind) -> Vec<JobEvent> {
        jobs.wait(kind, Duration::from_secs(10))
            .expect("the job ends")
    }

    fn done_value<T: 'static>(events: Vec<JobEvent>) -> Option<T> {
        events.into_iter().find_map(|e| match e {
            JobEvent::Done(_, Ok(v)) => crate::ui::job::take::<T>(v),
            _ => None,
        })
    }

    #[test]
    fn a_job_runs_on_a_named_thread_and_reports_in_order() {
        let mut jobs = Jobs::default();
        let request = JobRequest::new(JobKind::Fi, 10, |input| {
            (input.report)(Box::new(1_u32));
            (input.report)(Box::new(2_u32));
            Ok(std::thread::current().name().map(str::to_owned))
        });
        let started = jobs.start(request).expect("a thread");
        assert!(matches!(started[..], [JobEvent::Progress(JobKind::Fi, Some(p))] if p == 0.0));
        assert!(jobs.is_running(&JobKind::Fi));
        let events = wait_done(&mut jobs, &JobKind::Fi);
        let reports: Vec<u32> = events
            .iter()
            .filter_map(|e| match e {
                JobEvent::Report(_, v) => v.downcast_ref::<u32>().copied(),
                _ => None,
            })
            .collect();
        assert_eq!(reports, [1, 2]);
        assert_eq!(
            done_value::<Option<String>>(events),
            Some(Some("job-fi".into()))
        );
        assert!(!jobs.is_running(&JobKind::Fi));
    }

    /// Runs until cancelled, then returns `Cancelled` (as the sweeps do) or, when
    /// it finishes on cancel, what it has (as the fit does).
    fn until_cancelled(kind: JobKind, finishes: bool) -> JobRequest {
        let r = JobRequest::new(kind, 0, move |input| {
            while !input.control.cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            if finishes {
                Ok(7_u8)
            } else {
                Err(SweepError::Cancelled)
            }
        });
        if finishes { r.finishing_on_cancel() } else { r }
    }

    #[test]
    fn cancel_drops_a_sweep_at_once_but_lets_a_fit_finish() {
        let mut jobs = Jobs::default();
        jobs.start(until_cancelled(JobKind::Map, false))
            .expect("a thread");
        jobs.start(until_cancelled(JobKind::Fit, true))
            .expect("a thread");
        assert_eq!(jobs.kinds(), [JobKind::Map, JobKind::Fit]);
        let events = jobs.cancel(&JobKind::Map, false);
        assert!(matches!(
            events[..],
            [JobEvent::Progress(JobKind::Map, None)]
        ));
        assert!(!jobs.is_running(&JobKind::Map));
        // The fit keeps running until it returns its best point so far.
        assert!(jobs.cancel(&JobKind::Fit, false).is_empty());
        assert!(jobs.is_running(&JobKind::Fit));
        assert_eq!(
            done_value::<u8>(wait_done(&mut jobs, &JobKind::Fit)),
            Some(7)
        );
    }

    #[test]
    fn a_new_job_replaces_the_running_one_of_its_kind() {
        let mut jobs = Jobs::default();
        jobs.start(until_cancelled(JobKind::Iv, false))
            .expect("a thread");
        let events = jobs
            .start(JobRequest::new(JobKind::Iv, 1, |_| Ok(3_i32)))
            .expect("a thread");
        assert!(matches!(
            events[..],
            [
                JobEvent::Progress(JobKind::Iv, None),
                JobEvent::Progress(JobKind::Iv, Some(_))
            ]
        ));
        assert_eq!(jobs.kinds(), [JobKind::Iv]);
        assert_eq!(
            done_value::<i32>(wait_done(&mut jobs, &JobKind::Iv)),
            Some(3)
        );
    }
}
