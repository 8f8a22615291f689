"""The check every executed notebook must pass (scripts/run_notebooks.py, output_problems), on small synthetic
notebooks: quiet outputs (nothing on stderr, no logger lines, no absolute paths of the machine), at least one
picture and none blank, and a kernel whose display API the helper jar recognised. The notebook tests apply it to each notebook they
run (runner.run fails the notebook otherwise)."""
from __future__ import annotations

import base64
import os
import struct
import tempfile
import zlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import run_notebooks as runner

def png(width: int, height: int, pixel, filters=(0, 1, 2, 3, 4)) -> str:
    """A PNG (RGB, 8 bits) of pixel(x, y) -> (r, g, b), base64, its rows filtered in turn with each of PNG's filters
    (as Java's ImageIO may write them): the reader must undo every one."""
    rows, prev = b"", bytes(3 * width)
    for y in range(height):
        line = bytes(c for x in range(width) for c in pixel(x, y))
        kind = filters[y % len(filters)]
        def left(i): return line[i - 3] if i >= 3 else 0
        def up_left(i): return prev[i - 3] if i >= 3 else 0
        def paeth(a, b, c):
            p = a + b - c
            return a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c
        predict = [lambda i: 0, left, lambda i: prev[i], lambda i: (left(i) + prev[i]) >> 1,
                   lambda i: paeth(left(i), prev[i], up_left(i))][kind]
        rows += bytes([kind]) + bytes((line[i] - predict(i)) & 255 for i in range(len(line)))
        prev = line
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return base64.b64encode(data).decode()


PNG = png(40, 30, lambda x, y: (255, 255, 255) if (x + y) % 7 else (20, 40, 200))   # a white picture with blue lines
RICH = {"kernel": "rapaio-jupyter-kernel", "display": "rich"}


def notebook(*outputs_per_cell: list) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_markdown_cell("# A chapter")]
                        + [new_code_cell("System.out.println(1);", outputs=list(outs)) for outs in outputs_per_cell])


def picture(text: str = "[image 640x360: loss]", image: str = PNG) -> nbformat.NotebookNode:
    return new_output("display_data", data={"image/png": image, "text/plain": text})


def clean() -> nbformat.NotebookNode:
    return notebook(
        [new_output("stream", name="stdout", text="FAST mode: this run trains on 5,000 images, 5 epochs.\n"
                                                  "Saved 12 results to target/metrics/03-fashion-mnist.json (the tests and the records read them)\n")],
        [picture()],
        [new_output("display_data", data={
            "text/html": "<table><tr><td>0.04197</td><td>13.77</td></tr></table>",
            "text/plain": "model | val MSE | s / epoch\n1 dense | 0.04197 | 4.706\n"
                          "source: https://blog.keras.io/building-autoencoders-in-keras.html, data in data/mnist/ and …/datasets"})],
    )


def test_a_clean_notebook_passes() -> None:
    assert runner.output_problems(clean(), RICH) == []


def test_stderr_log_lines_and_paths_each_fail() -> None:
    home = os.path.expanduser("~")
    nb = notebook(
        [new_output("stream", name="stderr", text="[WARN] ImportClassMapping - Duplicate TF op mapping found for op Pow\n")],
        [new_output("stream", name="stdout", text="epoch 1\n12:30:01.123 [main] INFO org.nd4j.linalg.factory.Nd4jBackend - Loaded\n")],
        [new_output("stream", name="stdout", text="Added differentiated op reduce_mean\n")],
        [new_output("stream", name="stdout", text=f"Copied mnist/a.gz from the mirror {runner.ROOT}/data\n")],
        [new_output("display_data", data={"text/html": f"<p>saved to {tempfile.gettempdir()}/x.png</p>", "text/plain": "x"})],
        [new_output("execute_result", data={"text/plain": "data folder /work/shared/datasets"}, execution_count=1)],
        [new_output("stream", name="stdout", text=f"cache {home}/data\n")],
        [picture()],
    )
    problems = runner.output_problems(nb, RICH)
    text = "\n".join(problems)
    assert "code cell 1: output on stderr: [WARN] ImportClassMapping" in text, text
    assert "code cell 1: a log line in stderr" in text, text
    assert "code cell 2: a log line in stdout: 12:30:01.123 [main] INFO" in text, text
    assert "code cell 3: a log line in stdout: Added differentiated op" in text, text
    for cell, where in ((4, "stdout"), (5, "text/html"), (6, "text/plain"), (7, "stdout")):
        assert f"code cell {cell}: an absolute path of this machine in {where}" in text, text
    assert len(problems) == 8, text   # the stderr line is also a log line: two problems


def test_logger_lines_in_other_forms_fail() -> None:
    for line in ("[main] WARN org.deeplearning4j.nn.Model - slow", "WARNING: An illegal reflective access operation",
                 "SLF4J: Class path contains multiple SLF4J bindings.", "[2026-12-02 12:30:01] [INFO   ] kernel ready",
                 "o.n.l.f.Nd4jBackend INFO Loaded [CpuBackend] backend", "INFO  CpuNDArrayFactory - Binary level AVX512"):
        nb = notebook([new_output("stream", name="stdout", text=f"before\n{line}\nafter\n")], [picture()])
        assert runner.output_problems(nb, RICH) == [f"code cell 1: a log line in stdout: {line}"], line


def test_charts_shown_as_text_fail() -> None:
    # no picture at all: every chapter draws charts
    nb = notebook([new_output("stream", name="stdout", text="[image 640x360: loss]\n")])
    assert any("no picture" in p for p in runner.output_problems(nb, RICH))
    # the helper jar fell back to text in a kernel it knows (JupyterKernel said so on stderr; metrics say "text")
    problems = runner.output_problems(clean(), {"kernel": "display API not recognised (text only): ...", "display": "text"})
    assert len(problems) == 1 and "did not recognise the kernel's display API" in problems[0], problems
    # metrics without the entry (an older helper jar) are not taken as rich either
    assert runner.output_problems(clean(), {"kernel": "rapaio-jupyter-kernel"}) != []


def test_blank_pictures_and_broken_ones_fail() -> None:
    white = png(40, 30, lambda x, y: (255, 255, 255))
    speck = png(40, 30, lambda x, y: (0, 0, 0) if (x, y) == (3, 4) else (250, 250, 250))   # 1 pixel of 1,200 drawn
    nb = notebook([picture("[image: a chart]")], [picture("[image: white]", white)], [picture("[image: speck]", speck)],
                  [picture("[image: cut]", PNG[:40])])
    problems = runner.output_problems(nb, RICH)
    assert problems[:2] == ["code cell 2: a blank picture (one colour, nothing drawn): [image: white]",
                            "code cell 3: a blank picture (one colour, nothing drawn): [image: speck]"], problems
    assert len(problems) == 3 and problems[2].startswith("code cell 4: a picture that is a PNG whose pixels cannot be read"), problems
    assert problems[2].endswith(": [image: cut]"), problems
    for cut in (PNG[:20], "bm90IGEgcGljdHVyZQ=="):   # a header cut short; not a PNG at all
        assert "code cell 1: a picture that is" in runner.output_problems(notebook([picture("x", cut)]), RICH)[0]


def test_the_png_reader_undoes_every_filter() -> None:
    # a gradient written with each of PNG's five row filters reads back as itself: the statistics are the picture's
    gradient = png(32, 10, lambda x, y: (8 * x, 25 * y, 255 - 8 * x))
    stats = runner.picture_stats(gradient)
    plain = runner.picture_stats(png(32, 10, lambda x, y: (8 * x, 25 * y, 255 - 8 * x), filters=(0,)))
    assert stats == plain and stats["size"] == [32, 10] and stats["std"] > 30 and stats["dominant"] < 0.05, stats
