//! Fitting a candidate model to a reference: CMA-ES over the spec's free
//! parameters, from several seeds, then an optional Nelder–Mead polish, then the
//! sensitivity of the loss to each parameter ([`super::sensitivity`]).
//!
//! * The free parameters are taken in the model's order (whatever order the spec
//!   lists them in), so a spec gives one result. Bounds are the spec's, else the
//!   sliders' ranges (widened to include the start). Parameters with a logarithmic
//!   slider are searched in log space.
//! * Search coordinates are scaled so that one unit is a natural first step: 0.15 in
//!   ln units for log parameters, else 10 % of the value, kept between 0.2 % and 5 %
//!   of the range. CMA-ES starts with σ = 1 and the identity covariance.
//! * Out-of-bounds samples are evaluated at the nearest point in the box and pay the
//!   squared distance to the box (in search units) on top of their loss.
//! * Start s (of `starts`) runs CMA-ES from the candidate's values with seed
//!   `seed + s` on a ChaCha8 generator ([`super::cmaes`]); every generation of every
//!   start is simulated together as the lanes of one engine per thread, so the
//!   starts run in parallel and the result does not depend on the thread count.
//!   Every start is reported; the best point is kept and polished.
//! * Cancelling keeps the best point so far (`cancelled` is set).

use super::cmaes::{Cmaes, seeded_rng};
use super::compare::reference_amps;
use super::fitspec::{FitSpec, Reference};
use super::objectives::{LossTable, loss_table};
use super::protocols::{Responses, Runner};
use super::sensitivity::{MOVES, SensitivityRow, moved, row};
use super::trace_ref::RecordedReference;
use super::{Control, SweepError};
use crate::sim::run::RunSpec;

/// What the reference is, ready to score candidates against.
pub enum Target {
    /// A preset, run under the spec's protocols.
    Preset(Box<RunSpec>),
    /// Recorded traces.
    Recorded(RecordedReference),
}

/// One CMA-ES start's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct StartReport {
    pub seed: u64,
    pub loss: f64,
    pub evaluations: usize,
    pub parameters: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct FitResult {
    /// Indices of the free parameters in the model (model order).
    pub free: Vec<usize>,
    /// The fitted candidate's full parameter vector (model order).
    pub parameters: Vec<f64>,
    pub before: LossTable,
    pub after: LossTable,
    pub starts: Vec<StartReport>,
    /// Loss before and after the Nelder–Mead polish, when it ran.
    pub polish: Option<(f64, f64)>,
    pub evaluations: usize,
    /// Best loss after each round of generations.
    pub history: Vec<f64>,
    pub sensitivity: Vec<SensitivityRow>,
    /// The reference's responses (preset references).
    pub reference: Option<Responses>,
    /// The fit was cancelled; `parameters` is the best point found until then.
    pub cancelled: bool,
}

/// One free parameter's mapping between model values and search coordinates.
#[derive(Clone, Debug)]
struct Coord {
    index: usize,
    log: bool,
    origin: f64,
    scale: f64,
    lo: f64,
    hi: f64,
    width: f64,
}

impl Coord {
    fn value(&self, x: f64) -> f64 {
        let u = self.origin + self.scale * x;
        if self.log { u.exp() } else { u }
    }
}

/// The free parameters of `spec` for `candidate`, in model order.
fn coords(spec: &FitSpec, candidate: &RunSpec) -> Result<Vec<Coord>, SweepError> {
    let model = &candidate.model;
    let mut out: Vec<Coord> = Vec::new();
    for fp in &spec.free {
        let i = super::require_param(model, &fp.name)?;
        if spec.drive_of(model) == Some(i) {
            return Err(SweepError::Usage(format!(
                "{} is driven by the protocols and cannot be free",
                fp.name
            )));
        }
        if out.iter().any(|c| c.index == i) {
            return Err(SweepError::Usage(format!("`{}` is listed twice", fp.name)));
        }
        let p = &model.desc.parameters[i];
        let v = candidate.parameters[i];
        let (min, max) = (
            fp.min.unwrap_or(p.range.min).min(v),
            fp.max.unwrap_or(p.range.max).max(v),
        );
        if !(min.is_finite() && max.is_finite() && min <= max) {
            return Err(SweepError::Usage(format!(
                "bounds of `{}` are not a range",
                fp.name
            )));
        }
        let log = p.range.log && min > 0.0;
        let width = (max - min).max(1e-12);
        let c = if log {
            let scale = 0.15;
            Coord {
                index: i,
                log,
                origin: v.ln(),
                scale,
                lo: (min.ln() - v.ln()) / scale,
                hi: (max.ln() - v.ln()) / scale,
                width,
            }
        } else {
            let scale = (0.1 * v.abs()).clamp(0.002 * width, 0.05 * width);
            Coord {
                index: i,
                log,
                origin: v,
                scale,
                lo: (min - v) / scale,
                hi: (max - v) / scale,
                width,
            }
        };
        out.push(c);
    }
    if out.is_empty() {
        return Err(SweepError::Usage("no free parameter".into()));
    }
    out.sort_by_key(|c| c.index);
    Ok(out)
}

/// Scores full parameter vectors of the candidate.
struct Scorer<'a> {
    spec: &'a FitSpec,
    reference: Option<Responses>,
    amps: Vec<Vec<f64>>,
    runner: Runner<'a>,
    recorded: Option<&'a RecordedReference>,
}

impl<'a> Scorer<'a> {
    fn new(
        target: &'a Target,
        candidate: &'a RunSpec,
        spec: &'a FitSpec,
        threads: usize,
        control: &'a Control,
    ) -> Result<Self, SweepError> {
        let factor = spec.drive_factor.unwrap_or(1.0);
        let runner = Runner::new(candidate, spec, factor, threads, control)?;
        Ok(match target {
            Target::Preset(p) => {
                let r = Runner::new(p, spec, 1.0, threads, control)?.responses(None)?;
                let amps = reference_amps(&r, 1.0);
                Self {
                    spec,
                    reference: Some(r),
                    amps,
                    runner,
                    recorded: None,
                }
            }
            Target::Recorded(rec) => Self {
                spec,
                reference: None,
                amps: Vec::new(),
                runner,
                recorded: Some(rec),
            },
        })
    }

    fn score(&self, sets: &[Vec<f64>]) -> Result<Vec<LossTable>, SweepError> {
        match (&self.reference, self.recorded) {
            (Some(r), _) => Ok(self
                .runner
                .responses_of(sets, Some(&self.amps))?
                .iter()
                .map(|c| loss_table(self.spec, r, c))
                .collect()),
            (None, Some(rec)) => rec.score(&self.runner, sets),
            (None, None) => Err(SweepError::Usage("no reference".into())),
        }
    }
}

/// The loss table of `candidate` (its own parameters) against `target`.
pub fn score_candidate(
    target: &Target,
    candidate: &RunSpec,
    spec: &FitSpec,
    threads: usize,
    control: &Control,
) -> Result<(LossTable, Option<Responses>), SweepError> {
    let scorer = Scorer::new(target, candidate, spec, threads, control)?;
    let t = scorer.score(std::slice::from_ref(&candidate.parameters))?;
    Ok((t.into_iter().next().unwrap_or_default(), scorer.reference))
}

/// Loads the spec's reference: a preset (`reference_preset`) or its recordings.
pub fn target_of(spec: &FitSpec, reference_preset: Option<RunSpec>) -> Result<Target, SweepError> {
    match (&spec.reference, reference_preset) {
        (_, Some(p)) => Ok(Target::Preset(Box::new(p))),
        (Some(Reference::Recorded(rs)), None) => Ok(Target::Recorded(RecordedReference::load(rs)?)),
        _ => Err(SweepError::Usage(
            "no reference: give a reference preset or a spec with recorded traces".into(),
        )),
    }
}

/// Minimises the loss of `candidate` against `target` over the spec's free
/// parameters. `on_progress(evaluations, best_loss, best_parameters)` is called
/// after every round of generations.
pub fn fit(
    target: &Target,
    candidate: &RunSpec,
    spec: &FitSpec,
    threads: usize,
    control: &Control,
    on_progress: &mut dyn FnMut(usize, f64, &[f64]),
) -> Result<FitResult, SweepError> {
    spec.validate().map_err(SweepError::Usage)?;
    let coords = coords(spec, candidate)?;
    let scorer = Scorer::new(target, candidate, spec, threads, control)?;
    let base = candidate.parameters.clone();
    let search = Search {
        coords: &coords,
        base: &base,
        scorer: &scorer,
    };
    let n = coords.len();
    let start = vec![0.0; n];
    let (f0, before) = search.evaluate(std::slice::from_ref(&start))?.remove(0);
    let mut best = Best {
        loss: f0,
        x: start.clone(),
        table: before.clone(),
    };
    let opt = &spec.optimiser;
    let lambda = opt
        .population
        .unwrap_or(4 + (3.0 * (n as f64).ln()).floor() as usize)
        .max(4);
    let mut runs: Vec<StartRun> = (0..opt.starts)
        .map(|s| StartRun {
            seed: opt.seed.wrapping_add(s as u64),
            es: Cmaes::new(start.clone(), opt.initial_sigma.unwrap_or(1.0), lambda),
            rng: seeded_rng(opt.seed.wrapping_add(s as u64)),
            best: Best {
                loss: f0,
                x: start.clone(),
                table: before.clone(),
            },
            evaluations: 1,
            done: false,
        })
        .collect();
    let mut history = Vec::new();
    let mut evaluations = 1;
    let mut cancelled = false;
    loop {
        let active: Vec<usize> = (0..runs.len())
            .filter(|&s| !runs[s].done && runs[s].evaluations + lambda <= opt.evaluations)
            .collect();
        if active.is_empty() {
            break;
        }
        let xs: Vec<Vec<f64>> = active
            .iter()
            .flat_map(|&s| {
                let r = &mut runs[s];
                r.es.ask(&mut r.rng)
            })
            .collect();
        let scored = match search.evaluate(&xs) {
            Ok(v) => v,
            Err(SweepError::Cancelled) => {
                cancelled = true;
                break;
            }
            Err(e) => return Err(e),
        };
        evaluations += xs.len();
        for (k, &s) in active.iter().enumerate() {
            let r = &mut runs[s];
            let part = k * lambda..(k + 1) * lambda;
            for (x, (f, t)) in xs[part.clone()].iter().zip(&scored[part.clone()]) {
                if *f < r.best.loss {
                    r.best = Best {
                        loss: *f,
                        x: x.clone(),
                        table: t.clone(),
                    };
                }
            }
            let losses: Vec<f64> = scored[part.clone()].iter().map(|(f, _)| *f).collect();
            r.es.tell(&xs[part], &losses);
            r.evaluations += lambda;
            r.done = r.es.sigma < 1e-8;
            if r.best.loss < best.loss {
                best = r.best.clone();
            }
        }
        history.push(best.loss);
        on_progress(evaluations, best.loss, &search.params(&best.x));
    }
    let mut polish = None;
    if !cancelled && opt.polish_evaluations > 1 {
        let before_polish = best.loss;
        let mut f = |x: &[f64]| search.evaluate(&[x.to_vec()]).map(|mut v| v.remove(0).0);
        let step = 0.5 * opt.initial_sigma.unwrap_or(1.0);
        match super::nelder_mead::minimise(&mut f, &best.x, step, opt.polish_evaluations) {
            Ok((x, _, evals)) => {
                evaluations += evals;
                if let Some((fx, t)) = search
                    .evaluate(std::slice::from_ref(&x))?
                    .into_iter()
                    .next()
                    && fx < best.loss
                {
                    best = Best {
                        loss: fx,
                        x,
                        table: t,
                    };
                }
                polish = Some((before_polish, best.loss));
                history.push(best.loss);
            }
            Err(SweepError::Cancelled) => cancelled = true,
            Err(e) => return Err(e),
        }
    }
    let parameters = search.params(&best.x);
    let sensitivity = if cancelled {
        Vec::new()
    } else {
        sensitivity(&scorer, candidate, &coords, &parameters, best.table.loss)?
    };
    Ok(FitResult {
        free: coords.iter().map(|c| c.index).collect(),
        parameters,
        before,
        after: best.table,
        starts: runs
            .iter()
            .map(|r| StartReport {
                seed: r.seed,
                loss: r.best.loss,
                evaluations: r.evaluations,
                parameters: search.params(&r.best.x),
            })
            .collect(),
        polish,
        evaluations,
        history,
        sensitivity,
        reference: scorer.reference.clone(),
        cancelled,
    })
}

#[derive(Clone)]
struct Best {
    loss: f64,
    x: Vec<f64>,
    table: LossTable,
}

struct StartRun {
    seed: u64,
    es: Cmaes,
    rng: rand_chacha::ChaCha8Rng,
    best: Best,
    evaluations: usize,
    done: bool,
}

/// Search coordinates → parameters → penalised loss.
struct Search<'a> {
    coords: &'a [Coord],
    base: &'a [f64],
    scorer: &'a Scorer<'a>,
}

impl Search<'_> {
    fn params(&self, x: &[f64]) -> Vec<f64> {
        let mut v = self.base.to_vec();
        for (c, &xi) in self.coords.iter().zip(x) {
            // The origin is the start value exactly (exp(ln v) may differ from v).
            let xi = xi.clamp(c.lo, c.hi);
            if xi != 0.0 {
                v[c.index] = c.value(xi);
            }
        }
        v
    }

    fn penalty(&self, x: &[f64]) -> f64 {
        self.coords
            .iter()
            .zip(x)
            .map(|(c, &xi)| (xi - xi.clamp(c.lo, c.hi)).powi(2))
            .sum()
    }

    fn evaluate(&self, xs: &[Vec<f64>]) -> Result<Vec<(f64, LossTable)>, SweepError> {
        let sets: Vec<Vec<f64>> = xs.iter().map(|x| self.params(x)).collect();
        let tables = self.scorer.score(&sets)?;
        Ok(tables
            .into_iter()
            .zip(xs)
            .map(|(t, x)| {
                let f = t.loss + self.penalty(x);
                (if f.is_nan() { f64::INFINITY } else { f }, t)
            })
            .collect())
    }
}

/// The sensitivity table at `parameters` (all moves scored in one batch).
fn sensitivity(
    scorer: &Scorer,
    candidate: &RunSpec,
    coords: &[Coord],
    parameters: &[f64],
    loss0: f64,
) -> Result<Vec<SensitivityRow>, SweepError> {
    let mut sets = Vec::new();
    for c in coords {
        for m in MOVES {
            let mut p = parameters.to_vec();
            p[c.index] = moved(parameters[c.index], c.width, m);
            sets.push(p);
        }
    }
    let tables = scorer.score(&sets)?;
    let names = &candidate.model.desc.parameters;
    Ok(coords
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let l = |j: usize| tables[4 * k + j].loss;
            row(
                &names[c.index].name,
                parameters[c.index],
                loss0,
                [l(0), l(1), l(2), l(3)],
            )
        })
        .collect())
}
