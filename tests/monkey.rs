//! A monkey test: from a fixed seed, thousands of frames of random clicks, drags,
//! scrolls, typing, shortcuts, tab switches and model switches over the whole
//! window (every panel), with the simulation running. Asserts no panic and bounded
//! memory. Headless (egui_kittest, no GPU); the system file dialog is unavailable
//! here, so shortcuts like Ctrl+O open the in-app dialog, which the monkey uses too.

use egui::{Event, Key, Modifiers, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use neuron_explorer::app::{App, Settings};
use neuron_explorer::model::builtin::builtin_ids;
use neuron_explorer::sim::rng::Mt19937;
use neuron_explorer::ui::settings::HistoryBounds;
use neuron_explorer::ui::{Intent, View};

const FRAMES: usize = 2_500;
const WIDTH: f32 = 1400.0;
const HEIGHT: f32 = 900.0;

/// Resident memory of this process in MB (Linux).
fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1e6
}

struct Monkey {
    rng: Mt19937,
}

impl Monkey {
    fn below(&mut self, n: usize) -> usize {
        self.rng.next_u32() as usize % n.max(1)
    }

    fn pos(&mut self) -> Pos2 {
        let x = self.below(WIDTH as usize) as f32;
        let y = self.below(HEIGHT as usize) as f32;
        Pos2::new(x, y)
    }

    fn button(pos: Pos2, pressed: bool) -> Event {
        Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        }
    }

    /// One random action; returns how many frames it wants to run.
    fn act(&mut self, h: &mut Harness<'static, App>) -> usize {
        match self.below(100) {
            0..=39 => {
                let p = self.pos();
                h.event(Event::PointerMoved(p));
                h.event(Self::button(p, true));
                h.event(Self::button(p, false));
                1
            }
            40..=54 => {
                let (a, b) = (self.pos(), self.pos());
                h.event(Event::PointerMoved(a));
                h.event(Self::button(a, true));
                h.run_steps(1);
                for k in 1..=4 {
                    h.event(Event::PointerMoved(a + (b - a) * (k as f32 / 4.0)));
                    h.run_steps(1);
                }
                h.event(Self::button(b, false));
                1
            }
            55..=64 => {
                let p = self.pos();
                h.event(Event::PointerMoved(p));
                let dy = self.below(400) as f32 - 200.0;
                h.event(Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Point,
                    delta: Vec2::new(0.0, dy),
                    phase: egui::TouchPhase::Move,
                    modifiers: Modifiers::NONE,
                    source: egui::MouseWheelSource::Wheel,
                });
                1
            }
            65..=79 => {
                const TEXTS: [&str; 10] = [
                    "1", "-5", "0", "1e308", "-1e-300", "NaN", "abc", "0.0001", "99999999", ",",
                ];
                let t = TEXTS[self.below(TEXTS.len())];
                h.event(Event::Text(t.into()));
                if self.below(2) == 0 {
                    h.key_press(Key::Enter);
                }
                1
            }
            80..=87 => {
                const KEYS: [Key; 8] = [
                    Key::Space,
                    Key::R,
                    Key::S,
                    Key::Escape,
                    Key::Tab,
                    Key::Backspace,
                    Key::ArrowUp,
                    Key::ArrowDown,
                ];
                h.key_press(KEYS[self.below(KEYS.len())]);
                1
            }
            88..=91 => {
                // Ctrl shortcuts: open, save, export, undo, redo (dialogs open in-app).
                const KEYS: [Key; 5] = [Key::O, Key::S, Key::E, Key::Z, Key::Y];
                h.key_press_modifiers(Modifiers::COMMAND, KEYS[self.below(KEYS.len())]);
                2
            }
            92..=95 => {
                let view = View::ALL[self.below(View::ALL.len())];
                h.state_mut().apply(Intent::ShowView(view));
                2
            }
            _ => {
                let ids: Vec<&str> = builtin_ids().collect();
                let id = ids[self.below(ids.len())];
                h.state_mut().apply(Intent::SelectModel(id.to_owned()));
                2
            }
        }
    }
}

#[test]
fn a_monkey_cannot_crash_the_app_or_grow_its_memory() {
    // SAFETY: this test binary runs this one test; no other thread reads the
    // environment. Without a display rfd cannot block on a real dialog.
    unsafe {
        std::env::remove_var("DISPLAY");
        std::env::remove_var("WAYLAND_DISPLAY");
    }
    let settings = Settings {
        history: HistoryBounds {
            duration_s: 5.0,
            budget_mb: 64,
        },
        ..Settings::default()
    };
    // What a random click saves or exports lands here, not in the working copy
    // (this binary runs one test, so changing its folder affects nothing else).
    let scratch = tempfile::tempdir().expect("temporary folder");
    std::env::set_current_dir(scratch.path()).expect("enter the temporary folder");
    let mut h = Harness::builder()
        .with_size(egui::vec2(WIDTH, HEIGHT))
        .build_eframe(|cc| {
            let mut app = App::with_settings(settings, Some(cc.egui_ctx.clone()));
            app.start_dialogs_in(scratch.path().to_owned());
            app
        });
    h.state_mut().apply(Intent::SetRunning(true));
    h.run_steps(5);
    let mut monkey = Monkey {
        rng: Mt19937::new(12),
    };
    let start = std::time::Instant::now();
    let mut baseline_mb = 0.0;
    let mut peak_mb: f64 = 0.0;
    for frame in 0..FRAMES {
        let n = monkey.act(&mut h);
        h.run_steps(n);
        if frame == FRAMES / 10 {
            baseline_mb = rss_mb();
        }
        if frame > FRAMES / 10 {
            peak_mb = peak_mb.max(rss_mb());
        }
        // Keep the work bounded in wall time too (a slow CI machine).
        if start.elapsed().as_secs() > 60 {
            break;
        }
    }
    let grown = peak_mb - baseline_mb;
    eprintln!(
        "monkey: {:.1} s, RSS {baseline_mb:.0} MB after warm-up, peak {peak_mb:.0} MB",
        start.elapsed().as_secs_f64()
    );
    assert!(
        grown < 600.0,
        "memory grew by {grown:.0} MB (from {baseline_mb:.0} MB)"
    );
}
