//! The fit specification as data: what the candidate is compared with (a reference
//! preset or recorded traces), which parameters are free, the protocols, the
//! objectives with their weights and scales, the drive-unit factor and the optimiser
//! settings. One RON file (`--spec FILE`, edited in the Compare tab, saved beside
//! every fit result) describes a comparison completely.
//!
//! Two specs are built in: [`FitSpec::default_spec`] (`default`), the protocols and
//! loss this project used before specs existed (same numbers), and
//! [`FitSpec::fsi_spec`] (`fsi`), which adds the near-threshold steps and the
//! steady-state I–V that make a striatal FSI an FSI. Both ship as files in `specs/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::CompiledModel;

/// A complete fit specification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitSpec {
    /// A short name shown in tables and provenance.
    #[serde(default)]
    pub name: String,
    /// The reference; `None` when given on the command line or in the GUI.
    #[serde(default)]
    pub reference: Option<Reference>,
    /// The candidate preset; `None` when given on the command line or in the GUI.
    #[serde(default)]
    pub candidate: Option<PathBuf>,
    /// The parameter the protocols drive; empty (the default) means each model's
    /// own drive parameter (`model::roles`), so models whose inputs are named
    /// differently can be compared.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub drive_param: String,
    /// Candidate drive = factor × reference drive (e.g. a membrane area for
    /// µA/cm² → pA). `None` means "not stated": the numbers pass unchanged and a
    /// warning is shown when the two models' drive units differ.
    #[serde(default)]
    pub drive_factor: Option<f64>,
    /// The free parameters; fitted in the model's parameter order whatever the
    /// order here.
    #[serde(default)]
    pub free: Vec<FreeParam>,
    #[serde(default)]
    pub fi: Option<FiProtocol>,
    #[serde(default)]
    pub steps: Vec<StepProtocol>,
    #[serde(default)]
    pub iv: Option<IvProtocol>,
    #[serde(default)]
    pub rest: Option<RestProtocol>,
    #[serde(default)]
    pub optimiser: Optimiser,
}

/// Index of the driven parameter `drive_param` in `model`; empty means the model's
/// own drive parameter.
pub fn drive_index(model: &CompiledModel, drive_param: &str) -> Option<usize> {
    if drive_param.is_empty() {
        model.drive_param()
    } else {
        model.param_index(drive_param)
    }
}

/// What the candidate is compared with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reference {
    /// A preset (any model), run under the protocols like the candidate.
    Preset(PathBuf),
    /// Recorded traces: the protocols of the spec do not apply (the reference
    /// cannot be rerun); each recording is its own protocol.
    Recorded(Vec<Recording>),
}

/// One recorded trace: a CSV with a header naming `t` (ms) and `v` (mV), and
/// optionally the applied current and a `spike` column (1 where a spike ended the
/// step, as this program exports). Without a spike column, spikes are upward
/// crossings of `spike_threshold_mv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    pub csv: PathBuf,
    /// The column holding the membrane potential (mV); `None`: CompNeuroPy's name,
    /// `v` (an export of a model whose membrane is `V` names its column `V`).
    #[serde(default)]
    pub voltage_column: Option<String>,
    /// The column holding the applied current (reference units), if recorded.
    #[serde(default)]
    pub current_column: Option<String>,
    /// Otherwise the stimulus as (t_ms, value) changes, the drive being 0 before
    /// the first.
    #[serde(default)]
    pub current_steps: Vec<(f64, f64)>,
    #[serde(default = "default_threshold")]
    pub spike_threshold_mv: f64,
    /// Coincidence window Δ of Γ (ms).
    #[serde(default = "default_delta")]
    pub gamma_delta_ms: f64,
    pub objectives: Vec<Objective>,
}

impl Recording {
    /// The header of the membrane potential column.
    pub fn voltage_column(&self) -> &str {
        self.voltage_column
            .as_deref()
            .unwrap_or(crate::model::roles::MEMBRANE_VAR)
    }
}

fn default_threshold() -> f64 {
    0.0
}

fn default_delta() -> f64 {
    2.0
}

/// A free parameter; bounds default to the model's slider range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeParam {
    pub name: String,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
}

impl FreeParam {
    pub fn named(name: &str) -> Self {
        Self {
            name: name.into(),
            min: None,
            max: None,
        }
    }
}

/// How much one error counts: contribution = weight × error / scale.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub weight: f64,
    pub scale: f64,
}

impl Term {
    pub const fn new(weight: f64, scale: f64) -> Self {
        Self { weight, scale }
    }
}

/// The f–I grid: the drive held from t = 0 at each value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiProtocol {
    /// Grid values (reference units).
    pub values: Vec<f64>,
    pub duration_ms: f64,
    /// The rate counts spikes in [transient_ms, duration_ms).
    pub transient_ms: f64,
    /// Bisection tolerance of the rheobase.
    pub rheobase_tol: f64,
    /// RMSE of the rates (Hz).
    pub rate: Option<Term>,
    /// RMSE of the first-spike latencies (ms; a silent model counts as firing at
    /// the end of the run).
    pub latency: Option<Term>,
    /// |R_ref − R_cand| (reference units).
    pub rheobase: Option<Term>,
}

/// A step amplitude: absolute (reference units) or relative to the reference's
/// refined rheobase (rounded to 0.01).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Amp {
    Abs(f64),
    Rel(f64),
}

/// A group of current steps, all with the same timing and objectives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepProtocol {
    pub name: String,
    pub amps: Vec<Amp>,
    pub on_ms: f64,
    /// `None`: held to the end of the run.
    #[serde(default)]
    pub off_ms: Option<f64>,
    pub duration_ms: f64,
    /// Spikes outside [from, to) are ignored by every objective (`None`: the whole
    /// run); Γ's chance rate ν is taken over this window.
    #[serde(default)]
    pub count_window_ms: Option<(f64, f64)>,
    #[serde(default = "default_delta")]
    pub gamma_delta_ms: f64,
    /// Each objective's error is averaged over the amplitudes.
    pub objectives: Vec<Objective>,
}

/// A feature of a spike train (or trace) compared between the models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    /// Coincidence factor; error 1 − Γ.
    Gamma,
    /// Number of spikes.
    SpikeCount,
    /// Time of the first spike (ms; silent = end of the window).
    FirstSpike,
    /// Time of the second spike (ms; missing = end of the window): the pause of a
    /// delayed-tonic cell.
    SecondSpike,
    /// Spikes per second over the window.
    Rate,
    /// Coefficient of variation of the ISIs (0 with fewer than three spikes).
    IsiCv,
    /// eFEL's adaptation index (`features::adaptation_index`; 0 with fewer than
    /// four spikes): positive when firing slows down.
    AdaptationIndex,
    /// Longest ISI / median ISI (1 with fewer than three spikes): large for a
    /// pause, ~1 for tonic firing.
    MaxIsiRatio,
    /// Subthreshold trace distance (recordings only): RMS of the v difference
    /// outside ±5 ms of every spike of either trace (mV).
    SubthresholdV,
    /// Mean action-potential peak over the window's spikes (mV; eFEL
    /// `peak_voltage`, `docs/features.md`). Undefined, and skipped with a note,
    /// when either model's spike is a reset of v (Izhikevich: the trace never
    /// holds the peak) or a model has no spike in the window.
    ApPeak,
    /// Mean AP half-width (ms; eFEL `AP_duration_half_width`); undefined as
    /// [`Feature::ApPeak`] is (a reset cuts the falling phase).
    ApHalfWidth,
    /// Mean AHP depth (mV): the minimum of v between consecutive AP peaks minus
    /// the resting potential of the window (eFEL `AHP_depth`; negative below
    /// rest). Defined for reset models too (the trough after the reset); needs two
    /// spikes and 5 ms of baseline before the first.
    AhpDepth,
}

impl Feature {
    pub fn label(self) -> &'static str {
        match self {
            Self::Gamma => "gamma",
            Self::SpikeCount => "spike count",
            Self::FirstSpike => "first spike (ms)",
            Self::SecondSpike => "second spike (ms)",
            Self::Rate => "rate (Hz)",
            Self::IsiCv => "ISI CV",
            Self::MaxIsiRatio => "max/median ISI",
            Self::AdaptationIndex => "adaptation index",
            Self::SubthresholdV => "subthreshold v RMS (mV)",
            Self::ApPeak => "AP peak (mV)",
            Self::ApHalfWidth => "AP half-width (ms)",
            Self::AhpDepth => "AHP depth (mV)",
        }
    }

    /// A feature of the voltage trace's action potentials (needs v recorded).
    pub fn is_ap_shape(self) -> bool {
        matches!(self, Self::ApPeak | Self::ApHalfWidth | Self::AhpDepth)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    pub feature: Feature,
    pub weight: f64,
    pub scale: f64,
}

/// Steady-state I–V under the generic voltage clamp; error = RMSE of the steady
/// currents (reference units, candidate divided by the drive factor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IvProtocol {
    pub from_mv: f64,
    pub to_mv: f64,
    pub step_mv: f64,
    pub hold_ms: f64,
    pub term: Term,
}

/// Resting potential: v at the end of an undriven run; error |Δv| (mV).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestProtocol {
    pub duration_ms: f64,
    pub term: Term,
}

/// CMA-ES from the candidate's values, `starts` times with seeds seed, seed+1, …
/// (all reported, best kept), then optionally Nelder–Mead from the best.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Optimiser {
    /// Evaluation budget per start (the starting point included).
    pub evaluations: usize,
    pub seed: u64,
    pub starts: usize,
    /// CMA-ES population (default 4 + ⌊3 ln n⌋).
    #[serde(default)]
    pub population: Option<usize>,
    /// Nelder–Mead evaluations after the best start (0: no polish).
    #[serde(default)]
    pub polish_evaluations: usize,
    /// CMA-ES's initial step in search units (default 1: ~10 % of a value, 15 % in
    /// log space); smaller for a local refinement.
    #[serde(default)]
    pub initial_sigma: Option<f64>,
}

impl Default for Optimiser {
    fn default() -> Self {
        Self {
            evaluations: 2000,
            seed: 1,
            starts: 1,
            population: None,
            polish_evaluations: 0,
            initial_sigma: None,
        }
    }
}

/// A spec that cannot be used, with the file and field to fix.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct SpecError {
    pub file: String,
    pub message: String,
}

const DEFAULT_RON: &str = include_str!("../../specs/default.ron");
const FSI_RON: &str = include_str!("../../specs/fsi.ron");

impl FitSpec {
    /// Today's comparison: f–I grid 0..20 (600 ms, rate from 100 ms), rheobase,
    /// Γ on steps R+1, R+3, R+6 from 100 to 500 ms; loss = f–I RMSE/10 Hz +
    /// latency RMSE/5 ms + mean(1 − Γ) + rheobase difference.
    pub fn default_spec() -> Self {
        // The shipped text is checked by a unit test; a broken build fails there.
        Self::parse("specs/default.ron", DEFAULT_RON).unwrap_or_else(|_| Self::empty())
    }

    /// `default` plus near-threshold steps held from t = 0 for 1 s and the
    /// steady-state I–V from −90 to −50 mV and the resting potential.
    pub fn fsi_spec() -> Self {
        Self::parse("specs/fsi.ron", FSI_RON).unwrap_or_else(|_| Self::empty())
    }

    fn empty() -> Self {
        Self {
            name: String::new(),
            reference: None,
            candidate: None,
            drive_param: String::new(),
            drive_factor: None,
            free: Vec::new(),
            fi: None,
            steps: Vec::new(),
            iv: None,
            rest: None,
            optimiser: Optimiser::default(),
        }
    }

    /// A built-in spec by name (`default`, `fsi`).
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "default" => Some(Self::default_spec()),
            "fsi" => Some(Self::fsi_spec()),
            _ => None,
        }
    }

    /// Parses RON; `file` names the source in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, SpecError> {
        let spec: Self = ron::Options::default()
            .from_str(text)
            .map_err(|e| SpecError {
                file: file.into(),
                message: format!(
                    "line {}: {} (see specs/default.ron for every field)",
                    e.position.line, e.code
                ),
            })?;
        spec.validate().map_err(|message| SpecError {
            file: file.into(),
            message,
        })?;
        Ok(spec)
    }

    /// A built-in name or a file; relative paths inside a file are taken from the
    /// file's folder.
    pub fn load(name_or_path: &str) -> Result<Self, SpecError> {
        if let Some(s) = Self::builtin(name_or_path) {
            return Ok(s);
        }
        let path = Path::new(name_or_path);
        let max = crate::io::preset::MAX_PRESET_BYTES;
        let text = crate::io::read::read_text_limited(path, max).map_err(|e| SpecError {
            file: name_or_path.into(),
            message: format!("cannot read: {e} (built-in specs: default, fsi)"),
        })?;
        let mut spec = Self::parse(name_or_path, &text)?;
        spec.rebase(path.parent().unwrap_or(Path::new("")));
        Ok(spec)
    }

    fn rebase(&mut self, dir: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        };
        if let Some(c) = self.candidate.as_mut() {
            join(c);
        }
        match self.reference.as_mut() {
            Some(Reference::Preset(p)) => join(p),
            Some(Reference::Recorded(rs)) => rs.iter_mut().for_each(|r| join(&mut r.csv)),
            None => {}
        }
    }

    /// Pretty RON, as saved beside results.
    pub fn to_ron(&self) -> String {
        let cfg = ron::ser::PrettyConfig::new().struct_names(false);
        ron::ser::to_string_pretty(self, cfg)
            .unwrap_or_else(|e| format!("// cannot serialise spec: {e}"))
    }

    /// Every number finite and in range, every list bounded.
    pub fn validate(&self) -> Result<(), String> {
        let pos = |x: f64, what: &str| -> Result<(), String> {
            if x.is_finite() && x > 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "field `{what}`: must be a positive number, got {x}"
                ))
            }
        };
        let term = |t: &Term, what: &str| -> Result<(), String> {
            if !(t.weight.is_finite() && t.weight >= 0.0) {
                return Err(format!("field `{what}.weight`: must be >= 0"));
            }
            pos(t.scale, &format!("{what}.scale"))
        };
        if let Some(f) = self.drive_factor {
            pos(f, "drive_factor")?;
        }
        if let Some(fi) = &self.fi {
            if fi.values.is_empty() || fi.values.len() > 1000 {
                return Err("field `fi.values`: 1 to 1000 values".into());
            }
            if fi.values.iter().any(|v| !v.is_finite()) {
                return Err("field `fi.values`: must be finite".into());
            }
            pos(fi.duration_ms, "fi.duration_ms")?;
            pos(fi.rheobase_tol, "fi.rheobase_tol")?;
            if !(fi.transient_ms >= 0.0 && fi.transient_ms < fi.duration_ms) {
                return Err("field `fi.transient_ms`: must be in [0, duration_ms)".into());
            }
            for (t, n) in [
                (&fi.rate, "rate"),
                (&fi.latency, "latency"),
                (&fi.rheobase, "rheobase"),
            ] {
                if let Some(t) = t {
                    term(t, &format!("fi.{n}"))?;
                }
            }
        }
        if self.steps.len() > 20 {
            return Err("field `steps`: at most 20 step groups".into());
        }
        for s in &self.steps {
            let at = format!("steps[{}]", s.name);
            pos(s.duration_ms, &format!("{at}.duration_ms"))?;
            pos(s.gamma_delta_ms, &format!("{at}.gamma_delta_ms"))?;
            if s.amps.is_empty() || s.amps.len() > 50 {
                return Err(format!("field `{at}.amps`: 1 to 50 amplitudes"));
            }
            if s.amps.iter().any(|a| match a {
                Amp::Abs(x) | Amp::Rel(x) => !x.is_finite(),
            }) {
                return Err(format!("field `{at}.amps`: must be finite"));
            }
            let off = s.off_ms.unwrap_or(s.duration_ms);
            if !(s.on_ms >= 0.0 && s.on_ms < off && off <= s.duration_ms) {
                return Err(format!(
                    "field `{at}`: need 0 <= on_ms < off_ms <= duration_ms"
                ));
            }
            if let Some((a, b)) = s.count_window_ms
                && !(a >= 0.0 && a < b && b <= s.duration_ms)
            {
                return Err(format!(
                    "field `{at}.count_window_ms`: need 0 <= from < to <= duration_ms"
                ));
            }
            for o in &s.objectives {
                term(&Term::new(o.weight, o.scale), &format!("{at}.objectives"))?;
                if o.feature == Feature::SubthresholdV {
                    return Err(format!(
                        "field `{at}.objectives`: SubthresholdV is for recordings only"
                    ));
                }
            }
        }
        if let Some(iv) = &self.iv {
            pos(iv.hold_ms, "iv.hold_ms")?;
            pos(iv.step_mv, "iv.step_mv")?;
            if !(iv.from_mv.is_finite() && iv.to_mv >= iv.from_mv) {
                return Err("field `iv`: need from_mv <= to_mv".into());
            }
            term(&iv.term, "iv.term")?;
        }
        if let Some(r) = &self.rest {
            pos(r.duration_ms, "rest.duration_ms")?;
            term(&r.term, "rest.term")?;
        }
        if let Some(Reference::Recorded(rs)) = &self.reference {
            if rs.is_empty() || rs.len() > 100 {
                return Err("field `reference`: 1 to 100 recordings".into());
            }
            for r in rs {
                pos(r.gamma_delta_ms, "reference.gamma_delta_ms")?;
                for o in &r.objectives {
                    term(&Term::new(o.weight, o.scale), "reference.objectives")?;
                }
            }
        }
        let o = &self.optimiser;
        if o.evaluations < 2 || o.evaluations > 10_000_000 {
            return Err("field `optimiser.evaluations`: 2 to 10000000".into());
        }
        if o.initial_sigma
            .is_some_and(|s| !(s.is_finite() && s > 0.0 && s <= 100.0))
        {
            return Err("field `optimiser.initial_sigma`: a number in (0, 100]".into());
        }
        if o.starts == 0 || o.starts > 64 {
            return Err("field `optimiser.starts`: 1 to 64".into());
        }
        if o.population.is_some_and(|p| !(4..=10_000).contains(&p)) {
            return Err("field `optimiser.population`: 4 to 10000".into());
        }
        if self.free.len() > 64 {
            return Err("field `free`: at most 64 parameters".into());
        }
        Ok(())
    }

    /// Index of the parameter the protocols drive in `model`: the one the spec
    /// names, else the model's drive.
    pub fn drive_of(&self, model: &CompiledModel) -> Option<usize> {
        drive_index(model, &self.drive_param)
    }

    /// The name of the driven parameter in `model`, for messages (the spec's name
    /// when the model lacks it).
    pub fn drive_name(&self, model: &CompiledModel) -> String {
        self.drive_of(model).map_or_else(
            || self.drive_param.clone(),
            |i| model.desc.parameters[i].name.clone(),
        )
    }

    /// A key that changes whenever anything in the spec does (results are keyed to
    /// it so they cannot be applied to another spec).
    pub fn key(&self) -> String {
        self.to_ron()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_specs_parse_and_round_trip() {
        for (name, text) in [("default", DEFAULT_RON), ("fsi", FSI_RON)] {
            let s = FitSpec::parse(name, text).unwrap();
            let again = FitSpec::parse(name, &s.to_ron()).unwrap();
            assert_eq!(s, again);
        }
        assert!(FitSpec::fsi_spec().iv.is_some());
    }

    #[test]
    fn bad_specs_name_the_field() {
        let e = FitSpec::parse("x.ron", "(optimiser: (evaluations: 1, seed: 1, starts: 1))")
            .unwrap_err();
        assert!(e.to_string().contains("optimiser.evaluations"), "{e}");
        let e = FitSpec::parse("x.ron", "(nonsense: 1)").unwrap_err();
        assert!(e.to_string().contains("x.ron: line 1"), "{e}");
    }
}
