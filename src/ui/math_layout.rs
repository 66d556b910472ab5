//! Lays out and paints display math ([`Math`], from `model::pretty`) with egui's
//! painter: subscripts and superscripts in a smaller size, stacked fractions with a
//! bar, parentheses grown to fit what they enclose. Each box is measured from its
//! baseline (ascent above, descent below) so rows line up as typeset math does.
//! Parameter names come back as clickable regions for the caller.

use std::sync::Arc;

use egui::{Color32, FontId, Galley, Pos2, Rect, Stroke, Vec2, pos2, vec2};

use crate::model::pretty::Math;

/// The maximal conductance's symbol, which not every font has.
const BAR_G: &str = "ḡ";

/// Subscripts and superscripts relative to their base.
const SCRIPT_SCALE: f32 = 0.7;

/// Colours of the kinds of symbol.
#[derive(Clone, Copy)]
pub struct MathColors {
    pub text: Color32,
    /// Parameters (clickable).
    pub param: Color32,
}

/// A laid-out piece: items relative to the box's left end on its baseline.
#[derive(Default)]
pub struct MathBox {
    pub width: f32,
    pub ascent: f32,
    pub descent: f32,
    items: Vec<Item>,
}

enum Item {
    Text {
        offset: Vec2,
        galley: Arc<Galley>,
        /// The model name, when the text is a name.
        name: Option<String>,
    },
    Line {
        from: Vec2,
        to: Vec2,
    },
}

/// A name drawn at `rect` (screen coordinates).
pub struct NameHit {
    pub rect: Rect,
    pub name: String,
}

impl MathBox {
    pub fn size(&self) -> Vec2 {
        vec2(self.width, self.ascent + self.descent)
    }

    /// Appends `other` to the right, on the same baseline.
    pub fn push_math(&mut self, other: MathBox) {
        let dx = self.width;
        for item in other.items {
            self.items.push(item.shifted(vec2(dx, 0.0)));
        }
        self.width += other.width;
        self.ascent = self.ascent.max(other.ascent);
        self.descent = self.descent.max(other.descent);
    }

    /// Places `other` with its baseline `dy` below this box's and left end at `dx`.
    fn place(&mut self, other: MathBox, dx: f32, dy: f32) {
        for item in other.items {
            self.items.push(item.shifted(vec2(dx, dy)));
        }
        self.width = self.width.max(dx + other.width);
        self.ascent = self.ascent.max(other.ascent - dy);
        self.descent = self.descent.max(other.descent + dy);
    }

    /// Paints with the baseline's left end at `origin`; returns where names were drawn.
    pub fn paint(&self, painter: &egui::Painter, origin: Pos2, stroke: Stroke) -> Vec<NameHit> {
        let mut hits: Vec<NameHit> = Vec::new();
        for item in &self.items {
            match item {
                Item::Text {
                    offset,
                    galley,
                    name,
                } => {
                    let pos = origin + *offset;
                    if let Some(name) = name {
                        let rect = Rect::from_min_size(pos, galley.size());
                        // A name's base and subscript are one link.
                        match hits.last_mut() {
                            Some(last)
                                if last.name == *name && last.rect.expand(1.0).intersects(rect) =>
                            {
                                last.rect = last.rect.union(rect);
                            }
                            _ => hits.push(NameHit {
                                rect,
                                name: name.clone(),
                            }),
                        }
                    }
                    painter.galley(pos, Arc::clone(galley), stroke.color);
                }
                Item::Line { from, to } => {
                    painter.line_segment([origin + *from, origin + *to], stroke);
                }
            }
        }
        hits
    }
}

impl Item {
    fn shifted(self, d: Vec2) -> Item {
        match self {
            Item::Text {
                offset,
                galley,
                name,
            } => Item::Text {
                offset: offset + d,
                galley,
                name,
            },
            Item::Line { from, to } => Item::Line {
                from: from + d,
                to: to + d,
            },
        }
    }
}

/// Lays out math at a font size.
pub struct Typesetter<'a> {
    pub painter: &'a egui::Painter,
    pub colors: MathColors,
    /// Names that are parameters (drawn in the parameter colour, clickable).
    pub is_param: &'a dyn Fn(&str) -> bool,
}

impl Typesetter<'_> {
    /// `s` with every character the fonts cannot draw replaced (egui refuses to
    /// lay out a missing glyph): ḡ becomes g with a drawn bar, anything else `?`.
    fn text(&self, s: &str, size: f32, color: Color32, name: Option<&str>) -> MathBox {
        let font = FontId::proportional(size);
        if self.painter.fonts_mut(|f| f.has_glyphs(&font, s)) {
            return self.drawable_text(s.to_owned(), size, color, name);
        }
        if s == BAR_G {
            let mut b = self.drawable_text("g".to_owned(), size, color, name);
            let w = b.width;
            b.items.push(Item::Line {
                from: vec2(w * 0.1, -size * 0.62),
                to: vec2(w * 0.9, -size * 0.62),
            });
            return b;
        }
        let shown: String = s
            .chars()
            .map(|c| {
                if self.painter.fonts_mut(|f| f.has_glyph(&font, c)) {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        self.drawable_text(shown, size, color, name)
    }

    fn drawable_text(&self, s: String, size: f32, color: Color32, name: Option<&str>) -> MathBox {
        let galley = self
            .painter
            .layout_no_wrap(s, FontId::proportional(size), color);
        let h = galley.size().y;
        // The font's baseline sits about 4/5 of the row height down.
        let ascent = h * 0.8;
        MathBox {
            width: galley.size().x,
            ascent,
            descent: h - ascent,
            items: vec![Item::Text {
                offset: vec2(0.0, -ascent),
                galley,
                name: name.map(str::to_owned),
            }],
        }
    }

    /// The box of `m` at font `size`.
    pub fn layout(&self, m: &Math, size: f32) -> MathBox {
        let c = self.colors.text;
        match m {
            Math::Name { base, sub, name } => {
                let color = if (self.is_param)(name) {
                    self.colors.param
                } else {
                    c
                };
                let mut b = self.text(base, size, color, Some(name));
                if !sub.is_empty() {
                    let s = self.text(sub, size * SCRIPT_SCALE, color, Some(name));
                    let w = b.width;
                    b.place(s, w, size * 0.22);
                }
                b
            }
            Math::Num(s) | Math::Op(s) => self.text(s, size, c, None),
            Math::Row(items) => {
                let mut b = MathBox::default();
                for i in items {
                    b.push_math(self.layout(i, size));
                }
                b
            }
            Math::Frac(num, den) => self.fraction(num, den, size),
            Math::Pow(base, exp) => {
                let mut b = self.layout(base, size);
                let e = self.layout(exp, size * SCRIPT_SCALE);
                let w = b.width;
                // Raised so the exponent's baseline clears the base's x-height.
                let rise = (b.ascent - size * 0.45).max(size * 0.4);
                b.place(e, w + 1.0, -rise);
                b
            }
            Math::Paren(inner) => self.fenced("(", self.layout(inner, size), ")", size),
            Math::Abs(inner) => self.fenced("|", self.layout(inner, size), "|", size),
            Math::Call(f, args) => {
                let mut inner = MathBox::default();
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        inner.push_math(self.text(", ", size, c, None));
                    }
                    inner.push_math(self.layout(a, size));
                }
                let mut b = self.text(f, size, c, None);
                b.push_math(self.fenced("(", inner, ")", size));
                b
            }
        }
    }

    fn fraction(&self, num: &Math, den: &Math, size: f32) -> MathBox {
        let (n, d) = (self.layout(num, size), self.layout(den, size));
        let pad = size * 0.15;
        let width = n.width.max(d.width) + 2.0 * pad;
        // The bar sits on the math axis, about a third of the size above the baseline.
        let axis = size * 0.3;
        let gap = size * 0.12;
        let mut b = MathBox {
            width,
            ascent: 0.0,
            descent: 0.0,
            items: vec![Item::Line {
                from: vec2(pad * 0.5, -axis),
                to: vec2(width - pad * 0.5, -axis),
            }],
        };
        let (nd, dd) = (n.descent, d.ascent);
        let (nw, dw) = (n.width, d.width);
        b.place(n, (width - nw) / 2.0, -axis - gap - nd);
        b.place(d, (width - dw) / 2.0, -axis + gap + dd);
        b
    }

    /// `inner` between two delimiters grown to its height.
    fn fenced(&self, open: &str, inner: MathBox, close: &str, size: f32) -> MathBox {
        let tall = (inner.ascent + inner.descent) / (size * 1.15);
        let fence_size = size * tall.clamp(1.0, 2.6);
        let mut left = self.text(open, fence_size, self.colors.text, None);
        let right = self.text(close, fence_size, self.colors.text, None);
        // Centre the delimiters on the enclosed box.
        let centre = (inner.descent - inner.ascent) / 2.0;
        let shift = centre - (left.descent - left.ascent) / 2.0;
        let mut b = MathBox::default();
        let lw = left.width;
        let mut moved = MathBox::default();
        moved.place(std::mem::take(&mut left), 0.0, shift);
        b.push_math(moved);
        b.place(inner, lw, 0.0);
        let w = b.width;
        b.place(right, w, shift);
        b
    }
}

/// Points of a box's baseline origin when its top-left is at `top_left`.
pub fn origin_at(top_left: Pos2, b: &MathBox) -> Pos2 {
    pos2(top_left.x, top_left.y + b.ascent)
}
