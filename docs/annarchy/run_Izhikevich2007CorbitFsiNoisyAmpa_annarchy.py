"""Runs Izhikevich2007CorbitFsiNoisyAmpa in ANNarchy 5 as neuron-explorer 0.1.0 runs corbit_fsi_izhikevich_fitted.ron.

One neuron with the preset's parameters, initial values, dt, seed, events and
stimuli; every variable is written after every step in neuron-explorer's CSV
format (header t,<variables>,spike; row 0 = the initial state at t = 0; row j =
the state after j steps, t = j*dt; spike = 1 in the row ending the step that
spiked), so `neuron-explorer run` on the same preset gives the same table up to
round-off (ANNarchy's C++ is sympy-rearranged and fused, annarchy-semantics §11).
Integration: explicit Euler, ANNarchy's default, as the preset.

Usage: python3 run_Izhikevich2007CorbitFsiNoisyAmpa_annarchy.py [OUT.csv]   (default: Izhikevich2007CorbitFsiNoisyAmpa_annarchy.csv here)
"""
import csv
import decimal
import math
import os
import sys

import numpy as np
import ANNarchy as ann

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from Izhikevich2007CorbitFsiNoisyAmpa_neuron import neuron  # noqa: E402

DT_MS = 0.1
SEED = 2024
DURATION_MS = 400.0
N_STEPS = 4000  # ceil(DURATION_MS / DT_MS), as ANNarchy's simulate(DURATION_MS)
VARIABLES = ["g_ampa", "g_gaba", "I_v", "v", "u", "s", "n"]  # CSV columns, in neuron-explorer's model order (6 with d/dt)
PARAMETERS = {
    "C": 1.0,
    "k": 0.024845935369440554,
    "b_n": 1.1459032612775448,
    "a_s": 0.013562299401101305,
    "a_n": 0.0032932960390690564,
    "v_r": -70.04282380257231,
    "v_t": -63.07622326153272,
    "a": 0.5539732522270224,
    "b": 0.2958022187630953,
    "c": -82.96500199613558,
    "d": 11.695733417061431,
    "v_peak": 30.0,
    "nonlin": 1.4097701397593418,
    "tau_ampa": 10.0,
    "tau_gaba": 20.0,
    "E_ampa": 0.0,
    "E_gaba": -90.0,
    "I_app": 0.0,
    "increase_noise": 0.0,
    "rates_noise": 0.0,
}
# Every variable at t = 0 (assigned ones too: they are read before they are set).
INITIAL = {
    "g_ampa": 0.0,
    "g_gaba": 0.0,
    "I_v": 0.0,
    "v": -70.04,
    "u": 0.0,
    "s": 0.0,
    "n": 0.0,
}
# (step, "set" | "add", name, value), acting before step k = round(t_ms / DT_MS).
EVENTS = [
    (500, "set", "I_app", 5.0),
    (3500, "set", "I_app", 0.0),
]
# Parameters driven by stimuli: their value during each step is in Izhikevich2007CorbitFsiNoisyAmpa_stimuli.csv.
STIMULATED = []
SPIKING = True


def fmt(v):
    """A number as neuron-explorer prints it: shortest round-trip digits,
    plain notation for 1e-5 <= |v| < 1e16 (and 0), else d.ddde-N."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    d = decimal.Decimal(repr(v))
    if v == 0 or 1e-5 <= abs(v) < 1e16:
        s = format(d, "f")
        return s.rstrip("0").rstrip(".") if "." in s else s
    sign, digits, exponent = d.as_tuple()
    mantissa = "".join(map(str, digits)).rstrip("0") or "0"
    e = exponent + len(digits) - 1
    body = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return ("-" if sign else "") + body + "e" + str(e)


def time_label(step):
    """step * dt rounded to 1e-9 ms (half away from zero), as neuron-explorer."""
    x = step * DT_MS * 1e9
    return math.copysign(math.floor(abs(x) + 0.5), x) / 1e9


def value(pop, name):
    return float(np.ravel(getattr(pop, name))[0])


def load_stimuli():
    if not STIMULATED:
        return []
    with open(os.path.join(HERE, "Izhikevich2007CorbitFsiNoisyAmpa_stimuli.csv"), newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [[float(x) for x in row[1:]] for row in rows]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "Izhikevich2007CorbitFsiNoisyAmpa_annarchy.csv")
    net = ann.Network(dt=DT_MS, seed=SEED)
    pop = net.create(geometry=1, neuron=neuron, name="Izhikevich2007CorbitFsiNoisyAmpa")
    spikes = net.monitor(pop, ["spike"]) if SPIKING else None
    net.compile(directory=os.path.join(HERE, "annarchy_Izhikevich2007CorbitFsiNoisyAmpa"), silent=True)
    for name, v in PARAMETERS.items():
        setattr(pop, name, v)
    for name, v in INITIAL.items():
        setattr(pop, name, v)
    base = dict(PARAMETERS)
    events = {}
    for step, kind, name, v in EVENTS:
        events.setdefault(step, []).append((kind, name, v))
    stimuli = load_stimuli()
    rows = [[value(pop, name) for name in VARIABLES]]
    for k in range(N_STEPS):
        for kind, name, v in events.get(k, []):
            if name in base:
                base[name] = v if kind == "set" else base[name] + v
                setattr(pop, name, base[name])
            else:
                setattr(pop, name, v if kind == "set" else value(pop, name) + v)
        for j, name in enumerate(STIMULATED):
            setattr(pop, name, stimuli[k][j])
        net.step()
        rows.append([value(pop, name) for name in VARIABLES])
    spike_steps = set(spikes.get("spike").get(0, [])) if SPIKING else set()
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(["t"] + VARIABLES + ["spike"]) + "\n")
        for j, row in enumerate(rows):
            spiked = j > 0 and (j - 1) in spike_steps
            f.write(",".join([fmt(time_label(j))] + [fmt(x) for x in row] + ["1" if spiked else "0"]) + "\n")
    os.replace(tmp, out)
    print(f"{out}: {len(rows)} rows, {len(spike_steps)} spikes")


if __name__ == "__main__":
    main()
