//! The live explorer window. `App` owns the run setup (what the user edits), the
//! handle to the simulation thread and the recorded history; panels draw from them
//! and return [`Intent`]s, which [`App::apply`] turns into edits, worker commands
//! and file operations. `App::logic` drains the worker with a time budget.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crate::model::CompiledModel;
use crate::model::builtin::builtin;
use crate::sim::run::RunSpec;
use crate::sim::worker::{Announcement, Command, Packet, Worker, WorkerError, WorkerEvent};
use crate::ui::fi_panel::FiPanel;
use crate::ui::history::{History, capacity_for};
use crate::ui::iv_panel::IvPanel;
use crate::ui::params::ParamsPanel;
use crate::ui::phase_plane::PhasePlanePanel;
use crate::ui::plot_groups::{MEMBRANE, default_assignment};
use crate::ui::plots::PlotsPanel;
use crate::ui::presets::PresetBrowser;
use crate::ui::settings::HistoryBounds;
use crate::ui::status::StatusLine;
use crate::ui::stimulus::StimulusPanel;
use crate::ui::toasts::Toasts;
use crate::ui::undo::{ParamEdit, SetupSnapshot, UndoStack};

/// Opens the explorer window and blocks until it is closed.
pub fn run_gui() -> anyhow::Result<()> {
    run_gui_opening(None)
}

/// The app icon (drawn by `assets/icon/make_icon.py`).
const ICON_PNG: &[u8] = include_bytes!("../assets/neuron-explorer.png");

/// The icon at 128 px. At 256 px the X11 `_NET_WM_ICON` property (262,152 bytes)
/// exceeds the core protocol's request limit and is silently dropped (seen under
/// Xvfb); the PNG itself stays 256 px for desktop launchers.
fn window_icon() -> Option<egui::IconData> {
    const SIDE: u32 = 128;
    let image = image::load_from_memory(ICON_PNG).ok()?.to_rgba8();
    let small = image::imageops::resize(&image, SIDE, SIDE, image::imageops::FilterType::Triangle);
    Some(egui::IconData {
        rgba: small.into_raw(),
        width: SIDE,
        height: SIDE,
    })
}

/// Opens the window, on `file` (a preset or model file) if given, running.
pub fn run_gui_opening(file: Option<PathBuf>) -> anyhow::Result<()> {
    run_gui_with(move |app| {
        if let Some(path) = &file {
            app.open_file(path);
        }
    })
}

/// Opens the window in a lesson (a built-in's name or a lesson file), running.
pub fn run_gui_lesson(name_or_path: String) -> anyhow::Result<()> {
    run_gui_with(move |app| app.apply(crate::ui::Intent::OpenLesson(name_or_path)))
}

/// Opens the window and lets `init` act on the app before the first frame.
fn run_gui_with(init: impl FnOnce(&mut App) + 'static) -> anyhow::Result<()> {
    let settings_path = settings_store::settings_path();
    let (stored, settings_error) = match settings_path.as_deref().map(settings_store::load) {
        Some(Ok(s)) => (s, None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let size = stored
        .as_ref()
        .and_then(|s| s.window_size)
        .filter(|[w, h]| w.is_finite() && h.is_finite())
        .map_or([1400.0, 900.0], |[w, h]| {
            [w.clamp(800.0, 8192.0), h.clamp(500.0, 8192.0)]
        });
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("neuron-explorer")
        .with_inner_size(size)
        .with_min_inner_size([800.0, 500.0])
        .with_drag_and_drop(true);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        // eframe writes its app.ron in place (a crash mid-write truncates it); the
        // app keeps its own settings, written atomically (see `settings_store`).
        persist_window: false,
        ..Default::default()
    };
    eframe::run_native(
        "neuron-explorer",
        options,
        Box::new(move |cc| {
            let mut app = App::new(cc, stored, settings_path);
            if let Some(e) = settings_error {
                app.toasts.error(e);
            }
            init(&mut app);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

const STORAGE_KEY: &str = "neuron-explorer";
/// Time per frame the UI spends moving samples from the ring into the history.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);
const DEFAULT_MODEL: &str = "Izhikevich2007";
/// Opened at launch unless the user last chose another model (relative to the working directory).
const FIRST_LAUNCH_PRESET: &str = "presets/welcome_izhikevich2007_rs_live.ron";

/// What survives a restart (eframe storage).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub model: String,
    /// Simulated per real time; infinity = as fast as possible.
    pub speed: f64,
    pub window_ms: f64,
    pub recording: bool,
    pub history: HistoryBounds,
    /// The user's own model file in use when the program closed (reopened at the
    /// next start if it is still there).
    pub model_file: Option<PathBuf>,
    /// The window's inner size in points when the program closed.
    pub window_size: Option<[f32; 2]>,
    /// Opening a preset starts it (off only in tests that step deterministically).
    pub play_on_open: bool,
    /// GUI zoom factor (Ctrl +/−/0, View menu).
    pub zoom: f32,
    pub theme: crate::ui::theme::Theme,
    /// Width of data lines in every plot (points).
    pub line_width: f32,
    /// Whether plots show their legends.
    pub legends: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            model: DEFAULT_MODEL.into(),
            speed: 1.0,
            window_ms: 1000.0,
            recording: true,
            history: HistoryBounds::default(),
            model_file: None,
            window_size: None,
            play_on_open: true,
            zoom: 1.0,
            theme: crate::ui::theme::Theme::default(),
            line_width: crate::ui::theme::DisplayStyle::default().line_width,
            legends: true,
        }
    }
}

pub struct App {
    pub settings: Settings,
    setup: RunSpec,
    worker: Option<Worker>,
    /// Commands the bounded channel could not take yet (sent next frame, in order).
    outbox: VecDeque<Command>,
    /// The worker's announcement of the run the history holds (its model may differ
    /// from `setup`'s for the few frames until the worker has switched).
    recorded: Option<Announcement>,
    history: History,
    blow_up: Option<String>,
    /// Whether the reference run is asked to run in lock-step.
    live_reference: bool,
    /// The file the current model came from, when it is the user's own.
    own_model_file: Option<PathBuf>,
    params: ParamsPanel,
    plots: PlotsPanel,
    view: crate::ui::View,
    phase: PhasePlanePanel,
    iv: IvPanel,
    fi: FiPanel,
    bifurcation: crate::ui::bifurcation_panel::BifurcationPanel,
    map: crate::ui::map_panel::MapPanel,
    features: crate::ui::features_panel::FeaturesPanel,
    compare: crate::ui::compare_panel::ComparePanel,
    stimulus: StimulusPanel,
    browser: PresetBrowser,
    equations: crate::ui::equations_panel::EquationsPanel,
    gallery: crate::ui::gallery::GalleryPanel,
    timeline: crate::ui::timeline::TimelinePanel,
    notes: crate::ui::notes::NotesWindow,
    undo: UndoStack,
    pub toasts: Toasts,
    screenshot_tx: Sender<Arc<egui::ColorImage>>,
    screenshot_rx: Receiver<Arc<egui::ColorImage>>,
    pending_png: Option<PathBuf>,
    /// Session descriptions asked of the worker, by request id.
    pending_sessions: Vec<(u64, export_job::SessionUse)>,
    next_session_id: u64,
    /// Every background job (sweeps, comparison, fit, gallery, export).
    jobs: jobs::Jobs,
    /// The CSV export while the job registry runs it.
    export: Option<export_job::ExportStatus>,
    /// The in-app file dialog, while open (when the system's is unavailable).
    file_dialog: Option<crate::ui::file_dialog::InAppDialog>,
    /// The system dialog failed once: use the in-app one for this session.
    native_dialog_failed: bool,
    /// Where every file dialog starts, whatever the purpose (tests confine their
    /// dialogs to a temporary folder); `None`: by purpose, else the current folder.
    dialog_folder: Option<PathBuf>,
    autosave: Option<autosave::Autosave>,
    /// The parameter whose override by a later event was last reported.
    warned_override: Option<usize>,
    last_pong: u64,
    started: Instant,
    ctx: Option<egui::Context>,
    /// (model id, file stem) of the last preset opened, for the window title.
    preset_label: Option<(String, String)>,
    /// The title the window shows now.
    shown_title: String,
    /// Where the settings are saved (none in tests).
    settings_path: Option<PathBuf>,
    /// The last recording (run + change log, as a preset) the worker described for
    /// the autosave, and when it was last asked for.
    autosaved_recording: Option<String>,
    recording_asked: Option<Instant>,
    /// The live run's change log outgrew what the autosave keeps.
    recording_too_long: bool,
    /// The guided lesson open, if any (its panel shows on the right).
    lesson: Option<crate::lesson::LessonState>,
    /// Focus mode: side panels hidden, only the Focus strip's controls.
    focus: bool,
    help_open: bool,
    /// Parameters the Focus strip offers (a lesson sets them; names the model lacks
    /// are skipped, and with none left the drive parameter shows).
    pub focus_params: Vec<String>,
    /// The theme and zoom last handed to egui (applied again only when they change).
    applied_display: Option<(crate::ui::theme::Theme, f32)>,
}

impl App {
    /// The app in its window: `stored` from `settings_path` (else, once, from the
    /// settings older versions kept in eframe's storage).
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        stored: Option<Settings>,
        settings_path: Option<PathBuf>,
    ) -> Self {
        let stored = stored.or_else(|| cc.storage.and_then(|s| eframe::get_value(s, STORAGE_KEY)));
        let mut app = Self::launch(stored, Some(cc.egui_ctx.clone()));
        app.settings_path = settings_path;
        if let Some(dir) = eframe::storage_dir("neuron-explorer") {
            app.enable_autosave(&dir);
        }
        app
    }

    /// What a start of the program does with the settings it kept (if any): reopen
    /// the user's model file or last preset, or the welcome preset, and run.
    pub fn launch(stored: Option<Settings>, ctx: Option<egui::Context>) -> Self {
        let own_model = stored
            .as_ref()
            .and_then(|s| s.model_file.clone())
            .filter(|p| p.is_file());
        let fresh = stored.as_ref().is_none_or(|s| s.model == DEFAULT_MODEL);
        // The last preset opened, if the user was still on its model when they quit.
        let last_preset = stored.as_ref().and_then(|s| {
            let path = s.recent.first()?;
            let preset = crate::io::preset::Preset::load(path).ok()?;
            (preset.model == s.model).then(|| path.clone())
        });
        let mut app = Self::with_settings(stored.unwrap_or_default(), ctx);
        // Someone opening the app (a teacher in class) should see a neuron firing, not
        // a flat line at rest: reopen their last preset, or else, unless they chose
        // another model, the regular-spiking cell with repeating pulses. Then run.
        let welcome = std::path::Path::new(FIRST_LAUNCH_PRESET);
        if let Some(path) = own_model {
            app.open_model_file(&path);
        } else if let Some(path) = last_preset.filter(|_| !fresh) {
            app.open_preset(&path);
        } else if fresh && welcome.exists() {
            app.open_preset(welcome);
        }
        app.apply(crate::ui::Intent::SetRunning(true));
        app
    }

    /// An app without a window (tests); `ctx` is woken when data arrives.
    pub fn with_settings(settings: Settings, ctx: Option<egui::Context>) -> Self {
        let (screenshot_tx, screenshot_rx) = channel();
        let model = match builtin(&settings.model) {
            Some(Ok(m)) => m,
            _ => match builtin(DEFAULT_MODEL) {
                Some(Ok(m)) => m,
                _ => crate::model::builtin::all_builtins()
                    .ok()
                    .and_then(|v| v.into_iter().next())
                    .unwrap_or_else(|| {
                        // The built-ins are compiled into the binary and tested; this cannot happen.
                        unreachable!("no built-in model compiles")
                    }),
            },
        };
        let mut app = Self {
            setup: RunSpec::defaults(model),
            settings,
            worker: None,
            outbox: VecDeque::new(),
            recorded: None,
            history: History::default(),
            blow_up: None,
            live_reference: false,
            own_model_file: None,
            params: ParamsPanel::default(),
            plots: PlotsPanel::default(),
            view: crate::ui::View::default(),
            phase: PhasePlanePanel::default(),
            iv: IvPanel::default(),
            fi: FiPanel::default(),
            bifurcation: Default::default(),
            map: Default::default(),
            features: Default::default(),
            compare: crate::ui::compare_panel::ComparePanel::default(),
            stimulus: StimulusPanel::default(),
            browser: PresetBrowser::default(),
            equations: Default::default(),
            gallery: Default::default(),
            timeline: Default::default(),
            notes: Default::default(),
            undo: UndoStack::default(),
            toasts: Toasts::default(),
            screenshot_tx,
            screenshot_rx,
            pending_png: None,
            pending_sessions: Vec::new(),
            next_session_id: 0,
            jobs: jobs::Jobs::new(ctx.clone()),
            export: None,
            file_dialog: None,
            native_dialog_failed: false,
            dialog_folder: None,
            autosave: None,
            warned_override: None,
            last_pong: 0,
            started: Instant::now(),
            ctx,
            preset_label: None,
            shown_title: String::new(),
            settings_path: None,
            autosaved_recording: None,
            recording_asked: None,
            recording_too_long: false,
            lesson: None,
            focus: false,
            help_open: false,
            // None named: Focus shows the model's drive parameter.
            focus_params: Vec::new(),
            applied_display: None,
        };
        match app.setup.resolve() {
            Ok(resolved) => match Worker::spawn(resolved, app.ctx.clone()) {
                Ok(w) => app.worker = Some(w),
                Err(e) => app.toasts.error(e.to_string()),
            },
            Err(e) => app.toasts.error(e.to_string()),
        }
        app.send(Command::SetSpeed(app.settings.speed));
        app.apply(crate::ui::Intent::ScanPresets);
        app
    }

    // ----- read access (panels, tests) -----

    pub fn setup(&self) -> &RunSpec {
        &self.setup
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Whether the live run is running, as the worker last published it (the
    /// Run/Pause label and every "is it running" display read this).
    pub fn is_running(&self) -> bool {
        self.worker.as_ref().is_some_and(|w| w.status().running())
    }

    /// The reference run's channel name while it runs in lock-step.
    pub fn live_reference(&self) -> Option<&str> {
        let recorded = self.recorded.as_ref().filter(|a| a.reference)?;
        recorded.channels.last().map(String::as_str)
    }

    pub fn blow_up(&self) -> Option<&str> {
        self.blow_up.as_deref()
    }

    /// Names of the recorded channels, as the worker announced them.
    pub fn channel_names(&self) -> &[String] {
        self.recorded
            .as_ref()
            .map_or(&[], |a| a.channels.as_slice())
    }

    /// The model the recorded samples come from.
    pub fn recorded_model(&self) -> Option<&Arc<CompiledModel>> {
        self.recorded.as_ref().map(|a| &a.model)
    }

    /// The central view shown.
    pub fn view(&self) -> crate::ui::View {
        self.view
    }

    /// The timeline strip's state (its selected event).
    pub fn timeline(&self) -> &crate::ui::timeline::TimelinePanel {
        &self.timeline
    }

    /// The opened preset's notes window.
    pub fn notes(&self) -> &crate::ui::notes::NotesWindow {
        &self.notes
    }

    pub fn phase_plane(&self) -> &PhasePlanePanel {
        &self.phase
    }

    pub fn iv_panel(&mut self) -> &mut IvPanel {
        &mut self.iv
    }

    pub fn bifurcation_panel(&mut self) -> &mut crate::ui::bifurcation_panel::BifurcationPanel {
        &mut self.bifurcation
    }

    pub fn map_panel(&mut self) -> &mut crate::ui::map_panel::MapPanel {
        &mut self.map
    }

    pub fn features_panel(&self) -> &crate::ui::features_panel::FeaturesPanel {
        &self.features
    }

    pub fn fi_panel(&mut self) -> &mut FiPanel {
        &mut self.fi
    }

    pub fn equations_panel(&self) -> &crate::ui::equations_panel::EquationsPanel {
        &self.equations
    }

    pub fn gallery_panel(&mut self) -> &mut crate::ui::gallery::GalleryPanel {
        &mut self.gallery
    }

    /// The parameter whose slider was last found from the Equations view.
    pub fn highlighted_param(&self) -> Option<&str> {
        self.params
            .highlight
            .as_ref()
            .map(|(name, _)| name.as_str())
    }

    pub fn compare_panel(&mut self) -> &mut crate::ui::compare_panel::ComparePanel {
        &mut self.compare
    }

    /// Points the plots drew last frame.
    pub fn points_drawn(&self) -> usize {
        self.plots.points_drawn
    }

    pub fn dropped_samples(&self) -> u64 {
        self.worker
            .as_ref()
            .map_or(0, |w| w.status().dropped_samples())
    }

    // ----- deterministic driving (tests, "step N now") -----

    /// Takes `n` steps now, independent of real time.
    pub fn step_now(&mut self, n: u64) {
        self.send(Command::StepN(n));
    }

    /// Waits until the worker has done every command sent so far and its samples are
    /// in the history. Blocking: for tests and scripted use only, never in a frame.
    pub fn sync_worker(&mut self, timeout: Duration) -> bool {
        let id = self.last_pong + 1;
        self.send(Command::Ping(id));
        let start = Instant::now();
        while start.elapsed() < timeout {
            self.flush_outbox();
            self.drain(Duration::from_millis(50));
            if self.last_pong >= id {
                self.drain(Duration::from_secs(1));
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    // ----- worker plumbing -----

    fn send(&mut self, command: Command) {
        self.outbox.push_back(command);
        self.flush_outbox();
    }

    fn flush_outbox(&mut self) {
        let Some(worker) = &self.worker else {
            self.outbox.clear();
            return;
        };
        while let Some(command) = self.outbox.pop_front() {
            match worker.send(command) {
                Ok(()) => {}
                Err((WorkerError::Busy, command)) => {
                    self.outbox.push_front(command);
                    return;
                }
                Err((e, _)) => {
                    self.toasts.error(format!("{e}; restart the program"));
                    self.worker = None;
                    self.outbox.clear();
                    return;
                }
            }
        }
    }

    /// Samples the history keeps at full resolution for `channels` channels at the
    /// recorded run's dt: what the plots' time window shows at once (at least a
    /// second, for the firing rate), within the memory budget.
    fn history_capacity(&self, channels: usize) -> usize {
        capacity_for(
            self.settings.window_ms.max(1000.0),
            self.recorded_dt_ms(),
            channels,
            self.settings.history.budget_mb << 20,
        )
    }

    /// Samples the history's overview covers: the recording's duration, or just
    /// the window when recording is off.
    fn overview_samples(&self) -> usize {
        let duration_ms = if self.settings.recording {
            self.settings.history.duration_s * 1000.0
        } else {
            self.settings.window_ms
        };
        (duration_ms / self.recorded_dt_ms()).ceil().max(1.0) as usize + 1
    }

    fn recorded_dt_ms(&self) -> f64 {
        self.recorded.as_ref().map_or(self.setup.dt_ms, |a| a.dt_ms)
    }

    /// Applies changed window or recording settings to the history.
    pub(super) fn resize_history(&mut self) {
        let capacity = self.history_capacity(self.history.channels());
        self.history.set_capacity(capacity);
        self.history.set_overview_capacity(self.overview_samples());
    }

    /// Moves announcements, samples and events from the ring into the app for at
    /// most `budget`, in the order the worker sent them.
    fn drain(&mut self, budget: Duration) {
        let start = Instant::now();
        loop {
            let Some(packet) = self.worker.as_mut().and_then(Worker::pop) else {
                return;
            };
            match packet {
                Packet::Start(announcement) => self.adopt(*announcement),
                Packet::Samples(block) => {
                    if block.generation == self.history.generation()
                        && block.channels == self.history.channels()
                    {
                        self.history.push_block(&block);
                    }
                }
                Packet::Event(event) => self.handle_event(event),
            }
            if start.elapsed() > budget {
                if let Some(ctx) = &self.ctx {
                    ctx.request_repaint();
                }
                return;
            }
        }
    }

    fn handle_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::BlowUp { variable, t_ms, .. } => {
                let msg = format!(
                    "{variable} became NaN or infinite at t = {t_ms} ms; the run is paused. \
                     Try a smaller dt (now {} ms) or another integrator (now {}), then press R to reset.",
                    self.setup.dt_ms,
                    self.setup.integrator.name()
                );
                self.toasts.error(msg.clone());
                self.blow_up = Some(msg);
            }
            WorkerEvent::ReachedEnd { t_ms, .. } => {
                self.toasts.info(format!(
                    "Paused at the end of the protocol, t = {t_ms} ms. \
                     Run continues past it; Reset (R) replays it."
                ));
            }
            WorkerEvent::Failed(msg) => {
                self.toasts.error(format!("cannot start the run: {msg}"));
            }
            WorkerEvent::Pong(id) => self.last_pong = self.last_pong.max(id),
            WorkerEvent::Session(reply) => self.on_session(*reply),
        }
    }

    /// A new run started in the worker: reset the history to its layout and choose
    /// default plots for its channels (the user's choices survive while the live
    /// model's channels stay the same; the reference's channel joins the membrane plot).
    fn adopt(&mut self, announcement: Announcement) {
        let n_live = announcement.channels.len() - usize::from(announcement.reference);
        let keep = self.plots.assignment.len() >= n_live
            && self.recorded.as_ref().is_some_and(|old| {
                old.channels.get(..n_live) == announcement.channels.get(..n_live)
            });
        if !keep {
            self.plots.assignment =
                default_assignment(&announcement.model, announcement.input.is_some());
        }
        self.plots.assignment.truncate(n_live);
        if announcement.reference {
            self.plots.assignment.push(Some(MEMBRANE));
        }
        self.plots.user_view = false;
        let channels = announcement.channels.len();
        let generation = announcement.generation;
        self.recorded = Some(announcement);
        // A new run starts a new change log: the autosave may ask for it again.
        self.recording_too_long = false;
        let capacity = self.history_capacity(channels);
        let overview = self.overview_samples();
        self.history.clear(generation, channels, capacity, overview);
    }

    /// The setup as it is now, for undo.
    fn snapshot(&self) -> SetupSnapshot {
        SetupSnapshot {
            setup: self.setup.clone(),
            model_file: self.own_model_file.clone(),
        }
    }

    /// Why the live run would be refused after `change` to the current settings
    /// (see [`crate::cli::budget::live_refusal`]), if it would.
    fn live_refusal(&self, change: impl FnOnce(&mut RunSpec)) -> Option<String> {
        let mut next = self.setup.with_events(Vec::new());
        change(&mut next);
        crate::cli::budget::live_refusal(&next)
    }

    /// Records the setup as it is before a change of `what`, as one undo step.
    fn record_setup_undo(&mut self, what: &'static str) {
        let before = self.snapshot();
        let now_s = self.started.elapsed().as_secs_f64();
        self.undo.record_setup(what, before, now_s);
    }

    /// Replaces the whole setup (model switch, preset load) after validating it, as
    /// one undo step.
    fn start_setup(&mut self, setup: RunSpec) -> bool {
        if let Err(e) = setup.resolve() {
            self.toasts.error(e.to_string());
            return false;
        }
        if let Some(why) = crate::cli::budget::live_refusal(&setup.with_events(Vec::new())) {
            self.toasts.error(format!("not opened: {why}"));
            return false;
        }
        self.record_setup_undo("setup");
        self.load_setup(setup)
    }

    /// Brings back a setup from undo or redo: edits in place when only parameters,
    /// the integrator, initial values, stimuli or the end differ; otherwise restarts.
    fn restore_snapshot(&mut self, snapshot: SetupSnapshot) {
        let SetupSnapshot { setup, model_file } = snapshot;
        let old = &self.setup;
        let in_place = Arc::ptr_eq(&setup.model, &old.model)
            && setup.dt_ms.to_bits() == old.dt_ms.to_bits()
            && setup.seed == old.seed;
        if !in_place {
            if self.load_setup(setup) {
                self.own_model_file = model_file.clone();
                self.settings.model_file = model_file;
            }
            return;
        }
        for (i, &v) in setup.parameters.iter().enumerate() {
            if v.to_bits() != self.setup.parameters[i].to_bits() {
                self.set_param(i, v, false);
            }
        }
        if setup.integrator != self.setup.integrator {
            self.setup.integrator = setup.integrator;
            self.send(Command::SetIntegrator(setup.integrator));
        }
        if setup.initial != self.setup.initial {
            self.setup.initial = setup.initial.clone();
            self.send(Command::SetInitial(self.setup.initial.clone()));
        }
        if setup.stimuli != self.setup.stimuli {
            self.set_stimuli(setup.stimuli.clone());
        }
        if !Arc::ptr_eq(&setup.events, &self.setup.events) && setup.events != self.setup.events {
            self.setup.events = Arc::clone(&setup.events);
            self.send(Command::SetEvents(Arc::clone(&setup.events)));
        }
        if (setup.duration_ms, setup.pause_at_end)
            != (self.setup.duration_ms, self.setup.pause_at_end)
        {
            self.setup.duration_ms = setup.duration_ms;
            self.setup.pause_at_end = setup.pause_at_end;
            self.send(Command::SetEnd(self.setup.end_ms()));
        }
    }

    /// Starts the worker on `setup` (already validated by the caller, checked again).
    fn load_setup(&mut self, setup: RunSpec) -> bool {
        let resolved = match setup.resolve() {
            Ok(r) => r,
            Err(e) => {
                self.toasts.error(e.to_string());
                return false;
            }
        };
        if builtin(setup.model.id()).is_some() {
            self.own_model_file = None;
            self.settings.model_file = None;
        }
        // A running run plays the new one (the worker keeps running across a load):
        // follow it.
        if self.is_running() {
            self.plots.user_view = false;
        }
        self.setup = setup;
        self.stimulus.draft = self.setup.stimuli.clone();
        self.stimulus.error = None;
        self.blow_up = None;
        self.send(Command::Load(Box::new(resolved)));
        self.send(Command::SetEnd(self.setup.end_ms()));
        true
    }

    /// Runs the Compare tab's reference beside the live model (or stops it): fed the
    /// same input every step, its v overlaid on the membrane plot. Restarts the run
    /// (running on if it ran).
    fn set_live_reference(&mut self, on: bool) {
        if !on {
            if self.live_reference {
                self.live_reference = false;
                self.send(Command::SetCompanion(None));
            }
        } else {
            let Some(path) = self.compare.reference_path.clone() else {
                return self
                    .toasts
                    .error("choose a reference preset in the Compare tab first");
            };
            match crate::io::preset::load_resolved(&path, None) {
                Ok(r) => {
                    // The reference is fed the live drive's numbers unchanged (each
                    // model's own drive parameter: "").
                    if let Some(w) = crate::analysis::compare::drive_unit_warning(
                        &r.model,
                        &self.setup.model,
                        "",
                        None,
                    ) {
                        self.toasts.error(format!("live reference: {w}"));
                    }
                    self.live_reference = true;
                    self.send(Command::SetCompanion(Some(Box::new(r))));
                }
                Err(e) => self.toasts.error(e.to_string()),
            }
        }
    }

    fn set_param(&mut self, index: usize, value: f64, record_undo: bool) {
        let Some(old) = self.setup.parameters.get(index).copied() else {
            return;
        };
        if !value.is_finite() {
            return;
        }
        self.setup.parameters[index] = value;
        self.send(Command::SetParam { index, value });
        if record_undo {
            self.warn_if_an_event_overrides(index);
            let now_s = self.started.elapsed().as_secs_f64();
            self.undo.record(
                vec![ParamEdit {
                    index,
                    before: old,
                    after: value,
                }],
                now_s,
            );
        }
    }

    /// A slider edit that one of the preset's later events will undo is said once
    /// per parameter (not per frame of a drag), so the change is not silently lost.
    fn warn_if_an_event_overrides(&mut self, index: usize) {
        let name = &self.setup.model.desc.parameters[index].name;
        let now_ms = self
            .history
            .t_ms()
            .iter()
            .next_back()
            .copied()
            .unwrap_or(0.0);
        let next = self
            .setup
            .events
            .iter()
            .filter(|e| e.t_ms > now_ms && (e.set.contains_key(name) || e.add.contains_key(name)))
            .min_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
        let Some(event) = next else {
            return;
        };
        if self.warned_override == Some(index) {
            return;
        }
        self.warned_override = Some(index);
        let how = if event.set.contains_key(name) {
            "sets"
        } else {
            "adds to"
        };
        self.toasts.info(format!(
            "{name}: the preset's event at t = {} ms {how} {name}; this change holds until then",
            event.t_ms
        ));
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let files = ctx.input(|i| i.raw.dropped_files.clone());
        for f in files {
            let path = f.path().to_owned();
            if path.is_file() {
                if path.extension().is_some_and(|e| e == "neuron") {
                    self.open_model_file(&path);
                } else {
                    self.open_preset(&path);
                }
                continue;
            }
            match f.bytes() {
                Ok(bytes) => self.open_preset_bytes(&path.display().to_string(), &bytes),
                Err(e) => self.toasts.error(format!(
                    "{}: cannot read the dropped file: {e}",
                    path.display()
                )),
            }
        }
    }

    fn status_line(&self) -> StatusLine {
        let status = self.worker.as_ref().map(Worker::status);
        let span = self.history.recorded_span().map_or(0.0, |(a, b)| b - a);
        StatusLine {
            t_ms: self.history.time_span().map_or(0.0, |(_, t)| t),
            achieved_speed: status.map_or(0.0, |s| s.achieved_speed()),
            running: self.is_running(),
            dt_ms: self.setup.dt_ms,
            integrator: self.setup.integrator.name(),
            rate_hz: self
                .history
                .firing_rate_hz(1000.0)
                .filter(|_| self.setup.model.has_spike()),
            dropped_samples: status.map_or(0, |s| s.dropped_samples()),
            history_ms: span,
            history_wrapped: self.history.overview().wrapped,
            recording: self.settings.recording,
            blow_up: self.blow_up.clone(),
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.flush_outbox();
        // A backlog (slow frames, startup) earns a bigger budget before the ring overflows.
        let backlog = self.worker.as_ref().map_or(0, Worker::pending_blocks);
        let budget = if backlog > crate::sim::worker::RING_BLOCKS / 4 {
            DRAIN_BUDGET * 4
        } else {
            DRAIN_BUDGET
        };
        self.drain(budget);
        self.dropped_files(ctx);
        self.finish_png();
        self.poll_jobs();
        self.autosave_tick(false);
        self.lesson_tick();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let title = self.window_title();
        if title != self.shown_title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
        self.sync_display(ui.ctx());
        let escape_wanted = self.focus || self.help_open;
        let mut intents = crate::ui::shortcuts::shortcut_intents(ui.ctx(), escape_wanted);
        self.frame_ui(ui, &mut intents);
        crate::ui::help::help_ui(ui.ctx(), self.help_open, &mut intents);
        self.file_dialog_ui(ui.ctx());
        self.restore_ui(ui.ctx());
        for intent in intents {
            self.apply(intent);
        }
    }

    /// Called by eframe every 30 s and on exit: the settings go to the app's own
    /// file, atomically; eframe's storage is left untouched so it never writes.
    fn save(&mut self, _storage: &mut dyn eframe::Storage) {
        if let Some(ctx) = &self.ctx {
            let size = ctx.input(|i| i.viewport().inner_rect.map(|r| r.size()));
            if let Some(size) = size {
                self.settings.window_size = Some([size.x, size.y]);
            }
        }
        let Some(path) = &self.settings_path else {
            return;
        };
        if let Err(e) = settings_store::save(path, &self.settings) {
            log::warn!("{e}");
            self.toasts.error(e);
        }
    }

    /// egui's memory (panel sizes, open headers) would make eframe write app.ron.
    fn persist_egui_memory(&self) -> bool {
        false
    }

    fn on_exit(&mut self) {
        self.autosave_tick(true);
    }
}

mod autosave;
mod dialogs;
mod display;
mod edits;
mod export_file;
mod export_job;
mod files;
mod intents;
mod interop;
mod job_routes;
pub mod jobs;
mod layout;
mod lesson;
pub mod logger;
mod recorded_reference;
mod settings_store;
