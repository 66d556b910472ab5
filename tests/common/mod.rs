//! Shared helpers of the oracle and statistics tests: locating the ANNarchy
//! reference data and turning its JSON sidecars into presets.
//!
//! The reference data (`../shared/oracle`, see its README.md) is produced by the
//! real ANNarchy 5.0.4.1 + CompNeuroPy 1.0.4. Tests that need it fail loudly when it
//! is missing: a missing oracle must never turn into a silently passing test.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use neuron_explorer::io::preset::Preset;
use neuron_explorer::sim::run::{Event, RunSpec};
use serde_json::Value;

/// `$NEURON_EXPLORER_ORACLE`, or `<crate>/../shared/oracle`. Panics if absent.
pub fn oracle_dir() -> PathBuf {
    let dir = match std::env::var_os("NEURON_EXPLORER_ORACLE") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/oracle"),
    };
    assert!(
        dir.join("traces").is_dir() && dir.join("stochastic").is_dir(),
        "ANNarchy oracle data not found at {} (expected sub-directories traces/ and stochastic/). \
         Point $NEURON_EXPLORER_ORACLE at the oracle directory; these tests refuse to pass without it.",
        dir.display()
    );
    dir
}

/// `<oracle>/<sub>/<name>`, panicking with a clear message if the file is missing.
pub fn oracle_file(sub: &str, name: &str) -> PathBuf {
    let path = oracle_dir().join(sub).join(name);
    assert!(path.is_file(), "oracle file {} is missing", path.display());
    path
}

/// Sorted names of the `*.json` files of `<oracle>/<sub>` starting with `prefix`.
pub fn json_files(sub: &str, prefix: &str) -> Vec<String> {
    let dir = oracle_dir().join(sub);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".json") && n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

/// A number field, panicking with the field's name if it is missing.
pub fn num(v: &Value, key: &str) -> f64 {
    v.get(key)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("oracle JSON: field `{key}` missing or not a number"))
}

/// A `{name: number}` object as a map (missing field = empty map).
pub fn num_map(v: &Value, key: &str) -> BTreeMap<String, f64> {
    match v.get(key) {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, x)| {
                let x = x
                    .as_f64()
                    .unwrap_or_else(|| panic!("oracle JSON: `{key}.{k}` is not a number"));
                (k.clone(), x)
            })
            .collect(),
        Some(other) => panic!("oracle JSON: `{key}` is not an object: {other}"),
    }
}

/// Builds the preset of an oracle run: the model, every parameter (with the
/// `parameter_overrides_after_reset` applied on top), every initial value except the
/// implicit `r` (always 0, not a variable of the spiking models), dt, duration,
/// protocol events (set/add), the explicit Euler integrator and the run's seed.
pub fn preset_from_json(meta: &Value) -> Preset {
    let model = meta["model"]
        .as_str()
        .expect("oracle JSON: `model` is not a string")
        .to_owned();
    let mut parameters = num_map(meta, "parameters");
    parameters.extend(num_map(meta, "parameter_overrides_after_reset"));
    let initial = num_map(meta, "initial_values")
        .into_iter()
        .filter(|(k, _)| k != "r")
        .collect();
    let events = meta
        .get("protocol_events")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|ev| Event {
                    t_ms: num(ev, "t_ms"),
                    set: num_map(ev, "set").into_iter().collect(),
                    add: num_map(ev, "add").into_iter().collect(),
                    ..Event::default()
                })
                .collect()
        })
        .unwrap_or_default();
    let seed = num(meta, "seed");
    assert!(
        seed >= 0.0 && seed.fract() == 0.0 && seed <= f64::from(u32::MAX),
        "oracle seed {seed} is not a u32"
    );
    Preset {
        model,
        parameters,
        initial,
        dt_ms: Some(num(meta, "dt")),
        duration_ms: Some(num(meta, "duration_ms")),
        integrator: Some("euler".to_owned()),
        seed: Some(seed as u32),
        events,
        stimuli: Vec::new(),
        ..Default::default()
    }
}

/// [`preset_from_json`] resolved against the built-in model.
pub fn resolve_json(file: &str, meta: &Value) -> RunSpec {
    preset_from_json(meta)
        .resolve(file, "", None)
        .unwrap_or_else(|e| panic!("{file}: the oracle's preset does not resolve: {e}"))
}
