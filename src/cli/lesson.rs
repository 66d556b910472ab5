//! `neuron-explorer lessons` lists the built-in lessons (name, title, steps);
//! `neuron-explorer lesson NAME` opens the window in one (a built-in's name or a
//! lesson file, docs/lessons.md), after checking it loads.

use anyhow::Result;

use super::UsageError;
use crate::lesson::{BUILTIN, load};

#[derive(clap::Args, Debug)]
pub struct LessonArgs {
    /// A built-in lesson (`neuron-explorer lessons` lists them; the number may be
    /// left out: `action_potential`) or a lesson file (.ron).
    pub name: String,
}

/// Prints `name<TAB>title<TAB>N steps`, one line per built-in lesson.
pub fn lessons_cmd() -> Result<()> {
    let presets = crate::ui::presets::presets_dir();
    for (name, _) in BUILTIN {
        let lesson = load(name, presets.as_deref()).map_err(|e| UsageError(e.to_string()))?;
        let l = &lesson.lesson;
        println!("{name}\t{}\t{} steps", l.title, l.steps.len());
    }
    Ok(())
}

/// Checks the lesson loads (errors name file, line and field), then opens the window in it.
pub fn lesson_cmd(args: &LessonArgs) -> Result<()> {
    let presets = crate::ui::presets::presets_dir();
    load(&args.name, presets.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    crate::app::run_gui_lesson(args.name.clone())
}
