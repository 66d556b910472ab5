//! What a panel asks the app to compute in the background, and how the app hands
//! the answer back. A panel describes a job ([`JobRequest`]: its kind, its size for
//! progress, the presets it reads and the computation) and returns it in
//! [`super::Intent::StartJob`]; the app's job registry (`app::jobs`) owns the thread,
//! loads the presets, polls, cancels, and delivers progress, partial results and the
//! outcome to the panel through [`JobClient`]. Panels hold no thread handles.

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::analysis::{Control, SweepError};
use crate::sim::run::RunSpec;

/// Which background job: at most one of each kind runs at a time (starting one
/// replaces, and cancels, the running one of its kind).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    Fi,
    /// One more f–I curve, of another preset (its label).
    FiOverlay(String),
    Iv,
    ClampSteps,
    Bifurcation,
    Map,
    Compare,
    Fit,
    Gallery,
    /// The CSV export of the live run.
    Export,
}

/// A job's result or partial result, typed by the job (see [`take`]).
pub type JobValue = Box<dyn Any + Send>;

/// The value as the type the job produced (`None` for another type: a bug).
pub fn take<T: 'static>(value: JobValue) -> Option<T> {
    value.downcast::<T>().ok().map(|b| *b)
}

/// What a running job is handed.
pub struct JobInput<'a> {
    /// Progress counter (lane-steps) and the cancel flag.
    pub control: &'a Control,
    /// The presets the request named, loaded by the app in the job's thread.
    pub presets: &'a [RunSpec],
    /// The progress total, when the job knows it only once running.
    pub total: &'a AtomicU64,
    /// Sends a partial result to the panel (a map's finished pass, a fit's round).
    pub report: &'a (dyn Fn(JobValue) + Sync),
}

impl JobInput<'_> {
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }
}

type Work = dyn Fn(&JobInput) -> Result<JobValue, SweepError> + Send + Sync;

/// A background computation a panel asks for.
#[derive(Clone)]
pub struct JobRequest {
    pub kind: JobKind,
    /// Lane-steps in all, for progress (0: the job sets it, [`JobInput::set_total`]).
    pub total: u64,
    /// Preset files the app loads before the work starts (in the job's thread).
    pub presets: Vec<PathBuf>,
    /// Cancel asks the job to stop and still delivers what it returns (a fit's best
    /// point so far); otherwise a cancelled job is dropped at once.
    pub finishes_on_cancel: bool,
    work: Arc<Work>,
}

impl JobRequest {
    pub fn new<T: Send + 'static>(
        kind: JobKind,
        total: u64,
        work: impl Fn(&JobInput) -> Result<T, SweepError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            kind,
            total,
            presets: Vec::new(),
            finishes_on_cancel: false,
            work: Arc::new(move |input| work(input).map(|v| Box::new(v) as JobValue)),
        }
    }

    /// The job reads these preset files (handed to it as [`JobInput::presets`]).
    pub fn reading(mut self, presets: Vec<PathBuf>) -> Self {
        self.presets = presets;
        self
    }

    pub fn finishing_on_cancel(mut self) -> Self {
        self.finishes_on_cancel = true;
        self
    }

    /// Runs the computation (on the job's thread).
    pub fn run(&self, input: &JobInput) -> Result<JobValue, SweepError> {
        (self.work)(input)
    }
}

impl std::fmt::Debug for JobRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobRequest")
            .field("kind", &self.kind)
            .field("total", &self.total)
            .field("presets", &self.presets)
            .finish_non_exhaustive()
    }
}

/// Two requests are the same when they are the same computation of the same kind.
impl PartialEq for JobRequest {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && Arc::ptr_eq(&self.work, &other.work)
    }
}

/// A panel that runs background jobs: the app tells it how they go.
pub trait JobClient {
    /// The job's progress (0..=1) while it runs; `None` once it ended or was cancelled.
    fn job_progress(&mut self, kind: &JobKind, progress: Option<f32>);
    /// A partial result the job reported.
    fn job_report(&mut self, _kind: &JobKind, _value: JobValue) {}
    /// The job's outcome; a dropped (cancelled) job delivers nothing.
    fn job_done(&mut self, kind: &JobKind, result: Result<JobValue, SweepError>);
}
