"""Kernel managers that let nobody talk to rapaio-jupyter-kernel before it is ready.

rapaio-jupyter-kernel 3.0.1 binds its ZeroMQ sockets and only then sets up its message handlers. A request that a
client queued before the bind (Jupyter clients send `kernel_info_request` at once) can arrive in that gap; the
kernel's shell thread then dies with a NullPointerException and the kernel never answers ("Kernel didn't respond",
or a notebook stuck on "starting"). Measured here: 3 of 16 starts on a busy 2-core machine.

Probing the ports with TCP connections is no cure (it wedged the shell socket of the kernel in 4 of 16 starts), so
these managers watch the kernel's own log instead: rapaio prints one "Binding ..." line per socket. The kernel's
output goes to a log file; once all five sockets are bound, plus a settle time, the clients may connect. Kernels
other than rapaio are started as usual.

Used by scripts/run_notebooks.py (PatientKernelManager) and by `make lab` (PatientServerKernelManager, through
--AsyncMappingKernelManager.kernel_manager_class; kernel logs then go to target/kernel-logs/).
"""
from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

SOCKETS = 5              # shell, iopub, stdin, control, heartbeat
SETTLE_SECONDS = 0.1     # from the last bind to the handlers being set is milliseconds. A request that still comes too
                         # early is lost, not fatal, with our LoopThread fix (scripts/rapaio-fix/), and clients send
                         # kernel_info again after 1 s. 0.1 s instead of 0.3 s: kernel start median 2.49 s vs 2.71 s
TIMEOUT_SECONDS = 120
LOG_DIR = Path(os.environ.get("AE_KERNEL_LOGS", Path(__file__).resolve().parent.parent / "target" / "kernel-logs"))


def is_rapaio(cmd: list[str]) -> bool:
    return any("rapaio-jupyter-kernel" in part for part in cmd)


async def wait_for_bindings(km: AsyncKernelManager, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not await km.is_alive():
            return  # the usual "kernel died" error path reports it
        try:
            text = log.read_text(errors="replace")
        except OSError:
            text = ""
        if text.count("] Binding ") + text.count("]: Binding ") >= SOCKETS:
            await asyncio.sleep(SETTLE_SECONDS)
            return
        await asyncio.sleep(0.1)


class _Patience:
    """Mixed into a kernel manager: route a rapaio kernel's output to a log file and wait for its sockets."""

    _patient_log: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        self._patient_log = None
        if is_rapaio(cmd):
            out = kw.get("stdout")
            if out is None or not hasattr(out, "name"):
                LOG_DIR.mkdir(parents=True, exist_ok=True)
                out = open(LOG_DIR / f"kernel-{uuid.uuid4().hex[:8]}.log", "wb")
                kw["stdout"] = out
                kw["stderr"] = out
            self._patient_log = Path(out.name)
        return cmd, kw

    async def _async_post_start_kernel(self, **kw) -> None:
        if self._patient_log is not None:
            await wait_for_bindings(self, self._patient_log)
        await super()._async_post_start_kernel(**kw)


class PatientKernelManager(_Patience, AsyncKernelManager):
    pass


try:
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

    class PatientServerKernelManager(_Patience, ServerKernelManager):
        pass
except ImportError:  # jupyter_server is not needed to run notebooks headless
    pass


async def run_one_cell(kernel_name: str, code: str, *, clean_exit: bool = False, ready_timeout: float = 120,
                       **start_kw) -> float:
    """Starts a kernel as `make lab` does, runs one cell and shuts the kernel down. Returns the seconds from the start
    to the cell's answer; raises RuntimeError if the cell fails or the kernel does not answer within ready_timeout.
    clean_exit ends the JVM with SIGTERM (an orderly exit: shutdown hooks run, -XX:ArchiveClassesAtExit writes its
    archive) and waits up to 3 minutes for it, instead of killing it. SIGTERM rather than a shutdown_request: it
    does not depend on the kernel's control thread (which rapaio 3.0.1 without our fix lost in 3 of 10 starts)."""
    km = PatientKernelManager(kernel_name=kernel_name)
    started = time.monotonic()
    await km.start_kernel(**start_kw)
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=ready_timeout)
        reply = await client.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the cell failed: {reply['content'].get('evalue', '')}")
        return time.monotonic() - started
    finally:
        client.stop_channels()
        if clean_exit and await km.is_alive():
            await km.signal_kernel(signal.SIGTERM)
            deadline = time.monotonic() + 180
            while await km.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        await km.shutdown_kernel(now=True)  # kills what is still running, removes the connection file
