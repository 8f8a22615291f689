"""`make lab`: JupyterLab starts, serves the lab page, and runs a Java cell in the project's kernel over its websocket
(the way the browser does), with the patient kernel manager in the server."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent
CELL = 'System.out.println("sum " + org.nd4j.linalg.factory.Nd4j.ones(2, 3).sumNumber().intValue());'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(tmp_path: Path, *make_args: str):
    """`make lab` on a free port (extra make arguments, e.g. LAB_DIR=...); yields (host:port, token, log file)."""
    port = free_port()
    log = tmp_path / "lab.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "AE_KERNEL_LOGS": str(tmp_path / "kernels")}
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_PORT={port}", *make_args], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, token = time.monotonic() + 180, None
        while token is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", log.read_text())
            token = found.group(1) if found else None
            time.sleep(0.5)
        assert token, f"JupyterLab did not print its URL with a token:\n{log.read_text()[-3000:]}"
        yield f"127.0.0.1:{port}", token, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def lab(tmp_path: Path):
    # AE_LAB_URL=http://HOST:PORT/?token=TOKEN: a server already running (the container image's, scripts/image_test.sh)
    if os.environ.get("AE_LAB_URL"):
        found = re.fullmatch(r"http://([^/]+)/\?token=(\w+)", os.environ["AE_LAB_URL"])
        assert found, f"AE_LAB_URL must look like http://127.0.0.1:8888/?token=abc123, not {os.environ['AE_LAB_URL']}"
        yield found.group(1), found.group(2), None
        return
    with running_lab(tmp_path) as running:
        yield running


def api(host: str, token: str, path: str, body: dict | None = None) -> dict:
    request = Request(f"http://{host}{path}", method="POST" if body is not None else "GET",
                      data=json.dumps(body).encode() if body is not None else None,
                      headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"{}")


async def run_cell(host: str, token: str, kernel_id: str, code: str) -> tuple[str, str]:
    """Sends one execute_request over the kernel's websocket; returns (reply status, stdout)."""
    ws = await websocket_connect(HTTPRequest(f"ws://{host}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4()}",
                                             headers={"Authorization": f"token {token}"}))
    msg_id = uuid.uuid4().hex
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    stdout = ""
    while True:
        raw = await ws.read_message()
        assert raw is not None, "the kernel's websocket closed before the cell's reply"
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            stdout += msg["content"]["text"]
        if msg["msg_type"] == "execute_reply":
            ws.close()
            return msg["content"]["status"], stdout


def test_make_lab_serves_jupyterlab_and_runs_a_java_cell(lab) -> None:
    host, token, log = lab
    with urlopen(Request(f"http://{host}/lab", headers={"Authorization": f"token {token}"}), timeout=60) as page:
        assert page.status == 200 and "JupyterLab" in page.read().decode()
    specs = api(host, token, "/api/kernelspecs")
    assert "java" in specs["kernelspecs"], specs["kernelspecs"].keys()

    kernel = api(host, token, "/api/kernels", {"name": "java"})
    status, stdout = asyncio.run(asyncio.wait_for(run_cell(host, token, kernel["id"], CELL), timeout=180))
    assert status == "ok", log.read_text()[-3000:] if log else status
    assert stdout.strip() == "sum 6"
    if log is None:
        return  # a server that `make lab` did not start: what follows checks how make lab starts its kernels
    # the server started the kernel through the patient manager: the kernel's output went to its own log file
    assert list((log.parent / "kernels").glob("kernel-*.log")), "no kernel log: the patient kernel manager was not used"
