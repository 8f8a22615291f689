#!/usr/bin/env python3
"""Record chapters as they ran in full mode: the executed notebook and a small JSON of the run, kept in runs/.

    python scripts/record.py [PATTERN ...]     make record NB=<pattern>: run in full mode, keep the record
    python scripts/record.py --markdown        make record-markdown: the notebooks' markdown into the records

A record is two files per chapter:

  runs/<stem>.ipynb   the notebook as it ran: every output (text, PNG figures, Plotly figures with their PNG), without
                      what churns between runs (execution counts, nbclient's timestamps) or repeats a picture (an HTML
                      copy of a PNG); metadata.record names the run (commit, date) so the two files belong together
  runs/<stem>.json    the run: its metrics (what tests/test_notebooks.py checks), the commit, date, CPU model and
                      cores, memory, OS, Java, kernel (name and version), the data it fetched (files and bytes per
                      data set, into an empty download cache, from AE_DATA_MIRROR or your own cache) and the sample
                      counts, wall time, the kernel's peak RSS, the environment variables that steer native code, and
                      the machine's load average when the run started (a busy machine makes the wall time longer)

A record must be reproducible and in full mode, so this script refuses to run with AE_MODE other than full, with
AE_EPOCHS or AE_LIMIT set, from a working tree with changes (other than the files a record itself writes: runs/,
README.md, docs/results.md), or outside a git checkout. A run that fails, or that misses its chapter's full-mode goals
(the check functions of tests/test_notebooks.py), leaves the previous record as it was; its files stay in
target/record/ to look at. Files are written to a temporary name and renamed into place.

After recording, the generated tables in README.md and docs/results.md are rewritten (scripts/records_doc.py).

--markdown re-renders each notebook's markdown cells into its record (code cells and their outputs stay), for
changes to the narrative that need no new run; it refuses a record whose code differs from its notebook's, which
needs `make record NB=<stem>`. tests/test_records.py checks both.
"""
from __future__ import annotations

import argparse
import copy
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RUNS = ROOT / "runs"
WORK = ROOT / "target" / "record"
# Files a record writes; changes there do not make a tree unfit to record from (several chapters in a row).
WRITTEN_BY_RECORD = ("runs/", "README.md", "docs/results.md")
# Settings that would make a run something other than the full run.
NOT_FULL = ("AE_EPOCHS", "AE_LIMIT")
# Environment variables that change which native code runs (recorded with the run; see docs/performance.md).
NATIVE_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "DNNL_MAX_CPU_ISA", "OMP_NUM_THREADS", "MKL_ENABLE_INSTRUCTIONS")
PLOTLY = "application/vnd.plotly.v1+json"


class RecordError(Exception):
    """Something that keeps a record from being made or used; the message says what to do."""


# --- which notebooks, which records ------------------------------------------------------------------------------

def chapters() -> list[str]:
    """The stems of the course's notebooks, in order."""
    return [p.stem for p in sorted(NOTEBOOKS.glob("*.ipynb"))]


def record_paths(stem: str, runs: Path | None = None) -> tuple[Path, Path]:
    runs = runs or RUNS
    return runs / f"{stem}.ipynb", runs / f"{stem}.json"


def command(stem: str) -> str:
    """The command that makes a chapter's record."""
    return f"make record NB={stem}"


# --- the notebook as a reader should see it ----------------------------------------------------------------------

def text_of(value) -> str:
    return "".join(value) if isinstance(value, list) else value if isinstance(value, str) else json.dumps(value)


def clean_output(out: dict) -> dict:
    """One output without churn: no execution count, no transient data; an HTML or SVG copy of a picture that is
    also there as PNG is dropped (the PNG is the picture; the Plotly JSON stays beside its PNG, it is the chart)."""
    out = copy.deepcopy(dict(out))
    out.pop("transient", None)
    if "execution_count" in out:
        out["execution_count"] = None
    data = out.get("data")
    if isinstance(data, dict) and "image/png" in data:
        for mime in ("text/html", "image/svg+xml"):
            if mime in data and ("data:image/png;base64" in text_of(data[mime]) or mime == "image/svg+xml"):
                del data[mime]
                if isinstance(out.get("metadata"), dict):
                    out["metadata"].pop(mime, None)
    return out


def clean_cell(cell: dict) -> dict:
    cell = copy.deepcopy(dict(cell))
    meta = dict(cell.get("metadata", {}))
    for key in ("execution", "ExecuteTime", "collapsed", "scrolled"):
        meta.pop(key, None)
    cell["metadata"] = meta
    if cell["cell_type"] == "code":
        cell["execution_count"] = None
        cell["outputs"] = [clean_output(o) for o in cell.get("outputs", [])]
    return cell


def clean(nb: dict, source: dict, run: dict) -> dict:
    """The executed notebook nb as a record: cells cleaned, ids and metadata of the source notebook's cells, the
    notebook's own metadata plus the kernel's language_info and metadata.record (commit, date, kernel)."""
    nb = json.loads(json.dumps(nb))   # a plain dict, whatever nbformat gave
    meta = {"kernelspec": source["metadata"].get("kernelspec", nb["metadata"].get("kernelspec")),
            "language_info": nb["metadata"].get("language_info", source["metadata"].get("language_info")),
            "record": {"notebook": f"notebooks/{run['notebook']}.ipynb", "run": f"runs/{run['notebook']}.json",
                       "commit": run["commit"], "recorded": run["recorded"], "kernel": run["kernel"]["display_name"]}}
    cells = [clean_cell(c) for c in nb["cells"]]
    if [c["cell_type"] for c in cells] != [c["cell_type"] for c in source["cells"]]:
        raise RecordError("the executed notebook's cells are not the notebook's (a cell was added or dropped while it ran)")
    for cell, src in zip(cells, source["cells"]):
        if "id" in src:
            cell["id"] = src["id"]
        cell["metadata"] = {**clean_cell(src)["metadata"]}
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": max(5, source.get("nbformat_minor", 5))}


def dumps(nb: dict) -> str:
    """A notebook as nbformat writes it (sorted keys, indent 1, text split into lines), so that records diff line by
    line; the same text for the same notebook whether its strings came split or joined."""
    import nbformat
    from nbformat.v4.nbjson import writes
    return writes(nbformat.from_dict(json.loads(json.dumps(nb)))) + "\n"


# --- code and markdown: a record against its notebook ------------------------------------------------------------

def code_sources(nb: dict) -> list[str]:
    return [text_of(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def code_sha256(nb: dict) -> str:
    """A fingerprint of the notebook's code cells (the sources, in order); markdown does not change it."""
    return hashlib.sha256(json.dumps(code_sources(nb)).encode()).hexdigest()


def code_differences(record: dict, notebook: dict) -> list[str]:
    """How the record's code cells differ from the notebook's, one line each (empty: the same code)."""
    ours, theirs = code_sources(record), code_sources(notebook)
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"the notebook has {len(theirs)} code cells, the record {len(ours)}")
    for n, (a, b) in enumerate(zip(ours, theirs), 1):
        if a != b:
            first = next((x for x, y in zip(b.splitlines() + [""], a.splitlines() + [""]) if x != y), "")
            problems.append(f"code cell {n} differs (notebook: {first.strip()[:80]!r})")
    return problems


def with_markdown(record: dict, notebook: dict) -> dict:
    """The record with the notebook's markdown and raw cells (and cell ids, metadata, order) and its own code cells
    with their outputs. Raises RecordError when the code differs: that needs a new run."""
    problems = code_differences(record, notebook)
    if problems:
        raise RecordError("the code changed since the record was made: " + "; ".join(problems[:5]))
    executed = iter([c for c in record["cells"] if c["cell_type"] == "code"])
    cells = []
    for src in notebook["cells"]:
        if src["cell_type"] == "code":
            cell = copy.deepcopy(next(executed))
            cell["metadata"] = clean_cell(src)["metadata"]
            if "id" in src:
                cell["id"] = src["id"]
        else:
            cell = clean_cell(src)
        cells.append(cell)
    meta = {**record["metadata"], "kernelspec": notebook["metadata"].get("kernelspec", record["metadata"].get("kernelspec"))}
    return {**record, "cells": cells, "metadata": meta}


# --- the run's facts -----------------------------------------------------------------------------------------------

def git(*args: str) -> str:
    out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RecordError(f"git {' '.join(args)} failed: {out.stderr.strip()}. A record needs a git checkout of the "
                          "course (its commit is part of the record).")
    return out.stdout


def changed_files() -> list[str]:
    """Tracked files with changes and untracked files that git does not ignore, except those a record writes."""
    lines = git("status", "--porcelain=v1", "--untracked-files=all").splitlines()
    paths = [line[3:].split(" -> ")[-1].strip('"') for line in lines if line.strip()]
    return [p for p in paths if not any(p == w or (w.endswith("/") and p.startswith(w)) for w in WRITTEN_BY_RECORD)]


def refusal(env: dict, changed: list[str]) -> str:
    """Why a record cannot be made in this environment from this tree (empty: it can)."""
    mode = env.get("AE_MODE", "full")
    if mode != "full":
        return (f"a record is a full-mode run, and AE_MODE={mode!r} is set: unset it (`env -u AE_MODE make record ...`) "
                "or set AE_MODE=full")
    fixed = [k for k in NOT_FULL if env.get(k)]
    if fixed:
        return (f"a record is the full run, and {', '.join(f'{k}={env[k]}' for k in fixed)} changes it: unset "
                f"{' and '.join(fixed)}")
    if changed:
        shown = "\n  ".join(changed[:20]) + ("\n  ..." if len(changed) > 20 else "")
        return (f"the working tree has changes, so the record's commit would not say what ran:\n  {shown}\n"
                "Commit them (or stash them: git stash -u) and run again. Changes in runs/, README.md and "
                "docs/results.md are allowed: a record writes them.")
    return ""


def java_version(java: str) -> str:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
        first = out.stderr.splitlines()[0].strip() if out.stderr else ""
        m = re.match(r'(\S+) version "([^"]+)"', first)   # 'openjdk version "17.0.15" 2025-04-15' -> openjdk 17.0.15
        return f"{m.group(1)} {m.group(2)}" if m else first
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine() -> dict:
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        mem = 0
    return {"cpu": bench.cpu_name(), "cores": os.cpu_count(), "memory_mb": mem,
            "os": f"{platform.system()} {platform.release()} {platform.machine()}"}


def kernel_facts() -> dict:
    """The kernel as installed (kernelspec 'java' on JUPYTER_PATH): its display name (kernel and its version, DL4J's
    version), which kernel setup chose, and the Java it runs on."""
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec("java")
    choice = ROOT / "target" / "kernel" / "choice"
    name = choice.read_text().strip() if choice.is_file() else ""
    if not name:
        name = "ijava" if "IJava" in spec.display_name else "rapaio" if "rapaio" in spec.display_name else "unknown"
    sys.path.insert(0, str(ROOT / "scripts"))
    import kernelspec   # the kernelspec starts the kernel launcher (Python): the JVM is the command after it
    return {"name": name, "display_name": spec.display_name, "java": java_version(kernelspec.java_argv(spec.argv)[0]),
            "threads": {k: v for k, v in spec.env.items() if k.endswith("_THREADS")}}


def load_average() -> float | None:
    """The machine's 1-minute load average (None where the OS has none): other work slows a run down."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def data_fetched(cache: Path) -> dict:
    """Files and bytes per data set in a download cache that started empty: what the run fetched."""
    sets: dict[str, dict] = {}
    if cache.is_dir():
        for f in sorted(p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(".")):
            rel = f.relative_to(cache)
            name = rel.parts[0] if len(rel.parts) > 1 else "."
            entry = sets.setdefault(name, {"files": 0, "bytes": 0})
            entry["files"] += 1
            entry["bytes"] += f.stat().st_size
    return sets


# Metrics that count the data a chapter trained and tested on (the first of each pair found is kept).
COUNT_KEYS = ("samples", "train_horses", "train_horses_available", "test_horses", "photos_train", "photos_val",
              "epochs", "epochs_final", "epochs_compare")


def data_counts(metrics: dict) -> dict:
    counts = {k: metrics[k] for k in COUNT_KEYS if isinstance(metrics.get(k), int)}
    knn = metrics.get("knn")
    if isinstance(knn, dict):
        counts.update({f"knn_{k}": knn[k] for k in ("reference", "queries") if isinstance(knn.get(k), int)})
    return counts


def full_mode_check(stem: str):
    """The chapter's check function from tests/test_notebooks.py (the same thresholds, full-mode goals included)."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    mode = os.environ.get("AE_MODE")
    import test_notebooks   # sets AE_MODE=fast when unset: put it back
    if mode is None:
        os.environ.pop("AE_MODE", None)
    check = test_notebooks.CHECKS.get(stem)
    if check is None:
        raise RecordError(f"tests/test_notebooks.py has no check function for {stem}: add one to CHECKS")
    return check


def goal_failure(stem: str, metrics: dict) -> str:
    """Why the metrics fail the chapter's checks (empty: they pass)."""
    try:
        full_mode_check(stem)(metrics)
    except AssertionError as e:
        return f"AssertionError: {e}".strip()
    except (KeyError, TypeError) as e:
        return f"{type(e).__name__}: {e} (a metric the check needs is missing or has the wrong type)"
    return ""


# --- writing ----------------------------------------------------------------------------------------------------

def write_atomically(files: dict[Path, str]) -> None:
    """Writes every file to a temporary name beside it first, then renames them into place: an interrupted write
    leaves the old files (a mismatch between the two renames is caught by tests/test_records.py)."""
    temps = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.part")
            tmp.write_text(text, encoding="utf-8")
            temps.append((tmp, path))
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


def sizes(paths: list[Path]) -> str:
    return ", ".join(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p} {p.stat().st_size / 1024:.0f} KB" for p in paths)


def record_one(notebook: Path, commit: str, runner, check_goals=goal_failure) -> tuple[bool, str]:
    """Runs one notebook in full mode and, if it ran cleanly and met its goals, replaces its record."""
    import nbformat
    stem = notebook.stem
    work = WORK / stem
    cache = work / "data"
    shutil.rmtree(work, ignore_errors=True)
    cache.mkdir(parents=True)
    mirror = os.environ.get("AE_DATA_MIRROR") or os.environ.get("AE_DATA") or str(ROOT / "data")
    saved = {k: os.environ.get(k) for k in ("AE_DATA", "AE_DATA_MIRROR", "AE_METRICS_DIR")}
    os.environ.update({"AE_MODE": "full", "AE_DATA": str(cache), "AE_DATA_MIRROR": mirror,
                       "AE_METRICS_DIR": str(work / "metrics")})
    runner.OUT = work            # the executed copy and the kernel log go to target/record/<stem>/
    recorded = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    load = load_average()   # before the kernel starts: what else the machine was doing
    try:
        result = runner.run(notebook)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    fetched = data_fetched(cache)
    shutil.rmtree(cache, ignore_errors=True)
    if not result.ok:
        return False, f"{stem}: the run failed, the record was not changed:\n{result.error}"
    metrics = result.metrics
    if metrics.get("mode") != "full":
        return False, f"{stem}: the notebook ran in {metrics.get('mode')!r} mode, not full; the record was not changed"
    source = json.loads(notebook.read_text())
    executed = nbformat.read(work / notebook.name, as_version=4)
    if code_sources(executed) != code_sources(source):
        return False, f"{stem}: the notebook changed while it ran; the record was not changed"
    run = {
        "notebook": stem,
        "recorded": recorded.isoformat().replace("+00:00", "Z"),
        "commit": commit,
        "mode": "full",
        "kernel": {**kernel_facts(), "reported": metrics.get("kernel")},
        "machine": machine(),
        "load_at_start": load,
        "environment": {k: os.environ[k] for k in NATIVE_ENV if k in os.environ},
        "data": {"fetched": fetched, "counts": data_counts(metrics), "mirror": bool(os.environ.get("AE_DATA_MIRROR"))},
        "wall_seconds": round(result.seconds, 1),
        "kernel_peak_rss_mb": metrics.get("kernel_peak_rss_mb"),
        "code_sha256": code_sha256(source),
        "metrics": metrics,
    }
    nb_path, json_path = record_paths(stem)
    nb_text, json_text = dumps(clean(executed, source, run)), json.dumps(run, indent=1, ensure_ascii=False) + "\n"
    problem = check_goals(stem, metrics)
    if problem:
        write_atomically({work / nb_path.name: nb_text, work / json_path.name: json_text})
        return False, (f"{stem}: the full run missed a goal of tests/test_notebooks.py, so the record was not changed "
                       f"(this run: {shown(work)}/):\n  {problem}")
    write_atomically({nb_path: nb_text, json_path: json_text})
    return True, f"{stem}: recorded in {result.seconds / 60:.1f} min: {sizes([nb_path, json_path])}"


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def rerender_markdown(runs: Path | None = None) -> list[str]:
    """Puts each notebook's markdown into its record (make record-markdown); returns what changed. Raises
    RecordError naming the records whose code is out of date."""
    changed, stale = [], []
    for stem in chapters():
        nb_path, json_path = record_paths(stem, runs)
        if not nb_path.is_file():
            continue
        record = json.loads(nb_path.read_text())
        notebook = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text())
        try:
            new = with_markdown(record, notebook)
        except RecordError as e:
            stale.append(f"{stem}: {e}; run `{command(stem)}`")
            continue
        if dumps(new) != nb_path.read_text():
            write_atomically({nb_path: dumps(new)})
            changed.append(stem)
    if stale:
        raise RecordError("records whose code is out of date (markdown not re-rendered there):\n  " + "\n  ".join(stale))
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("patterns", nargs="*", help="part of a notebook's file name (default: every chapter)")
    parser.add_argument("--markdown", action="store_true", help="re-render the notebooks' markdown into runs/ (no run)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "scripts"))
    import records_doc
    if args.markdown:
        try:
            changed = rerender_markdown()
        except RecordError as e:
            print(f"make record-markdown: {e}", file=sys.stderr)
            return 1
        print(f"records: markdown re-rendered in {', '.join(changed) or 'none (all current)'}")
        records_doc.main([])
        return 0

    try:
        why = refusal(dict(os.environ), changed_files())
    except RecordError as e:
        why = str(e)
    if why:
        print(f"make record: refused: {why}", file=sys.stderr)
        return 2
    import run_notebooks as runner
    notebooks = runner.find(args.patterns)
    commit = git("rev-parse", "HEAD").strip()
    os.environ["AE_MODE"] = "full"
    runner.use_project_kernelspec()
    print(f"Recording {', '.join(p.stem for p in notebooks)} in full mode at commit {commit[:12]}; "
          f"one at a time (keep the machine otherwise idle: the record keeps the wall time)", flush=True)
    native = {k: os.environ[k] for k in NATIVE_ENV[:3] if k in os.environ}
    if native:
        print(f"Note: {native} is set and steers native code; it is kept in the record "
              "(a user's machine does not set it)", flush=True)
    results = [record_one(nb, commit, runner) for nb in notebooks]
    print()
    for ok, message in results:
        print(("ok   " if ok else "FAIL ") + message)
    if any(ok for ok, _ in results):
        records_doc.main([])
    failed = sum(not ok for ok, _ in results)
    print(f"\nrecords: {len(results) - failed} made, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
