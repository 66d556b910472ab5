"""Draws neuron-explorer's icon (assets/neuron-explorer.png, 256x256 RGBA): a spike
train of a regular-spiking Izhikevich cell, drawn as a bright trace on a dark
rounded square, with the spike peaks marked. Standard library only (zlib PNG).

Usage: python3 assets/icon/make_icon.py [OUT.png]
"""
import math
import struct
import sys
import zlib

SIZE = 256
SS = 4  # supersampling per axis


def trace():
    """v(t) of Izhikevich (2003) RS: a=0.02 b=0.2 c=-65 d=8, I=10, 0..160 ms."""
    v, u, dt = -65.0, -13.0, 0.05
    out = []
    for k in range(int(160 / dt)):
        if v >= 30:
            out.append(30.0)
            v, u = -65.0, u + 8
        else:
            out.append(v)
        dv = 0.04 * v * v + 5 * v + 140 - u + 10
        du = 0.02 * (0.2 * v - u)
        v, u = v + dt * dv, u + dt * du
    return out


def inside_rounded(x, y, r):
    cx = min(max(x, r), SIZE - r)
    cy = min(max(y, r), SIZE - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def dist_to_segment(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy or 1)
    t = max(0.0, min(1.0, t))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "assets/neuron-explorer.png"
    v = trace()
    # Trace polyline in icon pixels: x 24..232, v -80..35 mV -> y 200..40.
    pts = [(24 + 208 * i / (len(v) - 1), 200 - 160 * (x + 80) / 115) for i, x in enumerate(v)]
    peaks = [p for p, x in zip(pts, v) if x == 30.0]
    # Coarse grid of segments per column for speed.
    cols = {}
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        for c in range(int(min(ax, bx)) - 6, int(max(ax, bx)) + 7):
            cols.setdefault(c, []).append((ax, ay, bx, by))
    rows = []
    for y in range(SIZE):
        row = bytearray([0])
        for x in range(SIZE):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    px, py = x + (sx + 0.5) / SS, y + (sy + 0.5) / SS
                    if not inside_rounded(px, py, 44):
                        continue
                    # Background: vertical gradient of deep blue.
                    g = py / SIZE
                    r, gg, b = 18 + 10 * g, 28 + 14 * g, 58 + 30 * g
                    # Faint baseline grid.
                    if abs(py - 200 + 160 * 15 / 115) < 0.8:
                        r, gg, b = r + 20, gg + 25, b + 30
                    d = min((dist_to_segment(px, py, *s) for s in cols.get(int(px), [])), default=99)
                    if d < 5.5:  # glow
                        w = (5.5 - d) / 5.5 * 0.45
                        r, gg, b = r + (90 - r) * w, gg + (220 - gg) * w, b + (255 - b) * w
                    if d < 2.6:  # line
                        r, gg, b = 120, 235, 255
                    for qx, qy in peaks:
                        if math.hypot(px - qx, py - qy + 8) < 6:
                            r, gg, b = 255, 170, 60
                    acc[0] += r
                    acc[1] += gg
                    acc[2] += b
                    acc[3] += 255
            n = SS * SS
            row.extend(int(min(255, a / n)) for a in acc)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(out, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
