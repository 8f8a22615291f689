"""pytest set-up for the course's tests: scripts/ is importable (run_notebooks, kernelspec, bench, ...), and the tests
that compare the bench with the notebooks' metrics run after the notebook tests, which write those metrics."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

SCRIPTS = str(Path(__file__).resolve().parent.parent / "scripts")
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "after_notebooks: runs after tests/test_notebooks.py in the same session "
                                       "(it reads the metrics the notebooks write)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked after_notebooks go last, keeping their order: `pytest tests` runs the notebooks first."""
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)
