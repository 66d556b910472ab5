//! What the strip draws from, derived once per change of the protocol: the events
//! in time order and the changes they make to the input parameter. A frame then
//! costs a binary search per pixel column, not passes over a 200k-event protocol.

use std::sync::Arc;

use crate::sim::run::{Event, RunSpec};
use crate::sim::worker::input_param;

/// The input parameter from one event on, until the next that changes it: the
/// last value set (none yet: the base value) plus what was added since.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputLevel {
    pub t_ms: f64,
    pub set: Option<f64>,
    pub added: f64,
}

impl InputLevel {
    /// The value, given the parameter's base value.
    pub fn value(&self, base: f64) -> f64 {
        self.set.unwrap_or(base) + self.added
    }
}

#[derive(Debug, Default)]
pub struct Derived {
    key: Key,
    /// Event indices sorted by time (events at one time keep the file's order).
    pub order: Vec<usize>,
    /// Their times, in that order.
    pub times: Vec<f64>,
    /// The input parameter the strip's curve shows, if any.
    pub input: Option<usize>,
    /// Its level after each event that changes it, in time order: the curve is
    /// then a binary search per sample, however many events there are.
    pub input_levels: Vec<InputLevel>,
}

/// Which protocol the derived data belongs to. A protocol is replaced, never edited
/// in place (every edit is a new list), so its address and length name it; a hash
/// of up to 512 events spread over it guards against an address reused between
/// two frames.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Key {
    model: usize,
    events: usize,
    len: usize,
    sample: u64,
    input: Option<usize>,
}

impl Key {
    fn of(setup: &RunSpec, input: Option<usize>) -> Self {
        let events = &setup.events;
        let stride = (events.len() / 512).max(1);
        let mut h = events.len() as u64;
        let mut mix = |bits: u64| h = (h.rotate_left(7) ^ bits).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for e in events.iter().step_by(stride) {
            mix(e.t_ms.to_bits());
            for (name, v) in e.set.iter().chain(&e.add) {
                mix(name.len() as u64);
                mix(v.to_bits());
            }
        }
        Self {
            model: Arc::as_ptr(&setup.model) as usize,
            events: events.as_ptr() as usize,
            len: events.len(),
            sample: h,
            input,
        }
    }
}

impl Derived {
    /// Derives again if the protocol, the model or the input parameter changed.
    pub fn refresh(&mut self, setup: &RunSpec) {
        let input = input_param(&setup.model, &setup.stimuli);
        let key = Key::of(setup, input);
        if key == self.key {
            return;
        }
        let events = &setup.events;
        self.order = (0..events.len()).collect();
        self.order
            .sort_by(|&a, &b| events[a].t_ms.total_cmp(&events[b].t_ms));
        self.times = self.order.iter().map(|&i| events[i].t_ms).collect();
        self.input = input;
        self.input_levels = match input {
            Some(p) => input_levels(events, &self.order, &setup.model.desc.parameters[p].name),
            None => Vec::new(),
        };
        self.key = key;
    }

    /// The first event (index) after `now_ms`, in time order, that changes `name`.
    pub fn next_change_of(&self, events: &[Event], name: &str, now_ms: f64) -> Option<usize> {
        let from = self.times.partition_point(|&t| t <= now_ms);
        self.order[from..]
            .iter()
            .copied()
            .find(|&i| events[i].set.contains_key(name) || events[i].add.contains_key(name))
    }
}

/// The first index from `from` on whose item is not `before` (the items are sorted
/// so that `before` holds for a prefix), found by galloping from `from`: a frame's
/// samples move forward a little at a time, and probing near them stays in cache
/// where a binary search over 200k items would not.
pub fn first_from<T>(items: &[T], from: usize, before: impl Fn(&T) -> bool) -> usize {
    let (mut lo, mut step) = (from, 1);
    let mut hi = from;
    while hi < items.len() && before(&items[hi]) {
        lo = hi + 1;
        hi = from + step;
        step *= 2;
    }
    let hi = hi.min(items.len());
    lo + items[lo..hi].partition_point(before)
}

/// An event sets, then adds (as the session applies them).
fn input_levels(events: &[Event], order: &[usize], name: &str) -> Vec<InputLevel> {
    let mut level = InputLevel {
        t_ms: 0.0,
        set: None,
        added: 0.0,
    };
    let mut out = Vec::new();
    for e in order.iter().map(|&i| &events[i]) {
        let (set, add) = (e.set.get(name).copied(), e.add.get(name).copied());
        if set.is_none() && add.is_none() {
            continue;
        }
        if set.is_some() {
            level.set = set;
            level.added = 0.0;
        }
        level.added += add.unwrap_or(0.0);
        level.t_ms = e.t_ms;
        out.push(level);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn galloping_finds_what_a_binary_search_finds() {
        let items: Vec<u32> = (0..1000).map(|k| k / 3).collect();
        for from in [0, 1, 5, 300, 999, 1000] {
            for t in [0, 1, 2, 100, 332, 333, 400] {
                let expected = from + items[from..].partition_point(|&x| x <= t);
                assert_eq!(
                    first_from(&items, from, |&x| x <= t),
                    expected,
                    "{from} {t}"
                );
            }
        }
    }

    #[test]
    fn levels_follow_sets_and_adds_in_time_order() {
        let ev = |t_ms: f64, set: Option<f64>, add: Option<f64>| Event {
            t_ms,
            set: set.map(|v| ("p", v)).into_iter().collect(),
            add: add.map(|v| ("p", v)).into_iter().collect(),
            ..Event::default()
        };
        // Out of time order in the file; one event elsewhere.
        let events = [
            ev(3.0, Some(10.0), Some(1.0)),
            ev(1.0, None, Some(2.0)),
            ev(4.0, None, Some(0.5)),
            Event {
                t_ms: 2.0,
                set: [("q", 1.0)].into(),
                ..Event::default()
            },
        ];
        let order = [1, 3, 0, 2];
        let levels = input_levels(&events, &order, "p");
        let values: Vec<(f64, f64)> = levels.iter().map(|l| (l.t_ms, l.value(5.0))).collect();
        assert_eq!(values, [(1.0, 7.0), (3.0, 11.0), (4.0, 11.5)]);
    }
}
