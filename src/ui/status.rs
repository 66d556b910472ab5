//! The status bar: simulated time, achieved speed, dt, integrator, firing rate,
//! dropped samples, and how much of the history is in use.

/// What the status bar shows.
pub struct StatusLine {
    pub t_ms: f64,
    pub achieved_speed: f64,
    pub running: bool,
    pub dt_ms: f64,
    pub integrator: &'static str,
    pub rate_hz: Option<f64>,
    pub dropped_samples: u64,
    pub history_ms: f64,
    pub history_wrapped: bool,
    pub recording: bool,
    pub blow_up: Option<String>,
}

/// Wrapped, so a zoomed or narrow window shows every item on a second row.
pub fn status_ui(ui: &mut egui::Ui, s: &StatusLine) {
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("t = {:.1} ms", s.t_ms));
        ui.separator();
        if s.running && s.achieved_speed.is_finite() {
            ui.label(format!("{:.2}× real time", s.achieved_speed));
        } else {
            ui.label("paused");
        }
        ui.separator();
        ui.label(format!("dt {} ms, {}", s.dt_ms, s.integrator));
        ui.separator();
        match s.rate_hz {
            Some(r) => ui.label(format!("rate {r:.1} Hz")),
            None => ui.label("rate –"),
        };
        if s.dropped_samples > 0 {
            ui.separator();
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{} samples dropped", s.dropped_samples),
            )
            .on_hover_text("The display could not keep up; the recording has gaps.");
        }
        ui.separator();
        let kept = format!("history {:.1} s", s.history_ms / 1000.0);
        if s.history_wrapped {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{kept} (wrapped: oldest samples dropped)"),
            );
        } else {
            ui.label(kept);
        }
        if !s.recording {
            ui.weak("(not recording)");
        }
        if let Some(msg) = &s.blow_up {
            ui.separator();
            ui.colored_label(ui.visuals().error_fg_color, msg);
        }
    });
}
