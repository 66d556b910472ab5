//! A preset's `events` list, read and written without the general RON machinery:
//! a generated protocol of 200k events is ~9 MB of text, which `ron` reads at
//! ~40 MB/s and writes (pretty) at 3 lines per event.
//!
//! Reading is a fast path, never a second grammar: [`split_events`] accepts only the
//! plain form `[(t_ms: 1.5, set: {"I_app": 2.0}, add: {"a": 0.1}), ...]` (no
//! comments, raw strings, escapes, struct names, suffixes or `_` in numbers, no
//! duplicate fields or names) and gives up on anything else, so the caller hands the
//! whole file to `ron` — same values, same errors. What it accepts it reads exactly
//! as `ron` does (numbers through `f64::from_str`, as `ron` does); a differential
//! test and the `preset` fuzz target hold the two together.
//!
//! Writing ([`write_events`]) puts one event per line, in RON `ron` reads back to
//! the same values.

use std::ops::Range;
use std::sync::Arc;

use super::preset::{MAX_EVENTS, MAX_NAMES};
use crate::sim::changes::Changes;
use crate::sim::run::Event;

/// The top-level `events: [...]` list of a preset's text, if it is in the plain
/// form: the byte range of the list (from `[` to past `]`) and its events.
pub fn split_events(text: &str) -> Option<(Range<usize>, Vec<Event>)> {
    let start = locate(text.as_bytes())?;
    let mut p = Reader::new(text.as_bytes(), start);
    let events = p.list()?;
    Some((start..p.i, events))
}

/// Where the top-level struct's `events` value starts (its `[`). Strings and `//`
/// comments are skipped; anything this scanner does not follow gives `None`.
fn locate(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i = skip_string(b, i)?,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
            }
            // Block comments, raw strings, attributes, chars: `ron` reads them.
            b'/' | b'#' | b'\'' => return None,
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = i + b[i..].iter().take_while(|&&c| is_ident(c)).count();
                let ident = &b[i..end];
                if ident == b"r" && matches!(b.get(end), Some(b'"' | b'#')) {
                    return None;
                }
                i = end;
                if depth == 1 && ident == b"events" {
                    let mut p = Reader::new(b, i);
                    p.ws();
                    p.eat(b':')?;
                    p.ws();
                    return (p.peek() == Some(b'[')).then_some(p.i);
                }
            }
            c if c.is_ascii() => i += 1,
            // Non-ASCII outside strings (identifiers, odd spaces): leave it to `ron`.
            _ => return None,
        }
    }
    None
}

/// Past the string starting at `b[i] == '"'`.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A cursor over the plain event-list form; every method gives `None` for anything
/// outside it.
struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    /// The names read so far, shared by every event that names them again.
    names: Vec<Arc<str>>,
    /// The map being read (kept between maps: no allocation per event).
    pairs: Vec<(Arc<str>, f64)>,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8], i: usize) -> Self {
        Self {
            b,
            i,
            names: Vec::new(),
            pairs: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Spaces and line breaks only: a comment sends the file to `ron`.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }

    /// After an item: `,` (then spaces) or the closing bracket, which is not eaten.
    fn separator(&mut self, close: u8) -> Option<()> {
        self.ws();
        if self.eat(b',').is_some() {
            self.ws();
            return Some(());
        }
        (self.peek() == Some(close)).then_some(())
    }

    /// Moves past identifier characters; where they started.
    fn skip_ident(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(is_ident) {
            self.i += 1;
        }
        start
    }

    fn list(&mut self) -> Option<Vec<Event>> {
        self.eat(b'[')?;
        self.ws();
        let mut events = Vec::new();
        while self.eat(b']').is_none() {
            if events.len() == MAX_EVENTS {
                return None;
            }
            events.push(self.event()?);
            self.separator(b']')?;
        }
        Some(events)
    }

    fn event(&mut self) -> Option<Event> {
        self.eat(b'(')?;
        self.ws();
        let (mut t_ms, mut set, mut add) = (None, None, None);
        while self.eat(b')').is_none() {
            let start = self.skip_ident();
            let name = &self.b[start..self.i];
            self.ws();
            self.eat(b':')?;
            self.ws();
            let fresh = match name {
                b"t_ms" => t_ms.replace(self.number()?).is_none(),
                b"set" => set.replace(self.map()?).is_none(),
                b"add" => add.replace(self.map()?).is_none(),
                _ => false,
            };
            if !fresh {
                return None;
            }
            self.separator(b')')?;
        }
        Some(Event {
            t_ms: t_ms?,
            set: set.unwrap_or_default(),
            add: add.unwrap_or_default(),
            ..Event::default()
        })
    }

    fn map(&mut self) -> Option<Changes> {
        self.eat(b'{')?;
        self.ws();
        self.pairs.clear();
        while self.eat(b'}').is_none() {
            if self.pairs.len() == MAX_NAMES {
                return None;
            }
            self.eat(b'"')?;
            let start = self.skip_ident();
            let name = self.intern(start)?;
            self.eat(b'"')?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let value = self.number()?;
            self.pairs.push((name, value));
            self.separator(b'}')?;
        }
        // One sort for the whole map; a name given twice is left to `ron`.
        let n = self.pairs.len();
        let map: Changes = self.pairs.drain(..).collect();
        (map.len() == n).then_some(map)
    }

    /// The name from `start` to the cursor, shared with earlier events that use it
    /// (a protocol names a few targets, so the list stays short).
    fn intern(&mut self, start: usize) -> Option<Arc<str>> {
        let name = std::str::from_utf8(&self.b[start..self.i]).ok()?;
        if let Some(known) = self.names.iter().find(|n| ***n == *name) {
            return Some(Arc::clone(known));
        }
        let new: Arc<str> = name.into();
        if self.names.len() < 64 {
            self.names.push(Arc::clone(&new));
        }
        Some(new)
    }

    /// `-?digits(.digits)?([eE][+-]?digits)?`, followed by a space or punctuation.
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        let digits = |r: &mut Self| {
            let from = r.i;
            while r.peek().is_some_and(|c| c.is_ascii_digit()) {
                r.i += 1;
            }
            (r.i > from).then_some(())
        };
        let _ = self.eat(b'-');
        digits(self)?;
        if self.eat(b'.').is_some() {
            digits(self)?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            digits(self)?;
        }
        if !matches!(
            self.peek(),
            Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b')' | b'}')
        ) {
            return None;
        }
        // ASCII by construction.
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
}

/// Appends `events` as a RON list, one event per line, each line starting with
/// `indent`; the list's closing `]` is indented one level less. Events with an
/// integrator switch or stimuli, names that are not identifiers and non-finite
/// values are written by `ron` itself, on their line.
pub fn write_events(events: &[Event], indent: &str, out: &mut String) {
    out.push_str("[\n");
    for ev in events {
        out.push_str(indent);
        if !write_plain(ev, out) {
            let options = ron::Options::default()
                .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
            let one_line = ron::ser::PrettyConfig::new()
                .struct_names(false)
                .compact_structs(true)
                .compact_maps(true)
                .compact_arrays(true);
            match options.to_string_pretty(ev, one_line) {
                Ok(text) => out.push_str(&text),
                Err(e) => out.push_str(&format!("/* cannot write event: {e} */")),
            }
        }
        out.push_str(",\n");
    }
    out.push_str(&indent[..indent.len().saturating_sub(4)]);
    out.push(']');
}

/// Writes a plain event; `false` (and nothing written) if it is not plain.
fn write_plain(ev: &Event, out: &mut String) -> bool {
    let names_ok = ev
        .set
        .iter()
        .chain(&ev.add)
        .all(|(n, v)| !n.is_empty() && n.bytes().all(is_ident) && v.is_finite());
    if ev.integrator.is_some() || ev.stimuli.is_some() || !names_ok || !ev.t_ms.is_finite() {
        return false;
    }
    out.push_str("(t_ms: ");
    push_float(ev.t_ms, out);
    for (field, map) in [("set", &ev.set), ("add", &ev.add)] {
        if map.is_empty() {
            continue;
        }
        out.push_str(", ");
        out.push_str(field);
        out.push_str(": {");
        for (k, (name, v)) in map.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\": ");
            push_float(*v, out);
        }
        out.push('}');
    }
    out.push(')');
    true
}

/// A finite number, shortest text that reads back as the same f64 (`1.0`, `0.001`,
/// `1e-7`: all RON floats).
fn push_float(v: f64, out: &mut String) {
    out.push_str(zmij::Buffer::new().format_finite(v));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng as StdRng;

    fn ron_events(list: &str) -> Option<Vec<Event>> {
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(list)
            .ok()
    }

    fn fast_events(list: &str) -> Option<Vec<Event>> {
        let text = format!("(model: \"X\", events: {list})");
        let (range, events) = split_events(&text)?;
        assert_eq!(&text[range], list, "the range is the list");
        Some(events)
    }

    #[test]
    fn the_plain_form_reads_as_ron_reads_it() {
        let list = "[ (t_ms: 0.5, set: {\"drive\": 2}), (add: {\"a\": -1e-3, \"b\": 1.5E+2}, t_ms: 3,),\n\t(t_ms: 7.25, set: {}, add: {\"v\": -65.0,},) , ]";
        let fast = fast_events(list);
        assert!(fast.is_some(), "plain form");
        assert_eq!(fast, ron_events(list));
        assert_eq!(fast.map(|e| e.len()), Some(3));
        assert_eq!(fast_events("[]"), Some(Vec::new()));
    }

    #[test]
    fn anything_else_is_left_to_ron() {
        for list in [
            "[(t_ms: 1.0) // comment\n]",
            "[Event(t_ms: 1.0)]",
            "[(t_ms: 1_000.0)]",
            "[(t_ms: 1.0f64)]",
            "[(t_ms: inf)]",
            "[(t_ms: .5)]",
            "[(t_ms: 1.)]",
            "[(t_ms: +1.0)]",
            "[(t_ms: 1.0, t_ms: 2.0)]",
            "[(set: {\"a\": 1.0})]",
            "[(t_ms: 1.0, set: {\"a\": 1.0, \"a\": 2.0})]",
            "[(t_ms: 1.0, set: {\"a\\u0041\": 1.0})]",
            "[(t_ms: 1.0, set: {r\"a\": 1.0})]",
            "[(t_ms: 1.0, integrator: \"rk4\")]",
            "[(t_ms: 1.0, stimuli: [])]",
            "[(t_ms: 1.0) (t_ms: 2.0)]",
            "[(t_ms: 1.0)",
            "[(t_ms: 1.0, set: {a: 1.0})]",
        ] {
            assert_eq!(fast_events(list), None, "{list}");
        }
        // Where the list is not plainly the top-level `events` field.
        for text in [
            "(model: \"events: [(t_ms: 1.0)]\")",
            "(notes: r\"x\", events: [(t_ms: 1.0)])",
            "/* x */ (events: [(t_ms: 1.0)])",
            "#![enable(implicit_some)] (events: [(t_ms: 1.0)])",
            "(stimuli: [(events: [(t_ms: 1.0)])])",
            "(events: \"[]\")",
        ] {
            assert!(split_events(text).is_none(), "{text}");
        }
        let commented = "// events: [(t_ms: 9.0)]\n(model: \"X\", events: [(t_ms: 1.0)])";
        let Some((_, events)) = split_events(commented) else {
            panic!("a line comment before the struct is skipped")
        };
        assert_eq!(events[0].t_ms, 1.0);
    }

    /// Random lists in the plain form and near it: wherever the fast path answers,
    /// it answers as `ron` does; on the plain ones it always answers.
    #[test]
    fn random_lists_read_as_ron_reads_them() {
        let mut rng = StdRng::seed_from_u64(7);
        let numbers = [
            "0",
            "-0",
            "1",
            "0.1",
            "-65.0",
            "1e-7",
            "2.5E+3",
            "1e400",
            "-1e-400",
            "3.",
            ".3",
            "1_0",
            "1f64",
            "0x1",
            "NaN",
            "12345678901234567890",
        ];
        let names = ["drive", "a", "w", "g_syn", "x1"];
        let spaces = ["", " ", "\n", "\t ", "\r\n"];
        let mut answered = 0;
        for _ in 0..2000 {
            let mut list = String::from("[");
            let plain_only = rng.random_bool(0.5);
            let pick = |rng: &mut StdRng, n: usize| {
                rng.random_range(0..if plain_only { n } else { numbers.len() })
            };
            for _ in 0..rng.random_range(0..5) {
                list.push_str(spaces[rng.random_range(0..spaces.len())]);
                list.push_str("(t_ms: ");
                list.push_str(numbers[pick(&mut rng, 8)]);
                for field in ["set", "add"] {
                    if rng.random_bool(0.6) {
                        list.push_str(&format!(
                            ",{}{field}: {{",
                            spaces[rng.random_range(0..spaces.len())]
                        ));
                        let n = rng.random_range(0..3);
                        let mut used = Vec::new();
                        for _ in 0..n {
                            let name = names[rng.random_range(0..names.len())];
                            if plain_only && used.contains(&name) {
                                continue;
                            }
                            if !used.is_empty() {
                                list.push_str(", ");
                            }
                            used.push(name);
                            list.push_str(&format!("\"{name}\": {}", numbers[pick(&mut rng, 8)]));
                        }
                        list.push('}');
                    }
                }
                list.push_str(if rng.random_bool(0.3) { ",)" } else { ")" });
                list.push(',');
            }
            if rng.random_bool(0.5) {
                list.pop();
            }
            list.push(']');
            let ron = ron_events(&list);
            match fast_events(&list) {
                Some(fast) => {
                    answered += 1;
                    assert_eq!(Some(fast), ron, "{list}");
                }
                None => assert!(!plain_only || list == "]", "plain list refused: {list}"),
            }
        }
        assert!(answered > 1000, "{answered}");
    }

    #[test]
    fn written_events_read_back_the_same() {
        let events = vec![
            Event {
                t_ms: 0.1 + 0.2,
                set: [("drive".to_owned(), 5.0), ("w".to_owned(), -1e-9)].into(),
                add: [("a".to_owned(), 1e300)].into(),
                ..Event::default()
            },
            Event {
                t_ms: 3.0,
                integrator: Some("rk4".into()),
                ..Event::default()
            },
            Event {
                t_ms: 4.0,
                set: [("odd name".to_owned(), 1.0)].into(),
                ..Event::default()
            },
        ];
        let mut text = String::new();
        write_events(&events, "        ", &mut text);
        assert_eq!(text.lines().count(), 5, "one line per event:\n{text}");
        assert!(text.contains("(t_ms: 3.0, integrator: \"rk4\")"), "{text}");
        assert_eq!(ron_events(&text), Some(events));
    }
}
