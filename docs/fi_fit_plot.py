#!/usr/bin/env python3
"""Plots the f-I curves and first-spike latencies written by
`neuron-explorer fit ... --fi-csv fi.csv` (columns reference, start, fitted) as an
SVG, with the standard library only. Convert to PNG with ImageMagick:

    python3 docs/fi_fit_plot.py fi.csv > fi_fit.svg && convert fi_fit.svg docs/fi_fit.png
"""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
x = [float(r["I_app"]) for r in rows]
series = [
    ("reference", "HHneuronCorbit (reference, dt 0.01 ms)", "#000000", ""),
    ("start", "Izhikevich BGM-2022 set", "#1f77b4", "6,4"),
    ("fitted", "Izhikevich fitted (corbit_fsi_izhikevich_fitted)", "#d62728", ""),
]
W, H, M = 520, 380, 56


def panel(ox, key, ymax, title, ylabel):
    out = [f'<g transform="translate({ox},0)">']
    pw, ph = W - M - 16, H - M - 60
    sx = lambda v: M + v / max(x) * pw
    sy = lambda v: 40 + ph - min(v, ymax) / ymax * ph
    out.append(f'<rect x="{M}" y="40" width="{pw}" height="{ph}" fill="none" stroke="#888"/>')
    out.append(f'<text x="{M + pw / 2}" y="26" text-anchor="middle" font-size="15">{title}</text>')
    for i in range(0, int(max(x)) + 1, 5):
        out.append(f'<text x="{sx(i)}" y="{40 + ph + 18}" text-anchor="middle" font-size="12">{i}</text>')
    for k in range(6):
        v = ymax * k / 5
        out.append(f'<text x="{M - 6}" y="{sy(v) + 4}" text-anchor="end" font-size="12">{v:g}</text>')
        out.append(f'<line x1="{M}" x2="{M + pw}" y1="{sy(v)}" y2="{sy(v)}" stroke="#eee"/>')
    out.append(f'<text x="{M + pw / 2}" y="{H - 22}" text-anchor="middle" font-size="13">I_app (µA/cm² for HH, same numbers for Izhikevich)</text>')
    out.append(f'<text transform="translate(16,{40 + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">{ylabel}</text>')
    for name, _, color, dash in series:
        col = f"{name}_{key}"
        pts = [(sx(xv), sy(float(r[col]))) for xv, r in zip(x, rows) if r[col] != ""]
        d = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
        da = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{da}/>')
        for a, b in pts:
            out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{color}"/>')
    out.append("</g>")
    return out


svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 30}" font-family="sans-serif">',
       f'<rect width="{2 * W}" height="{H + 30}" fill="white"/>']
svg += panel(0, "rate_hz", 140, "f–I curve (600 ms, spikes counted from 100 ms)", "rate (Hz)")
svg += panel(W, "first_spike_ms", 25, "first-spike latency (clipped at 25 ms)", "latency (ms)")
for i, (_, label, color, dash) in enumerate(series):
    xo = 70 + i * 330
    da = f' stroke-dasharray="{dash}"' if dash else ""
    svg.append(f'<line x1="{xo}" x2="{xo + 30}" y1="{H + 12}" y2="{H + 12}" stroke="{color}" stroke-width="2"{da}/>')
    svg.append(f'<text x="{xo + 36}" y="{H + 16}" font-size="12">{label}</text>')
svg.append("</svg>")
print("\n".join(svg))
