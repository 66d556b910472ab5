//! Preset files (RON): one file that fully describes a run. Parsing is strict and
//! every error names the file, the line and the field.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{CompiledModel, builtin};
use crate::sim::Integrator;
pub use crate::sim::run::{DEFAULT_DURATION_MS, DEFAULT_SEED};
use crate::sim::run::{Event, RunSpec, default_pause_at_end};
use crate::sim::stimulus::Stimulus;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub model: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub initial: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dt_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stimuli: Vec<Stimulus>,
    /// What the preset shows and what to look at, shown in the window when it opens
    /// (without it, the file's leading `//` comment is shown; see `io::protocol`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Whether a running simulation pauses at `duration_ms`. Unset, it does when the
    /// preset has a protocol (events or stimuli), so the whole protocol stays on screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_at_end: Option<bool>,
}

/// Largest preset file accepted (a 200k-event protocol is ~10 MB).
pub const MAX_PRESET_BYTES: usize = 64 << 20;
/// Most events in one preset.
pub const MAX_EVENTS: usize = 1_000_000;
/// Most stimulus waveforms in one preset.
pub const MAX_STIMULI: usize = 1_000;
/// Most names in one map (`parameters`, `initial`, one event's `set` and `add`).
pub const MAX_NAMES: usize = 10_000;
/// Deepest bracket nesting RON may follow (a valid preset needs 6).
const MAX_RON_NESTING: usize = 32;

/// What is wrong with a preset, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct PresetError {
    pub file: String,
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for PresetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: ", self.file, line)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

impl Preset {
    /// Parses RON text; `file` names the source in errors.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, PresetError> {
        let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(file, bytes, &e))?;
        Self::parse_text(file, text)
    }

    /// As [`Preset::parse`], for text already known to be UTF-8.
    pub fn parse_text(file: &str, text: &str) -> Result<Self, PresetError> {
        if text.trim().is_empty() {
            return Err(err(
                file,
                None,
                "",
                "the file is empty; a preset needs at least `(model: \"...\")`".into(),
            ));
        }
        if text.len() > MAX_PRESET_BYTES {
            return Err(err(
                file,
                None,
                "",
                format!(
                    "the file has {} bytes; presets are limited to {MAX_PRESET_BYTES} bytes",
                    text.len()
                ),
            ));
        }
        // A long generated protocol takes the fast path; anything it does not read
        // plainly (and every error) goes through `ron`.
        let preset = match parse_with_fast_events(text) {
            Some(p) => p,
            None => parse_ron(file, text)?,
        };
        preset.check_sizes(file, text)?;
        Ok(preset)
    }

    /// Refuses collections beyond the limits (a 200k-event protocol is fine).
    fn check_sizes(&self, file: &str, text: &str) -> Result<(), PresetError> {
        let too_many = |field: &str, n: usize, max: usize| {
            (n > max).then(|| {
                err(
                    file,
                    find_line(text, field),
                    field,
                    format!("{n} entries; a preset may hold at most {max}"),
                )
            })
        };
        let mut checks = vec![
            too_many("events", self.events.len(), MAX_EVENTS),
            too_many("stimuli", self.stimuli.len(), MAX_STIMULI),
            too_many("parameters", self.parameters.len(), MAX_NAMES),
            too_many("initial", self.initial.len(), MAX_NAMES),
        ];
        for (k, ev) in self.events.iter().enumerate() {
            let n = ev.set.len() + ev.add.len();
            if n > MAX_NAMES {
                checks.push(too_many(&format!("events[{k}]"), n, MAX_NAMES));
                break;
            }
        }
        match checks.into_iter().flatten().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    pub fn load(path: &Path) -> Result<Self, PresetError> {
        let file = path.display().to_string();
        let bytes = super::read::read_limited(path, MAX_PRESET_BYTES)
            .map_err(|e| err(&file, None, "", format!("cannot read: {e}")))?;
        Self::parse(&file, &bytes)
    }

    /// Pretty RON, as saved by the app, with one event per line.
    pub fn to_ron(&self) -> String {
        let head = Preset {
            model: self.model.clone(),
            parameters: self.parameters.clone(),
            initial: self.initial.clone(),
            dt_ms: self.dt_ms,
            duration_ms: self.duration_ms,
            integrator: self.integrator.clone(),
            seed: self.seed,
            events: Vec::new(),
            stimuli: self.stimuli.clone(),
            notes: self.notes.clone(),
            pause_at_end: self.pause_at_end,
        };
        head.ron_with_events(&self.events)
    }

    /// This preset (whose own `events` are not written) as pretty RON with `events`
    /// appended, one per line: a protocol is written without copying it.
    fn ron_with_events(&self, events: &[Event]) -> String {
        let cfg = ron::ser::PrettyConfig::new().struct_names(false);
        let mut text = match ron_options().to_string_pretty(self, cfg) {
            Ok(text) => text,
            Err(e) => return format!("// cannot serialise preset: {e}"),
        };
        if events.is_empty() {
            return text;
        }
        let mut list = String::with_capacity(48 * events.len() + 32);
        list.push_str("    events: ");
        super::event_list::write_events(events, "        ", &mut list);
        list.push_str(",\n");
        match text.rfind(')') {
            Some(close) => text.insert_str(close, &list),
            None => text.push_str(&list),
        }
        text
    }

    /// Checks names and values against the model (built-in unless `model` is given).
    fn check(
        &self,
        file: &str,
        source: &str,
        model: Option<Arc<CompiledModel>>,
    ) -> Result<RunSpec, PresetError> {
        let line_of = |key: &str| find_line(source, key);
        let model = match model {
            Some(m) => m,
            None => match builtin::builtin(&self.model) {
                Some(Ok(m)) => m,
                Some(Err(e)) => return Err(err(file, line_of("model"), "model", e.to_string())),
                None => {
                    let known: Vec<&str> = builtin::builtin_ids().collect();
                    return Err(err(
                        file,
                        line_of("model"),
                        "model",
                        format!(
                            "unknown model `{}`; `neuron-explorer models` lists the {} built-ins ({}, ...)",
                            self.model,
                            known.len(),
                            known[..3].join(", ")
                        ),
                    ));
                }
            },
        };
        // The field's name is formatted only for an error: a 200k-event preset
        // checks a million values.
        let finite = |field: &dyn Fn() -> String, v: f64, key: &str| -> Result<f64, PresetError> {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(err(
                    file,
                    line_of(key),
                    &field(),
                    format!("{v} is not a finite number"),
                ))
            }
        };
        let mut parameters = model.default_parameters();
        for (name, &v) in &self.parameters {
            let Some(i) = model.param_index(name) else {
                return Err(unknown_name(
                    file,
                    line_of(name),
                    &format!("parameters.{name}"),
                    name,
                    &model,
                    false,
                ));
            };
            parameters[i] = finite(&|| format!("parameters.{name}"), v, name)?;
        }
        let mut initial = vec![None; model.vars.len()];
        for (name, &v) in &self.initial {
            let Some(i) = model.var_index(name) else {
                return Err(unknown_name(
                    file,
                    line_of(name),
                    &format!("initial.{name}"),
                    name,
                    &model,
                    true,
                ));
            };
            initial[i] = Some(finite(&|| format!("initial.{name}"), v, name)?);
        }
        let dt_ms = finite(
            &|| "dt_ms".into(),
            self.dt_ms.unwrap_or(model.desc.dt_ms),
            "dt_ms",
        )?;
        if dt_ms <= 0.0 {
            return Err(err(
                file,
                line_of("dt_ms"),
                "dt_ms",
                format!("must be > 0 ms, got {dt_ms}"),
            ));
        }
        let duration_ms = finite(
            &|| "duration_ms".into(),
            self.duration_ms.unwrap_or(DEFAULT_DURATION_MS),
            "duration_ms",
        )?;
        if duration_ms < 0.0 {
            return Err(err(
                file,
                line_of("duration_ms"),
                "duration_ms",
                format!("must be >= 0 ms, got {duration_ms}"),
            ));
        }
        let integrator = match &self.integrator {
            None => Integrator::Euler,
            Some(s) => s
                .parse()
                .map_err(|e: crate::sim::integrator::UnknownIntegrator| {
                    err(file, line_of("integrator"), "integrator", e.to_string())
                })?,
        };
        // Looked up once, not per event (a 200k-event protocol).
        let names: std::collections::HashSet<&str> = (model.desc.parameters.iter())
            .map(|p| p.name.as_str())
            .chain(model.vars.iter().map(|v| v.name.as_str()))
            .collect();
        for (k, ev) in self.events.iter().enumerate() {
            finite(&|| format!("events[{k}].t_ms"), ev.t_ms, "t_ms")?;
            if ev.t_ms < 0.0 {
                return Err(err(
                    file,
                    line_of("t_ms"),
                    &format!("events[{k}].t_ms"),
                    "must be >= 0 ms".into(),
                ));
            }
            for (name, &v) in ev.set.iter().chain(&ev.add) {
                let field = || format!("events[{k}].{name}");
                if !names.contains(name) {
                    return Err(unknown_name(
                        file,
                        line_of(name),
                        &field(),
                        name,
                        &model,
                        true,
                    ));
                }
                finite(&field, v, name)?;
            }
        }
        for (k, ev) in self.events.iter().enumerate() {
            check_event_changes(file, source, k, ev, &model)?;
        }
        check_stimuli(file, source, "stimuli", &self.stimuli, &model)?;
        let seed = self.seed.unwrap_or(DEFAULT_SEED);
        let pause_at_end = self
            .pause_at_end
            .unwrap_or_else(|| default_pause_at_end(&self.events, &self.stimuli));
        // The protocol stays in the preset until it is moved (or copied) in.
        Ok(RunSpec {
            parameters,
            initial,
            dt_ms,
            duration_ms,
            integrator,
            seed,
            pause_at_end,
            events: Default::default(),
            stimuli: Vec::new(),
            notes: None,
            model,
        })
    }

    /// Checks names and values against the model (built-in unless `model` is
    /// given) and turns the preset into the run it describes. `source` is the
    /// file's text, for line numbers in errors.
    pub fn resolve(
        &self,
        file: &str,
        source: &str,
        model: Option<Arc<CompiledModel>>,
    ) -> Result<RunSpec, PresetError> {
        let mut run = self.check(file, source, model)?;
        run.events = Arc::new(self.events.clone());
        run.stimuli = self.stimuli.clone();
        run.notes = self.notes.clone();
        Ok(run)
    }

    /// As [`Preset::resolve`], moving the events and stimuli into the run instead
    /// of copying them (a 200k-event protocol is held once).
    pub fn into_run(
        self,
        file: &str,
        source: &str,
        model: Option<Arc<CompiledModel>>,
    ) -> Result<RunSpec, PresetError> {
        let mut run = self.check(file, source, model)?;
        run.events = Arc::new(self.events);
        run.stimuli = self.stimuli;
        run.notes = self.notes;
        Ok(run)
    }
}

/// Checks an event's integrator switch and stimulus replacement, if any.
fn check_event_changes(
    file: &str,
    source: &str,
    k: usize,
    ev: &Event,
    model: &CompiledModel,
) -> Result<(), PresetError> {
    if let Some(name) = &ev.integrator {
        name.parse::<Integrator>()
            .map_err(|e: crate::sim::integrator::UnknownIntegrator| {
                err(
                    file,
                    find_line(source, "integrator"),
                    &format!("events[{k}].integrator"),
                    e.to_string(),
                )
            })?;
    }
    if let Some(stimuli) = &ev.stimuli {
        check_stimuli(
            file,
            source,
            &format!("events[{k}].stimuli"),
            stimuli,
            model,
        )?;
    }
    Ok(())
}

/// Checks stimulus targets and waveform numbers; `field` names the list in errors.
fn check_stimuli(
    file: &str,
    source: &str,
    field: &str,
    stimuli: &[Stimulus],
    model: &CompiledModel,
) -> Result<(), PresetError> {
    for (k, s) in stimuli.iter().enumerate() {
        if model.param_index(&s.target).is_none() {
            return Err(unknown_name(
                file,
                find_line(source, &s.target),
                &format!("{field}[{k}].target"),
                &s.target,
                model,
                false,
            ));
        }
        s.validate().map_err(|m| {
            err(
                file,
                find_line(source, "waveform"),
                &format!("{field}[{k}].waveform"),
                m,
            )
        })?;
    }
    Ok(())
}

/// The parameters whose `values` (model order) differ from the model's defaults, by
/// name: what a saved preset lists.
pub fn changed_parameters(model: &CompiledModel, values: &[f64]) -> BTreeMap<String, f64> {
    model
        .desc
        .parameters
        .iter()
        .zip(values)
        .filter(|(p, v)| p.default.to_bits() != v.to_bits())
        .map(|(p, v)| (p.name.clone(), *v))
        .collect()
}

impl RunSpec {
    /// The preset that reproduces this run description as it is now (its values,
    /// not the file it was read from): every parameter that differs from the
    /// model's default, the initial values, dt, duration, integrator, seed, events,
    /// stimuli, notes, and `pause_at_end` where it differs from the default rule.
    pub fn to_preset(&self) -> Preset {
        Preset {
            events: Vec::clone(&self.events),
            ..self.preset_head()
        }
    }

    /// [`RunSpec::to_preset`] as RON text, without copying the events.
    pub fn to_preset_ron(&self) -> String {
        self.preset_head().ron_with_events(&self.events)
    }

    /// The sidecar's preset: as [`RunSpec::to_preset_ron`] with every parameter
    /// listed, also those at their default.
    pub fn to_full_preset_ron(&self) -> String {
        let m = &self.model;
        let head = Preset {
            parameters: (m.desc.parameters.iter())
                .map(|p| p.name.clone())
                .zip(self.parameters.iter().copied())
                .collect(),
            ..self.preset_head()
        };
        head.ron_with_events(&self.events)
    }

    /// Everything of [`RunSpec::to_preset`] but the events (`pause_at_end` still
    /// follows the rule for this run's events).
    fn preset_head(&self) -> Preset {
        let m = &self.model;
        let pause_at_end = (default_pause_at_end(&self.events, &self.stimuli) != self.pause_at_end)
            .then_some(self.pause_at_end);
        Preset {
            model: m.id().to_owned(),
            parameters: changed_parameters(m, &self.parameters),
            initial: m
                .vars
                .iter()
                .zip(&self.initial)
                .filter_map(|(var, v)| Some((var.name.clone(), (*v)?)))
                .collect(),
            dt_ms: Some(self.dt_ms),
            duration_ms: Some(self.duration_ms),
            integrator: Some(self.integrator.name().to_owned()),
            seed: Some(self.seed),
            events: Vec::new(),
            stimuli: self.stimuli.clone(),
            notes: self.notes.clone(),
            pause_at_end,
        }
    }

    /// Checks this run as the CLI would check it saved as a preset (names, finite
    /// values, waveforms): what the GUI does before handing its settings to a job.
    pub fn resolve(&self) -> Result<RunSpec, PresetError> {
        self.to_preset()
            .into_run("(current settings)", "", Some(Arc::clone(&self.model)))
    }
}

/// Reads and parses a preset file, keeping its text (for line numbers in errors
/// and the notes in its header comment).
pub fn read_preset(path: &Path) -> Result<(Preset, String), PresetError> {
    let file = path.display().to_string();
    let bytes = super::read::read_limited(path, MAX_PRESET_BYTES)
        .map_err(|e| err(&file, None, "", format!("cannot read: {e}")))?;
    let text =
        String::from_utf8(bytes).map_err(|e| not_utf8(&file, e.as_bytes(), &e.utf8_error()))?;
    let preset = Preset::parse_text(&file, &text)?;
    Ok((preset, text))
}

/// The error for bytes that are not UTF-8, with the line of the first bad byte.
fn not_utf8(file: &str, bytes: &[u8], e: &std::str::Utf8Error) -> PresetError {
    let valid = e.valid_up_to();
    let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
    err(
        file,
        Some(line),
        "",
        format!("not UTF-8 text (invalid byte at offset {valid})"),
    )
}

/// Reads, parses and resolves a preset file in one go.
pub fn load_resolved(
    path: &Path,
    model: Option<Arc<CompiledModel>>,
) -> Result<RunSpec, PresetError> {
    let (preset, text) = read_preset(path)?;
    preset.into_run(&path.display().to_string(), &text, model)
}

/// Parses RON text into `T` with the presets' options (implicit `Some`, bounded
/// nesting); an error names the file, the line and the field path
/// (`events[3].set.I_app`). Lessons use the same loader.
pub fn parse_ron<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, PresetError> {
    ron_options().from_str::<T>(text).map_err(|e| {
        let (line, col) = (e.position.line, e.position.col);
        let path = match e.code {
            ron::Error::MissingStructField { .. } => {
                super::ron_path::struct_path_at(text, line, col)
            }
            _ => super::ron_path::path_at(text, line, col),
        };
        let named = field_of_ron_error(&e.code);
        let field = match (path.is_empty(), named.is_empty()) {
            (_, true) => path,
            (true, false) => named,
            (false, false) if path.ends_with(&named) => path,
            (false, false) => format!("{path}.{named}"),
        };
        err(file, Some(e.position.line), &field, e.code.to_string())
    })
}

/// The preset with its `events` list read by the fast path (`io::event_list`) and
/// the rest by `ron`; `None` if either gives up.
fn parse_with_fast_events(text: &str) -> Option<Preset> {
    let (range, events) = super::event_list::split_events(text)?;
    let mut rest = String::with_capacity(text.len() - range.len() + 2);
    rest.push_str(&text[..range.start]);
    rest.push_str("[]");
    rest.push_str(&text[range.end..]);
    let mut preset: Preset = ron_options().from_str(&rest).ok()?;
    preset.events = events;
    Some(preset)
}

/// `dt_ms: 0.1` rather than `dt_ms: Some(0.1)`: optional fields read as plain values.
fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .with_recursion_limit(MAX_RON_NESTING)
}

pub(crate) fn err(file: &str, line: Option<usize>, field: &str, message: String) -> PresetError {
    PresetError {
        file: file.to_owned(),
        line,
        field: field.to_owned(),
        message,
    }
}

fn unknown_name(
    file: &str,
    line: Option<usize>,
    field: &str,
    name: &str,
    model: &CompiledModel,
    vars_too: bool,
) -> PresetError {
    let mut known: Vec<&str> = model
        .desc
        .parameters
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    if vars_too {
        known.extend(model.vars.iter().map(|v| v.name.as_str()));
    }
    let what = if vars_too {
        "parameter or variable"
    } else {
        "parameter"
    };
    err(
        file,
        line,
        field,
        format!(
            "`{name}` is not a {what} of {} (known: {})",
            model.id(),
            known.join(", ")
        ),
    )
}

/// The 1-based line of the first occurrence of `key` as a quoted string or as a
/// field name (`key:` not preceded by part of a longer name).
fn find_line(source: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    let is_field = |code: &str| {
        code.match_indices(key).any(|(i, _)| {
            let before_ok = code[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let after = code[i + key.len()..].trim_start();
            before_ok && after.starts_with(':')
        })
    };
    source
        .lines()
        .position(|l| {
            let code = l.split("//").next().unwrap_or("");
            code.contains(&quoted) || is_field(code)
        })
        .map(|i| i + 1)
}

fn field_of_ron_error(code: &ron::Error) -> String {
    match code {
        ron::Error::NoSuchStructField { found, .. } => found.clone(),
        ron::Error::MissingStructField { field, .. } => (*field).to_owned(),
        ron::Error::DuplicateStructField { field, .. } => (*field).to_owned(),
        _ => String::new(),
    }
}
