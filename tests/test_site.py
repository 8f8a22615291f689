"""`make site` (scripts/build_site.py): the recorded runs as static HTML that needs no network. Built here into a
temporary folder from runs/; the real-browser test (tests/test_browser.py) opens it in Chromium offline. Here: every
page a link leads to exists, no script, style sheet or picture comes from another host (no CDN: not nbconvert's
require.js, MathJax or mermaid), plotly.js is shipped, each chapter page holds every figure of its record, and every
formula of every notebook is drawn as MathML."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import build_site
import mathml
import records_doc

ROOT = Path(__file__).resolve().parent.parent
RECORDED = sorted(records_doc.load())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site.build(out)
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_the_site_has_an_index_every_recorded_chapter_and_its_documents(site):
    assert RECORDED, "no recorded run in runs/: the site would have no chapter (make record NB=01-iris)"
    names = {str(p.relative_to(site)) for p in pages(site)}
    assert {"index.html", "README.html", "docs/results.html", "docs/performance.html"} <= names
    assert {f"runs/{stem}.html" for stem in RECORDED} <= names
    index = (site / "index.html").read_text()
    for section in ("chapters", "results", "performance", "how-to-run"):
        assert f'id="{section}"' in index
    for stem in records_doc.CHAPTERS:
        assert (f'href="runs/{stem}.html"' in index) == (stem in RECORDED)
        assert (f"{stem}: not recorded yet" in index) == (stem not in RECORDED)
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000


def test_nothing_is_loaded_from_another_host(site):
    """No <script src>, <link href>, <img src>, CSS url() or @import that leaves the site; no CDN named at all."""
    for page in [*pages(site), *site.rglob("*.css"), site / "assets" / "figures.js"]:
        text = page.read_text()
        for tag, attr, value in re.findall(r"<(script|link|img|iframe|source|video|audio)\b[^>]*?\b(src|href)=[\"']([^\"']*)", text):
            assert not re.match(r"(?i)(https?:)?//", value), f"{page.relative_to(site)}: <{tag} {attr}={value}>"
        for value in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text):
            assert value.startswith(("data:", "#")) or not re.match(r"(?i)(https?:)?//", value), f"{page.name}: url({value})"
        for cdn in ("cdnjs", "cdn.jsdelivr", "unpkg.com", "cdn.plot.ly", "require.js", "MathJax.js", "mermaid"):
            assert cdn not in text, f"{page.relative_to(site)} names {cdn}"


def test_every_local_link_and_picture_is_in_the_site(site):
    missing = []
    for page in pages(site):
        text = page.read_text()
        for value in re.findall(r"<(?:a|img|script|link)\b[^>]*?\b(?:href|src)=\"([^\"]*)\"", text):
            if re.match(r"^[a-z][a-z0-9+.-]*:|^#", value, re.I):
                continue
            target = (page.parent / value.split("#")[0]).resolve()
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                missing.append(f"{page.relative_to(site)} → {value}")
        assert "data-link-dropped" not in text, f"{page.relative_to(site)}: a link was dropped"
    assert not missing, missing


@pytest.mark.parametrize("stem", RECORDED)
def test_a_chapter_page_holds_every_figure_and_formula_of_its_record(site, stem):
    record = json.loads((ROOT / "runs" / f"{stem}.ipynb").read_text())
    outputs = [o for c in record["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    plots = sum(build_site.PLOTLY in o.get("data", {}) for o in outputs)
    pictures = sum("image/png" in o.get("data", {}) and build_site.PLOTLY not in o["data"] for o in outputs)
    text = (site / "runs" / f"{stem}.html").read_text()
    assert text.count('class="ae-plotly"') == plots and len(re.findall(r'<script[^>]*\bid="ae-figure-\d+"', text)) == plots
    # each picture once, each chart's PNG once (shown until plotly.js has drawn the chart)
    assert text.count('src="data:image/png;base64,') == pictures + plots
    assert '<script src="../assets/plotly.min.js">' in text and '<script src="../assets/figures.js">' in text
    markdown = "\n".join("".join(c["source"]) for c in record["cells"] if c["cell_type"] == "markdown")
    assert text.count("<math") == len(mathml.formulas(markdown)) and "$$" not in re.sub(r"<pre.*?</pre>", "", text, flags=re.S)
    run = json.loads((ROOT / "runs" / f"{stem}.json").read_text())
    assert run["commit"][:10] in text and "as it ran in full mode" in text


def test_every_formula_of_every_notebook_becomes_mathml():
    """A formula the converter cannot draw fails here, before it reaches a record."""
    count = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                for tex in mathml.formulas("".join(cell["source"])):
                    assert mathml.to_mathml(tex).startswith("<math>"), tex
                    count += 1
    assert count > 20


def test_mathml_of_a_few_formulas():
    assert mathml.to_mathml(r"\frac{1}{n}") == ('<math><semantics><mrow><mfrac><mn>1</mn><mi>n</mi></mfrac></mrow>'
                                                '<annotation encoding="application/x-tex">&#92;frac{1}{n}</annotation></semantics></math>')
    assert "<msub><mi>x</mi><mn>1</mn></msub>" in mathml.to_mathml("x_1")
    assert "<munder><mo>∑</mo><mi>j</mi></munder>" in mathml.to_mathml(r"\sum_j")
    assert '<mi mathvariant="normal">clip</mi>' in mathml.to_mathml(r"\mathrm{clip}(x)")
    assert "<mo>−</mo>" in mathml.to_mathml("a - b") and "<mi>𝒩</mi>" in mathml.to_mathml(r"\mathcal{N}")
    assert mathml.to_mathml("x", display=True).startswith('<math display="block">')
    with pytest.raises(mathml.MathError, match=r"\\oint is not a LaTeX command the site can draw"):
        mathml.to_mathml(r"\oint f")
    with pytest.raises(mathml.MathError, match="unexpected '}'"):
        mathml.to_mathml("x}")
    with pytest.raises(mathml.MathError, match="ends too early"):
        mathml.to_mathml(r"\frac{1}")
    # code and prices stay as they are
    text = "costs $5 and $6, `$HOME` and $x_1$\n```\necho $a$\n```\n"
    out = mathml.replace_math(text)
    assert "costs $5 and $6, `$HOME` and <math>" in out and "echo $a$" in out


def test_a_failed_build_leaves_the_previous_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    build_site.build(out)
    before = (out / "index.html").read_text()

    def broken(records, runs):
        raise RuntimeError("the index could not be written")
    monkeypatch.setattr(build_site, "index_page", broken)
    with pytest.raises(RuntimeError):
        build_site.build(out)
    assert (out / "index.html").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "a temporary folder was left behind"
