"""Generated blocks in the documents: text between a start marker and an end marker, written by a script and checked
by a test (the script renders, the test compares). One function fills one block."""
from __future__ import annotations


def fill(text: str, start: str, end: str, body: str, where: str = "the document") -> str:
    """TEXT with BODY between its START and END markers; ValueError unless each marker is there once, START first."""
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"{where} needs one block between '{start}' and '{end}'")
    head, rest = text.split(start)
    return head + start + "\n" + body + "\n" + end + rest.split(end, 1)[1]
