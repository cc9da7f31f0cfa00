"""`make ui`: the Dagster UI and daemon on loopback, stopped with everything it started.

`dagster dev` runs in a session of its own (so a terminal's Ctrl-C reaches it only through this
wrapper), with default signal handlers (a non-interactive shell may have ignored them). This
wrapper stops that whole session, webserver, daemon and code server, when it gets SIGINT,
SIGTERM or SIGHUP, and asks the kernel to send dagster dev SIGTERM should the wrapper die
without a chance to (SIGKILL).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from orchestration import settings
from orchestration.settings import REPO_ROOT

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1


def command(port: str, host: str = "127.0.0.1") -> list[str]:
    dagster = Path(sys.executable).with_name("dagster")
    return [str(dagster), "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-h", host, "-p", port]


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: landing folder and warehouse as absolute paths, so every
    process it starts (code server, daemon, runs) reads and writes the same ones."""
    env = dict(os.environ if base is None else base)
    env["ESG_LANDING_DIR"] = str(settings.landing_dir())
    env["ESG_WAREHOUSE"] = str(settings.warehouse_path())
    return env


def _child_setup() -> None:
    for sig in (*STOP_SIGNALS, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):  # Linux: SIGTERM to dagster dev
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # if we die


def start(port: str, **popen) -> subprocess.Popen:
    """Start `dagster dev` in a new session (its own process group), default signal handling."""
    return subprocess.Popen(
        command(port), cwd=REPO_ROOT, start_new_session=True, preexec_fn=_child_setup, **popen
    )


def _session_members(sid: int) -> list[int]:
    """Live processes of session `sid` (Linux /proc): `dagster dev` puts some children in
    process groups of their own, so its group alone does not name everything it started."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, _pgrp, session = stat.read_text().rsplit(")", 1)[1].split()[:4]
        except (OSError, ValueError):
            continue
        if state != "Z" and int(session) == sid:
            members.append(int(stat.parent.name))
    return members


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop the whole session: webserver, daemon and code server. SIGTERM first, so runs and
    the daemon end cleanly; SIGKILL to whatever is left after `timeout` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    while _session_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)  # children outlive their leader while they shut down
    for pid in _session_members(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def banner(port: str) -> str:
    return "\n".join(
        [
            f"Dagster UI:     http://127.0.0.1:{port}",
            f"landing folder: {settings.landing_dir()} (the sensor watches it)",
            f"warehouse:      {settings.warehouse_path()} (runs publish here)",
            f"DAGSTER_HOME:   {os.environ.get('DAGSTER_HOME') or '(temporary)'}",
            "Stop with Ctrl-C (or SIGTERM/SIGHUP): the server, daemon and code server stop too.",
        ]
    )


def main() -> int:
    port = os.environ.get("DAGSTER_PORT") or "3000"
    print(banner(port), flush=True)
    process = start(port, env=environment())

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)
    try:
        return process.wait()
    except SystemExit as stopping:
        for sig in STOP_SIGNALS:  # a second signal must not interrupt the stop
            signal.signal(sig, signal.SIG_IGN)
        stop(process)
        return 0 if stopping.code == 128 + signal.SIGINT else int(stopping.code or 0)
    finally:
        if process.poll() is None:
            stop(process)


if __name__ == "__main__":
    sys.exit(main())
