//! Every stimulus waveform's fields, described once: the preset key, the editor's
//! label, the unit, the rule a value must meet and the value a new waveform starts
//! with. Validation ([`validate`]), the stimulus editor (`ui::stimulus`) and new
//! waveforms all loop over [`WAVEFORMS`]; the preset keys are the serde names of
//! [`Waveform`]'s fields, and a test checks they are exactly the table's keys.

use super::stimulus::Waveform;

/// What a field's value must satisfy (besides being a finite number when set).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// Any finite number.
    Finite,
    /// Greater than zero.
    Positive,
    /// Zero or more.
    NonNegative,
    /// Greater than the field with this key (a ramp's end after its start).
    After(&'static str),
}

/// The value a new waveform's field starts with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Start {
    Value(f64),
    /// A tenth of the target parameter's slider span: an amplitude that shows.
    Scale,
    /// Unset (an optional field: a step that never ends, pulses without a count).
    Unset,
}

/// One field of a waveform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field {
    /// The key in a preset's `waveform: Kind(key: value, ...)`.
    pub key: &'static str,
    /// The editor's label.
    pub label: &'static str,
    /// `ms`, `Hz`, `°`, or [`TARGET_UNIT`] for the target parameter's unit.
    pub unit: &'static str,
    pub rule: Rule,
    /// `Option` in the preset; the editor shows unset as ∞.
    pub optional: bool,
    /// A whole number (a count).
    pub integer: bool,
    pub start: Start,
}

/// The unit of fields in the target parameter's unit (amplitudes, offsets).
pub const TARGET_UNIT: &str = "";

/// One waveform kind: its name in presets, in the editor, and its fields.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kind {
    /// The variant name in presets (`Step(...)`).
    pub name: &'static str,
    /// The editor's name.
    pub label: &'static str,
    pub fields: &'static [Field],
}

const fn num(
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    rule: Rule,
    start: Start,
) -> Field {
    Field {
        key,
        label,
        unit,
        rule,
        optional: false,
        integer: false,
        start,
    }
}

const fn optional(field: Field, integer: bool) -> Field {
    Field {
        optional: true,
        integer,
        ..field
    }
}

use Rule::{After, Finite, NonNegative, Positive};
use Start::{Scale, Unset, Value};

/// The waveforms, in the editor's order; field order is the preset's.
pub const WAVEFORMS: [Kind; 6] = [
    Kind {
        name: "Constant",
        label: "constant",
        fields: &[num("value", "value", TARGET_UNIT, Finite, Scale)],
    },
    Kind {
        name: "Step",
        label: "step",
        fields: &[
            num("start_ms", "from", "ms", Finite, Value(100.0)),
            optional(num("end_ms", "to", "ms", Finite, Value(600.0)), false),
            num("amplitude", "amplitude", TARGET_UNIT, Finite, Scale),
        ],
    },
    Kind {
        name: "Pulses",
        label: "pulses",
        fields: &[
            num("start_ms", "start", "ms", Finite, Value(100.0)),
            num("width_ms", "width", "ms", NonNegative, Value(5.0)),
            num("period_ms", "period", "ms", Positive, Value(50.0)),
            num("amplitude", "amplitude", TARGET_UNIT, Finite, Scale),
            optional(num("count", "count", "", NonNegative, Unset), true),
        ],
    },
    Kind {
        name: "Ramp",
        label: "ramp",
        fields: &[
            num("start_ms", "from", "ms", Finite, Value(0.0)),
            num("end_ms", "to", "ms", After("start_ms"), Value(1000.0)),
            num("from", "start value", TARGET_UNIT, Finite, Value(0.0)),
            num("to", "end value", TARGET_UNIT, Finite, Scale),
        ],
    },
    Kind {
        name: "Sine",
        label: "sine",
        fields: &[
            num("amplitude", "amplitude", TARGET_UNIT, Finite, Scale),
            num("frequency_hz", "f", "Hz", Finite, Value(5.0)),
            num("phase_deg", "phase", "°", Finite, Value(0.0)),
            num("offset", "offset", TARGET_UNIT, Finite, Value(0.0)),
        ],
    },
    Kind {
        name: "Noise",
        label: "noise",
        fields: &[
            num("mean", "mean", TARGET_UNIT, Finite, Value(0.0)),
            num("sigma", "σ", TARGET_UNIT, NonNegative, Scale),
            num("tau_ms", "τ", "ms", Positive, Value(5.0)),
        ],
    },
];

impl Waveform {
    /// Index of this waveform's kind in [`WAVEFORMS`].
    pub fn kind_index(&self) -> usize {
        match self {
            Waveform::Constant { .. } => 0,
            Waveform::Step { .. } => 1,
            Waveform::Pulses { .. } => 2,
            Waveform::Ramp { .. } => 3,
            Waveform::Sine { .. } => 4,
            Waveform::Noise { .. } => 5,
        }
    }

    /// The kind's description.
    pub fn kind(&self) -> &'static Kind {
        &WAVEFORMS[self.kind_index()]
    }

    /// The field values in the order of [`Kind::fields`] (`None`: an unset optional).
    pub fn values(&self) -> Vec<Option<f64>> {
        match *self {
            Waveform::Constant { value } => vec![Some(value)],
            Waveform::Step {
                start_ms,
                end_ms,
                amplitude,
            } => vec![Some(start_ms), end_ms, Some(amplitude)],
            Waveform::Pulses {
                start_ms,
                width_ms,
                period_ms,
                amplitude,
                count,
            } => vec![
                Some(start_ms),
                Some(width_ms),
                Some(period_ms),
                Some(amplitude),
                count.map(f64::from),
            ],
            Waveform::Ramp {
                start_ms,
                end_ms,
                from,
                to,
            } => vec![Some(start_ms), Some(end_ms), Some(from), Some(to)],
            Waveform::Sine {
                amplitude,
                frequency_hz,
                phase_deg,
                offset,
            } => vec![
                Some(amplitude),
                Some(frequency_hz),
                Some(phase_deg),
                Some(offset),
            ],
            Waveform::Noise {
                mean,
                sigma,
                tau_ms,
            } => vec![Some(mean), Some(sigma), Some(tau_ms)],
        }
    }

    /// A waveform of kind `kind` (index into [`WAVEFORMS`]) from values in field
    /// order; a missing or unset required value reads 0, a count is rounded and
    /// clamped to a whole number.
    pub fn from_values(kind: usize, values: &[Option<f64>]) -> Waveform {
        let at = |k: usize| values.get(k).copied().flatten();
        let num = |k: usize| at(k).unwrap_or(0.0);
        match kind {
            0 => Waveform::Constant { value: num(0) },
            1 => Waveform::Step {
                start_ms: num(0),
                end_ms: at(1).filter(|e| e.is_finite()),
                amplitude: num(2),
            },
            2 => Waveform::Pulses {
                start_ms: num(0),
                width_ms: num(1),
                period_ms: num(2),
                amplitude: num(3),
                count: at(4)
                    .filter(|c| c.is_finite())
                    .map(|c| c.round().clamp(0.0, f64::from(u32::MAX)) as u32),
            },
            3 => Waveform::Ramp {
                start_ms: num(0),
                end_ms: num(1),
                from: num(2),
                to: num(3),
            },
            4 => Waveform::Sine {
                amplitude: num(0),
                frequency_hz: num(1),
                phase_deg: num(2),
                offset: num(3),
            },
            _ => Waveform::Noise {
                mean: num(0),
                sigma: num(1),
                tau_ms: num(2),
            },
        }
    }

    /// A new waveform of kind `kind` with each field's start value; `scale` is a
    /// tenth of the target's slider span.
    pub fn new_of_kind(kind: usize, scale: f64) -> Waveform {
        let fields = WAVEFORMS.get(kind).map_or(&[][..], |k| k.fields);
        let values: Vec<Option<f64>> = fields
            .iter()
            .map(|f| match f.start {
                Start::Value(v) => Some(v),
                Start::Scale => Some(scale),
                Start::Unset => None,
            })
            .collect();
        Waveform::from_values(kind, &values)
    }
}

/// Checks every field of `w` against its rule; the message names the waveform, the
/// field and what it needs.
pub fn validate(w: &Waveform) -> Result<(), String> {
    let kind = w.kind();
    let values = w.values();
    let value_of = |key: &str| {
        kind.fields
            .iter()
            .position(|f| f.key == key)
            .and_then(|k| values[k])
    };
    for (field, value) in kind.fields.iter().zip(&values) {
        let Some(v) = *value else { continue };
        let name = field.key;
        if !v.is_finite() {
            return Err(format!("{name} = {v} is not a finite number"));
        }
        let broken = match field.rule {
            Rule::Finite => None,
            Rule::Positive => (v <= 0.0).then(|| "> 0".to_owned()),
            Rule::NonNegative => (v < 0.0).then(|| ">= 0".to_owned()),
            Rule::After(other) => value_of(other)
                .filter(|&o| v <= o)
                .map(|_| format!("> {other}")),
        };
        if let Some(need) = broken {
            return Err(format!("{} needs {name} {need}, got {v}", kind.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The preset keys are serde's names of the enum's fields: they must be the
    /// table's, in its order, for every waveform (with every optional set).
    #[test]
    fn the_table_names_the_preset_keys() {
        for (k, kind) in WAVEFORMS.iter().enumerate() {
            let values: Vec<Option<f64>> = (0..kind.fields.len())
                .map(|i| Some(i as f64 + 1.0))
                .collect();
            let w = Waveform::from_values(k, &values);
            assert_eq!(w.kind_index(), k);
            assert_eq!(w.values(), values, "{}", kind.name);
            let ron = ron::to_string(&w).expect("serialises");
            let inner = ron
                .strip_prefix(kind.name)
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_suffix(')'))
                .unwrap_or_else(|| panic!("{ron}"));
            let keys: Vec<&str> = inner
                .split(',')
                .map(|kv| kv.split(':').next().unwrap_or("").trim())
                .collect();
            let want: Vec<&str> = kind.fields.iter().map(|f| f.key).collect();
            assert_eq!(keys, want, "{ron}");
        }
    }

    #[test]
    fn rules_reject_what_the_waveforms_cannot_play() {
        let bad = [
            (
                2,
                vec![Some(0.0), Some(1.0), Some(0.0), Some(1.0), None],
                "Pulses needs period_ms > 0",
            ),
            (
                2,
                vec![Some(0.0), Some(-1.0), Some(5.0), Some(1.0), None],
                "Pulses needs width_ms >= 0",
            ),
            (
                3,
                vec![Some(10.0), Some(10.0), Some(0.0), Some(1.0)],
                "Ramp needs end_ms > start_ms",
            ),
            (
                5,
                vec![Some(0.0), Some(1.0), Some(0.0)],
                "Noise needs tau_ms > 0",
            ),
            (
                5,
                vec![Some(0.0), Some(-1.0), Some(5.0)],
                "Noise needs sigma >= 0",
            ),
            (
                4,
                vec![Some(f64::NAN), Some(5.0), Some(0.0), Some(0.0)],
                "amplitude = NaN is not a finite number",
            ),
        ];
        for (kind, values, want) in bad {
            let e = validate(&Waveform::from_values(kind, &values)).unwrap_err();
            assert!(e.starts_with(want), "{e}");
        }
        for k in 0..WAVEFORMS.len() {
            assert_eq!(validate(&Waveform::new_of_kind(k, 3.0)), Ok(()));
        }
        // A step without an end plays forever; its end is not checked.
        assert_eq!(
            validate(&Waveform::from_values(1, &[Some(0.0), None, Some(1.0)])),
            Ok(())
        );
    }
}
