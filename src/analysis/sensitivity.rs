//! Identifiability of a fit: how the loss changes when each free parameter moves
//! by ±1 % and ±5 % of its value (of its range when the value is 0), with the
//! others held, and a curvature estimate from the central second difference at
//! ±1 % (the diagonal of the Hessian in relative units).
//!
//! Flags: a parameter is *unconstrained* when no ±5 % move changes the loss by more
//! than [`UNCONSTRAINED_LOSS`]; *knife-edge* when a ±1 % move raises it by more than
//! [`KNIFE_EDGE_LOSS`] or by more than three times the loss (at least 0.1); otherwise
//! *identified*, with the
//! relative change that raises the loss by [`TOLERANCE_LOSS`] from the curvature
//! (the half-width of a loss valley, `sqrt(2 · tol / curvature)`).

/// Loss changes below this at ±5 % leave a parameter unconstrained.
pub const UNCONSTRAINED_LOSS: f64 = 0.02;
/// A rise above this at ±1 % makes a parameter knife-edge.
pub const KNIFE_EDGE_LOSS: f64 = 1.0;
/// The loss rise that defines a parameter's tolerance.
pub const TOLERANCE_LOSS: f64 = 0.05;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identifiability {
    Identified,
    Unconstrained,
    KnifeEdge,
}

impl Identifiability {
    pub fn label(self) -> &'static str {
        match self {
            Self::Identified => "identified",
            Self::Unconstrained => "UNCONSTRAINED",
            Self::KnifeEdge => "KNIFE-EDGE",
        }
    }
}

/// One free parameter's row.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    pub name: String,
    pub value: f64,
    /// Loss change (loss at the moved value − loss at the fit) at −5, −1, +1, +5 %.
    pub delta_loss: [f64; 4],
    /// d²L/d(relative change)², from the ±1 % points.
    pub curvature: f64,
    /// Relative change raising the loss by [`TOLERANCE_LOSS`] (from the
    /// curvature); `None` where the curvature is not positive.
    pub tolerance_rel: Option<f64>,
    pub flag: Identifiability,
}

/// The relative moves, in the order of [`SensitivityRow::delta_loss`].
pub const MOVES: [f64; 4] = [-0.05, -0.01, 0.01, 0.05];

/// The moved value of a parameter (value × (1 + m), or value + m × range width
/// when the value is 0).
pub fn moved(value: f64, range_width: f64, m: f64) -> f64 {
    if value == 0.0 {
        m * range_width
    } else {
        value * (1.0 + m)
    }
}

/// Builds a row from the loss at the fit and at the four moves.
pub fn row(name: &str, value: f64, loss0: f64, losses: [f64; 4]) -> SensitivityRow {
    let delta_loss = losses.map(|l| l - loss0);
    let h = 0.01;
    let curvature = (delta_loss[1] + delta_loss[2]) / (h * h);
    let tolerance_rel = (curvature > 0.0).then(|| (2.0 * TOLERANCE_LOSS / curvature).sqrt());
    let max5 = delta_loss[0].abs().max(delta_loss[3].abs());
    let rise1 = delta_loss[1].max(delta_loss[2]);
    let flag = if !(rise1 <= KNIFE_EDGE_LOSS && rise1 <= 3.0 * loss0.max(0.1)) {
        Identifiability::KnifeEdge
    } else if max5 < UNCONSTRAINED_LOSS {
        Identifiability::Unconstrained
    } else {
        Identifiability::Identified
    };
    SensitivityRow {
        name: name.into(),
        value,
        delta_loss,
        curvature,
        tolerance_rel,
        flag,
    }
}

/// The table as text, as `fit` prints it and provenance stores it.
pub fn text(rows: &[SensitivityRow]) -> String {
    let mut s = format!(
        "{:<10} {:>14} {:>10} {:>10} {:>10} {:>10} {:>11} {:>9}  {}\n",
        "parameter", "value", "dL -5%", "dL -1%", "dL +1%", "dL +5%", "curvature", "tol.", "flag"
    );
    for r in rows {
        let tol = r
            .tolerance_rel
            .map_or("—".to_owned(), |t| format!("{:.2}%", 100.0 * t));
        s.push_str(&format!(
            "{:<10} {:>14.6} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>11.3e} {:>9}  {}\n",
            r.name,
            r.value,
            r.delta_loss[0],
            r.delta_loss[1],
            r.delta_loss[2],
            r.delta_loss[3],
            r.curvature,
            tol,
            r.flag.label()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_follow_the_loss_changes() {
        // A quadratic valley L = 0.1 + 100 x² (x relative): curvature 200.
        let l = |m: f64| 0.1 + 100.0 * m * m;
        let r = row("p", 1.0, l(0.0), MOVES.map(l));
        assert!((r.curvature - 200.0).abs() < 1e-6);
        assert_eq!(r.flag, Identifiability::Identified);
        assert!((r.tolerance_rel.unwrap() - (0.1f64 / 200.0).sqrt()).abs() < 1e-9);
        let flat = row("q", 1.0, 0.1, [0.1, 0.1, 0.1, 0.1001]);
        assert_eq!(flat.flag, Identifiability::Unconstrained);
        let sharp = row("s", 1.0, 0.3, [40.0, 31.0, 0.4, 9.0]);
        assert_eq!(sharp.flag, Identifiability::KnifeEdge);
    }
}
