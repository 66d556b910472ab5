//! Undo/redo of parameter edits. A slider drag is many edits of one parameter in
//! quick succession; they coalesce into one entry so Ctrl+Z undoes the whole drag.

/// One parameter changed from `before` to `after`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamEdit {
    pub index: usize,
    pub before: f64,
    pub after: f64,
}

/// Edits of the same single parameter closer together than this merge.
const COALESCE_S: f64 = 0.75;
const MAX_ENTRIES: usize = 200;

#[derive(Debug, Default)]
pub struct UndoStack {
    undo: Vec<Vec<ParamEdit>>,
    redo: Vec<Vec<ParamEdit>>,
    /// (parameter, time) of the last single edit, for coalescing.
    last: Option<(usize, f64)>,
}

impl UndoStack {
    /// Records edits made at `now_s` (seconds, any monotonic clock).
    pub fn record(&mut self, edits: Vec<ParamEdit>, now_s: f64) {
        if edits.is_empty() {
            return;
        }
        self.redo.clear();
        if let [edit] = edits.as_slice()
            && let Some((index, t)) = self.last
            && index == edit.index
            && now_s - t < COALESCE_S
            && let Some(top) = self.undo.last_mut()
            && let [previous] = top.as_mut_slice()
        {
            previous.after = edit.after;
            self.last = Some((index, now_s));
            return;
        }
        self.last = match edits.as_slice() {
            [edit] => Some((edit.index, now_s)),
            _ => None,
        };
        self.undo.push(edits);
        if self.undo.len() > MAX_ENTRIES {
            self.undo.remove(0);
        }
    }

    /// The (parameter, value) pairs that undo the last entry.
    pub fn undo(&mut self) -> Option<Vec<(usize, f64)>> {
        let entry = self.undo.pop()?;
        let values = entry.iter().rev().map(|e| (e.index, e.before)).collect();
        self.redo.push(entry);
        self.last = None;
        Some(values)
    }

    /// The (parameter, value) pairs that redo the last undone entry.
    pub fn redo(&mut self) -> Option<Vec<(usize, f64)>> {
        let entry = self.redo.pop()?;
        let values = entry.iter().map(|e| (e.index, e.after)).collect();
        self.undo.push(entry);
        self.last = None;
        Some(values)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(index: usize, before: f64, after: f64) -> Vec<ParamEdit> {
        vec![ParamEdit {
            index,
            before,
            after,
        }]
    }

    #[test]
    fn a_drag_is_one_entry() {
        let mut u = UndoStack::default();
        u.record(edit(0, 1.0, 2.0), 0.0);
        u.record(edit(0, 2.0, 3.0), 0.1);
        u.record(edit(1, 5.0, 6.0), 0.2);
        assert_eq!(u.undo(), Some(vec![(1, 5.0)]));
        assert_eq!(u.undo(), Some(vec![(0, 1.0)]));
        assert_eq!(u.undo(), None);
        assert_eq!(u.redo(), Some(vec![(0, 3.0)]));
    }
}
