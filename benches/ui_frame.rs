//! GUI performance, headless (egui_kittest, no GPU): CPU time per UI frame with four
//! plots of a million samples each, and whether the simulation thread keeps real time
//! for HHneuronCorbit at dt 0.01 ms while the UI draws.
//!
//! `cargo bench --bench ui_frame` prints plain `name: value` lines. A frame is
//! `Harness::step` (the whole eframe frame: `App::logic` draining the worker, layout,
//! min/max decimation, egui_plot) plus `Context::tessellate` of its shapes, which is
//! all the CPU does before a GPU would take over. Without `--bench` (as in
//! `cargo test --benches`) a small smoke version runs.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use neuron_explorer::app::{App, Settings};
use neuron_explorer::sim::worker::{BLOCK_SAMPLES, BLOCK_VALUES, Block};
use neuron_explorer::ui::Intent;
use neuron_explorer::ui::decimate::{ChunkExtremes, min_max_summarised};
use neuron_explorer::ui::history::History;

const MODEL: &str = "HHneuronCorbit";
const DT_MS: f64 = 0.01;
/// Makes HHneuronCorbit fire repetitively, so traces and spike markers are busy.
const I_APP: f64 = 5.0;
const SYNC: Duration = Duration::from_secs(120);
/// The real app asks for a repaint this long after new data (sim::worker).
const FRAME_PERIOD: Duration = Duration::from_millis(16);

struct Sizes {
    /// Samples per plotted variable in the visible window.
    samples: u64,
    frames: usize,
    realtime: Duration,
}

fn harness(window_ms: f64) -> Harness<'static, App> {
    let settings = Settings {
        model: MODEL.into(),
        window_ms,
        ..Settings::default()
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| App::with_settings(settings, Some(cc.egui_ctx.clone())));
    let app = h.state_mut();
    let i_app = app.setup().model.param_index("I_app").expect("I_app");
    app.apply(Intent::SetParam {
        index: i_app,
        value: I_APP,
    });
    assert_eq!(app.setup().dt_ms, DT_MS, "{MODEL}'s default dt");
    h.run_steps(2);
    h
}

/// Steps the worker `n` times now and waits until the samples are in the history.
fn fill(h: &mut Harness<'static, App>, n: u64) {
    h.state_mut().step_now(n);
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
}

/// One full frame: `Harness::step` and tessellation; returns (step, tessellate) times.
fn frame(h: &mut Harness<'static, App>) -> (Duration, Duration) {
    let t = Instant::now();
    h.step();
    let step = t.elapsed();
    let t = Instant::now();
    let shapes = h.output().shapes.clone();
    let primitives = h.ctx.tessellate(shapes, h.ctx.pixels_per_point());
    std::hint::black_box(primitives);
    (step, t.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Frames with a full window: a still one (paused, same data each frame) and a
/// scrolling one (16 ms of new samples per frame, as when running at 1×). The
/// model's default plots are four: v; five gates; four currents; I_app, so eleven
/// lines of `sizes.samples` each.
fn frame_times(sizes: &Sizes) {
    let window_ms = sizes.samples as f64 * DT_MS;
    let mut h = harness(window_ms);
    let t = Instant::now();
    fill(&mut h, sizes.samples);
    println!(
        "fill: {} samples × {} channels of {MODEL} in {:.2} s",
        h.state().history().len(),
        h.state().history().channels(),
        t.elapsed().as_secs_f64()
    );
    h.run_steps(2);
    let still: Vec<(Duration, Duration)> = (0..sizes.frames).map(|_| frame(&mut h)).collect();
    let points = h.state().points_drawn();
    let per_frame = (FRAME_PERIOD.as_secs_f64() * 1000.0 / DT_MS) as u64;
    let mut scrolling = Vec::new();
    for _ in 0..sizes.frames {
        fill(&mut h, per_frame);
        scrolling.push(frame(&mut h));
    }
    let visible = h.state().history().len().min(sizes.samples as usize + 1);
    println!(
        "window: {window_ms} ms = {visible} samples per plotted variable, 4 plots, {points} points drawn"
    );
    for (name, times) in [("still", still), ("scrolling", scrolling)] {
        let step = median(times.iter().map(|t| ms(t.0)).collect());
        let tess = median(times.iter().map(|t| ms(t.1)).collect());
        let totals: Vec<f64> = times.iter().map(|t| ms(t.0 + t.1)).collect();
        let fastest = totals.iter().copied().fold(f64::INFINITY, f64::min);
        let total = median(totals);
        println!(
            "frame ({name}): median {total:.2} ms (step {step:.2} ms + tessellate {tess:.2} ms), fastest {fastest:.2} ms, over {} frames",
            times.len()
        );
    }
}

/// The worker at 1× for `sizes.realtime` of wall time while the UI draws ~60 frames
/// per second over a window already holding `sizes.samples` per variable.
fn realtime(sizes: &Sizes) {
    let window_ms = sizes.samples as f64 * DT_MS;
    let mut h = harness(window_ms);
    fill(&mut h, sizes.samples);
    let t0_ms = h.state().history().time_span().map_or(0.0, |(_, t)| t);
    let dropped0 = h.state().dropped_samples();
    h.state_mut().apply(Intent::SetSpeed(1.0));
    h.state_mut().apply(Intent::SetRunning(true));
    let start = Instant::now();
    let mut frame_ms = Vec::new();
    while start.elapsed() < sizes.realtime {
        let t = Instant::now();
        let (step, tess) = frame(&mut h);
        frame_ms.push(ms(step + tess));
        if let Some(rest) = FRAME_PERIOD.checked_sub(t.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    h.state_mut().apply(Intent::SetRunning(false));
    let wall = start.elapsed();
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    let t1_ms = h.state().history().time_span().map_or(0.0, |(_, t)| t);
    let dropped = h.state().dropped_samples() - dropped0;
    let sim_ms = t1_ms - t0_ms;
    println!(
        "worker at 1x with UI drawing: {sim_ms:.1} ms simulated in {:.1} ms wall = {:.3}x real time, {dropped} samples dropped, {} frames (median {:.2} ms)",
        ms(wall),
        sim_ms / ms(wall),
        frame_ms.len(),
        median(frame_ms)
    );
}

/// Frames with the protocol strip open: the Izhikevich2007 live preset with no
/// events and with `n_events` scattered ones (the strip draws a marker per pixel
/// column and the input curve from data derived once per protocol).
fn protocol_frames(n_events: usize, frames: usize) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut medians = Vec::new();
    for n in [0, n_events] {
        let mut text =
            String::from("(model: \"Izhikevich2007\", duration_ms: 20000.0, events: [\n");
        for k in 0..n {
            let t = ((k * 7919) % n) as f64 * 20_000.0 / n as f64;
            text.push_str(&format!("(t_ms: {t}, add: {{\"I_app\": 0.001}}),\n"));
        }
        text.push_str("])\n");
        let path = dir.path().join(format!("events_{n}.ron"));
        std::fs::write(&path, text).expect("write the preset");
        let settings = Settings {
            play_on_open: false,
            ..Settings::default()
        };
        let mut h = Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .build_eframe(move |cc| App::with_settings(settings, Some(cc.egui_ctx.clone())));
        let t = Instant::now();
        h.state_mut().open_preset(&path);
        let open_s = t.elapsed().as_secs_f64();
        assert_eq!(h.state().setup().events.len(), n, "the preset opened");
        h.state_mut().apply(Intent::ShowNotes(false));
        h.run_steps(3);
        let times: Vec<f64> = (0..frames)
            .map(|_| {
                let (step, tess) = frame(&mut h);
                ms(step + tess)
            })
            .collect();
        let median = median(times);
        println!("protocol of {n} events: opened in {open_s:.3} s, frame median {median:.2} ms");
        medians.push(median);
    }
    println!(
        "frame with {n_events} events / without: {:.2}x",
        medians[1] / medians[0]
    );
}

/// Decimation alone: one channel of `samples` spiky values into 1000 columns, by a
/// full scan and with the history's chunk summary.
fn decimation(samples: usize) {
    let mut history = History::new(0, 1, samples, samples);
    let mut block = Box::new(Block {
        generation: 0,
        channels: 1,
        len: BLOCK_SAMPLES,
        t_ms: [0.0; BLOCK_SAMPLES],
        spike: [false; BLOCK_SAMPLES],
        values: [0.0; BLOCK_VALUES],
    });
    let mut i = 0;
    while history.len() < samples {
        for k in 0..BLOCK_SAMPLES {
            let t_ms = i as f64 * DT_MS;
            block.t_ms[k] = t_ms;
            // A 100 Hz spike train on a slow wave.
            block.values[k] = (t_ms * 0.01).sin() * 5.0 + if i % 1000 < 30 { 80.0 } else { 0.0 };
            i += 1;
        }
        history.push_block(&block);
    }
    let (t, values) = (history.t_ms(), history.channel(0).expect("channel"));
    let summary = history.extremes(0).expect("summary");
    let time = |f: &mut dyn FnMut(&mut Vec<[f64; 2]>)| {
        let mut out = Vec::new();
        let times = (0..11)
            .map(|_| {
                out.clear();
                let t = Instant::now();
                f(&mut out);
                ms(t.elapsed())
            })
            .collect();
        (median(times), out)
    };
    // The same buckets without a summary: every sample is read.
    let none = (&ChunkExtremes::default(), summary.1);
    let (full, full_points) =
        time(&mut |out| min_max_summarised(t, values, none, 0..samples, 1000, out));
    let (fast, fast_points) =
        time(&mut |out| min_max_summarised(t, values, summary, 0..samples, 1000, out));
    assert_eq!(full_points, fast_points, "the summary changed the points");
    println!(
        "decimate {samples} samples to 1000 columns: full scan {full:.3} ms, with chunk summary {fast:.3} ms per line"
    );
}

/// Resident memory of this process now and at its peak, in MB (Linux), if known.
fn rss_mb() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Memory of a full default recording (60 s simulated) of HHneuronCorbit. Runs first,
/// so that the process's peak RSS is this recording's.
fn memory(duration_s: f64) {
    let before = rss_mb();
    let mut h = harness(1000.0);
    let steps = (duration_s * 1000.0 / DT_MS) as u64;
    let t = Instant::now();
    fill(&mut h, steps);
    h.run_steps(1);
    let app = h.state();
    let span = app.history().time_span().map_or(0.0, |(a, b)| b - a);
    let (rss, peak) = rss_mb()
        .zip(before)
        .map_or((f64::NAN, f64::NAN), |((rss, peak), (rss0, _))| {
            (rss - rss0, peak - rss0)
        });
    println!(
        "recording: {:.1} s simulated, {} samples × {} channels, {:.0} MB of samples and summaries, RSS +{rss:.0} MB (peak +{peak:.0} MB), filled in {:.1} s",
        span / 1000.0,
        app.history().len(),
        app.history().channels(),
        app.history().bytes() as f64 / f64::from(1 << 20),
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: a small smoke version then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes = if quick {
        Sizes {
            samples: 20_000,
            frames: 3,
            realtime: Duration::from_millis(300),
        }
    } else {
        Sizes {
            samples: 1_000_000,
            frames: 60,
            realtime: Duration::from_secs(5),
        }
    };
    memory(if quick { 1.0 } else { 60.0 });
    decimation(sizes.samples as usize);
    frame_times(&sizes);
    realtime(&sizes);
    protocol_frames(if quick { 2_000 } else { 200_000 }, sizes.frames);
}
