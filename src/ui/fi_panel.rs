//! The f–I panel: firing rate against a held parameter (default: the model's drive parameter), recomputed
//! in the background whenever the setup changes; curves can be pinned or loaded from
//! other presets to overlay models (e.g. the HH FSI against its Izhikevich fit).

use egui_plot::{Line, MarkerShape, Plot, PlotPoints, Points, VLine};

use super::Intent;
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use super::sweep_fields::ms_field_ui;
use crate::analysis::fi::{
    FiConfig, FiResult, fi_csv, fi_sweep, fi_total, refine_rheobase, refine_total,
};
use crate::analysis::{SweepError, background_threads, linspace};
use crate::sim::run::RunSpec;

pub struct FiPanel {
    pub param: String,
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    pub duration_ms: f64,
    pub transient_ms: f64,
    /// Recompute when a slider or setting changes.
    pub auto: bool,
    /// What the current (or running) curve was computed for.
    key: Option<String>,
    /// The sweep's progress while the app runs it.
    pub progress: Option<f32>,
    pub current: Option<FiResult>,
    /// Pinned and loaded curves: (label, result).
    pub overlays: Vec<(String, FiResult)>,
    /// Labels of the overlays being computed.
    overlays_running: Vec<String>,
    pub error: Option<String>,
    /// The model whose slider range the sweep range was taken from.
    adopted: Option<String>,
}

impl Default for FiPanel {
    fn default() -> Self {
        Self {
            // Chosen from the model when it is adopted: its drive parameter.
            param: String::new(),
            from: 0.0,
            to: 300.0,
            steps: 21,
            duration_ms: 600.0,
            transient_ms: 100.0,
            auto: true,
            key: None,
            progress: None,
            current: None,
            overlays: Vec::new(),
            overlays_running: Vec::new(),
            error: None,
            adopted: None,
        }
    }
}

impl FiPanel {
    fn config(&self) -> Result<FiConfig, String> {
        Ok(FiConfig {
            param: self.param.clone(),
            values: linspace(self.from, self.to, self.steps)?,
            duration_ms: self.duration_ms,
            transient_ms: self.transient_ms,
            threads: background_threads(),
        })
    }

    fn key_of(&self, setup: &RunSpec) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            setup.sweep_key(),
            self.param,
            self.from,
            self.to,
            self.steps,
            self.duration_ms,
            self.transient_ms
        )
    }

    /// On a new model, sweeps the swept parameter's slider range (from 0 up when it
    /// starts below): I_app spans -5..20 uA/cm2 in HH models but -200..1000 pA in
    /// Izhikevich ones. With pinned curves the range stays, so they stay comparable,
    /// unless the parameter itself is missing.
    fn adopt_model(&mut self, setup: &RunSpec) {
        let m = &setup.model;
        if self.adopted.as_deref() == Some(m.id()) {
            return;
        }
        self.adopted = Some(m.id().to_owned());
        let missing = m.param_index(&self.param).is_none();
        if missing {
            self.param = m
                .drive()
                .map(|(name, _)| name)
                .or_else(|| m.desc.parameters.first().map(|p| p.name.as_str()))
                .unwrap_or_default()
                .to_owned();
        }
        if missing || self.overlays.is_empty() {
            self.adopt_range(setup);
        }
    }

    /// Sweeps the swept parameter's slider range; from 0 when it spans zero (an
    /// input current), else from its minimum (e.g. a reset potential).
    fn adopt_range(&mut self, setup: &RunSpec) {
        let m = &setup.model;
        if let Some(i) = m.param_index(&self.param) {
            let r = &m.desc.parameters[i].range;
            self.from = if r.min < 0.0 && r.max > 0.0 {
                0.0
            } else {
                r.min
            };
            self.to = r.max;
        }
    }

    /// The sweep and rheobase refinement of `preset` (the one the request reads
    /// when `None`).
    fn request(kind: JobKind, preset: Option<RunSpec>, cfg: FiConfig) -> JobRequest {
        let total = preset
            .as_ref()
            .map_or(0, |p| fi_total(&cfg, p.dt_ms) + refine_total(&cfg, p.dt_ms));
        JobRequest::new(kind, total, move |input| {
            let Some(resolved) = preset.as_ref().or(input.presets.first()) else {
                return Err(SweepError::Usage("no preset to sweep".into()));
            };
            input.set_total(fi_total(&cfg, resolved.dt_ms) + refine_total(&cfg, resolved.dt_ms));
            let mut r = fi_sweep(resolved, &cfg, input.control)?;
            refine_rheobase(resolved, &cfg, &mut r, input.control)?;
            Ok(r)
        })
    }

    /// A sweep of the current setup (it replaces a running one).
    pub fn start(&mut self, setup: &RunSpec) -> Option<JobRequest> {
        self.adopt_model(setup);
        self.error = None;
        self.key = Some(self.key_of(setup));
        let resolved = match setup.resolve() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e.to_string());
                return None;
            }
        };
        match self.config() {
            Ok(cfg) => {
                // Shown as running from the request on (the app starts it this frame).
                self.progress = Some(0.0);
                Some(Self::request(JobKind::Fi, Some(resolved), cfg))
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// The f–I curve of another preset with the same sweep, as an overlay (the app
    /// loads the file).
    pub fn overlay_request(&mut self, path: &std::path::Path) -> Option<JobRequest> {
        let label = path.file_stem().map_or_else(
            || "overlay".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        match self.config() {
            Ok(cfg) => {
                self.overlays_running.push(label.clone());
                let request = Self::request(JobKind::FiOverlay(label), None, cfg);
                Some(request.reading(vec![path.to_owned()]))
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// Whether the sweep or an overlay is being computed.
    pub fn is_running(&self) -> bool {
        self.progress.is_some() || !self.overlays_running.is_empty()
    }

    /// Starts a recomputation if automatic updates are on and the setup changed.
    pub fn auto_update(&mut self, setup: &RunSpec, out: &mut Vec<Intent>) {
        self.adopt_model(setup);
        if self.auto && self.key.as_deref() != Some(self.key_of(setup).as_str()) {
            out.extend(self.start(setup).map(Intent::StartJob));
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
        self.auto_update(setup, out);
        let m = &setup.model;
        ui.horizontal_wrapped(|ui| {
            ui.label("Sweep");
            let before = self.param.clone();
            egui::ComboBox::from_id_salt("fi_param")
                .selected_text(self.param.clone())
                .show_ui(ui, |ui| {
                    for p in &m.desc.parameters {
                        ui.selectable_value(&mut self.param, p.name.clone(), &p.name);
                    }
                })
                .response
                .accessible_name("swept parameter");
            if self.param != before {
                self.adopt_range(setup);
            }
            let unit = m
                .param_index(&self.param)
                .map(|i| m.desc.parameters[i].unit.as_str())
                .filter(|u| *u != "1")
                .map(|u| format!(" {u}"))
                .unwrap_or_default();
            ui.label("from");
            ui.add(
                egui::DragValue::new(&mut self.from)
                    .speed(0.5)
                    .suffix(&unit),
            );
            ui.label("to");
            ui.add(egui::DragValue::new(&mut self.to).speed(0.5).suffix(&unit));
            ui.label("points");
            ui.add(egui::DragValue::new(&mut self.steps).range(1..=1000));
            ms_field_ui(ui, "duration", &mut self.duration_ms, 1.0, 10.0);
            ms_field_ui(ui, "transient", &mut self.transient_ms, 0.0, 10.0);
            ui.checkbox(&mut self.auto, "recompute on change");
        });
        ui.horizontal(|ui| {
            if self.progress.is_some() {
                if ui.button("Cancel").clicked() {
                    out.push(Intent::CancelJob(JobKind::Fi));
                    self.auto = false;
                }
                ui.add(
                    egui::ProgressBar::new(self.progress.unwrap_or(0.0))
                        .show_percentage()
                        .desired_width(200.0),
                );
            } else if ui.button("Compute").clicked() {
                out.extend(self.start(setup).map(Intent::StartJob));
            }
            if let Some(r) = &self.current {
                if ui
                    .button("Pin curve")
                    .on_hover_text("Keep this curve as an overlay")
                    .clicked()
                {
                    let label = format!("{} #{}", r.model_id, self.overlays.len() + 1);
                    self.overlays.push((label, r.clone()));
                }
                if ui.button("Export CSV…").clicked() {
                    out.push(Intent::SaveTableDialog {
                        file_name: format!("{}_fi.csv", r.model_id),
                        text: fi_csv(r),
                    });
                }
            }
            if ui
                .button("Add preset…")
                .on_hover_text("Overlay the f–I curve of another preset (same sweep)")
                .clicked()
            {
                out.push(Intent::PickPresetFor(super::PresetTarget::FiOverlay));
            }
            if !self.overlays.is_empty() && ui.button("Clear overlays").clicked() {
                self.overlays.clear();
            }
            if !self.overlays_running.is_empty() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let mut curves: Vec<(String, &FiResult)> =
            self.overlays.iter().map(|(l, r)| (l.clone(), r)).collect();
        if let Some(r) = &self.current {
            curves.push((format!("{} (current)", r.model_id), r));
        }
        ui.horizontal_wrapped(|ui| {
            for (label, r) in &curves {
                ui.monospace(format!("{label}: {}", r.rheobase_text()));
            }
        });
        let unit = setup
            .model
            .param_index(&self.param)
            .map(|i| setup.model.desc.parameters[i].unit.clone())
            .unwrap_or_default();
        // Curves in other drive units share the axis only as plain numbers: say so
        // (no factor between them is known here).
        let others: Vec<String> = curves
            .iter()
            .filter(|(_, r)| r.unit != unit)
            .map(|(l, r)| format!("{l}: {}", r.unit))
            .collect();
        if !others.is_empty() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Warning: {} units differ ({unit} here; {}): the curves share the axis as plain \
                     numbers, without conversion",
                    self.param,
                    others.join(", ")
                ),
            );
        }
        let x_unit = if others.is_empty() {
            unit.to_string()
        } else {
            format!("{unit}; overlays in their own units")
        };
        let dark = ui.visuals().dark_mode;
        let blown_color = ui.visuals().error_fg_color;
        let width = super::plot_style::line_width(ui.ctx(), 1.3);
        let plot = super::plot_style::styled(
            Plot::new("fi_curves"),
            super::plot_style::AxisSpec::new(self.param.clone(), x_unit),
            super::plot_style::AxisSpec::new("rate", "Hz"),
        );
        super::plot_style::with_legend(plot, ui.ctx(), egui_plot::Corner::LeftTop).show(ui, |p| {
            let n = curves.len();
            for (k, (label, r)) in curves.iter().enumerate() {
                // One colour per curve for its line, dots and rheobase, so the
                // legend entry (which merges them) shows that colour, not grey.
                let color = super::palette::series(k, n, dark);
                // A lane that blew up has no rate: left out of the curve and marked
                // with a cross on the axis instead.
                let pts: Vec<[f64; 2]> = r
                    .points
                    .iter()
                    .filter(|q| !q.non_finite)
                    .map(|q| [q.value, q.rate_hz])
                    .collect();
                let blown: Vec<[f64; 2]> = r
                    .points
                    .iter()
                    .filter(|q| q.non_finite)
                    .map(|q| [q.value, 0.0])
                    .collect();
                if !blown.is_empty() {
                    p.points(
                        Points::new(
                            format!("{label}: blew up (NaN/inf)"),
                            PlotPoints::new(blown),
                        )
                        .radius(4.0 + width)
                        .shape(MarkerShape::Cross)
                        .color(blown_color),
                    );
                }
                p.line(
                    Line::new(label.clone(), PlotPoints::new(pts.clone()))
                        .width(width)
                        .color(color),
                );
                p.points(
                    Points::new(label.clone(), PlotPoints::new(pts))
                        .radius(2.0 + width)
                        .shape(MarkerShape::Circle)
                        .color(color),
                );
                if let Some(x) = r.best_rheobase() {
                    p.vline(
                        VLine::new(format!("{label} rheobase"), x)
                            .style(egui_plot::LineStyle::dashed_loose())
                            .color(color),
                    );
                }
            }
        });
    }
}

impl JobClient for FiPanel {
    fn job_progress(&mut self, kind: &JobKind, progress: Option<f32>) {
        match kind {
            JobKind::FiOverlay(label) => {
                self.overlays_running.retain(|l| l != label);
                if progress.is_some() {
                    self.overlays_running.push(label.clone());
                }
            }
            _ => self.progress = progress,
        }
    }

    fn job_done(&mut self, kind: &JobKind, result: Result<JobValue, SweepError>) {
        let result = result.map(take::<FiResult>);
        match (kind, result) {
            (JobKind::FiOverlay(label), Ok(Some(r))) => self.overlays.push((label.clone(), r)),
            (JobKind::FiOverlay(label), Err(e)) => self.error = Some(format!("{label}: {e}")),
            (_, Ok(Some(r))) => self.current = Some(r),
            (_, Err(e)) => self.error = Some(e.to_string()),
            (_, Ok(None)) => {}
        }
    }
}
