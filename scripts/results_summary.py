#!/usr/bin/python3
"""Builds results/README.md and the README's results section from the committed results.

Every number printed here is read from a results/**/bench.json or nll*.json file; the command
that produced each file is in the COMMAND.txt beside it. Usage: scripts/results_summary.py
"""
import glob
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RES = os.path.join(ROOT, "results")


def load(path):
    with open(path) as f:
        return json.load(f)


def command(d):
    p = os.path.join(d, "COMMAND.txt")
    return open(p).read().strip() if os.path.exists(p) else "(command not recorded)"


def bench_table(b, reference=None, short=False):
    aggs = [a for a in b["aggregates"] if not a["lossy"]]
    aggs.sort(key=lambda a: a["rate"])
    ref = next((a for a in aggs if a["codec"] == reference), None)
    unit = aggs[0]["rate_unit"] if aggs else ""
    speed = aggs[0]["speed_unit"] if aggs else ""
    head = f"| codec | {unit} |" + (f" x {reference} |" if ref else "") + f" enc {speed} | dec {speed} | enc / dec CPU s | peak RSS enc / dec MiB | verified |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for a in aggs:
        name = f"**{a['codec']}**" if a["ours"] else a["codec"]
        ratio = f" {a['rate'] / ref['rate']:.3f} |" if ref else ""
        dec_speed = f"{a['decode_speed']:.2f}" if a.get("decode_speed") else "n/a"
        dec_cpu = f"{a['decode_cpu_s']:.2f}" if a.get("decode_cpu_s") is not None else "n/a"
        dec_rss = f"{a['decode_peak_rss_kb'] / 1024:.0f}" if a.get("decode_peak_rss_kb") else "n/a"
        ok = "yes" if a["verify_failures"] == 0 and a["files_ok"] == a["files_total"] else "NO"
        lines.append(f"| {name} | {a['rate']:.4f} |{ratio} {a['encode_speed']:.2f} | {dec_speed} | "
                     f"{a['encode_cpu_s']:.2f} / {dec_cpu} | {a['encode_peak_rss_kb'] / 1024:.0f} / {dec_rss} | {ok} |")
    return "\n".join(lines)


def nll_line(path):
    s = load(path)["summary"]
    return (f"{s['images']} images: coded {s['coded_bpsp']:.4f} bpsp (whole .dfc files), model NLL "
            f"{s['model_nll_bpsp']:.4f} bpsp, coded / NLL = {s['coded_over_nll']:.4f}")


sections = []
summary = []
for d in sorted(glob.glob(os.path.join(RES, "**", "bench.json"), recursive=True)):
    d = os.path.dirname(d)
    rel = os.path.relpath(d, ROOT)
    b = load(os.path.join(d, "bench.json"))
    ref = "cjxl-e9" if "image-lossless" in rel else None
    table = bench_table(b, ref)
    files = len(b["files"])
    text = [f"## {rel}", "", f"Command: `{command(d)}`", "",
            f"Measured {b['date_utc']} on {b['host']['online_cpus']} CPUs, {files} files, every codec in the same run.", "",
            table, ""]
    for n in sorted(glob.glob(os.path.join(d, "nll*.json"))):
        text += [f"Model NLL beside coded size ({os.path.basename(n)}): " + nll_line(n), ""]
    for extra in ("bench.md", "bench.svg"):
        if os.path.exists(os.path.join(d, extra)):
            text.append(f"- [{extra}]({os.path.relpath(os.path.join(d, extra), RES)})")
    sections.append("\n".join(text))
    summary += [f"**{rel}** ({files} files; `{command(d).splitlines()[0][:80]}...`)", "", table, ""]

for path in sorted(glob.glob(os.path.join(RES, "**", "result.json"), recursive=True)):
    d = os.path.dirname(path)
    rel = os.path.relpath(d, ROOT)
    r = load(path)
    line = (f"{r['image']}, {r['threads']} threads: {r['bytes']} bytes ({r['bpsp']:.4f} bpsp), verified: "
            f"{'yes' if r['verified'] else 'NO'}; encode {r['encode']['wall_s']:.1f} s ({r['encode']['mp_per_s']:.2f} MP/s), "
            f"peak RSS {r['encode']['peak_rss_mib']:.0f} MiB; decode {r['decode']['wall_s']:.1f} s "
            f"({r['decode']['mp_per_s']:.2f} MP/s), peak RSS {r['decode']['peak_rss_mib']:.0f} MiB")
    sections.append(f"## {rel}\n\nCommand: `{command(d)}`\n\n{line}\n")
    summary += [f"**{rel}**: {line}", ""]

# Results with their own report (lossy rate-distortion, video, signal folds): linked, not re-tabulated.
covered = {os.path.dirname(p) for p in glob.glob(os.path.join(RES, "**", "bench.json"), recursive=True)}
others = []
for path in sorted(glob.glob(os.path.join(RES, "**", "results.md"), recursive=True) +
                   glob.glob(os.path.join(RES, "**", "README.md"), recursive=True)):
    d = os.path.dirname(path)
    if d == RES or d in covered or any(os.path.dirname(o[0]) == os.path.relpath(d, ROOT) for o in others):
        continue
    title = next((l.lstrip("# ").strip() for l in open(path) if l.startswith("#")), os.path.basename(path))
    others.append((os.path.relpath(path, ROOT), title, command(d) if os.path.exists(os.path.join(d, "COMMAND.txt")) else None))
if others:
    text = ["## Other results (each with its own report)", ""]
    for rel, title, cmd in others:
        text.append(f"- [{rel}]({os.path.relpath(os.path.join(ROOT, rel), RES)}): {title}")
    sections.append("\n".join(text))
    summary += ["Other results, each with its own report and command: " +
                ", ".join(f"[{os.path.dirname(rel)}]({rel})" for rel, _, _ in others) + ".", ""]

hdr = ("# Results\n\nEvery table is generated by `scripts/results_summary.py` from the JSON beside it; "
       "each directory's COMMAND.txt is the command that measured it. Rates: bits per sub-pixel (bpsp) "
       "for images, bits per sample (bps) for audio, bits per byte (bpB) otherwise. Timings are wall "
       "clock of each process on this 2-core machine (noisy: compare ratios from the same run).\n\n")
open(os.path.join(RES, "README.md"), "w").write(hdr + "\n\n".join(sections) + "\n")

readme = open(os.path.join(ROOT, "README.md")).read()
block = "<!-- results:begin -->\n" + "\n".join(summary) + "\n<!-- results:end -->"
readme = re.sub(r"<!-- results:begin -->.*?<!-- results:end -->", lambda m: block, readme, flags=re.S)
open(os.path.join(ROOT, "README.md"), "w").write(readme)
print("wrote results/README.md and the README results section")
