//! The roles a model's names play for analyses: which variable is the membrane
//! potential and which parameter is the injected drive. CompNeuroPy's models all
//! name them `v` and `I_app`; this is the one place that knows it.

use super::CompiledModel;

/// Name of the membrane potential in every CompNeuroPy model.
pub const MEMBRANE_VAR: &str = "v";
/// Name of the injected current (the drive) in every CompNeuroPy model.
pub const DRIVE_PARAM: &str = "I_app";

impl CompiledModel {
    /// Index of the membrane potential variable, if the model has one.
    pub fn membrane_var(&self) -> Option<usize> {
        self.var_index(MEMBRANE_VAR)
    }

    /// Index of the drive parameter (injected current), if the model has one.
    pub fn drive_param(&self) -> Option<usize> {
        self.param_index(DRIVE_PARAM)
    }

    /// Whether the spike resets the membrane potential (Izhikevich-type models):
    /// the reset runs in the step that crosses the threshold, so a trace never
    /// holds such a model's AP peak or falling phase.
    pub fn spike_resets_membrane(&self) -> bool {
        self.has_spike() && self.desc.reset.iter().any(|r| r.var == MEMBRANE_VAR)
    }
}
