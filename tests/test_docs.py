"""The documents: the performance page keeps the benchmark's own format, the README stays a front page without
machine paths, and every link between the documents leads somewhere."""
from __future__ import annotations

import datetime
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402
import performance_doc  # noqa: E402

DOCS = [ROOT / "README.md", ROOT / "TROUBLESHOOTING.md", ROOT / "CONTRIBUTING.md", ROOT / "LICENSE-TEXT.md", *sorted((ROOT / "docs").glob("*.md"))]
# Written in parallel by other branches; a link to one of these may lead nowhere only while the file does not exist.
PENDING: set[str] = set()


def summary(cpu: str = "Some CPU") -> dict:
    row = {"model": "fashion-conv", "dl4j": {"chapter": "03", "batch": 256, "seconds_per_epoch": 39.8, "gflops": 6.8,
                                            "percent_of_sgemm_peak": 7.6, "peak_rss_mb": 1095.0}}
    keras = {**row, "model": "kittens", "keras": {"seconds_per_epoch": 33.8, "gflops": 78.2, "peak_rss_mb": 2488.0},
             "ratio_dl4j_over_keras": 1.19}
    return {"machine": {"cpu": cpu, "cores": 2, "memory_mb": 24000, "java": "openjdk 17"},
            "onednn_peak_gflops": 420.0, "sgemm_peak_gflops": 89.0, "sgemm_peak_gflops_all_cores": 130.0, "dl4j_threads": "2", "blas_threads": "1",
            "jvm_flags": ["-Xmx512m", f"-XX:SharedArchiveFile={bench.ROOT}/target/kernel/rapaio.jsa"],
            "bench_seconds": 20.0, "kernel_start_seconds": [2.9, 2.2, 2.3, 2.2], "kernel_start_warm_median_seconds": 2.2,
            "models": [row, keras] + [{**row, "model": m} for m in bench.MODELS if m not in ("fashion-conv", "kittens")]}


def test_the_committed_performance_page_has_the_bench_format():
    problems = performance_doc.check((ROOT / "docs" / "performance.md").read_text())
    assert not problems, problems


def test_a_bench_summary_renders_into_the_page_and_passes_the_check():
    doc = (ROOT / "docs" / "performance.md").read_text()
    md = bench.markdown(summary(performance_doc.cpu_of(performance_doc.block(doc))))   # the reference machine's CPU
    assert str(bench.ROOT) not in md, "the summary shows the machine's project path"
    new = performance_doc.render(md, doc, datetime.date(2030, 1, 2))
    assert performance_doc.check(new) == []
    assert "Measured by `make bench` on 2030-01-02" in new and "| kittens (03) | 256 | 39.8 | 33.8 | 1.19 |" in new
    assert new.split(performance_doc.START)[0] == doc.split(performance_doc.START)[0]  # the narrative stays
    assert new.split(performance_doc.END)[1] == doc.split(performance_doc.END)[1]
    broken = new.replace("| 39.8 |", "| fast |", 1)
    assert any("row not in bench.py's format" in p for p in performance_doc.check(broken))
    # a partial run (BENCH_MODELS=...) is no table to publish, even when performance_doc.py is run by hand
    partial = summary(performance_doc.cpu_of(performance_doc.block(doc)))
    partial["models"] = partial["models"][:2]
    problems = performance_doc.check(performance_doc.render(bench.markdown(partial), doc, datetime.date(2030, 1, 2)))
    assert problems == ["no row for " + ", ".join(m for m in bench.MODELS if m not in ("fashion-conv", "kittens")) + ": a partial run"]


def test_a_run_on_another_cpu_gets_a_block_of_its_own():
    doc = (ROOT / "docs" / "performance.md").read_text()
    other = performance_doc.render(bench.markdown(summary("Intel Xeon Test 1234")), doc, datetime.date(2030, 1, 2))
    assert performance_doc.block(other) == performance_doc.block(doc)   # the reference machine's table stays
    assert list(performance_doc.cpu_blocks(other)) == [*performance_doc.cpu_blocks(doc), "Intel Xeon Test 1234"]
    assert performance_doc.check(other) == []
    again = performance_doc.render(bench.markdown(summary("Intel Xeon Test 1234")), other, datetime.date(2030, 1, 3))
    assert again.count("<!-- bench summary for Intel Xeon Test 1234:") == 1 and "on 2030-01-03" in again
    assert "Native code: " in performance_doc.cpu_blocks(other)["Intel Xeon Test 1234"]


def test_the_readme_is_a_front_page_without_machine_paths():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    assert not re.search(r"(?<![\w.~])/(?:work|home|root|Users|tmp)/", text), "an absolute path of a machine"
    assert "probe" not in text
    for chapter in ("01-iris", "02-cifar-horses", "03-fashion-mnist", "04-mnist-denoising", "05-kittens"):
        assert f"notebooks/{chapter}.ipynb" in text


def test_links_between_the_documents_lead_somewhere():
    missing = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # web links
            path = (doc.parent / target).resolve()
            name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
            if not path.exists() and name not in PENDING:
                missing.append(f"{doc.relative_to(ROOT)} → {target}")
    assert not missing, missing


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_anchors_in_links_exist():
    missing = []
    for doc in DOCS:
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", doc.read_text()):
            path = (doc.parent / target).resolve() if target else doc
            if not path.exists() or path.suffix != ".md":
                continue
            anchors = {slug(h) for h in re.findall(r"^#+ (.+)$", path.read_text(), re.M)}
            if anchor not in anchors:
                missing.append(f"{doc.relative_to(ROOT)} → {target}#{anchor}")
    assert not missing, missing


# Variables the code reads that are not the reader's settings: set by the kernelspec or by our own scripts.
INTERNAL = {"JUPYTER_PATH", "TF_CPP_MIN_LOG_LEVEL", "PYTHONPATH", "JAVA_MAJOR", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",  # conda sets these two
            "XDG_CACHE_HOME"}  # where numerics.py keeps verdicts when the project cannot be written


def settings_read_by_the_code() -> set[str]:
    names = set()
    for path in [*(ROOT / "scripts").glob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "bench").glob("*.py")]:
        names |= set(re.findall(r"environ(?:\.get|\.setdefault)?[(\[]\s*[\"']([A-Z][A-Z0-9_]+)[\"']", path.read_text()))
    java = (ROOT / "lib" / "src" / "main" / "java" / "ae" / "Settings.java").read_text()
    names |= set(re.findall(r"(?:get|positiveInt)\(\"([A-Z][A-Z0-9_]+)\"", java))
    for path in [*(ROOT / "scripts").glob("*.sh")]:
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):[-=]", path.read_text()))
    names |= set(re.findall(r"^([A-Z][A-Z0-9_]+) \?=", (ROOT / "Makefile").read_text(), re.M))
    return names - INTERNAL


def test_every_setting_the_code_reads_is_in_the_readme_table():
    text = (ROOT / "README.md").read_text()
    table = [line for line in text.split("## Settings", 1)[1].split("\n## ", 1)[0].splitlines() if line.startswith("| `")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(line.split("|")[1] for line in table)))
    found = settings_read_by_the_code()
    assert {"AE_MODE", "KERNEL", "BENCH_SECONDS", "LAB_PORT", "ONEDNN"} <= found  # the search itself works
    assert not found - documented, f"settings read by the code but not in the README's table: {sorted(found - documented)}"


import repo_links  # noqa: E402


def test_the_repository_links_are_generated_from_citation_cff():
    """One home for the repository's URL: CITATION.cff's repository-code. The README's clone line and Binder links and
    docs/container.md's are generated from it (python3 scripts/repo_links.py), and no other copy of it exists."""
    url = repo_links.repository()
    assert url.startswith("https://github.com/")
    assert repo_links.main(["--check"]) == 0, "run python3 scripts/repo_links.py"
    for name, blocks in repo_links.FILES.items():
        text = (ROOT / name).read_text()
        assert repo_links.found(text) == blocks
        outside = repo_links.BLOCK.sub("", text)
        assert url.removeprefix("https://") not in outside and "OWNER/REPO" not in outside and "<this repository>" not in outside
    readme = (ROOT / "README.md").read_text()
    assert f"git clone {url}.git" in readme and repo_links.binder(url) in readme and "**in fast mode**" in readme
    # a fork changes the one line: every link follows
    fork = repo_links.repository((ROOT / "CITATION.cff").read_text().replace(url, "https://github.com/someone/ae-fork"))
    forked = repo_links.render(readme, fork)
    assert "github.com/someone/ae-fork.git" in forked and "v2/gh/someone/ae-fork/HEAD" in forked and url not in forked
    try:
        repo_links.repository("repository-code: https://gitlab.com/a/b\n")
        raise AssertionError("a non-GitHub URL was taken")
    except SystemExit as e:
        assert "https://github.com/OWNER/REPO" in str(e)


# CFF 1.2.0's reference types (schema.json, definitions.reference.type).
CFF_TYPES = set("""art article audiovisual bill blog book catalogue conference conference-paper data database dictionary
edited-work encyclopedia film-broadcast generic government-document grant hearing historical-work legal-case legal-rule
magazine-article manual map multimedia music newspaper-article pamphlet patent personal-communication proceedings report
serial slides software software-code software-container software-executable software-virtual-machine sound-recording
standard statute thesis unpublished video website""".split())


def test_citation_cff_uses_cff_1_2_types():
    text = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^type: (software|dataset)$", text, re.M)
    types = re.findall(r"^  - type: (\S+)$", text, re.M)
    assert types and not set(types) - CFF_TYPES, sorted(set(types) - CFF_TYPES)


def test_numbers_that_drifted_before():
    """Facts stated in one place and linked from the others: the kitten checksums (all 8,192), the disk figures (the
    README's Requirements), the kernel's real memory caps, what `make test` needs, the add-a-chapter checklist."""
    photos = len((ROOT / "lib" / "src" / "main" / "resources" / "ae" / "data" / "kittens.sha256").read_text().split("\n")) - 1
    data_readme = (ROOT / "data" / "README.md").read_text()
    assert f"all {photos:,} photos" in data_readme and f"cat.{photos - 1}.jpg" in data_readme
    docs = {p: p.read_text() for p in DOCS + [ROOT / "data" / "README.md"]}
    for path, text in docs.items():
        assert "first 2,000 only" not in text and "capped at 2 GB" not in text, path
        if path.name != "README.md" or path.parent != ROOT:   # disk sizes: the README's Requirements only (the image's
            prose = "\n".join(line for line in text.splitlines() if not line.startswith("| of which"))   # own make-up aside)
            assert not re.search(r"~/\.(m2|javacpp)`?[^.\n]{0,20}\d+(\.\d+)? ?[MG]B", prose), path
    readme = docs[ROOT / "README.md"]
    requirements = readme.split("## Requirements", 1)[1].split("\n## ", 1)[0]
    for needed in ("Chromium", "Node.js", "playwright-core", "shellcheck", "`~/.m2`", "`~/.javacpp`", "`data/`"):
        assert needed in requirements, needed
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    for needed in ("`scripts/bench.py`'s `MODELS`", "`EXPECTED_PARAMS`", "`Datasets.all()`"):
        assert needed in contributing, needed


def test_the_workshop_table_of_fast_mode_times_is_generated_from_runs_fast_mode_json():
    """docs/workshop.md's fast-mode times are runs/fast-mode.json's (scripts/fast_needs.py writes both): the block is
    what the file renders to, each chapter's one-core time and peak are in it, and a text without markers is refused."""
    import json

    import fast_needs
    data = json.loads((ROOT / "runs" / "fast-mode.json").read_text())
    doc = (ROOT / "docs" / "workshop.md").read_text()
    assert fast_needs.render_workshop(doc, data) == doc, "docs/workshop.md's table is stale: run python3 scripts/fast_needs.py"
    block = doc.split(fast_needs.START)[1].split(fast_needs.END)[0]
    for stem, entry in data["chapters"].items():
        one = entry["measured"][fast_needs.ONE_CORE]
        assert f"{fast_needs.minutes(one['kernel_cpu_seconds'])}, {one['kernel_peak_rss_mb']:,} MB" in block, stem
    changed = json.loads(json.dumps(data))
    changed["chapters"]["01-iris"]["measured"][fast_needs.ONE_CORE]["kernel_cpu_seconds"] = 999
    assert "17 min" in fast_needs.render_workshop(doc, changed).split(fast_needs.END)[0]
    try:
        fast_needs.render_workshop("no markers here", data)
    except ValueError as e:
        assert "docs/workshop.md needs one block" in str(e)
    else:
        raise AssertionError("a text without the markers was filled in")


def test_the_container_page_s_measurements_are_generated_from_runs_image_test_json(tmp_path):
    """docs/container.md's table is runs/image-test.json's (scripts/image_doc.py record writes both, from a complete
    image test with a fresh build); image_doc.py's report reads what scripts/image_test.sh leaves, and a run that is
    not complete is refused."""
    import argparse
    import json

    import image_doc
    record = json.loads((ROOT / "runs" / "image-test.json").read_text())
    assert image_doc.problems(record) == [], image_doc.problems(record)
    doc = (ROOT / "docs" / "container.md").read_text()
    assert image_doc.render(doc, record) == doc, "docs/container.md's table is stale: run python3 scripts/image_doc.py record"
    block = doc.split(image_doc.START)[1].split(image_doc.END)[0]
    assert f"**{record['image']['size_mb']:,.0f} MB**" in block
    for n in record["notebooks"]:
        assert f"| {n['notebook']} | {n['cpu_s']:.0f} s |" in block

    # what scripts/image_test.sh leaves in target/image/ becomes the report
    (tmp_path / "sizes.tsv").write_text("260\t/usr/lib/jvm/java-17\n261\t.venv\n274\tlib/target\n445\t.javacpp\n30\ttarget/kernel\n")
    stems = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    (tmp_path / "notebooks.tsv").write_text("".join(f"{s}\tok\t50\t51\t600\t650\n" for s in stems))
    (tmp_path / "lab.tsv").write_text("image CMD\tserver 84 MB, kernel 248 MB\t270\n")
    args = argparse.Namespace(engine="podman version 4.3.1", build_s="150", size_mb="1609", offline_s="70", offline_mb="1874",
                              seconds="540", notebook_filter="", load=["0.5 0.4 0.3", "1.0 0.8 0.5"])
    os.environ["AE_IMAGE_FRESH"] = "1"
    try:
        r = image_doc.report(tmp_path, args)
    finally:
        del os.environ["AE_IMAGE_FRESH"]
    assert r["image"]["parts_mb"] == {"jdk": 260, "venv": 261, "lib": 274, "javacpp": 445, "kernel": 30}
    assert r["lab"] == [{"started_by": "image CMD", "server_peak_mb": 84, "kernel_peak_mb": 248, "container_peak_mb": 270}]
    assert image_doc.problems(r) == []
    assert "| image size | **1,609 MB** |" in image_doc.block(r) and "9.0 min" in image_doc.block(r)
    # refused: a partial run, a failed notebook, a cached build
    assert any("NB=03" in p for p in image_doc.problems({**r, "notebook_filter": "03"}))
    failed = {**r, "notebooks": [{**r["notebooks"][0], "result": "FAILED"}] + r["notebooks"][1:]}
    assert any("FAILED" in p for p in image_doc.problems(failed))
    assert any("cached layers" in p for p in image_doc.problems({**r, "fresh_build": False}))


def test_every_published_bench_run_is_kept_and_listed(tmp_path):
    """runs/bench/ keeps each published run (in bench.py's format) and docs/performance.md's history block is what
    they render to; a second run on one day is kept beside the first, not over it."""
    runs = sorted((ROOT / "runs" / "bench").glob("*.md"))
    assert runs, "no published bench run in runs/bench/"
    for run in runs:   # each with a row for every model (the earliest runs had fewer lines above the table)
        assert sorted(performance_doc.rows_of(run.read_text())) == sorted(bench.MODELS), run.name
    doc = (ROOT / "docs" / "performance.md").read_text()
    assert performance_doc.render_history(doc) == doc, "the history block is stale: run scripts/performance_doc.py"
    # the block above the history is the newest kept run's table
    newest = max(runs, key=lambda p: (p.stem[:10], int(p.stem[11:] or 1)))
    assert performance_doc.rows_of(newest.read_text()) == performance_doc.rows_of(performance_doc.block(doc))
    text = bench.markdown(summary())
    first = performance_doc.keep(text, datetime.date(2030, 1, 2), tmp_path)
    second = performance_doc.keep(text, datetime.date(2030, 1, 2), tmp_path)
    assert (first.name, second.name) == ("2030-01-02.md", "2030-01-02-2.md") and first.read_text() == second.read_text()
    table = performance_doc.history(tmp_path)
    assert table.count("| [2030-01-02") == 2 and "39.8 / 33.8 (1.19)" in table


def test_the_container_page_s_full_mode_block_is_generated_from_runs_image_full_mode_json():
    """Full mode at Binder's limits (scripts/image_full.py): docs/container.md's block is runs/image-full-mode.json's,
    every chapter is in it, and each row says passed or why not."""
    import json

    import image_doc
    record = json.loads((ROOT / "runs" / "image-full-mode.json").read_text())
    assert set(record["chapters"]) == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}, sorted(record["chapters"])
    doc = (ROOT / "docs" / "container.md").read_text()
    assert image_doc.render_full(doc, record) == doc, "docs/container.md's full-mode block is stale: run scripts/image_full.py"
    block = doc.split(image_doc.FULL_START)[1].split(image_doc.FULL_END)[0]
    for stem, c in record["chapters"].items():
        assert c["result"] in ("passed", "failed") and (c["result"] == "passed" or c["why"]), c
        assert f"| {stem} | {'passed its checks' if c['result'] == 'passed' else 'failed: '}" in block, stem
