//! The compare panel: the current setup (the candidate, as the sliders set it)
//! against a reference preset (default: the Corbit HH FSI) under the protocols of
//! [`crate::analysis::compare`]: both f–I curves, both first-spike latencies, and
//! the metrics, recomputed in the background when a slider moves.

use std::path::PathBuf;

use egui_plot::{Legend, Line, MarkerShape, Plot, PlotPoints, Points};

use super::run_setup::RunSetup;
use super::sweep_job::{Poll, SweepJob};
use crate::analysis::compare::{Metrics, Protocol, Responses, Runner, metrics, snippet};
use crate::analysis::{SweepError, background_threads};

pub const DEFAULT_REFERENCE: &str = "hh_corbit_fsi_current_step.ron";

pub struct ComparePanel {
    /// The reference preset file.
    pub reference_path: Option<PathBuf>,
    /// The reference's responses, computed once per reference.
    pub reference: Option<Responses>,
    pub candidate: Option<Responses>,
    pub metrics: Option<Metrics>,
    pub error: Option<String>,
    pub auto: bool,
    job: Option<SweepJob<(Responses, Responses)>>,
    key: Option<String>,
}

impl Default for ComparePanel {
    fn default() -> Self {
        Self {
            reference_path: super::presets::presets_dir().map(|d| d.join(DEFAULT_REFERENCE)),
            reference: None,
            candidate: None,
            metrics: None,
            error: None,
            auto: true,
            job: None,
            key: None,
        }
    }
}

impl ComparePanel {
    fn key_of(&self, setup: &RunSetup) -> String {
        format!(
            "{:?}|{}|{:?}|{:?}|{}|{}",
            self.reference_path,
            setup.model.id(),
            setup.params.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            setup.initial,
            setup.dt_ms,
            setup.integrator.name()
        )
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts a comparison of the current setup, replacing a running one.
    pub fn start(&mut self, setup: &RunSetup, ctx: Option<egui::Context>) {
        self.error = None;
        self.key = Some(self.key_of(setup));
        let Some(path) = self.reference_path.clone() else {
            self.error = Some("no reference preset chosen".into());
            return;
        };
        let candidate = match setup.resolve() {
            Ok(r) => r,
            Err(e) => return self.error = Some(e.to_string()),
        };
        let cached = self.reference.clone();
        let protocol = Protocol::default();
        let total = 21 * 6000;
        self.job = Some(SweepJob::spawn(total, ctx, move |c| {
            let threads = background_threads();
            let reference = match cached {
                Some(r) => r,
                None => {
                    let r = crate::io::preset::load_resolved(&path, None)
                        .map_err(|e| SweepError::Usage(e.to_string()))?;
                    Runner::new(&r, &protocol, threads, c)?.responses(None)?
                }
            };
            let cand = Runner::new(&candidate, &protocol, threads, c)?
                .responses(Some(&reference.step_amps))?;
            Ok((reference, cand))
        }));
    }

    pub fn poll(&mut self) {
        if let Some(job) = &self.job
            && let Poll::Done(r) = job.poll()
        {
            self.job = None;
            self.apply(r);
        }
    }

    fn apply(&mut self, r: Result<(Responses, Responses), SweepError>) {
        match r {
            Ok((reference, cand)) => {
                self.metrics = Some(metrics(&reference, &cand, &Protocol::default()));
                self.reference = Some(reference);
                self.candidate = Some(cand);
            }
            Err(SweepError::Cancelled) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Blocks until the running comparison ends (tests only).
    pub fn wait(&mut self) {
        if let Some(job) = self.job.take() {
            let r = job.wait();
            self.apply(r);
        }
    }

    pub fn auto_update(&mut self, setup: &RunSetup, ctx: Option<egui::Context>) {
        if self.auto && self.key.as_deref() != Some(self.key_of(setup).as_str()) {
            self.start(setup, ctx);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, setup: &RunSetup) {
        self.poll();
        self.auto_update(setup, Some(ui.ctx().clone()));
        ui.horizontal_wrapped(|ui| {
            ui.label("Reference:");
            let name = self.reference_path.as_ref().map_or_else(
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
                let mut dialog = rfd::FileDialog::new().add_filter("preset", &["ron"]);
                if let Some(dir) = super::presets::presets_dir() {
                    dialog = dialog.set_directory(dir);
                }
                if let Some(path) = dialog.pick_file() {
                    self.reference_path = Some(path);
                    self.reference = None;
                    self.key = None;
                }
            }
            ui.label(format!(
                "Candidate: current settings ({})",
                setup.model.id()
            ));
            ui.checkbox(&mut self.auto, "recompute on change");
            if self.job.is_some() {
                ui.spinner();
            } else if ui.button("Compute").clicked() {
                self.start(setup, Some(ui.ctx().clone()));
            }
            if ui
                .button("Copy CompNeuroPy snippet")
                .on_hover_text("The candidate's parameters as a constructor call")
                .clicked()
            {
                ui.ctx().copy_text(snippet(&setup.model, &setup.params));
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if let Some(m) = &self.metrics {
            ui.horizontal_wrapped(|ui| {
                for line in m.lines() {
                    ui.monospace(line);
                    ui.separator();
                }
            });
        }
        ui.weak(
            "f–I: I_app = 0…20 held 600 ms, rate from 100 ms; Γ on steps R+1, R+3, R+6 \
             (100–500 ms); loss = f-I RMSE/10 Hz + latency RMSE/5 ms + (1 − Γ) + rheobase diff. \
             I_app numbers are shared between models.",
        );
        let curves: Vec<(&str, &Responses)> = [
            ("reference", self.reference.as_ref()),
            ("candidate", self.candidate.as_ref()),
        ]
        .into_iter()
        .filter_map(|(l, r)| Some((l, r?)))
        .collect();
        let half = (ui.available_width() / 2.0 - 8.0).max(100.0);
        // Inside `horizontal` a plot would take the row's (text) height: size it.
        let height = (ui.available_height() - 8.0).max(200.0);
        ui.horizontal(|ui| {
            for (id, ylabel, latency) in [
                ("cmp_fi", "rate [Hz]", false),
                ("cmp_latency", "first spike [ms]", true),
            ] {
                Plot::new(id)
                    .width(half)
                    .height(height)
                    .legend(Legend::default().position(egui_plot::Corner::LeftTop))
                    .x_axis_label("I_app (shared numbers: uA/cm2 for HH, pA for Izhikevich)")
                    .y_axis_label(ylabel)
                    .show(ui, |p| {
                        for (label, r) in &curves {
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
                                    .width(2.0),
                            );
                            p.points(
                                Points::new(label.to_string(), PlotPoints::new(pts))
                                    .radius(2.5)
                                    .shape(MarkerShape::Circle),
                            );
                        }
                    });
            }
        });
    }
}
