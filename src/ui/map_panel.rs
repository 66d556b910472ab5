//! The map tab: firing class (legend) or rate (colour bar) over two parameters,
//! drawn as it fills in coarse to fine, a crosshair at the current settings,
//! recomputed in the background when another slider moves; a click on a pixel
//! sets both parameters (one undo step).

use egui_plot::{HLine, Plot, PlotImage, PlotPoint, VLine};

use super::Intent;
use super::dynamics_common::{
    RunControl, clicked_point, key_without, param_combo_ui, run_controls_ui, slider_range,
    unit_suffix,
};
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use crate::analysis::features::FiringClass;
use crate::analysis::map::{
    Axis, MapConfig, MapResult, class_rgb, map_csv, map_sweep, map_total, nearest, rate_rgb,
};
use crate::analysis::{SweepError, background_threads, linspace};
use crate::sim::run::RunSpec;

/// What the pixels show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colouring {
    Class,
    Rate,
}

pub struct MapPanel {
    pub x: String,
    pub y: String,
    pub x_range: [f64; 2],
    pub y_range: [f64; 2],
    pub steps: usize,
    pub colouring: Colouring,
    pub auto: bool,
    key: Option<String>,
    pub progress: Option<f32>,
    pub current: Option<MapResult>,
    pub error: Option<String>,
    adopted: Option<String>,
    /// The texture and the (passes, colouring) it was drawn for.
    texture: Option<(egui::TextureHandle, (usize, Colouring, usize))>,
    /// Bumped whenever `current` changes.
    version: usize,
}

impl Default for MapPanel {
    fn default() -> Self {
        Self {
            x: String::new(),
            y: String::new(),
            x_range: [0.0, 1.0],
            y_range: [0.0, 1.0],
            steps: 48,
            colouring: Colouring::Class,
            auto: true,
            key: None,
            progress: None,
            current: None,
            error: None,
            adopted: None,
            texture: None,
            version: 0,
        }
    }
}

/// Two parameters to map by default: Izhikevich's reset (c, d) when the model has
/// them, else the drive against the first other parameter.
fn default_axes(m: &crate::model::CompiledModel) -> (String, String) {
    if m.param_index("c").is_some() && m.param_index("d").is_some() {
        return ("c".into(), "d".into());
    }
    let names: Vec<&str> = m.desc.parameters.iter().map(|p| p.name.as_str()).collect();
    let x = super::dynamics_common::default_param(m);
    let y = names.iter().find(|n| **n != x).copied().unwrap_or_default();
    (x, y.to_owned())
}

impl MapPanel {
    fn key_of(&self, setup: &RunSpec) -> String {
        let extra = format!(
            "{}|{}|{:?}|{:?}|{}",
            self.x, self.y, self.x_range, self.y_range, self.steps
        );
        key_without(setup, &[self.x.as_str(), self.y.as_str()], extra)
    }

    fn adopt_model(&mut self, setup: &RunSpec) {
        let m = &setup.model;
        let valid = m.param_index(&self.x).is_some() && m.param_index(&self.y).is_some();
        if self.adopted.as_deref() == Some(m.id()) && valid {
            return;
        }
        self.adopted = Some(m.id().to_owned());
        (self.x, self.y) = default_axes(m);
        self.adopt_ranges(setup);
    }

    fn adopt_ranges(&mut self, setup: &RunSpec) {
        if let Some((lo, hi)) = slider_range(&setup.model, &self.x) {
            self.x_range = [lo, hi];
        }
        if let Some((lo, hi)) = slider_range(&setup.model, &self.y) {
            self.y_range = [lo, hi];
        }
    }

    /// Starts a map of the current setup, replacing a running one.
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
        let axis = |param: &str, r: [f64; 2]| {
            linspace(r[0], r[1], self.steps).map(|values| Axis {
                param: param.to_owned(),
                values,
            })
        };
        let cfg = match (axis(&self.x, self.x_range), axis(&self.y, self.y_range)) {
            (Ok(x), Ok(y)) => MapConfig {
                x,
                y,
                threads: background_threads(),
            },
            (Err(e), _) | (_, Err(e)) => {
                self.error = Some(e);
                return None;
            }
        };
        let total = map_total(&cfg, &resolved);
        // Shown as running from the request on (the app starts it this frame).
        self.progress = Some(0.0);
        // Each finished pass (coarse to fine) is shown while the next one runs.
        Some(JobRequest::new(JobKind::Map, total, move |input| {
            map_sweep(&resolved, &cfg, input.control, |m| {
                (input.report)(Box::new(m.clone()));
            })
        }))
    }

    pub fn is_running(&self) -> bool {
        self.progress.is_some()
    }

    fn set_current(&mut self, m: MapResult) {
        self.current = Some(m);
        self.version += 1;
    }

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
        let (Some(px), Some(py)) = (m.param_index(&self.x), m.param_index(&self.y)) else {
            return;
        };
        let max_rate = self.max_rate();
        self.legend_ui(ui, max_rate);
        let texture = self.texture_for(ui.ctx(), max_rate);
        let here = [setup.parameters[px], setup.parameters[py]];
        let r = super::plot_style::styled(
            Plot::new("parameter_map"),
            super::plot_style::AxisSpec::new(self.x.clone(), m.desc.parameters[px].unit.clone()),
            super::plot_style::AxisSpec::new(self.y.clone(), m.desc.parameters[py].unit.clone()),
        )
        .show(ui, |p| {
            if let (Some(t), Some(cur)) = (&texture, &self.current)
                && let (Some(x), Some(y)) = (&cur.x, &cur.y)
            {
                let (cx, w) = extent(&x.values);
                let (cy, h) = extent(&y.values);
                p.image(PlotImage::new(
                    "map",
                    t.id(),
                    PlotPoint::new(cx, cy),
                    [w as f32, h as f32],
                ));
            }
            let cross = egui::Color32::BLACK;
            p.vline(VLine::new("current", here[0]).color(cross).width(1.5));
            p.hline(HLine::new("current", here[1]).color(cross).width(1.5));
        });
        if let Some([x, y]) = clicked_point(&r)
            && let Some(cur) = &self.current
            && let (Some(ax), Some(ay)) = (&cur.x, &cur.y)
            && let (Some(ix), Some(iy)) = (nearest(&ax.values, x), nearest(&ay.values, y))
        {
            out.push(Intent::SetParams(vec![
                (px, ax.values[ix]),
                (py, ay.values[iy]),
            ]));
        }
    }

    fn max_rate(&self) -> f64 {
        self.current.as_ref().map_or(0.0, |m| {
            m.cells
                .iter()
                .flatten()
                .map(|c| c.rate_hz)
                .fold(0.0, f64::max)
        })
    }

    /// The map as a texture, redrawn only when the result or colouring changed.
    fn texture_for(&mut self, ctx: &egui::Context, max_rate: f64) -> Option<egui::TextureHandle> {
        let m = self.current.as_ref()?;
        let stamp = (self.version, self.colouring, max_rate.to_bits() as usize);
        if let Some((t, s)) = &self.texture
            && *s == stamp
        {
            return Some(t.clone());
        }
        let (nx, ny) = (m.nx(), m.ny());
        let mut pixels = Vec::with_capacity(nx * ny);
        for row in 0..ny {
            let iy = ny - 1 - row;
            for ix in 0..nx {
                let rgb = match (m.display_cell(ix, iy), self.colouring) {
                    (None, _) => [255, 255, 255],
                    (Some(c), Colouring::Class) => class_rgb(c.class),
                    (Some(c), Colouring::Rate) => rate_rgb(c.rate_hz, max_rate),
                };
                pixels.push(egui::Color32::from_rgb(rgb[0], rgb[1], rgb[2]));
            }
        }
        let image = egui::ColorImage::new([nx, ny], pixels);
        let t = ctx.load_texture("parameter_map", image, egui::TextureOptions::NEAREST);
        self.texture = Some((t.clone(), stamp));
        Some(t)
    }

    fn legend_ui(&self, ui: &mut egui::Ui, max_rate: f64) {
        ui.horizontal_wrapped(|ui| match self.colouring {
            Colouring::Class => {
                for c in FiringClass::ALL {
                    let [r, g, b] = class_rgb(c);
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
                    ui.painter()
                        .rect_filled(rect, 2.0, egui::Color32::from_rgb(r, g, b));
                    ui.label(c.name());
                }
            }
            Colouring::Rate => {
                ui.label("0 Hz");
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(200.0, 16.0), egui::Sense::hover());
                for k in 0..50 {
                    let f = k as f64 / 49.0;
                    let [r, g, b] = rate_rgb(f * max_rate, max_rate);
                    let x0 = rect.left() + rect.width() * k as f32 / 50.0;
                    let cell = egui::Rect::from_min_size(
                        egui::pos2(x0, rect.top()),
                        egui::vec2(rect.width() / 50.0 + 0.5, rect.height()),
                    );
                    ui.painter()
                        .rect_filled(cell, 0.0, egui::Color32::from_rgb(r, g, b));
                }
                ui.label(format!("{max_rate:.0} Hz"));
            }
        });
    }

    fn settings_ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec) {
        let m = &setup.model;
        ui.horizontal_wrapped(|ui| {
            for (label, param, range) in [
                ("x", &mut self.x, &mut self.x_range),
                ("y", &mut self.y, &mut self.y_range),
            ] {
                ui.label(label);
                if param_combo_ui(ui, &format!("map {label} parameter"), m, param)
                    && let Some((lo, hi)) = slider_range(m, param)
                {
                    *range = [lo, hi];
                }
                let unit = unit_suffix(m, param);
                ui.add(egui::DragValue::new(&mut range[0]).speed(0.1).suffix(&unit));
                ui.label("to");
                ui.add(egui::DragValue::new(&mut range[1]).speed(0.1).suffix(&unit));
            }
            ui.label("pixels per side");
            ui.add(egui::DragValue::new(&mut self.steps).range(2..=256));
            ui.radio_value(&mut self.colouring, Colouring::Class, "class");
            ui.radio_value(&mut self.colouring, Colouring::Rate, "rate");
            ui.checkbox(&mut self.auto, "recompute on change");
        });
    }

    fn actions_ui(&mut self, ui: &mut egui::Ui, setup: &RunSpec, out: &mut Vec<Intent>) {
        ui.horizontal(|ui| {
            match run_controls_ui(ui, self.progress.is_some(), self.progress) {
                RunControl::Cancel => {
                    out.push(Intent::CancelJob(JobKind::Map));
                    self.auto = false;
                }
                RunControl::Compute => out.extend(self.start(setup).map(Intent::StartJob)),
                RunControl::Idle => {}
            }
            if let Some(m) = &self.current
                && ui.button("Export CSV…").clicked()
            {
                out.push(Intent::SaveTableDialog {
                    file_name: format!("{}_map.csv", setup.model.id()),
                    text: map_csv(m),
                });
            }
            if ui.button("Export PNG…").clicked() {
                out.push(Intent::ScreenshotDialog);
            }
            if self.current.as_ref().is_some_and(|m| !m.protocol_applied) {
                ui.label("(the protocol drives a mapped parameter: both held from t = 0)");
            }
            ui.label("Click a pixel to go there.");
        });
    }
}

/// Centre and size of the band covering grid `values`, one cell wide at each end.
fn extent(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = (values[0], values[values.len() - 1]);
    let cell = if values.len() > 1 {
        (hi - lo) / (values.len() - 1) as f64
    } else {
        1.0
    };
    (0.5 * (lo + hi), (hi - lo).abs() + cell.abs())
}

impl JobClient for MapPanel {
    fn job_progress(&mut self, _kind: &JobKind, progress: Option<f32>) {
        self.progress = progress;
    }

    fn job_report(&mut self, _kind: &JobKind, value: JobValue) {
        if let Some(m) = take::<MapResult>(value) {
            self.set_current(m);
        }
    }

    fn job_done(&mut self, _kind: &JobKind, result: Result<JobValue, SweepError>) {
        match result.map(take::<MapResult>) {
            Ok(Some(m)) => self.set_current(m),
            Ok(None) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}
