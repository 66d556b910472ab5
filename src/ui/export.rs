//! Export of the recording: CSV in exactly the CLI's format (same header, number
//! formatting and row semantics, via `io::csv`) with its JSON sidecar, and PNG
//! images of the plots.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::history::History;
use crate::io::csv::{format_row, header, sidecar, write_file};
use crate::io::preset::ResolvedPreset;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("nothing recorded yet: press Run or Step first")]
    Empty,
    #[error("{0} (the recording is kept; choose another file)")]
    Write(std::io::Error),
    #[error("cannot encode the image: {0}")]
    Image(String),
    #[error("{0} (the recording is kept; free some space or export the visible window only)")]
    NoSpace(String),
}

/// The sidecar's path: `trace.csv` → `trace.json`.
pub fn sidecar_path(csv: &Path) -> PathBuf {
    csv.with_extension("json")
}

/// The CSV text of `vars` over the sample range `rows`.
pub fn csv_text(
    history: &History,
    model: &crate::model::CompiledModel,
    vars: &[usize],
    rows: Range<usize>,
) -> String {
    let mut text = header(model, vars);
    let mut line = String::new();
    let columns: Vec<_> = vars.iter().filter_map(|&i| history.channel(i)).collect();
    for row in rows {
        let t = history.t_ms()[row];
        let spike = history.spikes()[row];
        format_row(&mut line, t, columns.iter().map(|c| c[row]), spike);
        text.push_str(&line);
    }
    text
}

/// Streams the rows into an atomic file: no copy of the whole recording as text.
fn write_rows(
    path: &Path,
    history: &History,
    model: &crate::model::CompiledModel,
    vars: &[usize],
    rows: Range<usize>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = crate::io::atomic::AtomicFile::create(path)?;
    out.write_all(header(model, vars).as_bytes())?;
    let mut line = String::new();
    let columns: Vec<_> = vars.iter().filter_map(|&i| history.channel(i)).collect();
    for row in rows {
        let t = history.t_ms()[row];
        let spike = history.spikes()[row];
        format_row(&mut line, t, columns.iter().map(|c| c[row]), spike);
        out.write_all(line.as_bytes())?;
    }
    out.commit()
}

/// Writes the CSV and its sidecar; returns the number of rows written.
pub fn export_csv(
    path: &Path,
    history: &History,
    resolved: &ResolvedPreset,
    vars: &[usize],
    rows: Range<usize>,
    dropped_samples: u64,
    model_file: Option<&str>,
) -> Result<usize, ExportError> {
    if rows.is_empty() || history.is_empty() {
        return Err(ExportError::Empty);
    }
    let n = rows.len();
    let (t0, t1) = (history.t_ms()[rows.start], history.t_ms()[rows.end - 1]);
    // Refused before writing when it cannot fit (a round-trip f64 takes <= 24 bytes).
    let bytes = n as f64 * (22.0 * (vars.len() + 1) as f64 + 3.0);
    if let Some(free) = crate::cli::budget::free_bytes(path)
        && bytes > free as f64
    {
        use crate::cli::budget::human_bytes;
        return Err(ExportError::NoSpace(format!(
            "the export would take about {}, but only {} are free there",
            human_bytes(bytes),
            human_bytes(free as f64)
        )));
    }
    write_rows(path, history, &resolved.model, vars, rows).map_err(ExportError::Write)?;
    let mut meta = sidecar(resolved, vars, model_file);
    if let Some(obj) = meta.as_object_mut() {
        obj.insert("exported_by".into(), "neuron-explorer GUI".into());
        obj.insert("rows".into(), n.into());
        obj.insert("t_first_ms".into(), t0.into());
        obj.insert("t_last_ms".into(), t1.into());
        obj.insert("history_wrapped".into(), history.wrapped.into());
        obj.insert("dropped_samples".into(), dropped_samples.into());
    }
    let json = serde_json::to_string_pretty(&meta).unwrap_or_default();
    write_file(&sidecar_path(path), json.as_bytes()).map_err(ExportError::Write)?;
    Ok(n)
}

/// Crops a screenshot to `rect` (points) and writes it as PNG.
pub fn save_png(
    path: &Path,
    image: &egui::ColorImage,
    rect: Option<egui::Rect>,
    pixels_per_point: f32,
) -> Result<(), ExportError> {
    let full = egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(image.width() as f32, image.height() as f32) / pixels_per_point,
    );
    let region = rect.map_or(full, |r| r.intersect(full));
    let cropped = if region.is_positive() {
        image.region(&region, Some(pixels_per_point))
    } else {
        image.clone()
    };
    let [w, h] = cropped.size;
    let bytes: Vec<u8> = cropped.pixels.iter().flat_map(|c| c.to_array()).collect();
    let mut png = Vec::new();
    image::write_buffer_with_format(
        &mut std::io::Cursor::new(&mut png),
        &bytes,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
        image::ImageFormat::Png,
    )
    .map_err(|e| ExportError::Image(e.to_string()))?;
    write_file(path, &png).map_err(ExportError::Write)
}
