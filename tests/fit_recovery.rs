//! Parameter recovery: traces of Izhikevich2007CorbitFsiNoisyAmpa with known
//! parameters (the BGM-2022 set, noise off), written as recorded CSV traces, are the
//! reference of a fit of a, c, d, k, v_t and tau_gaba that starts from perturbed
//! values (a +10 %, c +2 %, d −10 %, k +5 %, v_t +2 %, tau_gaba ×2). The fit
//! recovers every parameter its sensitivity table calls constrained (identified or
//! knife-edge) within the stated tolerances ([`SUBTHRESHOLD_TOLERANCE`],
//! [`RESET_TOLERANCE`]), and flags the one the recordings cannot see (tau_gaba: no
//! GABA input reaches the cell) as unconstrained.
//!
//! Two of the five recordings stay below threshold (−2 and 2.5): their traces
//! measure the subthreshold dynamics (k, v_t, a) without any spike masked out, which
//! makes the loss smooth in those parameters; three steps above it (3.5, 5, 8) time
//! the spikes, which is all c and d act on.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::fit::{fit, score_candidate, target_of};
use neuron_explorer::analysis::fitspec::{
    Feature, FitSpec, FreeParam, Objective, Recording, Reference,
};
use neuron_explorer::analysis::sensitivity::Identifiability;
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::sim::run::RunSpec;

/// Relative tolerance of k, v_t and a, which shape the subthreshold trajectory
/// that the subthreshold recordings measure directly (measured: k 0.4 %, v_t
/// 0.015 %, a 0.2 %). 2 % is far tighter than the perturbations (5–10 %).
const SUBTHRESHOLD_TOLERANCE: f64 = 0.02;
/// Relative tolerance of c and d, which act only through the reset after a spike:
/// the ±5 ms spike mask of the subthreshold distance hides most of their effect and
/// they trade off (a deeper reset with a smaller kick gives the same ISIs), so
/// matching every spike time fixes a combination of the two more tightly than
/// either (measured: c 1.3 %, d 8 %; d started 10 % off).
const RESET_TOLERANCE: f64 = 0.10;

fn tolerance_of(name: &str) -> f64 {
    match name {
        "c" | "d" => RESET_TOLERANCE,
        _ => SUBTHRESHOLD_TOLERANCE,
    }
}

fn bgm() -> RunSpec {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/corbit_fsi_izhikevich_fit_bgm2022.ron");
    load_resolved(&p, None).unwrap()
}

/// Runs `p` with I_app = `amp` from 50 to 450 ms (500 ms) and writes the CSV
/// `t,v,I_app,spike` as this program's exports label rows.
fn record(p: &RunSpec, amp: f64, path: &Path) {
    let m = &p.model;
    let (iv, ii) = (m.var_index("v").unwrap(), m.param_index("I_app").unwrap());
    // The run's engine at rest: its initial state computed with the drive at 0.
    let mut e = p
        .build_engine(m, 1, 0, |e| e.set_param(ii, 0, 0.0))
        .unwrap();
    let mut s = String::from("t,v,I_app,spike\n");
    writeln!(s, "0,{},0,0", e.var(iv, 0)).unwrap();
    for k in 0..5000u64 {
        let drive = if (500..4500).contains(&k) { amp } else { 0.0 };
        e.set_param(ii, 0, drive);
        let spiked = e.step() > 0 && e.spiked(0);
        let t = (k + 1) as f64 * p.dt_ms;
        writeln!(s, "{t:.1},{},{drive},{}", e.var(iv, 0), u8::from(spiked)).unwrap();
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn a_fit_to_recorded_traces_recovers_the_identified_parameters_and_flags_the_rest() {
    let truth = bgm();
    let dir = tempfile::tempdir().unwrap();
    let objectives = vec![
        Objective {
            feature: Feature::Gamma,
            weight: 1.0,
            scale: 1.0,
        },
        Objective {
            feature: Feature::SpikeCount,
            weight: 1.0,
            scale: 2.0,
        },
        Objective {
            feature: Feature::FirstSpike,
            weight: 1.0,
            scale: 2.0,
        },
        // The subthreshold distance is smooth in the parameters: it guides the search
        // where the spike counts are flat.
        Objective {
            feature: Feature::SubthresholdV,
            weight: 1.0,
            scale: 0.2,
        },
    ];
    let recordings: Vec<Recording> = [-2.0, 2.5, 3.5, 5.0, 8.0]
        .iter()
        .map(|&amp| {
            let csv: PathBuf = dir.path().join(format!("rec_{amp}.csv"));
            record(&truth, amp, &csv);
            Recording {
                csv,
                voltage_column: None,
                current_column: Some("I_app".into()),
                current_steps: Vec::new(),
                spike_threshold_mv: 0.0,
                gamma_delta_ms: 2.0,
                objectives: objectives.clone(),
            }
        })
        .collect();
    let mut spec = FitSpec::default_spec();
    spec.name = "recovery".into();
    spec.reference = Some(Reference::Recorded(recordings));
    spec.fi = None;
    spec.steps.clear();
    spec.free = ["a", "c", "d", "k", "v_t", "tau_gaba"]
        .map(FreeParam::named)
        .to_vec();
    // Four starts (2 alone end in local minima where one recording's spike count is
    // off by one) of a local search: steps of ~5 % of a value to start with.
    spec.optimiser.evaluations = 1500;
    spec.optimiser.starts = 4;
    spec.optimiser.initial_sigma = Some(0.5);
    spec.optimiser.seed = 1;
    spec.optimiser.polish_evaluations = 600;
    let mut cand = truth.clone();
    let idx = |n: &str| truth.model.param_index(n).unwrap();
    for (name, factor) in [
        ("a", 1.1),
        ("c", 1.02),
        ("d", 0.9),
        ("k", 1.05),
        ("v_t", 1.02),
        ("tau_gaba", 2.0),
    ] {
        cand.parameters[idx(name)] *= factor;
    }
    let target = target_of(&spec, None).unwrap();
    // The true parameters reproduce the recordings exactly.
    let (exact, _) = score_candidate(&target, &truth, &spec, 2, &Control::default()).unwrap();
    assert_eq!(exact.loss, 0.0, "{}", exact.text());
    let r = fit(
        &target,
        &cand,
        &spec,
        2,
        &Control::default(),
        &mut |_, _, _| {},
    )
    .unwrap();
    assert!(r.before.loss > 0.5, "{}", r.before.text());
    // Every spike of every recording matched; what is left is a subthreshold
    // distance of < 0.2 mV RMS per recording (0.2 mV × 5 recordings / scale 0.2).
    assert!(r.after.mean_gamma() == Some(1.0), "{}", r.after.text());
    assert!(r.after.loss < 5.0, "{}", r.after.text());
    for row in r
        .after
        .rows
        .iter()
        .filter(|r| r.objective.starts_with("subthreshold"))
    {
        assert!(row.error < 0.2, "{}", r.after.text());
    }
    let mut constrained = 0;
    for row in &r.sensitivity {
        let true_value = truth.parameters[idx(&row.name)];
        let err = ((row.value - true_value) / true_value).abs();
        eprintln!(
            "{}: {} (true {true_value}, {:.3} %)",
            row.name,
            row.value,
            100.0 * err
        );
        match row.flag {
            Identifiability::Unconstrained => assert_eq!(row.name, "tau_gaba", "{row:?}"),
            _ => {
                constrained += 1;
                assert!(
                    err < tolerance_of(&row.name),
                    "{}: {} vs {true_value} ({row:?})",
                    row.name,
                    row.value
                );
            }
        }
    }
    assert_eq!(constrained, 5, "{:#?}", r.sensitivity);
    let tg = r.sensitivity.iter().find(|s| s.name == "tau_gaba").unwrap();
    assert_eq!(tg.flag, Identifiability::Unconstrained);
}
