#!/usr/bin/env python3
"""Execute the course's notebooks headless, as `make notebooks` and the tests do.

    python scripts/run_notebooks.py [PATTERN ...]

Each notebook in notebooks/ whose file name contains PATTERN (or matches it as a glob) is executed top to bottom
with the kernelspec named `java` found on JUPYTER_PATH (the project's own, target/jupyter, is searched last, so a
kernelspec of yours named `java` earlier on JUPYTER_PATH takes its place). Settings (AE_MODE, AE_EPOCHS, ...) are
passed to the kernel through the environment. The executed copy goes to target/notebooks/<name>.ipynb (also when
a cell fails, to show where) and the notebook writes its metrics to target/metrics/<stem>.json. A notebook fails
if any cell raises an error, if it writes no metrics, or if its saved outputs are not what a reader should see
(output_problems: output on stderr, logger lines, absolute paths of this machine, no picture or a blank one, or a
kernel whose display API was not recognised). The runner adds to the metrics the kernel's peak memory and the number
of pictures the notebook showed (the tests check each chapter's count). The exit status is 1 if any notebook failed.
"""
from __future__ import annotations

import argparse
import atexit
import base64
import binascii
import collections
import dataclasses
import fnmatch
import json
import os
import re
import sys
import struct
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "target" / "notebooks"
KERNEL = "java"
# The settings that change what a notebook trains (kept beside the per-cell profile).
SETTINGS = ("AE_MODE", "AE_EPOCHS", "AE_LIMIT", "OMP_NUM_THREADS", "AE_KERNEL_MEMORY")
START_ATTEMPTS = 3
START_FAILURES = ("Kernel didn't respond", "Kernel died before replying")


def use_project_kernelspec() -> None:
    """Put the project's Jupyter folder on JUPYTER_PATH (last: an earlier `java` kernelspec wins)."""
    ours = str(ROOT / "target" / "jupyter")
    parts = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    if ours not in parts:
        parts.append(ours)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(parts)
    os.environ.setdefault("AE_METRICS_DIR", str(ROOT / "target" / "metrics"))


def find(patterns: list[str]) -> list[Path]:
    all_nbs = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not patterns:
        return all_nbs
    chosen = [p for p in all_nbs if any(fnmatch.fnmatch(p.name, pat) or pat in p.name for pat in patterns)]
    if not chosen:
        names = ", ".join(p.name for p in all_nbs) or "none"
        raise SystemExit(f"No notebook matches {' '.join(patterns)!r}. The notebooks are: {names}")
    return chosen


@dataclasses.dataclass
class Result:
    notebook: Path
    ok: bool
    seconds: float
    error: str = ""
    metrics: dict | None = None

    @property
    def stem(self) -> str:
        return self.notebook.stem


# --- what a reader must not see in a saved output ---------------------------------------------------------------------

# Lines that loggers and chatty libraries write: time stamps, levels, logger names.
LOG_LINE = re.compile(r"""^[ \t]*(?:
      \d\d:\d\d:\d\d                                      # logback / log4j: "12:30:01.123 [main] INFO ..."
    | \[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d                      # dated lines (java.util.logging, rapaio's own log)
    | \[[\w.-]+\][ \t]+(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR)\b   # "[main] INFO org.nd4j..."
    | \[?(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|SEVERE)\]?(?:[ \t]+[\w.$]+[ \t]+-|:)   # slf4j-simple "[WARN] X - ...", "WARNING: ..."
    | SLF4J:                                                 # SLF4J's own complaints
    | Added[ ]differentiated[ ]op                            # SameDiff's println while it derives gradients (use ae.Quiet)
    )""", re.M | re.X)
# A logger name of the libraries next to a level, anywhere in a line ("o.n.l.f.Nd4jBackend - INFO ...").
LOGGER = re.compile(r"(?:\bo\.[a-z]\.[\w.$]*|\borg\.(?:nd4j|deeplearning4j|bytedeco|rapaio|datavec)[\w.$]*)\b.*\b(?:TRACE|DEBUG|INFO|WARN)\b"
                    r"|\b(?:TRACE|DEBUG|INFO|WARN)\b.*(?:\bo\.[a-z]\.[\w.$]*|\borg\.(?:nd4j|deeplearning4j|bytedeco|rapaio|datavec)\.)")
# Absolute paths: the usual top folders of a machine (not inside a URL or a relative path), and Windows drives.
ABSOLUTE = re.compile(r"(?<![\w.~/:-])/(?:tmp|work|root|home|Users|var|opt|usr|mnt|srv|private|etc)(?=/|\b)|(?<![\w])[A-Za-z]:\\[\w.]")
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def png_rows(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, channels and the unfiltered rows of an 8-bit, non-interlaced PNG (gray, RGB, gray + alpha, RGBA:
    what Java's ImageIO writes); channels 0 and no rows for other kinds (palette, 16-bit, interlaced). ValueError if
    it is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8:pos + 21])
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + length])
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise ValueError("a PNG without its header")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace or colour not in (0, 2, 4, 6):
        return width, height, 0, []
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise ValueError(f"a PNG whose pixels cannot be read ({e})") from None
    stride, prev, rows = width * ch, bytes(width * ch), []
    if len(raw) < height * (stride + 1):
        raise ValueError("a PNG with fewer pixels than its size says")
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:    # Sub
            for i in range(ch, stride):
                line[i] = (line[i] + line[i - ch]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:  # Average
            for i in range(stride):
                line[i] = (line[i] + (((line[i - ch] if i >= ch else 0) + prev[i]) >> 1)) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                a, b, c = (line[i - ch], prev[i], prev[i - ch]) if i >= ch else (0, prev[i], 0)
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, ch, rows


def picture_stats(png_base64: str) -> dict | None:
    """What a PNG shows, as tests/browser/pixels.mjs measures it in the browser: the share of its most common colour
    (4 bits per channel; 1 for a blank picture) and the standard deviation of its luminance (0-255; 0 for one colour).
    None for a PNG this reader does not decode (palette, 16-bit, interlaced); ValueError if it is not a PNG."""
    try:
        data = base64.b64decode(png_base64, validate=False)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"not base64 ({e})") from None
    try:
        width, height, ch, rows = png_rows(data)
    except struct.error:
        raise ValueError("a PNG cut short") from None
    if not ch or not width or not height:
        return None
    colours: collections.Counter = collections.Counter()   # exact colours first (fast), then what they add up to
    for row in rows:
        colours.update(zip(row[0::ch], row[1::ch], row[2::ch]) if ch >= 3 else ((v, v, v) for v in row[0::ch]))
    n = width * height
    coarse: collections.Counter = collections.Counter()
    total = total_sq = 0.0
    for (r, g, b), count in colours.items():
        coarse[(r >> 4, g >> 4, b >> 4)] += count
        y = 0.299 * r + 0.587 * g + 0.114 * b
        total += count * y
        total_sq += count * y * y
    mean = total / n
    return {"size": [width, height], "dominant": max(coarse.values()) / n,
            "std": max(0.0, total_sq / n - mean * mean) ** 0.5}


def blank_picture(stats: dict | None) -> bool:
    """One colour over 99% of the picture, or no contrast (the browser test's rule)."""
    return stats is not None and (stats["dominant"] > 0.99 or stats["std"] < 2)


def machine_paths() -> list[str]:
    """Folders of this machine that must not appear in an output: the project, the home and temp folders, the data
    cache and mirror, the metrics folder."""
    paths = {str(ROOT), os.path.expanduser("~"), tempfile.gettempdir()}
    for key in ("AE_DATA", "AE_DATA_MIRROR", "AE_METRICS_DIR", "JAVA_HOME"):
        value = os.environ.get(key, "")
        if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:\\", value):
            paths.add(os.path.abspath(value))
    return sorted((p for p in paths if len(p) > 1), key=len, reverse=True)


def output_problems(nb, metrics: dict | None) -> list[str]:
    """What a reader should not see in an executed notebook (nbformat node or plain dict), one line each: any output
    on stderr, logger lines, absolute paths of this machine in any text output; no picture (image/png) at all, or a
    picture that is blank or not a PNG; and metrics saying the kernel's display was not recognised (charts shown as
    text). Empty when all is well."""
    problems: list[str] = []
    paths = machine_paths()
    images = 0
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for n, cell in enumerate(code_cells, 1):
        for out in cell.get("outputs", []):
            texts: list[tuple[str, str]] = []
            if out["output_type"] == "stream":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                if out["name"] == "stderr":
                    problems.append(f"code cell {n}: output on stderr: {text.strip().splitlines()[0][:200] if text.strip() else repr(text)}")
                texts.append((out["name"], text))
            elif out["output_type"] in ("display_data", "execute_result", "update_display_data"):
                data = out.get("data", {})
                if "image/png" in data:
                    images += 1
                    png = data["image/png"]
                    try:
                        if blank_picture(picture_stats("".join(png) if isinstance(png, list) else png)):
                            problems.append(f"code cell {n}: a blank picture (one colour, nothing drawn): {text_plain(data)[:100]}")
                    except ValueError as e:
                        problems.append(f"code cell {n}: a picture that is {e}: {text_plain(data)[:100]}")
                for mime in TEXT_MIMES:
                    if mime in data:
                        value = data[mime]
                        value = "".join(value) if isinstance(value, list) else value if isinstance(value, str) else json.dumps(value)
                        texts.append((mime, value))
            for where, text in texts:
                for pattern, what in ((LOG_LINE, "a log line"), (LOGGER, "a log line")):
                    m = pattern.search(text)
                    if m:
                        line = text[text.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
                        problems.append(f"code cell {n}: {what} in {where}: {line.strip()[:200]}")
                        break
                found = [p for p in paths if p in text]
                m = ABSOLUTE.search(text)
                if found or m:
                    at = text.find(found[0]) if found else m.start()
                    line = text[text.rfind("\n", 0, at) + 1:].split("\n", 1)[0]
                    problems.append(f"code cell {n}: an absolute path of this machine in {where}: {line.strip()[:200]}")
    if images == 0:
        problems.append("no picture (image/png output) at all: every chapter draws charts; were they shown as text?")
    if metrics is not None and metrics.get("display") != "rich":
        problems.append(f"the helper jar did not recognise the kernel's display API (metrics: kernel {metrics.get('kernel')!r}, "
                        f"display {metrics.get('display')!r}): charts and pictures were shown as text")
    return problems


def text_plain(data: dict) -> str:
    value = data.get("text/plain", "")
    return "".join(value) if isinstance(value, list) else str(value)


def pictures(nb) -> int:
    """How many pictures (image/png outputs) an executed notebook shows."""
    return sum("image/png" in out.get("data", {}) for cell in nb["cells"] if cell["cell_type"] == "code"
               for out in cell.get("outputs", []))


def metrics_path(stem: str) -> Path:
    return Path(os.environ["AE_METRICS_DIR"]) / f"{stem}.json"


def kernel_peak_rss_mb(client) -> float:
    """The kernel process's peak resident memory so far (Linux VmHWM), in MB (MiB, as Linux counts); 0 where it cannot
    be read."""
    try:
        pid = client.km.provisioner.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except Exception:
        pass
    return 0.0


def kernel_cpu_seconds(client) -> float:
    """The CPU time the kernel process has used so far, all its threads (Linux /proc/PID/stat utime + stime), in
    seconds; 0 where it cannot be read. Unlike wall time it does not grow when other jobs share the machine."""
    try:
        pid = client.km.provisioner.pid
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()   # after "pid (name) ": state is field 3, utime 14, stime 15
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except Exception:
        return 0.0


def run(notebook: Path, timeout: int | None = None, quiet: bool = False) -> Result:
    """Executes one notebook; never raises for a failing cell (the Result says what went wrong)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from patient_kernel import PatientKernelManager

    use_project_kernelspec()
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        return Result(notebook, False, 0.0, f"no kernelspec named '{KERNEL}' on JUPYTER_PATH; run scripts/setup.sh (or make lab) first")
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    log(f"[{notebook.stem}] kernel: {spec.display_name} ({spec.resource_dir})")

    nb = nbformat.read(notebook, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    metrics = metrics_path(notebook.stem)
    metrics.unlink(missing_ok=True)
    started = time.monotonic()
    cell_started = [started]
    executed: list[int] = []

    def on_cell_start(cell, cell_index, **_):
        cell_started[0] = time.monotonic()

    peak_rss_mb = [0.0]
    cpu_seconds = [0.0]
    cells: list[dict] = []   # per code cell: wall and CPU seconds, the kernel's peak so far (target/notebooks/<stem>.cells.json)

    def on_cell_executed(cell, cell_index, **_):
        executed.append(cell_index)
        peak_rss_mb[0] = max(peak_rss_mb[0], kernel_peak_rss_mb(client))
        cpu = kernel_cpu_seconds(client)
        n = code_cells.index(cell) + 1 if cell in code_cells else "?"
        first = next((line for line in cell.source.splitlines() if line.strip() and not line.startswith("//")), "")
        wall = time.monotonic() - cell_started[0]
        cells.append({"cell": n, "first_line": first[:80], "wall_seconds": round(wall, 2),
                      "cpu_seconds": round(max(0.0, cpu - cpu_seconds[0]), 2), "peak_rss_mb": round(peak_rss_mb[0], 1)})
        cpu_seconds[0] = max(cpu_seconds[0], cpu)
        log(f"[{notebook.stem}] cell {n}/{len(code_cells)} {wall:6.1f} s "
            f"{peak_rss_mb[0]:6.0f} MB peak  {first[:60]}")

    error = ""
    OUT.mkdir(parents=True, exist_ok=True)
    kernel_log = OUT / f"{notebook.stem}.kernel.log"
    for attempt in range(1, START_ATTEMPTS + 1):
        client = NotebookClient(
            nb, kernel_name=KERNEL, timeout=timeout, startup_timeout=45, coalesce_streams=True,
            kernel_manager_class=PatientKernelManager,  # works around a start-up race in rapaio 3.0.1
            resources={"metadata": {"path": str(notebook.parent)}},
            on_cell_start=on_cell_start, on_cell_executed=on_cell_executed,
        )
        error, started_cells = "", len(executed)
        cells.clear()
        cpu_seconds[0] = 0.0
        try:
            with open(kernel_log, "wb") as klog:  # the kernel's own chatter (classpath, channels) goes here, not to the console
                client.execute(stdout=klog, stderr=klog)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            error = str(e)
        except Exception as e:  # the kernel did not start, the connection broke, ...
            error = f"{type(e).__name__}: {e}"
        # nbclient already shut this kernel down; its exit hook would try again and fail noisily after a failed start.
        atexit.unregister(client._cleanup_kernel)
        # A kernel that never answered is started again (rapaio 3.0.1 sometimes dies at start-up); a failing cell is not.
        if error and len(executed) == started_cells and attempt < START_ATTEMPTS and any(m in error for m in START_FAILURES):
            log(f"[{notebook.stem}] the kernel did not start ({error.splitlines()[0]}); starting it again")
            continue
        break
    seconds = time.monotonic() - started
    if error:
        error += f"\n(kernel log: {kernel_log})"
    nbformat.write(nb, OUT / notebook.name)
    (OUT / f"{notebook.stem}.cells.json").write_text(json.dumps(
        {"notebook": notebook.stem, "settings": {k: os.environ[k] for k in SETTINGS if os.environ.get(k)},
         "kernel_peak_rss_mb": round(peak_rss_mb[0], 1), "kernel_cpu_seconds": round(cpu_seconds[0], 1),
         "ok": not error, "cells": cells}, indent=1) + "\n")

    data = None
    if not error:
        if metrics.is_file():
            data = json.loads(metrics.read_text())
            if peak_rss_mb[0]:
                data["kernel_peak_rss_mb"] = round(peak_rss_mb[0], 1)  # measured here: the notebook cannot see its own peak
            if cpu_seconds[0]:
                data["kernel_cpu_seconds"] = round(cpu_seconds[0], 1)  # the kernel's CPU time, all threads, start-up included
            data["pictures"] = pictures(nb)   # counted here: what the reader sees, for each chapter's check
            metrics.write_text(json.dumps(data, indent=2) + "\n")
        else:
            error = f"the notebook ran but wrote no metrics to {metrics} (it must end with metrics.save())"
    if not error:
        problems = output_problems(nb, data)
        if problems:
            error = (f"the notebook ran, but its outputs are not what a reader should see (executed copy: "
                     f"{shown(OUT / notebook.name)}):\n  " + "\n  ".join(problems))
    return Result(notebook, not error, seconds, error, data)


def shown(path: Path) -> str:
    """A path relative to the project when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("patterns", nargs="*", help="part of a notebook's file name, or a glob (default: all)")
    parser.add_argument("--timeout", type=int, default=None, help="seconds one cell may take (default: no limit)")
    args = parser.parse_args()
    use_project_kernelspec()
    settings = " ".join(f"{k}={os.environ[k]}" for k in ("AE_MODE", "AE_EPOCHS", "AE_LIMIT", "AE_DATA", "AE_DATA_MIRROR") if os.environ.get(k))
    print(f"Running notebooks ({settings or 'AE_MODE=full, the default'})", flush=True)
    results = [run(nb, args.timeout) for nb in find(args.patterns)]
    print()
    for r in results:
        status = "ok  " if r.ok else "FAIL"
        print(f"{status} {r.notebook.name:32s} {r.seconds:8.1f} s   executed copy: {shown(OUT / r.notebook.name)}"
              + (f"   metrics: {shown(metrics_path(r.stem))}" if r.ok else ""))
        if r.error:
            print("     " + r.error.strip().replace("\n", "\n     ")[-4000:])
    failed = sum(not r.ok for r in results)
    print(f"\nnotebooks: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
