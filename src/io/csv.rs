//! The trace CSV format shared by the CLI and the GUI's export, and its sidecar.
//!
//! Header `t,<variables in model order>,spike`; row 0 is the initial state at t = 0;
//! the row at t holds the state after the step that ends at t; `spike` is 1 in the
//! row that ends the step in which a spike occurred.

use std::io;

use std::collections::BTreeMap;

use crate::model::CompiledModel;
use crate::sim::run::RunSpec;
use crate::sim::session::steps_for;

/// Formats a number so that parsing it gives back the same f64.
pub fn fmt_num(v: f64, out: &mut String) {
    use std::fmt::Write as _;
    let a = v.abs();
    // Rust prints the shortest representation that round-trips, in both notations.
    let _ = if v == 0.0 || (1e-5..1e16).contains(&a) || !v.is_finite() {
        write!(out, "{v}")
    } else {
        write!(out, "{v:e}")
    };
}

pub use crate::sim::session::time_label;

pub fn header(model: &CompiledModel, vars: &[usize]) -> String {
    let mut h = String::from("t");
    for &i in vars {
        h.push(',');
        h.push_str(&model.vars[i].name);
    }
    h.push_str(",spike\n");
    h
}

/// Appends one row to `line` (cleared first).
pub fn format_row(line: &mut String, t_ms: f64, values: impl Iterator<Item = f64>, spike: bool) {
    line.clear();
    fmt_num(t_ms, line);
    for v in values {
        line.push(',');
        fmt_num(v, line);
    }
    line.push_str(if spike { ",1\n" } else { ",0\n" });
}

/// Resolves `--record v,u` into variable indices (all variables when empty).
pub fn record_indices(model: &CompiledModel, names: &[String]) -> Result<Vec<usize>, String> {
    if names.is_empty() {
        return Ok((0..model.vars.len()).collect());
    }
    names
        .iter()
        .map(|n| {
            model.var_index(n).ok_or_else(|| {
                let known: Vec<&str> = model.vars.iter().map(|v| v.name.as_str()).collect();
                format!(
                    "`{n}` is not a variable of {} (variables: {})",
                    model.id(),
                    known.join(", ")
                )
            })
        })
        .collect()
}

/// The sidecar written next to a CSV: everything needed to reproduce it. It
/// borrows the run's events and stimuli and is written straight to text, so a
/// protocol of 200k events is not copied into a JSON tree first.
#[derive(serde::Serialize)]
pub struct Sidecar<'a> {
    app: String,
    model: &'a str,
    model_file: Option<&'a str>,
    parameters: BTreeMap<&'a str, f64>,
    initial_values: BTreeMap<&'a str, f64>,
    dt_ms: f64,
    duration_ms: f64,
    n_steps: u64,
    integrator: &'static str,
    seed: u32,
    events: &'a [crate::sim::run::Event],
    stimuli: &'a [crate::sim::stimulus::Stimulus],
    columns: Vec<String>,
    row_semantics: &'static str,
    preset_ron: String,
    /// What the writer adds (the GUI's rows and span, the CLI's overrides or stop).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Sidecar<'_> {
    /// JSON text: pretty, with one line per event, stimulus and column.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        super::json_layout::to_string_shallow(self, 2)
    }
}

/// The sidecar of `preset`'s run with the columns `vars`.
pub fn sidecar<'a>(
    preset: &'a RunSpec,
    vars: &[usize],
    model_file: Option<&'a str>,
) -> Sidecar<'a> {
    let m = &preset.model;
    let parameters = m
        .desc
        .parameters
        .iter()
        .zip(&preset.parameters)
        .map(|(p, v)| (p.name.as_str(), *v))
        .collect();
    // The state at t = 0 (initial values may be expressions of parameters).
    let engine = preset.engine(1).ok();
    let initial_values = m
        .vars
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                v.name.as_str(),
                engine.as_ref().map_or(0.0, |e| e.var(i, 0)),
            )
        })
        .collect();
    Sidecar {
        app: format!("neuron-explorer {}", env!("CARGO_PKG_VERSION")),
        model: m.id(),
        model_file,
        parameters,
        initial_values,
        dt_ms: preset.dt_ms,
        duration_ms: preset.duration_ms,
        n_steps: steps_for(preset.duration_ms, preset.dt_ms),
        integrator: preset.integrator.name(),
        seed: preset.seed,
        events: &preset.events,
        stimuli: &preset.stimuli,
        columns: std::iter::once("t".to_owned())
            .chain(vars.iter().map(|&i| m.vars[i].name.clone()))
            .chain(std::iter::once("spike".to_owned()))
            .collect(),
        row_semantics: "row 0 = initial state at t = 0; row j = state after j steps (t = j*dt); spike = 1 in the row ending the step that spiked",
        preset_ron: preset.to_full_preset_ron(),
        extra: serde_json::Map::new(),
    }
}

/// The sidecar beside a CSV, the same for the GUI and the CLI: `trace.csv` →
/// `trace.csv.json`.
pub fn sidecar_path(csv: &std::path::Path) -> std::path::PathBuf {
    let mut name = csv.as_os_str().to_owned();
    name.push(".json");
    std::path::PathBuf::from(name)
}

/// Writes `text` to `path` atomically (see `io::atomic`), naming the path in the error.
pub fn write_file(path: &std::path::Path, text: &[u8]) -> io::Result<()> {
    super::atomic::write_atomic(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for v in [
            0.0,
            -55.0,
            0.1,
            1.0 / 3.0,
            1e-20,
            -2.5e-7,
            6.02e23,
            12345.678901234567,
            f64::MIN_POSITIVE,
        ] {
            let mut s = String::new();
            fmt_num(v, &mut s);
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
        assert_eq!(time_label(3, 0.1), 0.3);
    }
}
