//! JSON laid out for people and for size: pretty (two-space indent) for the outer
//! levels, one line per value below them. A sidecar's 200k events take a line each
//! (`{"t_ms": 0.5, "set": {"I_app": 2.0}}`) instead of seven.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// `value` as JSON, pretty down to `pretty_levels` levels of nesting.
pub fn to_string_shallow<T: Serialize>(
    value: &T,
    pretty_levels: usize,
) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    to_writer_shallow(&mut out, value, pretty_levels)?;
    // serde_json writes UTF-8 only; this never replaces anything.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// As [`to_string_shallow`], written straight to `writer`.
pub fn to_writer_shallow<W: Write, T: Serialize>(
    writer: W,
    value: &T,
    pretty_levels: usize,
) -> Result<(), serde_json::Error> {
    let formatter = Shallow {
        depth: 0,
        pretty_levels,
        has_value: false,
    };
    let mut ser = serde_json::Serializer::with_formatter(writer, formatter);
    value.serialize(&mut ser)
}

/// serde_json's `PrettyFormatter`, single-line (with `", "` and `": "`) below
/// `pretty_levels`.
struct Shallow {
    depth: usize,
    pretty_levels: usize,
    has_value: bool,
}

impl Shallow {
    fn pretty(&self) -> bool {
        self.depth <= self.pretty_levels
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, w: &mut W, open: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(open)
    }

    fn end<W: ?Sized + Write>(&mut self, w: &mut W, close: &[u8]) -> io::Result<()> {
        let pretty = self.pretty();
        self.depth -= 1;
        if pretty && self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(close)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if self.pretty() {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            self.indent(w)
        } else if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
}

impl Formatter for Shallow {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outer_levels_are_pretty_and_inner_ones_single_line() {
        let value = json!({
            "a": 1,
            "list": [{"t_ms": 0.5, "set": {"x": 2.0}}, {"t_ms": 1.0}],
            "empty": [],
            "map": {"k": [1, 2]}
        });
        let Ok(text) = to_string_shallow(&value, 2) else {
            panic!("serialises")
        };
        // (keys in serde_json's sorted order)
        let expected = "{\n  \"a\": 1,\n  \"empty\": [],\n  \"list\": [\n    {\"set\": {\"x\": 2.0}, \"t_ms\": 0.5},\n    {\"t_ms\": 1.0}\n  ],\n  \"map\": {\n    \"k\": [1, 2]\n  }\n}";
        assert_eq!(text, expected);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, value);
        let Ok(pretty) = to_string_shallow(&value, usize::MAX) else {
            panic!("serialises")
        };
        assert_eq!(
            pretty,
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
}
