//! The bifurcation tab: equilibria (filled: stable, open: unstable) and the
//! attractor's v range against one parameter, the firing rate below, the current
//! value marked; recomputed in the background when another slider moves; a click
//! sets the parameter (one undo step).

use egui_plot::{Line, MarkerShape, Plot, PlotPoints, Points, VLine};

use super::plot_style::{AxisSpec, line_width, styled, with_legend};

use super::Intent;
use super::dynamics_common::{
    RunControl, clicked_point, default_param, key_without, param_combo_ui, run_controls_ui,
    slider_range, unit_suffix,
};
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use super::sweep_fields::ms_field_ui;
use crate::analysis::bifurcation::{
    Bifurcation, BifurcationConfig, bifurcation, bifurcation_csv, bifurcation_total,
};
use crate::analysis::{SweepError, background_threads, linspace};
use crate::sim::run::RunSpec;

// Colour-blind-safe: bluish green, vermillion and blue (Okabe–Ito); stable and
// unstable also differ in fill.
const STABLE: egui::Color32 = super::palette::STABLE;
const UNSTABLE: egui::Color32 = super::palette::ALERT;
const ATTRACTOR: egui::Color32 = super::palette::CANDIDATE;

pub struct BifurcationPanel {
    pub param: String,
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    pub run_ms: f64,
    pub auto: bool,
    key: Option<String>,
    pub progress: Option<f32>,
    pub current: Option<Bifurcation>,
    pub error: Option<String>,
    adopted: Option<String>,
}

impl Default for BifurcationPanel {
    fn default() -> Self {
        Self {
            param: String::new(),
            from: 0.0,
            to: 1.0,
            steps: 100,
            run_ms: 1000.0,
            auto: true,
            key: None,
            progress: None,
            current: None,
            error: None,
            adopted: None,
        }
    }
}

impl BifurcationPanel {
    fn key_of(&self, setup: &RunSpec) -> String {
        let extra = format!(
            "{}|{}|{}|{}|{}",
            self.param, self.from, self.to, self.steps, self.run_ms
        );
        key_without(setup, &[self.param.as_str()], extra)
    }

    /// On a new model: the drive parameter over its slider range (from 0 when the
    /// range spans 0, as the f–I tab does).
    fn adopt_model(&mut self, setup: &RunSpec) {
        let m = &setup.model;
        if self.adopted.as_deref() == Some(m.id()) && m.param_index(&self.param).is_some() {
            return;
        }
        self.adopted = Some(m.id().to_owned());
        self.param = default_param(m);
        self.adopt_range(setup);
    }

    fn adopt_range(&mut self, setup: &RunSpec) {
        if let Some((lo, hi)) = slider_range(&setup.model, &self.param) {
            self.from = if lo < 0.0 && hi > 0.0 { 0.0 } else { lo };
            self.to = hi;
        }
    }

    /// Starts a computation of the current setup, replacing a running one.
    pub fn start(&mut self, setup: &RunSpec) -> Option<JobRequest> {
        self.error = None;
        self.key = Some(self.key_of(setup));
        let resolved = match setup.resolve() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e.to_string());
                return None;
            }
        };
        let values = match linspace(self.from, self.to, self.steps) {
            Ok(v) => v,
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        };
        let mut cfg = BifurcationConfig::new(&self.param, values, background_threads());
        cfg.run_ms = self.run_ms;
        cfg.transient_ms = self.run_ms / 2.0;
        let total = bifurcation_total(&cfg, resolved.dt_ms);
        // Shown as running from the request on (the app starts it this frame).
        self.progress = Some(0.0);
        Some(JobRequest::new(JobKind::Bifurcation, total, move |input| {
            bifurcation(&resolved, &cfg, input.control)
        }))
    }

    pub fn is_running(&self) -> bool {
        self.progress.is_some()
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
        self.settings_ui(ui, setup);
        self.actions_ui(ui, setup, out);
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let m = &setup.model;
        let Some(pi) = m.param_index(&self.param) else {
            return;
        };
        let value = setup.parameters[pi];
        if let Some(b) = &self.current {
            ui.monospace(match b.stable_rest_lost_at() {
                Some(x) => format!(
                    "stable rest lost at {} = {x:.4}{}",
                    b.param,
                    unit_suffix(m, &b.param)
                ),
                None => "no loss of a stable rest state in the range".to_owned(),
            });
        }
        let x_axis = AxisSpec::new(self.param.clone(), m.desc.parameters[pi].unit.clone());
        let h = ui.available_height();
        let grey = ui.visuals().weak_text_color();
        let width = line_width(ui.ctx(), 1.0);
        let plot = styled(
            Plot::new("bifurcation_v").height(h * 0.68),
            x_axis.clone(),
            AxisSpec::membrane(m),
        );
        // The parameter's title is under the rate plot below.
        let diagram = with_legend(plot.x_axis_label(""), ui.ctx(), egui_plot::Corner::RightTop)
            .link_axis(egui::Id::unique("bifurcation_x"), [true, false])
            .show(ui, |p| {
                if let Some(b) = &self.current {
                    diagram_items(p, b, m.membrane_name());
                }
                p.vline(VLine::new("current value", value).color(grey));
            });
        let rate = styled(
            Plot::new("bifurcation_rate"),
            x_axis,
            AxisSpec::new("rate", "Hz"),
        )
        .link_axis(egui::Id::unique("bifurcation_x"), [true, false])
        .show(ui, |p| {
            if let Some(b) = &self.current {
                let pts: Vec<[f64; 2]> = b.attractor.iter().map(|a| [a.value, a.rate_hz]).collect();
                p.line(
                    Line::new("rate", PlotPoints::new(pts))
                        .color(ATTRACTOR)
                        .width(width),
                );
            }
            p.vline(VLine::new("current value", value).color(grey));
        });
        if let Some([x, _]) = clicked_point(&diagram).or_else(|| clicked_point(&rate)) {
            out.push(Intent::SetParam {
                index: pi,
                value: x,
            });
        }
    }

    fn settings_ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec) {
        let m = &setup.model;
        ui.horizontal_wrapped(|ui| {
            ui.label("Parameter");
            if param_combo_ui(ui, "bifurcation parameter", m, &mut self.param) {
                self.adopt_range(setup);
            }
            let unit = unit_suffix(m, &self.param);
            ui.label("from");
            ui.add(
                egui::DragValue::new(&mut self.from)
                    .speed(0.5)
                    .suffix(&unit),
            );
            ui.label("to");
            ui.add(egui::DragValue::new(&mut self.to).speed(0.5).suffix(&unit));
            ui.label("points");
            ui.add(egui::DragValue::new(&mut self.steps).range(2..=2000));
            ms_field_ui(ui, "run", &mut self.run_ms, 1.0, 10.0);
            ui.checkbox(&mut self.auto, "recompute on change");
        });
    }

    fn actions_ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
        ui.horizontal(|ui| {
            match run_controls_ui(ui, self.progress.is_some(), self.progress) {
                RunControl::Cancel => {
                    out.push(Intent::CancelJob(JobKind::Bifurcation));
                    self.auto = false;
                }
                RunControl::Compute => out.extend(self.start(setup).map(Intent::StartJob)),
                RunControl::Idle => {}
            }
            if let Some(b) = &self.current
                && ui.button("Export CSV…").clicked()
            {
                out.push(Intent::SaveTableDialog {
                    file_name: format!("{}_bifurcation.csv", b.model_id),
                    text: bifurcation_csv(b),
                });
            }
            if ui.button("Export PNG…").clicked() {
                out.push(Intent::ScreenshotDialog);
            }
            ui.label("Click the diagram to set the parameter.");
        });
    }
}

/// Equilibria (filled: stable, open: unstable) and the attractor's v min and max.
/// `v` names the membrane potential in the legend.
fn diagram_items(p: &mut egui_plot::PlotUi, b: &Bifurcation, v: &str) {
    let (stable, unstable): (Vec<_>, Vec<_>) =
        b.equilibria.iter().partition(|e| e.stability.is_stable());
    let pts = |es: &[&crate::analysis::bifurcation::Equilibrium]| {
        PlotPoints::new(es.iter().map(|e| [e.value, e.v_mv]).collect())
    };
    p.points(
        Points::new("stable equilibrium", pts(&stable))
            .color(STABLE)
            .radius(2.5)
            .filled(true)
            .shape(MarkerShape::Circle),
    );
    p.points(
        Points::new("unstable equilibrium", pts(&unstable))
            .color(UNSTABLE)
            .radius(2.5)
            .filled(false)
            .shape(MarkerShape::Circle),
    );
    let firing: Vec<_> = b.attractor.iter().filter(|a| a.rate_hz > 0.0).collect();
    for (name, f) in [
        (
            format!("{v} max (firing)"),
            (|a: &&crate::analysis::bifurcation::AttractorPoint| a.v_max_mv) as fn(&&_) -> f64,
        ),
        (format!("{v} min (firing)"), |a| a.v_min_mv),
    ] {
        let pts: Vec<[f64; 2]> = firing.iter().map(|a| [a.value, f(a)]).collect();
        p.points(
            Points::new(name, PlotPoints::new(pts))
                .color(ATTRACTOR)
                .radius(1.8)
                .shape(MarkerShape::Diamond),
        );
    }
}

impl JobClient for BifurcationPanel {
    fn job_progress(&mut self, _kind: &JobKind, progress: Option<f32>) {
        self.progress = progress;
    }

    fn job_done(&mut self, _kind: &JobKind, result: Result<JobValue, SweepError>) {
        match result.map(take::<Bifurcation>) {
            Ok(r) => self.current = r.or(self.current.take()),
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}
