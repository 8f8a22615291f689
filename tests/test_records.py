"""The recorded runs (runs/, `make record`): every chapter has one, made from the notebook's current code, with its
markdown current, meeting the chapter's full-mode goals (the check functions of tests/test_notebooks.py, applied to
the recorded metrics: the branches CI's fast mode never reaches), clean (no churn, no duplicate pictures, nothing a
reader should not see), and the tables of README.md and docs/results.md are what the records give.

Below those, the machinery itself: scripts/record.py's refusals, cleaning, markdown re-rendering and atomic writes,
and scripts/records_doc.py's tables, on made-up notebooks and records."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import record
import records_doc
import run_notebooks

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "runs"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RECORDED = [p.stem for p in NOTEBOOKS if (RUNS / f"{p.stem}.json").is_file() or (RUNS / f"{p.stem}.ipynb").is_file()]
# A record's files stay small: the notebook with its figures, the run's JSON.
MAX_NOTEBOOK_BYTES = 3_000_000
MAX_JSON_BYTES = 200_000


def load(stem: str) -> tuple[dict, dict, dict]:
    """The record's notebook, its run JSON, and the notebook in notebooks/."""
    nb_path, json_path = record.record_paths(stem)
    missing = [p.name for p in (nb_path, json_path) if not p.is_file()]
    assert not missing, f"runs/ has half a record of {stem} (missing {missing}): run `{record.command(stem)}`"
    return (json.loads(nb_path.read_text()), json.loads(json_path.read_text()),
            json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text()))


# --- the records in runs/ --------------------------------------------------------------------------------------

def test_every_chapter_is_recorded():
    """Records are made last, on an idle machine, by `make record` (all chapters, one at a time); until then this
    test names what is missing. CI requires all of them."""
    missing = [p.stem for p in NOTEBOOKS if p.stem not in RECORDED]
    assert not missing, (f"chapters without a full-mode record in runs/: {', '.join(missing)}. Record them on an otherwise "
                         f"idle machine from a committed tree: " + "; ".join(f"`{record.command(s)}`" for s in missing)
                         + " (or `make record` for every chapter), then commit runs/, README.md and docs/results.md.")


@pytest.mark.parametrize("stem", RECORDED)
def test_the_record_ran_the_notebooks_current_code(stem):
    rec, _, notebook = load(stem)
    problems = record.code_differences(rec, notebook)
    assert not problems, (f"notebooks/{stem}.ipynb's code changed since its record was made ({'; '.join(problems[:5])}). "
                          f"Record it again: `{record.command(stem)}` (full mode, a few minutes to half an hour), "
                          "and commit runs/.")


@pytest.mark.parametrize("stem", RECORDED)
def test_the_records_markdown_is_the_notebooks(stem):
    rec, _, notebook = load(stem)
    if record.code_differences(rec, notebook):
        pytest.fail(f"the record's code is out of date (see the test above): `{record.command(stem)}`")
    expected = record.with_markdown(rec, notebook)
    assert record.dumps(expected) == record.dumps(rec), (
        f"the markdown of notebooks/{stem}.ipynb changed since runs/{stem}.ipynb was written: run `make record-markdown` "
        "(re-renders the notebooks' markdown into their records; no new run) and commit runs/.")


@pytest.mark.parametrize("stem", RECORDED)
def test_the_record_meets_the_chapters_full_mode_goals(stem):
    """tests/test_notebooks.py's check for the chapter, full-mode branch included, on the recorded metrics."""
    _, run, _ = load(stem)
    assert run["mode"] == "full" and run["metrics"]["mode"] == "full", "a record is a full-mode run"
    problem = record.goal_failure(stem, run["metrics"])
    assert not problem, (f"runs/{stem}.json misses a goal of tests/test_notebooks.py::{record.full_mode_check(stem).__name__}:"
                         f"\n  {problem}")


@pytest.mark.parametrize("stem", RECORDED)
def test_the_record_stayed_within_the_courses_memory(stem):
    """The full run's kernel peak within tests/test_notebooks.py's MEMORY_MB, the same check as every test run's."""
    import test_notebooks
    _, run, _ = load(stem)
    test_notebooks.check_memory(stem, {**run["metrics"], "kernel_peak_rss_mb": run["kernel_peak_rss_mb"]})


@pytest.mark.parametrize("stem", RECORDED)
def test_the_record_is_whole_and_clean(stem):
    rec, run, notebook = load(stem)
    nb_path, json_path = record.record_paths(stem)
    # the two files belong to one run
    assert rec["metadata"]["record"]["commit"] == run["commit"] and rec["metadata"]["record"]["recorded"] == run["recorded"], \
        f"runs/{stem}.ipynb and runs/{stem}.json come from different runs: `{record.command(stem)}`"
    assert run["code_sha256"] == record.code_sha256(rec)
    # what the JSON must say
    assert re.fullmatch(r"[0-9a-f]{40}", run["commit"]) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", run["recorded"])
    assert run["machine"]["cpu"] and run["machine"]["cores"] >= 1 and run["machine"]["memory_mb"] > 0
    assert run["kernel"]["name"] in ("rapaio", "ijava") and run["kernel"]["display_name"].startswith("Java ("), run["kernel"]
    # the JVM the kernel runs on, as `java -version` names it ("openjdk 17.0.15"), not the launcher in front of it
    assert re.fullmatch(r"\S+ 17[\d.+_-]*", run["kernel"]["java"]), run["kernel"]
    assert run["load_at_start"] is None or run["load_at_start"] >= 0
    assert run["wall_seconds"] > 0 and 0 < run["kernel_peak_rss_mb"] == run["metrics"]["kernel_peak_rss_mb"]
    assert isinstance(run["data"]["fetched"], dict) and run["data"]["counts"], run["data"]
    # what a reader sees: no stderr, no logger lines, no machine paths, pictures there
    assert not run_notebooks.output_problems(rec, run["metrics"])
    # no churn: no execution counts, no timing metadata; no picture twice (an HTML copy of a PNG)
    for n, cell in enumerate(rec["cells"]):
        assert "execution" not in cell["metadata"], f"cell {n}: nbclient's timestamps"
        if cell["cell_type"] == "code":
            assert cell["execution_count"] is None, f"cell {n}: an execution count"
            for out in cell["outputs"]:
                assert out.get("execution_count") is None and "transient" not in out
                data = out.get("data", {})
                if "image/png" in data:
                    assert "image/svg+xml" not in data and "data:image/png" not in record.text_of(data.get("text/html", "")), \
                        f"cell {n}: a picture twice"
    assert nb_path.read_text() == record.dumps(rec), "not written as record.py writes it (sorted keys, indent 1)"
    assert nb_path.stat().st_size <= MAX_NOTEBOOK_BYTES and json_path.stat().st_size <= MAX_JSON_BYTES, \
        f"{nb_path.stat().st_size:,} / {json_path.stat().st_size:,} bytes"


def test_the_generated_tables_are_the_records():
    stale = records_doc.differences()
    assert not stale, (f"the generated blocks of {', '.join(stale)} differ from what runs/ gives: run "
                       "`python scripts/records_doc.py` (make record and make record-markdown run it) and commit them")


def test_the_documents_link_each_recorded_chapter():
    readme = (ROOT / "README.md").read_text()
    for stem in RECORDED:
        n = stem[:2].lstrip("0")
        assert f"[read chapter {n} as it ran in full mode](runs/{stem}.ipynb)" in readme


def notebook_metrics(stem: str) -> set[str]:
    """The metric names a notebook saves (metrics.put("name", ...)), read from its code."""
    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
    code = "\n".join(record.code_sources(nb))
    return set(re.findall(r"metrics\.put\(\s*\"(\w+)\"", code))


def test_every_table_row_reads_metrics_its_notebook_saves():
    """A renamed metric breaks the tables only here, not when the lead records."""
    stems = [p.stem for p in NOTEBOOKS]
    assert records_doc.CHAPTERS == stems and set(records_doc.ROWS) == set(stems) == set(records_doc.HEADLINES)
    for stem in stems:
        saved = notebook_metrics(stem)
        assert saved, stem
        for row in [*records_doc.ROWS[stem], records_doc.HEADLINES[stem]]:
            assert set(row.needs) <= saved, (stem, row.number, sorted(set(row.needs) - saved))


# --- the machinery, on made-up notebooks -------------------------------------------------------------------------

def notebook(*cells: tuple[str, str]) -> dict:
    return {"cells": [{"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": src,
                       **({"execution_count": None, "outputs": []} if kind == "code" else {})}
                      for i, (kind, src) in enumerate(cells)],
            "metadata": {"kernelspec": {"display_name": "Java", "language": "java", "name": "java"}},
            "nbformat": 4, "nbformat_minor": 5}


PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def executed(source: dict, transient: bool = True) -> dict:
    nb = json.loads(json.dumps(source))
    nb["metadata"]["language_info"] = {"name": "java", "version": "17"}
    for k, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = k + 1
        cell["metadata"]["execution"] = {"iopub.execute_input": "2026-12-03T10:00:00Z"}
        cell["outputs"] = [
            {"output_type": "stream", "name": "stdout", "text": f"cell {k}\n"},
            {"output_type": "display_data", "metadata": {},
             "data": {"image/png": PNG, "text/html": f'<img src="data:image/png;base64,{PNG}">', "text/plain": "a chart"}},
            {"output_type": "execute_result", "execution_count": k + 1, "metadata": {},
             "data": {record.PLOTLY: {"data": [{"x": [1], "y": [2]}]}, "image/png": PNG, "text/plain": "chart"},
             **({"transient": {"display_id": "x"}} if transient else {})},
        ]
    return nb


RUN = {"notebook": "99-test", "commit": "0" * 40, "recorded": "2026-12-03T10:00:00Z",
       "kernel": {"display_name": "Java (rapaio 3.0.1, DL4J 1.0.0-M2.1)"}}


def test_cleaning_drops_churn_and_duplicates_and_keeps_the_figures():
    source = notebook(("markdown", "# Title"), ("code", "int a = 1;"), ("code", "show();"))
    clean = record.clean(executed(source), source, RUN)
    outs = [o for c in clean["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert all(c.get("execution_count") is None and "execution" not in c["metadata"] for c in clean["cells"] if c["cell_type"] == "code")
    assert all("transient" not in o and o.get("execution_count") is None for o in outs)
    pictures = [o for o in outs if o["output_type"] != "stream"]
    assert [sorted(o["data"]) for o in pictures] == [["image/png", "text/plain"], [record.PLOTLY, "image/png", "text/plain"]] * 2
    assert clean["metadata"]["record"]["commit"] == "0" * 40 and clean["metadata"]["language_info"]["version"] == "17"
    # cleaning twice changes nothing, and the text is stable
    assert record.dumps(record.clean(clean, source, RUN)) == record.dumps(clean)


def test_markdown_changes_are_re_rendered_and_code_changes_are_refused():
    source = notebook(("markdown", "# Title"), ("code", "int a = 1;"), ("markdown", "old text"), ("code", "show();"))
    rec = record.clean(executed(source), source, RUN)
    assert record.with_markdown(rec, source) == rec
    edited = json.loads(json.dumps(source))
    edited["cells"][2]["source"] = "new text"
    edited["cells"].insert(1, {"cell_type": "markdown", "id": "new", "metadata": {}, "source": "an added paragraph"})
    again = record.with_markdown(rec, edited)
    assert [record.text_of(c["source"]) for c in again["cells"]] == ["# Title", "an added paragraph", "int a = 1;", "new text", "show();"]
    assert [c.get("outputs") for c in again["cells"] if c["cell_type"] == "code"] == \
           [c["outputs"] for c in rec["cells"] if c["cell_type"] == "code"]
    changed = json.loads(json.dumps(source))
    changed["cells"][3]["source"] = "show(2);"
    assert record.code_differences(rec, changed) == ["code cell 2 differs (notebook: 'show(2);')"]
    with pytest.raises(record.RecordError, match="code cell 2 differs"):
        record.with_markdown(rec, changed)


def test_a_record_is_refused_in_fast_mode_with_fewer_epochs_or_from_a_changed_tree():
    assert "AE_MODE='fast'" in record.refusal({"AE_MODE": "fast"}, [])
    assert "AE_EPOCHS=3" in record.refusal({"AE_EPOCHS": "3"}, [])
    assert "AE_LIMIT=100" in record.refusal({"AE_MODE": "full", "AE_LIMIT": "100"}, [])
    assert "notebooks/01-iris.ipynb" in record.refusal({}, ["notebooks/01-iris.ipynb"])
    assert record.refusal({}, []) == "" and record.refusal({"AE_MODE": "full"}, []) == ""


def test_make_record_in_fast_mode_says_why_and_changes_nothing():
    before = {p: p.stat().st_mtime_ns for p in RUNS.glob("*")} if RUNS.is_dir() else {}
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "record.py"), "01-iris"], cwd=ROOT,
                         env={**os.environ, "AE_MODE": "fast"}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "refused: a record is a full-mode run, and AE_MODE='fast' is set" in out.stderr, out
    assert ({p: p.stat().st_mtime_ns for p in RUNS.glob("*")} if RUNS.is_dir() else {}) == before


def test_changed_files_ignores_what_a_record_writes(monkeypatch):
    status = " M README.md\n M docs/results.md\n?? runs/01-iris.json\n M notebooks/01-iris.ipynb\n?? scripts/new.py\n"
    monkeypatch.setattr(record, "git", lambda *a: status)
    assert record.changed_files() == ["notebooks/01-iris.ipynb", "scripts/new.py"]


def test_atomic_writes_leave_the_old_files_when_one_fails(tmp_path):
    a, b = tmp_path / "a.ipynb", tmp_path / "b.json"
    a.write_text("old a")
    b.write_text("old b")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError):
        record.write_atomically({a: "new a", blocker / "c": "cannot be written"})
    assert a.read_text() == "old a" and b.read_text() == "old b"
    assert not list(tmp_path.glob(".*.part"))
    record.write_atomically({a: "new a", b: "new b"})
    assert (a.read_text(), b.read_text()) == ("new a", "new b")


class FakeRunner:
    """run_notebooks as record_one uses it, without a kernel: writes the executed copy and returns a Result."""
    OUT = None

    def __init__(self, ok=True, mode="full"):
        self.ok, self.mode = ok, mode

    def run(self, nb_path):
        source = json.loads(nb_path.read_text())
        (self.OUT / nb_path.name).write_text(json.dumps(executed(source, transient=False)))
        metrics = {"notebook": nb_path.stem, "mode": self.mode, "samples": 150, "epochs": 3, "kernel": "rapaio",
                   "kernel_peak_rss_mb": 512.0}
        return run_notebooks.Result(nb_path, self.ok, 12.5, "" if self.ok else "cell 2 failed", metrics if self.ok else None)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """record.py writing into tmp_path/runs and tmp_path/work, one made-up chapter in tmp_path/notebooks."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nb = nbdir / "99-test.ipynb"
    nb.write_text(json.dumps(notebook(("markdown", "# Test"), ("code", "int a = 1;"))))
    monkeypatch.setattr(record, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(record, "WORK", tmp_path / "work")
    monkeypatch.setattr(record, "kernel_facts", lambda: {"name": "rapaio", "display_name": RUN["kernel"]["display_name"],
                                                         "java": "openjdk 17", "threads": {}})
    for key in ("AE_DATA", "AE_METRICS_DIR"):
        monkeypatch.setenv(key, os.environ.get(key, ""))   # restored after the test, whatever record_one sets
    monkeypatch.setenv("AE_MODE", "full")
    return nb


def test_a_run_that_fails_or_misses_a_goal_leaves_the_previous_record(sandbox, tmp_path):
    runs = tmp_path / "runs"
    ok, message = record.record_one(sandbox, "1" * 40, FakeRunner(), check_goals=lambda stem, m: "")
    assert ok, message
    first = {p.name: p.read_text() for p in runs.iterdir()}
    assert sorted(first) == ["99-test.ipynb", "99-test.json"]
    run = json.loads(first["99-test.json"])
    assert run["commit"] == "1" * 40 and run["wall_seconds"] == 12.5 and run["kernel_peak_rss_mb"] == 512.0
    assert run["data"]["counts"] == {"samples": 150, "epochs": 3} and run["code_sha256"] == record.code_sha256(json.loads(sandbox.read_text()))
    assert json.loads(first["99-test.ipynb"])["metadata"]["record"]["recorded"] == run["recorded"]

    ok, message = record.record_one(sandbox, "2" * 40, FakeRunner(ok=False), check_goals=lambda stem, m: "")
    assert not ok and "the run failed, the record was not changed" in message and "cell 2 failed" in message
    ok, message = record.record_one(sandbox, "2" * 40, FakeRunner(mode="fast"), check_goals=lambda stem, m: "")
    assert not ok and "'fast' mode" in message
    ok, message = record.record_one(sandbox, "2" * 40, FakeRunner(), check_goals=lambda stem, m: "AssertionError: rmse 0.5")
    assert not ok and "missed a goal" in message and "rmse 0.5" in message
    assert {p.name: p.read_text() for p in runs.iterdir()} == first
    assert (tmp_path / "work" / "99-test" / "99-test.json").is_file(), "the failing run is kept to look at"


def test_the_goals_are_test_notebooks_own_checks():
    """The checks come from tests/test_notebooks.py (no copied thresholds); a made-up miss is caught."""
    import test_notebooks
    assert record.full_mode_check("01-iris") is test_notebooks.check_01_iris
    for stem in RECORDED:
        _, run, _ = load(stem)
        broken = json.loads(json.dumps(run["metrics"]))
        if stem == "01-iris":
            broken["rmse"] = broken["restored_rmse"] = broken["loss_curve"][-1] = 1.2 * broken["pca1_rmse"]
            assert "AssertionError" in record.goal_failure(stem, broken)
        broken.pop("mode")
        assert record.goal_failure(stem, broken).startswith("KeyError")


# --- the tables ----------------------------------------------------------------------------------------------------

def made_up_run(stem: str, metrics: dict) -> dict:
    return {"notebook": stem, "recorded": "2026-12-03T10:00:00Z", "commit": "a" * 40, "mode": "full",
            "kernel": {"name": "ijava", "display_name": "Java (IJava 1.3.0, DL4J 1.0.0-M2.1)", "java": "openjdk 17"},
            "machine": {"cpu": "Some CPU", "cores": 2, "memory_mb": 24000, "os": "Linux 6 x86_64"},
            "environment": {}, "data": {"fetched": {"mnist": {"files": 4, "bytes": 11_594_722}}, "counts": {"samples": 1}},
            "wall_seconds": 1944.4, "kernel_peak_rss_mb": 2000.0, "load_at_start": 0.1, "metrics": metrics}


def test_tables_show_a_records_numbers_and_name_the_command_for_a_missing_one():
    m = {"val_bce": 0.09121, "psnr_noisy_db": 9.384, "psnr_denoised_db": 20.254}
    old = "\n".join(f"| {i} | nb {i} | teaches {i} | source {i} | 3 min | old | old | old |" for i in range(1, 6))
    block = records_doc.readme_block({"04-mnist-denoising": made_up_run("04-mnist-denoising", m)}, old)
    row = next(line for line in block.splitlines() if line.startswith("| 4 |"))
    assert row == ("| 4 | nb 4 | teaches 4 | source 4 | 32 min | 12 MB (mnist: 4 files) | 1.95 GB | val BCE 0.0912; PSNR 9.4 → "
                   "20.3 dB: [read chapter 4 as it ran in full mode](runs/04-mnist-denoising.ipynb) |")
    assert "| 1 | nb 1 | teaches 1 | source 1 | not recorded yet: `make record NB=01-iris` |" in block
    assert ("chapter 4 on 2026-12-03 (IJava 1.3.0). Chapter 4: Some CPU, 2 cores, 23 GB, Linux 6 x86_64, openjdk 17."
            in block)
    busy = made_up_run("04-mnist-denoising", m)
    busy["load_at_start"] = 3.2
    assert "(IJava 1.3.0; the machine was busy, load average 3.2 at the start: slower than alone)" in \
        records_doc.readme_block({"04-mnist-denoising": busy}, old)
    # the hand-written cells are kept as they are, and a chapter without a row is refused
    assert records_doc.readme_block({}, block) == records_doc.readme_block({}, old)
    with pytest.raises(SystemExit, match="no row for chapter 5"):
        records_doc.readme_block({}, old.rsplit("\n", 1)[0])
    # a record made from the course's CIFAR-10 subset says so
    run = made_up_run("02-cifar-horses", {})
    run["data"]["fetched"] = {"cifar-10-subset": {"files": 2, "bytes": 15_365_000}}
    assert "Chapter 2's data: cifar-10-subset is the course's CIFAR-10 subset" in records_doc.data_notes({"02-cifar-horses": run})


def test_a_document_without_its_markers_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="needs each of these markers once"):
        records_doc.replace_block("no markers here", records_doc.README_MARKERS, "x", "README.md")
    text = f"before\n{records_doc.README_MARKERS[0]}\nold\n{records_doc.README_MARKERS[1]}\nafter\n"
    assert records_doc.replace_block(text, records_doc.README_MARKERS, "\nnew\n", "README.md") == \
        f"before\n{records_doc.README_MARKERS[0]}\nnew\n{records_doc.README_MARKERS[1]}\nafter\n"


def test_a_changed_block_is_found(tmp_path, monkeypatch):
    for name in ("README.md", "docs/results.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    text = (tmp_path / "README.md").read_text()
    (tmp_path / "README.md").write_text(text.replace("not recorded yet", "31 min", 1) if "not recorded yet" in text
                                        else re.sub(r"\d+(\.\d)? min", "31 min", text, count=1))
    assert "README.md" in records_doc.differences(tmp_path)


def test_make_record_markdown_rewrites_only_the_markdown_and_names_stale_records(tmp_path, monkeypatch):
    nbdir, runs = tmp_path / "notebooks", tmp_path / "runs"
    nbdir.mkdir()
    runs.mkdir()
    source = notebook(("markdown", "# Old title"), ("code", "int a = 1;"))
    (nbdir / "99-test.ipynb").write_text(json.dumps(source))
    rec = record.clean(executed(source, transient=False), source, RUN)
    (runs / "99-test.ipynb").write_text(record.dumps(rec))
    monkeypatch.setattr(record, "NOTEBOOKS", nbdir)
    assert record.rerender_markdown(runs) == []          # current: nothing to do
    source["cells"][0]["source"] = "# New title"
    (nbdir / "99-test.ipynb").write_text(json.dumps(source))
    assert record.rerender_markdown(runs) == ["99-test"]
    again = json.loads((runs / "99-test.ipynb").read_text())
    assert record.text_of(again["cells"][0]["source"]) == "# New title"
    assert again["cells"][1]["outputs"] == json.loads(record.dumps(rec))["cells"][1]["outputs"]
    assert record.rerender_markdown(runs) == []          # idempotent
    source["cells"][1]["source"] = "int a = 2;"
    (nbdir / "99-test.ipynb").write_text(json.dumps(source))
    with pytest.raises(record.RecordError, match=r"99-test: .*code cell 1 differs.*run `make record NB=99-test`"):
        record.rerender_markdown(runs)
