//! The Gallery view: the shipped cell-type presets as small multiples on one step
//! protocol (`analysis::gallery`), computed in the background with progress; a click
//! on a cell opens its preset.

use egui_plot::{Line, Plot, PlotPoints};

use super::Intent;
use super::job::{JobClient, JobKind, JobRequest, JobValue, take};
use crate::analysis::gallery::{GalleryCell, RUN_MS, STEP_END_MS, STEP_START_MS, gallery_cells};
use crate::analysis::{SweepError, background_threads};

/// Step sizes offered, as multiples of each cell's rheobase.
const FACTORS: [f64; 4] = [1.1, 1.5, 2.0, 3.0];
/// Width a small multiple asks for.
const TILE_WIDTH: f32 = 260.0;

pub struct GalleryPanel {
    /// The step as a multiple of each cell's rheobase.
    pub factor: f64,
    /// The factor the cells (or the running job) were computed for.
    computed_for: Option<f64>,
    pub progress: Option<f32>,
    pub cells: Vec<GalleryCell>,
    pub error: Option<String>,
}

impl Default for GalleryPanel {
    fn default() -> Self {
        Self {
            factor: 2.0,
            computed_for: None,
            progress: None,
            cells: Vec::new(),
            error: None,
        }
    }
}

impl GalleryPanel {
    /// Every cell for the current factor, computed by the app in the background
    /// (it reads the shipped presets).
    pub fn start(&mut self) -> JobRequest {
        self.error = None;
        let factor = self.factor;
        self.computed_for = Some(factor);
        self.progress = Some(0.0);
        JobRequest::new(JobKind::Gallery, 0, move |input| {
            let Some(dir) = super::presets::presets_dir() else {
                return Err(SweepError::Usage(
                    "no presets folder found next to the program".into(),
                ));
            };
            gallery_cells(&dir, factor, background_threads(), input.control, |n| {
                input.set_total(n);
            })
        })
    }

    pub fn is_running(&self) -> bool {
        self.progress.is_some()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Intent>) {
        if self.computed_for != Some(self.factor) && self.progress.is_none() {
            out.push(Intent::StartJob(self.start()));
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Step:");
            egui::ComboBox::from_id_salt("gallery_factor")
                .selected_text(format!("{} × rheobase", self.factor))
                .show_ui(ui, |ui| {
                    for f in FACTORS {
                        ui.selectable_value(&mut self.factor, f, format!("{f} × rheobase"));
                    }
                });
            ui.label(format!(
                "Each cell runs its own preset's parameters; its drive steps from the \
                 preset's value to {} × its own rheobase (in its own units) from {STEP_START_MS} \
                 to {STEP_END_MS} ms. Rheobase: the drive held from t = 0 for 1 s, refined \
                 as in the f–I tab. Click a cell to open it.",
                self.factor
            ));
        });
        if let Some(p) = self.progress {
            ui.add(
                egui::ProgressBar::new(p)
                    .show_percentage()
                    .text("Running the gallery…"),
            );
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.separator();
        let columns = ((ui.available_width() / TILE_WIDTH).floor() as usize).max(1);
        let spacing = 8.0;
        let width = (ui.available_width() - 16.0) / columns as f32 - spacing;
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("gallery_grid")
                .num_columns(columns)
                .spacing([spacing, spacing])
                .show(ui, |ui| {
                    let factor = self.computed_for.unwrap_or(self.factor);
                    for (i, cell) in self.cells.iter().enumerate() {
                        tile_ui(ui, cell, i, width.max(180.0), factor, out);
                        if (i + 1) % columns == 0 {
                            ui.end_row();
                        }
                    }
                });
        });
    }
}

/// The step's size in words: `2 × 50.7 = 101.4 pA`.
fn step_text(cell: &GalleryCell, factor: f64) -> String {
    match cell.rheobase {
        Some(r) => format!(
            "{} step to {:.3} {} (rheobase {:.3})",
            cell.drive,
            factor * r,
            cell.unit,
            r
        ),
        None => "fires without input: no step".to_owned(),
    }
}

/// One small multiple: title (opens the preset), v against t, latency and count.
fn tile_ui(
    ui: &mut egui::Ui,
    cell: &GalleryCell,
    index: usize,
    width: f32,
    factor: f64,
    out: &mut Vec<Intent>,
) {
    ui.vertical(|ui| {
        ui.set_width(width);
        let open = ui
            .button(format!("Open {}", cell.title))
            .on_hover_text(format!("Open {}", cell.path.display()));
        if open.clicked() {
            out.push(Intent::Open(cell.path.clone()));
        }
        ui.small(step_text(cell, factor));
        let points: Vec<[f64; 2]> = spike_drawn_points(cell);
        let plot = Plot::new(("gallery_cell", index))
            .height(130.0)
            .width(width)
            .include_x(0.0)
            .include_x(RUN_MS)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .show_axes(false)
            .show_x(false)
            .show_y(false)
            .show(ui, |p| {
                // The step's onset and end, faint, behind the trace.
                let faint = egui::Color32::from_gray(110);
                for t in [STEP_START_MS, STEP_END_MS] {
                    p.vline(egui_plot::VLine::new("step", t).color(faint).width(1.0));
                }
                p.line(Line::new(cell.membrane.as_str(), PlotPoints::from(points)).width(1.2));
            });
        if plot.response.clicked() {
            out.push(Intent::Open(cell.path.clone()));
        }
        let latency = cell.latency_ms().map_or("no spike".to_owned(), |l| {
            format!("first spike {l:.1} ms after onset")
        });
        ui.small(format!(
            "{}, 0–{RUN_MS} ms · {} spikes in the step · {latency}",
            cell.membrane,
            cell.spikes_in_step()
        ));
    });
}

/// The trace with each spike drawn up to the spike cut-off (the recorded v is
/// already reset in the step of a spike, so the peak itself is never sampled).
fn spike_drawn_points(cell: &GalleryCell) -> Vec<[f64; 2]> {
    let t = &cell.trace;
    let mut out = Vec::with_capacity(t.t_ms.len() + 2 * t.spikes_ms.len());
    let mut spikes = t.spikes_ms.iter().peekable();
    for (&time, &v) in t.t_ms.iter().zip(&t.v_mv) {
        while let Some(&&s) = spikes.peek() {
            if s > time {
                break;
            }
            spikes.next();
            if let Some(peak) = cell.v_peak {
                out.push([s, peak]);
            }
        }
        out.push([time, v]);
    }
    out
}

impl JobClient for GalleryPanel {
    fn job_progress(&mut self, _kind: &JobKind, progress: Option<f32>) {
        self.progress = progress;
    }

    fn job_done(&mut self, _kind: &JobKind, result: Result<JobValue, SweepError>) {
        match result.map(take::<Vec<GalleryCell>>) {
            Ok(Some(cells)) => self.cells = cells,
            Ok(None) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}
