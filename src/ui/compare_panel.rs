//! The compare panel: the current setup (the candidate, as the sliders set it)
//! against a reference preset (default: the Corbit HH FSI) under the protocols of
//! [`crate::analysis::compare`]: both f–I curves, both first-spike latencies, and
//! the metrics, recomputed in the background when a slider moves.

use std::path::PathBuf;

use egui_plot::{GridMark, Line, MarkerShape, Plot, PlotPoints, Points};

use super::plot_style::{AxisSpec, line_width, styled, with_legend};

use super::Intent;
use super::fit_ui::FitUi;
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use crate::analysis::clamp::{IvConfig, IvPoint, iv_sweep};
use crate::analysis::compare::{
    Responses, Runner, Trace, drive_unit_warning, reference_amps, snippet,
};
use crate::analysis::fitspec::FitSpec;
use crate::analysis::objectives::{LossTable, loss_table};
use crate::analysis::trace_ref::RecordedReference;
use crate::analysis::{SweepError, background_threads};
use crate::model::CompiledModel;
use crate::sim::run::RunSpec;

#[path = "compare_recorded.rs"]
mod recorded;

pub const DEFAULT_REFERENCE: &str = "hh_corbit_fsi_current_step.ron";

/// The step of the overlaid traces: rheobase + this offset (a protocol step).
const TRACE_OFFSET: f64 = 3.0;
/// Sampling of the overlaid traces (ms).
const TRACE_SAMPLE_MS: f64 = 0.05;
/// Steady-state I–V of both models: holding potentials and hold (long enough for
/// the HH model's slow Kv1 inactivation, tau 150 ms, to settle). Subthreshold only:
/// above about -40 mV the HH model's Kv3 current (tens of thousands of uA/cm2 at
/// 0 mV) would flatten the part where the models are fitted.
const IV_FROM_MV: f64 = -100.0;
const IV_TO_MV: f64 = -40.0;
const IV_POINTS: usize = 25;
const IV_HOLD_MS: f64 = 1000.0;

pub struct ComparePanel {
    /// The reference preset file.
    pub reference_path: Option<PathBuf>,
    /// The reference's responses, computed once per reference.
    pub reference: Option<Responses>,
    pub candidate: Option<Responses>,
    /// The loss term by term, for the spec of [`FitUi::spec`].
    pub table: Option<LossTable>,
    /// A drive-unit mismatch between the two models without a stated factor.
    pub warning: Option<String>,
    pub error: Option<String>,
    pub auto: bool,
    /// Both models' v on the step rheobase + 3 (reference, candidate).
    pub traces: Option<(Trace, Trace)>,
    /// Both models' steady-state I–V (reference, candidate); `None` for a model the
    /// clamp cannot hold (no `v`).
    pub iv: Option<(SteadyIv, SteadyIv)>,
    pub fit: FitUi,
    /// Whether the app is running the comparison.
    pub running: bool,
    key: Option<String>,
    /// The spec key the cached reference responses were computed for.
    cached_spec: Option<String>,
    /// A recorded trace as the reference instead of the preset (see
    /// `compare_recorded.rs`).
    pub recorded: Option<RecordedReference>,
}

/// The loss table against a recording and both traces (recording, candidate).
type RecordedComparison = (LossTable, Trace, Trace);

/// A model's steady-state I–V; `None` when the clamp cannot hold it (no `v`).
pub type SteadyIv = Option<Vec<IvPoint>>;
/// What one comparison computes of each model: responses, step trace, I–V.
type Side = (Responses, Trace, SteadyIv);
/// (reference, candidate, the spec they were computed for, drive-unit warning).
type Computed = (Side, Side, FitSpec, Option<String>);

/// The steady-state I–V of a preset's model, or `None` when it cannot be clamped.
fn steady_iv(
    preset: &crate::sim::run::RunSpec,
    threads: usize,
    control: &crate::analysis::Control,
) -> Result<SteadyIv, SweepError> {
    let cfg = IvConfig {
        v_holds: crate::analysis::linspace(IV_FROM_MV, IV_TO_MV, IV_POINTS)
            .map_err(SweepError::Usage)?,
        hold_ms: IV_HOLD_MS,
        instant_ms: 1.0,
        trace_every: 0,
        threads,
    };
    match iv_sweep(preset, &cfg, control) {
        Ok(r) => Ok(Some(r.points)),
        Err(SweepError::Cancelled) => Err(SweepError::Cancelled),
        Err(_) => Ok(None),
    }
}

impl Default for ComparePanel {
    fn default() -> Self {
        Self {
            reference_path: super::presets::presets_dir().map(|d| d.join(DEFAULT_REFERENCE)),
            reference: None,
            candidate: None,
            table: None,
            warning: None,
            error: None,
            auto: true,
            traces: None,
            iv: None,
            fit: FitUi::default(),
            running: false,
            key: None,
            cached_spec: None,
            recorded: None,
        }
    }
}

impl ComparePanel {
    fn key_of(&self, setup: &RunSpec) -> String {
        format!(
            "{:?}|{}|{}",
            self.reference_path,
            setup.sweep_key(),
            self.fit.spec.key()
        )
    }

    /// Makes `path` the reference (results of the old one are dropped); true when it
    /// changed.
    pub fn choose_reference(&mut self, path: PathBuf) -> bool {
        if self.reference_path.as_ref() == Some(&path) && self.recorded.is_none() {
            return false;
        }
        self.drop_recorded();
        self.reference_path = Some(path);
        self.reference = None;
        self.traces = None;
        self.iv = None;
        self.key = None;
        true
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// A comparison of the current setup (it replaces a running one); the app
    /// reads the reference preset.
    pub fn start(&mut self, setup: &RunSpec) -> Option<JobRequest> {
        self.error = None;
        self.key = Some(self.key_of(setup));
        if self.recorded.is_some() {
            return self.start_recorded(setup);
        }
        let Some(path) = self.reference_path.clone() else {
            self.error = Some("no reference preset chosen".into());
            return None;
        };
        let candidate = match setup.resolve() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e.to_string());
                return None;
            }
        };
        let cached = match (&self.reference, &self.traces, &self.iv, &self.cached_spec) {
            (Some(r), Some(t), Some(iv), Some(k)) if *k == self.fit.spec.key() => {
                Some((r.clone(), t.0.clone(), iv.0.clone()))
            }
            _ => None,
        };
        let spec = self.fit.spec.clone();
        let total = 21 * 6000;
        let request = JobRequest::new(JobKind::Compare, total, move |input| {
            let (c, threads) = (input.control, background_threads());
            let timing = trace_timing(&spec);
            let Some(r) = input.presets.first() else {
                return Err(SweepError::Usage("no reference preset".into()));
            };
            let warning = drive_unit_warning(
                &r.model,
                &candidate.model,
                &spec.drive_param,
                spec.drive_factor,
            );
            let reference = match &cached {
                Some(r) => r.clone(),
                None => {
                    let runner = Runner::new(r, &spec, 1.0, threads, c)?;
                    let resp = runner.responses(None)?;
                    let amp = trace_amp(&resp);
                    let trace = runner.step_trace(amp, timing, TRACE_SAMPLE_MS)?;
                    (resp, trace, steady_iv(r, threads, c)?)
                }
            };
            let factor = spec.drive_factor.unwrap_or(1.0);
            let runner = Runner::new(&candidate, &spec, factor, threads, c)?;
            let cand = runner.responses(Some(&reference_amps(&reference.0, 1.0)))?;
            let trace = runner.step_trace(reference.1.amp * factor, timing, TRACE_SAMPLE_MS)?;
            let iv = steady_iv(&candidate, threads, c)?;
            Ok((reference, (cand, trace, iv), spec.clone(), warning))
        });
        self.running = true;
        Some(request.reading(vec![path]))
    }

    fn apply(&mut self, r: Result<Computed, SweepError>) {
        match r {
            Ok(((reference, ref_trace, ref_iv), (cand, cand_trace, cand_iv), spec, warning)) => {
                self.table = Some(loss_table(&spec, &reference, &cand));
                self.cached_spec = Some(spec.key());
                self.warning = warning;
                self.reference = Some(reference);
                self.candidate = Some(cand);
                self.traces = Some((ref_trace, cand_trace));
                self.iv = Some((ref_iv, cand_iv));
            }
            Err(SweepError::Cancelled) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    pub fn auto_update(&mut self, setup: &RunSpec, out: &mut Vec<Intent>) {
        if self.auto && self.key.as_deref() != Some(self.key_of(setup).as_str()) {
            out.extend(self.start(setup).map(Intent::StartJob));
        }
    }

    /// `live`: whether the reference runs beside the live model (Traces tab).
    pub fn ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec, live: bool, out: &mut Vec<Intent>) {
        self.auto_update(setup, out);
        ui.horizontal_wrapped(|ui| {
            ui.label("Reference:");
            let path = self
                .recorded
                .as_ref()
                .and_then(|r| r.recordings.first())
                .map(|r| &r.spec.csv)
                .or(self.reference_path.as_ref());
            let name = path.map_or_else(
                || "(none)".to_owned(),
                |p| {
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned()
                },
            );
            ui.monospace(name);
            if ui.button("Choose…").clicked() {
                out.push(Intent::PickPresetFor(super::PresetTarget::CompareReference));
            }
            if ui
                .button("Recorded CSV…")
                .on_hover_text(
                    "A recorded trace as the reference: a CSV with columns t (ms) and v (mV), \
                     the applied current as a column named after the drive (I_app) or from \
                     a `neuron-explorer run` export's sidecar, spikes from a `spike` column \
                     or crossings of 0 mV",
                )
                .clicked()
            {
                out.push(Intent::PickRecordedReference);
            }
            let mut on = live;
            if ui
                .checkbox(&mut on, "run live in Traces")
                .on_hover_text(
                    "Runs the reference beside the live model in lock-step, fed the same \
                     input parameter every step (its own events and stimuli are not used), \
                     and overlays its v on the membrane plot. Restarts the run.",
                )
                .changed()
            {
                out.push(Intent::SetLiveReference(on));
            }
            ui.label(format!(
                "Candidate: current settings ({})",
                setup.model.id()
            ));
            ui.checkbox(&mut self.auto, "recompute on change");
            if self.running {
                ui.spinner();
            } else if ui.button("Compute").clicked() {
                out.extend(self.start(setup).map(Intent::StartJob));
            }
            if ui
                .button("Copy CompNeuroPy snippet")
                .on_hover_text("The candidate's parameters as a constructor call")
                .clicked()
            {
                match setup.resolve() {
                    Ok(run) => ui.ctx().copy_text(snippet(&run, &setup.parameters)),
                    Err(e) => self.error = Some(e.to_string()),
                }
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if let Some(w) = &self.warning {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Warning: {w}"));
        }
        if let Some(t) = &self.table {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("spec `{}`:", self.fit.spec.name));
                for line in t.summary_lines() {
                    ui.monospace(line);
                    ui.separator();
                }
            });
            ui.collapsing("Loss per term", |ui| {
                super::fit_ui::loss_table_ui(ui, "cmp_loss_table", t);
            });
        }
        let reference = self.reference_path.clone();
        self.fit.ui(ui, reference, setup, out);
        let curves: Vec<(&str, egui::Color32, &Responses)> = [
            ("reference", REF_COLOR, self.reference.as_ref()),
            ("candidate", CAND_COLOR, self.candidate.as_ref()),
        ]
        .into_iter()
        .filter_map(|(l, c, r)| Some((l, c, r?)))
        .collect();
        let quarter = (ui.available_width() / 4.0 - 8.0).max(100.0);
        // Inside `horizontal` a plot would take the row's (text) height: size it.
        let height = (ui.available_height() - 16.0).max(400.0);
        let top = 0.42 * height;
        ui.horizontal(|ui| {
            let width = line_width(ui.ctx(), 1.3);
            for (id, y_axis, latency) in [
                ("cmp_fi", AxisSpec::new("rate", "Hz"), false),
                ("cmp_latency", AxisSpec::new("first spike", "ms"), true),
            ] {
                let x_axis = AxisSpec::new(
                    self.fit.spec.drive_name(&setup.model),
                    "uA/cm2 for HH, pA for Izhikevich",
                );
                let plot = styled(Plot::new(id).width(quarter).height(top), x_axis, y_axis);
                with_legend(plot, ui.ctx(), egui_plot::Corner::LeftTop).show(ui, |p| {
                    for (label, color, r) in &curves {
                        let pts: Vec<[f64; 2]> =
                            r.fi.iter()
                                .filter_map(|q| {
                                    let y = if latency {
                                        q.first_spike_ms?
                                    } else {
                                        q.rate_hz
                                    };
                                    Some([q.value, y])
                                })
                                .collect();
                        p.line(
                            Line::new(label.to_string(), PlotPoints::new(pts.clone()))
                                .color(*color)
                                .width(width),
                        );
                        p.points(
                            Points::new(label.to_string(), PlotPoints::new(pts))
                                .color(*color)
                                .radius(2.0 + width)
                                .shape(MarkerShape::Circle),
                        );
                    }
                });
            }
            self.iv_ui(ui, &setup.model, quarter, top);
            self.fit.plot(ui, quarter, top);
        });
        self.traces_ui(ui, &setup.model, height - top - 8.0);
    }

    /// Both models' steady-state I–V: where each crosses zero is a rest point or a
    /// threshold, and the slopes are the input conductances.
    fn iv_ui(&self, ui: &mut egui::Ui, candidate: &CompiledModel, width: f32, height: f32) {
        let zero = ui.visuals().weak_text_color();
        let line_w = line_width(ui.ctx(), 1.3);
        let plot = styled(
            Plot::new("cmp_iv").width(width).height(height),
            AxisSpec::new(
                format!(
                    "{} held {IV_HOLD_MS} ms (steady-state I–V)",
                    candidate.membrane_name()
                ),
                "mV",
            ),
            AxisSpec::new("clamp current, outward +", "model units"),
        );
        with_legend(plot, ui.ctx(), egui_plot::Corner::LeftTop).show(ui, |p| {
            p.hline(egui_plot::HLine::new("", 0.0).width(1.0).color(zero));
            let Some((r, c)) = &self.iv else { return };
            for (label, color, points) in
                [("reference", REF_COLOR, r), ("candidate", CAND_COLOR, c)]
            {
                let Some(points) = points else { continue };
                // Outward positive, as the I–V tab and the textbooks draw it.
                let pts: Vec<[f64; 2]> = points
                    .iter()
                    .map(|q| [q.v_hold, crate::analysis::clamp::outward(q.steady)])
                    .collect();
                p.line(
                    Line::new(label, PlotPoints::new(pts))
                        .color(color)
                        .width(line_w),
                );
            }
        });
    }

    /// Both models' v on the same step, overlaid, and their spike rasters below.
    fn traces_ui(&self, ui: &mut egui::Ui, candidate: &CompiledModel, height: f32) {
        let width = (ui.available_width() - 8.0).max(200.0);
        let link = egui::Id::unique("cmp_time_axis");
        let (on_ms, off_ms, duration) = trace_timing(&self.fit.spec);
        let raster_h = (0.22 * height).clamp(50.0, 110.0);
        let title = self.traces.as_ref().map_or_else(
            || "t [ms] (computing the step traces…)".to_owned(),
            |(r, _)| {
                format!(
                    "t [ms]; both models on {} = {} (reference rheobase + {TRACE_OFFSET}) \
                     from {on_ms} to {off_ms} ms",
                    self.fit.spec.drive_name(candidate),
                    r.amp
                )
            },
        );
        let title = match (&self.recorded, &self.traces) {
            (Some(_), Some(_)) => "t [ms]; the recording and the candidate on its current".into(),
            _ => title,
        };
        let models = |t: &(Trace, Trace)| {
            [
                ("reference", REF_COLOR, t.0.clone()),
                ("candidate", CAND_COLOR, t.1.clone()),
            ]
        };
        let line_w = line_width(ui.ctx(), 1.0);
        let plot = styled(
            Plot::new("cmp_traces")
                .width(width)
                .height((height - raster_h - 8.0).max(100.0)),
            AxisSpec::new("t", "ms"),
            AxisSpec::membrane(candidate),
        );
        // The time axis' title is under the raster below.
        with_legend(plot.x_axis_label(""), ui.ctx(), egui_plot::Corner::LeftTop)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .y_axis_min_width(64.0)
            .include_x(0.0)
            .include_x(duration)
            .show_x(true)
            .show(ui, |p| {
                if let Some(t) = &self.traces {
                    for (label, color, tr) in models(t) {
                        p.line(
                            Line::new(label, PlotPoints::new(tr.points))
                                .color(color)
                                .width(line_w),
                        );
                    }
                }
            });
        Plot::new("cmp_raster")
            .width(width)
            .height(raster_h)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .y_axis_min_width(64.0)
            .y_axis_label("spikes")
            .include_x(0.0)
            .include_x(duration)
            .include_y(-0.6)
            .include_y(1.6)
            .allow_zoom([true, false])
            .allow_drag([true, false])
            .show_grid([true, false])
            .x_axis_label(title)
            // One mark per row: the automatic spacing, on a plot this short, skips "ref".
            // egui_plot hides a label whose `step_size` spans under 20 points, so the
            // marks claim a wider step than the 1.0 between rows.
            .y_grid_spacer(|_| {
                [0.0, 1.0]
                    .map(|value| GridMark {
                        value,
                        step_size: 4.0,
                    })
                    .to_vec()
            })
            .y_axis_formatter(|mark, _| {
                if (mark.value - 1.0).abs() < 1e-9 {
                    "ref".to_owned()
                } else if mark.value.abs() < 1e-9 {
                    "cand".to_owned()
                } else {
                    String::new()
                }
            })
            .show(ui, |p| {
                if let Some(t) = &self.traces {
                    for (row, (label, color, tr)) in models(t).into_iter().enumerate() {
                        let y = 1.0 - row as f64;
                        for &s in &tr.spikes_ms {
                            p.line(
                                Line::new(
                                    label,
                                    PlotPoints::new(vec![[s, y - 0.35], [s, y + 0.35]]),
                                )
                                .color(color)
                                .width(1.5),
                            );
                        }
                    }
                }
            });
    }
}

/// The reference and candidate colours (Okabe–Ito orange and blue: apart for
/// every form of colour blindness); the live plots use them too.
pub const REF_COLOR: egui::Color32 = super::palette::REFERENCE;
pub const CAND_COLOR: egui::Color32 = super::palette::CANDIDATE;

/// The amplitude of the overlaid step: the reference's rheobase + 3 (a step of the
/// default spec), else the first step of the first group.
fn trace_amp(reference: &Responses) -> f64 {
    reference
        .rheobase
        .map(|r| ((r + TRACE_OFFSET) * 100.0).round() / 100.0)
        .or_else(|| {
            reference
                .steps
                .first()
                .and_then(|s| s.amps.first().copied())
        })
        .unwrap_or(TRACE_OFFSET)
}

/// (on, off, duration) of the overlaid step: the spec's first step group's, else
/// 100–500 ms of 600 ms.
fn trace_timing(spec: &FitSpec) -> (f64, f64, f64) {
    spec.steps.first().map_or((100.0, 500.0, 600.0), |g| {
        (g.on_ms, g.off_ms.unwrap_or(g.duration_ms), g.duration_ms)
    })
}

impl JobClient for ComparePanel {
    fn job_progress(&mut self, _kind: &JobKind, progress: Option<f32>) {
        self.running = progress.is_some();
    }

    fn job_done(&mut self, _kind: &JobKind, result: Result<JobValue, SweepError>) {
        // A comparison with a preset reference, or with a recorded trace.
        match result.map(|v| v.downcast::<Computed>()) {
            Ok(Ok(r)) => self.apply(Ok(*r)),
            Ok(Err(value)) => {
                if let Some(r) = take::<RecordedComparison>(value) {
                    self.apply_recorded(r);
                }
            }
            Err(e) => self.apply(Err(e)),
        }
    }
}
