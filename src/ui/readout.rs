//! The live plots' hover read-out: the time under the cursor and the value of every
//! plotted channel there (the recorded sample nearest that time), with units, in
//! one line above the plots — readable from the back of a room, and outside the
//! plots so it never covers data. Each name is drawn in its line's colour, so
//! without a hover the line is the plots' colour key.

use super::history::History;
use super::plot_style::{AxisSpec, format_value};
use crate::model::CompiledModel;

/// The unit of a recorded channel called `name`: a variable's or a parameter's
/// (the stimulus channel), else the membrane unit for the reference run's v.
pub fn channel_unit(model: &CompiledModel, name: &str, is_reference: bool) -> String {
    if is_reference {
        return "mV".into();
    }
    // The stimulus channel is called `I_app (applied)`: its parameter's unit.
    let base = name.split_whitespace().next().unwrap_or(name);
    if let Some(i) = model.var_index(base) {
        return model.vars[i].unit.clone();
    }
    model
        .param_index(base)
        .map(|i| model.desc.parameters[i].unit.clone())
        .unwrap_or_default()
}

/// Index of the recorded sample nearest `t_ms`.
pub fn nearest_sample(history: &History, t_ms: f64) -> Option<usize> {
    let t = history.t_ms();
    if t.is_empty() || !t_ms.is_finite() {
        return None;
    }
    let after = history.range_of(t_ms, f64::INFINITY).start;
    let before = after.checked_sub(1);
    match (before, (after < t.len()).then_some(after)) {
        (Some(b), Some(a)) => Some(if t_ms - t[b] <= t[a] - t_ms { b } else { a }),
        (Some(b), None) => Some(b),
        (None, a) => a,
    }
}

/// One channel in the read-out: name, unit and line colour.
pub struct ReadoutChannel {
    pub channel: usize,
    pub axis: AxisSpec,
    pub color: egui::Color32,
}

/// The read-out's text for time `t_ms` (the first label, found by tests):
/// `cursor t = 250.0 ms`; then one `name = value unit` per channel.
pub fn readout_parts(
    history: &History,
    t_ms: f64,
    channels: &[ReadoutChannel],
) -> Option<(String, Vec<(String, egui::Color32)>)> {
    let i = nearest_sample(history, t_ms)?;
    let t = history.t_ms()[i];
    let time = format!("cursor t = {} ms", format_value(t));
    let values = channels
        .iter()
        .filter_map(|c| {
            let v = *history.channel(c.channel)?.get(i)?;
            Some((c.axis.reading(v), c.color))
        })
        .collect();
    Some((time, values))
}

/// Draws the read-out line for `hover_t_ms` (or a hint while nothing is hovered).
pub fn readout_ui(
    ui: &mut egui::Ui,
    history: &History,
    hover_t_ms: Option<f64>,
    channels: &[ReadoutChannel],
) {
    ui.horizontal_wrapped(|ui| {
        let parts = hover_t_ms.and_then(|t| readout_parts(history, t, channels));
        let Some((time, values)) = parts else {
            // The key of every line (outside the plots, so it covers nothing).
            for c in channels {
                ui.colored_label(c.color, c.axis.title());
            }
            ui.weak("— hover a plot to read the time and values.");
            return;
        };
        ui.strong(time);
        for (text, color) in values {
            ui.separator();
            ui.colored_label(color, text);
        }
    });
}
