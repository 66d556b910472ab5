//! Every built-in model compiles and is fully described; the compiler rejects bad
//! files with positions; the worked example of annarchy-semantics.md §13 holds.

use neuron_explorer::model::{builtin::all_builtins, builtin::builtin, load_model};
use neuron_explorer::sim::{Engine, Integrator};

#[test]
fn all_26_builtins_compile_and_are_fully_described() {
    let models = all_builtins().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(models.len(), 26);
    let families = [
        "Artificial",
        "Hodgkin-Huxley",
        "Izhikevich 2003",
        "Izhikevich 2007",
    ];
    for m in &models {
        let d = &m.desc;
        assert!(
            families.contains(&d.family.as_str()),
            "{}: family {}",
            d.id,
            d.family
        );
        assert!(
            !d.description.is_empty() && !d.citation.is_empty() && !d.name.is_empty(),
            "{}",
            d.id
        );
        for p in &d.parameters {
            assert!(!p.unit.is_empty(), "{}.{} has no unit", d.id, p.name);
            assert!(
                !p.description.is_empty(),
                "{}.{} has no description",
                d.id,
                p.name
            );
            assert!(
                p.range.min <= p.default && p.default <= p.range.max,
                "{}.{}",
                d.id,
                p.name
            );
        }
        for e in &d.equations {
            assert!(
                !e.unit.is_empty() && !e.description.is_empty(),
                "{}.{}",
                d.id,
                e.var
            );
        }
    }
}

#[test]
fn izhikevich2007_family_starts_at_rest() {
    for m in all_builtins().unwrap() {
        if m.desc.family != "Izhikevich 2007" {
            continue;
        }
        let e = Engine::new(m.clone(), 1, 0.1, Integrator::Euler, 1).unwrap();
        let v = e.var(m.var_index("v").unwrap(), 0);
        let v_r = e.param(m.param_index("v_r").unwrap(), 0);
        assert_eq!(v, v_r, "{}", m.id());
    }
}

/// annarchy-semantics.md §13: the first three steps of Izhikevich2007 at I_app = 70.
#[test]
fn worked_example_first_three_steps() {
    let m = builtin("Izhikevich2007").unwrap().unwrap();
    let mut e = Engine::new(m.clone(), 1, 0.1, Integrator::Euler, 0).unwrap();
    e.set_param(m.param_index("I_app").unwrap(), 0, 70.0);
    let (v, u) = (m.var_index("v").unwrap(), m.var_index("u").unwrap());
    let expected = [
        (-59.93, 0.0),
        (-59.86097657, -0.00042000000000000175),
        (-59.792908948760136, -0.0012528805800000123),
    ];
    for (step, (ev, eu)) in expected.into_iter().enumerate() {
        e.step();
        assert!(
            (e.var(v, 0) - ev).abs() < 1e-12,
            "step {step}: v {}",
            e.var(v, 0)
        );
        assert!(
            (e.var(u, 0) - eu).abs() < 1e-15,
            "step {step}: u {}",
            e.var(u, 0)
        );
    }
}

/// The block rule of annarchy-semantics.md §3, on the document's own example.
#[test]
fn block_order_example_from_the_semantics_doc() {
    let src = "[parameters]\nrate_x = 1\n[equations]\npre = x\ndx/dt = rate_x\ndy/dt = x\nmid = x + y\ndz/dt = x\ndw/dt = post\npost = z\n";
    let m = load_model("example.neuron", src).unwrap();
    let mut e = Engine::new(m.clone(), 1, 0.5, Integrator::Euler, 0).unwrap();
    let idx = |n: &str| m.var_index(n).unwrap();
    for (name, v) in [
        ("x", 1.0),
        ("y", 2.0),
        ("z", 3.0),
        ("w", 4.0),
        ("post", 10.0),
    ] {
        e.set_var(idx(name), 0, v);
    }
    e.step();
    let get = |n: &str| e.var(idx(n), 0);
    assert_eq!(get("pre"), 1.0); // old x
    assert_eq!(get("x"), 1.5); // x += 0.5 * 1
    assert_eq!(get("y"), 2.5); // dy uses old x = 1
    assert_eq!(get("mid"), 4.0); // new x + new y
    assert_eq!(get("z"), 3.75); // dz sees the new x = 1.5
    assert_eq!(get("w"), 9.0); // dw sees last step's post = 10
    assert_eq!(get("post"), 3.75); // new z
}

#[test]
fn compiler_errors_name_file_line_and_column() {
    let cases = [
        (
            "[parameters]\na = 1\n[equations]\ndv/dt = a + bogus\n",
            "m.neuron:4:13: undefined name `bogus`",
        ),
        (
            "[parameters]\na = 1\na = 2\n",
            "m.neuron:3:1: parameter `a` is defined twice",
        ),
        (
            "[parameters]\na = 1\n[equations]\nx = 1\nx = 2\n",
            "m.neuron:5:1: `x` is already defined as a variable",
        ),
        (
            "[parameters]\na = 1\n[equations]\na = 2\n",
            "m.neuron:4:1: `a` is already defined as a parameter",
        ),
        (
            "[equations]\ndv/dt = 2 * (v + 1\n",
            "m.neuron:2:19: expected `)`",
        ),
        (
            "[equations]\ndv/dt = foo(v)\n",
            "m.neuron:2:9: unknown function `foo`",
        ),
        (
            "[equations]\ndv/dt = exp(v, 1)\n",
            "m.neuron:2:9: `exp` takes 1 argument(s), got 2",
        ),
        (
            "[equations]\ndv/dt = -v\n[reset]\nq = 0\n",
            "m.neuron:4:1: reset assigns `q`",
        ),
        ("[oops]\n", "m.neuron:1:1: unknown section [oops]"),
        (
            "[equations]\ndv/dt = f(v)\n[functions]\nf(x) = f(x) + f(x)\n",
            "m.neuron:4:8: function `f` calls `f`",
        ),
    ];
    for (src, want) in cases {
        let err = load_model("m.neuron", src).unwrap_err().to_string();
        assert!(err.starts_with(want), "got `{err}`, want `{want}`");
    }
}

#[test]
fn builtins_and_functions_evaluate_like_annarchy() {
    let src = "[parameters]\np = -2\n[equations]\n\
        a = pos(p) + 10*neg(p)\nb = clip(p, -1, 1) + min(3, 4) + max(3, 4)\n\
        c = ite(p < 0, 1, 2) + (if p > 0: 10 else: 20)\nd = f(3, 2)\n\
        e = pow(2, 10) + sqrt(16) + abs(p) + exp(0) + log(1) + sin(0) + cos(0) + tanh(0)\n\
        g = (not p > 0) + (p < 0 and p > -3) + (p > 0 or p == -2) + (p != -2)\n\
        [functions]\nf(x, y) = x ** y - 1\n";
    let m = load_model("f.neuron", src).unwrap();
    let mut e = Engine::new(m.clone(), 1, 0.1, Integrator::Euler, 0).unwrap();
    e.step();
    let get = |n: &str| e.var(m.var_index(n).unwrap(), 0);
    assert_eq!(get("a"), -20.0);
    assert_eq!(get("b"), -1.0 + 3.0 + 4.0);
    assert_eq!(get("c"), 21.0);
    assert_eq!(get("d"), 8.0);
    assert_eq!(get("e"), 1024.0 + 4.0 + 2.0 + 1.0 + 0.0 + 0.0 + 1.0 + 0.0);
    assert_eq!(get("g"), 3.0);
}
