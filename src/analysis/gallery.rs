//! The gallery of firing patterns: the shipped Izhikevich cell-type presets (2003 and
//! 2007: RS, IB, CH, FS, LTS, LS, TC, RZ) run side by side on one protocol — each with
//! its own parameters, its drive stepped to the same multiple of its own rheobase for
//! the same time — so the patterns can be compared although the two families count
//! current in different units (mV/ms and pA).
//!
//! The rheobase is found as the f–I tab finds it ([`super::fi`]: the drive held from
//! t = 0 for a second, the grid's bracket refined by multisection).

use std::path::{Path, PathBuf};

use super::features::{MembraneTrace, run_membrane};
use super::fi::{FiConfig, fi_sweep, fi_total, refine_rheobase, refine_total};
use super::{Control, SweepError, linspace};
use crate::io::preset::load_resolved;
use crate::sim::run::RunSpec;
use crate::sim::stimulus::{Stimulus, Waveform};

/// The step's onset and end and the run's length (the same for every cell).
pub const STEP_START_MS: f64 = 50.0;
pub const STEP_END_MS: f64 = 450.0;
pub const RUN_MS: f64 = 500.0;
/// How long the drive is held for the rheobase search.
const RHEOBASE_HOLD_MS: f64 = 1000.0;
/// Grid values between 0 and the slider's top before refining.
const RHEOBASE_GRID: usize = 41;

/// The cell-type codes a gallery preset's file name carries (`izhikevich2007_ls_…`).
const CELL_TYPES: &[&str] = &["rs", "ib", "ch", "fs", "lts", "ls", "tc", "rz"];

/// Where a preset's cell type sorts: (family, position in [`CELL_TYPES`]).
fn cell_type_key(path: &Path) -> (String, usize) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let mut parts = stem.split('_');
    let family = parts.next().unwrap_or("").to_owned();
    let code = parts.next().unwrap_or("");
    let rank = CELL_TYPES
        .iter()
        .position(|c| *c == code)
        .unwrap_or(CELL_TYPES.len());
    (family, rank)
}

/// The shipped cell-type presets in `dir`: 2003 first, in the papers' order of
/// cell types (RS, IB, CH, FS, LTS, LS, TC, RZ).
pub fn cell_type_presets(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
                return false;
            };
            let mut parts = stem.split('_');
            let family = parts.next().unwrap_or("");
            let code = parts.next().unwrap_or("");
            p.extension().is_some_and(|e| e == "ron")
                && (family == "izhikevich2003" || family == "izhikevich2007")
                && CELL_TYPES.contains(&code)
        })
        .collect();
    out.sort_by_key(|p| cell_type_key(p));
    out
}

/// A short title from the file name: `izhikevich2007_ls_late_spiking` →
/// `2007 LS: late spiking`.
pub fn title(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
    let mut parts = stem.split('_');
    let year = parts.next().unwrap_or("").trim_start_matches("izhikevich");
    let code = parts.next().unwrap_or("").to_uppercase();
    let words: Vec<&str> = parts.collect();
    format!("{year} {code}: {}", words.join(" "))
}

/// One small multiple.
#[derive(Clone, Debug)]
pub struct GalleryCell {
    pub path: PathBuf,
    pub title: String,
    /// The drive's name and unit in this model.
    pub drive: String,
    pub unit: String,
    /// The membrane potential's name in this model (the trace's label).
    pub membrane: String,
    /// Smallest held drive that fires (None: fires without input, or not in range).
    pub rheobase: Option<f64>,
    /// The step added to the preset's drive (0 when there is no rheobase).
    pub amplitude: f64,
    pub trace: MembraneTrace,
    /// The model's spike cut-off, where spikes are drawn up to (if it has one).
    pub v_peak: Option<f64>,
}

impl GalleryCell {
    /// The first spike's delay after the step's onset.
    pub fn latency_ms(&self) -> Option<f64> {
        let first = self.trace.spikes_ms.iter().find(|&&t| t >= STEP_START_MS)?;
        Some(first - STEP_START_MS)
    }

    /// Spikes during the step.
    pub fn spikes_in_step(&self) -> usize {
        self.trace
            .spikes_ms
            .iter()
            .filter(|&&t| (STEP_START_MS..STEP_END_MS).contains(&t))
            .count()
    }
}

/// The preset's parameters and start, its protocol replaced by one step of the drive.
pub fn step_protocol(preset: &RunSpec, drive: &str, amplitude: f64) -> RunSpec {
    let mut p = preset.clone();
    p.events = Default::default();
    p.duration_ms = RUN_MS;
    p.stimuli = vec![Stimulus {
        target: drive.to_owned(),
        waveform: Waveform::Step {
            start_ms: STEP_START_MS,
            end_ms: Some(STEP_END_MS),
            amplitude,
        },
    }];
    p
}

fn rheobase_config(preset: &RunSpec, drive: usize, threads: usize) -> Option<FiConfig> {
    let p = &preset.model.desc.parameters[drive];
    let top = p.range.max.max(1.0);
    Some(FiConfig {
        param: p.name.clone(),
        values: linspace(0.0, top, RHEOBASE_GRID).ok()?,
        duration_ms: RHEOBASE_HOLD_MS,
        transient_ms: 0.0,
        threads,
    })
}

/// Lane-steps of [`gallery_cell`] for progress (at most).
pub fn cell_total(preset: &RunSpec) -> u64 {
    let Some(drive) = preset.model.drive_param() else {
        return 0;
    };
    rheobase_config(preset, drive, 1).map_or(0, |cfg| {
        fi_total(&cfg, preset.dt_ms) + refine_total(&cfg, preset.dt_ms)
    })
}

/// Every cell-type preset in `dir` on the gallery's protocol; `set_total` hears the
/// lane-steps in all once the presets are read.
pub fn gallery_cells(
    dir: &Path,
    factor: f64,
    threads: usize,
    control: &Control,
    set_total: impl FnOnce(u64),
) -> Result<Vec<GalleryCell>, SweepError> {
    let paths = cell_type_presets(dir);
    set_total(
        paths
            .iter()
            .filter_map(|p| load_resolved(p, None).ok())
            .map(|p| cell_total(&p))
            .sum(),
    );
    let mut cells = Vec::new();
    for path in &paths {
        match gallery_cell(path, factor, threads, control) {
            Ok(cell) => cells.push(cell),
            Err(SweepError::Cancelled) => return Err(SweepError::Cancelled),
            Err(e) => return Err(SweepError::Usage(format!("{}: {e}", path.display()))),
        }
    }
    Ok(cells)
}

/// Runs one preset on the gallery's protocol: a step to `factor` × its rheobase.
pub fn gallery_cell(
    path: &Path,
    factor: f64,
    threads: usize,
    control: &Control,
) -> Result<GalleryCell, SweepError> {
    let preset = load_resolved(path, None).map_err(|e| SweepError::Usage(e.to_string()))?;
    let model = &preset.model;
    let Some(drive) = model.drive_param() else {
        return Err(SweepError::Usage(format!(
            "{} has no drive parameter",
            model.id()
        )));
    };
    let Some(cfg) = rheobase_config(&preset, drive, threads) else {
        return Err(SweepError::Usage("no rheobase grid".into()));
    };
    let mut fi = fi_sweep(&preset, &cfg, control)?;
    refine_rheobase(&preset, &cfg, &mut fi, control)?;
    // Firing at zero drive has no rheobase to scale: show the cell's own activity.
    let rheobase = fi.rheobase_bracket.map(|(_, spiking)| spiking);
    let base = preset.parameters[drive];
    let amplitude = rheobase.map_or(0.0, |r| factor * r - base);
    let run = step_protocol(&preset, &cfg.param, amplitude);
    let trace = run_membrane(&run)?;
    let p = &model.desc.parameters[drive];
    Ok(GalleryCell {
        path: path.to_owned(),
        title: title(path),
        drive: p.name.clone(),
        unit: p.unit.clone(),
        membrane: model.membrane_name().to_owned(),
        rheobase,
        amplitude,
        trace,
        v_peak: model.param_index("v_peak").map(|i| preset.parameters[i]),
    })
}
