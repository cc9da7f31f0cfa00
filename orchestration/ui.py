"""`make ui`: the Dagster UI and daemon on loopback, stoppable by a signal.

`dagster dev` started from a non-interactive shell can inherit ignored SIGINT/SIGTERM; this
wrapper restores the default handlers, runs it in its own process group, and forwards a stop.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from orchestration.settings import REPO_ROOT


def command(port: str, host: str = "127.0.0.1") -> list[str]:
    dagster = Path(sys.executable).with_name("dagster")
    return [str(dagster), "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-h", host, "-p", port]


def start(port: str, **popen) -> subprocess.Popen:
    """Start `dagster dev` in a new process group with default signal handling."""

    def defaults() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    return subprocess.Popen(
        command(port), cwd=REPO_ROOT, start_new_session=True, preexec_fn=defaults, **popen
    )


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop the whole process group: webserver, daemon and code server."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


def main() -> int:
    port = os.environ.get("DAGSTER_PORT") or "3000"
    process = start(port)
    print(f"Dagster UI on http://127.0.0.1:{port} (DAGSTER_HOME={os.environ.get('DAGSTER_HOME')})")
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop(process)
        return 0


if __name__ == "__main__":
    sys.exit(main())
