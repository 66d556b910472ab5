//! The display math of known expressions, written out by hand.

use super::*;
use crate::model::parser::parse_expr;

fn shown(text: &str) -> String {
    let e = parse_expr(text, 1, 1).unwrap_or_else(|(_, m)| panic!("{text}: {m}"));
    to_text(&expr(&e))
}

#[test]
fn names_become_subscripts_and_greek_letters() {
    assert_eq!(symbol("g_Na"), ("g".into(), "Na".into()));
    assert_eq!(symbol("v_peak"), ("v".into(), "peak".into()));
    assert_eq!(symbol("tau_h"), ("τ".into(), "h".into()));
    assert_eq!(symbol("tau_0_h_Na"), ("τ".into(), "0,h,Na".into()));
    assert_eq!(symbol("Delta_T"), ("Δ".into(), "T".into()));
    assert_eq!(symbol("sigma_0_h_Na"), ("σ".into(), "0,h,Na".into()));
    assert_eq!(symbol("alpha"), ("α".into(), String::new()));
    assert_eq!(symbol("n_Kv3_inf"), ("n".into(), "Kv3,∞".into()));
    assert_eq!(symbol("gg_Na"), ("ḡ".into(), "Na".into()));
    // Not a Greek word: left as written.
    assert_eq!(symbol("taux"), ("taux".into(), String::new()));
    assert_eq!(shown("mu + E_K"), "μ + E_{K}");
}

#[test]
fn fractions_stack_at_the_top_and_go_inline_inside() {
    assert_eq!(shown("a / b"), "(a)/(b)");
    assert_eq!(
        shown("1.0 / (1.0 + exp((th_m - v) / k_m))"),
        "(1)/(1 + exp((th_{m} − v)/k_{m}))"
    );
    // A sum over a product: the fraction bar groups, no parentheses.
    assert_eq!(shown("(a + b) / (c * d)"), "(a + b)/(c·d)");
}

#[test]
fn parentheses_only_where_precedence_needs_them() {
    assert_eq!(shown("(a + b) * c"), "(a + b)·c");
    assert_eq!(shown("a + b * c"), "a + b·c");
    assert_eq!(shown("a - (b - c)"), "a − (b − c)");
    assert_eq!(shown("(a - b) - c"), "a − b − c");
    assert_eq!(shown("a * (b * c)"), "a·b·c");
    assert_eq!(shown("-(a + b)"), "−(a + b)");
    assert_eq!(shown("-a * b"), "−a·b");
    assert_eq!(shown("a + (b - c)"), "a + b − c");
    assert_eq!(shown("a + -b"), "a + (−b)");
    assert_eq!(shown("a / (b * c)"), "(a)/(b·c)");
    assert_eq!(shown("(a + b)**2"), "(a + b)^{2}");
    assert_eq!(shown("-x**2"), "−x^{2}");
    assert_eq!(
        shown("k*(v - v_r)*(v - v_t) - u + I_v"),
        "k·(v − v_{r})·(v − v_{t}) − u + I_{v}"
    );
    assert_eq!(
        shown("(v > v_t) and (prev_v <= v_t)"),
        "v > v_{t} and prev_{v} ≤ v_{t}"
    );
}

#[test]
fn calls_powers_and_numbers() {
    assert_eq!(shown("pow(m_Na, 3)"), "m_{Na}^{3}");
    assert_eq!(shown("sqrt(x) + abs(y) + log(z)"), "√(x) + |y| + ln(z)");
    assert_eq!(shown("1e-20 + 2.5"), "1e-20 + 2.5");
    assert_eq!(shown("ite(v > 0, a, b)"), "if v > 0 then a else b");
}

#[test]
fn additive_terms_carry_their_signs() {
    let e = parse_expr("-I_L - I_Na - (I_K - x) + I_app", 1, 1).unwrap();
    let terms: Vec<(bool, String)> = additive_terms(&e)
        .into_iter()
        .map(|(neg, t)| (neg, to_text(&expr(t))))
        .collect();
    let want = [
        (true, "I_{L}"),
        (true, "I_{Na}"),
        (true, "I_{K}"),
        (false, "x"),
        (false, "I_{app}"),
    ];
    let want: Vec<(bool, String)> = want.iter().map(|(n, s)| (*n, (*s).to_owned())).collect();
    assert_eq!(terms, want);
}
