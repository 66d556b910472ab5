//! The CompNeuroPy constructor snippet of a parameter set: Python that runs as
//! pasted. It passes only the arguments the CompNeuroPy 1.0.4 class accepts (the
//! others, and every initial value the class cannot take, become population
//! assignments), gives the initial state (`init=` where the class takes it), and
//! states and sets the dt the values were tuned at. A model that is not a
//! CompNeuroPy class gets the ANNarchy `Neuron(...)` export instead.

use std::fmt::Write as _;
use std::sync::Arc;

use super::annarchy::{neuron_definition, py_float};
use crate::model::roles::DRIVE_PARAM;
use crate::model::{CompiledModel, VarKind};
use crate::sim::run::RunSpec;

/// `__init__` arguments of the CompNeuroPy 1.0.4 neuron classes, as printed in the
/// seed reference (`tests/interop.rs` checks this table against it). The HH
/// classes take none. Every Izhikevich class takes the drive as CompNeuroPy names
/// it ([`DRIVE_PARAM`]).
pub const COMPNEUROPY_SIGNATURES: &[(&str, &[&str])] = &[
    ("IntegratorNeuron", &["tau", "threshold"]),
    ("IntegratorNeuronSimple", &["tau"]),
    ("PoissonNeuron", &["rates"]),
    ("PoissonNeuronUpDown", &["rates", "tau_up", "tau_down"]),
    (
        "PoissonNeuronSin",
        &["amplitude", "base", "frequency", "phase"],
    ),
    (
        "Izhikevich2003FixedNoisyAmpa",
        &[
            "a",
            "b",
            "c",
            "d",
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            DRIVE_PARAM,
            "increase_noise",
            "rates_noise",
        ],
    ),
    (
        "Izhikevich2003NoisyAmpa",
        &[
            "a",
            "b",
            "c",
            "d",
            "n2",
            "n1",
            "n0",
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            DRIVE_PARAM,
            "increase_noise",
            "rates_noise",
        ],
    ),
    (
        "Izhikevich2003NoisyAmpaNonlin",
        &[
            "a",
            "b",
            "c",
            "d",
            "n2",
            "n1",
            "n0",
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            DRIVE_PARAM,
            "increase_noise",
            "rates_noise",
            "nonlin",
        ],
    ),
    (
        "Izhikevich2003NoisyAmpaOscillating",
        &[
            "a",
            "b",
            "c",
            "d",
            "n2",
            "n1",
            "n0",
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            DRIVE_PARAM,
            "increase_noise",
            "rates_noise",
            "freq",
            "amp",
        ],
    ),
    (
        "Izhikevich2003NoisyBase",
        &[
            "a",
            "b",
            "c",
            "d",
            "n2",
            "n1",
            "n0",
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            DRIVE_PARAM,
            "base_mean",
            "base_noise",
            "rate_base_noise",
        ],
    ),
    (
        "Izhikevich2003NoisyBaseNonlin",
        &[
            "a",
            "b",
            "c",
            "d",
            "n2",
            "n1",
            "n0",
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            DRIVE_PARAM,
            "base_mean",
            "base_noise",
            "rate_base_noise",
            "nonlin",
        ],
    ),
    ("HHneuronBischop", &[]),
    ("HHneuronBischopSyn", &[]),
    ("HHneuronCorbit", &[]),
    ("HHneuronCorbitSyn", &[]),
    ("HHneuronCorbitVoltageClamp", &[]),
    (
        "Izhikevich2007",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007RecCur",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007VoltageClamp",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007Syn",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007NoisyAmpa",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            "increase_noise",
            "rates_noise",
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007NoisyBase",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            "base_mean",
            "base_noise",
            "rate_base_noise",
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007FsiNoisyAmpa",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "v_b",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            "increase_noise",
            "rates_noise",
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007CorbitFsiNoisyAmpa",
        &[
            "C",
            "k",
            "b_n",
            "a_s",
            "a_n",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            "nonlin",
            DRIVE_PARAM,
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            "increase_noise",
            "rates_noise",
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007CorbitFsiNoisyBase",
        &[
            "C",
            "k",
            "b_n",
            "a_s",
            "a_n",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            "nonlin",
            DRIVE_PARAM,
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            "base_mean",
            "base_noise",
            "rate_base_noise",
            "params_for_pop",
            "init",
        ],
    ),
    (
        "Izhikevich2007NoisyAmpaOscillating",
        &[
            "C",
            "k",
            "v_r",
            "v_t",
            "a",
            "b",
            "c",
            "d",
            "v_peak",
            DRIVE_PARAM,
            "tau_ampa",
            "tau_gaba",
            "E_ampa",
            "E_gaba",
            "increase_noise",
            "rates_noise",
            "freq",
            "amp",
            "params_for_pop",
            "init",
        ],
    ),
];

/// The constructor arguments of CompNeuroPy class `id`, if it is one.
pub fn compneuropy_signature(id: &str) -> Option<&'static [&'static str]> {
    COMPNEUROPY_SIGNATURES
        .iter()
        .find(|(class, _)| *class == id)
        .map(|(_, args)| *args)
}

/// The state a run of `model` with `parameters` starts from (its `init=` values,
/// evaluated with these parameters).
pub fn default_initial(model: &CompiledModel, parameters: &[f64], dt_ms: f64) -> Vec<f64> {
    let run = RunSpec {
        parameters: parameters.to_vec(),
        dt_ms,
        ..RunSpec::defaults(Arc::new(model.clone()))
    };
    match run.engine(1) {
        Ok(engine) => (0..model.vars.len()).map(|i| engine.var(i, 0)).collect(),
        Err(_) => vec![0.0; model.vars.len()],
    }
}

/// The snippet of `model` with `parameters`, starting from `initial` (every
/// variable, model order), tuned at `dt_ms`.
pub fn compneuropy_snippet(
    model: &CompiledModel,
    parameters: &[f64],
    initial: &[f64],
    dt_ms: f64,
) -> String {
    let id = model.id();
    let Some(accepted) = compneuropy_signature(id) else {
        return neuron_snippet(model, parameters, initial, dt_ms);
    };
    let mut args = String::new();
    let mut assignments = String::new();
    for (p, &v) in model.desc.parameters.iter().zip(parameters) {
        if accepted.contains(&p.name.as_str()) {
            let _ = writeln!(args, "    {}={},", p.name, py_float(v));
        } else {
            let _ = writeln!(
                assignments,
                "pop.{} = {}  # not a constructor argument of {id}",
                p.name,
                py_float(v)
            );
        }
    }
    let takes_init = accepted.contains(&"init");
    let mut init = Vec::new();
    for (var, &v) in model.vars.iter().zip(initial) {
        if takes_init && var.kind == VarKind::State {
            init.push(format!("\"{}\": {}", var.name, py_float(v)));
        } else if v != 0.0 || var.kind == VarKind::State {
            let _ = writeln!(
                assignments,
                "pop.{} = {}  # initial value",
                var.name,
                py_float(v)
            );
        }
    }
    if takes_init {
        let _ = writeln!(args, "    init={{{}}},", init.join(", "));
    }
    let call = if args.is_empty() {
        format!("{id}()")
    } else {
        format!("{id}(\n{args})")
    };
    format!(
        "# {id} with the parameters of neuron-explorer, ready to paste into a CompNeuroPy/ANNarchy 5 script.\n\
         # Tuned at dt = {dt} ms: the values hold only at that dt (ANNarchy's default is 1 ms).\n\
         import ANNarchy as ann\n\
         from CompNeuroPy.neuron_models import {id}\n\n\
         neuron = {call}\n\
         net = ann.Network(dt={dt})  # the dt these values were tuned at\n\
         pop = net.create(geometry=1, neuron=neuron, name=\"{id}\")\n{assignments}",
        dt = py_float(dt_ms),
    )
}

/// The fallback for models that are not CompNeuroPy classes: the ANNarchy
/// `Neuron(...)` export, with the parameters and initial state built in.
fn neuron_snippet(
    model: &CompiledModel,
    parameters: &[f64],
    initial: &[f64],
    dt_ms: f64,
) -> String {
    let stem = super::annarchy::module_stem(model);
    let mut assignments = String::new();
    for (var, &v) in model.vars.iter().zip(initial) {
        if var.kind == VarKind::Assigned && v != 0.0 {
            let _ = writeln!(
                assignments,
                "pop.{} = {}  # initial value",
                var.name,
                py_float(v)
            );
        }
    }
    format!(
        "# {id} is not a CompNeuroPy class: its ANNarchy 5 definition, with the parameters of neuron-explorer.\n\
         # Tuned at dt = {dt} ms: the values hold only at that dt (ANNarchy's default is 1 ms).\n\
         import ANNarchy as ann\n\n\
         neuron = {def}\n\
         net = ann.Network(dt={dt})  # the dt these values were tuned at\n\
         pop = net.create(geometry=1, neuron=neuron, name=\"{stem}\")\n{assignments}",
        id = model.id(),
        dt = py_float(dt_ms),
        def = neuron_definition(model, parameters, initial),
    )
}
