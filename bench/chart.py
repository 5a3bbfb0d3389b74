#!/usr/bin/env python3
"""Draws docs/benchmarks.svg from bench/run.py's results: for each tree, the CPU time of each
command as a bar, on a log scale (the trees span three orders of magnitude), labelled with the
seconds. Standard library only; the SVG is plain text, so a change to it shows in review.

    bench/chart.py [target/bench/results.json] [docs/benchmarks.svg]
"""

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLORS = {"cat": "#9e9e9e", "parse-floor": "#5c8dd6", "k8sec": "#2e7d32",
          "k8sec --diff": "#81c784", "lto": "#004d40",
          "before": "#c62828", "trivy": "#8e24aa", "checkov": "#ef6c00"}
BAR, GAP, GROUP_GAP, LEFT, TOP, HEIGHT = 18, 2, 36, 70, 40, 260


def seconds(value):
    """Two significant digits, never in exponent notation."""
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def main():
    results_path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target/bench/results.json"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs/benchmarks.svg"
    results = json.loads(results_path.read_text())
    trees = results["trees"]
    labels = []
    for tree in trees.values():
        for label in tree["results"]:
            if label not in labels:
                labels.append(label)
    times = [r["cpu"] for t in trees.values() for r in t["results"].values() if r["cpu"] > 0]
    low = 10 ** math.floor(math.log10(min(times)))
    high = 10 ** math.ceil(math.log10(max(times)))

    def y(seconds):
        span = math.log10(high) - math.log10(low)
        return TOP + HEIGHT - HEIGHT * (math.log10(max(seconds, low)) - math.log10(low)) / span

    group_width = len(labels) * (BAR + GAP)
    width = LEFT + len(trees) * (group_width + GROUP_GAP) + 20
    height = TOP + HEIGHT + 90
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="20" font-size="13">CPU time (user + system, median of '
           f'{results["rounds"]} rounds), log scale</text>']
    decade = low
    while decade <= high * 1.0001:
        svg.append(f'<line x1="{LEFT}" x2="{width - 20}" y1="{y(decade):.1f}" '
                   f'y2="{y(decade):.1f}" stroke="#e0e0e0"/>')
        svg.append(f'<text x="{LEFT - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">'
                   f'{decade:g} s</text>')
        decade *= 10
    for g, (name, tree) in enumerate(trees.items()):
        x0 = LEFT + 10 + g * (group_width + GROUP_GAP)
        for i, label in enumerate(labels):
            result = tree["results"].get(label)
            if not result:
                continue
            x = x0 + i * (BAR + GAP)
            top = y(result["cpu"])
            svg.append(f'<rect x="{x}" y="{top:.1f}" width="{BAR}" '
                       f'height="{TOP + HEIGHT - top:.1f}" fill="{COLORS.get(label, "#607d8b")}">'
                       f'<title>{label}: {result["cpu"]:.3f} s</title></rect>')
            svg.append(f'<text x="{x + BAR / 2}" y="{top - 3:.1f}" font-size="8" '
                       f'text-anchor="middle">{seconds(result["cpu"])}</text>')
        mb = tree["bytes"] / 1e6
        svg.append(f'<text x="{x0 + group_width / 2}" y="{TOP + HEIGHT + 16}" '
                   f'text-anchor="middle">{name} ({mb:.1f} MB)</text>')
    for i, label in enumerate(labels):
        x = LEFT + (i % 4) * 150
        ly = TOP + HEIGHT + 40 + (i // 4) * 16
        svg.append(f'<rect x="{x}" y="{ly - 9}" width="10" height="10" '
                   f'fill="{COLORS.get(label, "#607d8b")}"/>')
        svg.append(f'<text x="{x + 14}" y="{ly}">{label}</text>')
    svg.append("</svg>")
    out.write_text("\n".join(svg) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
