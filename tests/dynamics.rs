//! Known results of the dynamics analyses: Izhikevich's presets classified as their
//! firing patterns (Izhikevich 2003 Fig. 1, 2007 ch. 8), the saddle-node of the
//! quadratic model against its formula, the (c, d) map of Izhikevich (2003) Fig. 2,
//! and the Corbit HH cell's loss of stable rest against its f–I rheobase.

use std::path::Path;

use neuron_explorer::analysis::features::{FiringClass, run_membrane};
use neuron_explorer::io::preset::{ResolvedPreset, load_resolved};

fn shipped(name: &str) -> ResolvedPreset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name);
    load_resolved(&path, None).expect("shipped preset loads")
}

/// The class of a shipped preset over its whole run.
fn class_of(name: &str) -> FiringClass {
    let p = shipped(name);
    let trace = run_membrane(&p).expect("runs");
    let f = trace.features(0.0, p.duration_ms);
    eprintln!("{name}: {f:?}");
    f.class
}

#[test]
fn izhikevich_presets_are_classified_as_their_patterns() {
    use FiringClass::*;
    let cases: &[(&str, &[FiringClass])] = &[
        ("izhikevich2003_rs_regular_spiking.ron", &[Adapting, Tonic]),
        ("izhikevich2003_fs_fast_spiking.ron", &[Tonic]),
        ("izhikevich2003_ch_chattering.ron", &[Bursting]),
        (
            "izhikevich2003_ib_intrinsically_bursting.ron",
            &[InitialBurst, Bursting],
        ),
        (
            "izhikevich2003_lts_low_threshold_spiking.ron",
            &[Adapting, Bursting],
        ),
        ("izhikevich2007_rs_regular_spiking.ron", &[Adapting, Tonic]),
        ("izhikevich2007_fs_fast_spiking.ron", &[Tonic]),
        ("izhikevich2007_ch_chattering.ron", &[Bursting]),
        (
            "izhikevich2007_ib_intrinsically_bursting.ron",
            &[InitialBurst, Bursting],
        ),
    ];
    let mut wrong = Vec::new();
    for &(name, expected) in cases {
        let got = class_of(name);
        if !expected.contains(&got) {
            wrong.push(format!("{name}: {got}, expected one of {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
