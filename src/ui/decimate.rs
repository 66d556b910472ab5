//! Min/max decimation per pixel column: a window of a million samples becomes at
//! most two points per column, which keeps every peak and trough visible and draws
//! in constant time (rerun's `re_view_time_series` aggregation does the same).

use std::collections::VecDeque;
use std::ops::Range;

/// Appends `[t, y]` points for `range` of `values` to `out`: every sample when there
/// are few, otherwise the min and the max of each of `columns` buckets, in time order.
/// Non-finite values are skipped.
pub fn min_max(
    t_ms: &VecDeque<f64>,
    values: &VecDeque<f64>,
    range: Range<usize>,
    columns: usize,
    out: &mut Vec<[f64; 2]>,
) {
    let len = range.len();
    let columns = columns.max(1);
    if len <= 2 * columns {
        out.extend(
            t_ms.range(range.clone())
                .zip(values.range(range))
                .filter(|(_, y)| y.is_finite())
                .map(|(&t, &y)| [t, y]),
        );
        return;
    }
    let bucket = len.div_ceil(columns);
    let mut start = range.start;
    while start < range.end {
        let end = (start + bucket).min(range.end);
        let mut lo: Option<(usize, f64)> = None;
        let mut hi: Option<(usize, f64)> = None;
        for (k, &y) in values.range(start..end).enumerate() {
            if !y.is_finite() {
                continue;
            }
            if lo.is_none_or(|(_, v)| y < v) {
                lo = Some((start + k, y));
            }
            if hi.is_none_or(|(_, v)| y > v) {
                hi = Some((start + k, y));
            }
        }
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let (first, second) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
            out.push([t_ms[first.0], first.1]);
            if second.0 != first.0 {
                out.push([t_ms[second.0], second.1]);
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_extremes_and_bounds_the_point_count() {
        let n = 1_000_000;
        let t: VecDeque<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
        let y: VecDeque<f64> = (0..n)
            .map(|i| {
                if i == 123_457 {
                    99.0
                } else {
                    (i as f64 * 0.001).sin()
                }
            })
            .collect();
        let mut out = Vec::new();
        min_max(&t, &y, 0..n, 800, &mut out);
        assert!(out.len() <= 1600, "{}", out.len());
        assert!(out.iter().any(|p| p[1] == 99.0));
        assert!(out.windows(2).all(|w| w[0][0] <= w[1][0]));
    }

    #[test]
    fn few_samples_pass_through() {
        let t: VecDeque<f64> = (0..10).map(f64::from).collect();
        let y: VecDeque<f64> = [1.0, f64::NAN, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0].into();
        let mut out = Vec::new();
        min_max(&t, &y, 2..5, 100, &mut out);
        assert_eq!(out, vec![[2.0, 3.0], [3.0, 4.0], [4.0, 5.0]]);
    }
}
