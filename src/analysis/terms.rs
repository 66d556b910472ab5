//! The live terms of a model's equations: each equation's right-hand side split into
//! its additive terms (`C dv/dt = −I_L − I_Na − I_K + I_app` → four currents), and
//! their values at a recorded state, computed by the model's own compiler and tape
//! interpreter: a *probe* model is the model plus one assignment per term, appended
//! after its equations, so every term is evaluated exactly as the model would
//! (functions inlined, the same operations) without a second evaluator.

use crate::model::file::{EqKind, EquationDesc};
use crate::model::pretty::additive_terms;
use crate::model::{CompiledModel, ModelError, compile};

use super::equilibrium::base_slots;

/// One additive term of an equation's right-hand side.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// Index of the equation in `desc.equations`.
    pub equation: usize,
    /// Written with a minus in front (`− I_Na`): its value is the signed contribution.
    pub negative: bool,
    /// The term without its sign.
    pub expr: crate::model::ast::Expr,
}

/// The terms of every equation whose right-hand side has two or more.
pub fn equation_terms(equations: &[EquationDesc]) -> Vec<Term> {
    let mut out = Vec::new();
    for (i, eq) in equations.iter().enumerate() {
        let terms = additive_terms(&eq.rhs);
        if terms.len() < 2 {
            continue;
        }
        out.extend(terms.into_iter().map(|(negative, e)| Term {
            equation: i,
            negative,
            expr: e.clone(),
        }));
    }
    out
}

/// Evaluates a model's terms and derivatives at given states.
pub struct TermProbe {
    probe: CompiledModel,
    terms: Vec<Term>,
    /// Slot of each term's value in the probe.
    term_slots: Vec<u32>,
    /// Variables of the original model (the state vector's length).
    n_vars: usize,
    slots: Vec<f64>,
}

/// The probe's name for term `k` (not a name a model file can define).
fn term_var(k: usize) -> String {
    format!("__term_{k}")
}

impl TermProbe {
    pub fn new(model: &CompiledModel) -> Result<Self, ModelError> {
        let terms = equation_terms(&model.desc.equations);
        let mut desc = model.desc.clone();
        for (k, term) in terms.iter().enumerate() {
            let rhs = if term.negative {
                crate::model::ast::Expr::Unary(
                    crate::model::ast::UnOp::Neg,
                    Box::new(term.expr.clone()),
                )
            } else {
                term.expr.clone()
            };
            let span = desc.equations[term.equation].span;
            desc.equations.push(EquationDesc {
                var: term_var(k),
                kind: EqKind::Assign,
                rhs,
                init: None,
                unit: String::new(),
                description: String::new(),
                text: String::new(),
                span,
            });
        }
        let probe = compile(desc)?;
        let n_vars = model.vars.len();
        let term_slots = (0..terms.len())
            .map(|k| probe.vars[n_vars + k].slot)
            .collect();
        Ok(Self {
            probe,
            terms,
            term_slots,
            n_vars,
            slots: Vec::new(),
        })
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Evaluates at `state` (one value per model variable, model order) with
    /// `params` (model order): assigned variables are recomputed from the state
    /// variables, as a step would; random draws take their "nothing happens" value.
    pub fn eval(&mut self, params: &[f64], state: &[f64], t_ms: f64, dt_ms: f64) {
        let n = state.len().min(self.n_vars);
        self.slots = base_slots(&self.probe, params, &state[..n], t_ms, dt_ms);
        self.probe.stage.run(&mut self.slots, 1, dt_ms);
    }

    /// Each term's signed value at the last [`Self::eval`] (empty before it).
    pub fn term_values(&self) -> Vec<f64> {
        self.term_slots
            .iter()
            .map(|&s| self.slots.get(s as usize).copied().unwrap_or(f64::NAN))
            .collect()
    }

    /// dx/dt of model variable `var` at the last [`Self::eval`], if it has an ODE.
    pub fn derivative(&self, var: usize) -> Option<f64> {
        let slot = self.probe.vars.get(var)?.slot;
        let (_, d) = self.probe.odes.iter().find(|(s, _)| *s == slot)?;
        self.slots.get(*d as usize).copied()
    }

    /// Model variable `var` at the last [`Self::eval`] (assigned ones recomputed).
    pub fn value(&self, var: usize) -> Option<f64> {
        let slot = self.probe.vars.get(var)?.slot;
        self.slots.get(slot as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin;

    /// The HH membrane equation's terms are its four currents, and at a chosen
    /// state each equals the current computed by hand from the paper's formula.
    #[test]
    fn hh_terms_are_the_currents_with_their_signs() {
        let model = builtin("HHneuronCorbit").unwrap().unwrap();
        let mut probe = TermProbe::new(&model).unwrap();
        let params = model.default_parameters();
        let mut state: Vec<f64> = vec![0.3; model.vars.len()];
        let v = model.membrane_var().unwrap();
        let eq_v = model
            .desc
            .equations
            .iter()
            .position(|e| e.var == model.vars[v].name);
        let eq_v = eq_v.unwrap();
        state[v] = -50.0;
        probe.eval(&params, &state, 0.0, 0.01);
        let p = |n: &str| params[model.param_index(n).unwrap()];
        // I_L = gg_L (v − v_L), entering as −I_L.
        let i_l = p("gg_L") * (-50.0 - p("v_L"));
        let values = probe.term_values();
        let first = probe
            .terms()
            .iter()
            .position(|t| t.equation == eq_v)
            .unwrap();
        assert!(probe.terms()[first].negative);
        assert!(
            (values[first] + i_l).abs() < 1e-12,
            "{} vs {}",
            values[first],
            -i_l
        );
        // The derivative is the sum of the terms over C_m.
        let sum: f64 = probe
            .terms()
            .iter()
            .zip(&values)
            .filter(|(t, _)| t.equation == eq_v)
            .map(|(_, v)| v)
            .sum();
        let dv = probe.derivative(v).unwrap();
        assert!((dv - sum / p("C_m")).abs() < 1e-9 * sum.abs().max(1.0));
    }
}
