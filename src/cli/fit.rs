//! The `compare` and `fit` commands: a candidate preset against a reference (a
//! preset or the recorded traces of a fit spec), under a fit spec (`--spec`,
//! default `default`), with the loss printed term by term.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};

use super::{PresetArgs, UsageError, resolve_run, sweep_error, write_table};
use crate::analysis::compare::{Responses, compare, drive_unit_warning, snippet};
use crate::analysis::fit::{FitResult, Target, fit, score_candidate, target_of};
use crate::analysis::fitspec::{FitSpec, FreeParam, Reference};
use crate::analysis::sensitivity;
use crate::io::preset::Preset;
use crate::sim::run::RunSpec;

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// REFERENCE CANDIDATE presets (RON); with one, the candidate (the reference
    /// comes from the spec); with none, both come from the spec.
    #[arg(num_args = 0..=2)]
    pub presets: Vec<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The reference preset (RON); default: the spec's reference.
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// The candidate preset (RON); the search starts from its parameter values.
    #[arg(long)]
    pub candidate: Option<PathBuf>,
    /// Free parameters, comma separated (default: the spec's); fitted in the
    /// model's order whatever the order here.
    #[arg(long, value_delimiter = ',')]
    pub free: Option<Vec<String>>,
    /// Evaluation budget per start (default: the spec's).
    #[arg(long)]
    pub evaluations: Option<usize>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// CMA-ES starts, seeds seed, seed+1, ... (default: the spec's).
    #[arg(long)]
    pub starts: Option<usize>,
    /// Nelder–Mead polish evaluations after the best start (0: none).
    #[arg(long)]
    pub polish: Option<usize>,
    /// CMA-ES population size (default 4 + floor(3 ln n)).
    #[arg(long)]
    pub population: Option<usize>,
    /// Where to write the fitted preset (RON); the spec goes beside it as
    /// `<out>.spec.ron`.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub common: Common,
}

/// Options shared by `compare` and `fit`.
#[derive(clap::Args, Debug)]
pub struct Common {
    /// The fit spec: `default`, `fsi` or a RON file (see specs/).
    #[arg(long, default_value = "default")]
    pub spec: String,
    /// A model file for the candidate instead of the built-in model it names.
    #[arg(long)]
    pub model_file: Option<PathBuf>,
    /// A model file for the reference preset.
    #[arg(long)]
    pub reference_model_file: Option<PathBuf>,
    /// Also write the candidate (for `fit`: the fitted one) as a CompNeuroPy
    /// snippet (Python) to this file.
    #[arg(long)]
    pub snippet: Option<PathBuf>,
    /// Also write the f–I curves as CSV to this file.
    #[arg(long)]
    pub fi_csv: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

fn load(path: &Path, model_file: Option<&Path>) -> Result<RunSpec> {
    let args = PresetArgs {
        preset: path.to_owned(),
        out: PathBuf::new(),
        set: Vec::new(),
        dt_ms: None,
        integrator: None,
        seed: None,
        model_file: model_file.map(Path::to_owned),
        force: false,
    };
    resolve_run(&args, None)
}

fn threads(common: &Common) -> Result<usize> {
    match common.threads {
        Some(0) => bail!(UsageError("--threads must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(crate::analysis::all_threads()),
    }
}

/// The spec, the reference target and the candidate preset.
fn inputs(
    common: &Common,
    reference: Option<&Path>,
    candidate: Option<&Path>,
) -> Result<(FitSpec, Target, RunSpec, String)> {
    let spec = FitSpec::load(&common.spec).map_err(|e| UsageError(e.to_string()))?;
    let Some(cand_path) = candidate
        .map(Path::to_owned)
        .or_else(|| spec.candidate.clone())
    else {
        bail!(UsageError(
            "no candidate: give a candidate preset or set `candidate` in the spec".into()
        ));
    };
    let cand = load(&cand_path, common.model_file.as_deref())?;
    let ref_path = reference
        .map(Path::to_owned)
        .or_else(|| match &spec.reference {
            Some(Reference::Preset(p)) => Some(p.clone()),
            _ => None,
        });
    let (ref_preset, ref_name) = match &ref_path {
        Some(p) => (
            Some(load(p, common.reference_model_file.as_deref())?),
            p.display().to_string(),
        ),
        None => (None, "the spec's recordings".to_owned()),
    };
    if let Some(r) = &ref_preset
        && let Some(w) =
            drive_unit_warning(&r.model, &cand.model, &spec.drive_param, spec.drive_factor)
    {
        eprintln!("warning: {w}");
    }
    let target = target_of(&spec, ref_preset).map_err(sweep_error)?;
    Ok((spec, target, cand, ref_name))
}

pub fn compare_cmd(args: &CompareArgs) -> Result<()> {
    let (r, c) = match args.presets.as_slice() {
        [r, c] => (Some(r.as_path()), Some(c.as_path())),
        [c] => (None, Some(c.as_path())),
        _ => (None, None),
    };
    let (spec, target, cand, _) = inputs(&args.common, r, c)?;
    let threads = threads(&args.common)?;
    let control = crate::analysis::Control::default();
    let (table, cand_resp, ref_resp) = match &target {
        Target::Preset(reference) => {
            let c = compare(reference, &cand, &spec, threads, &control).map_err(sweep_error)?;
            (c.table, Some(c.candidate), Some(c.reference))
        }
        Target::Recorded(_) => {
            let (t, _) =
                score_candidate(&target, &cand, &spec, threads, &control).map_err(sweep_error)?;
            (t, None, None)
        }
    };
    print!("{}", table.text());
    for line in table.summary_lines() {
        println!("{line}");
    }
    if let Some(path) = &args.common.snippet {
        write_table(path, &snippet(&cand, &cand.parameters))?;
    }
    if let (Some(path), Some(r), Some(c)) = (&args.common.fi_csv, &ref_resp, &cand_resp) {
        let drive = drive_column(&spec, &target, &cand);
        write_table(
            path,
            &fi_table(&drive, &[("reference", r), ("candidate", c)]),
        )?;
    }
    Ok(())
}

/// The spec with the command line's overrides.
fn effective_spec(args: &FitArgs, mut spec: FitSpec) -> Result<FitSpec> {
    if let Some(free) = &args.free {
        spec.free = free.iter().map(|s| FreeParam::named(s.trim())).collect();
    }
    let o = &mut spec.optimiser;
    if let Some(e) = args.evaluations {
        o.evaluations = e;
    }
    if let Some(s) = args.seed {
        o.seed = s;
    }
    if let Some(s) = args.starts {
        o.starts = s;
    }
    if let Some(p) = args.polish {
        o.polish_evaluations = p;
    }
    if args.population.is_some() {
        o.population = args.population;
    }
    spec.validate()
        .map_err(|e| UsageError(format!("{} (after the command-line options)", e)))?;
    Ok(spec)
}

pub fn fit_cmd(args: &FitArgs) -> Result<()> {
    let (spec, target, candidate, ref_name) = inputs(
        &args.common,
        args.reference.as_deref(),
        args.candidate.as_deref(),
    )?;
    let spec = effective_spec(args, spec)?;
    let threads = threads(&args.common)?;
    let control = crate::analysis::Control::default();
    let start = Instant::now();
    let mut shown = 0.0;
    let total = spec.optimiser.evaluations * spec.optimiser.starts;
    let result = fit(
        &target,
        &candidate,
        &spec,
        threads,
        &control,
        &mut |evals, best, _| {
            let t = start.elapsed().as_secs_f64();
            if t > shown + 1.0 {
                shown = t;
                eprint!("\r{evals}/{total} evaluations, best loss {best:.4}");
            }
        },
    )
    .map_err(sweep_error)?;
    let secs = start.elapsed().as_secs_f64();
    if secs > 1.0 {
        eprintln!();
    }
    let report = report_text(&result, &candidate, secs);
    print!("{report}");
    let mut preset = match args.candidate.as_deref().or(spec.candidate.as_deref()) {
        Some(p) => Preset::load(p).map_err(|e| UsageError(e.to_string()))?,
        None => bail!(UsageError("no candidate".into())),
    };
    let model = &candidate.model;
    for &i in &result.free {
        preset
            .parameters
            .insert(model.desc.parameters[i].name.clone(), result.parameters[i]);
    }
    let command: Vec<String> = std::env::args()
        .enumerate()
        .map(|(i, a)| if i == 0 { "neuron-explorer".into() } else { a })
        .collect();
    let spec_path = spec_path_of(&args.out);
    let header = format!(
        "// {} fitted to {} ({ref_name}) with CMA-ES by `neuron-explorer fit`:\n\
         // {}\n\
         // Spec `{}` (saved beside this file as {}); loss before: {}\n\
         // Loss after:  {}\n\
         //\n{}",
        model.id(),
        target_name(&target),
        command.join(" "),
        spec.name,
        spec_path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned()),
        result.before.breakdown(),
        result.after.breakdown(),
        comment(&report),
    );
    write_table(&args.out, &format!("{header}{}\n", preset.to_ron()))?;
    write_table(
        &spec_path,
        &format!(
            "// The fit spec of {}.\n{}\n",
            args.out.display(),
            spec.to_ron()
        ),
    )?;
    if let Some(path) = &args.common.snippet {
        write_table(path, &snippet(&candidate, &result.parameters))?;
    }
    if let (Some(path), Some(reference)) = (&args.common.fi_csv, &result.reference) {
        let runner = crate::analysis::protocols::Runner::new(
            &candidate,
            &spec,
            spec.drive_factor.unwrap_or(1.0),
            threads,
            &control,
        )
        .map_err(sweep_error)?;
        let amps = crate::analysis::compare::reference_amps(reference, 1.0);
        let sets = [candidate.parameters.clone(), result.parameters.clone()];
        let r = runner
            .responses_of(&sets, Some(&amps))
            .map_err(sweep_error)?;
        write_table(
            path,
            &fi_table(
                &drive_column(&spec, &target, &candidate),
                &[
                    ("reference", reference),
                    ("start", &r[0]),
                    ("fitted", &r[1]),
                ],
            ),
        )?;
    }
    Ok(())
}

/// `fitted.ron` → `fitted.spec.ron`.
pub fn spec_path_of(out: &Path) -> PathBuf {
    out.with_extension("spec.ron")
}

fn target_name(t: &Target) -> String {
    match t {
        Target::Preset(p) => p.model.id().to_owned(),
        Target::Recorded(r) => format!("{} recorded trace(s)", r.recordings.len()),
    }
}

fn comment(text: &str) -> String {
    text.lines().map(|l| format!("// {l}\n")).collect()
}

/// Before, the starts, the polish, after and the sensitivity, as printed and as
/// the fitted preset's provenance.
pub fn report_text(result: &FitResult, candidate: &RunSpec, secs: f64) -> String {
    let mut s = String::from("before:\n");
    s.push_str(&result.before.text());
    for l in result.before.summary_lines() {
        s.push_str(&format!("  {l}\n"));
    }
    s.push_str("starts:\n");
    for st in &result.starts {
        s.push_str(&format!(
            "  seed {}: loss {:.4} ({} evaluations)\n",
            st.seed, st.loss, st.evaluations
        ));
    }
    if let Some((a, b)) = result.polish {
        s.push_str(&format!("polish (Nelder-Mead): {a:.4} -> {b:.4}\n"));
    }
    if result.cancelled {
        s.push_str("CANCELLED: the best point found so far\n");
    }
    s.push_str(&format!(
        "after ({} evaluations, {secs:.1} s):\n",
        result.evaluations
    ));
    s.push_str(&result.after.text());
    for l in result.after.summary_lines() {
        s.push_str(&format!("  {l}\n"));
    }
    let names = &candidate.model.desc.parameters;
    let fitted: Vec<String> = result
        .free
        .iter()
        .map(|&i| format!("{}={}", names[i].name, result.parameters[i]))
        .collect();
    s.push_str(&format!("fitted: {}\n", fitted.join(", ")));
    if !result.sensitivity.is_empty() {
        s.push_str("sensitivity:\n");
        s.push_str(&sensitivity::text(&result.sensitivity));
    }
    s
}

/// The first column of an f–I table: the reference's drive parameter (the
/// candidate's when the reference is a recording).
fn drive_column(spec: &FitSpec, target: &Target, candidate: &RunSpec) -> String {
    match target {
        Target::Preset(r) => spec.drive_name(&r.model),
        Target::Recorded(_) => spec.drive_name(&candidate.model),
    }
}

/// The f–I curves side by side: `<drive>,<name>_rate_hz,<name>_first_spike_ms,...`,
/// with the drive parameter's name (e.g. `I_app`) first.
fn fi_table(drive: &str, curves: &[(&str, &Responses)]) -> String {
    let mut s = String::from(drive);
    for (name, _) in curves {
        s.push_str(&format!(",{name}_rate_hz,{name}_first_spike_ms"));
    }
    s.push('\n');
    let n = curves.first().map_or(0, |c| c.1.fi.len());
    for i in 0..n {
        crate::analysis::cell(&mut s, Some(curves[0].1.fi[i].value));
        for (_, r) in curves {
            s.push(',');
            crate::analysis::cell(&mut s, r.fi.get(i).map(|p| p.rate_hz));
            s.push(',');
            crate::analysis::cell(&mut s, r.fi.get(i).and_then(|p| p.first_spike_ms));
        }
        s.push('\n');
    }
    s
}
