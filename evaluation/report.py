"""Evaluation reports a person reads: Markdown, and one self-contained HTML file with plots
(WER by dialect with 95 % intervals, latency distribution, RTFx per system)."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def plots(results: dict[str, dict], latencies: dict[str, list[float]]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = {}
    fig, ax = plt.subplots(figsize=(7, 3.5))
    labels = list(results)
    dialects = sorted({d for r in results.values() for d in r["by_dialect"]})
    width = 0.8 / max(1, len(labels))
    for i, label in enumerate(labels):
        groups = results[label]["by_dialect"]
        xs = [j + i * width for j in range(len(dialects))]
        wers = [groups.get(d, {}).get("wer", 0) for d in dialects]
        lows = [w - groups.get(d, {}).get("ci95", (w, w))[0] for d, w in zip(dialects, wers)]
        highs = [groups.get(d, {}).get("ci95", (w, w))[1] - w for d, w in zip(dialects, wers)]
        ax.bar(xs, wers, width, yerr=[lows, highs], capsize=3, label=label)
    ax.set_xticks([j + width * (len(labels) - 1) / 2 for j in range(len(dialects))], dialects)
    ax.set_ylabel("WER (95 % interval)")
    ax.set_title("WER by dialect")
    ax.legend()
    images["wer_by_dialect"] = _png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3.5))
    for label, values in latencies.items():
        ax.hist(values, bins=20, alpha=0.6, label=label)
    ax.set_xlabel("latency per file (s)")
    ax.set_ylabel("files")
    ax.set_title("Latency distribution")
    ax.legend()
    images["latency"] = _png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh(labels, [results[label]["rtfx"] for label in labels])
    ax.set_xlabel("RTFx (audio s / processing s)")
    ax.set_title("Speed")
    images["rtfx"] = _png(fig)
    plt.close(fig)
    return images


def _table(results: dict[str, dict]) -> list[list[str]]:
    rows = [["system", "WER", "95 % interval", "exact WER", "CER", "medical terms",
             "hallucination", "RTFx", "p50 s", "p95 s", "p99 s"]]
    for label, r in results.items():
        low, high = r["wer_ci95"]
        rows.append([label, f"{r['wer']:.3f}", f"{low:.3f}–{high:.3f}", f"{r['wer_exact']:.3f}",
                     f"{r['cer']:.3f}",
                     f"{r['medical_term_recall']:.2f} ({r['medical_terms_found']}/"
                     f"{r['medical_terms_said']})",
                     f"{r['hallucination_rate']:.2f} of {r['quiet_clips']}", f"{r['rtfx']:.1f}",
                     f"{r['latency_p50_s']:.2f}", f"{r['latency_p95_s']:.2f}",
                     f"{r['latency_p99_s']:.2f}"])
    return rows


def markdown(results: dict[str, dict], comparisons: list[dict], command: str,
             machine: dict) -> str:
    table = _table(results)
    lines = [f"# ASR evaluation\n\nCommand: `{command}`\n",
             f"Machine: {machine.get('processor')}, {machine.get('cpu_count')} CPUs, "
             f"CUDA devices: {machine.get('cuda_devices')}\n",
             "| " + " | ".join(table[0]) + " |", "|" + "---|" * len(table[0])]
    lines += ["| " + " | ".join(row) + " |" for row in table[1:]]
    for label, r in results.items():
        lines.append(f"\n## {label}: by dialect\n\n| dialect | WER | 95 % interval | utterances |"
                     "\n|---|---|---|---|")
        for name, g in r["by_dialect"].items():
            lines.append(f"| {name} | {g['wer']:.3f} | {g['ci95'][0]:.3f}–{g['ci95'][1]:.3f} |"
                         f" {g['utterances']} |")
    if comparisons:
        lines.append("\n## Comparison (paired bootstrap on per-utterance errors)\n\n"
                     "| baseline | system | WER difference | p | significant |\n|---|---|---|---|---|")
        for c in comparisons:
            lines.append(f"| {c['baseline']} | {c['system']} | {c['wer_difference']:+.3f} | "
                         f"{c['p_value']:.3f} | {'yes' if c['significant'] else 'no'} |")
    return "\n".join(lines) + "\n"


def html_report(results: dict[str, dict], comparisons: list[dict], command: str,
                machine: dict, images: dict[str, str]) -> str:
    table = _table(results)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in table[1:])
    comp = "".join(f"<li>{html.escape(c['system'])} vs {html.escape(c['baseline'])}: "
                   f"{c['wer_difference']:+.3f} WER, p = {c['p_value']:.3f}</li>"
                   for c in comparisons)
    figures = "".join(f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
                      f"<figcaption>{name.replace('_', ' ')}</figcaption></figure>"
                      for name, data in images.items())
    return f"""<!doctype html><html lang="no"><head><meta charset="utf-8">
<title>Dikta ASR evaluation</title><style>
body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3rem .5rem}}img{{max-width:100%}}</style></head><body>
<h1>ASR evaluation</h1><p><code>{html.escape(command)}</code></p>
<p>{html.escape(str(machine.get('processor')))}, {machine.get('cpu_count')} CPUs</p>
<table><tr>{head}</tr>{body}</table><ul>{comp}</ul>{figures}</body></html>
"""


def write_reports(out: Path, results: dict[str, dict], comparisons: list[dict],
                  latencies: dict[str, list[float]], command: str, machine: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(markdown(results, comparisons, command, machine),
                                   encoding="utf-8")
    images = plots(results, latencies)
    (out / "report.html").write_text(
        html_report(results, comparisons, command, machine, images), encoding="utf-8")
    for name, data in images.items():
        (out / f"{name}.png").write_bytes(base64.b64decode(data))
