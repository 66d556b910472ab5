//! Input fields the sweep panels share.

/// A labelled duration field of the sweep panels (holds, runs, transients): at least
/// `min_ms`, at most 100 s.
pub fn ms_field_ui(ui: &mut egui::Ui, label: &str, value_ms: &mut f64, min_ms: f64, speed: f64) {
    ui.label(label);
    ui.add(
        egui::DragValue::new(value_ms)
            .speed(speed)
            .range(min_ms..=100_000.0)
            .suffix(" ms"),
    );
}
