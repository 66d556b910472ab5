//! What every plot shares, in one place: readable tick marks (a 1-2-5 step chosen
//! for the plot's size, so a short HH membrane plot still shows several labelled
//! mV ticks), axis titles with units, the hover read-out with units, the legend
//! (semi-transparent, placed by the caller, switchable off in the View menu) and
//! the line width chosen in the View menu. Panels call [`styled`] on their
//! `Plot` and [`line_width`] / [`legend`] while drawing.

use egui_plot::{Corner, GridInput, GridMark, HoverPosition, Legend, Plot};

use super::theme::display_style;

/// Tick labels on the y axis sit about this far apart (points), never closer than
/// [`Y_MIN_PX`] (egui_plot fades labels closer than 30 points).
const Y_TARGET_PX: f64 = 42.0;
const Y_MIN_PX: f64 = 30.0;
/// The x axis needs room for wider labels.
const X_TARGET_PX: f64 = 110.0;
const X_MIN_PX: f64 = 80.0;
/// egui_plot's `GridInput::base_step_size` is the value spanned by this many points
/// (its default `grid_spacing` minimum).
const BASE_STEP_PX: f64 = 8.0;

/// One axis: what it shows and in which unit (empty or "1" for none).
#[derive(Clone, Debug, Default)]
pub struct AxisSpec {
    pub name: String,
    pub unit: String,
}

impl AxisSpec {
    pub fn new(name: impl Into<String>, unit: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            unit: unit.into(),
        }
    }

    /// The membrane potential axis of `model`: its membrane variable's name and unit
    /// (declared in the model file's `[roles]` or inferred).
    pub fn membrane(model: &crate::model::CompiledModel) -> Self {
        let (name, unit) = model.membrane().unwrap_or(("membrane potential", "mV"));
        Self::new(name, unit)
    }

    /// The drive parameter axis of `model` (its name and unit).
    pub fn drive(model: &crate::model::CompiledModel) -> Self {
        let (name, unit) = model.drive().unwrap_or(("drive", ""));
        Self::new(name, unit)
    }

    /// `v [mV]`, or the bare name without a unit.
    pub fn title(&self) -> String {
        if self.unit.is_empty() || self.unit == "1" {
            self.name.clone()
        } else {
            format!("{} [{}]", self.name, self.unit)
        }
    }

    /// `v = −65.2 mV`.
    pub fn reading(&self, value: f64) -> String {
        let number = format_value(value);
        if self.unit.is_empty() || self.unit == "1" {
            format!("{} = {number}", self.name)
        } else {
            format!("{} = {number} {}", self.name, self.unit)
        }
    }
}

/// A number for a read-out: four significant digits, scientific outside 1e-3..1e6.
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-3..1e6).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    let digits = if magnitude == 0.0 {
        0
    } else {
        (3 - magnitude.log10().floor() as i32).clamp(0, 6) as usize
    };
    format!("{value:.digits$}")
}

/// The 1-2-5 step closest (in ratio) to `raw`, but not below `floor`.
pub fn nice_step(raw: f64, floor: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let decade = 10f64.powf(raw.log10().floor());
    let candidates = [1.0, 2.0, 5.0, 10.0, 20.0].map(|m| m * decade);
    let best = candidates
        .iter()
        .copied()
        .filter(|&c| c >= floor)
        .min_by(|a, b| (a / raw).ln().abs().total_cmp(&(b / raw).ln().abs()));
    best.unwrap_or(candidates[4])
}

/// Grid marks for one axis: labelled major steps about `target_px` apart (at least
/// `min_px`) and five unlabelled minor steps between them.
fn marks(input: GridInput, target_px: f64, min_px: f64) -> Vec<GridMark> {
    let per_px = input.base_step_size / BASE_STEP_PX;
    let (lo, hi) = input.bounds;
    if !(per_px.is_finite() && per_px > 0.0 && lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let major = nice_step(per_px * target_px, per_px * min_px);
    let minor = major / 5.0;
    let mut out = Vec::new();
    let first = (lo / minor).ceil() as i64;
    let last = (hi / minor).floor() as i64;
    // Bounded: a degenerate range never builds a huge vector.
    for k in first..=last.min(first + 2000) {
        let value = k as f64 * minor;
        let step_size = if k % 5 == 0 { major } else { minor };
        out.push(GridMark { value, step_size });
    }
    out
}

/// `plot` with readable ticks on both axes, the axes' titles with units and a hover
/// read-out naming the curve and both coordinates with units.
pub fn styled<'a>(plot: Plot<'a>, x: AxisSpec, y: AxisSpec) -> Plot<'a> {
    plot.x_grid_spacer(|i| marks(i, X_TARGET_PX, X_MIN_PX))
        .y_grid_spacer(|i| marks(i, Y_TARGET_PX, Y_MIN_PX))
        .x_axis_formatter(|mark, _| tick_label(mark.value, mark.step_size))
        .y_axis_formatter(|mark, _| tick_label(mark.value, mark.step_size))
        .x_axis_label(x.title())
        .y_axis_label(y.title())
        .y_axis_min_width(56.0)
        .label_formatter(move |pos| Some(hover_text(pos, &x, &y)))
}

/// A tick's label with as many decimals as its step needs, so ticks 0.02 mV apart
/// on a flat trace read −70.04, −70.02, … rather than −70 three times.
pub fn tick_label(value: f64, step: f64) -> String {
    let decimals = if step.is_finite() && step > 0.0 {
        (-step.log10().floor()).clamp(0.0, 12.0) as usize
    } else {
        0
    };
    // 0 − x: no "-0" label.
    let v = if value.abs() < step * 1e-6 {
        0.0
    } else {
        value
    };
    format!("{v:.decimals$}")
}

/// The hover read-out: the nearest curve's name, then x and y with units.
pub fn hover_text(pos: &HoverPosition<'_>, x: &AxisSpec, y: &AxisSpec) -> String {
    match pos {
        HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } => format!(
            "{plot_name}\n{}\n{}",
            x.reading(position.x),
            y.reading(position.y)
        ),
        HoverPosition::Elsewhere { position } => {
            format!("{}\n{}", x.reading(position.x), y.reading(position.y))
        }
    }
}

/// `plot` with a legend in `corner` (semi-transparent, so data stays visible
/// beneath it), unless legends are switched off in the View menu. Clicking an entry
/// hides its curve.
pub fn with_legend<'a>(plot: Plot<'a>, ctx: &egui::Context, corner: Corner) -> Plot<'a> {
    if display_style(ctx).legends {
        plot.legend(legend(corner))
    } else {
        plot
    }
}

/// The legend every plot uses.
pub fn legend(corner: Corner) -> Legend {
    Legend::default()
        .follow_insertion_order(true)
        .position(corner)
        .background_alpha(0.55)
}

/// The width of data lines chosen in the View menu, times `scale` (1 for the main
/// curves, less for secondary ones).
pub fn line_width(ctx: &egui::Context, scale: f32) -> f32 {
    display_style(ctx).line_width * scale
}

/// Whether the plots draw on a dark background (palette choice).
pub fn dark(ui: &egui::Ui) -> bool {
    ui.visuals().dark_mode
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_1_2_5_and_respect_the_floor() {
        assert_eq!(nice_step(21.6, 0.0), 20.0);
        assert_eq!(nice_step(3.4, 0.0), 5.0);
        assert_eq!(nice_step(0.013, 0.0), 0.01);
        assert_eq!(nice_step(21.6, 25.0), 50.0);
        assert_eq!(nice_step(f64::NAN, 0.0), 1.0);
    }

    /// An HH membrane plot: −80..40 mV on 200 points gets a labelled tick every
    /// 20 mV (the issue saw a single "0").
    #[test]
    fn a_short_hh_membrane_plot_gets_several_labelled_ticks() {
        let per_px = 120.0 / 200.0;
        let input = GridInput {
            bounds: (-80.0, 40.0),
            base_step_size: per_px * BASE_STEP_PX,
        };
        let major: Vec<f64> = marks(input, Y_TARGET_PX, Y_MIN_PX)
            .iter()
            .filter(|m| m.step_size == 20.0)
            .map(|m| m.value)
            .collect();
        assert_eq!(major, [-80.0, -60.0, -40.0, -20.0, 0.0, 20.0, 40.0]);
    }

    #[test]
    fn tick_labels_have_the_decimals_their_step_needs() {
        assert_eq!(tick_label(-70.04, 0.02), "-70.04");
        assert_eq!(tick_label(-70.0, 0.02), "-70.00");
        assert_eq!(tick_label(40.0, 20.0), "40");
        assert_eq!(tick_label(0.5, 0.5), "0.5");
        assert_eq!(tick_label(1e-17, 0.2), "0.0");
        assert_eq!(tick_label(250.0, 50.0), "250");
    }

    #[test]
    fn readings_carry_units() {
        let v = AxisSpec::new("V_m", "mV");
        assert_eq!(v.reading(-65.2345), "V_m = -65.23 mV");
        assert_eq!(AxisSpec::new("m", "1").reading(0.05), "m = 0.05000");
        assert_eq!(v.title(), "V_m [mV]");
        assert_eq!(format_value(1e7), "1.000e7");
    }
}
