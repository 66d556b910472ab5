//! The lesson panel (right side): title, goals and source, progress (step n of N
//! with green ticks), the step's text, its check (green when done, else what it
//! waits for and what the run shows now), the hint on demand, *Show me*, Back and
//! Next. Also the display history as the checks' [`Recording`].

use egui::{Color32, RichText};

use super::history::History;
use super::markdown::markdown_ui;
use super::{Intent, View};
use crate::lesson::validate::preset_path;
use crate::lesson::{Action, Check, LessonState, LessonView, LoadedLesson, Recording};
use crate::model::CompiledModel;

/// Ticks and the done box.
const DONE_GREEN: Color32 = Color32::from_rgb(0x2e, 0xa0, 0x43);

/// The display history as the checks read it. A spike flagged on a sample happened
/// in the step that ended there, so its time is one `dt_ms` earlier.
pub struct HistoryRecording<'a> {
    pub history: &'a History,
    pub dt_ms: f64,
}

impl Recording for HistoryRecording<'_> {
    fn span_ms(&self) -> Option<(f64, f64)> {
        self.history.time_span()
    }

    fn spikes_ms(&self, from_ms: f64, to_ms: f64) -> Vec<f64> {
        let h = self.history;
        let range = h.range_of(from_ms, to_ms + self.dt_ms);
        h.spike_indices(range)
            .filter_map(|j| h.t_ms().get(j).map(|t| t - self.dt_ms))
            .filter(|&t| t >= from_ms && t <= to_ms)
            .collect()
    }

    fn samples(&self, var: usize, from_ms: f64, to_ms: f64) -> (Vec<f64>, Vec<f64>) {
        let h = self.history;
        let range = h.range_of(from_ms, to_ms);
        let Some(values) = h.channel(var) else {
            return (Vec::new(), Vec::new());
        };
        let t = h.t_ms().range(range.clone()).copied().collect();
        (t, values.range(range).copied().collect())
    }
}

/// The app's tab for a lesson's view name.
pub fn to_view(v: LessonView) -> View {
    match v {
        LessonView::Traces => View::Traces,
        LessonView::PhasePlane => View::PhasePlane,
        LessonView::Iv => View::Iv,
        LessonView::Fi => View::Fi,
        LessonView::Compare => View::Compare,
        LessonView::Bifurcation => View::Bifurcation,
        LessonView::Map => View::Map,
        LessonView::Equations => View::Equations,
        LessonView::Gallery => View::Gallery,
    }
}

/// The lesson's name for an app tab.
pub fn from_view(v: View) -> LessonView {
    match v {
        View::Traces => LessonView::Traces,
        View::PhasePlane => LessonView::PhasePlane,
        View::Iv => LessonView::Iv,
        View::Fi => LessonView::Fi,
        View::Compare => LessonView::Compare,
        View::Bifurcation => LessonView::Bifurcation,
        View::Map => LessonView::Map,
        View::Equations => LessonView::Equations,
        View::Gallery => LessonView::Gallery,
    }
}

/// The intent a student's action amounts to in `model` (`None`: a name it lacks);
/// presets are found as the lesson names them.
pub fn action_intent(
    action: &Action,
    model: &CompiledModel,
    lesson: &LoadedLesson,
) -> Option<Intent> {
    Some(match action {
        Action::Set(name, value) => Intent::SetParam {
            index: model.param_index(name)?,
            value: *value,
        },
        Action::Show(view) => Intent::ShowView(to_view(*view)),
        Action::Kick(var, delta) => Intent::Kick {
            var: model.var_index(var)?,
            delta: *delta,
        },
        Action::Open(name) => Intent::Open(preset_path(
            name,
            lesson.base_dir.as_deref(),
            lesson.presets_dir.as_deref(),
        )),
    })
}

fn view_name(v: LessonView) -> &'static str {
    to_view(v).label()
}

/// The check in words ("firing rate 40–80 Hz over the last second").
pub fn describe(check: &Check) -> String {
    match check {
        Check::Rate { min_hz, max_hz } => {
            format!("firing rate {min_hz}–{max_hz} Hz over the last second")
        }
        Check::Spiked => "a spike".into(),
        Check::Silent { ms } => format!("no spike for {ms} ms"),
        Check::Param { name, min, max } if min == max => format!("{name} = {min}"),
        Check::Param { name, min, max } => format!("{name} between {min} and {max}"),
        Check::FixedPoints { count, stable } => {
            let n = count.map_or("any number of".into(), |c| c.to_string());
            match stable {
                Some(s) => format!("{n} fixed points, {s} of them stable"),
                None => format!("{n} fixed points"),
            }
        }
        Check::Feature { name, min, max } => {
            format!("{name} between {min} and {max} over the last second")
        }
        Check::Class { name } => format!("firing class “{name}” over the last second"),
        Check::Rheobase { min, max } => format!("rheobase between {min} and {max}"),
        Check::Reached { var, above, below } => match (above, below) {
            (Some(a), Some(b)) => format!("{var} above {a} or below {b}"),
            (Some(a), None) => format!("{var} above {a}"),
            (None, Some(b)) => format!("{var} below {b}"),
            (None, None) => format!("{var} anywhere"),
        },
        Check::View(v) => format!("the {} tab open", view_name(*v)),
        Check::All(list) => list.iter().map(describe).collect::<Vec<_>>().join(", and "),
    }
}

/// Draws the open lesson; actions land in `out`.
pub fn lesson_panel_ui(
    ui: &mut egui::Ui,
    state: &LessonState,
    model: &CompiledModel,
    out: &mut Vec<Intent>,
) {
    let lesson = &state.loaded.lesson;
    ui.horizontal(|ui| {
        ui.weak("Lesson");
        if ui
            .small_button("Close")
            .on_hover_text("Close the lesson")
            .clicked()
        {
            out.push(Intent::CloseLesson);
        }
    });
    // Wrapped, so a long title never widens the panel past the window.
    ui.add(egui::Label::new(RichText::new(&lesson.title).heading()).wrap());
    egui::CollapsingHeader::new("Goals and source")
        .id_salt("lesson_goals")
        .show(ui, |ui| {
            for goal in &lesson.goals {
                ui.label(format!("•  {goal}"));
            }
            ui.label(RichText::new(&lesson.citation).italics().small());
        });
    progress_ui(ui, state, out);
    ui.separator();
    let step = state.current();
    ui.add(egui::Label::new(RichText::new(&step.title).strong().size(18.0)).wrap());
    markdown_ui(ui, &step.text);
    if let Some(check) = &step.check {
        check_ui(ui, state, check);
    }
    ui.horizontal_wrapped(|ui| {
        if !step.hint.is_empty() {
            let label = if state.hint_shown {
                "Hide hint"
            } else {
                "Hint"
            };
            if ui.button(label).clicked() {
                out.push(Intent::LessonHint(!state.hint_shown));
            }
        }
        if !step.solution.is_empty()
            && ui
                .button("Show me")
                .on_hover_text("Do this step's actions for me")
                .clicked()
        {
            out.extend(
                step.solution
                    .iter()
                    .filter_map(|a| action_intent(a, model, &state.loaded)),
            );
        }
    });
    if state.hint_shown {
        egui::Frame::group(ui.style()).show(ui, |ui| markdown_ui(ui, &step.hint));
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(state.step > 0, egui::Button::new("< Back"))
            .clicked()
        {
            out.push(Intent::LessonStep(state.step - 1));
        }
        let last = state.step + 1 == state.steps();
        if ui.add_enabled(!last, egui::Button::new("Next >")).clicked() {
            out.push(Intent::LessonStep(state.step + 1));
        }
    });
}

/// "Step n of N" and one marker per step (green tick when done), each a link to it.
fn progress_ui(ui: &mut egui::Ui, state: &LessonState, out: &mut Vec<Intent>) {
    let done = state.done.iter().filter(|&&d| d).count();
    ui.label(format!(
        "Step {} of {} · {done} checked",
        state.step + 1,
        state.steps()
    ));
    ui.horizontal_wrapped(|ui| {
        for (k, s) in state.loaded.lesson.steps.iter().enumerate() {
            // Only glyphs of the default font (Ubuntu): no check-mark symbol.
            let text = match (state.done[k], s.check.is_some()) {
                (true, _) => RichText::new(format!("{} done", k + 1))
                    .color(DONE_GREEN)
                    .strong(),
                (false, true) => RichText::new(format!("{}", k + 1)),
                (false, false) => RichText::new(format!("{}", k + 1)).weak(),
            };
            let r = ui
                .selectable_label(k == state.step, text)
                .on_hover_text(&s.title);
            if r.clicked() && k != state.step {
                out.push(Intent::LessonStep(k));
            }
        }
    });
}

fn check_ui(ui: &mut egui::Ui, state: &LessonState, check: &Check) {
    let done = state.done[state.step];
    let seen = state.outcome.as_ref().map(|o| o.seen.as_str());
    let stroke = if done {
        egui::Stroke::new(2.0, DONE_GREEN)
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    };
    egui::Frame::group(ui.style())
        .stroke(stroke)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            if done {
                ui.label(RichText::new("Done").color(DONE_GREEN).strong().size(18.0));
                ui.label(format!("Checked: {}", describe(check)));
            } else {
                ui.label(RichText::new(format!("Goal: {}", describe(check))).strong());
            }
            if let Some(seen) = seen {
                ui.weak(format!("The run now: {seen}"));
            }
        });
}
