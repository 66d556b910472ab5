//! Undo/redo of what the user changed: parameter edits, and whole-setup changes
//! (preset load, model switch, dt, integrator, seed, initial values, stimuli, the
//! protocol's end). A parameter edit is stored as before/after values; any other
//! change stores the whole setup as it was, so undo returns to it whole — a preset
//! load undone brings back the previous model with all its values, not a mix.
//!
//! A slider drag is many edits of one parameter in quick succession; they coalesce
//! into one entry so Ctrl+Z undoes the whole drag. Repeated edits of one setup field
//! (typing a dt digit by digit, an event's time on the timeline) coalesce the same
//! way; adding or deleting an event is always a step of its own.

use std::path::PathBuf;

use crate::sim::run::RunSpec;

/// One parameter changed from `before` to `after`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamEdit {
    pub index: usize,
    pub before: f64,
    pub after: f64,
}

/// Everything a setup change can replace: the setup and the model file it came from.
#[derive(Clone, Debug)]
pub struct SetupSnapshot {
    pub setup: RunSpec,
    pub model_file: Option<PathBuf>,
}

/// What undo or redo asks the app to bring back.
#[derive(Debug)]
pub enum Restore {
    /// (parameter, value) pairs, on the current model.
    Params(Vec<(usize, f64)>),
    Setup(Box<SetupSnapshot>),
}

#[derive(Debug)]
enum Entry {
    Params(Vec<ParamEdit>),
    Setup(Box<SetupSnapshot>),
}

/// Edits of the same single parameter (or setup field) closer together than this merge.
const COALESCE_S: f64 = 0.75;
const MAX_ENTRIES: usize = 200;
/// Most bytes of protocols (events) the undo history holds. Snapshots share an
/// unchanged protocol; each edit of a 200k-event protocol keeps a 24 MB copy, so
/// the oldest entries go first once edits add up to this.
const MAX_PROTOCOL_BYTES: usize = 256 << 20;

/// What the last recorded entry was, for coalescing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Last {
    Param(usize),
    Setup(&'static str),
}

#[derive(Debug)]
pub struct UndoStack {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    /// What the last entry changed and when, for coalescing.
    last: Option<(Last, f64)>,
    /// [`MAX_PROTOCOL_BYTES`], smaller in tests.
    max_protocol_bytes: usize,
}

impl Default for UndoStack {
    fn default() -> Self {
        Self {
            undo: Vec::new(),
            redo: Vec::new(),
            last: None,
            max_protocol_bytes: MAX_PROTOCOL_BYTES,
        }
    }
}

impl UndoStack {
    /// Records parameter edits made at `now_s` (seconds, any monotonic clock).
    pub fn record(&mut self, edits: Vec<ParamEdit>, now_s: f64) {
        if edits.is_empty() {
            return;
        }
        self.redo.clear();
        if let [edit] = edits.as_slice()
            && self.coalesces(Last::Param(edit.index), now_s)
            && let Some(Entry::Params(top)) = self.undo.last_mut()
            && let [previous] = top.as_mut_slice()
        {
            previous.after = edit.after;
            self.last = Some((Last::Param(edit.index), now_s));
            return;
        }
        self.last = match edits.as_slice() {
            [edit] => Some((Last::Param(edit.index), now_s)),
            _ => None,
        };
        self.push(Entry::Params(edits));
    }

    /// Records that the setup is about to change (`what`: which field, for
    /// coalescing); `before` is the setup as it is now.
    pub fn record_setup(&mut self, what: &'static str, before: SetupSnapshot, now_s: f64) {
        self.redo.clear();
        let coalesce = self.coalesces(Last::Setup(what), now_s)
            && matches!(self.undo.last(), Some(Entry::Setup(_)));
        self.last = Some((Last::Setup(what), now_s));
        if !coalesce {
            self.push(Entry::Setup(Box::new(before)));
        }
    }

    /// Records a setup change that is one step of its own, never merged with the
    /// next (adding or deleting a timeline event: two quick deletes are two steps).
    pub fn record_setup_step(&mut self, before: SetupSnapshot) {
        self.redo.clear();
        self.last = None;
        self.push(Entry::Setup(Box::new(before)));
    }

    fn coalesces(&self, what: Last, now_s: f64) -> bool {
        self.last
            .is_some_and(|(last, t)| last == what && now_s - t < COALESCE_S)
    }

    fn push(&mut self, entry: Entry) {
        self.undo.push(entry);
        while self.undo.len() > 1
            && (self.undo.len() > MAX_ENTRIES
                || protocol_bytes(&self.undo) > self.max_protocol_bytes)
        {
            self.undo.remove(0);
        }
    }

    /// What undoes the last entry; `current` is the setup now (kept for redo).
    pub fn undo(&mut self, current: impl FnOnce() -> SetupSnapshot) -> Option<Restore> {
        let entry = self.undo.pop()?;
        self.last = None;
        Some(match entry {
            Entry::Params(edits) => {
                let values = edits.iter().rev().map(|e| (e.index, e.before)).collect();
                self.redo.push(Entry::Params(edits));
                Restore::Params(values)
            }
            Entry::Setup(before) => {
                self.redo.push(Entry::Setup(Box::new(current())));
                Restore::Setup(before)
            }
        })
    }

    /// What redoes the last undone entry; `current` is the setup now (kept for undo).
    pub fn redo(&mut self, current: impl FnOnce() -> SetupSnapshot) -> Option<Restore> {
        let entry = self.redo.pop()?;
        self.last = None;
        Some(match entry {
            Entry::Params(edits) => {
                let values = edits.iter().map(|e| (e.index, e.after)).collect();
                self.undo.push(Entry::Params(edits));
                Restore::Params(values)
            }
            Entry::Setup(after) => {
                self.undo.push(Entry::Setup(Box::new(current())));
                Restore::Setup(after)
            }
        })
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
        self.last = None;
    }
}

/// Bytes of the distinct protocols the entries hold (shared ones count once).
fn protocol_bytes(entries: &[Entry]) -> usize {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Setup(s) => Some(&s.setup.events),
            Entry::Params(_) => None,
        })
        .filter(|events| seen.insert(std::sync::Arc::as_ptr(events)))
        .map(|events| events.len() * std::mem::size_of::<crate::sim::run::Event>())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin;

    fn edit(index: usize, before: f64, after: f64) -> Vec<ParamEdit> {
        vec![ParamEdit {
            index,
            before,
            after,
        }]
    }

    fn params(r: Option<Restore>) -> Vec<(usize, f64)> {
        match r {
            Some(Restore::Params(v)) => v,
            other => panic!("expected parameter values, got {other:?}"),
        }
    }

    fn snapshot(dt_ms: f64) -> SetupSnapshot {
        let Some(Ok(m)) = builtin("Izhikevich2007") else {
            panic!("Izhikevich2007")
        };
        let mut setup = RunSpec::defaults(m);
        setup.dt_ms = dt_ms;
        SetupSnapshot {
            setup,
            model_file: None,
        }
    }

    /// Edits of a long protocol keep its copies within the byte bound; undo
    /// still goes back as far as they allow, and shared protocols count once.
    #[test]
    fn long_protocols_bound_the_history_by_bytes() {
        let limit = 1 << 20;
        let n = limit / std::mem::size_of::<crate::sim::run::Event>() / 4 + 1;
        let long = std::sync::Arc::new(vec![crate::sim::run::Event::default(); n]);
        let small = || UndoStack {
            max_protocol_bytes: limit,
            ..UndoStack::default()
        };
        let mut u = small();
        for k in 0..10 {
            let mut s = snapshot(0.1);
            // A distinct copy per edit, as a timeline edit makes.
            s.setup.events = std::sync::Arc::new(Vec::clone(&long));
            u.record_setup_step(s);
            assert!(protocol_bytes(&u.undo) <= limit, "after {k} edits");
        }
        assert_eq!(u.undo.len(), 3, "three copies of just over a quarter fit");
        let mut shared = small();
        for _ in 0..10 {
            let mut s = snapshot(0.1);
            s.setup.events = std::sync::Arc::clone(&long);
            shared.record_setup_step(s);
        }
        assert_eq!(shared.undo.len(), 10, "one shared protocol counts once");
    }

    #[test]
    fn a_drag_is_one_entry() {
        let mut u = UndoStack::default();
        u.record(edit(0, 1.0, 2.0), 0.0);
        u.record(edit(0, 2.0, 3.0), 0.1);
        u.record(edit(1, 5.0, 6.0), 0.2);
        assert_eq!(params(u.undo(|| snapshot(0.1))), vec![(1, 5.0)]);
        assert_eq!(params(u.undo(|| snapshot(0.1))), vec![(0, 1.0)]);
        assert!(u.undo(|| snapshot(0.1)).is_none());
        assert_eq!(params(u.redo(|| snapshot(0.1))), vec![(0, 3.0)]);
    }

    #[test]
    fn setup_changes_restore_whole_setups_in_both_directions() {
        let mut u = UndoStack::default();
        u.record_setup("dt", snapshot(0.1), 0.0);
        // Typing 0.05 then 0.02 quickly is one step back to 0.1.
        u.record_setup("dt", snapshot(0.05), 0.2);
        u.record(edit(0, 1.0, 2.0), 5.0);
        assert_eq!(params(u.undo(|| snapshot(0.02))), vec![(0, 1.0)]);
        let Some(Restore::Setup(before)) = u.undo(|| snapshot(0.02)) else {
            panic!("expected a setup")
        };
        assert_eq!(before.setup.dt_ms, 0.1);
        let Some(Restore::Setup(after)) = u.redo(|| snapshot(0.1)) else {
            panic!("expected a setup")
        };
        assert_eq!(after.setup.dt_ms, 0.02);
    }

    #[test]
    fn event_adds_and_deletes_are_steps_of_their_own() {
        let mut u = UndoStack::default();
        u.record_setup_step(snapshot(0.1));
        u.record_setup_step(snapshot(0.2));
        let Some(Restore::Setup(first)) = u.undo(|| snapshot(0.3)) else {
            panic!("expected a setup")
        };
        assert_eq!(first.setup.dt_ms, 0.2);
        let Some(Restore::Setup(second)) = u.undo(|| snapshot(0.2)) else {
            panic!("expected a setup")
        };
        assert_eq!(second.setup.dt_ms, 0.1);
    }
}
