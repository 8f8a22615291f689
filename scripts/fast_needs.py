#!/usr/bin/env python3
"""What each chapter's fast mode needs, measured: writes runs/fast-mode.json from the runs the tests made.

    python scripts/fast_needs.py [FOLDER ...]     default: target/notebooks target/image/notebooks

Each FOLDER holds the headless runner's per-notebook profiles (<stem>.cells.json, scripts/run_notebooks.py), as
`make test` (target/notebooks) and `make image-test` (target/image/notebooks, the image's IJava kernel on one CPU)
leave them. A profile counts if its run succeeded in fast mode with the mode's own sizes (no AE_EPOCHS, AE_LIMIT).
For every chapter the file keeps the peak of each kind of run (kernel, threads) and the need: the highest of them
plus MARGIN, rounded up to 10 MB. Kinds not measured this time are kept from the file.

It also writes the table of fast-mode times in docs/workshop.md (between its markers; tests/test_docs.py checks it).

Who reads it: the banner (ae.Limits: whether fast mode fits where the notebook runs, and between fast and full mode
how memory grows with the samples), and tests/test_notebooks.py, which fails a fast-mode run above its chapter's
need: a chapter that came to need more says so at once, and this script is how its need is written again.
"""
from __future__ import annotations

import datetime
import json
import math
import textwrap
import sys
from pathlib import Path

import blocks  # scripts/ is on sys.path: this script's own folder

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "runs" / "fast-mode.json"
DEFAULT_FOLDERS = (ROOT / "target" / "notebooks", ROOT / "target" / "image" / "notebooks")
# Peaks of one chapter vary from run to run (the garbage collector's timing): the need stands this far above the
# highest measured.
MARGIN = 1.10
ABOUT = ("What each chapter's fast mode needs: the kernel's peak resident memory (MB = MiB, Linux VmHWM) measured by the "
         "tests' own runs, per kind of run, and the need, the highest plus 10%. Written by scripts/fast_needs.py; read by "
         "the banner (ae.Limits) and by tests/test_notebooks.py, which fails a fast-mode run above its chapter's need.")


def kind(profile: dict, metrics: dict | None) -> str:
    """The kind of run: kernel and threads ("ijava, OMP_NUM_THREADS=1")."""
    kernel = (metrics or {}).get("kernel") or "kernel?"
    threads = profile.get("settings", {}).get("OMP_NUM_THREADS")
    return f"{kernel}, OMP_NUM_THREADS={threads}" if threads else f"{kernel}, every core"


def measured(folders) -> dict[str, dict[str, dict]]:
    """chapter -> kind -> {peak MB, the kernel's CPU seconds}, from the profiles of successful fast-mode runs with the
    mode's own sizes (of several runs of a kind, the one with the highest peak)."""
    out: dict[str, dict[str, dict]] = {}
    for folder in folders:
        for p in sorted(Path(folder).glob("*.cells.json")):
            profile = json.loads(p.read_text())
            settings = profile.get("settings", {})
            if (not profile.get("ok") or settings.get("AE_MODE") != "fast" or settings.get("AE_EPOCHS") or settings.get("AE_LIMIT")
                    or not profile.get("kernel_peak_rss_mb")):
                continue
            stem = profile["notebook"]
            metrics_file = p.parent.parent / "metrics" / f"{stem}.json"
            metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else None
            k = kind(profile, metrics)
            run = {"kernel_peak_rss_mb": profile["kernel_peak_rss_mb"], "kernel_cpu_seconds": profile.get("kernel_cpu_seconds")}
            if run["kernel_peak_rss_mb"] > out.get(stem, {}).get(k, {}).get("kernel_peak_rss_mb", 0):
                out.setdefault(stem, {})[k] = run
    return out


def need(peaks: dict[str, float]) -> int:
    return int(math.ceil(max(peaks.values()) * MARGIN / 10) * 10)


def merged(old: dict, new: dict[str, dict[str, dict]], today: str) -> dict:
    chapters = {stem: dict(entry) for stem, entry in old.get("chapters", {}).items()}
    for stem, kinds in new.items():
        entry = chapters.setdefault(stem, {"measured": {}})
        entry["measured"] = {**entry.get("measured", {}),
                             **{k: {"kernel_peak_rss_mb": round(v["kernel_peak_rss_mb"]), "kernel_cpu_seconds":
                                    round(v["kernel_cpu_seconds"]) if v.get("kernel_cpu_seconds") else None, "date": today}
                                for k, v in kinds.items()}}
    for stem, entry in chapters.items():
        entry["kernel_peak_rss_mb"] = need({k: v["kernel_peak_rss_mb"] for k, v in entry["measured"].items()})
    return {"about": ABOUT, "chapters": dict(sorted(chapters.items()))}


# docs/workshop.md's table of fast-mode times is generated from the file, between these markers
WORKSHOP = ROOT / "docs" / "workshop.md"
START = "<!-- generated: fast-mode times (scripts/fast_needs.py, from runs/fast-mode.json) -->"
END = "<!-- end generated: fast-mode times -->"
ONE_CORE = "IJava, OMP_NUM_THREADS=1"   # the image's kernel on one thread: Binder's one CPU, a slow laptop's one core
TITLES = {"01-iris": "1 Iris", "02-cifar-horses": "2 CIFAR horses", "03-fashion-mnist": "3 Fashion-MNIST",
          "04-mnist-denoising": "4 MNIST denoising", "05-kittens": "5 Kittens"}
MIDDLE = {"01-iris": "— (full mode is short)", "03-fashion-mnist": "`AE_EPOCHS=10 AE_LIMIT=20000`",
          "04-mnist-denoising": "`AE_EPOCHS=10 AE_LIMIT=20000`"}
BANNER = "see the notebook's banner"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds < 600 else f"{seconds / 60:.0f} min"


def workshop_block(data: dict) -> str:
    """The table of what each chapter's fast mode takes on one core and needs in memory, from runs/fast-mode.json."""
    rows = ["| chapter | fast mode (`AE_MODE=fast`): one core, kernel's peak memory | a middle setting | full mode (the tutorial's run) |",
            "|---|---|---|---|"]
    dates = set()
    for stem, entry in data["chapters"].items():
        one = entry["measured"].get(ONE_CORE)
        if one and one.get("kernel_cpu_seconds"):
            dates.add(one["date"])
            fast = f"{minutes(one['kernel_cpu_seconds'])}, {one['kernel_peak_rss_mb']:,} MB"
        else:
            fast = "not measured on one core"
        rows.append(f"| {TITLES.get(stem, stem)} | {fast} | {MIDDLE.get(stem, BANNER)} | "
                    f"[recorded run](../README.md#chapters) |")
    when = ", ".join(sorted(dates)) or "—"
    note = (f"Fast mode: the kernel's CPU time and peak memory when `make image-test` ran the notebook in the image (IJava, "
            f"one thread, `--cpus 1 --memory 2g`: Binder's limits) on {when}, on the course's 2-core reference machine; on "
            f"one core the CPU time is the wall time. From [runs/fast-mode.json](../runs/fast-mode.json), written by "
            f"`scripts/fast_needs.py` from the tests' runs.")
    return "\n".join(rows) + "\n\n" + textwrap.fill(note, 118, break_on_hyphens=False)


def render_workshop(text: str, data: dict) -> str:
    """TEXT (docs/workshop.md) with its generated block filled in; raises ValueError without the markers."""
    return blocks.fill(text, START, END, workshop_block(data), "docs/workshop.md")


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [f for f in DEFAULT_FOLDERS if f.is_dir()]
    found = measured(folders)
    if not found:
        print("fast_needs: no successful fast-mode run with the mode's own sizes in " + ", ".join(map(str, folders))
              + ": run `make test` (or `AE_MODE=fast make notebooks`) first", file=sys.stderr)
        return 1
    old = json.loads(FILE.read_text()) if FILE.is_file() else {}
    new = merged(old, found, datetime.date.today().isoformat())
    FILE.parent.mkdir(exist_ok=True)
    FILE.write_text(json.dumps(new, indent=1) + "\n")
    for stem, entry in new["chapters"].items():
        kinds = ", ".join(f"{k} {v['kernel_peak_rss_mb']} MB ({v['date']})" for k, v in entry["measured"].items())
        print(f"{stem}: needs {entry['kernel_peak_rss_mb']} MB (measured: {kinds})")
    WORKSHOP.write_text(render_workshop(WORKSHOP.read_text(), new))
    print(f"wrote {FILE.relative_to(ROOT)} and its table in {WORKSHOP.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
