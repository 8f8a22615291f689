"""The kernel manager that waits for rapaio's sockets (scripts/patient_kernel.py), against a fake rapaio kernel that
binds its ports, and logs each bind as rapaio does, only after a delay (a slow JVM)."""
from __future__ import annotations

import asyncio
import json
import socket
import sys
import time
from pathlib import Path

import pytest

from jupyter_client.manager import AsyncKernelManager
from patient_kernel import PatientKernelManager

ROOT = Path(__file__).resolve().parent.parent

PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")

FAKE_KERNEL = r'''
import json, socket, sys, time
info = json.load(open(sys.argv[1]))
print("Parsing classpath: ...", flush=True)
time.sleep(1.5)                                   # a slow start: nothing is bound yet
socks = []
for name in %r:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((info["ip"], info[name])); s.listen(); socks.append(s)
    print(f"[2026-01-01 00:00:00] [INFO   ] [{name}]: Binding to tcp://{info['ip']}:{info[name]} ", flush=True)
time.sleep(30)
''' % (PORTS,)


def listening(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def fake_kernel(tmp_path, monkeypatch):
    script = tmp_path / "fake-rapaio-jupyter-kernel.py"   # the manager recognises rapaio by this name
    script.write_text(FAKE_KERNEL)
    spec = tmp_path / "kernels" / "fake"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(script), "{connection_file}"],
        "display_name": "fake", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setattr("patient_kernel.LOG_DIR", tmp_path / "logs")
    return "fake"


def start_and_look(manager_class, kernel_name) -> tuple[float, bool]:
    """Starts the kernel; returns how long start took and whether every port was bound when it returned."""
    async def go():
        km = manager_class(kernel_name=kernel_name)
        started = time.monotonic()
        await km.start_kernel()
        try:
            elapsed = time.monotonic() - started
            info = km.get_connection_info()
            return elapsed, all(listening(info["ip"], info[p]) for p in PORTS)
        finally:
            await km.shutdown_kernel(now=True)
    return asyncio.run(go())


def test_a_plain_manager_returns_before_the_kernel_is_bound(fake_kernel):
    # The situation the patient manager exists for: clients would connect to unbound ports.
    elapsed, bound = start_and_look(AsyncKernelManager, fake_kernel)
    assert not bound and elapsed < 1.5


def test_the_patient_manager_returns_only_once_every_port_is_bound(fake_kernel):
    elapsed, bound = start_and_look(PatientKernelManager, fake_kernel)
    assert bound
    assert elapsed >= 1.5, elapsed
