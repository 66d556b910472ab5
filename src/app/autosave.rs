//! Autosave: the session (the run as the user sees it now, as a preset, plus the UI
//! settings) is written atomically every few seconds when it changed, and on exit.
//! A marker file says a session is running; a clean exit removes it. If the next
//! start finds the marker (and its process is gone), the last session ended
//! abnormally and the app offers to restore it (Restore / Discard).
//!
//! Two forms of the run are kept: `RunSpec::to_preset()`, the sliders, stimuli,
//! events and settings currently shown (what *Restore* brings back), and the worker's
//! session, the run from its start plus every change logged since (what *Replay the
//! recording* brings back: the demo as it happened, up to the last save). The
//! session is asked of the worker every few seconds and written when it arrives.
//!
//! The UI thread only gathers the session (the run shares its protocol, so this is
//! cheap); printing it (a 200k-event protocol is ~10 MB of RON), comparing it with
//! the last one and writing it happen on the `autosave` thread, so a long protocol
//! costs the live run no frames.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Settings;
use crate::io::atomic::write_atomic;

/// How often a changed session is written.
pub const AUTOSAVE_EVERY: Duration = Duration::from_secs(5);
const SESSION_FILE: &str = "autosave.ron";
const MARKER_FILE: &str = "session.running";

/// What is saved: enough to put the user back where they were.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedSession {
    /// The run as a preset (RON), exactly as shown when saved.
    pub preset_ron: String,
    /// The user's own model file the preset needs, if any.
    pub model_file: Option<PathBuf>,
    pub settings: Settings,
    /// Seconds since 1970 when it was written.
    pub saved_unix_s: u64,
    /// The recording so far: the run from its start with every logged change as an
    /// event (RON), when the worker had described it (and its log was small enough).
    #[serde(default)]
    pub recording_ron: Option<String>,
}

/// A session gathered on the UI thread, printed on the autosave thread.
pub type Gathered = Box<dyn FnOnce() -> SavedSession + Send>;

/// Most logged changes kept in an autosaved recording: the worker describes its
/// session every few seconds, which for 20,000 changes takes a few ms. Beyond this
/// only the shown state is kept, and the worker is no longer asked.
const MAX_AUTOSAVED_CHANGES: usize = 20_000;

pub struct Autosave {
    dir: PathBuf,
    writer: Option<Writer>,
    last_write: Option<Instant>,
    /// A session left by an abnormal exit, until the user restores or discards it.
    pub offer: Option<SavedSession>,
    /// The last write error (reported once).
    pub error: Option<String>,
}

impl Autosave {
    /// Starts autosaving into `dir`; finds a session an abnormal exit left there.
    pub fn start(dir: &Path) -> Self {
        let marker = dir.join(MARKER_FILE);
        let crashed = std::fs::read_to_string(&marker)
            .ok()
            .is_some_and(|pid| !process_alive(pid.trim()));
        let offer = crashed
            .then(|| std::fs::read_to_string(dir.join(SESSION_FILE)).ok())
            .flatten()
            .and_then(|text| ron::from_str::<SavedSession>(&text).ok());
        let mut a = Self {
            dir: dir.to_owned(),
            writer: Writer::start(dir.join(SESSION_FILE)),
            last_write: None,
            offer,
            error: None,
        };
        if a.writer.is_none() {
            a.error = Some("autosave disabled: cannot start its thread".into());
        }
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| write_atomic(&marker, std::process::id().to_string().as_bytes()));
        if let Err(e) = written {
            a.error = Some(format!("autosave disabled: {e}"));
        }
        a
    }

    /// Hands `session` to the writer if the interval passed (or `now` is set); it is
    /// written if it changed. A writer still busy with the last one skips this one.
    pub fn tick(&mut self, session: impl FnOnce() -> Gathered, now: bool) {
        self.take_errors();
        let due = self
            .last_write
            .is_none_or(|t| t.elapsed() >= AUTOSAVE_EVERY);
        if !(due || now) {
            return;
        }
        let Some(writer) = &self.writer else {
            return;
        };
        self.last_write = Some(Instant::now());
        match writer.sessions.try_send(session()) {
            Ok(()) | Err(TrySendError::Full(_)) => {}
            Err(TrySendError::Disconnected(_)) => {
                self.writer = None;
                self.error = Some("autosave stopped: its thread ended".into());
            }
        }
    }

    /// The writer's last error, if any, to report once.
    fn take_errors(&mut self) {
        if let Some(e) = self
            .writer
            .as_ref()
            .and_then(|w| w.errors.try_iter().last())
        {
            self.error = Some(e);
        }
    }

    /// A clean exit: the last state is written and the marker removed.
    pub fn finish(&mut self, session: impl FnOnce() -> Gathered) {
        if let Some(writer) = self.writer.take() {
            // Waits for the writer: the last state must reach the disk.
            let _ = writer.sessions.send(session());
            let errors = writer.stop();
            if let Some(e) = errors.into_iter().last() {
                self.error = Some(e);
            }
        }
        let _ = std::fs::remove_file(self.dir.join(MARKER_FILE));
    }
}

/// The `autosave` thread and its two channels.
struct Writer {
    /// Sessions to write; room for one (a busy writer skips the next tick's).
    sessions: SyncSender<Gathered>,
    errors: Receiver<String>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    fn start(file: PathBuf) -> Option<Self> {
        let (sessions, inbox) = std::sync::mpsc::sync_channel::<Gathered>(1);
        let (report, errors) = std::sync::mpsc::sync_channel(4);
        let thread = std::thread::Builder::new()
            .name("autosave".into())
            .spawn(move || {
                let mut last_text = String::new();
                for gathered in inbox {
                    let session = gathered();
                    let cfg = ron::ser::PrettyConfig::new();
                    let Ok(text) = ron::ser::to_string_pretty(&session, cfg) else {
                        continue;
                    };
                    // The time stamp changes every write; compare what the user
                    // would get back.
                    if before_time_stamp(&text) == before_time_stamp(&last_text) {
                        continue;
                    }
                    match write_atomic(&file, text.as_bytes()) {
                        Ok(()) => last_text = text,
                        Err(e) => {
                            let _ = report.try_send(format!("autosave: {e}"));
                        }
                    }
                }
            })
            .ok()?;
        Some(Self {
            sessions,
            errors,
            thread: Some(thread),
        })
    }

    /// Lets the writer finish what it was given, and returns its errors.
    fn stop(mut self) -> Vec<String> {
        self.shut_down();
        self.errors.try_iter().collect()
    }

    /// Closes the channel and waits for the thread to write what it holds.
    fn shut_down(&mut self) {
        let (closed, _) = std::sync::mpsc::sync_channel(0);
        drop(std::mem::replace(&mut self.sessions, closed));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Writer {
    /// What was handed over is written (as after a crash: the marker stays).
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A saved session's text up to its time stamp.
fn before_time_stamp(text: &str) -> &str {
    text.split_once("saved_unix_s")
        .map_or(text, |(head, _)| head)
}

/// Whether a process with this id still runs (another window of the app, say).
fn process_alive(pid: &str) -> bool {
    pid.parse::<u32>()
        .is_ok_and(|p| p != std::process::id() && Path::new(&format!("/proc/{p}")).exists())
}

/// What the user chose when offered the last session.
#[derive(Clone, Copy)]
enum RestoreChoice {
    AsShown,
    Recording,
    Discard,
}

/// Seconds since 1970.
pub fn unix_now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl super::App {
    /// Starts autosaving the session into `dir` (the window does this at start; tests
    /// pass a temporary folder). A session left by an abnormal exit is offered.
    pub fn enable_autosave(&mut self, dir: &Path) {
        self.autosave = Some(Autosave::start(dir));
    }

    /// The session a restore would bring back: the run as shown now, and the last
    /// recording the worker described.
    fn saved_session(&self) -> Gathered {
        let setup = self.setup.clone();
        let model_file = self.own_model_file.clone();
        let settings = self.settings.clone();
        let recording_ron = self.autosaved_recording.clone();
        Box::new(move || SavedSession {
            preset_ron: setup.to_preset_ron(),
            model_file,
            settings,
            saved_unix_s: unix_now_s(),
            recording_ron,
        })
    }

    /// Asks the worker for the recording so far; it is written when it arrives.
    pub fn autosave_now(&mut self) {
        let asked = self
            .pending_sessions
            .iter()
            .any(|(_, p)| matches!(p, super::export_job::SessionUse::Autosave));
        if self.autosave.is_some() && !asked && !self.recording_too_long {
            self.recording_asked = Some(Instant::now());
            self.request_session(super::export_job::SessionUse::Autosave);
        }
    }

    /// The worker described the session for the autosave: keep it and write.
    pub(super) fn on_autosave_session(&mut self, reply: &crate::sim::worker::SessionReply) {
        let keep = reply.complete && reply.run.events.len() <= MAX_AUTOSAVED_CHANGES;
        // A run's log only grows: once too long, stop asking until the next run.
        self.recording_too_long = !keep;
        self.autosaved_recording = keep.then(|| reply.run.to_preset_ron());
        let Some(mut a) = self.autosave.take() else {
            return;
        };
        a.tick(|| self.saved_session(), true);
        if let Some(e) = a.error.take() {
            self.toasts.error(e);
        }
        self.autosave = Some(a);
    }

    /// Periodic autosave (from `logic`); `exiting` writes now and ends the session.
    pub(super) fn autosave_tick(&mut self, exiting: bool) {
        if !exiting
            && self.autosave.is_some()
            && self
                .recording_asked
                .is_none_or(|t| t.elapsed() >= AUTOSAVE_EVERY)
        {
            self.autosave_now();
        }
        let Some(mut a) = self.autosave.take() else {
            return;
        };
        if exiting {
            a.finish(|| self.saved_session());
        } else {
            a.tick(|| self.saved_session(), false);
        }
        if let Some(e) = a.error.take() {
            self.toasts.error(e);
        }
        self.autosave = Some(a);
    }

    /// Whether a restore is on offer (tests).
    pub fn restore_offered(&self) -> bool {
        self.autosave.as_ref().is_some_and(|a| a.offer.is_some())
    }

    /// Asks whether to restore a session left by an abnormal exit.
    pub(super) fn restore_ui(&mut self, ctx: &egui::Context) {
        let Some(offer) = self.autosave.as_ref().and_then(|a| a.offer.as_ref()) else {
            return;
        };
        let ago_s = unix_now_s().saturating_sub(offer.saved_unix_s);
        let model = crate::io::preset::Preset::parse("autosave", offer.preset_ron.as_bytes())
            .map_or_else(|_| "?".to_owned(), |p| p.model);
        let mut choice = None;
        egui::Modal::new(egui::Id::unique("restore_session")).show(ctx, |ui| {
            ui.heading("Restore the last session?");
            ui.label(format!(
                "neuron-explorer did not close normally. Its last session ({model}, saved {} ago) can be restored: parameters, stimuli, events and settings.",
                crate::cli::budget::human_secs(ago_s as f64)
            ));
            let can_replay = offer.recording_ron.is_some();
            ui.horizontal(|ui| {
                if ui
                    .button("Restore")
                    .on_hover_text("The sliders, stimuli, events and settings as they were")
                    .clicked()
                {
                    choice = Some(RestoreChoice::AsShown);
                }
                if can_replay
                    && ui
                        .button("Replay the recording")
                        .on_hover_text(
                            "The run from its start with every change you made, up to the last autosave; it pauses where the recording ends",
                        )
                        .clicked()
                {
                    choice = Some(RestoreChoice::Recording);
                }
                if ui.button("Discard").clicked() {
                    choice = Some(RestoreChoice::Discard);
                }
            });
        });
        let Some(choice) = choice else {
            return;
        };
        let Some(saved) = self.autosave.as_mut().and_then(|a| a.offer.take()) else {
            return;
        };
        match choice {
            RestoreChoice::AsShown => self.restore(saved, false),
            RestoreChoice::Recording => self.restore(saved, true),
            RestoreChoice::Discard => {}
        }
    }

    fn restore(&mut self, saved: SavedSession, replay: bool) {
        self.settings = saved.settings;
        if let Some(path) = &saved.model_file {
            self.open_model_file(path);
        }
        let own = crate::model::builtin::builtin(self.setup.model.id())
            .is_none()
            .then(|| self.setup.model.clone());
        let text = match (&saved.recording_ron, replay) {
            (Some(recording), true) => recording,
            _ => &saved.preset_ron,
        };
        let resolved = crate::io::preset::Preset::parse("autosaved session", text.as_bytes())
            .and_then(|p| p.resolve("autosaved session", text, own));
        match resolved {
            Ok(r) => {
                if self.start_setup(r) {
                    self.toasts.info(if replay {
                        "Replaying the last session's recording; it pauses where the recording ends"
                    } else {
                        "Restored the last session"
                    });
                }
            }
            Err(e) => self.toasts.error(format!("cannot restore: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(text: &str) -> Gathered {
        let preset_ron = text.to_owned();
        Box::new(move || SavedSession {
            preset_ron,
            model_file: None,
            settings: Settings::default(),
            saved_unix_s: unix_now_s(),
            recording_ron: None,
        })
    }

    #[test]
    fn an_abnormal_exit_is_offered_and_a_clean_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Autosave::start(dir.path());
        assert!(a.offer.is_none());
        a.tick(|| session("(model: \"Izhikevich2007\")"), true);
        // Simulate a crash: the marker names a process that is gone (what was
        // handed to the writer is written; the marker stays).
        drop(a);
        std::fs::write(dir.path().join(MARKER_FILE), "999999999").unwrap();
        let mut b = Autosave::start(dir.path());
        let offer = b.offer.take().expect("offered after a crash");
        assert_eq!(offer.preset_ron, "(model: \"Izhikevich2007\")");
        b.finish(|| session("(model: \"Izhikevich2003\")"));
        let c = Autosave::start(dir.path());
        assert!(c.offer.is_none(), "a clean exit offers nothing");
    }
}
