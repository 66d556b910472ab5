#!/usr/bin/env python3
"""Near-threshold traces of HHneuronCorbit and three Izhikevich fits, I_app held from
t = 0 for 1 s (the numbers used as they are), as an SVG, with the standard library
only. Runs `target/release/neuron-explorer run` on each preset without its events:

    python3 docs/near_threshold_plot.py > docs/near_threshold.svg
"""
import csv
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/neuron-explorer"
MODELS = [
    ("HHneuronCorbit (reference)", "presets/hh_corbit_fsi_current_step.ron", "#000000"),
    ("BGM-2022 set", "presets/corbit_fsi_izhikevich_fit_bgm2022.ron", "#1f77b4"),
    ("previous fit (default spec)", "docs/fits/corbit_fsi_izhikevich_fitted_default_spec.ron", "#999999"),
    ("new fit (fsi spec, shipped)", "presets/corbit_fsi_izhikevich_fitted.ron", "#d62728"),
]
AMPS = [3.22, 3.3, 3.5]
W, ROW, M = 420, 110, 40


def trace(preset, amp, tmp):
    text = (ROOT / preset).read_text()
    text = re.sub(r"events:\s*\[.*?\n    \],", "events: [],", text, flags=re.S)
    p = Path(tmp) / "p.ron"
    p.write_text(text)
    out = Path(tmp) / "t.csv"
    subprocess.run([str(BIN), "run", str(p), "--out", str(out), "--set", f"I_app={amp}",
                    "--duration-ms", "1000", "--record", "v"], check=True, capture_output=True)
    rows = list(csv.DictReader(open(out)))
    step = max(1, len(rows) // 2000)
    return [(float(r["t"]), float(r["v"])) for r in rows[::step]]


def main():
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        for c, amp in enumerate(AMPS):
            ox = M + c * (W + M)
            parts.append(f'<text x="{ox + W / 2}" y="20" text-anchor="middle" font-size="15">'
                         f'I_app = {amp} held from t = 0</text>')
            for r, (label, preset, color) in enumerate(MODELS):
                oy = 34 + r * (ROW + 18)
                pts = trace(preset, amp, tmp)
                sx = lambda t: ox + t / 1000 * W
                sy = lambda v: oy + ROW - (min(max(v, -90), 40) + 90) / 130 * ROW
                d = " ".join(f"{sx(t):.1f},{sy(v):.1f}" for t, v in pts)
                parts.append(f'<rect x="{ox}" y="{oy}" width="{W}" height="{ROW}" fill="none" stroke="#ccc"/>')
                parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1" points="{d}"/>')
                parts.append(f'<text x="{ox + 4}" y="{oy + 13}" font-size="11" fill="{color}">{label}</text>')
            oy = 34 + len(MODELS) * (ROW + 18)
            for t in range(0, 1001, 200):
                parts.append(f'<text x="{ox + t / 1000 * W}" y="{oy}" text-anchor="middle" font-size="11">{t} ms</text>')
    width = M + len(AMPS) * (W + M)
    height = 34 + len(MODELS) * (ROW + 18) + 16
    print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
          f'<rect width="100%" height="100%" fill="white"/>{"".join(parts)}</svg>')


if __name__ == "__main__":
    sys.exit(main())
