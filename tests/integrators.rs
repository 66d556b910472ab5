//! Each integrator converges at its expected order on problems with known solutions.

use neuron_explorer::model::load_model;
use neuron_explorer::sim::{Engine, Integrator};

/// Runs `src` to `t_end` with step `dt` and returns the final values of `vars`.
fn solve(src: &str, integrator: Integrator, dt: f64, t_end: f64, vars: &[&str]) -> Vec<f64> {
    let m = load_model("test.neuron", src).unwrap();
    let mut e = Engine::new(m.clone(), 1, dt, integrator, 0).unwrap();
    let steps = (t_end / dt).round() as usize;
    for _ in 0..steps {
        e.step();
    }
    vars.iter()
        .map(|v| e.var(m.var_index(v).unwrap(), 0))
        .collect()
}

/// Observed order from errors at dt and dt/2, averaged over three halvings.
fn observed_order(err: impl Fn(f64) -> f64, dt0: f64) -> f64 {
    let dts = [dt0, dt0 / 2.0, dt0 / 4.0, dt0 / 8.0];
    let errs: Vec<f64> = dts.iter().map(|&h| err(h)).collect();
    let orders: Vec<f64> = errs.windows(2).map(|w| (w[0] / w[1]).log2()).collect();
    orders.iter().sum::<f64>() / orders.len() as f64
}

// x' = sin(t) - x, x(0) = 1  =>  x(t) = (sin t - cos t)/2 + 1.5 e^{-t}.
const FORCED: &str = "[equations]\ndx/dt = sin(t) - x : init=1\n";

fn forced_exact(t: f64) -> f64 {
    (t.sin() - t.cos()) / 2.0 + 1.5 * (-t).exp()
}

#[test]
fn each_integrator_converges_at_its_order_on_a_forced_decay() {
    let t_end: f64 = 4.0;
    for integrator in Integrator::ALL {
        let err =
            |h: f64| (solve(FORCED, integrator, h, t_end, &["x"])[0] - forced_exact(t_end)).abs();
        // Start coarser for rk4 so its finest error (~1e-9) stays far above round-off.
        let dt0 = if integrator == Integrator::Rk4 {
            0.4
        } else {
            0.1
        };
        let p = observed_order(err, dt0);
        let want = f64::from(integrator.order());
        assert!(
            (p - want).abs() < 0.3,
            "{integrator}: observed order {p:.3}, expected {want}"
        );
    }
}

// Harmonic oscillator through an assigned variable between the two ODE lines,
// so multi-stage integrators must recompute assignments at every stage.
const OSCILLATOR: &str = "[equations]\ndx/dt = y : init=1\nacc = -x\ndy/dt = acc : init=0\n";

#[test]
fn rk4_is_fourth_order_on_a_system_with_assignments() {
    let t_end: f64 = 3.2; // a whole number of steps for every dt below
    let err = |h: f64| {
        let r = solve(OSCILLATOR, Integrator::Rk4, h, t_end, &["x", "y"]);
        (r[0] - t_end.cos()).abs() + (r[1] + t_end.sin()).abs()
    };
    let p = observed_order(err, 0.4);
    assert!((p - 4.0).abs() < 0.3, "observed order {p:.3}");
}

#[test]
fn exponential_euler_is_exact_for_linear_gates() {
    // A gate relaxing to a constant: exact for any step size.
    let src = "[parameters]\ntau = 3\ninf = 0.8\n[equations]\ndm/dt = (inf - m) / tau : init=0.1\n";
    let t_end: f64 = 12.0;
    let exact = 0.8 + (0.1 - 0.8) * (-t_end / 3.0).exp();
    for dt in [0.5, 2.0, 4.0] {
        let m = solve(src, Integrator::Exponential, dt, t_end, &["m"])[0];
        assert!((m - exact).abs() < 1e-13, "dt {dt}: {m} vs {exact}");
    }
    // ...where forward Euler at dt = 4 > tau is badly off.
    let euler = solve(src, Integrator::Euler, 4.0, t_end, &["m"])[0];
    assert!((euler - exact).abs() > 0.01, "{euler} vs {exact}");
}

#[test]
fn factor_form_divides_by_the_factor() {
    // annarchy-semantics.md §4: `C2 * dm/dt = 1` with C2 = 4 advances m by dt/4.
    let src = "[parameters]\nC2 = 4\n[equations]\nC2 * dm/dt = 1\n";
    let m = solve(src, Integrator::Euler, 0.1, 1.0, &["m"])[0];
    assert!((m - 0.25).abs() < 1e-12, "{m}");
}
