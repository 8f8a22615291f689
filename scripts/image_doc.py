#!/usr/bin/env python3
"""The container image's measured numbers, kept in one place: runs/image-test.json, and docs/container.md's table.

    python3 scripts/image_doc.py report OUT --engine .. --build-s .. ...   (scripts/image_test.sh: prints the JSON)
    python3 scripts/image_doc.py record [target/image/report.json]        keep a run: runs/image-test.json + the doc

`make image-test` writes target/image/report.json at its end (the `report` command, from the files it left in
target/image/). `record` keeps a run that is worth publishing: every notebook ran and passed, the build started from
no cached layer (AE_IMAGE_FRESH=1 make image-test: a cached build's time says nothing), and then fills in the block
of docs/container.md between its markers. tests/test_docs.py checks that the block is what the record renders to.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import textwrap
from pathlib import Path

import blocks  # scripts/ is on sys.path: this script's own folder

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "runs" / "image-test.json"
DOC = ROOT / "docs" / "container.md"
START = "<!-- generated: image test (scripts/image_doc.py, from runs/image-test.json) -->"
END = "<!-- end generated: image test -->"
PARTS = [("jdk", "Java 17 JDK"), ("venv", "Python packages (`.venv`)"), ("lib", "helper jar + DL4J + natives (`lib/target`)"),
         ("javacpp", "the natives unpacked (`~/.javacpp`)"), ("kernel", "the kernels' jars and start-up archive (`target/kernel`)")]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine()


def rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []


def number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def report(out: Path, a: argparse.Namespace) -> dict:
    """The run's numbers from what scripts/image_test.sh left in OUT (sizes.tsv, notebooks.tsv, lab.tsv)."""
    parts = {}
    for (key, _), row in zip(PARTS, rows(out / "sizes.tsv")):
        parts[key] = number(row[0])
    notebooks = [{"notebook": r[0], "result": r[1], "cpu_s": number(r[2]), "wall_s": number(r[3]),
                  "kernel_peak_mb": number(r[4]), "container_peak_mb": number(r[5])} for r in rows(out / "notebooks.tsv")]
    lab = []
    for name, procs, mb in rows(out / "lab.tsv"):
        words = procs.replace(",", "").split()   # "server 84 MB kernel 248 MB"
        lab.append({"started_by": name, "server_peak_mb": number(words[1]) if len(words) > 1 else None,
                    "kernel_peak_mb": number(words[4]) if len(words) > 4 else None, "container_peak_mb": number(mb)})
    return {"date": datetime.date.today().isoformat(), "cpu": cpu_name(), "cores": os.cpu_count(), "engine": a.engine,
            "fresh_build": os.environ.get("AE_IMAGE_FRESH") == "1", "notebook_filter": a.notebook_filter,
            "image": {"build_s": number(a.build_s), "size_mb": number(a.size_mb), "parts_mb": parts,
                      "offline_build_s": number(a.offline_s), "offline_size_mb": number(a.offline_mb)},
            "notebooks": notebooks, "lab": lab, "load_before": a.load[0], "load_after": a.load[1],
            "seconds": number(a.seconds)}


def problems(r: dict) -> list[str]:
    """Why a report is not one to publish (empty: it is)."""
    out = []
    if r.get("notebook_filter"):
        out.append(f"only the notebooks matching NB={r['notebook_filter']} ran")
    if len(r.get("notebooks", [])) != len(list((ROOT / "notebooks").glob("*.ipynb"))):
        out.append(f"{len(r.get('notebooks', []))} notebooks ran, not every one")
    out += [f"{n['notebook']}: {n['result']}" for n in r.get("notebooks", []) if n["result"] != "ok"]
    if not r.get("fresh_build"):
        out.append("the build used cached layers, so its time is not a build's (AE_IMAGE_FRESH=1 make image-test)")
    if len(r.get("image", {}).get("parts_mb", {})) != len(PARTS):
        out.append("the sizes of the image's parts were not measured")
    return out


def mb(x: float | None) -> str:
    return "?" if x is None else f"{x:,.0f} MB"


def block(r: dict) -> str:
    """docs/container.md's table of the image's numbers, from a record."""
    img = r["image"]
    parts = ", ".join(f"{label} {mb(img['parts_mb'].get(key))}" for key, label in PARTS)
    lines = [textwrap.fill(f"*Measured by `make image-test` on {r['date']}: {r['cpu']}, {r['cores']} cores, {r['engine']}; "
                           f"the whole test (both builds, notebooks, JupyterLab twice) took {r['seconds'] / 60:.1f} min, "
                           f"load average {r['load_before']} before the notebooks.*", 118, break_on_hyphens=False), "",
             "| what | measured |", "|---|---|",
             f"| image size | **{mb(img['size_mb'])}** |",
             f"| of which | {parts} |",
             f"| build time | **{img['build_s']:.0f} s** from no cached layer (the base image made before it) |",
             f"| offline variant (`AE_WITH_DATA=1`, every data set inside) | **{mb(img['offline_size_mb'])}**, built in "
             f"{img['offline_build_s']:.0f} s, also from no cached layer |", "",
             "Each notebook in the image's default mode (`AE_MODE=fast`), `--cpus 1 --memory 2g`, as UID 1000:", "",
             "| notebook | CPU time | wall time | kernel peak | container peak |", "|---|---|---|---|---|"]
    for n in r["notebooks"]:
        lines.append(f"| {n['notebook']} | {n['cpu_s']:.0f} s | {n['wall_s']:.0f} s | {mb(n['kernel_peak_mb'])} | "
                     f"{mb(n['container_peak_mb'])} |")
    lab = "; ".join(f"{x['started_by']}: server {mb(x['server_peak_mb'])}, kernel {mb(x['kernel_peak_mb'])}"
                    for x in r["lab"])
    lines += ["", textwrap.fill(f"JupyterLab answering and running one Java cell over its websocket, peak resident "
                                f"memory ({lab}).", 118, break_on_hyphens=False)]
    return "\n".join(lines)


def render(text: str, r: dict) -> str:
    return blocks.fill(text, START, END, block(r), "docs/container.md")


FULL_START = "<!-- generated: full mode in the image (scripts/image_full.py, from runs/image-full-mode.json) -->"
FULL_END = "<!-- end generated: full mode in the image -->"


def full_block(r: dict) -> str:
    """docs/container.md's table of the chapters' full runs in the image at Binder's limits (runs/image-full-mode.json)."""
    dates = sorted({c["date"] for c in r["chapters"].values()})
    lines = [f"*Measured by `scripts/image_full.py` on {', '.join(dates)}: {r['cpu']}; each chapter in the image with "
             f"`--cpus 1 --memory 2g` on a core of its own, two at a time.*", "",
             "| chapter, full mode | result | wall time | CPU time | kernel peak | container peak |", "|---|---|---|---|---|---|"]
    for stem, c in r["chapters"].items():
        result = "passed its checks" if c["result"] == "passed" else f"failed: {c['why']}"
        cpu = "?" if c["cpu_s"] is None else f"{c['cpu_s'] / 60:.1f} min"
        lines.append(f"| {stem} | {result} | {c['wall_s'] / 60:.1f} min | {cpu} | {mb(c['kernel_peak_mb'])} | "
                     f"{mb(c['container_peak_mb'])} |")
    return "\n".join(lines)


def render_full(text: str, r: dict) -> str:
    return blocks.fill(text, FULL_START, FULL_END, full_block(r), "docs/container.md")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("report")
    rp.add_argument("out", type=Path)
    for name in ("engine", "build-s", "size-mb", "offline-s", "offline-mb", "seconds", "notebook-filter"):
        rp.add_argument(f"--{name}", default="")
    rp.add_argument("--load", nargs=2, default=["", ""])
    rec = sub.add_parser("record")
    rec.add_argument("report", type=Path, nargs="?", default=ROOT / "target" / "image" / "report.json")
    a = ap.parse_args(argv)
    if a.command == "report":
        print(json.dumps(report(a.out, a), indent=1))
        return 0
    if not a.report.is_file():
        print(f"image_doc: no {a.report}: run `AE_IMAGE_FRESH=1 make image-test` first", file=sys.stderr)
        return 1
    r = json.loads(a.report.read_text())
    why = problems(r)
    if why:
        print("image_doc: this run is not one to publish: " + "; ".join(why), file=sys.stderr)
        return 1
    new_doc = render(DOC.read_text(), r)
    RECORD.write_text(json.dumps(r, indent=1) + "\n")
    DOC.write_text(new_doc)
    print(f"wrote {RECORD.relative_to(ROOT)} and its table in {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
