//! The voltage-clamp panel: I–V curves (instantaneous and at the end of the hold)
//! with their zero crossings, and the family of clamp current traces, from a sweep
//! run in the background on the current setup; or the step protocol (see
//! `clamp_steps_panel`). Currents are shown outward positive (`−I_inf`, see
//! `analysis::clamp::outward`), as physiology teaches them.

use egui_plot::{Legend, Line, MarkerShape, Plot, PlotPoints, Points};

use super::Intent;
use super::clamp_steps_panel::{StepsPanel, blockers_ui, family_color};
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use super::sweep_fields::ms_field_ui;
use crate::analysis::clamp::{
    I_INF, IvColumns, IvConfig, IvResult, blown_up_holds, iv_csv, iv_sweep, iv_total,
    not_steady_fraction, outward, zero_crossings,
};
use crate::analysis::{SweepError, background_threads, range_by_step};
use crate::sim::run::RunSpec;

/// The legend entry of the blown-up holding potentials' crosses.
pub const BLOWN_UP_LABEL: &str = "blew up (NaN/inf)";

/// Samples per clamp trace kept for the figure.
const TRACE_SAMPLES: u64 = 1500;

pub struct IvPanel {
    pub from: f64,
    pub to: f64,
    pub step: f64,
    pub hold_ms: f64,
    pub instant_ms: f64,
    /// Which recorded current the trace plot shows (index into the traces' names).
    pub trace_var: usize,
    /// Recompute when a slider or setting changes (as the f–I tab does).
    pub auto: bool,
    /// What the current (or running) sweep was computed for.
    key: Option<String>,
    /// The sweep's progress while the app runs it.
    pub progress: Option<f32>,
    pub result: Option<IvResult>,
    pub error: Option<String>,
    /// Show the step protocol instead of the I–V sweep.
    pub show_steps: bool,
    pub steps: StepsPanel,
}

impl Default for IvPanel {
    fn default() -> Self {
        Self {
            from: -100.0,
            to: 20.0,
            step: 5.0,
            // Long enough for the slowest HH gate shipped (Kv1 inactivation,
            // tau 150 ms) to settle: the end-of-hold curve is then a steady state.
            hold_ms: 2000.0,
            instant_ms: 1.0,
            trace_var: 0,
            auto: true,
            key: None,
            progress: None,
            result: None,
            error: None,
            show_steps: false,
            steps: StepsPanel::default(),
        }
    }
}

impl IvPanel {
    pub fn is_running(&self) -> bool {
        self.progress.is_some()
    }

    /// The end-of-hold I–V curve as plotted: (holding potential, clamp current
    /// outward positive).
    pub fn plotted_steady(&self) -> Vec<[f64; 2]> {
        self.result.as_ref().map_or_else(Vec::new, |r| {
            r.points
                .iter()
                .map(|p| [p.v_hold, outward(p.steady)])
                .collect()
        })
    }

    fn key_of(&self, setup: &RunSpec) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}",
            setup.sweep_key(),
            self.from,
            self.to,
            self.step,
            self.hold_ms,
            self.instant_ms
        )
    }

    /// Starts a recomputation if automatic updates are on and the setup changed.
    pub fn auto_update(&mut self, setup: &RunSpec, out: &mut Vec<Intent>) {
        let has_v = setup.model.membrane_var().is_some();
        if self.auto && has_v && self.key.as_deref() != Some(self.key_of(setup).as_str()) {
            out.extend(self.start(setup).map(Intent::StartJob));
        }
    }

    /// A sweep of the current setup (it replaces a running one).
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
        let v_holds = match range_by_step(self.from, self.to, self.step) {
            Ok(v) => v,
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        };
        let n_hold = (self.hold_ms / resolved.dt_ms).round().max(1.0) as u64;
        let cfg = IvConfig {
            v_holds,
            hold_ms: self.hold_ms,
            instant_ms: self.instant_ms,
            trace_every: n_hold.div_ceil(TRACE_SAMPLES).max(1) as usize,
            threads: background_threads(),
        };
        let total = iv_total(&cfg, resolved.dt_ms);
        // Shown as running from the request on (the app starts it this frame).
        self.progress = Some(0.0);
        Some(JobRequest::new(JobKind::Iv, total, move |input| {
            iv_sweep(&resolved, &cfg, input.control)
        }))
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
        blockers_ui(ui, setup, out);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.show_steps, false, "I–V curves");
            ui.selectable_value(
                &mut self.show_steps,
                true,
                "Step protocol (test steps, tails)",
            );
        });
        if self.show_steps {
            self.steps.ui(ui, setup, &current_unit(setup), out);
            return;
        }
        self.auto_update(setup, out);
        let has_v = setup.model.membrane_var().is_some();
        ui.horizontal_wrapped(|ui| {
            ui.label("Holding potentials from");
            ui.add(
                egui::DragValue::new(&mut self.from)
                    .speed(1.0)
                    .suffix(" mV"),
            );
            ui.label("to");
            ui.add(egui::DragValue::new(&mut self.to).speed(1.0).suffix(" mV"));
            ui.label("step");
            ui.add(
                egui::DragValue::new(&mut self.step)
                    .speed(0.5)
                    .range(0.1..=100.0)
                    .suffix(" mV"),
            );
            ms_field_ui(ui, "hold", &mut self.hold_ms, 0.1, 10.0);
            ms_field_ui(ui, "instantaneous at", &mut self.instant_ms, 0.0, 0.1);
            ui.checkbox(&mut self.auto, "recompute on change");
        });
        ui.horizontal_wrapped(|ui| {
            if self.progress.is_some() {
                if ui.button("Cancel").clicked() {
                    out.push(Intent::CancelJob(JobKind::Iv));
                }
                let p = self.progress.unwrap_or(0.0);
                ui.add(egui::ProgressBar::new(p).show_percentage().desired_width(240.0));
            } else if ui
                .add_enabled(has_v, egui::Button::new("Run I–V sweep"))
                .on_disabled_hover_text(
                    "This model has no membrane potential (declare one with \
                     `membrane = NAME` in its model file's [roles]).",
                )
                .clicked()
            {
                out.extend(self.start(setup).map(Intent::StartJob));
            }
            if let Some(r) = &self.result {
                if ui.button("Export CSV…").clicked() {
                    out.push(Intent::SaveTableDialog {
                        file_name: format!("{}_iv.csv", r.model_id),
                        text: iv_csv(&r.points, IvColumns::V2),
                    });
                }
                ui.weak(format!("{}: {} potentials", r.model_id, r.points.len()));
            }
            let m = &setup.model;
            let v = m.membrane().map_or("V_m", |(name, _)| name);
            let drive = m.drive().map_or("the drive", |(name, _)| name);
            ui.weak(format!("Clamp: d{v}/dt := 0; plotted is the clamp current -I_inf = sum of I_ion - {drive}, outward positive (parameters of the current setup)."));
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let Some(r) = &self.result else {
            ui.label("Run a sweep to see the I–V curves.");
            return;
        };
        let xs: Vec<f64> = r.points.iter().map(|p| p.v_hold).collect();
        let inst: Vec<f64> = r.points.iter().map(|p| outward(p.instant)).collect();
        let steady: Vec<f64> = self.plotted_steady().iter().map(|p| p[1]).collect();
        let hold_s = r.hold_ms / 1000.0;
        let drift = not_steady_fraction(&r.points);
        let end_label = if drift > 0.01 {
            format!("after {hold_s} s hold (not yet steady)")
        } else {
            "steady state".to_owned()
        };
        let zc_inst = zero_crossings(&xs, &inst);
        let zc_steady = zero_crossings(&xs, &steady);
        let blown = blown_up_holds(&r.points);
        blown_up_note_ui(ui, &blown, setup);
        ui.horizontal_wrapped(|ui| {
            ui.label("Zero crossings, steady:");
            for (v, slope) in &zc_steady {
                ui.monospace(format!(
                    "{v:.2} mV ({})",
                    if *slope > 0.0 {
                        "stable rest"
                    } else {
                        "threshold"
                    }
                ));
            }
            ui.label("  instantaneous:");
            for (v, slope) in &zc_inst {
                ui.monospace(format!(
                    "{v:.2} mV ({})",
                    if *slope > 0.0 { "stable" } else { "threshold" }
                ));
            }
        });
        let h = (ui.available_height() - 8.0) / 2.0;
        let pts =
            |ys: &[f64]| -> Vec<[f64; 2]> { xs.iter().zip(ys).map(|(&x, &y)| [x, y]).collect() };
        let zero = ui.visuals().weak_text_color();
        let blown_color = ui.visuals().error_fg_color;
        Plot::new("iv_curves")
            .height(h.max(120.0))
            .legend(
                Legend::default()
                    .follow_insertion_order(true)
                    .position(egui_plot::Corner::LeftTop),
            )
            .x_axis_label(format!(
                "holding potential {} [mV]",
                setup.model.membrane_name()
            ))
            .y_axis_label(format!(
                "clamp current, outward + [{}]",
                current_unit(setup)
            ))
            .show(ui, |p| {
                // Unnamed: the zero line needs no legend entry.
                p.hline(egui_plot::HLine::new("", 0.0).width(0.5).color(zero));
                // Fixed colours, so neither curve takes the zero crossings' red.
                p.line(
                    Line::new("instantaneous", PlotPoints::new(pts(&inst)))
                        .width(1.5)
                        .color(egui::Color32::from_rgb(90, 150, 240)),
                );
                p.line(
                    Line::new(end_label, PlotPoints::new(pts(&steady)))
                        .width(2.0)
                        .color(egui::Color32::from_rgb(130, 200, 90)),
                );
                let zs: Vec<[f64; 2]> = zc_inst
                    .iter()
                    .chain(&zc_steady)
                    .map(|z| [z.0, 0.0])
                    .collect();
                p.points(
                    Points::new("zero crossings", PlotPoints::new(zs))
                        .shape(MarkerShape::Circle)
                        .radius(5.0)
                        .color(egui::Color32::from_rgb(220, 60, 60)),
                );
                // A lane that blew up has no current: a cross on the axis, as on
                // the f–I tab, instead of a silent gap in the curves.
                if !blown.is_empty() {
                    let at: Vec<[f64; 2]> = blown.iter().map(|&v| [v, 0.0]).collect();
                    p.points(
                        Points::new(BLOWN_UP_LABEL, PlotPoints::new(at))
                            .shape(MarkerShape::Cross)
                            .radius(6.0)
                            .color(blown_color),
                    );
                }
            });
        ui.horizontal(|ui| {
            ui.label("Clamp current traces:");
            let names = &r.traces.names;
            egui::ComboBox::from_id_salt("iv_trace_var")
                .selected_text(names.get(self.trace_var).cloned().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for (k, n) in names.iter().enumerate() {
                        ui.selectable_value(&mut self.trace_var, k, n);
                    }
                });
        });
        let var = self.trace_var;
        // The clamp current itself is shown outward positive; the ionic currents
        // (`I_Na = g (v − E_Na)`, …) already are.
        let sign = if r.traces.names.get(var).map(String::as_str) == Some(I_INF) {
            -1.0
        } else {
            1.0
        };
        let n = r.points.len();
        let trace_label = match r.traces.names.get(var) {
            Some(name) if name == I_INF => {
                format!("clamp current -I_inf, outward + [{}]", current_unit(setup))
            }
            Some(name) => format!("{name}, outward + [{}]", current_unit(setup)),
            None => String::new(),
        };
        ui.weak(format!(
            "Colour: {} mV (dark blue) to {} mV (yellow).",
            xs.first().copied().unwrap_or(0.0),
            xs.last().copied().unwrap_or(0.0)
        ));
        Plot::new("iv_traces")
            .height((ui.available_height()).max(120.0))
            .x_axis_label("time in clamp [ms]")
            .y_axis_label(trace_label)
            .legend(
                Legend::default()
                    .follow_insertion_order(true)
                    .position(egui_plot::Corner::RightTop),
            )
            .show(ui, |p| {
                for (k, point) in r.points.iter().enumerate() {
                    let Some(ys) = r.traces.values.get(k).and_then(|t| t.get(var)) else {
                        continue;
                    };
                    let line: Vec<[f64; 2]> = r
                        .traces
                        .t_ms
                        .iter()
                        .zip(ys)
                        .map(|(&t, &y)| [t, sign * y])
                        .collect();
                    // Named only when few, so the legend never covers the traces.
                    let name = if n <= 10 {
                        format!("{} mV", point.v_hold)
                    } else {
                        String::new()
                    };
                    p.line(
                        Line::new(name, PlotPoints::new(line))
                            .width(1.2)
                            .color(family_color(k, n)),
                    );
                }
            });
    }
}

/// The unit of the model's drive current (the clamp current is in the units of the
/// current terms of `C dv/dt`).
fn current_unit(setup: &RunSpec) -> String {
    setup
        .model
        .drive_param()
        .map(|i| setup.model.desc.parameters[i].unit.clone())
        .unwrap_or_default()
}

impl JobClient for IvPanel {
    fn job_progress(&mut self, _kind: &JobKind, progress: Option<f32>) {
        self.progress = progress;
    }

    fn job_done(&mut self, _kind: &JobKind, result: Result<JobValue, SweepError>) {
        match result.map(take::<IvResult>) {
            Ok(Some(r)) => {
                if self.trace_var >= r.traces.names.len() {
                    self.trace_var = 0;
                }
                self.result = Some(r);
            }
            Ok(None) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}

/// Names the holding potentials whose lane blew up, and what to do about it.
fn blown_up_note_ui(ui: &mut egui::Ui, blown_mv: &[f64], setup: &RunSpec) {
    if blown_mv.is_empty() {
        return;
    }
    let list: Vec<String> = blown_mv.iter().map(|v| format!("{v}")).collect();
    ui.colored_label(
        ui.visuals().error_fg_color,
        format!(
            "Blew up (NaN/inf) at {} holding potential{}: {} mV (crosses on the axis; empty \
             rows in the CSV). Try a smaller dt (now {} ms) or another integrator (now {}).",
            blown_mv.len(),
            if blown_mv.len() == 1 { "" } else { "s" },
            list.join(", "),
            setup.dt_ms,
            setup.integrator.name()
        ),
    );
}
