//! The Equations view: the model's equations as readable math (from the model file,
//! via `model::pretty`), each additive term with its live value and a bar showing
//! its share of the largest term in its equation, so a student sees which current
//! dominates at each moment. Values come from the latest recorded sample and the
//! current parameter settings, evaluated by the model's own compiled program
//! (`analysis::terms`). Clicking a parameter focuses its slider.

use std::sync::Arc;

use egui::{Color32, Sense, Stroke, pos2, vec2};

use super::Intent;
use super::math_layout::{MathBox, MathColors, Typesetter};
use crate::analysis::terms::TermProbe;
use crate::model::CompiledModel;
use crate::model::file::{EqKind, EquationDesc};
use crate::model::pretty::{self, Math};

/// Colours of a term that raises (warm) or lowers (cool) its left-hand side;
/// an orange/blue pair that colour-blind viewers tell apart.
const RAISES: Color32 = Color32::from_rgb(230, 140, 40);
const LOWERS: Color32 = Color32::from_rgb(70, 140, 230);

/// What the panel draws from.
pub struct EquationsInput<'a> {
    pub model: &'a Arc<CompiledModel>,
    /// The model's parameters as set now (model order).
    pub params: &'a [f64],
    /// The latest recorded value of every variable (model order), if any.
    pub state: Option<Vec<f64>>,
    pub t_ms: f64,
    pub dt_ms: f64,
}

/// One term's live value, as last drawn (tests and the accessibility label).
#[derive(Clone, Debug, PartialEq)]
pub struct TermValue {
    /// The equation's variable.
    pub var: String,
    /// The term as text with its sign (`−ḡ_{L}·(v − v_{L})`).
    pub term: String,
    pub value: f64,
}

#[derive(Default)]
pub struct EquationsPanel {
    probe: Option<(Arc<CompiledModel>, Result<TermProbe, String>)>,
    /// The terms' values drawn last frame.
    pub values: Vec<TermValue>,
}

/// A number in 4 significant digits, switching to exponents far from 1.
fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.3e}")
    } else {
        let s = format!("{v:.4}");
        // Trim to four significant digits without losing the sign.
        let digits = if a >= 1.0 {
            3 - a.log10().floor() as i32
        } else {
            4
        };
        format!(
            "{:.*}",
            digits.clamp(0, 4) as usize,
            s.parse::<f64>().unwrap_or(v)
        )
    }
}

/// A piece of an equation line: math plus the term it shows (for its bar).
struct Chunk {
    math: MathBox,
    term: Option<usize>,
}

impl EquationsPanel {
    /// The probe of `model`, built once per model (a compile, about a millisecond).
    fn update_probe(&mut self, model: &Arc<CompiledModel>) {
        if !matches!(&self.probe, Some((m, _)) if Arc::ptr_eq(m, model)) {
            let probe = TermProbe::new(model).map_err(|e| e.to_string());
            self.probe = Some((Arc::clone(model), probe));
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, input: &EquationsInput, out: &mut Vec<Intent>) {
        let model = input.model;
        self.update_probe(model);
        let Some((_, probe)) = &mut self.probe else {
            return;
        };
        let probe = match probe {
            Ok(p) => p,
            Err(e) => {
                ui.label(format!("Cannot show this model's equations: {e}"));
                return;
            }
        };
        let term_values = input.state.as_ref().map(|state| {
            probe.eval(input.params, state, input.t_ms, input.dt_ms);
            probe.term_values()
        });
        ui.horizontal_wrapped(|ui| {
            match &input.state {
                Some(_) => ui.label(format!("t = {:.2} ms", input.t_ms)),
                None => ui.label("no values recorded yet"),
            };
            let help = "Under each term: its value now and a bar, its size against the \
                        largest term of its equation. Orange terms raise the left-hand side, \
                        blue ones lower it. Click a parameter (blue) to find its slider.";
            ui.colored_label(RAISES, "raising").on_hover_text(help);
            ui.colored_label(LOWERS, "lowering").on_hover_text(help);
            ui.weak("· click a parameter to find its slider")
                .on_hover_text(help);
        });
        ui.add_space(4.0);
        let size = (ui.text_style_height(&egui::TextStyle::Body) * 1.35).max(16.0);
        let mut values = Vec::new();
        let terms = probe.terms().to_vec();
        for i in display_order(model) {
            let eq = &model.desc.equations[i];
            let mine: Vec<usize> = (0..terms.len())
                .filter(|&k| terms[k].equation == i)
                .collect();
            let live = self.live_value(eq, input);
            let eq_values: Option<Vec<f64>> = term_values.as_ref().map(|tv| {
                mine.iter()
                    .map(|&k| tv.get(k).copied().unwrap_or(f64::NAN))
                    .collect()
            });
            let term_maths: Vec<(bool, Math)> = mine
                .iter()
                .map(|&k| (terms[k].negative, pretty::expr(&terms[k].expr)))
                .collect();
            if let Some(vals) = &eq_values {
                for ((neg, m), v) in term_maths.iter().zip(vals) {
                    let sign = if *neg { "−" } else { "+" };
                    values.push(TermValue {
                        var: eq.var.clone(),
                        term: format!("{sign}{}", pretty::to_text(m)),
                        value: *v,
                    });
                }
            }
            let line = EquationLine {
                eq,
                index: i,
                terms: &term_maths,
                values: eq_values.as_deref(),
                live,
            };
            line.ui(ui, model, input.params, size, out);
        }
        spike_and_reset_ui(ui, model, input.params, size, out);
        self.values = values;
    }

    /// The equation's live value at the right: the variable (assignments) or its
    /// derivative (ODEs), with the unit.
    fn live_value(&self, eq: &EquationDesc, input: &EquationsInput) -> Option<String> {
        let (_, Ok(probe)) = self.probe.as_ref()? else {
            return None;
        };
        input.state.as_ref()?;
        let var = input.model.var_index(&eq.var)?;
        let unit = match input.model.vars[var].unit.as_str() {
            "1" => "",
            u => u,
        };
        Some(match eq.kind {
            EqKind::Assign => format!("{} = {} {unit}", eq.var, fmt_value(probe.value(var)?)),
            EqKind::Ode { .. } => {
                format!(
                    "d{}/dt = {} {unit}/ms",
                    eq.var,
                    fmt_value(probe.derivative(var)?)
                )
            }
        })
    }
}

/// The membrane equation first (the one whose terms a student watches), then the
/// others in the model's order.
fn display_order(model: &CompiledModel) -> Vec<usize> {
    let n = model.desc.equations.len();
    let membrane = model.membrane_var().and_then(|v| {
        model
            .desc
            .equations
            .iter()
            .position(|e| e.var == model.vars[v].name)
    });
    membrane
        .into_iter()
        .chain((0..n).filter(|&i| Some(i) != membrane))
        .collect()
}

/// One equation as drawn.
struct EquationLine<'a> {
    eq: &'a EquationDesc,
    index: usize,
    terms: &'a [(bool, Math)],
    values: Option<&'a [f64]>,
    live: Option<String>,
}

fn colors(ui: &egui::Ui) -> MathColors {
    let visuals = ui.visuals();
    MathColors {
        text: visuals.strong_text_color(),
        param: visuals.hyperlink_color,
    }
}

impl EquationLine<'_> {
    fn ui(
        &self,
        ui: &mut egui::Ui,
        model: &CompiledModel,
        params: &[f64],
        size: f32,
        out: &mut Vec<Intent>,
    ) {
        let is_param = |n: &str| model.param_index(n).is_some();
        let painter = ui.painter().clone();
        let ts = Typesetter {
            painter: &painter,
            colors: colors(ui),
            is_param: &is_param,
        };
        let mut head = ts.layout(&pretty::lhs(self.eq), size);
        head.push_text(&ts, " = ", size);
        let mut chunks = Vec::new();
        if self.terms.is_empty() {
            chunks.push(Chunk {
                math: ts.layout(&pretty::expr(&self.eq.rhs), size),
                term: None,
            });
        } else {
            for (k, (neg, m)) in self.terms.iter().enumerate() {
                let sign = match (k, neg) {
                    (0, false) => "",
                    (0, true) => "−",
                    (_, true) => " − ",
                    (_, false) => " + ",
                };
                let mut b = MathBox::default();
                b.push_text(&ts, sign, size);
                b.push_math(ts.layout(m, size));
                if self.values.is_some() {
                    // Room for the value under a short term (−I_L) without overlap.
                    b.width = b.width.max(size * 3.6);
                }
                chunks.push(Chunk {
                    math: b,
                    term: Some(k),
                });
            }
        }
        let bar_space = if self.values.is_some() && !self.terms.is_empty() {
            size * 1.2
        } else {
            0.0
        };
        let width = ui.available_width().max(200.0);
        let lines = flow(&head, &chunks, width);
        // The live value sits at the right of the first line if it fits there,
        // else on a line of its own below (a zoomed, narrow window).
        let live = self.live.as_ref().map(|text| {
            let font = egui::FontId::proportional(size * 0.75);
            painter.layout_no_wrap(text.clone(), font, ui.visuals().weak_text_color())
        });
        let first_width = lines.first().map_or(0.0, |l| line_width(&head, &chunks, l));
        let live_below = live
            .as_ref()
            .is_some_and(|g| first_width + g.size().x + 12.0 > width);
        let below_height = match (&live, live_below) {
            (Some(g), true) => g.size().y + 2.0,
            _ => 0.0,
        };
        let height: f32 = lines
            .iter()
            .map(|l| l.ascent + l.descent + bar_space + 6.0)
            .sum::<f32>()
            + below_height;
        let (rect, response) =
            ui.allocate_exact_size(vec2(width, height.max(size)), Sense::hover());
        response.on_hover_text(&self.eq.description);
        let stroke = Stroke::new(1.2, ts.colors.text);
        let mut hits = Vec::new();
        let mut y = rect.top();
        let max_abs = self.values.map_or(0.0, |v| {
            v.iter()
                .filter(|x| x.is_finite())
                .fold(0.0f64, |m, x| m.max(x.abs()))
        });
        for (li, line) in lines.iter().enumerate() {
            let base = y + line.ascent;
            if li == 0 {
                hits.extend(head.paint(&painter, pos2(rect.left(), base), stroke));
            }
            for &(ci, x) in &line.chunks {
                let chunk = &chunks[ci];
                let origin = pos2(rect.left() + x, base);
                hits.extend(chunk.math.paint(&painter, origin, stroke));
                if let (Some(k), Some(values)) = (chunk.term, self.values) {
                    let top = base + line.descent + 2.0;
                    term_bar(
                        &painter,
                        origin.x,
                        top,
                        chunk.math.width,
                        values[k],
                        max_abs,
                        size,
                    );
                }
            }
            y = base + line.descent + bar_space + 6.0;
        }
        if let Some(galley) = live {
            let pos = if live_below {
                pos2(rect.left() + 8.0, rect.bottom() - galley.size().y)
            } else {
                pos2(rect.right() - 4.0 - galley.size().x, rect.top() + 2.0)
            };
            painter.galley(pos, galley, ui.visuals().weak_text_color());
        }
        name_links_ui(ui, model, params, &hits, ("eq", self.index), out);
    }
}

/// A horizontal bar under a term (length: its share of the largest term) and its value.
fn term_bar(
    painter: &egui::Painter,
    x: f32,
    top: f32,
    width: f32,
    value: f64,
    max_abs: f64,
    size: f32,
) {
    let share = if max_abs > 0.0 && value.is_finite() {
        (value.abs() / max_abs) as f32
    } else {
        0.0
    };
    let color = if value >= 0.0 { RAISES } else { LOWERS };
    let w = (width - 4.0).max(8.0);
    let bar = egui::Rect::from_min_size(
        pos2(x + 2.0, top),
        vec2(w * share.clamp(0.0, 1.0), size * 0.22),
    );
    painter.rect_filled(
        egui::Rect::from_min_size(bar.min, vec2(w, bar.height())),
        1.0,
        color.gamma_multiply(0.15),
    );
    painter.rect_filled(bar, 1.0, color);
    painter.text(
        pos2(x + 2.0, bar.bottom() + 1.0),
        egui::Align2::LEFT_TOP,
        fmt_value(value),
        egui::FontId::proportional(size * 0.62),
        color,
    );
}

/// Makes every parameter drawn at `hits` a link that focuses its slider, and every
/// name show its value and description on hover.
fn name_links_ui(
    ui: &mut egui::Ui,
    model: &CompiledModel,
    params: &[f64],
    hits: &[super::math_layout::NameHit],
    salt: (&str, usize),
    out: &mut Vec<Intent>,
) {
    for (k, hit) in hits.iter().enumerate() {
        let id = ui.scope_id().with(salt).with(k);
        let Some(pi) = model.param_index(&hit.name) else {
            let var = model.var_index(&hit.name).map(|i| &model.vars[i]);
            if let Some(var) = var {
                let tip = format!("{} [{}]: {}", var.name, var.unit, var.description);
                ui.interact(hit.rect, id, Sense::hover()).on_hover_text(tip);
            }
            continue;
        };
        let p = &model.desc.parameters[pi];
        let response = ui.interact(hit.rect, id, Sense::click());
        let name = hit.name.clone();
        response
            .widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Link, true, &name));
        if response.hovered() {
            ui.painter().line_segment(
                [hit.rect.left_bottom(), hit.rect.right_bottom()],
                Stroke::new(1.0, ui.visuals().hyperlink_color),
            );
        }
        let value = params.get(pi).copied().unwrap_or(p.default);
        let tip = format!(
            "{} = {} {}: {}\nClick to find its slider.",
            p.name, value, p.unit, p.description
        );
        if response.on_hover_text(tip).clicked() {
            out.push(Intent::FocusParam(hit.name.clone()));
        }
    }
}

/// The spike condition and the reset, if the model has them.
fn spike_and_reset_ui(
    ui: &mut egui::Ui,
    model: &CompiledModel,
    params: &[f64],
    size: f32,
    out: &mut Vec<Intent>,
) {
    let Some((cond, _, _)) = &model.desc.spike else {
        return;
    };
    let is_param = |n: &str| model.param_index(n).is_some();
    let painter = ui.painter().clone();
    let ts = Typesetter {
        painter: &painter,
        colors: colors(ui),
        is_param: &is_param,
    };
    let mut b = MathBox::default();
    b.push_text(&ts, "spike when ", size);
    b.push_math(ts.layout(&pretty::expr(cond), size));
    if !model.desc.reset.is_empty() {
        b.push_text(&ts, ";  reset: ", size);
        for (k, r) in model.desc.reset.iter().enumerate() {
            if k > 0 {
                b.push_text(&ts, ",  ", size);
            }
            let name = Math::Name {
                base: pretty::symbol(&r.var).0,
                sub: pretty::symbol(&r.var).1,
                name: r.var.clone(),
            };
            b.push_math(ts.layout(&name, size));
            b.push_text(&ts, " = ", size);
            b.push_math(ts.layout(&pretty::expr(&r.rhs), size));
        }
    }
    ui.add_space(4.0);
    let (rect, _) = ui.allocate_exact_size(b.size() + vec2(0.0, 4.0), Sense::hover());
    let hits = b.paint(
        &painter,
        pos2(rect.left(), rect.top() + b.ascent),
        Stroke::new(1.2, ts.colors.text),
    );
    name_links_ui(ui, model, params, &hits, ("spike", 0), out);
}

/// A line of a wrapped equation: (chunk index, x offset) and its extent.
struct Line {
    chunks: Vec<(usize, f32)>,
    ascent: f32,
    descent: f32,
}

/// Where a line's last chunk ends.
fn line_width(head: &MathBox, chunks: &[Chunk], line: &Line) -> f32 {
    line.chunks
        .last()
        .map_or(head.width, |&(i, x)| x + chunks[i].math.width)
}

/// Places the chunks after `head`, wrapping to a new line (indented past the
/// head) where the next chunk would cross `width`.
fn flow(head: &MathBox, chunks: &[Chunk], width: f32) -> Vec<Line> {
    let indent = head.width.min(width * 0.4);
    let mut lines = vec![Line {
        chunks: Vec::new(),
        ascent: head.ascent,
        descent: head.descent,
    }];
    let mut x = head.width;
    for (i, c) in chunks.iter().enumerate() {
        let Some(line) = lines.last_mut() else { break };
        if !line.chunks.is_empty() && x + c.math.width > width {
            lines.push(Line {
                chunks: Vec::new(),
                ascent: 0.0,
                descent: 0.0,
            });
            x = indent;
        }
        let Some(line) = lines.last_mut() else { break };
        line.chunks.push((i, x));
        line.ascent = line.ascent.max(c.math.ascent);
        line.descent = line.descent.max(c.math.descent);
        x += c.math.width;
    }
    lines
}

// Small helpers on MathBox kept here: appending text and math in a row.
impl MathBox {
    fn push_text(&mut self, ts: &Typesetter, s: &str, size: f32) {
        if !s.is_empty() {
            self.push_math(ts.layout(&Math::Op(s.to_owned()), size));
        }
    }
}
