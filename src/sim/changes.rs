//! What one event sets or adds: a few (name, value) pairs, sorted by name, read and
//! written as a map (`{"I_app": 5.0}`).
//!
//! A generated protocol holds 200k events of one change each. As a `BTreeMap` each
//! cost a 400-byte node and a `String`; here one change lives inline in the event
//! and its name is shared (`Arc<str>`, interned by the fast preset reader), so such a
//! protocol is one allocation.

use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Name → value, at most one value per name, iterated in name order (as a
/// `BTreeMap<String, f64>` would be).
#[derive(Clone, Default)]
pub struct Changes(Repr);

#[derive(Clone, Default)]
enum Repr {
    #[default]
    Empty,
    One([(Arc<str>, f64); 1]),
    /// Two or more, sorted by name.
    Many(Vec<(Arc<str>, f64)>),
}

type Pair = (Arc<str>, f64);
type Iter<'a> = std::iter::Map<std::slice::Iter<'a, Pair>, fn(&'a Pair) -> (&'a str, &'a f64)>;

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    fn as_slice(&self) -> &[Pair] {
        match &self.0 {
            Repr::Empty => &[],
            Repr::One(one) => one,
            Repr::Many(many) => many,
        }
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.0, Repr::Empty)
    }

    /// (name, value) in name order.
    pub fn iter(&self) -> Iter<'_> {
        self.as_slice().iter().map(|(n, v)| (&**n, v))
    }

    /// (name, value) in name order, the values writable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut f64)> {
        let pairs: &mut [Pair] = match &mut self.0 {
            Repr::Empty => &mut [],
            Repr::One(one) => one,
            Repr::Many(many) => many,
        };
        pairs.iter_mut().map(|(n, v)| (&**n, v))
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.as_slice().binary_search_by(|(n, _)| (**n).cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&f64> {
        let k = self.find(name).ok()?;
        Some(&self.as_slice()[k].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets `name` to `value`; the value it had, if any.
    pub fn insert(&mut self, name: impl Into<Arc<str>>, value: f64) -> Option<f64> {
        let name = name.into();
        match self.find(&name) {
            Ok(k) => {
                let slot = match &mut self.0 {
                    Repr::One(one) => &mut one[0].1,
                    Repr::Many(many) => &mut many[k].1,
                    Repr::Empty => return None,
                };
                Some(std::mem::replace(slot, value))
            }
            Err(k) => {
                self.0 = match std::mem::take(&mut self.0) {
                    Repr::Empty => Repr::One([(name, value)]),
                    Repr::One([one]) => {
                        let mut many = vec![one];
                        many.insert(k, (name, value));
                        Repr::Many(many)
                    }
                    Repr::Many(mut many) => {
                        many.insert(k, (name, value));
                        Repr::Many(many)
                    }
                };
                None
            }
        }
    }

    /// Removes `name`; the value it had, if any.
    pub fn remove(&mut self, name: &str) -> Option<f64> {
        let k = self.find(name).ok()?;
        let (removed, rest) = match std::mem::take(&mut self.0) {
            Repr::One([(_, v)]) => (v, Repr::Empty),
            Repr::Many(mut many) => {
                let (_, v) = many.remove(k);
                if many.len() == 1 {
                    let one = many.pop().map_or(Repr::Empty, |p| Repr::One([p]));
                    (v, one)
                } else {
                    (v, Repr::Many(many))
                }
            }
            Repr::Empty => return None,
        };
        self.0 = rest;
        Some(removed)
    }
}

impl PartialEq for Changes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = (&'a str, &'a f64);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Into<Arc<str>>> FromIterator<(K, f64)> for Changes {
    /// A name given twice keeps its last value. One sort, not an insert per pair: a
    /// hostile map of a million names costs O(n log n), not O(n²).
    fn from_iter<I: IntoIterator<Item = (K, f64)>>(iter: I) -> Self {
        let mut iter = iter.into_iter().map(|(n, v)| (n.into(), v));
        // One change (the common case) allocates nothing.
        let Some(first) = iter.next() else {
            return Self(Repr::Empty);
        };
        let Some(second) = iter.next() else {
            return Self(Repr::One([first]));
        };
        let mut pairs: Vec<Pair> = vec![first, second];
        pairs.extend(iter);
        // Stable: of equal names, the last given ends last.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<Pair> = Vec::with_capacity(pairs.len());
        for (name, value) in pairs {
            match unique.last_mut() {
                Some(last) if last.0 == name => last.1 = value,
                _ => unique.push((name, value)),
            }
        }
        Self(match unique.len() {
            0 => Repr::Empty,
            1 => unique.pop().map_or(Repr::Empty, |p| Repr::One([p])),
            _ => Repr::Many(unique),
        })
    }
}

impl<K: Into<Arc<str>>, const N: usize> From<[(K, f64); N]> for Changes {
    fn from(pairs: [(K, f64); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl Serialize for Changes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Changes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChangesVisitor;

        impl<'de> Visitor<'de> for ChangesVisitor {
            type Value = Changes;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of names to numbers")
            }

            // As a `BTreeMap`: a name given twice keeps its last value.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Changes, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, f64>()? {
                    pairs.push(pair);
                }
                Ok(pairs.into_iter().collect())
            }
        }

        deserializer.deserialize_map(ChangesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Random inserts and removes: the same answers, order and text as a BTreeMap.
    #[test]
    fn behaves_as_a_btreemap() {
        let names = ["w", "drive", "a", "b", "x", "C"];
        let mut map: BTreeMap<String, f64> = BTreeMap::new();
        let mut changes = Changes::new();
        let mut state = 12345u64;
        for step in 0..5000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let name = names[(state >> 33) as usize % names.len()];
            let value = step as f64;
            if (state >> 20).is_multiple_of(3) {
                assert_eq!(changes.remove(name), map.remove(name));
            } else {
                assert_eq!(changes.insert(name, value), map.insert(name.into(), value));
            }
            assert_eq!(changes.len(), map.len());
            assert_eq!(changes.is_empty(), map.is_empty());
            assert_eq!(changes.get(name), map.get(name));
            let pairs: Vec<(&str, f64)> = changes.iter().map(|(n, v)| (n, *v)).collect();
            let expected: Vec<(&str, f64)> = map.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            assert_eq!(pairs, expected);
        }
        assert_eq!(
            serde_json::to_string(&changes).ok(),
            serde_json::to_string(&map).ok()
        );
    }

    /// Collecting is one sort: 200k names (as a hostile preset may hold in one
    /// event) take milliseconds, and a repeated name keeps its last value.
    #[test]
    fn many_names_collect_in_one_sort() {
        let n = 200_000;
        let pairs = (0..n).rev().map(|k| (format!("p{k}"), k as f64));
        let c: Changes = pairs.chain([("p7".to_owned(), -1.0)]).collect();
        assert_eq!(c.len(), n);
        assert_eq!(c.get("p7"), Some(&-1.0));
        assert_eq!(c.get("p8"), Some(&8.0));
        let names: Vec<&str> = c.iter().map(|(n, _)| n).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    }

    #[test]
    fn reads_a_map_keeping_the_last_of_a_repeated_name() {
        let Ok(c) = ron::from_str::<Changes>("{\"b\": 1.0, \"a\": 2, \"b\": 3.0}") else {
            panic!("a map of numbers")
        };
        assert_eq!(c, Changes::from([("a", 2.0), ("b", 3.0)]));
        assert!(ron::from_str::<Changes>("{\"a\": \"x\"}").is_err());
        let mut one = Changes::from([("x", 1.0)]);
        for (_, v) in one.iter_mut() {
            *v += 1.0;
        }
        assert_eq!(one.get("x"), Some(&2.0));
        assert_eq!(format!("{one:?}"), "{\"x\": 2.0}");
    }
}
