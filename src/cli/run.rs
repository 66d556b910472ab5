//! `run`: one preset headless, streamed as CSV into an atomic file, with its sidecar.
//!
//! Before the first step the run is checked against the work budget (steps, time,
//! bytes against free space; see `budget`). The first NaN or infinity stops it: the
//! rows so far are kept (file and sidecar), the variable and time are named, and the
//! command exits with code 3. A `--set` that a preset event later overrides is
//! reported on stderr and in the sidecar (`overridden`).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use super::budget::{self, Work};
use super::{RunArgs, UsageError, resolve_run};
use crate::io::atomic::AtomicFile;
use crate::io::csv::{format_row, header, record_indices, sidecar, time_label};
use crate::sim::run::RunSpec;
use crate::sim::session::{Session, steps_for};

/// A run stopped by a NaN or infinity (exit code 3); its rows so far were written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BlowUp(pub String);

/// How a trace ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceEnd {
    Complete,
    /// `var` became NaN or infinite in the step ending at `t_ms`; that row is not
    /// written.
    NonFinite {
        var: String,
        t_ms: f64,
    },
}

pub fn run_cmd(args: &RunArgs) -> Result<()> {
    let resolved = resolve_run(&args.run, args.duration_ms)?;
    let vars = record_indices(&resolved.model, &args.record)
        .map_err(|e| UsageError(format!("--record: {e}")))?;
    let overridden = overridden_sets(&args.run.set, &resolved);
    for o in &overridden {
        eprintln!("warning: {}", o.message);
    }
    let n_steps = steps_for(resolved.duration_ms, resolved.dt_ms);
    check_budget(&resolved, &vars, &args.run.out, args.run.force)?;

    let mut out = AtomicFile::create(&args.run.out).map_err(|e| UsageError(e.to_string()))?;
    let model_file = args
        .run
        .model_file
        .as_ref()
        .map(|p| p.display().to_string());
    let side_path = crate::io::csv::sidecar_path(&args.run.out);
    let sidecar_of = |end: &TraceEnd| -> Result<AtomicFile> {
        let mut file = AtomicFile::create(&side_path)?;
        let model_file = model_file.as_deref();
        sidecar_json(&resolved, &vars, model_file, &overridden, end, &mut file)?;
        file.sync()?;
        Ok(file)
    };
    // The sidecar of a complete run is written and synced while the run is set up
    // and steps (a long protocol's sidecar costs about as much as its simulation),
    // and put in place after the CSV; a run that stops early gets its own.
    let (end, complete_side) = std::thread::scope(|scope| -> Result<_> {
        let side = std::thread::Builder::new()
            .name("sidecar".into())
            .spawn_scoped(scope, || sidecar_of(&TraceEnd::Complete))?;
        let mut session = Session::new(&resolved, 1)?;
        let end = write_trace(&mut session, &vars, n_steps, &mut out, &mut |done| {
            progress(done, n_steps)
        })?;
        let side = side
            .join()
            .map_err(|_| anyhow::anyhow!("writing the sidecar failed"))?;
        Ok((end, side))
    })?;
    out.commit()?;
    let side = match end {
        TraceEnd::Complete => complete_side?,
        TraceEnd::NonFinite { .. } => {
            drop(complete_side);
            sidecar_of(&end)?
        }
    };
    side.commit()?;
    match end {
        TraceEnd::Complete => Ok(()),
        TraceEnd::NonFinite { var, t_ms } => Err(BlowUp(format!(
            "{var} became NaN or infinite at t = {t_ms} ms; the run stopped there and {} holds the rows before it. Try a smaller dt_ms or another integrator (--integrator rk4 or exponential).",
            args.run.out.display()
        ))
        .into()),
    }
}

/// Writes the sidecar's JSON: the run, the `--set`s an event overrides, and where
/// a run that blew up stopped.
fn sidecar_json(
    resolved: &RunSpec,
    vars: &[usize],
    model_file: Option<&str>,
    overridden: &[Overridden],
    end: &TraceEnd,
    out: impl Write,
) -> Result<(), serde_json::Error> {
    let mut side = sidecar(resolved, vars, model_file);
    if !overridden.is_empty() {
        side.extra.insert(
            "overridden".into(),
            overridden.iter().map(|o| o.json.clone()).collect(),
        );
    }
    if let TraceEnd::NonFinite { var, t_ms } = end {
        side.extra.insert(
            "stopped".into(),
            json!({ "reason": "non-finite value", "variable": var, "t_ms": t_ms }),
        );
    }
    side.write_json(out)
}

/// Refuses a run that would take too long or not fit on the disk (`--force` skips).
fn check_budget(resolved: &RunSpec, vars: &[usize], out: &Path, force: bool) -> Result<()> {
    let steps = budget::steps_f64(resolved.duration_ms, resolved.dt_ms);
    // A round-trip f64 prints in at most 24 characters, typically 17-19.
    let bytes = (steps + 1.0) * (22.0 * (vars.len() + 1) as f64 + 3.0);
    // Formatting a row costs about as much as a cheap model's step; count it twice.
    let format_secs = 60e-9 * (vars.len() + 1) as f64;
    let work = Work {
        lane_steps: steps,
        secs_per_lane_step: budget::seconds_per_step(resolved, 1) + format_secs,
        threads: 1,
        output: Some((bytes, out)),
    };
    budget::check(&work, force)?;
    Ok(())
}

/// Streams the run as CSV rows into `out`, stopping at the first NaN or infinity.
pub fn write_trace(
    session: &mut Session,
    vars: &[usize],
    n_steps: u64,
    out: &mut impl Write,
    on_progress: &mut dyn FnMut(u64),
) -> Result<TraceEnd> {
    let model = Arc::clone(session.engine.model());
    out.write_all(header(&model, vars).as_bytes())?;
    let mut line = String::with_capacity(32 * (vars.len() + 2));
    let row = |s: &Session, line: &mut String, spike: bool| {
        let e = &s.engine;
        format_row(
            line,
            time_label(e.step_index(), e.dt_ms()),
            vars.iter().map(|&i| e.var(i, 0)),
            spike,
        );
    };
    row(session, &mut line, false);
    out.write_all(line.as_bytes())?;
    for k in 0..n_steps {
        let spiked = session.step() > 0;
        if let Some((var, _)) = session.engine.first_non_finite() {
            let e = &session.engine;
            return Ok(TraceEnd::NonFinite {
                var: model.vars[var].name.clone(),
                t_ms: time_label(e.step_index(), e.dt_ms()),
            });
        }
        row(session, &mut line, spiked);
        out.write_all(line.as_bytes())?;
        if k % 65_536 == 0 {
            on_progress(k);
        }
    }
    on_progress(n_steps);
    Ok(TraceEnd::Complete)
}

fn progress(done: u64, total: u64) {
    use std::sync::OnceLock;
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    if start.elapsed().as_secs_f64() > 1.0 && total > 0 {
        eprint!(
            "\r{:5.1}% ({done}/{total} steps)",
            100.0 * done as f64 / total as f64
        );
        if done == total {
            eprintln!();
        }
    }
}

/// A `--set` that a preset event changes later.
pub struct Overridden {
    pub message: String,
    pub json: serde_json::Value,
}

/// The `--set NAME=VALUE` overrides that one of the preset's events sets or adds to
/// later; the first such event of each, in time order.
pub fn overridden_sets(sets: &[String], resolved: &RunSpec) -> Vec<Overridden> {
    let mut out = Vec::new();
    for kv in sets {
        let Some((name, value)) = kv.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let first = resolved
            .events
            .iter()
            .enumerate()
            .filter(|(_, ev)| ev.set.contains_key(name) || ev.add.contains_key(name))
            .min_by(|a, b| a.1.t_ms.total_cmp(&b.1.t_ms));
        let Some((k, ev)) = first else {
            continue;
        };
        let (how, by) = match ev.set.get(name) {
            Some(v) => ("sets", *v),
            None => ("adds", ev.add.get(name).copied().unwrap_or(0.0)),
        };
        out.push(Overridden {
            message: format!(
                "--set {name}={} holds only until t = {} ms, where the preset's events[{k}] {how} {name} {} {by}; the rest of the run uses the event's value (the sidecar records it under \"overridden\")",
                value.trim(),
                ev.t_ms,
                if how == "sets" { "=" } else { "+=" },
            ),
            json: json!({
                "parameter": name,
                "set_on_command_line": value.trim(),
                "until_ms": ev.t_ms,
                "by_event": k,
                "event_sets": ev.set.get(name),
                "event_adds": ev.add.get(name),
            }),
        });
    }
    out
}
