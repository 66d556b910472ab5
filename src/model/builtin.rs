//! The 26 built-in CompNeuroPy models, embedded in the binary.

use std::sync::{Arc, OnceLock};

use super::{CompiledModel, ModelError, load_model};

macro_rules! models {
    ($($id:literal),* $(,)?) => {
        /// (id, file text) of every built-in model, in library order.
        pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
            $(($id, include_str!(concat!("../../assets/models/", $id, ".neuron")))),*
        ];
    };
}

models!(
    "IntegratorNeuron",
    "IntegratorNeuronSimple",
    "PoissonNeuron",
    "PoissonNeuronUpDown",
    "PoissonNeuronSin",
    "HHneuronBischop",
    "HHneuronBischopSyn",
    "HHneuronCorbit",
    "HHneuronCorbitSyn",
    "HHneuronCorbitVoltageClamp",
    "Izhikevich2003FixedNoisyAmpa",
    "Izhikevich2003NoisyAmpa",
    "Izhikevich2003NoisyAmpaNonlin",
    "Izhikevich2003NoisyAmpaOscillating",
    "Izhikevich2003NoisyBase",
    "Izhikevich2003NoisyBaseNonlin",
    "Izhikevich2007",
    "Izhikevich2007RecCur",
    "Izhikevich2007VoltageClamp",
    "Izhikevich2007Syn",
    "Izhikevich2007NoisyAmpa",
    "Izhikevich2007NoisyBase",
    "Izhikevich2007FsiNoisyAmpa",
    "Izhikevich2007CorbitFsiNoisyAmpa",
    "Izhikevich2007CorbitFsiNoisyBase",
    "Izhikevich2007NoisyAmpaOscillating",
);

fn compiled() -> &'static Vec<Result<Arc<CompiledModel>, ModelError>> {
    static CACHE: OnceLock<Vec<Result<Arc<CompiledModel>, ModelError>>> = OnceLock::new();
    CACHE.get_or_init(|| {
        BUILTIN_SOURCES
            .iter()
            .map(|(id, src)| load_model(&format!("assets/models/{id}.neuron"), src))
            .collect()
    })
}

/// Ids of all built-in models.
pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    BUILTIN_SOURCES.iter().map(|(id, _)| *id)
}

/// A built-in model by id (compiled once, then shared).
pub fn builtin(id: &str) -> Option<Result<Arc<CompiledModel>, ModelError>> {
    let i = BUILTIN_SOURCES.iter().position(|(m, _)| *m == id)?;
    Some(compiled()[i].clone())
}

/// Every built-in model, compiled.
pub fn all_builtins() -> Result<Vec<Arc<CompiledModel>>, ModelError> {
    compiled().iter().cloned().collect()
}
