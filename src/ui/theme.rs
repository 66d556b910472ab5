//! How the window looks: the dark theme and the light high-contrast *projector*
//! theme, the zoom steps, the plots' line width and legends, and the intents that
//! change them (View menu, Ctrl +/−/0, F11, F1). The app keeps the choices in its
//! settings and hands the plots a [`DisplayStyle`] each frame through the context.

use egui::{Color32, Stroke, TextStyle};

/// The two looks of the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Theme {
    #[default]
    Dark,
    /// Light background, black text, thicker strokes and larger type: readable on a
    /// washed-out classroom projector.
    Projector,
}

impl Theme {
    pub const ALL: [Theme; 2] = [Theme::Dark, Theme::Projector];

    pub fn label(self) -> &'static str {
        match self {
            Theme::Dark => "Dark",
            Theme::Projector => "Projector (light, high contrast)",
        }
    }
}

/// Zoom factors Ctrl+plus / Ctrl+minus step through (1 = the system's scale).
pub const ZOOM_STEPS: [f32; 9] = [0.75, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0];
/// Line widths the View menu offers (points).
pub const LINE_WIDTHS: std::ops::RangeInclusive<f32> = 0.5..=6.0;

/// The next zoom step above (`up`) or below `zoom`.
pub fn zoom_step(zoom: f32, up: bool) -> f32 {
    let next = if up {
        ZOOM_STEPS.iter().find(|&&z| z > zoom + 1e-3)
    } else {
        ZOOM_STEPS.iter().rev().find(|&&z| z < zoom - 1e-3)
    };
    next.copied().unwrap_or(zoom)
}

/// A change of how the window looks, from the View and Help menus or a shortcut.
#[derive(Clone, Debug, PartialEq)]
pub enum DisplayIntent {
    ZoomIn,
    ZoomOut,
    ZoomReset,
    SetTheme(Theme),
    SetLineWidth(f32),
    SetLegends(bool),
    SetFocus(bool),
    ToggleFocus,
    ShowHelp(bool),
    /// Esc: leaves Focus mode and closes the help window.
    Escape,
}

/// What the plots need to know about the display, for one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DisplayStyle {
    pub line_width: f32,
    pub legends: bool,
}

impl Default for DisplayStyle {
    fn default() -> Self {
        Self {
            line_width: 1.5,
            legends: true,
        }
    }
}

fn style_id() -> egui::Id {
    egui::Id::unique("neuron-explorer-display-style")
}

/// Hands `style` to this frame's panels.
pub fn publish(ctx: &egui::Context, style: DisplayStyle) {
    ctx.data_mut(|d| d.insert_temp(style_id(), style));
}

/// The display style published this frame (the defaults when none was).
pub fn display_style(ctx: &egui::Context) -> DisplayStyle {
    ctx.data(|d| d.get_temp(style_id())).unwrap_or_default()
}

/// Makes `theme` the window's look (egui's light style becomes the projector one).
pub fn apply_theme(ctx: &egui::Context, theme: Theme) {
    match theme {
        Theme::Dark => ctx.set_theme(egui::Theme::Dark),
        Theme::Projector => {
            ctx.style_mut_of(egui::Theme::Light, projector_style);
            ctx.set_theme(egui::Theme::Light);
        }
    }
}

/// egui's light style made for a projector: pure black text on white, stronger
/// frames and separators, and body text 16 pt instead of 12.5 (small text 13 pt).
fn projector_style(style: &mut egui::Style) {
    let mut v = egui::Visuals::light();
    v.override_text_color = Some(Color32::BLACK);
    v.panel_fill = Color32::WHITE;
    v.window_fill = Color32::WHITE;
    v.extreme_bg_color = Color32::WHITE;
    v.faint_bg_color = Color32::from_gray(235);
    v.widgets.noninteractive.bg_stroke = Stroke::new(1.5, Color32::from_gray(90));
    v.widgets.noninteractive.fg_stroke = Stroke::new(1.5, Color32::BLACK);
    v.widgets.inactive.bg_stroke = Stroke::new(1.0, Color32::from_gray(60));
    v.widgets.inactive.fg_stroke = Stroke::new(1.5, Color32::BLACK);
    v.widgets.inactive.bg_fill = Color32::from_gray(205);
    v.widgets.inactive.weak_bg_fill = Color32::from_gray(215);
    v.selection.bg_fill = Color32::from_rgb(120, 170, 235);
    v.selection.stroke = Stroke::new(2.0, Color32::BLACK);
    v.warn_fg_color = Color32::from_rgb(150, 70, 0);
    v.error_fg_color = Color32::from_rgb(180, 0, 0);
    style.visuals = v;
    let sizes = [
        (TextStyle::Small, 13.0),
        (TextStyle::Body, 16.0),
        (TextStyle::Button, 16.0),
        (TextStyle::Monospace, 15.0),
        (TextStyle::Heading, 22.0),
    ];
    for (text_style, size) in sizes {
        if let Some(font) = style.text_styles.get_mut(&text_style) {
            font.size = size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_steps_reach_two_and_stop_at_the_ends() {
        let mut z = 1.0;
        let mut presses = 0;
        while z < 2.0 {
            z = zoom_step(z, true);
            presses += 1;
        }
        assert_eq!((z, presses), (2.0, 4));
        assert_eq!(zoom_step(3.0, true), 3.0);
        assert_eq!(zoom_step(0.75, false), 0.75);
        // A zoom between steps moves to the neighbouring step.
        assert_eq!(zoom_step(1.1, false), 1.0);
        assert_eq!(zoom_step(1.1, true), 1.25);
    }
}
