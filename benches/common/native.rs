//! Hand-written native Rust loops of Izhikevich2007 and HHneuronCorbit (forward
//! Euler, ANNarchy order) and the engine running the same models, shared by the
//! ratio benchmark (`engine.rs`) and the divan benchmark (`engine_divan.rs`).

use neuron_explorer::model::builtin::builtin;
use neuron_explorer::sim::{Engine, Integrator};

/// Izhikevich (2007) in ANNarchy order: I_v = I_app; block [v, u]; spike; reset.
#[inline(always)]
pub fn native_izhikevich(lanes: usize, steps: usize, i_app: f64) -> f64 {
    let (c_m, k, v_r, v_t, a, b, c, d, v_peak) =
        (100.0, 0.7, -60.0, -40.0, 0.03, -2.0, -50.0, 100.0, 35.0);
    let dt = 0.1;
    let mut v = vec![v_r; lanes];
    let mut u = vec![0.0; lanes];
    let i_app = vec![i_app; lanes];
    let mut spikes = 0.0;
    for _ in 0..steps {
        for n in 0..lanes {
            let i_v = i_app[n];
            let dv = (k * (v[n] - v_r) * (v[n] - v_t) - u[n] + i_v) / c_m;
            let du = a * (b * (v[n] - v_r) - u[n]);
            v[n] += dt * dv;
            u[n] += dt * du;
            if v[n] >= v_peak {
                v[n] = c;
                u[n] += d;
                spikes += 1.0;
            }
        }
    }
    spikes + v.iter().sum::<f64>()
}

/// HHneuronCorbit in ANNarchy order (missing-equations.md §4).
#[allow(clippy::too_many_lines)]
#[inline(always)]
pub fn native_corbit(lanes: usize, steps: usize, i_app: f64) -> f64 {
    let dt = 0.01;
    let (v_t, c_m, v_l, gg_l) = (0.0, 1.0, -70.0, 0.25);
    let (e_na, gg_na, th_m_na, k_m_na) = (50.0, 112.5, -24.0, 11.5);
    let (th_h_na, k_h_na, phi_h_na, sigma_0_h_na, tau_0_h_na, tau_1_h_na) =
        (-58.3, -6.7, -60.0, -12.0, 0.5, 13.5);
    let (e_kv3, gg_kv3, th_n_kv3, k_n_kv3, tau_0_n, tau_1_n) =
        (-90.0, 225.0, -12.4, 6.8, 0.087, 11.313);
    let (phi_a, phi_b, sig_a, sig_b) = (-14.6, 1.3, -8.6, 18.7);
    let (e_kv1, gg_kv1, th_m_kv1, k_m_kv1, tau_m_kv1) = (-90.0, 0.39, -50.0, 20.0, 2.0);
    let (th_h_kv1, k_h_kv1, tau_h_kv1) = (-70.0, -6.0, 150.0);
    let mut v: Vec<f64> = vec![-70.038_105_322_506_34; lanes];
    let mut h_na: Vec<f64> = vec![0.852_199_343_234_366_6; lanes];
    let mut n_kv3: Vec<f64> = vec![0.000_208_327_268_574_195_12; lanes];
    let mut m_kv1: Vec<f64> = vec![0.268_566_988_263_048_6; lanes];
    let mut h_kv1: Vec<f64> = vec![0.501_587_716_426_225_8; lanes];
    let mut spikes = 0.0;
    for _ in 0..steps {
        for n in 0..lanes {
            let vv = v[n];
            let prev_v = vv;
            let i_l = gg_l * (vv - v_l);
            let m_na = 1.0 / (1.0 + ((th_m_na - vv) / k_m_na).exp());
            let dh = (1.0 / (1.0 + ((th_h_na - vv) / k_h_na).exp()) - h_na[n])
                / (tau_0_h_na
                    + (tau_1_h_na + tau_0_h_na) / (1.0 + ((phi_h_na - vv) / sigma_0_h_na).exp()));
            h_na[n] += dt * dh;
            let i_na = (vv - e_na) * gg_na * m_na.powf(3.0) * h_na[n];
            let n_inf = 1.0 / (1.0 + ((th_n_kv3 - vv) / k_n_kv3).exp());
            let tau_n = (tau_0_n + (tau_0_n + tau_1_n) / (1.0 + ((phi_a - vv) / sig_a).exp()))
                * (tau_0_n + (tau_0_n + tau_1_n) / (1.0 + ((phi_b - vv) / sig_b).exp()));
            let dn = (n_inf - n_kv3[n]) / tau_n;
            n_kv3[n] += dt * dn;
            let i_kv3 = (vv - e_kv3) * gg_kv3 * n_kv3[n] * n_kv3[n];
            let dm = (1.0 / (1.0 + ((th_m_kv1 - vv) / k_m_kv1).exp()) - m_kv1[n]) / tau_m_kv1;
            let dhk = (1.0 / (1.0 + ((th_h_kv1 - vv) / k_h_kv1).exp()) - h_kv1[n]) / tau_h_kv1;
            m_kv1[n] += dt * dm;
            h_kv1[n] += dt * dhk;
            let i_kv1 = (vv - e_kv1) * gg_kv1 * m_kv1[n].powf(3.0) * h_kv1[n];
            let dv = (-i_l - i_na - i_kv3 - i_kv1 + i_app) / c_m;
            v[n] += dt * dv;
            if v[n] > v_t && prev_v <= v_t {
                spikes += 1.0;
            }
        }
    }
    spikes + v.iter().sum::<f64>()
}

/// The native loops compiled for AVX2 as well, as the engine's kernels are when the
/// CPU has it, so that the comparison does not credit the engine with wider
/// registers alone. Falls back to the plain build on other CPUs.
pub fn native_avx2(model: &str, lanes: usize, steps: usize, i_app: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn izh(lanes: usize, steps: usize, i_app: f64) -> f64 {
            native_izhikevich(lanes, steps, i_app)
        }
        #[target_feature(enable = "avx2")]
        fn corbit(lanes: usize, steps: usize, i_app: f64) -> f64 {
            native_corbit(lanes, steps, i_app)
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe {
                if model == "Izhikevich2007" {
                    izh(lanes, steps, i_app)
                } else {
                    corbit(lanes, steps, i_app)
                }
            };
        }
    }
    if model == "Izhikevich2007" {
        native_izhikevich(lanes, steps, i_app)
    } else {
        native_corbit(lanes, steps, i_app)
    }
}

/// The engine on a built-in model; `interpreted` bypasses the compiled kernels.
pub fn engine_run(
    id: &str,
    lanes: usize,
    steps: usize,
    dt_ms: f64,
    i_app: f64,
    interpreted: bool,
) -> f64 {
    let Some(Ok(model)) = builtin(id) else {
        panic!("built-in model {id} missing");
    };
    let mut e = Engine::new(model.clone(), lanes, dt_ms, Integrator::Euler, 1).expect("engine");
    e.set_interpreted(interpreted);
    if let Some(i) = model.param_index("I_app") {
        e.set_param_all(i, i_app);
    }
    let mut spikes = 0;
    for _ in 0..steps {
        spikes += e.step();
    }
    spikes as f64 + e.var(0, 0)
}
