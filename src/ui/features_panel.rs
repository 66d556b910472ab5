//! The Traces tab's *Firing features* strip: the features of the membrane
//! potential over the visible window (the last `window` of the recording),
//! recomputed a few times a second while the neuron runs (definitions in
//! docs/features.md).

use std::time::{Duration, Instant};

use super::history::History;
use crate::analysis::features::{Features, features};
use crate::model::CompiledModel;

/// How often the features are recomputed (they read up to a window of samples).
const REFRESH: Duration = Duration::from_millis(250);

#[derive(Default)]
pub struct FeaturesPanel {
    pub features: Option<Features>,
    computed: Option<(Instant, usize, f64)>,
}

impl FeaturesPanel {
    /// Recomputes from the last `window_ms` of `history` when the data changed; while
    /// `running`, at most once per [`REFRESH`].
    pub fn update(
        &mut self,
        history: &History,
        model: &CompiledModel,
        (window_ms, dt_ms): (f64, f64),
        running: bool,
    ) {
        let stamp = (history.len(), window_ms);
        let unchanged = self.computed.is_some_and(|(_, len, w)| (len, w) == stamp);
        let recent = self
            .computed
            .is_some_and(|(at, _, _)| at.elapsed() < REFRESH);
        if unchanged || (running && recent) {
            return;
        }
        self.computed = Some((Instant::now(), stamp.0, stamp.1));
        let (Some(v), Some((_, t_end))) = (
            model.membrane_var().and_then(|i| history.channel(i)),
            history.time_span(),
        ) else {
            self.features = None;
            return;
        };
        let from_ms = (t_end - window_ms).max(0.0);
        let range = history.range_of(from_ms, t_end);
        let t: Vec<f64> = history.t_ms().range(range.clone()).copied().collect();
        let vs: Vec<f64> = v.range(range.clone()).copied().collect();
        // A spike flagged on a sample happened in the step that ended there.
        let spikes: Vec<f64> = history
            .spike_indices(range.clone())
            .filter_map(|j| history.t_ms().get(j).map(|t| t - dt_ms))
            .collect();
        self.features = Some(features(&t, &vs, &spikes, from_ms, t_end + dt_ms * 0.5));
    }

    pub fn ui(&self, ui: &mut egui::Ui) {
        egui::CollapsingHeader::new("Firing features (visible window)")
            .id_salt("firing_features")
            .show(ui, |ui| {
                let Some(f) = &self.features else {
                    ui.label("No membrane potential recorded yet.");
                    return;
                };
                ui.horizontal_wrapped(|ui| {
                    for (name, value, unit) in f.lines() {
                        ui.monospace(format!("{name}: {value} {unit}"));
                        ui.separator();
                    }
                });
            });
    }
}
