//! Checks a parsed lesson against the models it uses: every preset opens, every
//! parameter, variable, feature and class named exists, every range is finite and
//! ordered. Errors name the line of the step (or of the field within it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{
    Action, Check, FEATURE_NAMES, Lesson, LessonError, LoadedLesson, MAX_ITEMS, MAX_STEPS, Opens,
    Step, model_of,
};
use crate::analysis::features::FiringClass;
use crate::io::preset::{err, load_resolved};
use crate::io::ron_path::path_at;
use crate::model::CompiledModel;

/// Where a step's fields are in the text, for error lines.
struct Lines<'a> {
    file: &'a str,
    text: &'a str,
    /// 1-based line where each step starts.
    step_starts: Vec<usize>,
}

impl Lines<'_> {
    /// The error for field `field` of step `k`, on the first line of the step that
    /// mentions `needle` (else the step's first line).
    fn error(&self, k: usize, field: &str, needle: &str, message: String) -> LessonError {
        let start = self.step_starts.get(k).copied();
        let end = self.step_starts.get(k + 1).copied().unwrap_or(usize::MAX);
        let line = start.map(|s| {
            self.text
                .lines()
                .enumerate()
                .skip(s - 1)
                .take_while(|(i, _)| i + 1 < end)
                .find(|(_, l)| !needle.is_empty() && l.contains(needle))
                .map_or(s, |(i, _)| i + 1)
        });
        err(self.file, line, &format!("steps[{k}].{field}"), message)
    }
}

/// The step index at the start of a line's content (`None` outside the steps list).
fn step_at_line(text: &str, line: usize) -> Option<usize> {
    let content = text.lines().nth(line - 1)?;
    let column = content.chars().take_while(|c| c.is_whitespace()).count() + 1;
    let path = path_at(text, line, column);
    let rest = path.strip_prefix("steps[")?;
    rest.split(']').next()?.parse().ok()
}

/// The first line of each step: binary search on the step index at each line,
/// which grows with the line inside the `steps` list.
fn step_starts(text: &str, n_steps: usize) -> Vec<usize> {
    let n_lines = text.lines().count();
    let Some(first) = text
        .lines()
        .position(|l| l.trim_start().starts_with("steps"))
        .map(|i| i + 1)
    else {
        return Vec::new();
    };
    (0..n_steps)
        .map(|k| {
            let (mut lo, mut hi) = (first, n_lines.max(first));
            while lo < hi {
                let mid = (lo + hi) / 2;
                match step_at_line(text, mid) {
                    Some(j) if j >= k => hi = mid,
                    None if mid > first => hi = mid,
                    _ => lo = mid + 1,
                }
            }
            lo
        })
        .collect()
}

/// A preset named in a lesson: a shipped one by name, else a path relative to the
/// lesson's folder.
pub fn preset_path(name: &str, base_dir: Option<&Path>, presets_dir: Option<&Path>) -> PathBuf {
    let plain = !name.contains('/') && !name.contains('\\') && !name.ends_with(".ron");
    match (plain, presets_dir, base_dir) {
        (true, Some(dir), _) => dir.join(format!("{name}.ron")),
        (false, _, Some(base)) => base.join(name),
        _ => PathBuf::from(name),
    }
}

pub(super) fn validate(
    file: &str,
    text: &str,
    lesson: Lesson,
    base_dir: Option<&Path>,
    presets_dir: Option<&Path>,
) -> Result<LoadedLesson, LessonError> {
    let top = |field: &str, message: String| err(file, None, field, message);
    if lesson.steps.is_empty() || lesson.steps.len() > MAX_STEPS {
        let n = lesson.steps.len();
        return Err(top(
            "steps",
            format!("{n} steps; a lesson has 1 to {MAX_STEPS}"),
        ));
    }
    if lesson.goals.len() > MAX_ITEMS {
        return Err(top("goals", format!("more than {MAX_ITEMS} goals")));
    }
    let lines = Lines {
        file,
        text,
        step_starts: step_starts(text, lesson.steps.len()),
    };
    let mut opens = Vec::new();
    let mut models: Vec<Arc<CompiledModel>> = Vec::new();
    for (k, step) in lesson.steps.iter().enumerate() {
        let e = |field: &str, needle: &str, m: String| lines.error(k, field, needle, m);
        let (open, model) = match (&step.preset, &step.model) {
            (Some(_), Some(_)) => {
                return Err(e(
                    "model",
                    "model",
                    "give a preset or a model, not both".into(),
                ));
            }
            (Some(name), None) => {
                let path = preset_path(name, base_dir, presets_dir);
                let r = load_resolved(&path, None)
                    .map_err(|pe| e("preset", "preset", format!("cannot open: {pe}")))?;
                (Some(Opens::Preset(path)), r.model)
            }
            (None, Some(id)) => {
                let m = model_of(id).map_err(|m| e("model", "model", m))?;
                (Some(Opens::Model(id.clone())), m)
            }
            (None, None) => match models.last() {
                Some(m) => (None, m.clone()),
                None => {
                    let m = "the first step must open a `preset` or a `model`".into();
                    return Err(e("preset", "", m));
                }
            },
        };
        check_step(step, &model, &e)?;
        for (j, action) in step.solution.iter().enumerate() {
            if let Action::Open(name) = action {
                let path = preset_path(name, base_dir, presets_dir);
                load_resolved(&path, None).map_err(|pe| {
                    e(
                        &format!("solution[{j}]"),
                        name,
                        format!("cannot open: {pe}"),
                    )
                })?;
            }
        }
        opens.push(open);
        models.push(model);
    }
    Ok(LoadedLesson {
        name: file.to_owned(),
        lesson,
        opens,
        models,
        base_dir: base_dir.map(Path::to_owned),
        presets_dir: presets_dir.map(Path::to_owned),
    })
}

type Err3<'a> = dyn Fn(&str, &str, String) -> LessonError + 'a;

fn check_step(step: &Step, model: &CompiledModel, e: &Err3<'_>) -> Result<(), LessonError> {
    let param = |field: &str, name: &str| -> Result<(), LessonError> {
        match model.param_index(name) {
            Some(_) => Ok(()),
            None => Err(e(
                field,
                name,
                format!("`{name}` is not a parameter of {}", model.id()),
            )),
        }
    };
    if step.set.len() + step.params.len() + step.locked.len() + step.solution.len() > 3 * MAX_ITEMS
    {
        return Err(e("set", "", format!("more than {MAX_ITEMS} names")));
    }
    for (name, v) in &step.set {
        param(&format!("set.{name}"), name)?;
        if !v.is_finite() {
            return Err(e(
                &format!("set.{name}"),
                name,
                format!("{v} is not finite"),
            ));
        }
    }
    for (k, name) in step.params.iter().enumerate() {
        param(&format!("params[{k}]"), name)?;
    }
    for (k, name) in step.locked.iter().enumerate() {
        param(&format!("locked[{k}]"), name)?;
    }
    for (k, action) in step.solution.iter().enumerate() {
        let field = format!("solution[{k}]");
        match action {
            Action::Set(name, v) => {
                param(&field, name)?;
                if !v.is_finite() {
                    return Err(e(&field, name, format!("{v} is not finite")));
                }
            }
            Action::Kick(var, _) if model.var_index(var).is_none() => {
                let m = format!("`{var}` is not a variable of {}", model.id());
                return Err(e(&field, var, m));
            }
            _ => {}
        }
    }
    if let Some(check) = &step.check {
        check_check(check, "check", model, e)?;
    }
    Ok(())
}

fn check_check(
    check: &Check,
    field: &str,
    model: &CompiledModel,
    e: &Err3<'_>,
) -> Result<(), LessonError> {
    let range = |min: f64, max: f64| -> Result<(), LessonError> {
        if min.is_finite() && max.is_finite() && min <= max {
            Ok(())
        } else {
            let m = format!("the range {min} .. {max} must be finite with min <= max");
            Err(e(field, "check", m))
        }
    };
    match check {
        Check::Rate { min_hz, max_hz } => range(*min_hz, *max_hz),
        Check::Silent { ms } if !(ms.is_finite() && *ms > 0.0) => {
            Err(e(field, "Silent", format!("ms must be > 0, got {ms}")))
        }
        Check::Param { name, min, max } => {
            if model.param_index(name).is_none() {
                let m = format!("`{name}` is not a parameter of {}", model.id());
                return Err(e(&format!("{field}.name"), name, m));
            }
            range(*min, *max)
        }
        Check::Feature { name, min, max } => {
            if !FEATURE_NAMES.contains(&name.as_str()) {
                let m = format!(
                    "unknown feature `{name}`; one of {}",
                    FEATURE_NAMES.join(", ")
                );
                return Err(e(&format!("{field}.name"), name, m));
            }
            range(*min, *max)
        }
        Check::Class { name } if FiringClass::from_name(name).is_none() => Err(e(
            &format!("{field}.name"),
            name,
            format!("unknown firing class `{name}` (tonic, adapting, bursting, ...)"),
        )),
        Check::Rheobase { min, max } => range(*min, *max),
        Check::Reached { var, above, below } => {
            if model.var_index(var).is_none() {
                let m = format!("`{var}` is not a variable of {}", model.id());
                return Err(e(&format!("{field}.var"), var, m));
            }
            if above.is_none() && below.is_none() {
                return Err(e(field, var, "give `above`, `below` or both".into()));
            }
            Ok(())
        }
        Check::All(list) => {
            if list.len() > MAX_ITEMS {
                return Err(e(field, "All", format!("more than {MAX_ITEMS} checks")));
            }
            for (k, c) in list.iter().enumerate() {
                check_check(c, &format!("{field}[{k}]"), model, e)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
