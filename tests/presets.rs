//! Every shipped preset loads, resolves against its model and runs without blowing up.

use std::path::Path;

use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::sim::session::{Session, steps_for};

#[test]
fn every_shipped_preset_runs_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("presets/ exists") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("ron") {
            continue;
        }
        count += 1;
        let resolved = load_resolved(&path, None).unwrap_or_else(|e| panic!("{e}"));
        let mut session = Session::new(&resolved, 1).unwrap();
        let mut spikes = 0;
        for _ in 0..steps_for(resolved.duration_ms, resolved.dt_ms) {
            spikes += session.step();
        }
        assert_eq!(
            session.engine.first_non_finite(),
            None,
            "{} blew up",
            path.display()
        );
        // Every shipped preset is there to show activity.
        let model = resolved.model.id();
        if resolved.model.has_spike() && !model.contains("VoltageClamp") {
            assert!(spikes > 0, "{} ({model}) never spikes", path.display());
        }
    }
    assert!(count >= 15, "expected the shipped presets, found {count}");
}
