//! AP-shape objectives on a synthetic trace whose features are computed by hand.

use super::*;

/// dt 0.1 ms, 0..60 ms, v = −70 mV except for two identical APs starting at 10 and
/// 30 ms: +100 mV/ms for 1 ms (peak +30), −55 mV/ms for 2 ms (trough −80), then
/// +1 mV/ms back to −70. Spike times where v crosses 0 (0.7 ms into each AP).
fn synthetic() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let ap = |x: f64| {
        if x <= 1.0 {
            -70.0 + 100.0 * x
        } else if x <= 3.0 {
            30.0 - 55.0 * (x - 1.0)
        } else {
            (-80.0 + (x - 3.0)).min(-70.0)
        }
    };
    let t: Vec<f64> = (0..=600).map(|k| k as f64 * 0.1).collect();
    let v = t
        .iter()
        .map(|&t| match t {
            t if (10.0..30.0).contains(&t) => ap(t - 10.0),
            t if t >= 30.0 => ap(t - 30.0),
            _ => -70.0,
        })
        .collect();
    (t, v, vec![10.7, 30.7])
}

/// Hand-computed: peak +30; begin −70 (the slope before the AP is 0), amplitude
/// 100, half level −20, crossed rising 0.5 ms and falling 1 + 50/55 ms into the AP:
/// half-width 1 + 50/55 − 0.5 ms; trough −80 minus the
/// rest −70 = −10 mV.
#[test]
fn shape_of_a_synthetic_trace() {
    let (t, v, s) = synthetic();
    let shape = ApShape::of_trace(&t, &v, &s, (0.0, 60.0));
    assert!((shape.peak_mv.unwrap() - 30.0).abs() < 1e-9, "{shape:?}");
    let hw = 1.0 + 50.0 / 55.0 - 0.5;
    assert!(
        (shape.half_width_ms.unwrap() - hw).abs() < 1e-9,
        "{shape:?}"
    );
    assert!(
        (shape.ahp_depth_mv.unwrap() + 10.0).abs() < 1e-9,
        "{shape:?}"
    );
    // One spike: no AHP between two peaks.
    let one = ApShape::of_trace(&t, &v, &s[..1], (0.0, 25.0));
    assert_eq!(one.ahp_depth_mv, None);
    assert!(one.peak_mv.is_some());
}

fn objectives() -> Vec<Objective> {
    [
        (Feature::ApPeak, 2.0),
        (Feature::ApHalfWidth, 0.1),
        (Feature::AhpDepth, 1.0),
    ]
    .map(|(feature, scale)| Objective {
        feature,
        weight: 1.0,
        scale,
    })
    .to_vec()
}

#[test]
fn terms_compare_the_shapes_and_skip_what_is_undefined() {
    let (t, v, s) = synthetic();
    let r = ApShape::of_trace(&t, &v, &s, (0.0, 60.0));
    let c = ApShape {
        peak_mv: Some(25.0),
        half_width_ms: Some(1.5),
        ahp_depth_mv: Some(-12.0),
    };
    let side = |shape, reset_spike| Side { shape, reset_spike };
    let mut table = LossTable::default();
    shape_terms(
        &mut table,
        "steps @ 4",
        &objectives(),
        (side(Some(&r), false), side(Some(&c), false)),
        2,
    );
    let table = table.finished();
    let hw = 1.0 + 50.0 / 55.0 - 0.5;
    // Weight 1 shared by the group's 2 runs: contribution = 0.5 × error / scale.
    let expect = [5.0 / 2.0, (1.5 - hw) / 0.1, 2.0 / 1.0].map(|e| 0.5 * e);
    for (row, want) in table.rows.iter().zip(expect) {
        assert!((row.contribution - want).abs() < 1e-9, "{row:?}");
        assert_eq!(row.note, None);
    }
    assert!((table.loss - expect.iter().sum::<f64>()).abs() < 1e-9);

    // A reset candidate: peak and half-width skipped with a note, AHP still scored.
    let mut table = LossTable::default();
    shape_terms(
        &mut table,
        "steps @ 4",
        &objectives(),
        (side(Some(&r), false), side(Some(&c), true)),
        1,
    );
    let rows = &table.rows;
    for row in &rows[..2] {
        assert_eq!(row.contribution, 0.0);
        assert!(row.note.as_deref().unwrap().contains("reset"), "{row:?}");
    }
    assert!((rows[2].contribution - 2.0).abs() < 1e-9);
    assert_eq!(rows[2].note, None);

    // A silent candidate: every shape undefined for it.
    let mut table = LossTable::default();
    shape_terms(
        &mut table,
        "x",
        &objectives(),
        (
            side(Some(&r), false),
            side(Some(&ApShape::default()), false),
        ),
        1,
    );
    assert!(
        table
            .rows
            .iter()
            .all(|r| r.contribution == 0.0 && r.note.as_deref().unwrap().contains("candidate"))
    );
}
