//! The field path (`events[3].set.I_app`, `stimuli[0].waveform.amplitude`) at a
//! position in RON text, so that a type error names the field the user must fix.
//!
//! RON's errors carry a position but name a field only for unknown, missing or
//! duplicate fields; a type error inside `events: [...]` would otherwise be blamed on
//! whatever the line starts with. This scanner reads the text up to the position and
//! keeps a stack of open brackets with the key or index each is at. It works on any
//! text (broken input included) in one linear pass, without recursion.

/// One open bracket: a struct/map (`(`, `{`) with the key last seen, or a list (`[`)
/// with the index of the current element.
enum Frame {
    Keyed(Option<String>),
    List(usize),
}

/// The path of the value at 1-based `line` and `column`; empty at the top level.
pub fn path_at(text: &str, line: usize, column: usize) -> String {
    scan(text, line, column, true)
}

/// The path of the struct being read at `line` and `column` (without the key of its
/// last field): where a missing field belongs.
pub fn struct_path_at(text: &str, line: usize, column: usize) -> String {
    scan(text, line, column, false)
}

fn scan(text: &str, line: usize, column: usize, innermost_key: bool) -> String {
    let stop = offset_of(text, line, column);
    let chars: Vec<char> = text[..stop].chars().collect();
    let mut stack: Vec<Frame> = Vec::new();
    // The last identifier or string read, a key if a `:` follows.
    let mut word: Option<String> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i = skip_block_comment(&chars, i);
                continue;
            }
            '"' => {
                let (s, end) = read_string(&chars, i);
                word = Some(s);
                i = end;
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                word = Some(chars[start..i].iter().collect());
                continue;
            }
            ':' => {
                if let Some(Frame::Keyed(key)) = stack.last_mut() {
                    *key = word.take();
                }
            }
            '(' | '{' => stack.push(Frame::Keyed(None)),
            '[' => stack.push(Frame::List(0)),
            ')' | '}' | ']' => {
                stack.pop();
            }
            ',' => match stack.last_mut() {
                Some(Frame::List(k)) => *k += 1,
                Some(Frame::Keyed(key)) => *key = None,
                None => {}
            },
            _ => {}
        }
        if !c.is_whitespace() && c != ':' {
            word = None;
        }
        i += 1;
    }
    if !innermost_key && let Some(Frame::Keyed(key)) = stack.last_mut() {
        *key = None;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::List(k) => path.push_str(&format!("[{k}]")),
            Frame::Keyed(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Keyed(None) => {}
        }
    }
    path
}

/// Byte offset of a 1-based line and column (in characters), clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (k, l) in text.split_inclusive('\n').enumerate() {
        if k + 1 == line {
            let within = l
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(l.len(), |(b, _)| b);
            return offset + within;
        }
        offset += l.len();
    }
    text.len()
}

/// Reads a string literal starting at the opening quote; returns it and the index
/// after the closing quote.
fn read_string(chars: &[char], start: usize) -> (String, usize) {
    let mut s = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if let Some(&c) = chars.get(i + 1) {
                    s.push(c);
                }
                i += 2;
            }
            '"' => return (s, i + 1),
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    (s, i)
}

/// Skips a (possibly nested) block comment; returns the index after it.
fn skip_block_comment(chars: &[char], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path at the first occurrence of `marker` in `text`.
    fn at(text: &str, marker: &str) -> String {
        let offset = text.find(marker).unwrap();
        let line = text[..offset].matches('\n').count() + 1;
        let line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
        path_at(text, line, text[line_start..offset].chars().count() + 1)
    }

    #[test]
    fn names_nested_fields_and_list_indices() {
        let t = r#"(model: "M", /* a ( comment */ events: [(t_ms: 1, set: {"a": 1}), (t_ms: 2, add: {"b": "X"})],
            stimuli: [(target: "I", waveform: Pulses(start_ms: 1, count: Some("Y")))], seed: "Z")"#;
        assert_eq!(at(t, "\"X\""), "events[1].add.b");
        assert_eq!(at(t, "\"Y\""), "stimuli[0].waveform.count");
        assert_eq!(at(t, "\"Z\""), "seed");
        assert_eq!(at(t, "\"M\""), "model");
    }
}
