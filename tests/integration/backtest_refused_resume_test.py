#!/usr/bin/python3
"""The launcher stops at once when the restarted gateway refuses the resume
(docs/decisions.md, "Review findings: an approved approval on a lock-step resume").

Runs `gridpilot backtest` (lock-step, half a year). Once the gateway has begun the run in
its store, and while the launcher is still starting the other processes (so that the
gateway is not writing), writes an operator's approval into the run's approvals table, as
the gateway records one when an operator approves a held proposal (a running gateway reads
that table only when it starts). Once the store holds committed intervals, SIGKILLs the
trader: the
launcher restarts the stack with the gateway resuming the run, the gateway refuses
(FailedPrecondition: a lock-step resume cannot replay the operator's call) and exits with
services/common/exit_codes.h's kExitStartRefused. The launcher must then fail with the
gateway's message after that one restart, not restart the stack again until its restart
limit as it did when every exit during a relaunch counted as a death.

Environment (set by ctest): GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR (or the default cache).
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import unittest

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
RUN_TIMEOUT_S = 300.0
WAIT_TIMEOUT_S = 300.0
KILL_AFTER_INTERVALS = 100
# One approval event as the gateway's store writes it (services/gateway/sqlite_store.cc).
APPROVED_ROW = (1, 1, "approved", "2023-01-01T02:00:00Z", "ai-agent-1", "ai-agent", "operator",
                "operator", "battery-1", 2, -9.0, "2023-01-01T02:00:00Z", "2023-01-01T04:00:00Z",
                "", "charge before the peak", "charge now", "2023-01-01T03:00:00Z", 7)


def committed_intervals(store):
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM telemetry").fetchone()[0]
    except sqlite3.Error:
        return 0


def runs_begun(store):
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0


def supervised_pids(run_dir):
    try:
        with open(os.path.join(run_dir, "supervisor.json")) as f:
            return {p["name"]: p["pid"] for p in json.load(f)["processes"]}
    except (OSError, ValueError, KeyError):
        return {}


class BacktestRefusedResumeTest(unittest.TestCase):
    def setUp(self):
        if not BIN_DIR:
            raise RuntimeError("GRIDPILOT_BIN_DIR must be set")
        self.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output",
                                    f"backtest-refused-resume-{os.getpid()}")
        shutil.rmtree(self.out_dir, ignore_errors=True)
        os.makedirs(self.out_dir)

    def wait_until(self, predicate, what, process):
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        while time.monotonic() < deadline:
            if predicate():
                return
            if process.poll() is not None:
                self.fail(f"gridpilot exited ({process.returncode}) before {what}")
            time.sleep(0.02)
        self.fail(f"timed out waiting for {what}")

    def test_a_refused_resume_stops_the_launcher_after_one_restart(self):
        run_dir = os.path.join(self.out_dir, "run")
        log_path = os.path.join(self.out_dir, "backtest.log")
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2023-01-01", "--to",
                 "2023-06-30", "--run_dir", run_dir, "--json",
                 os.path.join(self.out_dir, "report.json")],
                stdout=log, stderr=subprocess.STDOUT)
            try:
                store = os.path.join(run_dir, "store.sqlite")
                self.wait_until(lambda: runs_begun(store) > 0, "the run in the store", process)
                with sqlite3.connect(store, timeout=30) as db:
                    db.execute("INSERT INTO approvals VALUES (" + ", ".join("?" * 18) + ")",
                               APPROVED_ROW)
                self.wait_until(lambda: committed_intervals(store) >= KILL_AFTER_INTERVALS,
                                "committed intervals", process)
                self.wait_until(lambda: "trader" in supervised_pids(run_dir), "the trader's pid",
                                process)
                os.kill(supervised_pids(run_dir)["trader"], signal.SIGKILL)
                process.wait(timeout=RUN_TIMEOUT_S)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        with open(log_path) as f:
            output = f.read()
        self.assertNotEqual(process.returncode, 0, output)
        self.assertIn("gateway refused to start: ", output)
        self.assertIn("resume: approval 1 of this run was approved by operator at "
                      "2023-01-01T02:00:00Z and applied to the run (1 approved in all)", output)
        self.assertIn("restarting (1 of ", output)
        self.assertNotIn("restarting (2 of ", output)
        self.assertNotIn("given up", output)
        # The refusal wrote nothing: the run's one approval event is the one written above.
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM approvals").fetchone()[0], 1)
        shutil.rmtree(self.out_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
