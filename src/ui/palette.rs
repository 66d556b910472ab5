//! Colour-blind-safe colours for every plot: the Okabe–Ito categorical palette
//! (Okabe & Ito 2008, "Color Universal Design"; distinct under the common forms of
//! colour blindness) for a few named curves, and the viridis colormap (van der Walt
//! & Smith 2015; perceptually uniform, readable in grey) for families of many curves
//! such as the 25 traces of a voltage-clamp sweep.

use egui::Color32;

/// Okabe–Ito without black, ordered for a dark background: the light colours first.
const ON_DARK: [Color32; 7] = [
    Color32::from_rgb(86, 180, 233),  // sky blue
    Color32::from_rgb(230, 159, 0),   // orange
    Color32::from_rgb(0, 158, 115),   // bluish green
    Color32::from_rgb(204, 121, 167), // reddish purple
    Color32::from_rgb(240, 228, 66),  // yellow
    Color32::from_rgb(213, 94, 0),    // vermillion
    Color32::from_rgb(0, 114, 178),   // blue
];

/// Okabe–Ito without black, ordered for a light background: yellow, which is hard
/// to see on white, last.
const ON_LIGHT: [Color32; 7] = [
    Color32::from_rgb(0, 114, 178),   // blue
    Color32::from_rgb(213, 94, 0),    // vermillion
    Color32::from_rgb(0, 158, 115),   // bluish green
    Color32::from_rgb(204, 121, 167), // reddish purple
    Color32::from_rgb(230, 159, 0),   // orange
    Color32::from_rgb(86, 180, 233),  // sky blue
    Color32::from_rgb(240, 228, 66),  // yellow
];

/// Number of categorical colours before curves switch to the colormap.
pub const CATEGORICAL: usize = ON_DARK.len();

/// Role colours that stay the same on every plot (the Compare tab's reference and
/// candidate, spikes, markers). Okabe–Ito orange and blue stay apart for every
/// form of colour blindness.
pub const REFERENCE: Color32 = Color32::from_rgb(230, 159, 0);
pub const CANDIDATE: Color32 = Color32::from_rgb(0, 114, 178);
/// Spike markers and unstable branches (vermillion).
pub const ALERT: Color32 = Color32::from_rgb(213, 94, 0);
/// Stable branches and attractors (bluish green).
pub const STABLE: Color32 = Color32::from_rgb(0, 158, 115);

/// The `k`-th categorical colour (cycling), for the background `dark` or light.
pub fn categorical(k: usize, dark: bool) -> Color32 {
    let table = if dark { &ON_DARK } else { &ON_LIGHT };
    table[k % table.len()]
}

/// Viridis at 9 evenly spaced points (matplotlib's `_viridis_data`).
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];

/// Viridis at `t` in [0, 1] (clamped), linearly interpolated.
pub fn viridis(t: f64) -> Color32 {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    Color32::from_rgb(mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2]))
}

/// Colour of curve `k` of `n` in one family: categorical while they fit, else a
/// viridis ramp in order (neighbouring values get neighbouring colours). The ramp
/// avoids the end that vanishes into the background: dark purple on a dark theme,
/// yellow on a light one.
pub fn series(k: usize, n: usize, dark: bool) -> Color32 {
    if n <= CATEGORICAL {
        return categorical(k, dark);
    }
    let t = k as f64 / (n - 1).max(1) as f64;
    let (lo, hi) = if dark { (0.2, 1.0) } else { (0.0, 0.85) };
    viridis(lo + t * (hi - lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative luminance (WCAG 2), for contrast against the background.
    fn luminance(c: Color32) -> f64 {
        let lin = |u: u8| {
            let s = u as f64 / 255.0;
            if s <= 0.03928 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
    }

    #[test]
    fn categorical_colours_are_distinct() {
        for dark in [true, false] {
            let colours: Vec<Color32> = (0..CATEGORICAL).map(|k| categorical(k, dark)).collect();
            for (i, a) in colours.iter().enumerate() {
                for b in &colours[i + 1..] {
                    assert_ne!(a, b);
                }
            }
        }
    }

    #[test]
    fn viridis_ends_match_matplotlib_and_brighten_monotonically() {
        assert_eq!(viridis(0.0), Color32::from_rgb(68, 1, 84));
        assert_eq!(viridis(1.0), Color32::from_rgb(253, 231, 37));
        // Viridis' luminance rises monotonically: a family reads in order, also in grey.
        let l: Vec<f64> = (0..=20)
            .map(|k| luminance(viridis(k as f64 / 20.0)))
            .collect();
        assert!(l.windows(2).all(|w| w[1] > w[0]), "{l:?}");
    }

    #[test]
    fn a_family_of_25_gets_25_colours_visible_on_the_background() {
        for dark in [true, false] {
            let bg = if dark { 0.01 } else { 1.0 };
            let colours: Vec<Color32> = (0..25).map(|k| series(k, 25, dark)).collect();
            let distinct: std::collections::HashSet<_> = colours.iter().collect();
            assert_eq!(distinct.len(), 25);
            for c in colours {
                let (hi, lo) = (luminance(c).max(bg), luminance(c).min(bg));
                let contrast = (hi + 0.05) / (lo + 0.05);
                assert!(contrast > 1.5, "{c:?} on dark={dark}: contrast {contrast}");
            }
        }
    }
}
