"""Starting and stopping the real gridpilot processes from the Python integration tests.

Shared by the tests next to this file (each runs as a script, so this directory is on
sys.path): `gridpilot up` in live mode, a single process started by hand, waiting for the
files a process writes once it listens, and a clean stop (SIGTERM, then SIGKILL after a
grace period); and, for the approvals tests, the gateway config that holds the ai-agent's
large proposals, the `gridpilot` CLI on a run directory and the run's SQLite store.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import time

# Hang detectors, not speed assertions.
STOP_TIMEOUT_S = 30.0
CLI_TIMEOUT_S = 60.0

# A gateway config whose limits hold any ai-agent proposal above 5 MW for approval.
AI_AGENT_LIMITS = {"limits": {"roles": {"ai-agent": {"max_abs_power_mw": 5,
                                                     "priority_band": "trading"}}}}


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


def write_ai_agent_limits(directory):
    """Writes AI_AGENT_LIMITS to DIRECTORY/gateway.json; returns its path (for --config)."""
    path = os.path.join(directory, "gateway.json")
    with open(path, "w") as f:
        json.dump(AI_AGENT_LIMITS, f)
    return path


def cli(bin_dir, run_dir, *args):
    """Runs `gridpilot ARGS --run_dir RUN_DIR` (the CLI finds the stack and its credentials
    through the run directory); returns the CompletedProcess, text output captured."""
    return subprocess.run([os.path.join(bin_dir, "gridpilot"), *args, "--run_dir", run_dir],
                          capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
                          stdin=subprocess.DEVNULL)


def wait_for_gateway_cli(bin_dir, run_dir, timeout_s, process):
    """True once `gridpilot approvals` answers on RUN_DIR's gateway; False if `process`
    (the stack) exits or `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if cli(bin_dir, run_dir, "approvals").returncode == 0:
            return True
        time.sleep(0.2)
    return False


def dispatch_as_ai_agent(bin_dir, run_dir, power_mw, reason, minutes):
    """`gridpilot dispatch` of battery-1 at POWER_MW for MINUTES as the ai-agent token, in
    the trading band; returns the CompletedProcess."""
    return cli(bin_dir, run_dir, "dispatch", "--role", "ai-agent", "--asset", "battery-1",
               "--power_mw", str(power_mw), "--priority", "trading", "--minutes", str(minutes),
               "--reason", reason, "--yes")


def held_approval_id(dispatch_output):
    """The approval id (str) in `gridpilot dispatch`'s "held for approval N", or None."""
    m = re.search(r"held for approval (\d+)", dispatch_output)
    return m.group(1) if m else None


def pending_approvals(bin_dir, run_dir):
    """`gridpilot approvals --json`'s list; AssertionError with its stderr if it fails."""
    result = cli(bin_dir, run_dir, "approvals", "--json")
    if result.returncode != 0:
        raise AssertionError("gridpilot approvals: " + result.stderr)
    return json.loads(result.stdout).get("approvals", [])


def query_store(run_dir, sql, settle_s=1.0):
    """The rows of SQL on RUN_DIR/store.sqlite, read-only, after `settle_s` seconds (a live
    gateway commits every tick: time for the rows of the step just taken)."""
    time.sleep(settle_s)
    db = sqlite3.connect(f"file:{os.path.join(run_dir, 'store.sqlite')}?mode=ro", uri=True,
                         timeout=10)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()
