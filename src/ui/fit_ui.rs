//! The fit part of the Compare tab: the fit spec being edited (built-in `default` /
//! `fsi` or a file; free parameters, budget, seed, starts, polish, drive factor),
//! the background fit and its result, and the loss and sensitivity tables.
//!
//! A result is keyed to the exact spec, reference and candidate model it was
//! computed for: *Apply best* is disabled as soon as any of them changes, and a
//! cancelled fit keeps its best point so far, marked as cancelled.

use std::path::PathBuf;

use egui_plot::{Line, Plot, PlotPoints};

use super::Intent;
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use crate::analysis::fit::{FitResult, Target, fit};
use crate::analysis::fitspec::{FitSpec, FreeParam};
use crate::analysis::objectives::LossTable;
use crate::analysis::sensitivity::{self, SensitivityRow};
use crate::analysis::{SweepError, background_threads};
use crate::sim::run::RunSpec;

/// What a running fit reports after each round of generations.
#[derive(Clone, Debug, Default)]
pub struct FitProgress {
    pub evaluations: usize,
    /// Best loss after each round.
    pub history: Vec<f64>,
}

/// A finished (or cancelled) fit with what it was computed for.
#[derive(Clone, Debug)]
pub struct FitOutcome {
    /// [`FitUi::key`] at the start of the fit.
    pub key: String,
    pub spec: FitSpec,
    pub result: FitResult,
}

/// The optimiser's spec, its background job and its last result.
pub struct FitUi {
    /// The spec being edited; the comparison above uses it too.
    pub spec: FitSpec,
    /// The running (or last) fit's rounds, as the app hands them over.
    pub progress: FitProgress,
    pub outcome: Option<FitOutcome>,
    pub error: Option<String>,
    /// The running fit's key and spec (what its result will be for), while the
    /// app runs it.
    running: Option<(String, FitSpec)>,
    /// The model the free set was chosen for.
    model_id: String,
    /// A recorded reference (parsed by the app) to fit against instead of the
    /// reference preset.
    pub recorded: Option<crate::analysis::trace_ref::RecordedReference>,
}

impl Default for FitUi {
    fn default() -> Self {
        Self {
            spec: FitSpec::default_spec(),
            progress: FitProgress::default(),
            outcome: None,
            error: None,
            running: None,
            model_id: String::new(),
            recorded: None,
        }
    }
}

impl FitUi {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// What a result must match to be applied: the spec, the reference file and
    /// the candidate's model and starting values.
    pub fn key(&self, reference: Option<&PathBuf>, setup: &RunSpec) -> String {
        format!(
            "{:?}|{}|{:?}|{}",
            reference,
            setup.model.id(),
            setup
                .parameters
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>(),
            self.spec.key()
        )
    }

    /// Names of the free parameters, in model order.
    pub fn free_names(&self) -> Vec<String> {
        self.spec.free.iter().map(|f| f.name.clone()).collect()
    }

    /// A fit of the current setup against `reference`, or the recorded trace when
    /// one is the reference (it replaces a running one); the app reads the
    /// reference preset and runs it.
    pub fn start(&mut self, reference: Option<PathBuf>, setup: &RunSpec) -> Option<JobRequest> {
        self.error = None;
        let recorded = self.recorded.clone();
        // A recording is the reference when there is one; else the app reads the preset.
        let reads: Vec<PathBuf> = match (&recorded, &reference) {
            (Some(_), _) => Vec::new(),
            (None, Some(path)) => vec![path.clone()],
            (None, None) => {
                self.error = Some("no reference preset chosen".into());
                return None;
            }
        };
        let candidate = match setup.resolve() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e.to_string());
                return None;
            }
        };
        let key = self.key(reference.as_ref(), setup);
        let spec = self.spec.clone();
        self.progress = FitProgress::default();
        let total = (spec.optimiser.evaluations * spec.optimiser.starts) as u64;
        self.running = Some((key, spec.clone()));
        let request = JobRequest::new(JobKind::Fit, total, move |input| {
            let target = match (&recorded, input.presets.first()) {
                (Some(rec), _) => Target::Recorded(rec.clone()),
                (None, Some(reference)) => Target::Preset(Box::new(reference.clone())),
                (None, None) => return Err(SweepError::Usage("no reference preset".into())),
            };
            fit(
                &target,
                &candidate,
                &spec,
                background_threads(),
                input.control,
                &mut |evals, best, _| (input.report)(Box::new((evals, best))),
            )
        });
        // A cancelled fit ends with its best point so far.
        Some(request.reading(reads).finishing_on_cancel())
    }

    /// The fitted values of the free parameters, if the last fit was for exactly
    /// this spec, reference and candidate.
    pub fn best_values(
        &self,
        reference: Option<&PathBuf>,
        setup: &RunSpec,
    ) -> Option<Vec<(usize, f64)>> {
        let o = self.outcome.as_ref()?;
        (o.key == self.key(reference, setup)).then(|| {
            o.result
                .free
                .iter()
                .map(|&i| (i, o.result.parameters[i]))
                .collect()
        })
    }

    /// Provenance for a preset saved with these parameter values: comment lines
    /// (spec, loss tables, starts, sensitivity) and the spec as RON, when the values
    /// are the last fit's.
    pub fn provenance(&self, params: &[f64]) -> Option<(String, String)> {
        let o = self.outcome.as_ref()?;
        let r = &o.result;
        let same = r
            .free
            .iter()
            .all(|&i| params.get(i).map(|v| v.to_bits()) == Some(r.parameters[i].to_bits()));
        if !same {
            return None;
        }
        let mut text = format!(
            "Fitted in the Compare tab of neuron-explorer with spec `{}`{}.\n",
            o.spec.name,
            if r.cancelled {
                " (CANCELLED: best point so far)"
            } else {
                ""
            }
        );
        text.push_str("Loss before:\n");
        text.push_str(&r.before.text());
        text.push_str("Loss after:\n");
        text.push_str(&r.after.text());
        for s in &r.starts {
            text.push_str(&format!("start seed {}: loss {:.4}\n", s.seed, s.loss));
        }
        if !r.sensitivity.is_empty() {
            text.push_str("Sensitivity:\n");
            text.push_str(&sensitivity::text(&r.sensitivity));
        }
        text.push_str("Spec:\n");
        text.push_str(&o.spec.to_ron());
        let comment: String = text.lines().map(|l| format!("// {l}\n")).collect();
        Some((comment, o.spec.to_ron()))
    }

    /// Keeps the free set to the model's parameters (the spec's on a model switch).
    fn sync_model(&mut self, setup: &RunSpec) {
        let id = setup.model.id();
        if self.model_id != id {
            self.model_id = id.to_owned();
            let drive = self.spec.drive_of(&setup.model);
            self.spec.free.retain(|f| {
                let i = setup.model.param_index(&f.name);
                i.is_some() && i != drive
            });
        }
        // Model order, whatever the order of the ticks.
        self.spec
            .free
            .sort_by_key(|f| setup.model.param_index(&f.name).unwrap_or(usize::MAX));
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        reference: Option<PathBuf>,
        setup: &RunSpec,
        out: &mut Vec<Intent>,
    ) {
        self.sync_model(setup);
        self.spec_ui(ui, setup);
        ui.horizontal_wrapped(|ui| {
            let o = &mut self.spec.optimiser;
            ui.label("evaluations");
            ui.add(egui::DragValue::new(&mut o.evaluations).range(2..=1_000_000));
            ui.label("seed");
            ui.add(egui::DragValue::new(&mut o.seed));
            ui.label("starts");
            ui.add(egui::DragValue::new(&mut o.starts).range(1..=64));
            ui.label("polish");
            ui.add(egui::DragValue::new(&mut o.polish_evaluations).range(0..=100_000))
                .on_hover_text("Nelder–Mead evaluations after the best CMA-ES start (0: none)");
            let total = o.evaluations * o.starts;
            if self.running.is_some() {
                if ui.button("Cancel").clicked() {
                    out.push(Intent::CancelJob(JobKind::Fit));
                }
                let evals = self.progress.evaluations;
                ui.spinner();
                ui.label(format!("{evals}/{total} evaluations"));
            } else if ui
                .add_enabled(!self.spec.free.is_empty(), egui::Button::new("Fit"))
                .on_hover_text("CMA-ES from the current slider values, in the background")
                .clicked()
            {
                out.extend(self.start(reference.clone(), setup).map(Intent::StartJob));
            }
            let best = self.best_values(reference.as_ref(), setup);
            let stale = self.outcome.is_some() && best.is_none();
            let hint = if stale {
                "The spec, reference or sliders changed since this fit: fit again"
            } else {
                "Sets the free parameters to the fit's best values (one undo step)"
            };
            if ui
                .add_enabled(best.is_some(), egui::Button::new("Apply best to sliders"))
                .on_hover_text(hint)
                .on_disabled_hover_text(hint)
                .clicked()
                && let Some(values) = best.clone()
            {
                out.push(Intent::SetParams(values));
            }
            if ui
                .add_enabled(best.is_some(), egui::Button::new("Save as preset…"))
                .on_hover_text("Applies the best values and saves the setup with the fit's spec, loss table and sensitivity")
                .clicked()
                && let Some(values) = best
            {
                out.push(Intent::SetParams(values));
                out.push(Intent::SaveDialog);
            }
            self.status_ui(ui, stale);
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if let Some(o) = &self.outcome {
            ui.collapsing("Fit: loss table and sensitivity", |ui| {
                loss_table_ui(ui, "fit_loss_table", &o.result.after);
                sensitivity_ui(ui, &o.result.sensitivity);
            });
        }
    }

    fn status_ui(&self, ui: &mut egui::Ui, stale: bool) {
        let best_so_far = self.progress.history.last().copied();
        match (&self.running, &self.outcome, best_so_far) {
            (Some(_), _, Some(best)) => {
                ui.label(format!("best loss {best:.3}"));
            }
            (None, Some(o), _) => {
                let r = &o.result;
                let mut s = format!(
                    "fit: loss {:.3} -> {:.3} ({} evaluations, {} start(s))",
                    r.before.loss,
                    r.after.loss,
                    r.evaluations,
                    r.starts.len()
                );
                if r.cancelled {
                    s.push_str(" — cancelled, best so far");
                }
                if stale {
                    s.push_str(" — for another spec/setup");
                }
                ui.label(s);
            }
            _ => {}
        }
    }

    fn spec_ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Fit spec:");
            for name in ["default", "fsi"] {
                if ui.selectable_label(self.spec.name == name, name).clicked()
                    && let Some(s) = FitSpec::builtin(name)
                {
                    self.spec = s;
                }
            }
            let mut f = self.spec.drive_factor.unwrap_or(1.0);
            let mut stated = self.spec.drive_factor.is_some();
            ui.checkbox(&mut stated, "drive factor")
                .on_hover_text("candidate drive = factor × reference drive (e.g. a membrane area)");
            if stated {
                ui.add(egui::DragValue::new(&mut f).speed(0.01).range(1e-6..=1e9));
            }
            self.spec.drive_factor = stated.then_some(f);
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("free:");
            let drive = self.spec.drive_of(&setup.model);
            for (i, p) in setup.model.desc.parameters.iter().enumerate() {
                if Some(i) == drive {
                    continue;
                }
                let mut on = self.spec.free.iter().any(|f| f.name == p.name);
                if ui.checkbox(&mut on, p.name.as_str()).changed() {
                    if on {
                        self.spec.free.push(FreeParam::named(&p.name));
                    } else {
                        self.spec.free.retain(|f| f.name != p.name);
                    }
                }
            }
        });
    }

    pub fn plot(&self, ui: &mut egui::Ui, width: f32, height: f32) {
        let history = &self.progress.history;
        Plot::new("cmp_fit_loss")
            .width(width)
            .height(height)
            .x_axis_label("generation")
            .y_axis_label("best loss")
            .include_y(0.0)
            .show(ui, |p| {
                let pts: Vec<[f64; 2]> = history
                    .iter()
                    .enumerate()
                    .map(|(g, &l)| [(g + 1) as f64, l])
                    .collect();
                p.line(Line::new("best loss", PlotPoints::new(pts)).width(2.0));
            });
    }
}

/// The loss table as a grid: protocol, objective, both values, error, weight,
/// scale, contribution.
pub fn loss_table_ui(ui: &mut egui::Ui, id: &str, t: &LossTable) {
    let num = |x: Option<f64>| x.map_or("—".to_owned(), |v| format!("{v:.3}"));
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(160.0)
        .show(ui, |ui| {
            egui::Grid::new(id).striped(true).show(ui, |ui| {
                for h in [
                    "protocol",
                    "objective",
                    "reference",
                    "candidate",
                    "error",
                    "weight",
                    "scale",
                    "contribution",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for r in &t.rows {
                    ui.label(&r.protocol);
                    match &r.note {
                        Some(n) => ui.label(format!("{} ({n})", r.objective)),
                        None => ui.label(&r.objective),
                    };
                    ui.monospace(num(r.reference));
                    ui.monospace(num(r.candidate));
                    ui.monospace(format!("{:.3}", r.error));
                    ui.monospace(format!("{:.3}", r.weight));
                    ui.monospace(format!("{:.3}", r.scale));
                    ui.monospace(format!("{:.4}", r.contribution));
                    ui.end_row();
                }
                ui.strong("loss");
                for _ in 0..6 {
                    ui.label("");
                }
                ui.strong(format!("{:.4}", t.loss));
                ui.end_row();
            });
        });
}

/// The sensitivity table with its flags.
pub fn sensitivity_ui(ui: &mut egui::Ui, rows: &[SensitivityRow]) {
    if rows.is_empty() {
        return;
    }
    egui::Grid::new("fit_sensitivity")
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "parameter",
                "value",
                "ΔL −5%",
                "ΔL −1%",
                "ΔL +1%",
                "ΔL +5%",
                "curvature",
                "flag",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for r in rows {
                ui.label(&r.name);
                ui.monospace(format!("{:.5}", r.value));
                for d in r.delta_loss {
                    ui.monospace(format!("{d:.3}"));
                }
                ui.monospace(format!("{:.3e}", r.curvature));
                ui.label(r.flag.label());
                ui.end_row();
            }
        });
}

impl JobClient for FitUi {
    fn job_progress(&mut self, _kind: &JobKind, _progress: Option<f32>) {}

    /// One round of generations: (evaluations so far, best loss).
    fn job_report(&mut self, _kind: &JobKind, value: JobValue) {
        if let Some((evaluations, best)) = take::<(usize, f64)>(value) {
            self.progress.evaluations = evaluations;
            self.progress.history.push(best);
        }
    }

    fn job_done(&mut self, _kind: &JobKind, result: Result<JobValue, SweepError>) {
        let Some((key, spec)) = self.running.take() else {
            return;
        };
        match result.map(take::<FitResult>) {
            Ok(Some(result)) => self.outcome = Some(FitOutcome { key, spec, result }),
            Ok(None) => {}
            Err(SweepError::Cancelled) => {
                self.error = Some("cancelled before the first evaluation ended".into());
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}
