//! A sweep running on its own thread: the UI polls it each frame for progress and
//! the result, and can cancel it. Nothing here blocks the UI or the live run.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::analysis::{Control, SweepError};

pub struct SweepJob<T> {
    control: Control,
    total: u64,
    rx: Receiver<Result<T, SweepError>>,
    ctx: Option<egui::Context>,
}

/// What a poll found.
pub enum Poll<T> {
    Running(f32),
    Done(Result<T, SweepError>),
}

impl<T: Send + 'static> SweepJob<T> {
    /// Starts `work` on a new thread; `total` is its lane-step count for progress.
    pub fn spawn(
        total: u64,
        ctx: Option<egui::Context>,
        work: impl FnOnce(&Control) -> Result<T, SweepError> + Send + 'static,
    ) -> Self {
        let control = Control::default();
        let (tx, rx) = channel();
        let c = control.clone();
        let wake = ctx.clone();
        std::thread::Builder::new()
            .name("sweep".into())
            .spawn(move || {
                let r = work(&c);
                let _ = tx.send(r);
                if let Some(ctx) = wake {
                    ctx.request_repaint();
                }
            })
            .map_or_else(
                |e| {
                    // No thread: report at the next poll.
                    let (tx2, rx2) = channel();
                    let _ = tx2.send(Err(SweepError::Usage(format!(
                        "cannot start a thread: {e}"
                    ))));
                    Self {
                        control: control.clone(),
                        total,
                        rx: rx2,
                        ctx: ctx.clone(),
                    }
                },
                |_| Self {
                    control: control.clone(),
                    total,
                    rx,
                    ctx: ctx.clone(),
                },
            )
    }
}

impl<T> SweepJob<T> {
    pub fn poll(&self) -> Poll<T> {
        match self.rx.try_recv() {
            Ok(r) => Poll::Done(r),
            Err(TryRecvError::Empty) => {
                if let Some(ctx) = &self.ctx {
                    ctx.request_repaint_after(std::time::Duration::from_millis(50));
                }
                Poll::Running(
                    (self.control.done() as f64 / self.total.max(1) as f64).min(1.0) as f32,
                )
            }
            Err(TryRecvError::Disconnected) => {
                Poll::Done(Err(SweepError::Usage("the sweep thread stopped".into())))
            }
        }
    }

    pub fn cancel(&self) {
        self.control.cancel();
    }

    /// Waits for the result (tests only; never in a frame).
    pub fn wait(self) -> Result<T, SweepError> {
        self.rx
            .recv()
            .unwrap_or_else(|_| Err(SweepError::Usage("the sweep thread stopped".into())))
    }
}

impl<T> Drop for SweepJob<T> {
    fn drop(&mut self) {
        // A dropped job (replaced or abandoned) stops computing.
        self.control.cancel();
    }
}

/// A panel's job slot polled once per frame: while it runs, its progress goes to
/// `progress`; when it ends, the slot and the progress are cleared and its result
/// returned, a cancellation as `None` (nothing to show), an error as its message.
pub fn take_finished<T>(
    job: &mut Option<SweepJob<T>>,
    progress: &mut Option<f32>,
) -> Option<Result<T, String>> {
    match job.as_ref()?.poll() {
        Poll::Running(p) => {
            *progress = Some(p);
            None
        }
        Poll::Done(r) => {
            *job = None;
            *progress = None;
            match r {
                Ok(v) => Some(Ok(v)),
                Err(SweepError::Cancelled) => None,
                Err(e) => Some(Err(e.to_string())),
            }
        }
    }
}

/// A labelled duration field of the sweep panels (holds, runs, transients): at least
/// `min_ms`, at most 100 s.
pub fn ms_field_ui(ui: &mut egui::Ui, label: &str, value_ms: &mut f64, min_ms: f64, speed: f64) {
    ui.label(label);
    ui.add(
        egui::DragValue::new(value_ms)
            .speed(speed)
            .range(min_ms..=100_000.0)
            .suffix(" ms"),
    );
}
