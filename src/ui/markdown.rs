//! The Markdown subset of lesson texts, drawn with egui's own text layout (no
//! Markdown crate): paragraphs (blank-line separated), `- ` or `* ` bullets,
//! `**bold**`, `*italic*` and `` `code` ``.

use egui::text::{LayoutJob, TextFormat};

/// How a run of text is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Plain,
    Bold,
    Italic,
    Code,
}

/// One block: a paragraph or a bullet item, as inline runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub bullet: bool,
    pub runs: Vec<(Span, String)>,
}

/// Splits `text` into paragraphs and bullet items; lines of a paragraph join with spaces.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut current: Option<(bool, String)> = None;
    let flush = |cur: &mut Option<(bool, String)>, out: &mut Vec<Block>| {
        if let Some((bullet, s)) = cur.take() {
            out.push(Block {
                bullet,
                runs: inline(&s),
            });
        }
    };
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            flush(&mut current, &mut out);
        } else if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            flush(&mut current, &mut out);
            current = Some((true, item.to_owned()));
        } else if let Some((_, s)) = &mut current {
            s.push(' ');
            s.push_str(t);
        } else {
            current = Some((false, t.to_owned()));
        }
    }
    flush(&mut current, &mut out);
    out
}

/// Inline runs: `**bold**`, `*italic*`, `` `code` ``; an unclosed marker is plain text.
pub fn inline(s: &str) -> Vec<(Span, String)> {
    let mut runs: Vec<(Span, String)> = Vec::new();
    let mut plain = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        let marked = [("**", Span::Bold), ("`", Span::Code), ("*", Span::Italic)]
            .into_iter()
            .find_map(|(m, span)| {
                let after = rest.strip_prefix(m)?;
                let end = after.find(m).filter(|&e| e > 0)?;
                Some((span, &after[..end], &after[end + m.len()..]))
            });
        match marked {
            Some((span, inner, tail)) => {
                if !plain.is_empty() {
                    runs.push((Span::Plain, std::mem::take(&mut plain)));
                }
                runs.push((span, inner.to_owned()));
                rest = tail;
            }
            None => {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    plain.push(c);
                }
                rest = chars.as_str();
            }
        }
    }
    if !plain.is_empty() {
        runs.push((Span::Plain, plain));
    }
    runs
}

/// Draws `text` as wrapped labels, one per block.
pub fn markdown_ui(ui: &mut egui::Ui, text: &str) {
    let style = ui.style().clone();
    let body = egui::TextStyle::Body.resolve(&style);
    let mono = egui::FontId::monospace(body.size * 0.95);
    let visuals = &style.visuals;
    for block in blocks(text) {
        let mut job = LayoutJob::default();
        job.wrap.max_width = ui.available_width();
        let plain = TextFormat::simple(body.clone(), visuals.text_color());
        if block.bullet {
            job.append("•  ", 8.0, plain.clone());
        }
        for (span, s) in &block.runs {
            let format = match span {
                Span::Plain => plain.clone(),
                Span::Bold => TextFormat::simple(body.clone(), visuals.strong_text_color()),
                Span::Italic => TextFormat {
                    italics: true,
                    ..plain.clone()
                },
                Span::Code => TextFormat {
                    font_id: mono.clone(),
                    background: visuals.code_bg_color,
                    ..plain.clone()
                },
            };
            job.append(s, 0.0, format);
        }
        ui.label(job);
        ui.add_space(4.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_bullets_and_inline_marks() {
        let b = blocks("Raise **I_ext**\nslowly.\n\n- one *two*\n- `g_Na` = 0\n\nEnd * alone");
        assert_eq!(b.len(), 4);
        assert_eq!(
            b[0].runs,
            vec![
                (Span::Plain, "Raise ".into()),
                (Span::Bold, "I_ext".into()),
                (Span::Plain, " slowly.".into())
            ]
        );
        assert!(b[1].bullet && b[2].bullet && !b[3].bullet);
        assert_eq!(b[1].runs[1], (Span::Italic, "two".into()));
        assert_eq!(b[2].runs[0], (Span::Code, "g_Na".into()));
        assert_eq!(b[3].runs, vec![(Span::Plain, "End * alone".into())]);
    }
}
