//! What a preset tells a viewer about its protocol: its notes (the `notes` field,
//! else the file's leading `//` comment, "What it shows / Look at") and whether a
//! run of it pauses at its end by default.

use super::preset::Preset;
use crate::sim::run::default_pause_at_end;

/// Longest notes shown (characters); a longer header is cut with an ellipsis.
pub const MAX_NOTES_CHARS: usize = 8_000;

/// The leading comment block of a preset file: every `//` line before the first
/// line of RON, with the `//` and one following space removed. Empty comment
/// lines are kept (they separate paragraphs). `None` when there is no comment.
pub fn header_comment(text: &str) -> Option<String> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("//") {
            lines.push(rest.strip_prefix(' ').unwrap_or(rest).trim_end());
        } else if trimmed.is_empty() && lines.is_empty() {
            continue;
        } else {
            break;
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let joined = join_paragraphs(&lines);
    (!joined.trim().is_empty()).then(|| cut(joined))
}

/// Rejoins hard-wrapped comment lines into paragraphs (an empty line, or a line
/// starting a heading like "Look at:", starts a new one), so the text reflows in a
/// window of any width.
fn join_paragraphs(lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        if line.is_empty() {
            out.push_str("\n\n");
        } else if out.is_empty() || out.ends_with('\n') {
            out.push_str(line);
        } else if starts_section(line) {
            out.push('\n');
            out.push_str(line);
        } else {
            out.push(' ');
            out.push_str(line);
        }
    }
    out
}

/// "Look at:", "Numbers:", "What it shows:" start their own line.
fn starts_section(line: &str) -> bool {
    let Some((head, _)) = line.split_once(':') else {
        return false;
    };
    let words = head.split_whitespace().count();
    (1..=3).contains(&words)
        && head.chars().next().is_some_and(char::is_uppercase)
        && head
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-')
}

fn cut(text: String) -> String {
    if text.chars().count() <= MAX_NOTES_CHARS {
        return text;
    }
    let mut s: String = text.chars().take(MAX_NOTES_CHARS).collect();
    s.push('…');
    s
}

/// The notes of a preset: its `notes` field, else its header comment.
pub fn notes(preset: &Preset, text: &str) -> Option<String> {
    preset
        .notes
        .as_ref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| cut(n.clone()))
        .or_else(|| header_comment(text))
}

/// Whether a run of the preset pauses at `duration_ms`: as the preset says, else
/// by the run's default rule ([`default_pause_at_end`]).
pub fn pauses_at_end(preset: &Preset) -> bool {
    preset
        .pause_at_end
        .unwrap_or_else(|| default_pause_at_end(&preset.events, &preset.stimuli))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_comment_reflows_paragraphs_and_keeps_sections() {
        let text = "// Title line.\n//\n// What it shows: one\n// two.\n// Look at: v.\n(\n    model: \"X\", // not notes\n)\n";
        assert_eq!(
            header_comment(text).as_deref(),
            Some("Title line.\n\nWhat it shows: one two.\nLook at: v.")
        );
        assert_eq!(header_comment("(model: \"X\")"), None);
    }

    #[test]
    fn notes_field_wins_over_the_comment() {
        let text = "// comment\n(model: \"X\", notes: \"field\")";
        let Ok(p) = Preset::parse("t.ron", text.as_bytes()) else {
            panic!("parses")
        };
        assert_eq!(notes(&p, text).as_deref(), Some("field"));
    }

    #[test]
    fn a_protocol_pauses_unless_the_preset_says_otherwise() {
        let parse = |t: &str| Preset::parse("t.ron", t.as_bytes()).unwrap_or_default();
        assert!(!pauses_at_end(&parse("(model: \"X\")")));
        let stim = "(model: \"X\", stimuli: [(target: \"I_app\", waveform: Constant(value: 1.0))])";
        assert!(pauses_at_end(&parse(stim)));
        let live = "(model: \"X\", pause_at_end: false, events: [(t_ms: 1.0, set: {\"a\": 1.0})])";
        assert!(!pauses_at_end(&parse(live)));
    }
}
