//! A recorded trace chosen as the reference in the GUI (Compare tab → *Recorded
//! CSV…*): one CSV with `t` and `v` — an export of this program or another
//! simulator, or an experimental recording — turned into a one-recording
//! [`RecordedReference`] with default objectives. The applied current comes from
//! the CSV's column named after the drive parameter (e.g. `I_app`) or, for a
//! `neuron-explorer run` export (which has no current column), from the timed
//! events of its JSON sidecar (`<csv>.json`). Also the comparison the Compare tab
//! shows against it: the loss table and both traces.

use std::path::{Path, PathBuf};

use super::compare::Trace;
use super::fit::{Target, score_candidate};
use super::fitspec::{Feature, FitSpec, Objective, Recording};
use super::objectives::LossTable;
use super::protocols::Runner;
use super::trace_ref::{MAX_BYTES, Recorded, RecordedReference};
use super::{Control, SweepError};
use crate::sim::run::RunSpec;

/// The objectives of a recording chosen in the GUI: every spike's timing (Γ with
/// Δ = 2 ms), the spike count and first spike (scale 2 spikes / 2 ms), and the
/// subthreshold trace distance (scale 1 mV), as the parameter-recovery test uses.
pub fn default_objectives() -> Vec<Objective> {
    [
        (Feature::Gamma, 1.0),
        (Feature::SpikeCount, 2.0),
        (Feature::FirstSpike, 2.0),
        (Feature::SubthresholdV, 1.0),
    ]
    .map(|(feature, scale)| Objective {
        feature,
        weight: 1.0,
        scale,
    })
    .to_vec()
}

fn bad(file: &Path, msg: impl std::fmt::Display) -> SweepError {
    SweepError::Usage(format!("{}: {msg}", file.display()))
}

/// The sidecar's timed changes of `drive` as (t_ms, value), starting with its
/// value at t = 0; an error when a stimulus waveform drove it (not replayable).
fn sidecar_steps(sidecar: &Path, text: &str, drive: &str) -> Result<Vec<(f64, f64)>, SweepError> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        bad(
            sidecar,
            format!("line {} column {}: {e}", e.line(), e.column()),
        )
    })?;
    let stimuli = json["stimuli"].as_array().map_or(0, Vec::len);
    if stimuli > 0 {
        return Err(bad(
            sidecar,
            "the run had stimulus waveforms, which cannot be replayed from the sidecar; \
             export the applied current as a column",
        ));
    }
    let mut steps = vec![(0.0, json["parameters"][drive].as_f64().unwrap_or(0.0))];
    for ev in json["events"].as_array().into_iter().flatten() {
        if let (Some(t), Some(x)) = (ev["t_ms"].as_f64(), ev["set"][drive].as_f64()) {
            steps.push((t, x));
        }
    }
    Ok(steps)
}

/// The recording description of `csv` (its header already read): the current
/// from the `drive` column, else from the run sidecar beside it.
pub fn recording_for(csv: &Path, header: &str, drive: &str) -> Result<Recording, SweepError> {
    let has_column = header.split(',').any(|c| c.trim() == drive);
    let mut rec = Recording {
        csv: csv.to_path_buf(),
        voltage_column: None,
        current_column: has_column.then(|| drive.to_owned()),
        current_steps: Vec::new(),
        spike_threshold_mv: 0.0,
        gamma_delta_ms: 2.0,
        objectives: default_objectives(),
    };
    if !has_column {
        let mut side = csv.as_os_str().to_owned();
        side.push(".json");
        let side = PathBuf::from(side);
        let Ok(text) = crate::io::read::read_text_limited(&side, MAX_BYTES) else {
            return Err(bad(
                csv,
                format!(
                    "line 1: no `{drive}` column and no run sidecar {} to take the applied \
                     current from; add the current as a column named `{drive}`",
                    side.display()
                ),
            ));
        };
        rec.current_steps = sidecar_steps(&side, &text, drive)?;
    }
    Ok(rec)
}

/// Reads `csv` (and its sidecar if needed) as a one-recording reference; errors
/// name the file, line and column.
pub fn load(csv: &Path, drive: &str) -> Result<RecordedReference, SweepError> {
    let text = crate::io::read::read_text_limited(csv, MAX_BYTES)
        .map_err(|e| bad(csv, format!("cannot read: {e}")))?;
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let spec = recording_for(csv, header, drive)?;
    Ok(RecordedReference {
        recordings: vec![Recorded::parse(&spec, csv, &text)?],
    })
}

/// A recorded reference's loss table for `candidate` (its own parameters) under
/// `spec` (whose reference is the recording), and the first recording's trace
/// beside the candidate's run on its current (recording, candidate).
pub fn compare_recorded(
    reference: &RecordedReference,
    candidate: &RunSpec,
    spec: &FitSpec,
    threads: usize,
    control: &Control,
) -> Result<(LossTable, Trace, Trace), SweepError> {
    let target = Target::Recorded(reference.clone());
    let (table, _) = score_candidate(&target, candidate, spec, threads, control)?;
    let Some(rec) = reference.recordings.first() else {
        return Ok((table, Trace::default(), Trace::default()));
    };
    let runner = Runner::new(
        candidate,
        spec,
        spec.drive_factor.unwrap_or(1.0),
        threads,
        control,
    )?;
    let (spikes_ms, v) = rec.candidate_run(&runner)?;
    let points = |v: &[f64]| rec.t_ms.iter().zip(v).map(|(&t, &v)| [t, v]).collect();
    let recorded = Trace {
        amp: f64::NAN,
        points: points(&rec.v_mv),
        spikes_ms: rec.spikes_ms.clone(),
    };
    let cand = Trace {
        amp: f64::NAN,
        points: points(&v),
        spikes_ms,
    };
    Ok((table, recorded, cand))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_events_become_current_steps() {
        let json = r#"{"parameters": {"I_stim": 0.5}, "stimuli": [],
            "events": [{"t_ms": 50.0, "set": {"I_stim": 5.0}}, {"t_ms": 60.0, "set": {"b": 1}}]}"#;
        let s = sidecar_steps(Path::new("x.json"), json, "I_stim").unwrap();
        assert_eq!(s, vec![(0.0, 0.5), (50.0, 5.0)]);
        let e = sidecar_steps(Path::new("x.json"), "{\n nope", "I_stim").unwrap_err();
        assert!(e.to_string().contains("x.json: line 2"), "{e}");
    }

    #[test]
    fn a_current_column_is_used_when_present() {
        let r = recording_for(Path::new("r.csv"), "t, v, I_stim", "I_stim").unwrap();
        assert_eq!(r.current_column.as_deref(), Some("I_stim"));
        let e = recording_for(Path::new("/nonexistent/r.csv"), "t,v", "I_stim").unwrap_err();
        assert!(e.to_string().contains("line 1: no `I_stim` column"), "{e}");
    }
}
