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

/// `__init__` argument names of every class in a Python source, read as text
/// (independently of the importer): `class X(...)` then its `def __init__(...)`.
fn init_signatures(source: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut class: Option<String> = None;
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("class ") {
            class = rest.split(['(', ':']).next().map(str::to_owned);
        }
        let trimmed = line.trim_start();
        if !trimmed.starts_with("def __init__(") {
            continue;
        }
        let mut header = trimmed.to_owned();
        while !header.contains("):") {
            let Some(next) = lines.next() else { break };
            header.push_str(next.trim());
        }
        let inner = &header["def __init__(".len()..header.rfind("):").unwrap_or(header.len())];
        let mut depth = 0i32;
        let mut names = Vec::new();
        let mut current = String::new();
        for c in inner.chars().chain(std::iter::once(',')) {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    let name = current
                        .split([':', '='])
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_owned();
                    if !name.is_empty() && name != "self" {
                        names.push(name);
                    }
                    current.clear();
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        if let Some(c) = class.take() {
            out.insert(c, names);
        }
    }
    out
}

#[test]
fn every_builtin_snippet_passes_only_arguments_its_class_accepts() {
    use neuron_explorer::model::VarKind;
    use neuron_explorer::model::builtin::{builtin, builtin_ids};
    let mut signatures = BTreeMap::new();
    for file in [
        "compneuropy_seed_self_contained.py",
        "compneuropy_seed_helpers.py",
    ] {
        let source = std::fs::read_to_string(local_fixture(file)).unwrap_or_default();
        signatures.extend(init_signatures(&source));
    }
    assert_eq!(signatures.len(), 26, "{signatures:?}");
    for id in builtin_ids() {
        let model = builtin(id)
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("{id}"));
        let params: Vec<f64> = model.desc.parameters.iter().map(|p| p.default).collect();
        let run = neuron_explorer::sim::run::RunSpec::defaults(model.clone())
            .resolve()
            .expect("defaults resolve");
        let snippet = neuron_explorer::analysis::compare::snippet(&run, &params);
        let accepted = signatures
            .get(id)
            .unwrap_or_else(|| panic!("no seed class {id}"));
        // The constructor call: from `neuron = Id(` to the line `)`.
        let opening = format!("neuron = {id}(");
        assert!(
            snippet.contains(&opening),
            "{id}: no constructor call\n{snippet}"
        );
        let call: Vec<&str> = snippet
            .lines()
            .skip_while(|l| *l != opening)
            .skip(1)
            .take_while(|l| *l != ")")
            .collect();
        let passed: Vec<&str> = call
            .iter()
            .filter_map(|l| l.trim().split('=').next())
            .collect();
        for arg in &passed {
            assert!(
                accepted.iter().any(|a| a == arg),
                "{id}: `{arg}=` is not an argument of the class ({accepted:?})\n{snippet}"
            );
        }
        assert_eq!(
            passed.contains(&"init"),
            accepted.iter().any(|a| a == "init"),
            "{id}: init=\n{snippet}"
        );
        for p in &model.desc.parameters {
            let set = passed.contains(&p.name.as_str())
                || snippet.contains(&format!("\npop.{} = ", p.name));
            assert!(
                set,
                "{id}: parameter {} is neither passed nor assigned\n{snippet}",
                p.name
            );
        }
        for v in model.vars.iter().filter(|v| v.kind == VarKind::State) {
            let set = snippet.contains(&format!("\"{}\": ", v.name))
                || snippet.contains(&format!("\npop.{} = ", v.name));
            assert!(set, "{id}: initial value of {} missing\n{snippet}", v.name);
        }
        let dt = format!("net = ann.Network(dt={:?})", model.desc.dt_ms);
        assert!(snippet.contains(&dt), "{id}: `{dt}` missing\n{snippet}");
        assert!(snippet.contains(&format!("from CompNeuroPy.neuron_models import {id}\n")));
    }
}

#[test]
fn a_model_that_is_not_a_compneuropy_class_gets_the_annarchy_definition() {
    let (_, report) = import_file(&local_fixture("handwritten_neurons.py"));
    let m = &report.models[0];
    let params: Vec<f64> = m.model.desc.parameters.iter().map(|p| p.default).collect();
    let run = neuron_explorer::sim::run::RunSpec::defaults(m.model.clone())
        .resolve()
        .expect("defaults resolve");
    let snippet = neuron_explorer::analysis::compare::snippet(&run, &params);
    assert!(!snippet.contains("CompNeuroPy.neuron_models"), "{snippet}");
    assert!(
        snippet.contains("neuron = ann.Neuron(") && snippet.contains("net = ann.Network(dt=0.1)"),
        "{snippet}"
    );
    // The snippet's definition imports back into the same model.
    let (back, errors) = {
        let r = import_python("snippet.py", &snippet);
        (r.models, r.errors)
    };
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(back[0].model.desc.parameters.len(), params.len());
}

/// Every built-in exported as ANNarchy `Neuron(...)` and imported back runs its
/// oracle protocol bit-identically: the export loses nothing the engine uses.
#[test]
fn exported_definitions_import_back_with_identical_traces() {
    use neuron_explorer::interop::annarchy::neuron_definition;
    for json_name in json_files("traces", "") {
        let meta = read_json(&oracle_file("traces", &json_name));
        let preset = preset_from_json(&meta);
        let resolved = preset
            .resolve(&json_name, "", None)
            .unwrap_or_else(|e| panic!("{e}"));
        let initial = neuron_explorer::interop::annarchy::initial_state(&resolved)
            .unwrap_or_else(|e| panic!("{e}"));
        let id = resolved.model.id().to_owned();
        let source = format!(
            "import ANNarchy as ann\n{id} = {}\n",
            neuron_definition(&resolved.model, &resolved.parameters, &initial)
        );
        let report = import_python(&format!("{id}_neuron.py"), &source);
        assert!(
            report.errors.is_empty(),
            "{id}: {:?}\n{source}",
            report.errors
        );
        assert_same_trace(&json_name, &report.models[0]);
    }
}

/// docs/annarchy/ holds the export of the shipped fitted preset; it must be what
/// `export-annarchy` writes today (regenerate with the command in README.md).
#[test]
fn the_exported_fitted_preset_in_docs_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let preset = neuron_explorer::io::preset::load_resolved(
        &root.join("presets/corbit_fsi_izhikevich_fitted.ron"),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let export = neuron_explorer::interop::annarchy::export_annarchy(
        &preset,
        "corbit_fsi_izhikevich_fitted.ron",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for (name, text) in &export.files {
        let path = root.join("docs/annarchy").join(name);
        let on_disk =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            &on_disk == text,
            "{} is stale: run `neuron-explorer export-annarchy presets/corbit_fsi_izhikevich_fitted.ron --out docs/annarchy`",
            path.display()
        );
    }
}

mod gui {
    //! The window's side (egui_kittest, headless): the File menu offers import and
    //! export, an import opens its first model, `open` runs a preset and the title
    //! names it, and an export writes the script. Dialogs are bypassed by calling
    //! what they call with the chosen paths (rfd would open real windows).

    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use neuron_explorer::app::{App, Settings};

    use super::local_fixture;

    fn harness() -> Harness<'static, App> {
        Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .build_eframe(|cc| App::with_settings(Settings::default(), Some(cc.egui_ctx.clone())))
    }

    #[test]
    fn file_menu_offers_python_import_and_annarchy_export() {
        let mut h = harness();
        h.get_by_role_and_label(Role::Button, "File").click();
        h.run_steps(2);
        assert!(h.query_by_label("Import from Python…").is_some());
        h.get_by_label("Export").hover();
        h.run_steps(2);
        assert!(h.query_by_label("ANNarchy script…").is_some());
    }

    #[test]
    fn an_import_saves_neuron_files_and_opens_the_first_model() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut h = harness();
        h.state_mut()
            .import_python(&local_fixture("handwritten_neurons.py"), dir.path());
        h.run_steps(2);
        let app = h.state();
        assert_eq!(app.setup().model.id(), "LifTriple");
        for id in ["LifTriple", "LifSingle", "LifVariables", "LifClass"] {
            assert!(
                dir.path().join(format!("{id}.neuron")).is_file(),
                "{id}.neuron not saved"
            );
        }
        assert_eq!(
            app.window_title(),
            "neuron-explorer — lif_triple (LifTriple)"
        );
    }

    #[test]
    fn opening_a_preset_runs_it_and_names_it_in_the_title() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut h = harness();
        h.state_mut()
            .open_file(&root.join("presets/corbit_fsi_izhikevich_fitted.ron"));
        h.run_steps(2);
        assert!(
            h.state_mut()
                .sync_worker(std::time::Duration::from_secs(30))
        );
        let app = h.state();
        assert!(app.is_running());
        assert_eq!(
            app.window_title(),
            "neuron-explorer — corbit_fsi_izhikevich_fitted (Izhikevich2007CorbitFsiNoisyAmpa)"
        );
    }

    #[test]
    fn the_annarchy_export_writes_the_current_settings() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut h = harness();
        h.state_mut().export_annarchy(dir.path());
        let script = std::fs::read_to_string(dir.path().join("run_Izhikevich2007_annarchy.py"))
            .unwrap_or_else(|e| panic!("script not written: {e}"));
        assert!(script.contains("DT_MS = 0.1\n"), "{script}");
        assert!(dir.path().join("Izhikevich2007_neuron.py").is_file());
    }
}
