"""The notebooks' LaTeX formulas as MathML, written when the site is built, so that no script (MathJax from a CDN)
is needed to read them: every current browser draws MathML (MathML Core).

    to_mathml(r"\\frac{1}{n}\\sum (x - \\hat{x})^2")          -> '<math>...</math>'
    replace_math(markdown_text)                               -> the text with $...$ and $$...$$ as <math>

It knows the subset of LaTeX the course writes (letters, numbers, operators, ^ and _, \\frac, \\sqrt, accents,
Greek letters, \\mathrm, \\text, \\mathcal, spacing, function names, a few relations and arrows). Anything else raises
MathError naming the command, so a new formula that it cannot draw fails the site's build (tests/test_site.py
converts every formula of every notebook) instead of reaching a reader as raw LaTeX.
"""
from __future__ import annotations

import html
import re

GREEK = {name: chr(code) for name, code in [
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3F5), ("varepsilon", 0x3B5),
    ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9), ("kappa", 0x3BA), ("lambda", 0x3BB),
    ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE), ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4),
    ("upsilon", 0x3C5), ("phi", 0x3D5), ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9),
    ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B), ("Xi", 0x39E), ("Pi", 0x3A0),
    ("Sigma", 0x3A3), ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9)]}
OPERATORS = {"cdot": "⋅", "times": "×", "pm": "±", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "le": "≤",
             "leq": "≤", "ge": "≥", "geq": "≥", "leftarrow": "←", "rightarrow": "→", "to": "→", "gets": "←",
             "in": "∈", "dots": "…", "ldots": "…", "cdots": "⋯", "partial": "∂", "infty": "∞", "mid": "∣",
             "sum": "∑", "prod": "∏", "nabla": "∇", "propto": "∝", "equiv": "≡", "lvert": "|", "rvert": "|"}
IDENTIFIERS = {"partial", "infty", "nabla"}
FUNCTIONS = {"log", "ln", "exp", "max", "min", "sin", "cos", "tanh", "arg", "det", "lim"}
SPACES = {",": "0.1667em", ":": "0.2222em", ";": "0.2778em", "!": "-0.1667em", "quad": "1em", "qquad": "2em", " ": "0.25em"}
ACCENTS = {"hat": "^", "tilde": "~", "bar": "¯", "overline": "¯", "vec": "→", "dot": "˙"}
SIZES = {"big", "Big", "bigg", "Bigg", "left", "right", "bigl", "bigr", "Bigl", "Bigr"}
SCRIPT = {c: chr(code) for c, code in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                          [0x1D49C, 0x212C, 0x1D49E, 0x1D49F, 0x2130, 0x2131, 0x1D4A2, 0x210B, 0x2110,
                                           0x1D4A5, 0x1D4A6, 0x2112, 0x2133, 0x1D4A9, 0x1D4AA, 0x1D4AB, 0x1D4AC, 0x211B,
                                           0x1D4AE, 0x1D4AF, 0x1D4B0, 0x1D4B1, 0x1D4B2, 0x1D4B3, 0x1D4B4, 0x1D4B5])}
TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|([A-Za-z])|(\s+)|(.)", re.S)


class MathError(ValueError):
    pass


def esc(text: str) -> str:
    """Text inside MathML, safe from HTML and from the markdown around it (* and _ would become emphasis)."""
    return (html.escape(text, quote=False).replace("*", "&#42;").replace("_", "&#95;").replace("|", "&#124;")
            .replace("\\", "&#92;").replace("`", "&#96;"))


class Parser:
    def __init__(self, tex: str):
        self.tokens = [m for m in TOKEN.finditer(tex)]
        self.i = 0
        self.tex = tex

    def peek(self):
        while self.i < len(self.tokens) and self.tokens[self.i].group(4):
            self.i += 1
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        t = self.peek()
        if t is None:
            raise MathError(f"the formula ends too early: {self.tex!r}")
        self.i += 1
        return t

    def group(self) -> str:
        """A {...} group or a single atom, as one MathML element."""
        t = self.peek()
        if t is not None and t.group(5) == "{":
            self.take()
            items = self.sequence(until="}")
            self.take()
            return items[0] if len(items) == 1 else f"<mrow>{''.join(items)}</mrow>"
        return self.atom()

    def braced_text(self) -> str:
        t = self.take()
        if t.group(5) != "{":
            raise MathError(f"expected {{...}} after a text command in {self.tex!r}")
        depth, start = 1, t.end()
        while depth:
            t = self.take()
            depth += {"{": 1, "}": -1}.get(t.group(5) or "", 0)
        return self.tex[start:t.start()]

    def sequence(self, until: str | None = None) -> list[str]:
        items: list[str] = []
        while True:
            t = self.peek()
            if t is None or (until and t.group(5) == until):
                return items
            if t.group(5) in ("^", "_"):
                if not items:
                    items.append("<mrow></mrow>")
                base = items.pop()
                scripts = {}
                while (t := self.peek()) is not None and t.group(5) in ("^", "_") and t.group(5) not in scripts:
                    self.take()
                    scripts[t.group(5)] = self.group()
                under = base.startswith("<mo>∑") or base.startswith("<mo>∏")
                if "^" in scripts and "_" in scripts:
                    tag = "munderover" if under else "msubsup"
                    items.append(f"<{tag}>{base}{scripts['_']}{scripts['^']}</{tag}>")
                elif "_" in scripts:
                    tag = "munder" if under else "msub"
                    items.append(f"<{tag}>{base}{scripts['_']}</{tag}>")
                else:
                    tag = "mover" if under else "msup"
                    items.append(f"<{tag}>{base}{scripts['^']}</{tag}>")
                continue
            items.append(self.atom())

    def atom(self) -> str:
        t = self.take()
        command, number, letter, _, other = t.groups()
        if number:
            return f"<mn>{number}</mn>"
        if letter:
            return f"<mi>{letter}</mi>"
        if other is not None:
            if other == "{":
                self.i -= 1
                return self.group()
            if other in "}^_&$#%":
                raise MathError(f"unexpected {other!r} in {self.tex!r}")
            if other == "'":
                return "<mo>′</mo>"
            if other == "-":
                return "<mo>−</mo>"
            if other in "()[]|":   # as written: a bracket around a short formula should not grow
                return f'<mo stretchy="false">{esc(other)}</mo>'
            return f"<mo>{esc(other)}</mo>" if not other.isalnum() else f"<mi>{esc(other)}</mi>"
        if command in GREEK:
            return f"<mi>{GREEK[command]}</mi>"
        if command in IDENTIFIERS:
            return f"<mi>{OPERATORS[command]}</mi>"
        if command in OPERATORS:
            return f"<mo>{OPERATORS[command]}</mo>"
        if command in FUNCTIONS:
            return f"<mi>{command}</mi><mo>&#8289;</mo>"
        if command in SPACES:
            return f'<mspace width="{SPACES[command]}"></mspace>'
        if command in SIZES:
            inner = self.atom()   # \big( : a bracket a little larger than the text
            return inner.replace("<mo", '<mo minsize="1.2em" maxsize="1.2em"', 1).replace(' stretchy="false"', "")
        if command in ("{", "}", "|", "%", "$", "#", "&"):
            return f"<mo>{esc(command)}</mo>"
        if command == "frac":
            return f"<mfrac>{self.group()}{self.group()}</mfrac>"
        if command == "sqrt":
            return f"<msqrt>{self.group()}</msqrt>"
        if command in ACCENTS:
            return f'<mover accent="true">{self.group()}<mo>{ACCENTS[command]}</mo></mover>'
        if command in ("mathrm", "operatorname"):
            return f'<mi mathvariant="normal">{esc(self.braced_text())}</mi>'
        if command in ("text", "textrm", "mbox"):
            return f"<mtext>{esc(self.braced_text())}</mtext>"
        if command == "mathcal":
            text = self.braced_text().strip()
            if not all(c in SCRIPT for c in text):
                raise MathError(f"\\mathcal{{{text}}}: only capital letters are drawn in {self.tex!r}")
            return f"<mi>{''.join(SCRIPT[c] for c in text)}</mi>"
        if command in ("mathbf", "boldsymbol"):
            return f'<mi mathvariant="bold">{esc(self.braced_text())}</mi>'
        raise MathError(f"\\{command} is not a LaTeX command the site can draw (in {self.tex!r}); add it to "
                        "scripts/mathml.py or write the formula without it")


def to_mathml(tex: str, display: bool = False) -> str:
    p = Parser(tex.strip())
    items = p.sequence()
    if p.peek() is not None:
        raise MathError(f"unbalanced braces in {tex!r}")
    body = "".join(items)
    annotation = f'<annotation encoding="application/x-tex">{esc(tex.strip())}</annotation>'
    attrs = ' display="block"' if display else ""
    return f"<math{attrs}><semantics><mrow>{body}</mrow>{annotation}</semantics></math>"


# Code (fenced blocks and `spans`) is left alone; $$...$$ first, then $...$ that does not start or end with a space.
CODE = re.compile(r"(^|\n)(```|~~~).*?\n\2[^\n]*|(`+)(?:(?!\3).)+?\3", re.S)
DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE = re.compile(r"(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?![\w$])")


def replace_math(markdown: str) -> str:
    """The markdown text with its formulas as MathML (code untouched)."""
    out, last = [], 0
    for m in CODE.finditer(markdown):
        out.append(_math(markdown[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_math(markdown[last:]))
    return "".join(out)


def _math(text: str) -> str:
    text = DISPLAY.sub(lambda m: to_mathml(m.group(1), display=True), text)
    return INLINE.sub(lambda m: to_mathml(m.group(1)), text)


def formulas(markdown: str) -> list[str]:
    """The formulas of a markdown text (for tests)."""
    found = []
    last = 0
    parts = []
    for m in CODE.finditer(markdown):
        parts.append(markdown[last:m.start()])
        last = m.end()
    parts.append(markdown[last:])
    for part in parts:
        found += DISPLAY.findall(part)
        found += INLINE.findall(DISPLAY.sub("", part))
    return found
