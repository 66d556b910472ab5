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

/// Formats a number so that parsing it gives back the same f64: the shortest such
/// text, plain (`-65`, `0.001`) from 1e-5 to 1e16 and with an exponent (`1e-7`)
/// outside.
pub fn fmt_num(v: f64, out: &mut String) {
    let a = v.abs();
    if v == 0.0 || (1e-5..1e16).contains(&a) {
        // zmij is several times faster than `Display` (a trace is millions of
        // numbers) and gives the same digits; its whole numbers end in ".0".
        let mut buffer = zmij::Buffer::new();
        let text = buffer.format_finite(v);
        if !text.contains('e') {
            out.push_str(text.strip_suffix(".0").unwrap_or(text));
            return;
        }
    }
    fmt_num_display(v, out);
}

/// [`fmt_num`] by `Display`: its definition, and its path for what zmij writes
/// with an exponent.
fn fmt_num_display(v: f64, out: &mut String) {
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

    /// As [`Sidecar::to_json`], written straight to `writer`.
    pub fn write_json(&self, writer: impl io::Write) -> Result<(), serde_json::Error> {
        super::json_layout::to_writer_shallow(writer, self, 2)
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

    /// The fast path writes what `Display` writes, across magnitudes and for any
    /// bit pattern: the same shortest text that reads back as the same number. Only
    /// exact ties may end on the other digit (…986.25 as …986.2 or …986.3).
    #[test]
    fn the_fast_path_writes_what_display_writes() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -65.0,
            1e-5,
            9.99e15,
            1e16,
            123456.0,
            0.1 + 0.2,
        ];
        for _ in 0..200_000 {
            let bits = next();
            values.push(f64::from_bits(bits));
            // Uniform over magnitudes of traces: 1e-8 .. 1e17.
            let exp = (bits % 26) as i32 - 8;
            values.push((next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(exp));
        }
        let mut ties = 0;
        for &v in &values {
            let (mut fast, mut display) = (String::new(), String::new());
            fmt_num(v, &mut fast);
            fmt_num_display(v, &mut display);
            if fast != display {
                ties += 1;
                // A tie needs doubles spaced coarsely, far above any trace value.
                assert!(v.abs() > 1e10, "{fast} vs {display}");
                assert_eq!(fast.len(), display.len(), "{fast} vs {display}");
                let back: f64 = fast.parse().unwrap_or(f64::NAN);
                assert!(
                    back == v || (v.is_nan() && back.is_nan()),
                    "{fast} for {v:e}"
                );
            }
        }
        assert!(ties * 100 < values.len(), "{ties} of {}", values.len());
    }
}
