"""The documents: the performance page keeps the benchmark's own format, the README stays a front page without
machine paths, and every link between the documents leads somewhere."""
from __future__ import annotations

import datetime
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


def summary() -> dict:
    row = {"model": "fashion-conv", "dl4j": {"chapter": "03", "batch": 256, "seconds_per_epoch": 39.8, "gflops": 6.8,
                                            "percent_of_sgemm_peak": 7.6, "peak_rss_mb": 1095.0}}
    keras = {**row, "model": "kittens", "keras": {"seconds_per_epoch": 33.8, "gflops": 78.2, "peak_rss_mb": 2488.0},
             "ratio_dl4j_over_keras": 1.19}
    return {"machine": {"cpu": "Some CPU", "cores": 2, "memory_mb": 24000, "java": "openjdk 17"},
            "onednn_peak_gflops": 420.0, "sgemm_peak_gflops": 89.0, "sgemm_peak_gflops_all_cores": 130.0, "dl4j_threads": "2", "blas_threads": "1",
            "jvm_flags": ["-Xmx512m", f"-XX:SharedArchiveFile={bench.ROOT}/target/kernel/rapaio.jsa"],
            "bench_seconds": 20.0, "kernel_start_seconds": [2.9, 2.2, 2.3, 2.2], "kernel_start_warm_median_seconds": 2.2,
            "models": [row, keras]}


def test_the_committed_performance_page_has_the_bench_format():
    problems = performance_doc.check((ROOT / "docs" / "performance.md").read_text())
    assert not problems, problems


def test_a_bench_summary_renders_into_the_page_and_passes_the_check():
    doc = (ROOT / "docs" / "performance.md").read_text()
    md = bench.markdown(summary())
    assert str(bench.ROOT) not in md, "the summary shows the machine's project path"
    new = performance_doc.render(md, doc, datetime.date(2030, 1, 2))
    assert performance_doc.check(new) == []
    assert "Measured by `make bench` on 2030-01-02" in new and "| kittens (03) | 256 | 39.8 | 33.8 | 1.19 |" in new
    assert new.split(performance_doc.START)[0] == doc.split(performance_doc.START)[0]  # the narrative stays
    assert new.split(performance_doc.END)[1] == doc.split(performance_doc.END)[1]
    broken = new.replace("| 39.8 |", "| fast |", 1)
    assert any("row not in bench.py's format" in p for p in performance_doc.check(broken))


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
INTERNAL = {"JUPYTER_PATH", "TF_CPP_MIN_LOG_LEVEL", "PYTHONPATH", "JAVA_MAJOR", "CONDA_PREFIX", "CONDA_DEFAULT_ENV"}  # conda sets the last two


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
