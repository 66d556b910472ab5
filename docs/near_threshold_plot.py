#!/usr/bin/env python3
"""Near-threshold traces of HHneuronCorbit, the BGM-2022 Izhikevich set and the
shipped fit, I_app held from t = 0 for 1 s at 3.22, 3.3, 3.5 and 4.0 (the numbers used
as they are), as an SVG, with the standard library only (no matplotlib here). Runs
`target/release/neuron-explorer run` on each preset without its events and reads the
exported CSVs, and draws it as SVG or, through ImageMagick's primitives, as PNG:

    python3 docs/near_threshold_plot.py --png docs/near_threshold.png   # ImageMagick
    python3 docs/near_threshold_plot.py > near_threshold.svg
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
    ("shipped fit (fsi spec, one command)", "presets/corbit_fsi_izhikevich_fitted.ron", "#d62728"),
]
AMPS = [3.22, 3.3, 3.5, 4.0]
W, ROW, M = 360, 110, 50


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


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def elements():
    """The figure as (kind, ...) drawing elements: rect, line, text."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for c, amp in enumerate(AMPS):
            ox = M + c * (W + M)
            out.append(("text", ox + W / 2, 20, f"I_app = {amp} held from t = 0", 15, "#000000", "middle"))
            for r, (label, preset, color) in enumerate(MODELS):
                oy = 34 + r * (ROW + 18)
                pts = trace(preset, amp, tmp)
                sx = lambda t: ox + t / 1000 * W
                sy = lambda v: oy + ROW - (min(max(v, -90), 40) + 90) / 130 * ROW
                out.append(("rect", ox, oy, W, ROW))
                out.append(("line", color, [(sx(t), sy(v)) for t, v in pts]))
                out.append(("text", ox + 4, oy + 13, label, 11, color, "start"))
            oy = 34 + len(MODELS) * (ROW + 18)
            for t in range(0, 1001, 200):
                out.append(("text", ox + t / 1000 * W, oy, f"{t} ms", 11, "#000000", "middle"))
    return out


def size():
    return M + len(AMPS) * (W + M), 34 + len(MODELS) * (ROW + 18) + 16


def svg(els):
    parts = []
    for e in els:
        if e[0] == "rect":
            parts.append(f'<rect x="{e[1]}" y="{e[2]}" width="{e[3]}" height="{e[4]}" fill="none" stroke="#ccc"/>')
        elif e[0] == "line":
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in e[2])
            parts.append(f'<polyline fill="none" stroke="{e[1]}" stroke-width="1" points="{d}"/>')
        else:
            _, x, y, text, fs, color, anchor = e
            parts.append(f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{fs}" fill="{color}">{text}</text>')
    width, height = size()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<rect width="100%" height="100%" fill="white"/>{"".join(parts)}</svg>')


def png(els, out):
    """Draws with ImageMagick primitives (this machine's ImageMagick reads no SVG),
    one -draw per element (an argument must stay under 128 KiB)."""
    width, height = size()
    args = ["convert", "-size", f"{width}x{height}", "xc:white", "-font", FONT]
    for e in els:
        if e[0] == "rect":
            args += ["-draw", f"stroke '#cccccc' fill none rectangle {e[1]},{e[2]} {e[1] + e[3]},{e[2] + e[4]}"]
        elif e[0] == "line":
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in e[2])
            args += ["-draw", f"stroke '{e[1]}' stroke-width 1 fill none polyline {d}"]
        else:
            _, x, y, text, fs, color, anchor = e
            # ImageMagick anchors text at its left: centre by an estimated width.
            if anchor == "middle":
                x -= 0.28 * fs * len(text)
            args += ["-draw", f"stroke none fill '{color}' font-size {fs} text {x:.1f},{y:.1f} '{text}'"]
    subprocess.run(args + [str(out)], check=True)


def main():
    els = elements()
    if len(sys.argv) > 2 and sys.argv[1] == "--png":
        png(els, sys.argv[2])
    else:
        print(svg(els))


if __name__ == "__main__":
    sys.exit(main())
