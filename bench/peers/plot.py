#!/usr/bin/env python3
"""SVG strip plot of workload 1's latencies from a bench/peers JSON (standard library only).

  python3 bench/peers/plot.py bench/results/<file>.json docs/peers-latency.svg

One row per system and measure (submit -> AM RUNNING, submit -> FINISHED); every sample a dot,
the median a bar; log-scale time axis from 100 ms to 100 s.
"""
import json
import math
import sys

W, ROW, LEFT, RIGHT, TOP = 900, 26, 250, 30, 30
LO, HI = 0.1, 100.0  # seconds


def x_of(seconds):
    s = min(max(seconds, LO), HI)
    return LEFT + (W - LEFT - RIGHT) * (math.log10(s) - math.log10(LO)) / (
        math.log10(HI) - math.log10(LO))


def main():
    doc = json.load(open(sys.argv[1]))
    rows = []
    for r in doc["results"]:
        lat = r.get("latency")
        if not lat:
            continue
        for key, label in (("submit_to_running_ms", "AM RUNNING"),
                           ("submit_to_finished_ms", "FINISHED")):
            s = lat[key]
            rows.append((f"{r['system']}: submit → {label}", s["all"], s["median"]))
    h = TOP + ROW * len(rows) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{h}" fill="white"/>']
    for t in (0.1, 0.3, 1, 3, 10, 30, 100):
        x = x_of(t)
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 10}" x2="{x:.1f}" y2="{h - 35}" '
                   'stroke="#ddd"/>')
        label = f"{t * 1000:.0f} ms" if t < 1 else f"{t:g} s"
        out.append(f'<text x="{x:.1f}" y="{h - 20}" text-anchor="middle">{label}</text>')
    for i, (label, samples, median) in enumerate(rows):
        y = TOP + ROW * i + ROW / 2
        color = "#1f77b4" if label.startswith("skein") else "#d62728"
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
        for v in samples:
            out.append(f'<circle cx="{x_of(v / 1000):.1f}" cy="{y:.1f}" r="3" fill="{color}" '
                       'fill-opacity="0.45"/>')
        if median is not None:
            xm = x_of(median / 1000)
            out.append(f'<line x1="{xm:.1f}" y1="{y - 9:.1f}" x2="{xm:.1f}" y2="{y + 9:.1f}" '
                       'stroke="black" stroke-width="2"/>')
    out.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
