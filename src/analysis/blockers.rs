//! Channel blockers for Hodgkin–Huxley models, as in a pharmacology lab: TTX
//! blocks the voltage-gated Na⁺ channels, TEA the K⁺ channels (Hille, *Ion
//! Channels of Excitable Membranes*, 3rd ed., ch. 3 and 5). A block sets the
//! channels' maximal conductances to 0. The conductances are found by name in the
//! model description: a parameter whose first `_`-separated token is a conductance
//! prefix (`g`, `gg`, `gbar`) and whose next token names the ion (`Na…`, `K…`), e.g.
//! `gg_Na`, `g_Na`, `gg_Kv3`, `gg_Kv1`, `g_K`. Leak (`gg_L`), Ca²⁺ and
//! Ca²⁺-activated K⁺ (`gg_SK`) conductances are not touched.

use crate::model::CompiledModel;

/// A channel blocker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocker {
    /// Tetrodotoxin: Na⁺ conductances to 0.
    Ttx,
    /// Tetraethylammonium: K⁺ conductances to 0.
    Tea,
}

impl Blocker {
    pub const ALL: [Blocker; 2] = [Blocker::Ttx, Blocker::Tea];

    pub fn name(self) -> &'static str {
        match self {
            Blocker::Ttx => "TTX",
            Blocker::Tea => "TEA",
        }
    }

    /// What it blocks, for a tooltip.
    pub fn blocks(self) -> &'static str {
        match self {
            Blocker::Ttx => "Na+ channels",
            Blocker::Tea => "K+ channels",
        }
    }

    /// Whether the token after the conductance prefix names this blocker's ion.
    fn matches_ion(self, ion: &str) -> bool {
        let lower = ion.to_ascii_lowercase();
        match self {
            Blocker::Ttx => lower.starts_with("na"),
            // `K`, `Kv3`, `Kv1`, `KDR`, `KA`; not `Ca`, not `SK`.
            Blocker::Tea => lower.starts_with('k'),
        }
    }

    /// The model's parameters this blocker sets to 0 (empty: it has none).
    pub fn targets(self, model: &CompiledModel) -> Vec<usize> {
        model
            .desc
            .parameters
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                let mut tokens = p.name.split('_');
                let prefix = tokens.next().unwrap_or("");
                matches!(prefix, "g" | "gg" | "gbar" | "G")
                    && tokens.next().is_some_and(|ion| self.matches_ion(ion))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether the block is on: every target is 0 (and there is one).
    pub fn is_applied(self, model: &CompiledModel, params: &[f64]) -> bool {
        let targets = self.targets(model);
        !targets.is_empty() && targets.iter().all(|&i| params.get(i) == Some(&0.0))
    }

    /// The parameter values that apply the block (0) or wash it out (defaults).
    pub fn edits(self, model: &CompiledModel, apply: bool) -> Vec<(usize, f64)> {
        self.targets(model)
            .into_iter()
            .map(|i| {
                let value = if apply {
                    0.0
                } else {
                    model.desc.parameters[i].default
                };
                (i, value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin;

    fn names(id: &str, b: Blocker) -> Vec<String> {
        let Some(Ok(m)) = builtin(id) else {
            panic!("{id}")
        };
        b.targets(&m)
            .into_iter()
            .map(|i| m.desc.parameters[i].name.clone())
            .collect()
    }

    #[test]
    fn blockers_find_the_channels_of_both_hh_models_and_nothing_else() {
        assert_eq!(names("HHneuronCorbit", Blocker::Ttx), ["gg_Na"]);
        assert_eq!(names("HHneuronCorbit", Blocker::Tea), ["gg_Kv3", "gg_Kv1"]);
        assert_eq!(names("HHneuronBischop", Blocker::Ttx), ["gg_Na"]);
        let k = names("HHneuronBischop", Blocker::Tea);
        assert!(
            k.contains(&"gg_Kv3".to_owned()) && !k.contains(&"gg_SK".to_owned()),
            "{k:?}"
        );
        assert!(names("Izhikevich2007", Blocker::Ttx).is_empty());
        assert!(names("Izhikevich2007", Blocker::Tea).is_empty());
    }
}
