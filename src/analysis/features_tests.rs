//! Unit tests of the firing features on synthetic trains and traces whose features
//! are known by construction.

use super::*;

fn ctx(from_ms: f64, to_ms: f64) -> TrainContext {
    TrainContext {
        from_ms,
        to_ms,
        tail_v_mean_mv: None,
        resting_mv: None,
    }
}

/// Spike times from a start and a list of ISIs.
fn train(start: f64, isis: &[f64]) -> Vec<f64> {
    let mut t = vec![start];
    for d in isis {
        t.push(t[t.len() - 1] + d);
    }
    t
}

#[test]
fn regular_train_is_tonic() {
    let s = train(10.0, &[20.0; 9]);
    assert_eq!(classify_train(&s, &ctx(0.0, 200.0)), FiringClass::Tonic);
    let i = isis(&s);
    assert_eq!(cv(&i), Some(0.0));
    assert_eq!(adaptation_index(&i), Some(0.0));
    assert_eq!(local_variation(&i), Some(0.0));
    assert!(find_bursts(&s).runs.is_empty());
}

#[test]
fn adaptation_index_is_efel_index2() {
    // From the second ISI: (20-10)/30 and (40-20)/60.
    let a = adaptation_index(&[10.0, 10.0, 20.0, 40.0]).unwrap();
    assert!((a - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(adaptation_index(&[10.0, 20.0]), None);
    // Population SD of 10, 20 is 5, mean 15.
    assert!((cv(&[10.0, 20.0]).unwrap() - 1.0 / 3.0).abs() < 1e-15);
}

#[test]
fn slowing_train_is_adapting() {
    let s = train(5.0, &[4.0, 5.0, 7.0, 10.0, 14.0, 16.0, 17.0]);
    assert_eq!(classify_train(&s, &ctx(0.0, 100.0)), FiringClass::Adapting);
}

#[test]
fn bursts_are_found_and_classified() {
    // Three bursts of four spikes (ISI 2 ms) every 50 ms.
    let mut s = Vec::new();
    for b in 0..3 {
        s.extend(train(10.0 + 50.0 * b as f64, &[2.0, 2.0, 2.0]));
    }
    let bursts = find_bursts(&s);
    assert_eq!(bursts.runs, vec![(0, 4), (4, 4), (8, 4)]);
    assert_eq!(bursts.spikes_per_burst(), Some(4.0));
    assert_eq!(classify_train(&s, &ctx(0.0, 200.0)), FiringClass::Bursting);

    // One burst of three, then regular spikes 30 ms apart.
    let s = train(10.0, &[2.5, 4.0, 38.0, 31.0, 31.0, 31.0]);
    assert_eq!(find_bursts(&s).runs, vec![(0, 3)]);
    assert_eq!(
        classify_train(&s, &ctx(0.0, 200.0)),
        FiringClass::InitialBurst
    );
}

#[test]
fn gradual_speed_up_is_not_a_burst() {
    // Low-threshold-spiking-like: short ISIs lengthening gradually (ratios < 2.5).
    let s = train(10.0, &[3.0, 4.0, 5.0, 7.0, 10.0, 13.0, 13.5, 13.5]);
    assert!(find_bursts(&s).runs.is_empty());
    assert_eq!(classify_train(&s, &ctx(0.0, 200.0)), FiringClass::Adapting);
}

#[test]
fn alternating_isis_are_irregular() {
    // Ratios below the burst factor, so no bursts, but no two ISIs alike.
    let s = train(0.0, &[5.0, 11.0, 6.0, 12.0, 5.0, 11.0, 6.0, 12.0]);
    assert!(find_bursts(&s).runs.is_empty());
    assert!(local_variation(&isis(&s)).unwrap() > IRREGULAR_LV);
    assert_eq!(classify_train(&s, &ctx(0.0, 100.0)), FiringClass::Irregular);
}

#[test]
fn silence_and_block() {
    assert_eq!(classify_train(&[], &ctx(0.0, 100.0)), FiringClass::Silent);
    assert_eq!(
        classify_train(&[50.0], &ctx(0.0, 100.0)),
        FiringClass::Silent
    );
    let blocked = TrainContext {
        tail_v_mean_mv: Some(-35.0),
        resting_mv: Some(-70.0),
        ..ctx(0.0, 200.0)
    };
    assert_eq!(
        classify_train(&[10.0, 20.0, 30.0], &blocked),
        FiringClass::DepolarizationBlock
    );
    // Back at rest after the spikes: not a block.
    let rest = TrainContext {
        tail_v_mean_mv: Some(-69.0),
        ..blocked
    };
    assert_eq!(
        classify_train(&[10.0, 20.0, 30.0], &rest),
        FiringClass::Tonic
    );
}

/// A trace at -70 mV with triangular spikes at `spikes`: up at 100 mV/ms to +30 in
/// 1 ms, down at 55 mV/ms to -80 in 2 ms, back to -70 at 1 mV/ms.
fn synthetic_trace(spikes: &[f64], to_ms: f64) -> (Vec<f64>, Vec<f64>) {
    let dt = 0.1;
    let n = (to_ms / dt).round() as usize + 1;
    let t: Vec<f64> = (0..n).map(|k| k as f64 * dt).collect();
    let v = t
        .iter()
        .map(|&x| {
            let Some(&s) = spikes.iter().rev().find(|&&s| s <= x + 1e-9) else {
                return -70.0;
            };
            let u = x - s;
            if u < 1.0 {
                -70.0 + 100.0 * u
            } else if u < 3.0 {
                30.0 - 55.0 * (u - 1.0)
            } else {
                (-80.0 + (u - 3.0)).min(-70.0)
            }
        })
        .collect();
    (t, v)
}

#[test]
fn action_potential_shape() {
    let spikes = [10.0, 40.0];
    let (t, v) = synthetic_trace(&spikes, 60.0);
    let f = features(&t, &v, &spikes, 0.0, 60.0);
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert_eq!(f.spike_count, 2);
    assert!(close(f.ap_peak_mv, 30.0), "{:?}", f.ap_peak_mv);
    assert!(close(f.ap_amplitude_mv, 100.0), "{:?}", f.ap_amplitude_mv);
    // Half amplitude -20 mV: up at +0.5 ms, down at 1 + 50/55 ms.
    assert!(
        close(f.ap_half_width_ms, 0.5 + 50.0 / 55.0),
        "{:?}",
        f.ap_half_width_ms
    );
    assert!(close(f.resting_mv, -70.0));
    assert!(close(f.ahp_depth_mv, -10.0), "{:?}", f.ahp_depth_mv);
    assert!(close(f.first_spike_latency_ms, 10.0));
    assert!(close(Some(f.rate_hz), 2.0 / 0.06));
    assert!(close(f.isi_mean_ms, 30.0));
    assert_eq!(f.class, FiringClass::Tonic);
}

#[test]
fn window_limits_the_spikes() {
    let spikes = [10.0, 40.0, 70.0, 100.0];
    let (t, v) = synthetic_trace(&spikes, 120.0);
    let f = features(&t, &v, &spikes, 35.0, 90.0);
    assert_eq!(f.spike_count, 2);
    assert_eq!(f.first_spike_latency_ms, Some(5.0));
    let text = f.text();
    assert!(text.contains("spike_count: 2\n"), "{text}");
    assert!(text.contains("class: tonic\n"), "{text}");
    assert!(text.contains("isi_cv: n/a\n"), "{text}");
    for c in FiringClass::ALL {
        assert_eq!(FiringClass::from_name(c.name()), Some(c));
    }
}

#[test]
fn a_window_opening_on_an_upstroke_reports_no_resting_potential() {
    let spikes = [10.0, 40.0];
    let (t, v) = synthetic_trace(&spikes, 60.0);
    // The window opens 1 ms before the first upstroke: too little baseline.
    let f = features(&t, &v, &spikes, 9.0, 60.0);
    assert_eq!(f.spike_count, 2);
    assert_eq!(f.resting_mv, None);
    assert_eq!(f.ahp_depth_mv, None);
    // With 5 ms of baseline the rest is found again.
    let f = features(&t, &v, &spikes, 5.0, 60.0);
    assert!(
        f.resting_mv.is_some_and(|r| (r + 70.0).abs() < 1e-9),
        "{:?}",
        f.resting_mv
    );
}
