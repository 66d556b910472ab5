//! Export of the recording: CSV in exactly the CLI's format, made by replaying the
//! session (the run as it started plus the worker's log of every change) through
//! the CLI's own trace writer, so gaps in the display history can never reach a
//! file; its JSON sidecar; and PNG images of the plots.

use std::io::Write;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::cli::run::{TraceEnd, write_trace};
use crate::io::atomic::AtomicFile;
use crate::io::csv::{sidecar, sidecar_path, time_label, write_file};
use crate::sim::run::RunSpec;
use crate::sim::session::Session;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0} (nothing was overwritten; choose another file)")]
    Write(std::io::Error),
    #[error("the session cannot be replayed: {0}")]
    Replay(String),
    #[error("cancelled; no file was written")]
    Cancelled,
    #[error("{0} (nothing was written; free some space or export the visible window only)")]
    NoSpace(String),
    #[error(
        "{var} became NaN or infinite at t = {t_ms} ms; the {rows} rows before it were written"
    )]
    NonFinite { var: String, t_ms: f64, rows: u64 },
    #[error("cannot encode the image: {0}")]
    Image(String),
}

/// A CSV export of the live run, replayed from its session.
#[derive(Clone, Debug)]
pub struct CsvExport {
    pub path: PathBuf,
    /// The run as it started plus every change made to it (see
    /// `sim::worker::SessionReply`): `neuron-explorer run` on it gives the same bytes.
    pub run: RunSpec,
    pub vars: Vec<usize>,
    /// Rows (step indices) to write, within `0..=steps`.
    pub rows: RangeInclusive<u64>,
    pub model_file: Option<String>,
}

/// Replays the session and writes the CSV (atomically: a temporary file in the same
/// folder, renamed when complete) and its sidecar. `steps_done` counts progress; setting
/// `cancel` stops it, leaving any old file in place. Returns the rows written.
pub fn replay_csv(
    export: &CsvExport,
    steps_done: &AtomicU64,
    cancel: &AtomicBool,
) -> Result<u64, ExportError> {
    // Checked as the CLI checks the saved session preset.
    let resolved = export
        .run
        .resolve()
        .map_err(|e| ExportError::Replay(e.to_string()))?;
    check_space(export)?;
    let result = (|| {
        let mut out = RowWindow {
            inner: AtomicFile::create(&export.path)?,
            rows: export.rows.clone(),
            next_row: None,
            rows_kept: 0,
            cancel,
        };
        let mut session =
            Session::new(&resolved, 1).map_err(|e| std::io::Error::other(e.to_string()))?;
        let end = write_trace(
            &mut session,
            &export.vars,
            *export.rows.end(),
            &mut out,
            &mut |k| steps_done.store(k, Ordering::Relaxed),
        )
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
        let rows = out.rows_kept;
        // Dropping an uncommitted file (cancel, error) leaves the old one in place.
        out.inner.commit()?;
        Ok((rows, end))
    })();
    let (n, end) = match result {
        Ok(done) => done,
        Err(e) if cancel.load(Ordering::Relaxed) => {
            drop(e);
            return Err(ExportError::Cancelled);
        }
        Err(e) => return Err(ExportError::Write(e)),
    };
    let dt_ms = resolved.dt_ms;
    let mut meta = sidecar(&resolved, &export.vars, export.model_file.as_deref());
    let obj = &mut meta.extra;
    obj.insert("exported_by".into(), "neuron-explorer GUI".into());
    obj.insert("rows".into(), n.into());
    obj.insert(
        "t_first_ms".into(),
        time_label(*export.rows.start(), dt_ms).into(),
    );
    obj.insert(
        "t_last_ms".into(),
        time_label(*export.rows.end(), dt_ms).into(),
    );
    let json = meta.to_json().unwrap_or_default();
    write_file(&sidecar_path(&export.path), json.as_bytes()).map_err(ExportError::Write)?;
    match end {
        TraceEnd::Complete => Ok(n),
        TraceEnd::NonFinite { var, t_ms } => Err(ExportError::NonFinite { var, t_ms, rows: n }),
    }
}

/// Refuses an export that cannot fit on its disk before writing anything (a
/// round-trip f64 takes at most 24 bytes).
fn check_space(export: &CsvExport) -> Result<(), ExportError> {
    let rows = (export.rows.end() - export.rows.start() + 1) as f64;
    let bytes = rows * (22.0 * (export.vars.len() + 1) as f64 + 3.0);
    if let Some(free) = crate::cli::budget::free_bytes(&export.path)
        && bytes > free as f64
    {
        use crate::cli::budget::human_bytes;
        return Err(ExportError::NoSpace(format!(
            "the export would take about {}, but only {} are free there",
            human_bytes(bytes),
            human_bytes(free as f64)
        )));
    }
    Ok(())
}

/// Passes the header and the rows in `rows` through; `write_trace` writes the
/// header and then each row with one `write_all` call. Fails once `cancel` is set.
struct RowWindow<'a, W: Write> {
    inner: W,
    rows: RangeInclusive<u64>,
    /// The row the next call writes; `None` before the header.
    next_row: Option<u64>,
    rows_kept: u64,
    cancel: &'a AtomicBool,
}

impl<W: Write> Write for RowWindow<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        let keep = match self.next_row {
            None => true,
            Some(row) => self.rows.contains(&row),
        };
        if keep && self.next_row.is_some() {
            self.rows_kept += 1;
        }
        self.next_row = Some(self.next_row.map_or(0, |r| r + 1));
        if keep {
            self.inner.write_all(buf)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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
