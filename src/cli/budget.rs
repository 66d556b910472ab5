//! Work budgets checked before a command starts: how many steps it takes, about how
//! long that is on this machine and how many bytes it writes, against a time limit
//! and the free space of the output's file system. A run that could not finish in
//! reasonable time, or whose output would fill the disk, is refused with both
//! numbers; `--force` runs it anyway. Step counts are computed in f64 and refused
//! beyond 2^53, so they never overflow or saturate silently.

use std::path::Path;
use std::time::Instant;

use crate::sim::run::RunSpec;
use crate::sim::session::Session;

/// Longest run started without `--force`, in seconds of estimated wall time.
pub const MAX_RUN_SECS: f64 = 15.0 * 60.0;
/// Most lane-steps of any run, even with `--force`: beyond 2^53 a step index is no
/// longer exact in f64 time labels.
pub const MAX_LANE_STEPS: f64 = 9_007_199_254_740_992.0;
/// Steps timed to estimate the cost of a run.
const CALIBRATION_STEPS: u64 = 2_000;

/// A run refused before it started (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// What a command is about to do.
pub struct Work<'a> {
    /// Neuron-steps over all lanes and runs.
    pub lane_steps: f64,
    /// Wall time of one lane-step, measured by [`seconds_per_step`].
    pub secs_per_lane_step: f64,
    /// Threads sharing the work.
    pub threads: usize,
    /// Bytes the command writes, and where (the file whose folder must hold them).
    pub output: Option<(f64, &'a Path)>,
}

/// Steps of `duration_ms` at `dt_ms` as f64 (ANNarchy's ceil, §1): the exact count
/// for any run below 2^53 steps, and no overflow beyond.
pub fn steps_f64(duration_ms: f64, dt_ms: f64) -> f64 {
    (duration_ms / dt_ms).ceil().max(0.0)
}

/// Times a few steps of `preset` (events and stimuli included) over `lanes` lanes;
/// returns seconds per lane-step. Sweeps run many lanes at once, which costs far
/// less per lane than one lane alone, so they calibrate with their lane count.
pub fn seconds_per_step(preset: &RunSpec, lanes: usize) -> f64 {
    let lanes = lanes.clamp(1, 64);
    // Without the events: merging a long protocol costs more than the steps timed.
    let Ok(mut session) = Session::without_events(preset, lanes) else {
        return 0.0;
    };
    let start = Instant::now();
    for _ in 0..CALIBRATION_STEPS {
        session.step();
    }
    start.elapsed().as_secs_f64() / (CALIBRATION_STEPS * lanes as u64) as f64
}

/// Free bytes for an unprivileged user on the file system holding `path`'s folder.
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let c_path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stat` is written by
    // statvfs before it is read (only on success).
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    // The field types differ between platforms (u32/u64); widen both.
    #[allow(clippy::unnecessary_cast)]
    let (blocks, size) = (stat.f_bavail as u64, stat.f_frsize as u64);
    Some(blocks.saturating_mul(size))
}

/// Checks a sweep or fit: `runs` of `duration_ms` each over `preset`'s model and dt,
/// shared by `threads` (the tables it writes are small).
pub fn check_runs(
    preset: &RunSpec,
    runs: f64,
    duration_ms: f64,
    threads: usize,
    force: bool,
) -> Result<(), Refused> {
    let work = Work {
        lane_steps: runs * steps_f64(duration_ms, preset.dt_ms),
        // Each thread runs its share of the runs as lanes.
        secs_per_lane_step: seconds_per_step(preset, (runs / threads.max(1) as f64) as usize),
        threads,
        output: None,
    };
    check(&work, force)
}

/// Longest wall time one simulated millisecond of a live run may take at full
/// speed: beyond it the plots look frozen to a class (seconds).
pub const MAX_LIVE_SECS_PER_MS: f64 = 60.0;

/// Why the GUI refuses to run `run` live, if it does: a dt so small that one
/// simulated millisecond takes longer than [`MAX_LIVE_SECS_PER_MS`] at full speed,
/// or a protocol end (when the run pauses there) that would take more steps or
/// longer than any CLI run may without `--force`. The message says the numbers and
/// what to change. The live run itself is paced, bounded in memory and can be
/// paused, so there is nothing else to bound.
pub fn live_refusal(run: &RunSpec) -> Option<String> {
    let steps_per_ms = steps_f64(1.0, run.dt_ms);
    if !steps_per_ms.is_finite() || steps_per_ms > MAX_LANE_STEPS {
        return Some(format!(
            "dt = {} ms gives {steps_per_ms:.3e} steps per simulated ms; use a larger dt",
            run.dt_ms
        ));
    }
    let secs_per_step = seconds_per_step(run, 1);
    let secs_per_ms = steps_per_ms * secs_per_step;
    if secs_per_ms > MAX_LIVE_SECS_PER_MS {
        return Some(format!(
            "dt = {} ms: one simulated ms is {steps_per_ms:.3e} steps, about {} on this machine ({:.0} ns per step), more than the {} a live run may take; use a larger dt",
            run.dt_ms,
            human_secs(secs_per_ms),
            secs_per_step * 1e9,
            human_secs(MAX_LIVE_SECS_PER_MS)
        ));
    }
    let end_ms = run.end_ms()?;
    let work = Work {
        lane_steps: steps_f64(end_ms, run.dt_ms),
        secs_per_lane_step: secs_per_step,
        threads: 1,
        output: None,
    };
    check(&work, false).err().map(|Refused(why)| {
        format!("the protocol's end at {end_ms} ms: {why} (or untick \"pause there\")")
    })
}

/// Why the GUI refuses a background job of `lane_steps` neuron-steps on the
/// current run's model and dt, if it does: the CLI's limits (2^53 steps; 15 minutes
/// on this machine's cores, timed with 16 lanes as sweeps run them). Jobs have
/// progress and Cancel, so only work that could not finish in reasonable time is
/// refused; the message says the numbers.
pub fn job_refusal(run: &RunSpec, lane_steps: u64) -> Option<String> {
    // No built-in model costs 10 µs per lane-step: below this, no need to time one
    // (sweeps start on every slider move, from the UI thread).
    if (lane_steps as f64) * 1e-5 < MAX_RUN_SECS {
        return None;
    }
    let lanes = 16;
    let work = Work {
        lane_steps: lane_steps as f64,
        secs_per_lane_step: seconds_per_step(&run.with_events(Vec::new()), lanes),
        threads: crate::analysis::background_threads(),
        output: None,
    };
    check(&work, false).err().map(|Refused(why)| {
        why.replace(
            "use a larger dt_ms or a shorter duration, or add --force to run it anyway",
            "use fewer points, shorter runs or a larger dt",
        )
    })
}

/// `1.5 GB`, `320 kB`.
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut v = bytes;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} bytes")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `42 s`, `3.5 min`, `2.1 h`, `4.0 days`.
pub fn human_secs(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 5400.0 {
        format!("{:.1} min", secs / 60.0)
    } else if secs < 48.0 * 3600.0 {
        format!("{:.1} h", secs / 3600.0)
    } else {
        format!("{:.1} days", secs / 86_400.0)
    }
}

/// Refuses work beyond the budget (unless `force`), saying what it would take.
pub fn check(work: &Work, force: bool) -> Result<(), Refused> {
    if work.lane_steps.is_nan() || work.lane_steps > MAX_LANE_STEPS {
        return Err(Refused(format!(
            "this run needs {:.3e} steps, more than the {MAX_LANE_STEPS:.3e} any run may take; use a larger dt_ms or a shorter duration",
            work.lane_steps
        )));
    }
    let secs = work.lane_steps * work.secs_per_lane_step / work.threads.max(1) as f64;
    let mut problems = Vec::new();
    if secs > MAX_RUN_SECS {
        problems.push(format!(
            "this run needs {:.3e} steps, about {} on this machine ({:.0} ns per step), more than the {} limit",
            work.lane_steps,
            human_secs(secs),
            work.secs_per_lane_step * 1e9,
            human_secs(MAX_RUN_SECS)
        ));
    }
    if let Some((bytes, path)) = work.output
        && let Some(free) = free_bytes(path)
        && bytes > free as f64
    {
        problems.push(format!(
            "{} would take about {}, but only {} are free there (record fewer variables with --record)",
            path.display(),
            human_bytes(bytes),
            human_bytes(free as f64)
        ));
    }
    if problems.is_empty() || force {
        return Ok(());
    }
    Err(Refused(format!(
        "{}; use a larger dt_ms or a shorter duration, or add --force to run it anyway",
        problems.join("; and ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_counts_do_not_saturate() {
        assert_eq!(steps_f64(1000.0, 0.1), 10_000.0);
        assert!(steps_f64(1e300, 1e-300).is_infinite());
        let work = Work {
            lane_steps: steps_f64(1e300, 1e-300),
            secs_per_lane_step: 1e-9,
            threads: 1,
            output: None,
        };
        assert!(check(&work, true).is_err(), "even --force cannot overflow");
    }

    fn hh(dt_ms: f64, end_ms: Option<f64>) -> RunSpec {
        let Some(Ok(model)) = crate::model::builtin::builtin("HHneuronCorbit") else {
            panic!("built-in model")
        };
        RunSpec {
            dt_ms,
            duration_ms: end_ms.unwrap_or(1000.0),
            pause_at_end: end_ms.is_some(),
            ..RunSpec::defaults(model)
        }
    }

    #[test]
    fn a_live_run_is_refused_only_when_it_could_not_be_watched() {
        // The HH cell costs well over 1 ns per step on any machine: at dt = 1e-12 ms
        // one simulated ms is 1e12 steps, over 16 min.
        let Some(why) = live_refusal(&hh(1e-12, None)) else {
            panic!("a frozen live run is refused")
        };
        assert!(why.contains("1.000e12 steps"), "{why}");
        assert!(why.contains("use a larger dt"), "{why}");
        // Nothing to refuse at the model's dt, with or without a 2 s protocol end.
        assert_eq!(live_refusal(&hh(0.01, None)), None);
        assert_eq!(live_refusal(&hh(0.01, Some(2000.0))), None);
        // An end at 1e10 ms is 1e12 steps at dt 0.01: the end is refused, with numbers.
        let Some(why) = live_refusal(&hh(0.01, Some(1e10))) else {
            panic!("an unreachable end is refused")
        };
        assert!(
            why.contains("1e10 ms") || why.contains("10000000000 ms"),
            "{why}"
        );
        assert!(why.contains("1.000e12 steps"), "{why}");
        assert!(live_refusal(&hh(f64::MIN_POSITIVE, None)).is_some());
    }

    #[test]
    fn free_space_of_the_temp_folder_is_known() {
        let dir = std::env::temp_dir().join("x.csv");
        assert!(free_bytes(&dir).is_some());
        assert_eq!(human_bytes(1.5e9), "1.5 GB");
        assert_eq!(human_secs(7200.0), "2.0 h");
    }
}
