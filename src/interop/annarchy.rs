//! Export to ANNarchy 5: any model (built-in, imported or a user's file) as a
//! `Neuron(...)` definition, and a script that runs one neuron exactly as a preset
//! runs here and writes the trace in this project's CSV format.
//!
//! How the script reproduces the explorer (annarchy-semantics.md):
//! * `Network(dt=…, seed=…)`: ANNarchy's explicit Euler with the preset's dt; one
//!   population of one neuron draws from `mt19937(seed)` like our lane 0 (§8).
//! * every parameter and every variable (assigned ones too) is set after
//!   `compile()`, to the values our engine holds at t = 0 (§10);
//! * the run is `ceil(duration / dt)` calls of `net.step()` (§1); before step k the
//!   preset's events of step `round(t_ms / dt)` act on the state (§2: Python-side
//!   changes act before the next update), and every stimulated parameter takes
//!   the value it has in our step k, read from `<id>_stimuli.csv` (waveforms and
//!   OU noise are computed here once, so both sides see the same numbers);
//! * variables are read after each step (after update and reset, §6; no
//!   monitor, whose `g_<target>` columns would lag a step); spikes come from a
//!   spike monitor, in steps.
//!
//! ANNarchy's C++ is sympy-rearranged and built with FMA (§11), so values agree to
//! round-off, not bit for bit.

use std::fmt::Write as _;

use crate::io::csv::fmt_num;
use crate::model::{CompiledModel, VarKind};
use crate::sim::EngineError;
use crate::sim::run::RunSpec;
use crate::sim::session::{Session, steps_for};

/// The files of an export: (file name, contents).
#[derive(Clone, Debug)]
pub struct AnnarchyExport {
    pub files: Vec<(String, String)>,
    /// The script to run (one of `files`).
    pub script: String,
}

/// A Python identifier derived from the model id (module and file names).
pub fn module_stem(model: &CompiledModel) -> String {
    super::pysource::sanitize_id(model.id())
}

/// A Python string literal holding `text` (triple-quoted, escaped).
pub fn py_string(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    format!("\"\"\"{escaped}\"\"\"")
}

/// `repr`-style float for Python source (always parses back to the same f64).
pub fn py_float(v: f64) -> String {
    if v.is_nan() {
        "float('nan')".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "float('inf')".into()
        } else {
            "float('-inf')".into()
        }
    } else {
        format!("{v:?}")
    }
}

/// The model's `ann.Neuron(...)` expression with the given parameter values and
/// initial state (`: init=` on every line whose variable starts off zero).
pub fn neuron_definition(model: &CompiledModel, parameters: &[f64], initial: &[f64]) -> String {
    let d = &model.desc;
    let mut params = String::from("\n");
    for (p, v) in d.parameters.iter().zip(parameters) {
        let flag = if p.population { " : population" } else { "" };
        let unit = if p.unit.is_empty() {
            String::new()
        } else {
            format!(" # {}", p.unit)
        };
        let _ = writeln!(params, "        {} = {}{flag}{unit}", p.name, py_float(*v));
    }
    params.push_str("    ");
    let mut eqs = String::from("\n");
    for e in &d.equations {
        let init = model
            .var_index(&e.var)
            .and_then(|i| initial.get(i))
            .copied()
            .unwrap_or(0.0);
        // An inline `if c: a else: b` keeps its colons to itself; the script sets
        // every initial value anyway.
        let has_if = e.text.contains(" else");
        let flag = if init != 0.0 && !has_if {
            format!(" : init={}", py_float(init))
        } else {
            String::new()
        };
        let _ = writeln!(eqs, "        {}{flag}", e.text);
    }
    eqs.push_str("    ");
    let mut out = String::from("ann.Neuron(\n");
    let _ = writeln!(out, "    parameters={},", py_string(&params));
    let _ = writeln!(out, "    equations={},", py_string(&eqs));
    if let Some((_, text, _)) = &d.spike {
        let _ = writeln!(out, "    spike={},", py_string(text));
    }
    if !d.reset.is_empty() {
        let lines: Vec<String> = d
            .reset
            .iter()
            .map(|r| format!("        {}\n", r.text))
            .collect();
        let _ = writeln!(
            out,
            "    reset={},",
            py_string(&format!("\n{}    ", lines.concat()))
        );
    }
    if !d.functions.is_empty() {
        let lines: Vec<String> = d
            .functions
            .iter()
            .map(|f| format!("        {}\n", f.text))
            .collect();
        let _ = writeln!(
            out,
            "    functions={},",
            py_string(&format!("\n{}    ", lines.concat()))
        );
    }
    let _ = writeln!(out, "    name={},", py_string(&d.name));
    let _ = writeln!(out, "    description={},", py_string(&d.description));
    out.push(')');
    out
}

/// The initial state a run of `preset` starts from (every variable).
pub fn initial_state(preset: &RunSpec) -> Result<Vec<f64>, EngineError> {
    let session = Session::new(preset, 1)?;
    Ok((0..preset.model.vars.len())
        .map(|i| session.engine.var(i, 0))
        .collect())
}

/// Per step, the value of every stimulated parameter during that step, exactly
/// as our session applies it (events included).
fn stimulus_table(preset: &RunSpec, names: &[String]) -> Result<String, EngineError> {
    let mut session = Session::new(preset, 1)?;
    let m = preset.model.clone();
    let index: Vec<usize> = names.iter().filter_map(|n| m.param_index(n)).collect();
    let mut out = format!("step,{}\n", names.join(","));
    for k in 0..steps_for(preset.duration_ms, preset.dt_ms) {
        session.step();
        let _ = write!(out, "{k}");
        for &i in &index {
            out.push(',');
            fmt_num(session.engine.param(i, 0), &mut out);
        }
        out.push('\n');
    }
    Ok(out)
}

/// Builds the neuron module, the CompNeuroPy snippet, the script and (with
/// stimuli) the stimulus table.
/// `label` names where the preset came from (a file name) in the headers.
pub fn export_annarchy(preset: &RunSpec, label: &str) -> Result<AnnarchyExport, EngineError> {
    let m = &preset.model;
    let stem = module_stem(m);
    let initial = initial_state(preset)?;
    let version = env!("CARGO_PKG_VERSION");
    let neuron_file = format!("{stem}_neuron.py");
    let neuron_py = format!(
        "\"\"\"{id} as an ANNarchy 5 neuron, exported by neuron-explorer {version} from {label}.\n\n\
         Parameter values and `init=` values are those of the preset. Use:\n\
         `from {stem}_neuron import neuron`, then `net.create(geometry=..., neuron=neuron)`.\n\"\"\"\n\
         import ANNarchy as ann\n\n\
         neuron = {def}\n",
        id = m.id(),
        def = neuron_definition(m, &preset.parameters, &initial),
    );
    let mut stimulated: Vec<String> = Vec::new();
    for s in &preset.stimuli {
        if m.param_index(&s.target).is_some() && !stimulated.contains(&s.target) {
            stimulated.push(s.target.clone());
        }
    }
    let mut files = vec![(neuron_file, neuron_py)];
    let stimuli_file = format!("{stem}_stimuli.csv");
    if !stimulated.is_empty() {
        files.push((stimuli_file.clone(), stimulus_table(preset, &stimulated)?));
    }
    let snippet =
        super::snippet::compneuropy_snippet(m, &preset.parameters, &initial, preset.dt_ms);
    files.push((format!("{stem}_snippet.py"), snippet));
    let script_name = format!("run_{stem}_annarchy.py");
    let script = script_text(preset, label, &stem, &initial, &stimulated, &stimuli_file);
    files.push((script_name.clone(), script));
    Ok(AnnarchyExport {
        files,
        script: script_name,
    })
}

fn py_dict(pairs: impl Iterator<Item = (String, f64)>) -> String {
    let items: Vec<String> = pairs
        .map(|(k, v)| format!("    {k:?}: {},\n", py_float(v)))
        .collect();
    format!("{{\n{}}}", items.concat())
}

fn script_text(
    preset: &RunSpec,
    label: &str,
    stem: &str,
    initial: &[f64],
    stimulated: &[String],
    stimuli_file: &str,
) -> String {
    let m = &preset.model;
    let d = &m.desc;
    let parameters = py_dict(
        d.parameters
            .iter()
            .map(|p| p.name.clone())
            .zip(preset.parameters.iter().copied()),
    );
    let initial = py_dict(
        m.vars
            .iter()
            .map(|v| v.name.clone())
            .zip(initial.iter().copied()),
    );
    let variables: Vec<String> = m.vars.iter().map(|v| format!("{:?}", v.name)).collect();
    let mut events = String::from("[\n");
    for ev in preset.events.iter() {
        let step = (ev.t_ms / preset.dt_ms).round() as u64;
        for (name, v) in &ev.set {
            let _ = writeln!(events, "    ({step}, \"set\", {name:?}, {}),", py_float(*v));
        }
        for (name, v) in &ev.add {
            let _ = writeln!(events, "    ({step}, \"add\", {name:?}, {}),", py_float(*v));
        }
    }
    events.push(']');
    let stimulated: Vec<String> = stimulated.iter().map(|s| format!("{s:?}")).collect();
    let state_vars = m.vars.iter().filter(|v| v.kind == VarKind::State).count();
    SCRIPT_TEMPLATE
        .replace("{ID}", m.id())
        .replace("{LABEL}", label)
        .replace("{VERSION}", env!("CARGO_PKG_VERSION"))
        .replace("{STEM}", stem)
        .replace("{DT}", &py_float(preset.dt_ms))
        .replace("{SEED}", &preset.seed.to_string())
        .replace("{DURATION}", &py_float(preset.duration_ms))
        .replace(
            "{N_STEPS}",
            &steps_for(preset.duration_ms, preset.dt_ms).to_string(),
        )
        .replace("{INTEGRATOR_NOTE}", &integrator_note(preset))
        .replace("{VARIABLES}", &format!("[{}]", variables.join(", ")))
        .replace("{N_STATE}", &state_vars.to_string())
        .replace("{PARAMETERS}", &parameters)
        .replace("{INITIAL}", &initial)
        .replace("{EVENTS}", &events)
        .replace("{STIMULATED}", &format!("[{}]", stimulated.join(", ")))
        .replace("{STIMULI_FILE}", stimuli_file)
        .replace("{SPIKING}", if m.has_spike() { "True" } else { "False" })
}

fn integrator_note(preset: &RunSpec) -> String {
    match preset.integrator.name() {
        "euler" => "explicit Euler, ANNarchy's default, as the preset".into(),
        other => format!(
            "NOTE: the preset uses `{other}`; ANNarchy runs its default explicit Euler here, so the traces will differ"
        ),
    }
}

const SCRIPT_TEMPLATE: &str = r####""""Runs {ID} in ANNarchy 5 as neuron-explorer {VERSION} runs {LABEL}.

One neuron with the preset's parameters, initial values, dt, seed, events and
stimuli; every variable is written after every step in neuron-explorer's CSV
format (header t,<variables>,spike; row 0 = the initial state at t = 0; row j =
the state after j steps, t = j*dt; spike = 1 in the row ending the step that
spiked), so `neuron-explorer run` on the same preset gives the same table up to
round-off (ANNarchy's C++ is sympy-rearranged and fused, annarchy-semantics §11).
Integration: {INTEGRATOR_NOTE}.

Usage: python3 run_{STEM}_annarchy.py [OUT.csv]   (default: {STEM}_annarchy.csv here)
"""
import csv
import decimal
import math
import os
import sys

import numpy as np
import ANNarchy as ann

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from {STEM}_neuron import neuron  # noqa: E402

DT_MS = {DT}
SEED = {SEED}
DURATION_MS = {DURATION}
N_STEPS = {N_STEPS}  # ceil(DURATION_MS / DT_MS), as ANNarchy's simulate(DURATION_MS)
VARIABLES = {VARIABLES}  # CSV columns, in neuron-explorer's model order ({N_STATE} with d/dt)
PARAMETERS = {PARAMETERS}
# Every variable at t = 0 (assigned ones too: they are read before they are set).
INITIAL = {INITIAL}
# (step, "set" | "add", name, value), acting before step k = round(t_ms / DT_MS).
EVENTS = {EVENTS}
# Parameters driven by stimuli: their value during each step is in {STIMULI_FILE}.
STIMULATED = {STIMULATED}
SPIKING = {SPIKING}


def fmt(v):
    """A number as neuron-explorer prints it: shortest round-trip digits,
    plain notation for 1e-5 <= |v| < 1e16 (and 0), else d.ddde-N."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    d = decimal.Decimal(repr(v))
    if v == 0 or 1e-5 <= abs(v) < 1e16:
        s = format(d, "f")
        return s.rstrip("0").rstrip(".") if "." in s else s
    sign, digits, exponent = d.as_tuple()
    mantissa = "".join(map(str, digits)).rstrip("0") or "0"
    e = exponent + len(digits) - 1
    body = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return ("-" if sign else "") + body + "e" + str(e)


def time_label(step):
    """step * dt rounded to 1e-9 ms (half away from zero), as neuron-explorer."""
    x = step * DT_MS * 1e9
    return math.copysign(math.floor(abs(x) + 0.5), x) / 1e9


def value(pop, name):
    return float(np.ravel(getattr(pop, name))[0])


def load_stimuli():
    if not STIMULATED:
        return []
    with open(os.path.join(HERE, "{STIMULI_FILE}"), newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [[float(x) for x in row[1:]] for row in rows]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "{STEM}_annarchy.csv")
    net = ann.Network(dt=DT_MS, seed=SEED)
    pop = net.create(geometry=1, neuron=neuron, name="{STEM}")
    spikes = net.monitor(pop, ["spike"]) if SPIKING else None
    net.compile(directory=os.path.join(HERE, "annarchy_{STEM}"), silent=True)
    for name, v in PARAMETERS.items():
        setattr(pop, name, v)
    for name, v in INITIAL.items():
        setattr(pop, name, v)
    base = dict(PARAMETERS)
    events = {}
    for step, kind, name, v in EVENTS:
        events.setdefault(step, []).append((kind, name, v))
    stimuli = load_stimuli()
    rows = [[value(pop, name) for name in VARIABLES]]
    for k in range(N_STEPS):
        for kind, name, v in events.get(k, []):
            if name in base:
                base[name] = v if kind == "set" else base[name] + v
                setattr(pop, name, base[name])
            else:
                setattr(pop, name, v if kind == "set" else value(pop, name) + v)
        for j, name in enumerate(STIMULATED):
            setattr(pop, name, stimuli[k][j])
        net.step()
        rows.append([value(pop, name) for name in VARIABLES])
    spike_steps = set(spikes.get("spike").get(0, [])) if SPIKING else set()
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(["t"] + VARIABLES + ["spike"]) + "\n")
        for j, row in enumerate(rows):
            spiked = j > 0 and (j - 1) in spike_steps
            f.write(",".join([fmt(time_label(j))] + [fmt(x) for x in row] + ["1" if spiked else "0"]) + "\n")
    os.replace(tmp, out)
    print(f"{out}: {len(rows)} rows, {len(spike_steps)} spikes")


if __name__ == "__main__":
    main()
"####;
