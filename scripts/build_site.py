#!/usr/bin/env python3
"""Build the course's static site from the recorded runs: every chapter as it ran in full mode, readable offline.

    python scripts/build_site.py [--out DIR]      make site (default DIR: target/site/)

Pages:
  index.html             the chapters (time, memory, headline result, links), results, performance, how to run
  runs/<stem>.html       each recorded chapter (runs/<stem>.ipynb) with all its outputs, converted by nbconvert
  README.html, docs/*.html, ...   the documents the pages link to, from their markdown
  assets/                plotly.min.js (from the `plotly` Python package in the venv), figures.js, site.css

nbconvert (the `lab` template, as JupyterLab shows a notebook) does the conversion: it is already pinned in
requirements.txt, it renders every output type the chapters write, and the pages look like the notebooks in
JupyterLab. Its template loads require.js, MathJax and mermaid from CDNs; ours (`CHAPTER_TEMPLATE` below) drops
those. The site needs no network at all:
  * interactive charts are drawn by the plotly.js shipped inside the site; each keeps its PNG, shown until Plotly
    has drawn the chart (and for readers without JavaScript);
  * formulas are converted to MathML when the site is built (scripts/mathml.py), which browsers draw natively;
  * links between pages are relative; a linked file of the repository (a licence, a picture) is copied in.
The site is built in a temporary folder and then put in place of the old one. tests/test_site.py and the browser
test (tests/test_browser.py) check it.
"""
from __future__ import annotations

import argparse
import base64
import copy
import html
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import mathml        # noqa: E402
import records_doc   # noqa: E402

RUNS = ROOT / "runs"
OUT = ROOT / "target" / "site"
PLOTLY = "application/vnd.plotly.v1+json"
TITLE = "Autoencoders in Java"
# The documents every site has, besides those their links lead to.
DOCUMENTS = ["README.md", "docs/results.md", "docs/performance.md"]

CHAPTER_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- nbconvert's lab template without its CDN scripts (require.js, MathJax, mermaid, widgets): see build_site.py -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<link rel="stylesheet" href="{{ resources.site_root }}assets/site.css">{%- endblock extra_css -%}
{#- JupyterLab's styles, once for every page in assets/jupyterlab.css instead of inlined in each (see LAB_CSS) -#}
{%- block notebook_css -%}<link rel="stylesheet" href="{{ resources.site_root }}assets/jupyterlab.css">{%- endblock notebook_css -%}
{%- block body_header -%}{{ super() }}
<nav class="ae-nav">{{ resources.site_nav }}</nav>
<aside class="ae-run">{{ resources.site_run }}</aside>
{%- endblock body_header -%}
{%- block footer_js -%}
<script src="{{ resources.site_root }}assets/plotly.min.js"></script>
<script src="{{ resources.site_root }}assets/figures.js"></script>
{%- endblock footer_js -%}
"""

FIGURES_JS = """// Draws each interactive chart of the page with the plotly.js shipped in the site (assets/plotly.min.js). Until it
// is drawn (and without JavaScript) the chart's PNG is shown.
(function () {
  function draw(box) {
    var spec = JSON.parse(document.getElementById(box.getAttribute('data-figure')).textContent);
    var graph = document.createElement('div');
    graph.className = 'ae-plotly-graph';
    box.appendChild(graph);
    var config = Object.assign({ displaylogo: false, responsive: true }, spec.config || {});
    return Plotly.newPlot(graph, spec.data || [], spec.layout || {}, config).then(function () {
      box.classList.add('ae-drawn');
    });
  }
  if (!window.Plotly) { return; }
  document.querySelectorAll('.ae-plotly').forEach(function (box) {
    try { draw(box).catch(function (e) { console.error('chart not drawn: ' + e); }); }
    catch (e) { console.error('chart not drawn: ' + e); }
  });
})();
"""

SITE_CSS = """/* The site's own styles: the navigation, the run's facts, the documents' pages, interactive charts. */
body { margin: 0; }
.ae-nav, .ae-run, .ae-page { max-width: 1100px; margin: 0 auto; padding: 0.6em 1em; font-family: system-ui, sans-serif; }
.ae-nav { border-bottom: 1px solid #ccc; font-size: 0.95em; }
.ae-nav a { margin-right: 1em; }
.ae-run { background: #f3f6fa; border: 1px solid #d6dee8; border-radius: 4px; margin-top: 0.8em; font-size: 0.9em; }
.ae-page { line-height: 1.5; }
.ae-page table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
.ae-page th, .ae-page td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
.ae-page pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
.ae-page code { background: #f6f6f6; padding: 0 0.2em; }
.ae-page img { max-width: 100%; }
.ae-plotly { position: relative; }
.ae-plotly.ae-drawn > img.ae-plotly-png { display: none; }
.ae-plotly-graph { width: 100%; }
math[display="block"] { margin: 0.6em 0; }
"""


# What nbconvert's lab template adds after JupyterLab's style sheets (its index.html.j2, block notebook_css).
LAB_CSS_EXTRA = """
* { -webkit-print-color-adjust: exact; }
a.anchor-link { display: none; }
.jp-InputArea { overflow: hidden; }
.jp-InputArea-editor { overflow: hidden; }
.cm-editor.cm-s-jupyter .highlight pre { padding: var(--jp-code-padding) 4px; margin: 0; font-family: inherit;
  font-size: inherit; line-height: inherit; color: inherit; }
.jp-OutputArea-output pre { line-height: inherit; font-family: inherit; }
.jp-RenderedText pre { color: var(--jp-content-font-color1); font-size: var(--jp-code-font-size); }
.jp-Collapser { display: none; }
@page { margin: 0.5in; }
@media print { .jp-Cell-inputWrapper, .jp-Cell-outputWrapper { display: block; } }
"""


def lab_css() -> str:
    """JupyterLab's light theme as nbconvert's lab template ships it (static/index.css, static/theme-light.css)."""
    from nbconvert import HTMLExporter
    for folder in HTMLExporter(template_name="lab").template_paths:
        static = Path(folder) / "static"
        if (static / "index.css").is_file() and (static / "theme-light.css").is_file():
            return (static / "index.css").read_text() + "\n" + (static / "theme-light.css").read_text() + LAB_CSS_EXTRA
    raise SystemExit("nbconvert's lab template (static/index.css) was not found: make setup")


# --- links ---------------------------------------------------------------------------------------------------------

class Site:
    """The pages being built, and the repository files they link to."""

    def __init__(self, out: Path, records: dict[str, dict], runs: Path = RUNS):
        self.out = out
        self.runs = runs
        self.records = records
        self.queue: list[str] = list(DOCUMENTS)
        self.done: set[str] = set()
        self.copied: set[str] = set()
        self.broken: list[str] = []

    def page_of(self, repo_path: str) -> str | None:
        """The site page for a repository path, or None if it has none."""
        p = PurePosixPath(repo_path)
        if p.suffix == ".ipynb" and p.parent.name in ("notebooks", "runs") and p.stem in records_doc.CHAPTERS:
            return f"runs/{p.stem}.html" if p.stem in self.records else "index.html#chapters"
        if p.suffix == ".md":
            return str(p.with_suffix(".html"))
        return None

    def link(self, target: str, source: str, page: str) -> str | None:
        """href for a link written in the repository file `source`, on the site page `page`; None: drop the link."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#") or not target:
            return target
        path, _, anchor = target.partition("#")
        repo = os.path.normpath(os.path.join(os.path.dirname(source), path)).replace(os.sep, "/")
        full = ROOT / repo
        if repo.startswith("..") or not full.exists():
            self.broken.append(f"{source}: {target}")
            return None
        if full.is_dir():
            readme = f"{repo}/README.md"
            if not (ROOT / readme).is_file():
                return None
            repo = readme
        dest = self.page_of(repo)
        if dest is None:
            dest = repo
            if repo not in self.copied:
                (self.out / repo).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(full, self.out / repo)
                self.copied.add(repo)
        elif repo.endswith(".md") and repo not in self.done and repo not in self.queue:
            self.queue.append(repo)
        if "#" in dest:
            dest, _, anchor = dest.partition("#")
        href = os.path.relpath(dest, os.path.dirname(page) or ".").replace(os.sep, "/")
        return href + (f"#{anchor}" if anchor else "")

    def rewrite(self, html_text: str, source: str, page: str) -> str:
        """Every <a href> and <img src> of a page, made to work inside the site (the site's own links, written
        <a data-site href=...>, are left alone)."""
        def fix(m: re.Match) -> str:
            tag, attr, quote, value = m.group(1), m.group(2), m.group(3), html.unescape(m.group(4))
            if value.startswith("data:"):
                return m.group(0)
            new = self.link(value, source, page)
            if new is None:
                return f"<{tag} data-link-dropped=\"{html.escape(value)}\""  # keeps the text, no dead link
            return f"<{tag} {attr}={quote}{html.escape(new)}{quote}"
        html_text = re.sub(r"<(a|img)\s+(href|src)=(\"|')(.*?)\3", fix, html_text)
        return re.sub(r"<img\b[^>]*?\bsrc=\"((?:https?:)?//[^\"]+)\"[^>]*>", self.outside_picture, html_text)

    @staticmethod
    def outside_picture(m: re.Match) -> str:
        """A picture from another host (a badge) becomes its text: the site loads nothing from outside (a badge is
        usually inside a link, which stays)."""
        alt = re.search(r'\balt="([^"]*)"', m.group(0))
        host = re.sub(r"^(?:https?:)?//([^/]+).*", r"\1", m.group(1))
        return f'<span class="ae-outside">{alt.group(1) if alt and alt.group(1) else "picture"} (a picture on {html.escape(host)})</span>'


# --- pages ---------------------------------------------------------------------------------------------------------

def slug(text: str) -> str:
    """GitHub's anchor for a heading (as tests/test_docs.py computes it)."""
    text = re.sub(r"<[^>]+>", "", html.unescape(text))
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def markdown_html(text: str) -> str:
    import mistune

    class Renderer(mistune.HTMLRenderer):
        def heading(self, text: str, level: int, **attrs) -> str:
            return f'<h{level} id="{slug(text)}">{text}</h{level}>\n'

    md = mistune.create_markdown(renderer=Renderer(escape=False), plugins=["table", "strikethrough", "url"])
    return md(mathml.replace_math(text))


def page_html(title: str, body: str, root: str, nav: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n<title>{html.escape(title)}</title>\n"
            f"<link rel=\"stylesheet\" href=\"{root}assets/site.css\">\n</head>\n<body>\n<nav class=\"ae-nav\">{nav}</nav>\n"
            f"<main class=\"ae-page\">\n{body}\n</main>\n</body>\n</html>\n")


def root_of(page: str) -> str:
    return "../" * page.count("/")


def nav(page: str, records: dict[str, dict]) -> str:
    root = root_of(page)
    links = [f'<a data-site href="{root}index.html">{TITLE}</a>']
    for i, stem in enumerate(records_doc.CHAPTERS, 1):
        if stem in records:
            links.append(f'<a data-site href="{root}runs/{stem}.html">{i} {stem[3:].replace("-", " ")}</a>')
    links += [f'<a data-site href="{root}docs/results.html">results</a>',
              f'<a data-site href="{root}docs/performance.html">performance</a>']
    return " ".join(links)


def run_facts(run: dict) -> str:
    i = records_doc.CHAPTERS.index(run["notebook"]) + 1
    mc = run["machine"]
    env = run.get("environment", {})
    return (f"<strong>Chapter {i} as it ran in full mode</strong>, headless, on {run['recorded'][:10]} "
            f"(commit <code>{run['commit'][:10]}</code>): {records_doc.minutes(run['wall_seconds'])} for the whole "
            f"notebook, peak kernel memory {records_doc.gigabytes(run['kernel_peak_rss_mb'])}, data downloaded: "
            f"{html.escape(records_doc.downloaded(run))}. {html.escape(mc['cpu'])} ({mc['cores']} cores), "
            f"{html.escape(mc['os'])}; kernel {html.escape(run['kernel']['display_name'])}"
            + (f", {html.escape(run['kernel']['java'])}" if run["kernel"].get("java") else "")
            + (f"; {html.escape(', '.join(f'{k}={v}' for k, v in sorted(env.items())))}" if env else "")
            + ". Run it yourself: <code>make lab</code> and open <code>notebooks/"
            + f"{run['notebook']}.ipynb</code>, or <code>make notebooks NB={run['notebook']}</code>.")


def interactive(nb: dict) -> dict:
    """Each Plotly output becomes HTML: a box with the chart's PNG and its JSON, which assets/figures.js draws."""
    nb = copy.deepcopy(nb)
    k = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if PLOTLY not in data:
                continue
            k += 1
            raw = data[PLOTLY]
            spec = raw if isinstance(raw, dict) else json.loads("".join(raw) if isinstance(raw, list) else raw)
            png = data.get("image/png")
            png = "".join(png) if isinstance(png, list) else png
            title = spec.get("layout", {}).get("title", "")
            title = title.get("text", "") if isinstance(title, dict) else title
            img = (f'<img class="ae-plotly-png" alt="{html.escape(re.sub(r"<[^>]+>", "", str(title)) or "chart")}" '
                   f'src="data:image/png;base64,{png.strip()}">') if png else ""
            figure = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
            out["data"] = {"text/html": f'<div class="ae-plotly" data-figure="ae-figure-{k}">{img}</div>'
                                        f'<script type="application/json" id="ae-figure-{k}">{figure}</script>'}
            out.get("metadata", {}).pop(PLOTLY, None)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = mathml.replace_math("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
    return nb


def chapter_page(site: Site, stem: str, template_dir: str) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    page = f"runs/{stem}.html"
    nb = interactive(json.loads((site.runs / f"{stem}.ipynb").read_text()))
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[template_dir], template_file="chapter.html.j2",
                            exclude_input_prompt=True, exclude_output_prompt=True)   # a record has no execution counts
    resources = {"site_root": root_of(page), "site_nav": nav(page, site.records),
                 "site_run": run_facts(site.records[stem]),
                 "metadata": {"name": f"{chapter_title(site.runs, stem)} · as it ran · {TITLE}"}}
    body, _ = exporter.from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4), resources=resources)
    # the notebook's own links are relative to notebooks/, where it lives
    return site.rewrite(body, f"notebooks/{stem}.ipynb", page)


def chapter_title(runs: Path, stem: str) -> str:
    """The chapter's title: the first heading of its record's first markdown cell (else its file name)."""
    nb = json.loads((runs / f"{stem}.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            heading = next((line[2:] for line in text.splitlines() if line.startswith("# ")), "")
            return re.sub(r"[*_`]|\[([^]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading).strip() or stem
    return stem


def index_page(records: dict[str, dict], runs: Path = RUNS) -> str:
    rows = []
    for i, stem in enumerate(records_doc.CHAPTERS, 1):
        run = records.get(stem)
        if run is None:
            rows.append(f"<tr><td>{i}</td><td>{stem}: not recorded yet (<code>make record NB={stem}</code>)</td>"
                        "<td></td><td></td><td></td><td></td></tr>")
            continue
        rows.append(f'<tr><td>{i}</td><td><a href="runs/{stem}.html">{html.escape(chapter_title(runs, stem))}</a></td>'
                    f"<td>{records_doc.minutes(run['wall_seconds'])}</td><td>{html.escape(records_doc.downloaded(run))}</td>"
                    f"<td>{records_doc.gigabytes(run['kernel_peak_rss_mb'])}</td>"
                    f"<td>{html.escape(records_doc.HEADLINES[stem].ours(run['metrics'], run))}</td></tr>")
    body = f"""<h1>{TITLE}</h1>
<p>Five chapters that teach autoencoders with Deeplearning4j on a Java kernel, each retelling a well-known tutorial.
This site shows every chapter <em>as it ran in full mode</em>, all outputs included: read it without installing
anything. The interactive charts work here too (hover over a point); this site makes no request to the internet.</p>
<h2 id="chapters">Chapters</h2>
<table><thead><tr><th>#</th><th>chapter, as it ran</th><th>full run</th><th>download</th><th>peak memory</th>
<th>headline result</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table>
<p>{html.escape(records_doc.machines(records))}</p>
<h2 id="results">Results</h2>
<p><a href="docs/results.html">Results</a>: every chapter's numbers beside the source tutorial's (and Keras's on the
same CPU).</p>
<h2 id="performance">Performance</h2>
<p><a href="docs/performance.html">Performance</a>: training speed and memory, DL4J beside Keras (<code>make bench</code>).</p>
<h2 id="how-to-run">How to run</h2>
<p>You need Java 17+, Maven, Python 3.11+ and make (<a href="README.html#requirements">requirements</a>):</p>
<pre><code>git clone &lt;the course's repository&gt; autoencoders-java &amp;&amp; cd autoencoders-java
make lab                            # JupyterLab with the Java kernel: open notebooks/
AE_MODE=fast make notebooks NB=iris # or headless, briefly trained
make record NB=01-iris              # record a chapter in full mode (runs/)
make site                           # this site, into target/site/</code></pre>
<p>More in the <a href="README.html">README</a>: <a href="README.html#quick-start">quick start</a> (Linux, macOS,
Windows, container, Binder, conda) and <a href="README.html#settings">settings</a>.</p>
"""
    return body


def build(out: Path = OUT, runs: Path = RUNS) -> dict:
    """Builds the site into out (replacing it whole); returns what it holds."""
    records = records_doc.load(runs)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=out.parent))
    try:
        site = Site(tmp, records, runs)
        assets = tmp / "assets"
        assets.mkdir()
        import plotly
        plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        if not plotly_js.is_file():
            raise SystemExit(f"plotly.min.js is missing from the plotly package ({plotly_js}): make setup")
        shutil.copy2(plotly_js, assets / "plotly.min.js")
        (assets / "figures.js").write_text(FIGURES_JS)
        (assets / "site.css").write_text(SITE_CSS)
        (assets / "jupyterlab.css").write_text(lab_css())
        with tempfile.TemporaryDirectory() as template_dir:
            Path(template_dir, "chapter.html.j2").write_text(CHAPTER_TEMPLATE)
            for stem in records:
                (tmp / "runs").mkdir(exist_ok=True)
                (tmp / "runs" / f"{stem}.html").write_text(chapter_page(site, stem, template_dir))
        index = page_html(TITLE, index_page(records, runs), "", nav("index.html", records))
        (tmp / "index.html").write_text(index)   # its links are the site's own already
        while site.queue:
            doc = site.queue.pop(0)
            site.done.add(doc)
            page = site.page_of(doc)
            text = (ROOT / doc).read_text()
            title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), doc)
            body = site.rewrite(markdown_html(text), doc, page)
            (tmp / page).parent.mkdir(parents=True, exist_ok=True)
            (tmp / page).write_text(page_html(f"{title} · {TITLE}", body, root_of(page), nav(page, records)))
        if site.broken:
            raise SystemExit("links that lead nowhere:\n  " + "\n  ".join(site.broken))
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if out.exists():
            out.rename(old)
        tmp.chmod(0o755)   # mkdtemp makes it private; a site is for reading
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    files = [p for p in out.rglob("*") if p.is_file()]
    return {"chapters": sorted(records), "pages": sorted(str(p.relative_to(out)) for p in files if p.suffix == ".html"),
            "bytes": sum(p.stat().st_size for p in files)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help="the site's folder (default: target/site/)")
    args = parser.parse_args(argv)
    summary = build(args.out)
    missing = [s for s in records_doc.CHAPTERS if s not in summary["chapters"]]
    shown = args.out.resolve().relative_to(ROOT) if args.out.resolve().is_relative_to(ROOT) else args.out
    print(f"site: {len(summary['pages'])} pages, {summary['bytes'] / 1e6:.1f} MB in {shown}/ (open {shown}/index.html); "
          f"chapters: {', '.join(summary['chapters']) or 'none'}"
          + (f"; not recorded yet: {', '.join(missing)} (make record NB=...)" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
