//! The headless command line: `run`, `models`, `describe`, `bench`, and the
//! sweeps `iv` (voltage-clamp I–V) and `fi` (f–I curve).
//!
//! Exit codes: 0 success; 1 an unexpected failure (I/O); 2 a user mistake (bad
//! preset, model file or argument); 3 `run` stopped at a NaN or infinity (the rows
//! before it are kept); 4 a run refused before it started because it would take too
//! long or not fit on the disk (`--force` runs it anyway).

pub mod budget;
pub mod run;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::io::preset::{Preset, ResolvedPreset};
use crate::model::{CompiledModel, builtin, load_model};
use crate::sim::session::steps_for;
use crate::sim::{Engine, Integrator};

#[derive(Parser, Debug)]
#[command(
    name = "neuron-explorer",
    version,
    about = "Explore CompNeuroPy's neuron models live, with ANNarchy-exact stepping.\nWithout a command, opens the explorer window."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a preset headless and write its trace as CSV (plus a JSON sidecar).
    Run(RunArgs),
    /// List the built-in models, one per line, id first.
    Models,
    /// Show a model's parameters, variables and equations.
    Describe {
        /// Model id (see `models`) or a path to a .neuron file.
        model: String,
    },
    /// Measure the engine's speed in ns per neuron-step.
    Bench(BenchArgs),
    /// Voltage-clamp I–V sweep: clamp v at each holding potential and report the
    /// membrane current I_inf after one step, at an early time and at the end.
    Iv(IvArgs),
    /// f–I curve: hold a parameter (default I_app) at each value from t = 0 and
    /// report firing rate, spike count, first-spike latency and ISI statistics.
    Fi(FiArgs),
    /// Compare a candidate preset with a reference preset: f–I RMSE, first-spike
    /// latency RMSE, coincidence factor Γ, rheobase difference and the loss (see
    /// src/analysis/compare.rs for the protocols).
    Compare(CompareArgs),
    /// Fit free parameters of a candidate preset to a reference preset with CMA-ES,
    /// minimising the `compare` loss; writes the fitted preset.
    Fit(FitArgs),
}

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The reference preset (RON), e.g. presets/hh_corbit_fsi_current_step.ron.
    pub reference: PathBuf,
    /// The candidate preset (RON).
    pub candidate: PathBuf,
    #[command(flatten)]
    pub extra: ComparisonOutputs,
}

/// Side outputs and threads shared by `compare` and `fit`.
#[derive(clap::Args, Debug)]
pub struct ComparisonOutputs {
    /// Also write the candidate (for `fit`: the fitted one) as a CompNeuroPy snippet
    /// (Python) to this file.
    #[arg(long)]
    pub snippet: Option<PathBuf>,
    /// Also write the f–I curves as CSV to this file.
    #[arg(long)]
    pub fi_csv: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run even if the estimated time exceeds 15 minutes.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The reference preset (RON).
    #[arg(long)]
    pub reference: PathBuf,
    /// The candidate preset (RON); the search starts from its parameter values.
    #[arg(long)]
    pub candidate: PathBuf,
    /// Free parameters, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "a,b,c,d,k,v_r,v_t")]
    pub free: Vec<String>,
    /// Evaluation budget (the starting point included).
    #[arg(long, default_value_t = 2000)]
    pub evaluations: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
    /// CMA-ES population size (default 4 + floor(3 ln n)).
    #[arg(long)]
    pub population: Option<usize>,
    /// Where to write the fitted preset (RON).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub extra: ComparisonOutputs,
}

/// Which run to start from: a preset file plus command-line overrides.
#[derive(clap::Args, Debug, Clone)]
pub struct PresetArgs {
    /// The preset file (RON).
    pub preset: PathBuf,
    /// Where to write the CSV (a trace for `run`, a table for the sweeps).
    #[arg(long)]
    pub out: PathBuf,
    /// Override a parameter: NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    #[arg(long)]
    pub dt_ms: Option<f64>,
    /// euler (ANNarchy's explicit Euler), exponential or rk4.
    #[arg(long)]
    pub integrator: Option<String>,
    #[arg(long)]
    pub seed: Option<u32>,
    /// A model file to use instead of the built-in model named in the preset.
    #[arg(long)]
    pub model_file: Option<PathBuf>,
    /// Run even if the estimated time exceeds 15 minutes or the output exceeds the
    /// free disk space.
    #[arg(long)]
    pub force: bool,
}

/// Options shared by the sweeps.
#[derive(clap::Args, Debug)]
pub struct SweepBase {
    #[command(flatten)]
    pub run: PresetArgs,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(clap::Args, Debug)]
pub struct IvArgs {
    #[command(flatten)]
    pub base: SweepBase,
    /// First holding potential (mV).
    #[arg(long, allow_hyphen_values = true, default_value_t = -100.0)]
    pub from: f64,
    /// Last holding potential (mV, inclusive).
    #[arg(long, allow_hyphen_values = true, default_value_t = 20.0)]
    pub to: f64,
    /// Spacing of the holding potentials (mV).
    #[arg(long, default_value_t = 5.0)]
    pub step: f64,
    /// How long each potential is held (ms); the steady current is read at the end.
    #[arg(long, default_value_t = 2000.0)]
    pub hold_ms: f64,
    /// When the instantaneous current is read (ms after the clamp starts).
    #[arg(long, default_value_t = 1.0)]
    pub instant_ms: f64,
}

#[derive(clap::Args, Debug)]
pub struct FiArgs {
    #[command(flatten)]
    pub base: SweepBase,
    /// The parameter to sweep.
    #[arg(long, default_value = "I_app")]
    pub param: String,
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.0)]
    pub from: f64,
    #[arg(long, allow_hyphen_values = true, default_value_t = 20.0)]
    pub to: f64,
    /// Number of values from --from to --to inclusive.
    #[arg(long, default_value_t = 21)]
    pub steps: usize,
    /// Simulated time per value (ms).
    #[arg(long, default_value_t = 1000.0)]
    pub duration_ms: f64,
    /// Spikes before this time are not counted in the rate and ISI statistics.
    #[arg(long, default_value_t = 0.0)]
    pub transient_ms: f64,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub run: PresetArgs,
    #[arg(long)]
    pub duration_ms: Option<f64>,
    /// Variables to record, comma separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub record: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[arg(long)]
    pub model: String,
    #[arg(long, default_value_t = 1000.0)]
    pub duration_ms: f64,
    #[arg(long)]
    pub dt_ms: Option<f64>,
    #[arg(long, default_value_t = 1)]
    pub lanes: usize,
    #[arg(long, default_value = "euler")]
    pub integrator: String,
    /// Run the tape interpreter even where the model has a compiled kernel
    /// (results are identical; this measures what a user's own model file costs).
    #[arg(long)]
    pub interpreted: bool,
}

/// A user mistake with a clear message: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The process exit code for an error (see the module doc).
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<UsageError>().is_some() {
        2
    } else if e.downcast_ref::<run::BlowUp>().is_some() {
        3
    } else if e.downcast_ref::<budget::Refused>().is_some() {
        4
    } else {
        1
    }
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::Run(args)) => run::run_cmd(&args),
        Some(Command::Models) => {
            let mut out = std::io::stdout().lock();
            for id in builtin::builtin_ids() {
                let m = builtin::builtin(id).context("built-in model missing")??;
                // A closed pipe (`models | head`) ends the listing quietly.
                if writeln!(out, "{id}\t{}\t{}", m.desc.family, m.desc.name).is_err() {
                    break;
                }
            }
            Ok(())
        }
        Some(Command::Describe { model }) => {
            let m = model_by_name_or_file(&model)?;
            print!("{}", describe(&m));
            Ok(())
        }
        Some(Command::Bench(args)) => bench_cmd(&args),
        Some(Command::Iv(args)) => iv_cmd(&args),
        Some(Command::Fi(args)) => fi_cmd(&args),
        Some(Command::Compare(args)) => compare_cmd(&args),
        Some(Command::Fit(args)) => fit_cmd(&args),
        None => crate::app::run_gui(),
    }
}

fn model_by_name_or_file(name: &str) -> Result<Arc<CompiledModel>> {
    if let Some(m) = builtin::builtin(name) {
        return Ok(m?);
    }
    let path = Path::new(name);
    if path.exists() {
        return load_model_file(path);
    }
    Err(UsageError(format!(
        "unknown model `{name}`; `neuron-explorer models` lists the built-ins"
    ))
    .into())
}

fn load_model_file(path: &Path) -> Result<Arc<CompiledModel>> {
    let text = crate::io::read::read_text_limited(path, crate::model::limits::MAX_MODEL_BYTES)
        .map_err(|e| UsageError(format!("{}: cannot read: {e}", path.display())))?;
    load_model(&path.display().to_string(), &text).map_err(|e| UsageError(e.to_string()).into())
}

/// Reads the preset and applies the command-line overrides on top of it.
pub fn resolve_run(args: &PresetArgs, duration_ms: Option<f64>) -> Result<ResolvedPreset> {
    let file = args.preset.display().to_string();
    let bytes = crate::io::read::read_limited(&args.preset, crate::io::preset::MAX_PRESET_BYTES)
        .map_err(|e| UsageError(format!("{file}: cannot read: {e}")))?;
    let mut preset = Preset::parse(&file, &bytes).map_err(|e| UsageError(e.to_string()))?;
    for kv in &args.set {
        let Some((name, value)) = kv.split_once('=') else {
            bail!(UsageError(format!("--set {kv}: expected NAME=VALUE")));
        };
        let Ok(value) = value.trim().parse::<f64>() else {
            bail!(UsageError(format!("--set {kv}: `{value}` is not a number")));
        };
        preset.parameters.insert(name.trim().to_owned(), value);
    }
    if duration_ms.is_some() {
        preset.duration_ms = duration_ms;
    }
    if args.dt_ms.is_some() {
        preset.dt_ms = args.dt_ms;
    }
    if args.integrator.is_some() {
        preset.integrator.clone_from(&args.integrator);
    }
    if args.seed.is_some() {
        preset.seed = args.seed;
    }
    let model = args
        .model_file
        .as_deref()
        .map(load_model_file)
        .transpose()?;
    let source = String::from_utf8_lossy(&bytes);
    preset
        .resolve(&file, &source, model)
        .map_err(|e| UsageError(e.to_string()).into())
}

/// Human-readable description of a model: parameters, variables, equations.
pub fn describe(m: &CompiledModel) -> String {
    use std::fmt::Write as _;
    let d = &m.desc;
    let mut s = String::new();
    let _ = writeln!(s, "{} — {} ({})", d.id, d.name, d.family);
    let _ = writeln!(
        s,
        "{}\nCitation: {}\nDefault dt: {} ms\n",
        d.description, d.citation, d.dt_ms
    );
    let _ = writeln!(s, "Parameters:");
    let _ = writeln!(
        s,
        "  {:<16} {:>14}  {:<10} {:<22} description",
        "name", "default", "unit", "range"
    );
    for p in &d.parameters {
        let range = format!(
            "{} .. {}{}",
            p.range.min,
            p.range.max,
            if p.range.log { " (log)" } else { "" }
        );
        let _ = writeln!(
            s,
            "  {:<16} {:>14}  {:<10} {:<22} {}",
            p.name, p.default, p.unit, range, p.description
        );
    }
    let _ = writeln!(s, "\nVariables:");
    for v in &m.vars {
        let kind = match v.kind {
            crate::model::VarKind::State => "state",
            crate::model::VarKind::Assigned => "assigned",
        };
        let _ = writeln!(
            s,
            "  {:<16} {:<9} {:<10} {}",
            v.name, kind, v.unit, v.description
        );
    }
    let _ = writeln!(s, "\nEquations (ANNarchy order):");
    for e in &d.equations {
        let _ = writeln!(s, "  {}", e.text);
    }
    if let Some((_, text, _)) = &d.spike {
        let _ = writeln!(s, "\nSpike: {text}");
    }
    if !d.reset.is_empty() {
        let _ = writeln!(
            s,
            "Reset: {}",
            d.reset
                .iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    for f in &d.functions {
        let _ = writeln!(s, "Function: {}", f.text);
    }
    s
}

fn bench_cmd(args: &BenchArgs) -> Result<()> {
    let model = model_by_name_or_file(&args.model)?;
    let dt_ms = args.dt_ms.unwrap_or(model.desc.dt_ms);
    let integrator: Integrator = args
        .integrator
        .parse()
        .map_err(|e| UsageError(format!("{e}")))?;
    if args.lanes == 0 {
        bail!(UsageError("--lanes must be at least 1".into()));
    }
    let mut engine = Engine::new(model.clone(), args.lanes, dt_ms, integrator, 1)
        .map_err(|e| UsageError(e.to_string()))?;
    engine.set_interpreted(args.interpreted);
    // A driven neuron: give I_app a value that makes the built-in cells fire.
    if let Some(i) = model.param_index("I_app") {
        let p = &model.desc.parameters[i];
        engine.set_param_all(i, p.default + 0.5 * (p.range.max - p.default));
    }
    let steps = steps_for(args.duration_ms, dt_ms);
    let start = Instant::now();
    let mut spikes = 0usize;
    for _ in 0..steps {
        spikes += engine.step();
    }
    let secs = start.elapsed().as_secs_f64();
    let neuron_steps = steps as f64 * args.lanes as f64;
    println!(
        "model: {}  lanes: {}  dt: {dt_ms} ms  steps: {steps}  integrator: {integrator}",
        model.id(),
        args.lanes
    );
    match engine.kernel_name() {
        Some(k) => println!("execution: compiled kernel {k}"),
        None => println!("execution: tape interpreter"),
    }
    println!(
        "spikes: {spikes}  wall time: {secs:.3} s  real-time factor: {:.1}x",
        args.duration_ms / 1000.0 / secs
    );
    println!(
        "ns per neuron-step: {:.2}",
        secs * 1e9 / neuron_steps.max(1.0)
    );
    Ok(())
}

fn sweep_preset(base: &SweepBase) -> Result<ResolvedPreset> {
    resolve_run(&base.run, None)
}

fn sweep_threads(base: &SweepBase) -> Result<usize> {
    match base.threads {
        Some(0) => bail!(UsageError("--threads must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(crate::analysis::all_threads()),
    }
}

fn sweep_error(e: crate::analysis::SweepError) -> anyhow::Error {
    match e {
        crate::analysis::SweepError::Usage(m) => UsageError(m).into(),
        crate::analysis::SweepError::Model(m) => UsageError(m.to_string()).into(),
        other => other.into(),
    }
}

fn write_table(path: &Path, text: &str) -> Result<()> {
    crate::io::csv::write_file(path, text.as_bytes()).map_err(|e| UsageError(e.to_string()).into())
}

fn iv_cmd(args: &IvArgs) -> Result<()> {
    use crate::analysis::clamp::{IvConfig, iv_csv, iv_sweep};
    let resolved = sweep_preset(&args.base)?;
    let v_holds = crate::analysis::range_by_step(args.from, args.to, args.step)
        .map_err(|e| UsageError(format!("--from/--to/--step: {e}")))?;
    let cfg = IvConfig {
        v_holds,
        hold_ms: args.hold_ms,
        instant_ms: args.instant_ms,
        trace_every: 0,
        threads: sweep_threads(&args.base)?,
    };
    let runs = cfg.v_holds.len() as f64;
    budget::check_runs(
        &resolved,
        runs,
        cfg.hold_ms,
        cfg.threads,
        args.base.run.force,
    )?;
    let result =
        iv_sweep(&resolved, &cfg, &crate::analysis::Control::default()).map_err(sweep_error)?;
    write_table(&args.base.run.out, &iv_csv(&result.points))
}

fn fi_cmd(args: &FiArgs) -> Result<()> {
    use crate::analysis::fi::{FiConfig, fi_csv, fi_sweep, refine_rheobase};
    let resolved = sweep_preset(&args.base)?;
    let values = crate::analysis::linspace(args.from, args.to, args.steps)
        .map_err(|e| UsageError(format!("--from/--to/--steps: {e}")))?;
    let cfg = FiConfig {
        param: args.param.clone(),
        values,
        duration_ms: args.duration_ms,
        transient_ms: args.transient_ms,
        threads: sweep_threads(&args.base)?,
    };
    // The grid, then three rounds of eight values refining the rheobase.
    let runs = cfg.values.len() as f64 + 24.0;
    budget::check_runs(
        &resolved,
        runs,
        cfg.duration_ms,
        cfg.threads,
        args.base.run.force,
    )?;
    let control = crate::analysis::Control::default();
    let mut result = fi_sweep(&resolved, &cfg, &control).map_err(sweep_error)?;
    for p in result.points.iter().filter(|p| p.non_finite) {
        eprintln!(
            "warning: {} = {}: a variable became NaN or infinite; its row in {} has empty cells (try a smaller dt_ms)",
            cfg.param,
            p.value,
            args.base.run.out.display()
        );
    }
    write_table(&args.base.run.out, &fi_csv(&result))?;
    refine_rheobase(&resolved, &cfg, &mut result, &control).map_err(sweep_error)?;
    println!("{}", result.rheobase_text());
    Ok(())
}

fn resolve_file(path: &Path) -> Result<ResolvedPreset> {
    let args = PresetArgs {
        preset: path.to_owned(),
        out: PathBuf::new(),
        set: Vec::new(),
        dt_ms: None,
        integrator: None,
        seed: None,
        model_file: None,
        force: false,
    };
    resolve_run(&args, None)
}

fn threads_arg(threads: Option<usize>) -> Result<usize> {
    match threads {
        Some(0) => bail!(UsageError("--threads must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(crate::analysis::all_threads()),
    }
}

/// The f–I curves side by side: `I_app,<name>_rate_hz,<name>_first_spike_ms,...`.
fn fi_table(curves: &[(&str, &crate::analysis::compare::Responses)]) -> String {
    let mut s = String::from("I_app");
    for (name, _) in curves {
        s.push_str(&format!(",{name}_rate_hz,{name}_first_spike_ms"));
    }
    s.push('\n');
    let n = curves.first().map_or(0, |c| c.1.fi.len());
    for i in 0..n {
        crate::analysis::cell(&mut s, Some(curves[0].1.fi[i].value));
        for (_, r) in curves {
            s.push(',');
            crate::analysis::cell(&mut s, Some(r.fi[i].rate_hz));
            s.push(',');
            crate::analysis::cell(&mut s, r.fi[i].first_spike_ms);
        }
        s.push('\n');
    }
    s
}

/// Runs of one model in a comparison: the f–I grid, about 16 rheobase bisection
/// runs and the steps (an upper bound for the work budget).
fn protocol_runs(protocol: &crate::analysis::compare::Protocol) -> f64 {
    (protocol.fi_values.len() + 16 + protocol.step_offsets.len()) as f64
}

fn compare_cmd(args: &CompareArgs) -> Result<()> {
    use crate::analysis::compare::{Protocol, compare, snippet};
    let reference = resolve_file(&args.reference)?;
    let candidate = resolve_file(&args.candidate)?;
    let threads = threads_arg(args.extra.threads)?;
    let protocol = Protocol::default();
    let per_model = protocol_runs(&protocol);
    for p in [&reference, &candidate] {
        budget::check_runs(
            p,
            per_model,
            protocol.duration_ms,
            threads,
            args.extra.force,
        )?;
    }
    let control = crate::analysis::Control::default();
    let c = compare(&reference, &candidate, &protocol, threads, &control).map_err(sweep_error)?;
    for line in c.metrics.lines() {
        println!("{line}");
    }
    if let Some(path) = &args.extra.snippet {
        write_table(path, &snippet(&candidate.model, &candidate.parameters))?;
    }
    if let Some(path) = &args.extra.fi_csv {
        write_table(
            path,
            &fi_table(&[("reference", &c.reference), ("candidate", &c.candidate)]),
        )?;
    }
    Ok(())
}

fn fit_cmd(args: &FitArgs) -> Result<()> {
    use crate::analysis::compare::{Protocol, Runner, snippet};
    use crate::analysis::fit::{FitConfig, fit};
    let reference = resolve_file(&args.reference)?;
    let candidate = resolve_file(&args.candidate)?;
    let cfg = FitConfig {
        free: args.free.iter().map(|s| s.trim().to_owned()).collect(),
        evaluations: args.evaluations,
        seed: args.seed,
        population: args.population,
        threads: threads_arg(args.extra.threads)?,
        protocol: Protocol::default(),
    };
    if cfg.population == Some(0) {
        bail!(UsageError("--population must be at least 1".into()));
    }
    let per_model = protocol_runs(&cfg.protocol);
    let duration_ms = cfg.protocol.duration_ms;
    let force = args.extra.force;
    budget::check_runs(&reference, per_model, duration_ms, cfg.threads, force)?;
    let evaluations = cfg.evaluations as f64;
    budget::check_runs(
        &candidate,
        evaluations * per_model,
        duration_ms,
        cfg.threads,
        force,
    )?;
    let control = crate::analysis::Control::default();
    let start = Instant::now();
    let mut shown = 0.0;
    let result = fit(
        &reference,
        &candidate,
        &cfg,
        &control,
        &mut |evals, best| {
            let t = start.elapsed().as_secs_f64();
            if t > shown + 1.0 {
                shown = t;
                eprint!(
                    "\r{evals}/{} evaluations, best loss {best:.4}",
                    cfg.evaluations
                );
            }
        },
    )
    .map_err(sweep_error)?;
    let secs = start.elapsed().as_secs_f64();
    if secs > 1.0 {
        eprintln!();
    }
    println!("before:");
    for line in result.before.lines() {
        println!("  {line}");
    }
    println!("after ({} evaluations, {secs:.1} s):", result.evaluations);
    for line in result.after.lines() {
        println!("  {line}");
    }
    let model = &candidate.model;
    let fitted: Vec<String> = result
        .free
        .iter()
        .map(|&i| format!("{}={}", model.desc.parameters[i].name, result.parameters[i]))
        .collect();
    println!("fitted: {}", fitted.join(", "));

    // The candidate preset as written, with the fitted values.
    let mut preset = Preset::load(&args.candidate).map_err(|e| UsageError(e.to_string()))?;
    for &i in &result.free {
        preset
            .parameters
            .insert(model.desc.parameters[i].name.clone(), result.parameters[i]);
    }
    let breakdown = |m: &crate::analysis::compare::Metrics| {
        format!(
            "{:.4} (f-I RMSE {:.2} Hz, latency RMSE {:.2} ms, gamma {:.3}, rheobase difference {:.2})",
            m.loss, m.fi_rmse_hz, m.latency_rmse_ms, m.gamma, m.rheobase_diff
        )
    };
    let command: Vec<String> = std::env::args()
        .enumerate()
        .map(|(i, a)| if i == 0 { "neuron-explorer".into() } else { a })
        .collect();
    let header = format!(
        "// {} fitted to {} ({}) with CMA-ES by `neuron-explorer fit`:\n\
         // {}\n\
         // Free parameters: {}; {} evaluations, seed {}, {secs:.1} s.\n\
         // Loss before: {}\n\
         // Loss after:  {}\n\
         // Protocols and loss: src/analysis/compare.rs (default protocol).\n",
        model.id(),
        reference.model.id(),
        args.reference.display(),
        command.join(" "),
        cfg.free.join(", "),
        result.evaluations,
        cfg.seed,
        breakdown(&result.before),
        breakdown(&result.after),
    );
    write_table(&args.out, &format!("{header}{}\n", preset.to_ron()))?;
    if let Some(path) = &args.extra.snippet {
        write_table(path, &snippet(model, &result.parameters))?;
    }
    if let Some(path) = &args.extra.fi_csv {
        let control = crate::analysis::Control::default();
        let runner =
            Runner::new(&candidate, &cfg.protocol, cfg.threads, &control).map_err(sweep_error)?;
        let sets = [candidate.parameters.clone(), result.parameters.clone()];
        let r = runner
            .responses_of(&sets, Some(&result.reference.step_amps))
            .map_err(sweep_error)?;
        write_table(
            path,
            &fi_table(&[
                ("reference", &result.reference),
                ("start", &r[0]),
                ("fitted", &r[1]),
            ]),
        )?;
    }
    Ok(())
}
