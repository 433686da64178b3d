"""Starting and stopping the real gridpilot processes from the Python integration tests.

Shared by the tests next to this file (each runs as a script, so this directory is on
sys.path): `gridpilot up` in live mode, a single process started by hand, waiting for the
files a process writes once it listens, and a clean stop (SIGTERM, then SIGKILL after a
grace period).
"""

import os
import signal
import subprocess
import time

# A hang detector, not a speed assertion.
STOP_TIMEOUT_S = 30.0


def start_live_stack(bin_dir, run_dir, date_from, date_to, log, *extra_args):
    """Starts `gridpilot up` replaying date_from..date_to live, 5-minute steps every 0.2 s
    of wall time, with its run directory at `run_dir` and its output in the open file
    `log`. Returns the Popen; the caller waits for the port files it needs."""
    return subprocess.Popen(
        [os.path.join(bin_dir, "gridpilot"), "up", "--run_dir", run_dir,
         "--from", date_from, "--to", date_to, "--step_seconds", "300", "--tick_seconds", "0.2",
         *extra_args],
        stdout=log, stderr=subprocess.STDOUT)


def by_hand(bin_dir, binary, *args):
    """The command line of the gridpilot process `binary` started by hand without
    credentials: with --insecure (plaintext on loopback), without which it refuses to
    start."""
    return [os.path.join(bin_dir, binary), "--insecure", *args]


def wait_for_file(path, timeout_s, process):
    """True once `path` exists; False if `process` exits or `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def stop(process, timeout_s=STOP_TIMEOUT_S):
    """SIGTERM, then SIGKILL if `process` has not ended within `timeout_s`. Does nothing
    for None or a process that has already ended."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
