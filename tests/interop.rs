//! Import of ANNarchy/CompNeuroPy neuron definitions from Python source.
//!
//! * `../shared/fixtures/compneuropy_annarchy_neurons.py` (the 26 CompNeuroPy 1.0.4
//!   models as the `Neuron(...)` strings CompNeuroPy hands to ANNarchy) and the
//!   self-contained class sources of the seed reference (`tests/fixtures/`) must
//!   import into models whose traces on the 26 ANNarchy oracle protocols are
//!   bit-identical to the built-ins' (same parameters, initial values, dt, seed,
//!   events; every variable at every step, and the spike steps).
//! * Classes built from helpers the seed does not print fail naming the helper.
//! * Hand-written definitions in every supported form import and behave alike;
//!   malformed ones fail at the line marked `ERROR` in the fixture.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{json_files, num, oracle_file, preset_from_json, read_json};
use neuron_explorer::interop::{ImportedModel, import_python};
use neuron_explorer::sim::session::{Session, steps_for};

/// `$NEURON_EXPLORER_FIXTURES`, else `fixtures/` beside `$NEURON_EXPLORER_ORACLE`,
/// else `<crate>/../shared/fixtures`. Panics if absent.
fn shared_fixture(name: &str) -> PathBuf {
    let dir = match (
        std::env::var_os("NEURON_EXPLORER_FIXTURES"),
        std::env::var_os("NEURON_EXPLORER_ORACLE"),
    ) {
        (Some(d), _) => PathBuf::from(d),
        (None, Some(oracle)) => Path::new(&oracle).join("../fixtures"),
        (None, None) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"),
    };
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "shared fixture {} not found; point $NEURON_EXPLORER_FIXTURES at the fixtures directory \
         (these tests refuse to pass without it)",
        path.display()
    );
    path
}

fn local_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn import_file(path: &Path) -> (String, neuron_explorer::interop::ImportReport) {
    let source = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    (
        source.clone(),
        import_python(&path.display().to_string(), &source),
    )
}

/// Runs one oracle protocol with the built-in and with the imported model and
/// demands identical bits for every variable at every step.
fn assert_same_trace(json_name: &str, imported: &ImportedModel) {
    let meta = read_json(&oracle_file("traces", json_name));
    let preset = preset_from_json(&meta);
    let builtin = preset
        .resolve(json_name, "", None)
        .unwrap_or_else(|e| panic!("{json_name}: {e}"));
    let ours = preset
        .resolve(json_name, "", Some(imported.model.clone()))
        .unwrap_or_else(|e| panic!("{json_name} with the imported {}: {e}", imported.id));
    let mut a = Session::new(&builtin, 1).unwrap_or_else(|e| panic!("{json_name}: {e}"));
    let mut b = Session::new(&ours, 1).unwrap_or_else(|e| panic!("{json_name}: {e}"));
    let ma = a.engine.model().clone();
    let mb = b.engine.model().clone();
    let mut names_a: Vec<&str> = ma.vars.iter().map(|v| v.name.as_str()).collect();
    let mut names_b: Vec<&str> = mb.vars.iter().map(|v| v.name.as_str()).collect();
    names_a.sort_unstable();
    names_b.sort_unstable();
    assert_eq!(
        names_a, names_b,
        "{json_name}: variables of the imported {}",
        imported.id
    );
    let pairs: Vec<(usize, usize, &str)> = ma
        .vars
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                i,
                mb.var_index(&v.name).unwrap_or(usize::MAX),
                v.name.as_str(),
            )
        })
        .collect();
    let n_steps = steps_for(builtin.duration_ms, builtin.dt_ms);
    assert_eq!(
        n_steps,
        num(&meta, "n_steps") as u64,
        "{json_name}: step count"
    );
    let mut spikes = 0;
    for k in 0..n_steps {
        let (sa, sb) = (a.step(), b.step());
        assert_eq!(
            sa, sb,
            "{json_name} ({}): spike at step {k} differs",
            imported.id
        );
        spikes += sa;
        for &(ia, ib, name) in &pairs {
            let (x, y) = (a.engine.var(ia, 0), b.engine.var(ib, 0));
            assert!(
                x.to_bits() == y.to_bits(),
                "{json_name} ({}): `{name}` differs at step {k}: built-in {x}, imported {y}",
                imported.id
            );
        }
    }
    eprintln!(
        "{json_name}: {} identical over {n_steps} steps ({spikes} spikes)",
        imported.id
    );
}

fn by_id(models: &[ImportedModel]) -> BTreeMap<&str, &ImportedModel> {
    models.iter().map(|m| (m.id.as_str(), m)).collect()
}

#[test]
fn shared_fixture_imports_the_26_models_with_identical_traces() {
    let (_, report) = import_file(&shared_fixture("compneuropy_annarchy_neurons.py"));
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.models.len(), 26);
    let models = by_id(&report.models);
    let traces = json_files("traces", "");
    assert_eq!(traces.len(), 26, "one oracle protocol per model");
    for json_name in &traces {
        let model = read_json(&oracle_file("traces", json_name))["model"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let imported = models
            .get(model.as_str())
            .unwrap_or_else(|| panic!("{json_name}: the fixture has no `{model}`"));
        assert_same_trace(json_name, imported);
    }
}

#[test]
fn seed_class_sources_import_with_identical_traces() {
    let (_, report) = import_file(&local_fixture("compneuropy_seed_self_contained.py"));
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let models = by_id(&report.models);
    let expected = [
        "IntegratorNeuron",
        "IntegratorNeuronSimple",
        "PoissonNeuron",
        "PoissonNeuronUpDown",
        "PoissonNeuronSin",
        "Izhikevich2003FixedNoisyAmpa",
        "Izhikevich2003NoisyAmpa",
        "Izhikevich2003NoisyAmpaNonlin",
        "Izhikevich2003NoisyAmpaOscillating",
        "Izhikevich2003NoisyBase",
        "Izhikevich2003NoisyBaseNonlin",
    ];
    assert_eq!(models.len(), expected.len());
    for id in expected {
        let imported = models
            .get(id)
            .unwrap_or_else(|| panic!("seed class {id} not imported"));
        let jsons = json_files("traces", &format!("{id}__"));
        assert_eq!(jsons.len(), 1, "oracle protocol of {id}");
        assert_same_trace(&jsons[0], imported);
    }
}

#[test]
fn seed_classes_built_from_unprinted_helpers_name_what_is_missing() {
    let path = local_fixture("compneuropy_seed_helpers.py");
    let (source, report) = import_file(&path);
    assert!(report.models.is_empty());
    assert_eq!(report.errors.len(), 15, "{:#?}", report.errors);
    for e in &report.errors {
        let class = e
            .message
            .strip_prefix("class ")
            .and_then(|m| m.split(':').next())
            .unwrap_or_else(|| panic!("message does not name its class: {e}"));
        let missing = if class.starts_with("HH") {
            "_HHneuron"
        } else {
            "_get_equation_izhikevich_2007("
        };
        assert!(e.message.contains(missing), "{e} should name `{missing}`");
        // The line points into the class's own source.
        let class_line = source
            .lines()
            .position(|l| l.starts_with(&format!("class {class}(")))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("class {class} not in the fixture"));
        assert!(e.line >= class_line, "{e}: line before `class {class}`");
    }
}

/// The hand-written LIF in every form: tau = 10 ms, threshold 1, reset 0; with
/// I_app = 2 ANNarchy's Euler gives v_n = 2 (1 - 0.99^n) at dt 0.1, which first
/// reaches 1 at n = ln 0.5 / ln 0.99 = 68.97 → a period of 69 steps.
#[test]
fn hand_written_forms_import_and_behave_alike() {
    let (_, report) = import_file(&local_fixture("handwritten_neurons.py"));
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let ids: Vec<&str> = report.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["LifTriple", "LifSingle", "LifVariables", "LifClass"]);
    for m in &report.models {
        let desc = &m.model.desc;
        let tau = desc
            .parameters
            .iter()
            .find(|p| p.name == "tau")
            .unwrap_or_else(|| panic!("{}: no tau", m.id));
        assert_eq!((tau.default, tau.unit.as_str()), (10.0, "ms"), "{}", m.id);
        let preset = neuron_explorer::io::preset::Preset {
            model: m.id.clone(),
            parameters: [("I_app".to_owned(), 2.0)].into(),
            duration_ms: Some(100.0),
            ..Default::default()
        };
        let resolved = preset
            .resolve(&m.id, "", Some(m.model.clone()))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut s = Session::new(&resolved, 1).unwrap_or_else(|e| panic!("{e}"));
        let spike_steps: Vec<u64> = (0..1000u64).filter(|_| s.step() > 0).collect();
        assert!(spike_steps.len() >= 10, "{}: {spike_steps:?}", m.id);
        let isi: Vec<u64> = spike_steps.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            isi.iter().all(|&d| (69..=71).contains(&d)),
            "{}: inter-spike steps {isi:?}, expected ~69.3",
            m.id
        );
    }
}

#[test]
fn malformed_definitions_fail_at_their_line() {
    let path = local_fixture("malformed_neurons.py");
    let (source, report) = import_file(&path);
    let marked: Vec<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("# ERROR"))
        .map(|(i, _)| i + 1)
        .collect();
    let mut lines: Vec<usize> = report.errors.iter().map(|e| e.line).collect();
    lines.sort_unstable();
    assert_eq!(lines, marked, "{:#?}", report.errors);
    assert_eq!(
        report.models.len(),
        1,
        "the well-formed definition still imports"
    );
    let (_, report) = import_file(&local_fixture("unclosed_string.py"));
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, 4, "{}", report.errors[0]);
    assert!(report.errors[0].message.contains("never closed"));
}

#[test]
fn imported_models_save_and_reload_as_neuron_files() {
    let (_, report) = import_file(&shared_fixture("compneuropy_annarchy_neurons.py"));
    for m in &report.models {
        let reloaded =
            neuron_explorer::model::load_model(&format!("{}.neuron", m.id), &m.neuron_text)
                .unwrap_or_else(|e| panic!("{}: saved text does not reload: {e}", m.id));
        assert_eq!(reloaded.vars.len(), m.model.vars.len());
        assert_eq!(
            reloaded.desc.parameters.len(),
            m.model.desc.parameters.len()
        );
    }
}
