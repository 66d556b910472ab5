//! The headless command line: `run`, `models`, `describe`, `bench`, the sweeps
//! `iv` (voltage-clamp I–V) and `fi` (f–I curve), and the dynamics commands
//! `features`, `bifurcation` and `map` (one file each).
//!
//! Exit codes: 0 success; 1 an unexpected failure (I/O); 2 a user mistake (bad
//! preset, model file or argument); 3 `run` stopped at a NaN or infinity (the rows
//! before it are kept); 4 a run refused before it started because it would take too
//! long or not fit on the disk (`--force` runs it anyway).

mod bifurcation;
mod features;
mod map;

pub mod budget;
pub mod run;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod fit;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

mod export_annarchy;
mod import;
mod lesson;
mod open;

use crate::model::{CompiledModel, builtin, load_model};
use crate::sim::Integrator;
use crate::sim::run::RunSpec;
use crate::sim::session::steps_for;

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
    /// Voltage-clamp I–V sweep: clamp the membrane potential at each holding potential and report the
    /// membrane current I_inf after one step, at an early time and at the end.
    Iv(IvArgs),
    /// f–I curve: hold a parameter (default: the model's drive, I_app) at each value from t = 0 and
    /// report firing rate, spike count, first-spike latency and ISI statistics.
    Fi(FiArgs),
    /// Compare a candidate preset with a reference (preset or recorded traces)
    /// under a fit spec: the loss term by term (see specs/default.ron).
    Compare(fit::CompareArgs),
    /// Fit free parameters of a candidate preset to a reference with CMA-ES
    /// (several seeds, optional Nelder–Mead polish), minimising the `compare` loss;
    /// writes the fitted preset with its provenance and prints the sensitivity.
    Fit(fit::FitArgs),
    /// Firing features of a preset's run (its protocol applied): spike count, rate,
    /// latency, ISI statistics, adaptation, bursts, AP shape, rest and class
    /// (definitions in docs/features.md).
    Features(features::FeaturesArgs),
    /// Bifurcation diagram against one parameter: equilibria with their stability,
    /// and the attractor's v range and rate; CSV `<param>,kind,v_mv,stability,rate_hz`.
    Bifurcation(bifurcation::BifurcationArgs),
    /// Map of firing class and rate over two parameters; CSV `<x>,<y>,class,rate_hz`.
    Map(map::MapArgs),
    /// Import ANNarchy `Neuron(...)` definitions and CompNeuroPy neuron classes from
    /// a Python file (without running Python) as `.neuron` model files.
    Import(import::ImportArgs),
    /// Export a preset's model as an ANNarchy 5 `Neuron(...)` plus a script that
    /// reruns the preset in ANNarchy and writes the trace in this CSV format.
    ExportAnnarchy(export_annarchy::ExportAnnarchyArgs),
    /// Open the window on a preset (.ron) or model file (.neuron), running.
    Open(open::OpenArgs),
    /// List the built-in guided lessons: name, title, number of steps.
    Lessons,
    /// Open the window in a guided lesson (a built-in's name or a lesson file).
    Lesson(lesson::LessonArgs),
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
    /// Time step in ms, instead of the preset's.
    #[arg(long)]
    pub dt_ms: Option<f64>,
    /// euler (ANNarchy's explicit Euler), exponential or rk4.
    #[arg(long)]
    pub integrator: Option<String>,
    /// Seed of the noise (stimuli and noisy models), instead of the preset's.
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
    /// CSV columns: v2 = `I_outward_*`, the clamp current with outward current
    /// positive; v1 = the former `I_inf_*` (right-hand side of C dv/dt, outward negative).
    #[arg(long, value_enum, default_value = "v2")]
    pub columns: IvColumnsArg,
}

/// Versions of the `iv` CSV columns.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IvColumnsArg {
    V1,
    V2,
}

#[derive(clap::Args, Debug)]
pub struct FiArgs {
    #[command(flatten)]
    pub base: SweepBase,
    /// The parameter to sweep (default: the model's drive, e.g. I_app).
    #[arg(long)]
    pub param: Option<String>,
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
    /// Length of the run in ms, instead of the preset's `duration_ms`.
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
        Some(Command::Compare(args)) => fit::compare_cmd(&args),
        Some(Command::Fit(args)) => fit::fit_cmd(&args),
        Some(Command::Features(args)) => features::features_cmd(&args),
        Some(Command::Bifurcation(args)) => bifurcation::bifurcation_cmd(&args),
        Some(Command::Map(args)) => map::map_cmd(&args),
        Some(Command::Import(args)) => import::import_cmd(&args),
        Some(Command::ExportAnnarchy(args)) => export_annarchy::export_annarchy_cmd(&args),
        Some(Command::Open(args)) => open::open_cmd(&args),
        Some(Command::Lessons) => lesson::lessons_cmd(),
        Some(Command::Lesson(args)) => lesson::lesson_cmd(&args),
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

pub(crate) fn load_model_file(path: &Path) -> Result<Arc<CompiledModel>> {
    let text = crate::io::read::read_text_limited(path, crate::model::limits::MAX_MODEL_BYTES)
        .map_err(|e| UsageError(format!("{}: cannot read: {e}", path.display())))?;
    load_model(&path.display().to_string(), &text).map_err(|e| UsageError(e.to_string()).into())
}

/// Reads the preset and applies the command-line overrides on top of it.
pub fn resolve_run(args: &PresetArgs, duration_ms: Option<f64>) -> Result<RunSpec> {
    let file = args.preset.display().to_string();
    let (mut preset, source) =
        crate::io::preset::read_preset(&args.preset).map_err(|e| UsageError(e.to_string()))?;
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
    // The events move into the run.
    preset
        .into_run(&file, &source, model)
        .map_err(|e| UsageError(e.to_string()).into())
}

/// The model's roles (declared in `[roles]` or inferred): membrane, drive and the
/// variables of each plot group.
fn roles_text(m: &CompiledModel, s: &mut String) {
    use std::fmt::Write as _;
    let named =
        |role: Option<(&str, &str)>| role.map_or("none".to_owned(), |(n, u)| format!("{n} [{u}]"));
    let _ = writeln!(
        s,
        "\nRoles: membrane {}, drive {}",
        named(m.membrane()),
        named(m.drive())
    );
    for (keyword, group) in crate::model::roles::PlotGroup::DECLARABLE {
        let names: Vec<&str> = (0..m.vars.len())
            .filter(|&i| m.plot_group(i) == group)
            .map(|i| m.vars[i].name.as_str())
            .collect();
        if !names.is_empty() {
            let _ = writeln!(s, "  {keyword}: {}", names.join(", "));
        }
    }
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
    roles_text(m, &mut s);
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
    let mut run = RunSpec {
        dt_ms,
        integrator,
        seed: 1,
        ..RunSpec::defaults(model.clone())
    };
    // A driven neuron: give the drive a value that makes the built-in cells fire.
    if let Some(i) = model.drive_param() {
        let p = &model.desc.parameters[i];
        run.parameters[i] = p.default + 0.5 * (p.range.max - p.default);
    }
    let mut engine = run
        .engine(args.lanes)
        .map_err(|e| UsageError(e.to_string()))?;
    engine.set_interpreted(args.interpreted);
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

fn sweep_preset(base: &SweepBase) -> Result<RunSpec> {
    resolve_run(&base.run, None)
}

fn sweep_threads(base: &SweepBase) -> Result<usize> {
    match base.threads {
        Some(0) => bail!(UsageError("--threads must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(crate::analysis::all_threads()),
    }
}

pub(crate) fn sweep_error(e: crate::analysis::SweepError) -> anyhow::Error {
    match e {
        crate::analysis::SweepError::Usage(m) => UsageError(m).into(),
        crate::analysis::SweepError::Model(m) => UsageError(m.to_string()).into(),
        other => other.into(),
    }
}

pub(crate) fn write_table(path: &Path, text: &str) -> Result<()> {
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
    for p in result.points.iter().filter(|p| p.blew_up()) {
        eprintln!(
            "warning: v_hold = {} mV: a variable became NaN or infinite; its row in {} has empty cells (try a smaller dt_ms)",
            p.v_hold,
            args.base.run.out.display()
        );
    }
    let columns = match args.columns {
        IvColumnsArg::V1 => crate::analysis::clamp::IvColumns::V1,
        IvColumnsArg::V2 => crate::analysis::clamp::IvColumns::V2,
    };
    write_table(&args.base.run.out, &iv_csv(&result.points, columns))
}

fn fi_cmd(args: &FiArgs) -> Result<()> {
    use crate::analysis::fi::{FiConfig, fi_csv, fi_sweep, refine_rheobase};
    let resolved = sweep_preset(&args.base)?;
    let values = crate::analysis::linspace(args.from, args.to, args.steps)
        .map_err(|e| UsageError(format!("--from/--to/--steps: {e}")))?;
    let cfg = FiConfig {
        param: param_or_drive(&resolved, args.param.as_ref())?,
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

/// The parameter a sweep varies: the one given, else the model's drive parameter
/// (declared in the model file's `[roles]` or inferred).
fn param_or_drive(preset: &RunSpec, param: Option<&String>) -> Result<String> {
    match param {
        Some(p) => Ok(p.clone()),
        None => preset
            .model
            .drive()
            .map(|(name, _)| name.to_owned())
            .ok_or_else(|| {
                UsageError("the model has no drive parameter; pass --param".into()).into()
            }),
    }
}

impl PresetArgs {
    /// `preset` as the file says (no overrides, no `--force`), written to `out`.
    pub fn new(preset: &Path, out: &Path) -> Self {
        Self {
            preset: preset.to_owned(),
            out: out.to_owned(),
            set: Vec::new(),
            dt_ms: None,
            integrator: None,
            seed: None,
            model_file: None,
            force: false,
        }
    }
}

/// A preset file as it stands, without overrides.
fn resolve_file(path: &Path) -> Result<RunSpec> {
    resolve_run(&PresetArgs::new(path, Path::new("")), None)
}
