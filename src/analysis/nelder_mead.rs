//! Nelder–Mead simplex search (Nelder & Mead 1965, with the standard coefficients
//! 1, 2, ½, ½ of Lagarias et al. 1998), used to polish the best CMA-ES point.

use super::SweepError;

/// Minimises `f` from `start` with an initial simplex of side `step` along each
/// axis, within `budget` evaluations. Returns the best point and its value; the
/// start is evaluated first, so the result is never worse than it.
pub fn minimise(
    f: &mut dyn FnMut(&[f64]) -> Result<f64, SweepError>,
    start: &[f64],
    step: f64,
    budget: usize,
) -> Result<(Vec<f64>, f64, usize), SweepError> {
    let n = start.len();
    let mut evals = 0;
    let mut eval = |x: &[f64], evals: &mut usize| -> Result<f64, SweepError> {
        *evals += 1;
        let v = f(x)?;
        Ok(if v.is_nan() { f64::INFINITY } else { v })
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((start.to_vec(), eval(start, &mut evals)?));
    for i in 0..n {
        if evals >= budget {
            break;
        }
        let mut x = start.to_vec();
        x[i] += step;
        let v = eval(&x, &mut evals)?;
        simplex.push((x, v));
    }
    while simplex.len() == n + 1 && evals + 2 <= budget {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let centroid: Vec<f64> = (0..n)
            .map(|i| simplex[..n].iter().map(|p| p.0[i]).sum::<f64>() / n as f64)
            .collect();
        let worst = simplex[n].clone();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|i| centroid[i] + t * (worst.0[i] - centroid[i]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = eval(&xr, &mut evals)?;
        if fr < simplex[0].1 {
            let xe = along(-2.0);
            let fe = eval(&xe, &mut evals)?;
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            let (xc, fc) = if fr < worst.1 {
                let x = along(-0.5);
                let v = eval(&x, &mut evals)?;
                (x, v)
            } else {
                let x = along(0.5);
                let v = eval(&x, &mut evals)?;
                (x, v)
            };
            if fc < worst.1.min(fr) {
                simplex[n] = (xc, fc);
            } else {
                // Shrink towards the best point.
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    if evals >= budget {
                        break;
                    }
                    let x: Vec<f64> = (0..n).map(|i| best[i] + 0.5 * (p.0[i] - best[i])).collect();
                    let v = eval(&x, &mut evals)?;
                    *p = (x, v);
                }
            }
        }
        let spread = simplex
            .iter()
            .map(|p| p.1)
            .fold(f64::NEG_INFINITY, f64::max)
            - simplex.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        if spread.abs() < 1e-12 {
            break;
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, v) = simplex.swap_remove(0);
    Ok((x, v, evals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_rosenbrock_valley() {
        let mut f = |x: &[f64]| Ok((1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2));
        let (x, v, evals) = minimise(&mut f, &[-1.2, 1.0], 0.5, 2000).unwrap();
        assert!(v < 1e-8, "{v} at {x:?}");
        assert!(evals <= 2000);
    }
}
