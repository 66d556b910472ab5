//! Headless GUI tests of the display for projection (egui_kittest, no GPU): numbers
//! typed outside the slider range reach the engine, non-finite ones are refused;
//! the hover read-out shows the value under the cursor; zoom shortcuts change and
//! remember the zoom; Focus mode hides the side panel; the projector theme.
//!
//! Run with `env -u DISPLAY cargo test --release --test ui_display`.

use std::time::Duration;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use neuron_explorer::app::{App, Settings};
use neuron_explorer::ui::Intent;
use neuron_explorer::ui::theme::Theme;

const SYNC: Duration = Duration::from_secs(30);

fn harness_with(settings: Settings) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| App::with_settings(settings, Some(cc.egui_ctx.clone())))
}

fn harness() -> Harness<'static, App> {
    harness_with(Settings::default())
}

/// Steps the worker `n` times, waits for the samples and draws two frames.
fn step(h: &mut Harness<'static, App>, n: u64) {
    h.state_mut().step_now(n);
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    h.run_steps(2);
}

fn param(h: &Harness<'static, App>, name: &str) -> f64 {
    let setup = h.state().setup();
    setup.parameters[setup.model.param_index(name).expect(name)]
}

/// Clicks the number field of the slider labelled `label`, replaces its text by
/// `text` and presses Enter, as a user types a value.
fn type_into_number_field(h: &mut Harness<'static, App>, label: &str, text: &str) {
    let field = h
        .get_all_by_label(label)
        .find(|n| n.accesskit_node().role() == Role::SpinButton)
        .unwrap_or_else(|| panic!("no number field labelled {label}"));
    field.focus();
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_by(|n| n.is_focused()).type_text(text);
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
}

#[test]
fn a_value_typed_outside_the_slider_range_reaches_the_engine() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.run_steps(2);
    let label = "I_app [uA/cm2]";
    // The slider's range is -5 .. 20 uA/cm2 (`describe HHneuronCorbit`); the issue
    // saw 25 and -30 clamped to 20 and -5.
    for (typed, want) in [("25", 25.0), ("-30", -30.0), ("1e6", 1e6)] {
        type_into_number_field(&mut h, label, typed);
        assert_eq!(param(&h, "I_app"), want, "typed {typed}");
        assert!(
            h.query_by_label_contains("out of range").is_some(),
            "{typed} is not marked out of range"
        );
    }
    type_into_number_field(&mut h, label, "25");
    // The engine sees it: the last channel records I_app as applied in each step.
    step(&mut h, 10);
    let app = h.state();
    let applied = app
        .history()
        .channel(app.channel_names().len() - 1)
        .expect("input channel");
    assert_eq!(applied.back().copied(), Some(25.0));
    // Non-finite input is refused and said so; the value stays.
    type_into_number_field(&mut h, label, "inf");
    assert_eq!(param(&h, "I_app"), 25.0);
    assert!(h.query_by_label_contains("not a finite number").is_some());
    // Back inside the range the mark goes away.
    type_into_number_field(&mut h, label, "5");
    assert_eq!(param(&h, "I_app"), 5.0);
    assert!(h.query_by_label_contains("out of range").is_none());
}

/// The number after `prefix` in the read-out label that starts with it.
fn readout_number(h: &Harness<'static, App>, prefix: &str) -> f64 {
    // AccessKit keeps a label widget's text in its value.
    let node =
        h.get_by(|n| n.role() == Role::Label && n.value().is_some_and(|v| v.starts_with(prefix)));
    let text = node.accesskit_node().value().unwrap_or_default();
    let rest = &text[text.find(prefix).expect("prefix") + prefix.len()..];
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e'))
        .collect();
    number
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"))
}

#[test]
fn the_hover_readout_shows_the_value_under_the_cursor() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.run_steps(1);
    let i_app = h.state().setup().model.param_index("I_app").expect("I_app");
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 100.0,
    });
    // 500 ms at dt 0.1 ms; the default 1 s window then shows t = 0 .. 1000 ms.
    step(&mut h, 5000);
    let frame = h.state().plot_frames()[0];
    let (t0, t1) = (0.0, 1000.0);
    let fraction = 0.25;
    let pos = egui::pos2(frame.left() + fraction * frame.width(), frame.center().y);
    h.hover_at(pos);
    h.run_steps(3);
    let t = readout_number(&h, "cursor t = ");
    let ms_per_point = (t1 - t0) / frame.width() as f64;
    let want_t = t0 + fraction as f64 * (t1 - t0);
    assert!(
        (t - want_t).abs() <= 1.5 * ms_per_point,
        "read-out t = {t} ms, cursor at {want_t} ms"
    );
    // The v shown is the recorded sample at that time (4 significant digits).
    let app = h.state();
    let v_ch = app.setup().model.var_index("v").expect("v");
    let times = app.history().t_ms();
    let i = times
        .iter()
        .position(|&s| (s - t).abs() < 0.05 + 1e-9)
        .expect("a sample at the read-out time");
    let v_recorded = app.history().channel(v_ch).expect("v")[i];
    let v_shown = readout_number(&h, "v = ");
    assert!(
        (v_shown - v_recorded).abs() <= 0.01,
        "read-out v = {v_shown}, recorded {v_recorded}"
    );
}

#[test]
fn zoom_shortcuts_change_and_remember_the_zoom() {
    let mut h = harness();
    h.run_steps(2);
    for _ in 0..4 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
        h.run_steps(2);
    }
    assert_eq!(h.state().settings.zoom, 2.0);
    assert_eq!(h.ctx.zoom_factor(), 2.0);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Minus);
    h.run_steps(2);
    assert_eq!(h.state().settings.zoom, 1.75);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Num0);
    h.run_steps(2);
    assert_eq!(h.ctx.zoom_factor(), 1.0);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Equals);
    h.run_steps(2);
    assert_eq!(h.state().settings.zoom, 1.25);
    // What eframe stores survives a restart.
    let stored = ron::to_string(&h.state().settings).expect("settings serialise");
    let back: Settings = ron::from_str(&stored).expect("settings deserialise");
    let mut h2 = harness_with(back);
    h2.run_steps(2);
    assert_eq!(h2.ctx.zoom_factor(), 1.25);
}

#[test]
fn focus_mode_hides_the_side_panel_and_shows_the_exposed_sliders() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.run_steps(2);
    assert!(h.query_by_role_and_label(Role::Slider, "C [pF]").is_some());
    h.key_press(Key::F11);
    h.run_steps(2);
    assert!(h.state().is_focus());
    assert!(h.query_by_role_and_label(Role::Slider, "C [pF]").is_none());
    assert!(
        h.query_by_label("Model").is_none(),
        "model picker still shown"
    );
    assert!(
        h.query_by_role_and_label(Role::Slider, "I_app [pA]")
            .is_some()
    );
    // A lesson exposes other parameters.
    h.state_mut().set_focus_params(vec!["a".into(), "d".into()]);
    h.run_steps(2);
    assert!(
        h.query_by_role_and_label(Role::Slider, "a [1/ms]")
            .is_some()
    );
    assert!(h.query_by_role_and_label(Role::Slider, "d [pA]").is_some());
    assert!(
        h.query_by_role_and_label(Role::Slider, "I_app [pA]")
            .is_none()
    );
    // Esc leaves Focus; the toolbar button enters it again, and leaves it.
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(!h.state().is_focus());
    assert!(h.query_by_role_and_label(Role::Slider, "C [pF]").is_some());
    h.get_by_role_and_label(Role::Button, "Focus").click();
    h.run_steps(2);
    assert!(h.state().is_focus());
    h.get_by_role_and_label(Role::Button, "Leave Focus").click();
    h.run_steps(2);
    assert!(!h.state().is_focus());
}

#[test]
fn the_view_menu_switches_to_the_projector_theme_and_back() {
    let mut h = harness();
    h.run_steps(2);
    assert!(h.ctx.global_style().visuals.dark_mode);
    h.get_by_role_and_label(Role::Button, "View").click();
    h.run_steps(2);
    h.get_by_label("Projector (light, high contrast)").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.theme, Theme::Projector);
    let style = h.ctx.global_style();
    assert!(!style.visuals.dark_mode);
    assert_eq!(
        style.visuals.override_text_color,
        Some(egui::Color32::BLACK)
    );
    h.state_mut().apply(Intent::Display(
        neuron_explorer::ui::theme::DisplayIntent::SetTheme(Theme::Dark),
    ));
    h.run_steps(2);
    assert!(h.ctx.global_style().visuals.dark_mode);
}

#[test]
fn f1_opens_the_help_with_every_shortcut() {
    let mut h = harness();
    h.run_steps(2);
    h.key_press(Key::F1);
    h.run_steps(2);
    assert!(h.state().help_open());
    for keys in [
        "Ctrl+0",
        "F11",
        "Space",
        "Ctrl+Shift+Z",
        "Double-click a plot",
    ] {
        assert!(h.query_by_label(keys).is_some(), "{keys} missing from help");
    }
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(!h.state().help_open());
}
