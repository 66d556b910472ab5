//! Recorded traces as the reference of a fit: a CSV with `t` (ms) and `v` (mV), the
//! applied current as a column or as step changes, and spikes from a `spike`
//! column or threshold crossings — an export of another model (this program's CSV
//! qualifies) or an experimental recording. The candidate is run with the same
//! current (× the spec's drive factor) from the recording's first v, and compared
//! by spike-train features, Γ and a spike-time-aware subthreshold distance.

use std::path::Path;

use super::ap_objectives::{ApShape, Side, shape_terms};
use super::fitspec::{Feature, Recording};
use super::objectives::{LossTable, rms, train_terms};
use super::protocols::{Runner, times};
use super::{SweepError, chunks};

/// Files larger than this are refused (a recording of 10 s at 0.01 ms is ~60 MB).
pub(crate) const MAX_BYTES: usize = 512 * 1024 * 1024;

/// One loaded recording.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub spec: Recording,
    pub t_ms: Vec<f64>,
    pub v_mv: Vec<f64>,
    /// The applied current per row (reference units), if recorded.
    pub current: Option<Vec<f64>>,
    pub spikes_ms: Vec<f64>,
}

/// All recordings of a spec.
#[derive(Clone, Debug)]
pub struct RecordedReference {
    pub recordings: Vec<Recorded>,
}

fn bad(file: &Path, line: usize, msg: impl std::fmt::Display) -> SweepError {
    SweepError::Usage(format!("{}:{line}: {msg}", file.display()))
}

impl Recorded {
    /// Reads and checks one recording.
    pub fn load(spec: &Recording) -> Result<Self, SweepError> {
        let path = &spec.csv;
        // Bounded as it is read: a size check first would let `/dev/zero` through.
        let text = crate::io::read::read_text_limited(path, MAX_BYTES)
            .map_err(|e| bad(path, 0, format!("cannot read: {e}")))?;
        Self::parse(spec, path, &text)
    }

    pub fn parse(spec: &Recording, path: &Path, text: &str) -> Result<Self, SweepError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let v_col = spec.voltage_column();
        let Some((_, head)) = lines.next() else {
            return Err(bad(
                path,
                1,
                format!("empty file; expected a header with t and {v_col}"),
            ));
        };
        let cols: Vec<&str> = head.split(',').map(str::trim).collect();
        let find = |name: &str| cols.iter().position(|c| *c == name);
        let (Some(it), Some(iv)) = (find("t"), find(v_col)) else {
            return Err(bad(
                path,
                1,
                format!("the header needs columns `t` and `{v_col}`, found `{head}`"),
            ));
        };
        let icur = match &spec.current_column {
            Some(c) => Some(
                find(c).ok_or_else(|| bad(path, 1, format!("no column `{c}` in the header")))?,
            ),
            None => None,
        };
        let ispike = find("spike");
        let (mut t_ms, mut v_mv, mut cur, mut spike_rows) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (n, line) in lines {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let num = |i: usize| -> Result<f64, SweepError> {
                let c = cells.get(i).copied().unwrap_or("");
                c.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        bad(
                            path,
                            n + 1,
                            format!("column {} `{c}` is not a finite number", cols[i]),
                        )
                    })
            };
            let t = num(it)?;
            if t_ms.last().is_some_and(|&p| t <= p) {
                return Err(bad(path, n + 1, "t must increase from row to row"));
            }
            t_ms.push(t);
            v_mv.push(num(iv)?);
            if let Some(i) = icur {
                cur.push(num(i)?);
            }
            if let Some(i) = ispike
                && num(i)? != 0.0
            {
                spike_rows.push(t);
            }
        }
        if t_ms.len() < 2 {
            return Err(bad(path, 2, "at least two rows are needed"));
        }
        let spikes_ms = if ispike.is_some() {
            spike_rows
        } else {
            let th = spec.spike_threshold_mv;
            (1..v_mv.len())
                .filter(|&k| v_mv[k - 1] < th && v_mv[k] >= th)
                .map(|k| t_ms[k])
                .collect()
        };
        Ok(Self {
            spec: spec.clone(),
            t_ms,
            v_mv,
            current: icur.map(|_| cur),
            spikes_ms,
        })
    }

    /// The candidate's run on this recording's current (its own parameters):
    /// spike times and v at the recording's rows.
    pub fn candidate_run(&self, runner: &Runner) -> Result<(Vec<f64>, Vec<f64>), SweepError> {
        let sets = vec![runner.preset.parameters.clone()];
        let mut runs = run_recording(runner, self, &sets)?;
        Ok(runs.pop().unwrap_or_default())
    }

    fn duration_ms(&self) -> f64 {
        self.t_ms.last().copied().unwrap_or(0.0) - self.t_ms[0]
    }

    /// The drive (reference units) during step k of length `dt_ms` (the step from
    /// k·dt to (k+1)·dt): the row that ends the step holds it, as this program's CSV
    /// does; step changes act from the step that starts at their time.
    fn drive_at(&self, k: u64, dt_ms: f64) -> f64 {
        let t0 = self.t_ms[0];
        if let Some(cur) = &self.current {
            let end = t0 + (k + 1) as f64 * dt_ms - 1e-9 * dt_ms;
            let j = self.t_ms.partition_point(|&t| t < end).min(cur.len() - 1);
            return cur[j];
        }
        let t = k as f64 * dt_ms;
        self.spec
            .current_steps
            .iter()
            .rev()
            .find(|(at, _)| ((at - t0) / dt_ms).round() as u64 <= k && t >= 0.0)
            .map_or(0.0, |c| c.1)
    }
}

impl RecordedReference {
    pub fn load(specs: &[Recording]) -> Result<Self, SweepError> {
        Ok(Self {
            recordings: specs.iter().map(Recorded::load).collect::<Result<_, _>>()?,
        })
    }

    /// The loss tables of many candidate parameter sets.
    pub fn score(&self, runner: &Runner, sets: &[Vec<f64>]) -> Result<Vec<LossTable>, SweepError> {
        let mut tables = vec![LossTable::default(); sets.len()];
        let cand_resets = runner.preset.model.spike_resets_membrane();
        for (i, rec) in self.recordings.iter().enumerate() {
            let runs = run_recording(runner, rec, sets)?;
            let name = format!("recording {}", i + 1);
            let window = (rec.t_ms[0], rec.t_ms[0] + rec.duration_ms() + 1e-9);
            let wants_shape = rec.spec.objectives.iter().any(|o| o.feature.is_ap_shape());
            let ref_shape = wants_shape
                .then(|| ApShape::of_trace(&rec.t_ms, &rec.v_mv, &rec.spikes_ms, window));
            for (table, (spikes, v)) in tables.iter_mut().zip(runs) {
                let trains = (rec.spikes_ms.as_slice(), spikes.as_slice());
                let spike_objs: Vec<_> = rec
                    .spec
                    .objectives
                    .iter()
                    .filter(|o| o.feature != Feature::SubthresholdV && !o.feature.is_ap_shape())
                    .copied()
                    .collect();
                train_terms(
                    table,
                    &name,
                    &spike_objs,
                    trains,
                    window,
                    rec.spec.gamma_delta_ms,
                    1,
                );
                for o in rec
                    .spec
                    .objectives
                    .iter()
                    .filter(|o| o.feature == Feature::SubthresholdV)
                {
                    let e = subthreshold_rms(rec, &spikes, &v);
                    table.push_term(&name, o.feature.label(), e, o.weight, o.scale);
                }
                if wants_shape {
                    // A recording cannot say whether its spike was a reset; the
                    // candidate's model decides whether a peak is comparable.
                    let cand_shape = ApShape::of_trace(&rec.t_ms, &v, &spikes, window);
                    let sides = (
                        Side {
                            shape: ref_shape.as_ref(),
                            reset_spike: false,
                        },
                        Side {
                            shape: Some(&cand_shape),
                            reset_spike: cand_resets,
                        },
                    );
                    shape_terms(table, &name, &rec.spec.objectives, sides, 1);
                }
            }
        }
        Ok(tables.into_iter().map(LossTable::finished).collect())
    }
}

/// RMS of the v difference at the recording's rows, outside ±5 ms of any spike of
/// either trace (so spike shape and timing, which Γ scores, do not dominate).
fn subthreshold_rms(rec: &Recorded, cand_spikes: &[f64], cand_v: &[f64]) -> f64 {
    let near = |t: f64| {
        rec.spikes_ms
            .iter()
            .chain(cand_spikes)
            .any(|&s| (t - s).abs() <= 5.0)
    };
    rms(rec
        .t_ms
        .iter()
        .zip(&rec.v_mv)
        .zip(cand_v)
        .filter(|((t, _), _)| !near(**t))
        .map(|((_, a), b)| a - b))
}

/// Each run's spike times and v at the recording's rows.
type RecordedRuns = Vec<(Vec<f64>, Vec<f64>)>;

/// Runs every set on the recording's current; returns each run's spike times and
/// v at the recording's rows.
fn run_recording(
    runner: &Runner,
    rec: &Recorded,
    sets: &[Vec<f64>],
) -> Result<RecordedRuns, SweepError> {
    let pre = runner.preset;
    let dt = pre.dt_ms;
    let v = pre.model.membrane_var().ok_or_else(|| {
        SweepError::Usage(format!("{} has no membrane potential", pre.model.id()))
    })?;
    let t0 = rec.t_ms[0];
    let row_step: Vec<u64> = rec
        .t_ms
        .iter()
        .map(|t| ((t - t0) / dt).round() as u64)
        .collect();
    let n_steps = row_step.last().copied().unwrap_or(0);
    let drives: Vec<f64> = (0..n_steps)
        .map(|k| runner.factor * rec.drive_at(k, dt))
        .collect();
    let mut out = Vec::with_capacity(sets.len());
    for range in chunks(sets.len(), 1) {
        let lane_sets: Vec<&[f64]> = sets[range.clone()].iter().map(Vec::as_slice).collect();
        let lanes = lane_sets.len();
        let mut e = runner.engine(&lane_sets, range.start)?;
        for lane in 0..lanes {
            e.set_var(v, lane, rec.v_mv[0]);
        }
        let mut spikes = vec![Vec::new(); lanes];
        let mut vs = vec![vec![rec.v_mv[0]]; lanes];
        let mut row = 1;
        for (k, &d) in drives.iter().enumerate() {
            for lane in 0..lanes {
                e.set_param(runner.drive, lane, d);
            }
            if e.step() > 0 {
                for (lane, s) in spikes.iter_mut().enumerate() {
                    if e.spiked(lane) {
                        s.push(k as u64);
                    }
                }
            }
            while row < row_step.len() && row_step[row] == k as u64 + 1 {
                for (lane, vv) in vs.iter_mut().enumerate() {
                    vv.push(e.var(v, lane));
                }
                row += 1;
            }
            if k % 4096 == 4095 && runner.control.cancelled() {
                return Err(SweepError::Cancelled);
            }
        }
        for (s, vv) in spikes.into_iter().zip(vs) {
            // Spike times as a recording labels them: the row that ends the step.
            let ends: Vec<u64> = s.iter().map(|k| k + 1).collect();
            let ts: Vec<f64> = times(&ends, dt).into_iter().map(|t| t + t0).collect();
            out.push((ts, vv));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(current: Option<&str>) -> Recording {
        Recording {
            csv: "r.csv".into(),
            voltage_column: None,
            current_column: current.map(Into::into),
            current_steps: vec![(1.0, 5.0)],
            spike_threshold_mv: 0.0,
            gamma_delta_ms: 2.0,
            objectives: Vec::new(),
        }
    }

    #[test]
    fn parses_and_finds_spikes_and_drive() {
        let text = "t,v,I\n0,-70,0\n0.5,-60,1\n1,10,2\n1.5,-70,2\n";
        let r = Recorded::parse(&rec(Some("I")), Path::new("r.csv"), text).unwrap();
        assert_eq!(r.spikes_ms, vec![1.0]);
        // Step 0 (0..0.5 ms) is held by the row at 0.5.
        assert_eq!(r.drive_at(0, 0.5), 1.0);
        assert_eq!(r.drive_at(2, 0.5), 2.0);
        let r = Recorded::parse(&rec(None), Path::new("r.csv"), text).unwrap();
        assert_eq!(r.drive_at(1, 0.5), 0.0);
        assert_eq!(r.drive_at(2, 0.5), 5.0);
        let e = Recorded::parse(&rec(None), Path::new("r.csv"), "t,v\n0,x\n").unwrap_err();
        assert!(e.to_string().contains("r.csv:2"), "{e}");
    }
}
