//! The background simulation thread that feeds the GUI.
//!
//! Data flows one way: the UI sends [`Command`]s through a bounded channel; the
//! thread owns a [`Session`] (engine + preset events + stimuli, exactly as the CLI
//! runs it), paces itself to real time × speed and pushes recorded samples in
//! fixed-size [`Block`]s into a lock-free SPSC ring (`rtrb`). The worker alone
//! decides when a new run (a *generation*) starts: it then sends an
//! [`Announcement`] (generation, model, channel names and roles, dt) through the same
//! ring, in order before that run's first samples, and the UI resets its history when
//! the announcement arrives — the UI never predicts the worker. Rare events
//! (blow-ups, the protocol's end, sync replies) travel in the ring too, in order with
//! the data before them. Status ("latest value wins") goes through atomics and
//! belongs to the current generation.
//!
//! The thread never blocks on the UI: in real-time mode a full ring drops the block
//! and counts the samples. Only explicit `StepN` (tests, "step N now") and the
//! as-fast-as-possible mode wait for room, which is back-pressure, not a stall.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::model::CompiledModel;
use crate::sim::Integrator;
use crate::sim::run::Event;
use crate::sim::run::RunSpec;
use crate::sim::session::Session;
use crate::sim::session::{event_step, steps_for, stimulus_players, time_label};
use crate::sim::stimulus::Stimulus;

/// Values per block (samples × channels); a block is about 34 KB.
pub const BLOCK_VALUES: usize = 4096;
/// Upper bound of samples per block, so that blocks stay small for few channels.
pub const BLOCK_SAMPLES: usize = 128;
/// Blocks the ring holds (about 17 MB): half a second of the largest model at 1×
/// and dt 0.01 ms, so a slow frame or two loses nothing.
pub const RING_BLOCKS: usize = 512;
/// Compute time per pacing slice, so commands are picked up promptly.
const SLICE: Duration = Duration::from_millis(8);
/// If the worker falls further behind than this (wall time), it forgets the debt.
const MAX_LAG: Duration = Duration::from_millis(250);
/// The UI is asked to repaint this long after new data, capping it near 60 fps.
const REPAINT_AFTER: Duration = Duration::from_millis(15);

/// Recorded samples of one generation: `len` samples of `channels` values each.
#[derive(Clone, Copy)]
pub struct Block {
    pub generation: u64,
    pub channels: usize,
    pub len: usize,
    pub t_ms: [f64; BLOCK_SAMPLES],
    pub spike: [bool; BLOCK_SAMPLES],
    pub values: [f64; BLOCK_VALUES],
}

impl Block {
    fn empty(generation: u64, channels: usize) -> Self {
        Self {
            generation,
            channels,
            len: 0,
            t_ms: [0.0; BLOCK_SAMPLES],
            spike: [false; BLOCK_SAMPLES],
            values: [0.0; BLOCK_VALUES],
        }
    }

    fn capacity(&self) -> usize {
        (BLOCK_VALUES / self.channels.max(1)).min(BLOCK_SAMPLES)
    }

    /// The channel values of sample `k`.
    pub fn sample(&self, k: usize) -> &[f64] {
        &self.values[k * self.channels..(k + 1) * self.channels]
    }
}

/// A new run's layout, sent before its first samples.
#[derive(Clone, Debug)]
pub struct Announcement {
    pub generation: u64,
    /// The model the samples come from (the UI's setup may already be ahead of it).
    pub model: Arc<CompiledModel>,
    /// One name per recorded channel: the variables in model order, then the
    /// applied input parameter (if any), then the reference run's variable (if any).
    pub channels: Vec<String>,
    /// The parameter recorded after the variables (see [`input_param`]).
    pub input: Option<usize>,
    /// Whether the last channel is the reference run's.
    pub reference: bool,
    pub dt_ms: f64,
}

/// What travels from the worker to the UI, in order.
// Blocks travel by value: the ring's slots are allocated once, so the worker
// allocates nothing per block; the rare announcements are boxed instead.
#[allow(clippy::large_enum_variant)]
pub enum Packet {
    Start(Box<Announcement>),
    Samples(Block),
    Event(WorkerEvent),
}

/// The recorded channels: every model variable in model order, then the effective
/// value of the input parameter (see [`input_param`]) if the model has one.
pub fn channel_count(model: &CompiledModel, stimuli: &[Stimulus]) -> usize {
    model.vars.len() + usize::from(input_param(model, stimuli).is_some())
}

/// The parameter shown as "stimulus": the first stimulus target, else the model's
/// drive parameter.
pub fn input_param(model: &CompiledModel, stimuli: &[Stimulus]) -> Option<usize> {
    stimuli
        .iter()
        .find_map(|s| model.param_index(&s.target))
        .or_else(|| model.drive_param())
}

/// Whether replacing the stimuli changes the recorded channels, which starts a new
/// generation (announced to the UI like any other).
pub fn stimuli_change_bumps(model: &CompiledModel, old: &[Stimulus], new: &[Stimulus]) -> bool {
    input_param(model, old) != input_param(model, new)
}

/// A duration that `steps_for` turns back into exactly `steps` at `dt_ms`.
pub fn duration_for_steps(steps: u64, dt_ms: f64) -> f64 {
    let mut t = time_label(steps, dt_ms);
    // Round-off can put the label a hair above the last step: step down to it.
    while steps_for(t, dt_ms) > steps && t > 0.0 {
        t = f64::from_bits(t.to_bits() - 1);
    }
    while steps_for(t, dt_ms) < steps {
        t = f64::from_bits(t.to_bits() + 1);
    }
    t
}

/// What the UI asks of the simulation thread.
#[derive(Debug)]
pub enum Command {
    /// Start over with this run description (new model or preset); bumps the generation.
    Load(Box<RunSpec>),
    /// Back to t = 0 with the current parameters; bumps the generation.
    Reset,
    Run(bool),
    SingleStep,
    /// Take `n` steps now, whatever the pacing, waiting for ring space (lossless).
    StepN(u64),
    /// Simulated ms per wall ms; `f64::INFINITY` = as fast as possible.
    SetSpeed(f64),
    SetParam {
        index: usize,
        value: f64,
    },
    /// Adds to a variable now (AMPA/GABA kicks).
    AddVar {
        index: usize,
        delta: f64,
    },
    /// Initial values used at the next reset.
    SetInitial(Vec<Option<f64>>),
    /// Changes dt; restarts the run (preset events are scheduled in steps). Bumps the generation.
    SetDt(f64),
    SetIntegrator(Integrator),
    /// Changes the seed; restarts the run so the random streams start over. Bumps the generation.
    SetSeed(u32),
    SetStimuli(Vec<Stimulus>),
    /// Run this preset's model alongside, in lock-step, as a reference: it gets the
    /// live run's input parameter (same name) every step, its own events and
    /// stimuli are dropped, and its `v` is recorded as one more channel. Restarts
    /// both from t = 0; bumps the generation. `None` removes it. The input's
    /// numbers pass unchanged: where the two models' drive units differ, the app
    /// warns (`analysis::compare::drive_unit_warning`) when the reference starts.
    SetCompanion(Option<Box<RunSpec>>),
    /// Pause a running simulation when it reaches this time in ms (the end of a
    /// preset's protocol), once per generation; `None` runs on.
    SetEnd(Option<f64>),
    /// Replaces the run's timed events from the current step on (the timeline):
    /// events at or after it act, earlier ones are past. Logged, so a saved session
    /// replays the events that acted before the edit and the new ones after it.
    SetEvents(Arc<Vec<Event>>),
    /// Answered with [`WorkerEvent::Pong`] once every earlier command is done.
    Ping(u64),
    /// Answered with [`WorkerEvent::Session`]: the current run as a preset whose
    /// events replay every change made to it, up to now.
    DescribeSession(u64),
}

/// Changes logged per run at most; past this a session can no longer be replayed
/// exactly (a slider dragged for hours), and the worker says so once.
pub const MAX_LOGGED_CHANGES: usize = 1_000_000;

impl Command {
    /// Whether a running run goes on running into the generation this command
    /// starts: a reset, a new run or reference (a click on a preset in class plays
    /// it); a dt or seed change pauses.
    fn keeps_running(&self) -> bool {
        matches!(
            self,
            Command::Load(_) | Command::Reset | Command::SetCompanion(_)
        )
    }

    /// Whether the worker starts a new generation on this command.
    fn bumps_generation(&self) -> bool {
        matches!(
            self,
            Command::Load(_)
                | Command::Reset
                | Command::SetDt(_)
                | Command::SetSeed(_)
                | Command::SetCompanion(_)
        )
    }
}

/// Rare messages from the worker, in order with the data before them.
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// A variable became NaN or infinite; the run is paused.
    BlowUp {
        generation: u64,
        variable: String,
        t_ms: f64,
    },
    /// A running simulation reached the end set by [`Command::SetEnd`] and paused.
    ReachedEnd {
        generation: u64,
        t_ms: f64,
    },
    /// The run description could not be started.
    Failed(String),
    Pong(u64),
    /// Reply to [`Command::DescribeSession`].
    Session(Box<SessionReply>),
}

/// The current run as a replayable preset (see [`Command::DescribeSession`]).
#[derive(Debug, Clone)]
pub struct SessionReply {
    pub id: u64,
    pub generation: u64,
    /// The run as it started, with the logged changes first among its events (a
    /// change made before step k acts before the preset's own events at step k, as
    /// it did live), and `duration_ms` ending at the current step.
    pub run: RunSpec,
    /// Steps taken so far; `neuron-explorer run` on the preset takes exactly these.
    pub steps: u64,
    /// False when the change log overflowed and the replay would differ.
    pub complete: bool,
}

/// "Latest value wins" status, written by the worker, read by the UI without locks.
#[derive(Default, Debug)]
pub struct Status {
    t_ms_bits: AtomicU64,
    achieved_speed_bits: AtomicU64,
    dropped_samples: AtomicU64,
    running: AtomicBool,
}

impl Status {
    pub fn t_ms(&self) -> f64 {
        f64::from_bits(self.t_ms_bits.load(Ordering::Relaxed))
    }

    /// Simulated time per wall time over the last half second.
    pub fn achieved_speed(&self) -> f64 {
        f64::from_bits(self.achieved_speed_bits.load(Ordering::Relaxed))
    }

    /// Samples of the current generation dropped because the UI did not drain the
    /// ring in time (reset when a new generation starts).
    pub fn dropped_samples(&self) -> u64 {
        self.dropped_samples.load(Ordering::Relaxed)
    }

    pub fn running(&self) -> bool {
        self.running.load(Ordering::Relaxed)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("cannot start the simulation thread: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("the simulation thread has stopped")]
    Gone,
    #[error("the simulation thread is busy")]
    Busy,
}

/// The UI's handle to the simulation thread; joins it on drop.
pub struct Worker {
    commands: SyncSender<Command>,
    packets: rtrb::Consumer<Packet>,
    status: Arc<Status>,
    shutdown: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread on `preset` (paused). `repaint` is woken when data arrives.
    pub fn spawn(preset: RunSpec, repaint: Option<egui::Context>) -> Result<Self, WorkerError> {
        let (commands, command_rx) = sync_channel(256);
        let (producer, packets) = rtrb::RingBuffer::new(RING_BLOCKS);
        let status = Arc::new(Status::default());
        let shutdown = Arc::new(AtomicBool::new(false));
        let mut state = Loop {
            session: None,
            preset,
            started: None,
            log: Vec::new(),
            acted_events: Vec::new(),
            log_overflowed: false,
            generation: 0,
            channels: 0,
            input: None,
            block: Box::new(Block::empty(0, 1)),
            producer,
            status: Arc::clone(&status),
            shutdown: Arc::clone(&shutdown),
            repaint,
            running: false,
            companion_preset: None,
            companion: None,
            end_ms: None,
            end_step: None,
            speed: 1.0,
            anchor: (Instant::now(), 0.0),
            speed_window: (Instant::now(), 0.0),
        };
        let thread = std::thread::Builder::new()
            .name("sim-worker".into())
            .spawn(move || {
                state.restart();
                state.run(&command_rx);
            })?;
        Ok(Self {
            commands,
            packets,
            status,
            shutdown,
            thread: Some(thread),
        })
    }

    /// Queues a command without blocking; `Busy` means the queue is full (retry later).
    pub fn send(&self, command: Command) -> Result<(), (WorkerError, Command)> {
        self.commands.try_send(command).map_err(|e| match e {
            TrySendError::Full(c) => (WorkerError::Busy, c),
            TrySendError::Disconnected(c) => (WorkerError::Gone, c),
        })
    }

    /// The next announcement, block of samples or event, in the order sent.
    pub fn pop(&mut self) -> Option<Packet> {
        self.packets.pop().ok()
    }

    /// Packets waiting in the ring.
    pub fn pending_blocks(&self) -> usize {
        self.packets.slots()
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn is_alive(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shutdown.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's state.
struct Loop {
    session: Option<Session>,
    /// The current run description, kept up to date with edits so a reset replays it.
    preset: RunSpec,
    /// The run description as the current generation started, and every change
    /// made to that run since, as preset events (so the run can be replayed).
    started: Option<RunSpec>,
    log: Vec<Event>,
    /// The timed events this run has acted on and will act on: the started run's,
    /// with every timeline edit spliced in at the step it was made.
    acted_events: Vec<Event>,
    log_overflowed: bool,
    generation: u64,
    channels: usize,
    input: Option<usize>,
    block: Box<Block>,
    producer: rtrb::Producer<Packet>,
    status: Arc<Status>,
    shutdown: Arc<AtomicBool>,
    repaint: Option<egui::Context>,
    running: bool,
    /// The reference run in lock-step (see [`Command::SetCompanion`]).
    companion_preset: Option<RunSpec>,
    companion: Option<Companion>,
    /// Where a running simulation pauses (see [`Command::SetEnd`]), and that time as
    /// a step index at the current dt.
    end_ms: Option<f64>,
    end_step: Option<u64>,
    /// Simulated ms per wall ms.
    speed: f64,
    /// (wall instant, simulated ms) that pacing counts from.
    anchor: (Instant, f64),
    /// Start of the window over which the achieved speed is measured.
    speed_window: (Instant, f64),
}

impl Loop {
    fn run(&mut self, commands: &Receiver<Command>) {
        loop {
            if self.shutdown.load(Ordering::Relaxed) {
                return;
            }
            let wait = if self.running {
                self.advance()
            } else {
                Duration::from_millis(50)
            };
            match commands.recv_timeout(wait) {
                Ok(command) => {
                    self.handle(command);
                    while let Ok(command) = commands.try_recv() {
                        self.handle(command);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn handle(&mut self, command: Command) {
        let bumps = command.bumps_generation();
        let resume = command.keeps_running() && self.running;
        match command {
            Command::Load(preset) => self.preset = *preset,
            Command::Reset => {}
            Command::Run(on) => self.set_running(on),
            Command::SingleStep => self.step_n(1),
            Command::StepN(n) => self.step_n(n),
            Command::SetSpeed(speed) => {
                self.speed = if speed > 0.0 { speed } else { 1.0 };
                self.reanchor();
            }
            Command::SetParam { index, value } => {
                if let Some(p) = self.preset.parameters.get_mut(index) {
                    *p = value;
                    if let Some(s) = &mut self.session {
                        s.set_param(index, value);
                    }
                    let name = self.preset.model.desc.parameters[index].name.clone();
                    self.log_change(Event {
                        set: [(name, value)].into(),
                        ..Event::default()
                    });
                }
            }
            Command::AddVar { index, delta } => {
                if let Some(s) = &mut self.session
                    && index < s.engine.model().vars.len()
                {
                    let v = s.engine.var(index, 0);
                    s.engine.set_var(index, 0, v + delta);
                    let name = s.engine.model().vars[index].name.clone();
                    self.log_change(Event {
                        add: [(name, delta)].into(),
                        ..Event::default()
                    });
                }
            }
            Command::SetInitial(initial) => self.preset.initial = initial,
            Command::SetDt(dt_ms) => self.preset.dt_ms = dt_ms,
            Command::SetIntegrator(integrator) => {
                self.preset.integrator = integrator;
                if let Some(s) = &mut self.session {
                    s.engine.set_integrator(integrator);
                }
                self.log_change(Event {
                    integrator: Some(integrator.name().to_owned()),
                    ..Event::default()
                });
            }
            Command::SetSeed(seed) => self.preset.seed = seed,
            Command::SetStimuli(stimuli) => self.set_stimuli(stimuli),
            Command::SetEvents(events) => self.set_events(events),
            Command::SetCompanion(preset) => self.companion_preset = preset.map(|p| *p),
            Command::SetEnd(end_ms) => {
                self.end_ms = end_ms;
                self.refresh_end_step();
            }
            Command::Ping(id) => {
                self.flush(true);
                self.send_in_order(Packet::Event(WorkerEvent::Pong(id)));
            }
            Command::DescribeSession(id) => {
                self.flush(true);
                if let Some(reply) = self.describe_session(id) {
                    self.send_in_order(Packet::Event(WorkerEvent::Session(Box::new(reply))));
                }
            }
        }
        if bumps {
            self.generation += 1;
            self.restart();
            if resume {
                self.set_running(true);
            }
        }
    }

    fn set_running(&mut self, on: bool) {
        self.running = on && self.session.is_some();
        self.status.running.store(self.running, Ordering::Relaxed);
        self.reanchor();
    }

    /// A fresh session from the current run description, paused at t = 0.
    fn restart(&mut self) {
        self.running = false;
        self.refresh_end_step();
        self.status.running.store(false, Ordering::Relaxed);
        self.input = input_param(&self.preset.model, &self.preset.stimuli);
        let companion = self.companion_preset.as_ref().map(|p| {
            Companion::new(p, &self.preset, self.input)
                .map_err(|e| WorkerEvent::Failed(format!("the reference run: {e}")))
        });
        self.companion = match companion {
            Some(Ok(c)) => Some(c),
            Some(Err(event)) => {
                self.send_in_order(Packet::Event(event));
                None
            }
            None => None,
        };
        self.channels = self.channel_count(&self.preset.stimuli);
        *self.block = Block::empty(self.generation, self.channels);
        self.announce();
        self.started = Some(self.preset.clone());
        self.acted_events = Vec::clone(&self.preset.events);
        self.log.clear();
        self.log_overflowed = false;
        match Session::new(&self.preset, 1) {
            Ok(session) => {
                self.session = Some(session);
                self.record(false);
                self.flush(true);
            }
            Err(e) => {
                self.session = None;
                self.send_in_order(Packet::Event(WorkerEvent::Failed(e.to_string())));
            }
        }
        self.status
            .t_ms_bits
            .store(0f64.to_bits(), Ordering::Relaxed);
        self.reanchor();
    }

    fn set_stimuli(&mut self, stimuli: Vec<Stimulus>) {
        let model = Arc::clone(&self.preset.model);
        let players = stimulus_players(&model, &stimuli, self.preset.seed);
        self.log_change(Event {
            stimuli: Some(stimuli.clone()),
            ..Event::default()
        });
        let bumps = stimuli_change_bumps(&model, &self.preset.stimuli, &stimuli);
        let channels = self.channel_count(&stimuli);
        let input = input_param(&model, &stimuli);
        self.preset.stimuli = stimuli;
        if let Some(s) = &mut self.session {
            s.set_stimuli(players);
        }
        if bumps {
            // The channel layout changed: start a new generation from the current state.
            self.flush(true);
            self.generation += 1;
            self.channels = channels;
            self.input = input;
            *self.block = Block::empty(self.generation, channels);
            self.announce();
            self.record(false);
        }
    }

    /// New timed events from the current step on; the reset replays them all.
    fn set_events(&mut self, events: Arc<Vec<Event>>) {
        let dt_ms = self.preset.dt_ms;
        if let Some(session) = &mut self.session {
            session.set_events(&events);
            // Events before this step have acted (the old ones) or never will (the
            // new ones): a replay needs the old past and the new future.
            let now = session.engine.step_index();
            let acts_from_now = |e: &Event| event_step(e.t_ms, dt_ms) >= now;
            self.acted_events.retain(|e| !acts_from_now(e));
            self.acted_events
                .extend(events.iter().filter(|e| acts_from_now(e)).cloned());
        }
        self.preset.events = events;
    }

    /// Logs a change made to the running session now, before the next step.
    fn log_change(&mut self, mut event: Event) {
        let Some(session) = &self.session else { return };
        if self.log.len() >= MAX_LOGGED_CHANGES {
            self.log_overflowed = true;
            return;
        }
        let e = &session.engine;
        event.t_ms = time_label(e.step_index(), e.dt_ms());
        self.log.push(event);
    }

    /// The current run as a replayable preset (see [`SessionReply`]).
    fn describe_session(&self, id: u64) -> Option<SessionReply> {
        let started = self.started.as_ref()?;
        let steps = self.session.as_ref()?.engine.step_index();
        // Logged changes first: within a step, events act in list order.
        let events = self
            .log
            .iter()
            .cloned()
            .chain(self.acted_events.iter().cloned())
            .collect();
        let mut run = started.with_events(events);
        run.duration_ms = duration_for_steps(steps, started.dt_ms);
        Some(SessionReply {
            id,
            generation: self.generation,
            run,
            steps,
            complete: !self.log_overflowed,
        })
    }

    /// The end as a step index at the current dt, so the per-step test is a compare.
    fn refresh_end_step(&mut self) {
        self.end_step = self.end_ms.map(|t| steps_for(t, self.preset.dt_ms));
    }

    /// The live model's channels plus the reference's.
    fn channel_count(&self, stimuli: &[Stimulus]) -> usize {
        channel_count(&self.preset.model, stimuli) + usize::from(self.companion.is_some())
    }

    fn reanchor(&mut self) {
        let t = self.session.as_ref().map_or(0.0, |s| s.engine.time_ms());
        self.anchor = (Instant::now(), t);
        self.speed_window = (Instant::now(), t);
    }

    /// Steps due by the pacing; returns how long to wait before the next slice.
    fn advance(&mut self) -> Duration {
        let Some(session) = &self.session else {
            self.running = false;
            return Duration::from_millis(50);
        };
        let dt_ms = session.engine.dt_ms();
        let start = Instant::now();
        let lossless = self.speed.is_infinite();
        if lossless {
            while start.elapsed() < SLICE && self.running && self.producer.slots() > 1 {
                self.steps(256, true);
            }
        } else {
            let behind = start.duration_since(self.anchor.0);
            let target_t = self.anchor.1 + behind.as_secs_f64() * 1000.0 * self.speed;
            let t_now = session.engine.time_ms();
            let due = ((target_t - t_now) / dt_ms).floor();
            if due * dt_ms / self.speed > MAX_LAG.as_secs_f64() * 1000.0 {
                // Too slow for this speed: drop the debt instead of spiralling.
                self.anchor = (start, t_now);
            }
            let mut left = due.max(0.0) as u64;
            while left > 0 && self.running && start.elapsed() < SLICE {
                let n = left.min(256);
                self.steps(n, false);
                left -= n;
            }
        }
        self.flush(lossless);
        self.update_status();
        if !self.running {
            return Duration::ZERO;
        }
        if lossless {
            return if self.producer.slots() > 1 {
                Duration::ZERO
            } else {
                Duration::from_millis(2)
            };
        }
        // Sleep until the next step is due, but wake at least every few ms for commands.
        let step_wall = Duration::from_secs_f64((dt_ms / self.speed / 1000.0).clamp(0.0, 0.01));
        step_wall.max(Duration::from_millis(1))
    }

    fn update_status(&mut self) {
        let Some(session) = &self.session else { return };
        let t = session.engine.time_ms();
        self.status.t_ms_bits.store(t.to_bits(), Ordering::Relaxed);
        let elapsed = self.speed_window.0.elapsed();
        if elapsed >= Duration::from_millis(500) {
            let speed = (t - self.speed_window.1) / (elapsed.as_secs_f64() * 1000.0);
            self.status
                .achieved_speed_bits
                .store(speed.to_bits(), Ordering::Relaxed);
            self.speed_window = (Instant::now(), t);
        }
    }

    /// Takes `n` steps immediately, without losing samples.
    fn step_n(&mut self, n: u64) {
        let mut left = n;
        while left > 0 && self.session.is_some() {
            let chunk = left.min(4096);
            if self.steps(chunk, true) {
                break;
            }
            left -= chunk;
        }
        self.flush(true);
        self.update_status();
        self.reanchor();
    }

    /// Steps and records; returns true on a blow-up (which pauses the run).
    fn steps(&mut self, n: u64, lossless: bool) -> bool {
        for _ in 0..n {
            let Some(session) = &mut self.session else {
                return true;
            };
            let spikes = session.step();
            let bad = session.engine.first_non_finite();
            let at_end = self.end_step == Some(session.engine.step_index());
            let companion_bad = self.companion.as_mut().and_then(|c| c.follow(session));
            self.record_lossy(spikes > 0, lossless);
            if let Some((var, _lane)) = bad {
                self.blow_up(var);
                return true;
            }
            if let Some(variable) = companion_bad {
                self.pause_and_report(WorkerEvent::BlowUp {
                    generation: self.generation,
                    variable,
                    t_ms: self.session.as_ref().map_or(0.0, |s| s.engine.time_ms()),
                });
                return true;
            }
            if at_end && self.running {
                self.reach_end();
                return true;
            }
        }
        false
    }

    fn blow_up(&mut self, var: usize) {
        let Some(session) = &self.session else { return };
        let variable = session
            .engine
            .model()
            .vars
            .get(var)
            .map_or_else(|| format!("#{var}"), |v| v.name.clone());
        let t_ms = session.engine.time_ms();
        self.pause_and_report(WorkerEvent::BlowUp {
            generation: self.generation,
            variable,
            t_ms,
        });
    }

    fn reach_end(&mut self) {
        let Some(session) = &self.session else { return };
        let t_ms = session.engine.time_ms();
        self.pause_and_report(WorkerEvent::ReachedEnd {
            generation: self.generation,
            t_ms,
        });
    }

    /// Pauses after sending every sample so far, then tells the UI why.
    fn pause_and_report(&mut self, event: WorkerEvent) {
        self.flush(true);
        self.running = false;
        self.status.running.store(false, Ordering::Relaxed);
        self.update_status();
        self.send_in_order(Packet::Event(event));
    }

    /// Tells the UI that a new generation starts, with its channel layout; its drop
    /// counter starts from zero.
    fn announce(&mut self) {
        self.status.dropped_samples.store(0, Ordering::Relaxed);
        let model = Arc::clone(&self.preset.model);
        let mut channels: Vec<String> = model.vars.iter().map(|v| v.name.clone()).collect();
        if let Some(p) = self.input {
            channels.push(format!("{} (applied)", model.desc.parameters[p].name));
        }
        if let Some(c) = &self.companion {
            channels.push(c.channel_name());
        }
        let announcement = Announcement {
            generation: self.generation,
            model,
            channels,
            input: self.input,
            reference: self.companion.is_some(),
            dt_ms: self.preset.dt_ms,
        };
        self.send_in_order(Packet::Start(Box::new(announcement)));
    }

    /// Pushes a packet that must not be lost (announcements, events), waiting for
    /// room like a lossless flush.
    fn send_in_order(&mut self, packet: Packet) {
        let mut packet = packet;
        loop {
            match self.producer.push(packet) {
                Ok(()) => break,
                Err(rtrb::PushError::Full(p)) => packet = p,
            }
            if self.producer.is_abandoned() || self.shutdown.load(Ordering::Relaxed) {
                return;
            }
            if let Some(ctx) = &self.repaint {
                ctx.request_repaint();
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        if let Some(ctx) = &self.repaint {
            ctx.request_repaint();
        }
    }

    fn record_lossy(&mut self, spike: bool, lossless: bool) {
        self.record(spike);
        if self.block.len == self.block.capacity() {
            self.flush(lossless);
        }
    }

    /// Appends the current state to the pending block.
    fn record(&mut self, spike: bool) {
        let Some(session) = &self.session else { return };
        let e = &session.engine;
        let b = &mut *self.block;
        let k = b.len;
        if (k + 1) * b.channels > BLOCK_VALUES {
            return;
        }
        b.t_ms[k] = time_label(e.step_index(), e.dt_ms());
        b.spike[k] = spike;
        let row = &mut b.values[k * b.channels..(k + 1) * b.channels];
        let n_vars = e.model().vars.len();
        for (i, slot) in row.iter_mut().enumerate().take(n_vars) {
            *slot = e.var(i, 0);
        }
        if let Some(p) = self.input {
            row[n_vars] = e.param(p, 0);
        }
        if let Some(c) = &self.companion
            && let Some(last) = row.last_mut()
        {
            *last = c.session.engine.var(c.var, 0);
        }
        b.len += 1;
    }

    /// Sends the pending block; `lossless` waits for room, otherwise a full ring drops it.
    fn flush(&mut self, lossless: bool) {
        if self.block.len == 0 {
            return;
        }
        loop {
            if !self.producer.is_full() {
                let _ = self.producer.push(Packet::Samples(*self.block));
                break;
            }
            if !lossless || self.producer.is_abandoned() || self.shutdown.load(Ordering::Relaxed) {
                self.status
                    .dropped_samples
                    .fetch_add(self.block.len as u64, Ordering::Relaxed);
                break;
            }
            if let Some(ctx) = &self.repaint {
                ctx.request_repaint();
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        self.block.len = 0;
        if let Some(ctx) = &self.repaint {
            ctx.request_repaint_after(REPAINT_AFTER);
        }
    }
}

/// The reference model run beside the live one (see [`Command::SetCompanion`]).
struct Companion {
    session: Session,
    /// Its parameter that follows the live run's input parameter, if it has one.
    input: Option<(usize, usize)>,
    /// The variable recorded (`v`, else the first).
    var: usize,
    /// Its steps per live step, when its dt divides the live dt.
    ratio: Option<u64>,
}

impl Companion {
    fn new(
        preset: &RunSpec,
        live: &RunSpec,
        live_input: Option<usize>,
    ) -> Result<Self, crate::sim::EngineError> {
        let mut own = preset.clone();
        // Driven by the live run's input alone, not by its own protocol.
        own.events = Default::default();
        own.stimuli.clear();
        let session = Session::new(&own, 1)?;
        let model = &preset.model;
        let input = live_input.and_then(|i| {
            let name = &live.model.desc.parameters[i].name;
            Some((i, model.param_index(name)?))
        });
        let var = model.membrane_var().unwrap_or(0);
        let k = (live.dt_ms / preset.dt_ms).round();
        let ratio = (k >= 1.0 && (k * preset.dt_ms - live.dt_ms).abs() <= 1e-12 * live.dt_ms)
            .then_some(k as u64);
        Ok(Self {
            session,
            input,
            var,
            ratio,
        })
    }

    /// The name of its recorded channel: the variable and the model.
    fn channel_name(&self) -> String {
        let model = self.session.engine.model();
        let var = model.vars.get(self.var).map_or("", |v| v.name.as_str());
        format!("{var} (reference {})", model.id())
    }

    /// Catches up with the live run's time (lock-step when its dt divides the live
    /// one; otherwise it holds its last value between its own steps), fed the live
    /// input. Returns the name of a variable that became NaN or infinite.
    fn follow(&mut self, live: &Session) -> Option<String> {
        if let Some((from, to)) = self.input {
            self.session.set_param(to, live.engine.param(from, 0));
        }
        let due = match self.ratio {
            Some(k) => live.engine.step_index() * k,
            None => (live.engine.time_ms() / self.session.engine.dt_ms() + 1e-9).floor() as u64,
        };
        while self.session.engine.step_index() < due {
            self.session.step();
        }
        self.session.engine.first_non_finite().map(|(i, _)| {
            let name = &self.session.engine.model().vars[i].name;
            format!(
                "{name} of the reference ({})",
                self.session.engine.model().id()
            )
        })
    }
}
