//! The window the UI tests drive: the app at 1400×900 points, where opened presets
//! wait for Run (the tests step the worker themselves).

use egui_kittest::Harness;
use neuron_explorer::app::{App, Settings};

pub fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(|cc| {
            let settings = Settings {
                play_on_open: false,
                ..Settings::default()
            };
            App::with_settings(settings, Some(cc.egui_ctx.clone()))
        })
}
