//! The roles a model's names play for the analyses and plots: which variable is the
//! membrane potential, which parameter is the injected drive, and which plot group
//! each variable belongs to. A model file declares them in an optional `[roles]`
//! section (docs/model-format.md); what it leaves out is inferred here, from
//! CompNeuroPy's names (`v`, `I_app`) and the variables' names and units. This is the
//! one place that knows those names: everything else asks the compiled model.

use super::compile::{CompiledModel, VarInfo, VarKind};
use super::error::{ModelError, Span};
use super::file::{ModelDesc, is_identifier};

/// Name of the membrane potential in every CompNeuroPy model (inferred when a file
/// declares none).
pub const MEMBRANE_VAR: &str = "v";
/// Name of the injected current (the drive) in every CompNeuroPy model (inferred
/// when a file declares none); also the constructor argument of CompNeuroPy classes.
pub const DRIVE_PARAM: &str = "I_app";

/// The kind of quantity a variable is, which decides the plot it starts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotGroup {
    /// The membrane potential (only the membrane role has it).
    Membrane,
    /// Gating variables and recovery variables (dimensionless or like `u`).
    Gate,
    Current,
    Conductance,
    /// Ion concentrations: would squash the 0..1 gates, so they start hidden.
    Concentration,
    /// Intermediates (rates, time constants, steady states) and anything else:
    /// hidden at first, selectable.
    Other,
}

impl PlotGroup {
    /// The groups a `[roles]` section may assign, by keyword.
    pub const DECLARABLE: [(&'static str, PlotGroup); 5] = [
        ("gate", PlotGroup::Gate),
        ("current", PlotGroup::Current),
        ("conductance", PlotGroup::Conductance),
        ("concentration", PlotGroup::Concentration),
        ("other", PlotGroup::Other),
    ];
}

/// The `[roles]` section as written: names with where they stand, checked against
/// the model's names when it compiles.
#[derive(Clone, Debug, Default)]
pub struct RolesDesc {
    pub membrane: Option<(String, Span)>,
    pub drive: Option<(String, Span)>,
    pub groups: Vec<(String, PlotGroup, Span)>,
}

/// The roles of a compiled model, declared or inferred.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roles {
    /// Index into `vars` of the membrane potential.
    pub membrane: Option<usize>,
    /// Index into `desc.parameters` of the drive (injected input).
    pub drive: Option<usize>,
    /// The plot group of each variable, in `vars` order.
    pub groups: Vec<PlotGroup>,
}

/// Reads one line of `[roles]`: `membrane = V`, `drive = I_ext` or
/// `<group> = a, b, c` with a group keyword of [`PlotGroup::DECLARABLE`].
/// `column` is the 1-based column of `text` in the file.
pub fn roles_line(
    file: &str,
    text: &str,
    line: usize,
    column: usize,
    roles: &mut RolesDesc,
) -> Result<(), ModelError> {
    let err = |col: usize, msg: String| ModelError::new(file, Span { line, column: col }, msg);
    let Some((key, value)) = text.split_once('=') else {
        return Err(err(
            column,
            "expected `key = name` in [roles], e.g. `membrane = V`".into(),
        ));
    };
    // Columns of the names after `=`, for errors that point at the name.
    let value_start = key.chars().count() + 1;
    let mut names = Vec::new();
    let mut offset = value_start;
    for part in value.split(',') {
        let lead = part.chars().count() - part.trim_start().chars().count();
        let name = part.trim();
        let at = Span {
            line,
            column: column + offset + lead,
        };
        if !is_identifier(name) {
            return Err(ModelError::new(
                file,
                at,
                format!("`{name}` is not a name; [roles] lists variable or parameter names"),
            ));
        }
        names.push((name.to_owned(), at));
        offset += part.chars().count() + 1;
    }
    let key = key.trim();
    let single = |names: Vec<(String, Span)>, what: &str| {
        let mut it = names.into_iter();
        match (it.next(), it.next()) {
            (Some(one), None) => Ok(one),
            (_, Some((_, at))) => Err(ModelError::new(
                file,
                at,
                format!("`{key}` takes one {what}"),
            )),
            (None, None) => Err(err(column, format!("`{key}` needs a {what}"))),
        }
    };
    let twice = |old: &Option<(String, Span)>| {
        old.as_ref().map(|(_, at)| {
            err(
                column,
                format!("`{key}` is declared twice (first on line {})", at.line),
            )
        })
    };
    match key {
        "membrane" => {
            if let Some(e) = twice(&roles.membrane) {
                return Err(e);
            }
            roles.membrane = Some(single(names, "variable")?);
        }
        "drive" => {
            if let Some(e) = twice(&roles.drive) {
                return Err(e);
            }
            roles.drive = Some(single(names, "parameter")?);
        }
        other => {
            let Some(&(_, group)) = PlotGroup::DECLARABLE.iter().find(|(k, _)| *k == other) else {
                return Err(err(
                    column,
                    format!(
                        "unknown role `{other}`; expected membrane, drive, gate, current, \
                         conductance, concentration or other"
                    ),
                ));
            };
            roles
                .groups
                .extend(names.into_iter().map(|(n, at)| (n, group, at)));
        }
    }
    Ok(())
}

/// Checks the declared roles against the model's variables and parameters and fills
/// in what the file leaves out.
pub fn resolve(desc: &ModelDesc, vars: &[VarInfo]) -> Result<Roles, ModelError> {
    let declared = &desc.roles;
    let err = |at: Span, msg: String| ModelError::new(&desc.file, at, msg);
    let var_index = |name: &str| vars.iter().position(|v| v.name == name);
    let membrane = match &declared.membrane {
        Some((name, at)) => Some(var_index(name).ok_or_else(|| {
            err(
                *at,
                format!(
                    "membrane `{name}` is not a variable of the model (define it in [equations])"
                ),
            )
        })?),
        None => var_index(MEMBRANE_VAR),
    };
    let param_index = |name: &str| desc.parameters.iter().position(|p| p.name == name);
    let drive = match &declared.drive {
        Some((name, at)) => Some(param_index(name).ok_or_else(|| {
            err(
                *at,
                format!(
                    "drive `{name}` is not a parameter of the model (define it in [parameters])"
                ),
            )
        })?),
        None => param_index(DRIVE_PARAM),
    };
    let mut groups: Vec<Option<PlotGroup>> = vec![None; vars.len()];
    for (name, group, at) in &declared.groups {
        let Some(i) = var_index(name) else {
            return Err(err(*at, format!("`{name}` is not a variable of the model")));
        };
        if Some(i) == membrane {
            return Err(err(
                *at,
                format!("`{name}` is the membrane potential; it has its own plot"),
            ));
        }
        if groups[i].is_some() {
            return Err(err(*at, format!("`{name}` is given a plot group twice")));
        }
        groups[i] = Some(*group);
    }
    let groups = vars
        .iter()
        .zip(groups)
        .enumerate()
        .map(|(i, (v, g))| match g {
            _ if Some(i) == membrane => PlotGroup::Membrane,
            Some(g) => g,
            None => infer_group(&v.name, &v.unit, v.kind),
        })
        .collect();
    Ok(Roles {
        membrane,
        drive,
        groups,
    })
}

/// The group of a variable the file does not place, from its name and unit
/// (CompNeuroPy's conventions: `g_*` conductances, `I*` currents, `*inf*`, `alpha*`,
/// `beta*`, `tau*`, `prev*` intermediates, dimensionless states gates, `u` recovery).
fn infer_group(name: &str, unit: &str, kind: VarKind) -> PlotGroup {
    let intermediate = name.contains("inf")
        || name.starts_with("alpha")
        || name.starts_with("beta")
        || name.starts_with("tau")
        || name.starts_with("prev");
    if name.starts_with("g_") {
        PlotGroup::Conductance
    } else if name.starts_with('I') && !intermediate {
        PlotGroup::Current
    } else if intermediate {
        PlotGroup::Other
    } else if (unit == "1" && (kind == VarKind::State || name.len() <= 5)) || name == "u" {
        PlotGroup::Gate
    } else if unit.ends_with('M') {
        // mM, uM, nM: an ion concentration.
        PlotGroup::Concentration
    } else {
        PlotGroup::Other
    }
}

impl CompiledModel {
    /// Index of the membrane potential variable, if the model has one.
    pub fn membrane_var(&self) -> Option<usize> {
        self.roles.membrane
    }

    /// Index of the drive parameter (injected current), if the model has one.
    pub fn drive_param(&self) -> Option<usize> {
        self.roles.drive
    }

    /// The membrane potential's name and unit, if the model has one.
    pub fn membrane(&self) -> Option<(&str, &str)> {
        let v = self.vars.get(self.roles.membrane?)?;
        Some((&v.name, &v.unit))
    }

    /// The membrane potential's name for labels ("" when the model has none).
    pub fn membrane_name(&self) -> &str {
        self.membrane().map_or("", |(name, _)| name)
    }

    /// The drive parameter's name and unit, if the model has one.
    pub fn drive(&self) -> Option<(&str, &str)> {
        let p = self.desc.parameters.get(self.roles.drive?)?;
        Some((&p.name, &p.unit))
    }

    /// The plot group of variable `var`.
    pub fn plot_group(&self, var: usize) -> PlotGroup {
        self.roles
            .groups
            .get(var)
            .copied()
            .unwrap_or(PlotGroup::Other)
    }

    /// Whether the spike resets the membrane potential (Izhikevich-type models):
    /// the reset runs in the step that crosses the threshold, so a trace never
    /// holds such a model's AP peak or falling phase.
    pub fn spike_resets_membrane(&self) -> bool {
        self.has_spike() && self.desc.reset.iter().any(|r| r.var == MEMBRANE_VAR)
    }
}
