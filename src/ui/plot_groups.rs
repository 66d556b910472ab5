//! Which recorded channel goes in which plot. Each variable starts in the plot of
//! its group, which the model file declares or the model loader infers
//! (`model::roles`): the membrane potential; gates and recovery variables;
//! currents; conductances; the stimulus. Concentrations and intermediate quantities
//! (rates, time constants, steady states) start hidden but can be chosen.

use crate::model::CompiledModel;
use crate::model::roles::PlotGroup;

/// The plots, top to bottom.
pub const PLOTS: [&str; 5] = [
    "Membrane potential",
    "Gates / recovery",
    "Currents",
    "Conductances",
    "Stimulus",
];
/// Short names of the plots after the membrane's, for a y axis with several lines.
const SHORT_NAMES: [&str; 4] = ["gates", "currents", "conductances", "stimulus"];
pub const MEMBRANE: usize = 0;
pub const GATES: usize = 1;
pub const CURRENTS: usize = 2;
pub const CONDUCTANCES: usize = 3;
pub const STIMULUS: usize = 4;

/// Per channel: the plot it is drawn in, or `None` when hidden.
pub type Assignment = Vec<Option<usize>>;

/// The short name of `plot` for its y axis: the model's membrane variable (e.g. `v`)
/// for the membrane plot, else the group's name.
pub fn short_name(model: &CompiledModel, plot: usize) -> &str {
    match plot.checked_sub(1) {
        None => model.membrane().map_or("membrane", |(name, _)| name),
        Some(k) => SHORT_NAMES.get(k).copied().unwrap_or(""),
    }
}

/// Default plots for the model's variables, plus the input channel if `has_input`.
pub fn default_assignment(model: &CompiledModel, has_input: bool) -> Assignment {
    let mut out: Assignment = (0..model.vars.len())
        .map(|i| plot_of(model.plot_group(i)))
        .collect();
    if has_input {
        out.push(Some(STIMULUS));
    }
    if out.iter().all(Option::is_none)
        && let Some(first) = out.first_mut()
    {
        // Models without a recognisable variable still show something.
        *first = Some(GATES);
    }
    out
}

/// The plot a group starts in (`None`: hidden).
fn plot_of(group: PlotGroup) -> Option<usize> {
    match group {
        PlotGroup::Membrane => Some(MEMBRANE),
        PlotGroup::Gate => Some(GATES),
        PlotGroup::Current => Some(CURRENTS),
        PlotGroup::Conductance => Some(CONDUCTANCES),
        PlotGroup::Concentration | PlotGroup::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin;
    use crate::model::roles::MEMBRANE_VAR;

    fn shown(id: &str, plot: usize) -> Vec<String> {
        let Some(Ok(m)) = builtin(id) else {
            panic!("{id}")
        };
        let a = default_assignment(&m, false);
        m.vars
            .iter()
            .zip(&a)
            .filter(|(_, p)| **p == Some(plot))
            .map(|(v, _)| v.name.clone())
            .collect()
    }

    #[test]
    fn family_defaults() {
        // CompNeuroPy's membrane potential, inferred.
        assert_eq!(shown("Izhikevich2007", MEMBRANE), [MEMBRANE_VAR]);
        assert_eq!(shown("Izhikevich2007", GATES), ["u"]);
        assert_eq!(shown("Izhikevich2007", CURRENTS), ["I_v"]);
        let currents = shown("HHneuronCorbit", CURRENTS);
        for c in ["I_Na", "I_Kv3", "I_Kv1", "I_L"] {
            assert!(currents.iter().any(|n| n == c), "{c} in {currents:?}");
        }
        assert!(shown("HHneuronCorbitSyn", CONDUCTANCES).contains(&"g_ampa".to_owned()));
    }
}
