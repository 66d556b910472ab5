//! The cell-type presets' firing patterns: the late-spiking preset shows the book's
//! long first-spike latency at a near-threshold step, and the gallery finds each
//! cell's rheobase (checked against the Izhikevich model's closed form).

use std::path::{Path, PathBuf};

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::features::run_membrane;
use neuron_explorer::analysis::gallery::{cell_type_presets, gallery_cell, step_protocol};
use neuron_explorer::io::preset::load_resolved;

fn preset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name)
}

/// Izhikevich (2007), ch. 8: the LS (neurogliaform) cell fires its first spike with
/// a long latency when stepped just above threshold. The preset's own protocol (one
/// step at 50 ms) must show that: the first spike more than 100 ms after the onset.
#[test]
fn late_spiking_preset_fires_late_at_its_near_threshold_step() {
    let resolved = load_resolved(&preset("izhikevich2007_ls_late_spiking.ron"), None).unwrap();
    let onset_ms = resolved
        .events
        .iter()
        .map(|e| e.t_ms)
        .fold(f64::INFINITY, f64::min);
    let trace = run_membrane(&resolved).unwrap();
    let first = trace.spikes_ms.iter().find(|&&t| t >= onset_ms).copied();
    let latency = first.map(|t| t - onset_ms);
    assert!(
        latency.is_some_and(|l| l > 100.0),
        "first spike {latency:?} ms after the step at {onset_ms} ms"
    );
    // Silent before the step.
    assert!(trace.spikes_ms.iter().all(|&t| t >= onset_ms));
    // The latency is a near-threshold effect: twice the drive fires within 30 ms.
    let drive = resolved.events[0]
        .set
        .iter()
        .next()
        .map(|(_, v)| *v)
        .unwrap();
    let strong = step_protocol(&resolved, "I_app", 2.0 * drive);
    let trace = run_membrane(&strong).unwrap();
    let first = trace
        .spikes_ms
        .iter()
        .find(|&&t| t >= 50.0)
        .copied()
        .unwrap();
    assert!(
        first - 50.0 < 30.0,
        "at twice the drive the first spike is at {first} ms"
    );
}

/// With b = 0 the quadratic model's rest state vanishes where the parabola
/// k (v − v_r)(v − v_t) + I touches zero: at I = k (v_t − v_r)² / 4.
#[test]
fn gallery_finds_the_late_spiking_cells_rheobase() {
    let path = preset("izhikevich2007_ls_late_spiking.ron");
    let cell = gallery_cell(&path, 1.5, 1, &Control::default()).unwrap();
    let (k, v_r, v_t) = (0.3, -66.0, -40.0);
    let expected = k * (v_t - v_r) * (v_t - v_r) / 4.0;
    let r = cell.rheobase.unwrap();
    // Euler at dt 0.1 ms and a 1 s hold place it within a fraction of a pA.
    assert!((r - expected).abs() < 0.5, "rheobase {r} vs {expected}");
    assert!((cell.amplitude - 1.5 * r).abs() < 1e-9);
    assert!(cell.spikes_in_step() > 0);
    assert!(
        cell.trace.spikes_ms.iter().all(|&t| t >= 50.0),
        "silent before the step"
    );
}

#[test]
fn gallery_lists_every_cell_type_preset() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
    let names: Vec<String> = cell_type_presets(&dir)
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 13, "{names:?}");
    assert!(names.iter().all(|n| !n.contains("syn")), "{names:?}");
}
