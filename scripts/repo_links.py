"""The links to the course's repository (clone line, Binder badge and launch link) in README.md and docs/container.md,
generated from its one home: the `repository-code` line of CITATION.cff. A fork changes that line and runs

    python3 scripts/repo_links.py          rewrites the blocks between the markers
    python3 scripts/repo_links.py --check  exit 1 (and say where) if a block is not what the line gives

tests/test_docs.py checks the blocks. A block sits between `<!-- generated: NAME ... -->` and `<!-- end generated: NAME -->`.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = ROOT / "CITATION.cff"
MARK = "(scripts/repo_links.py, from CITATION.cff's repository-code)"
BADGE = "https://mybinder.org/badge_logo.svg"


def repository(citation: str | None = None) -> str:
    """https://github.com/OWNER/REPO from CITATION.cff's top-level repository-code."""
    text = CITATION.read_text() if citation is None else citation
    m = re.search(r"^repository-code:\s*[\"']?(\S+?)[\"']?\s*$", text, re.M)
    if not m:
        raise SystemExit("CITATION.cff has no top-level `repository-code: https://github.com/OWNER/REPO` line")
    url = m.group(1).rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise SystemExit(f"CITATION.cff's repository-code {url!r} is not https://github.com/OWNER/REPO (Binder's links need that)")
    return url.removesuffix(".git")


def binder(url: str) -> str:
    """Binder's launch link: it builds the repository's Dockerfile and opens JupyterLab on notebooks/."""
    return f"https://mybinder.org/v2/gh/{url.removeprefix('https://github.com/')}/HEAD?urlpath=lab/tree/notebooks"


def blocks(url: str) -> dict[str, str]:
    """Each generated block's text (between its markers)."""
    launch = binder(url)
    return {
        "clone": f"```bash\ngit clone {url}.git autoencoders-java && cd autoencoders-java\nmake lab\n```",
        "binder": (f"* Binder: [![Binder]({BADGE})]({launch}) [launch the course on mybinder.org]({launch}): the same `Dockerfile`,\n"
                   f"  JupyterLab on `notebooks/` **in fast mode** (the image's default: each chapter in minutes on Binder's 1 CPU, 2 GB)."),
        "binder-container": (f"[![Binder]({BADGE})]({launch})\n\n"
                             f"Launch link: <{launch}> (the repository, {url}, is named once, in `CITATION.cff`'s\n"
                             f"`repository-code`; a fork changes that line and runs `python3 scripts/repo_links.py`)."),
    }


FILES = {"README.md": ["clone", "binder"], "docs/container.md": ["binder-container"]}
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) [^>]*-->\n)(?P<body>.*?)(\n<!-- end generated: (?P=name) -->)", re.S)


def render(text: str, url: str) -> str:
    """TEXT with every generated block filled in from URL."""
    wanted = blocks(url)
    return BLOCK.sub(lambda m: m.group(1) + wanted[m.group("name")] + m.group(4), text)


def found(text: str) -> list[str]:
    return [m.group("name") for m in BLOCK.finditer(text)]


def main(args: list[str]) -> int:
    url = repository()
    stale = []
    for name, expected in FILES.items():
        path = ROOT / name
        text = path.read_text()
        if found(text) != expected:
            raise SystemExit(f"{name}: expected the generated blocks {expected}, found {found(text)}")
        new = render(text, url)
        if new != text:
            stale.append(name)
            if "--check" not in args:
                path.write_text(new)
    if "--check" in args and stale:
        print(f"not generated from CITATION.cff's repository-code ({url}): {', '.join(stale)}; run python3 scripts/repo_links.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
