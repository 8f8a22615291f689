"""Kernel managers that let nobody talk to a kernel before it has bound its sockets.

rapaio-jupyter-kernel 3.0.1 binds its ZeroMQ sockets and only then sets up its message handlers. A request that a
client queued before the bind (Jupyter clients send `kernel_info_request` at once) can arrive in that gap; the
kernel's shell thread then dies with a NullPointerException and the kernel never answers ("Kernel didn't respond",
or a notebook stuck on "starting"). On a busy 2-core machine (CI, Binder) this happened in practice. These managers
wait until every port of the kernel accepts connections, plus a short settle time, before any client connects.

Used by scripts/run_notebooks.py (PatientKernelManager) and by `make lab` (PatientServerKernelManager, through
--AsyncMappingKernelManager.kernel_manager_class).
"""
from __future__ import annotations

import asyncio
import socket
import time

from jupyter_client.manager import AsyncKernelManager

PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
SETTLE_SECONDS = 0.5     # from the last bind to the handlers being set is microseconds; this leaves ample room
TIMEOUT_SECONDS = 120


def _listening(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=0.2):
            return True
    except OSError:
        return False


async def wait_until_bound(km: AsyncKernelManager) -> None:
    info = km.get_connection_info()
    if info.get("transport", "tcp") != "tcp":
        return
    ip = info.get("ip") or "127.0.0.1"
    ip = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not await km.is_alive():
            return  # the usual "kernel died" error path reports it
        if all(_listening(ip, info[p]) for p in PORTS):
            await asyncio.sleep(SETTLE_SECONDS)
            return
        await asyncio.sleep(0.1)


class PatientKernelManager(AsyncKernelManager):
    async def _async_post_start_kernel(self, **kw) -> None:
        await wait_until_bound(self)
        await super()._async_post_start_kernel(**kw)


try:
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

    class PatientServerKernelManager(ServerKernelManager):
        async def _async_post_start_kernel(self, **kw) -> None:
            await wait_until_bound(self)
            await super()._async_post_start_kernel(**kw)
except ImportError:  # jupyter_server is not needed to run notebooks headless
    pass
