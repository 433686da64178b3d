#!/usr/bin/python3
"""A lock-step backtest survives SIGKILL of any of its processes, and of its launcher.

Runs `gridpilot backtest` over four weeks of 2023 (1,344 ticks) once uninterrupted, then
once per process (gateway, forecast, response, trader), SIGKILLing that process (its pid
from RUN_DIR/supervisor.json) once the store holds committed intervals. Each interrupted
run must exit 0 with a report equal to the uninterrupted one (ignoring pids, wall time
and the restarts list), list exactly one restart of the killed process, and leave a store
with every interval exactly once: one run, 1,344 telemetry rows with distinct
interval_start, and the same ledger and decision rows as the uninterrupted store.
Then `backtest --resume RUN_DIR` after SIGKILLing the launcher and all its children: same
report, same store. A trader killed four times is given up: the run finishes without it
and the report says so. Prints each restart's recovery time (not asserted: wall time).

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
DATE_FROM, DATE_TO = "2023-01-01", "2023-01-28"
TICKS = 28 * 48
# Hang detectors, not speed assertions.
RUN_TIMEOUT_S = 600.0
WAIT_TIMEOUT_S = 300.0
# Kill once this many intervals are committed: the resumed gateway must re-execute them.
KILL_AFTER_INTERVALS = 100
IGNORED_KEYS = ("processes", "wall_seconds", "restarts", "resumed")


def comparable(report):
    return {k: v for k, v in report.items() if k not in IGNORED_KEYS}


def committed_intervals(store):
    """Telemetry rows committed in `store` (0 if it cannot be read yet)."""
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM telemetry").fetchone()[0]
    except sqlite3.Error:
        return 0


def store_rows(store):
    """What "nothing lost, nothing applied twice" is checked on."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return {
            "runs": db.execute("SELECT COUNT(*) FROM runs").fetchone()[0],
            "telemetry": db.execute("SELECT COUNT(*) FROM telemetry").fetchone()[0],
            "distinct_intervals": db.execute(
                "SELECT COUNT(DISTINCT interval_start) FROM telemetry").fetchone()[0],
            "ledger": sorted(db.execute(
                "SELECT interval_start, cause, asset_id, amount_gbp FROM ledger").fetchall()),
            "decisions": sorted(db.execute(
                "SELECT interval_start, asset_id, agent, applied_mw FROM decisions").fetchall()),
        }


def supervised_pids(run_dir):
    """{name: pid} from the supervisor's status file ({} until it is written)."""
    try:
        with open(os.path.join(run_dir, "supervisor.json")) as f:
            return {p["name"]: p["pid"] for p in json.load(f)["processes"]}
    except (OSError, ValueError, KeyError):
        return {}


def wait_until(predicate, what, process):
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            raise AssertionError(f"gridpilot exited ({process.returncode}) before {what}")
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class BacktestSupervisionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output",
                                   f"backtest-supervision-{os.getpid()}")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        cls.baseline, cls.baseline_store = cls.run_backtest("baseline")

    @classmethod
    def start(cls, name):
        run_dir = os.path.join(cls.out_dir, name)
        report = os.path.join(cls.out_dir, f"{name}.json")
        log = open(os.path.join(cls.out_dir, f"{name}.log"), "w")
        process = subprocess.Popen(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", DATE_FROM, "--to", DATE_TO,
             "--run_dir", run_dir, "--json", report], stdout=log, stderr=subprocess.STDOUT)
        return process, run_dir, report, log

    @classmethod
    def finish(cls, name, process, log, report, run_dir):
        process.wait(timeout=RUN_TIMEOUT_S)
        log.close()
        with open(os.path.join(cls.out_dir, f"{name}.log")) as f:
            output = f.read()
        if process.returncode != 0:
            raise AssertionError(f"{name}: exit {process.returncode}\n{output}")
        with open(report) as f:
            return json.load(f), os.path.join(run_dir, "store.sqlite"), output

    @classmethod
    def run_backtest(cls, name):
        process, run_dir, report, log = cls.start(name)
        result, store, _ = cls.finish(name, process, log, report, run_dir)
        return result, store

    def check_equal_to_baseline(self, report, store):
        self.assertEqual(report["ticks"], TICKS)
        self.assertEqual(comparable(report), comparable(self.baseline))
        rows = store_rows(store)
        self.assertEqual(rows["runs"], 1)
        self.assertEqual(rows["telemetry"], TICKS)  # 0 lost
        self.assertEqual(rows["distinct_intervals"], TICKS)  # 0 twice
        baseline_rows = store_rows(self.baseline_store)
        self.assertEqual(rows["ledger"], baseline_rows["ledger"])
        self.assertEqual(rows["decisions"], baseline_rows["decisions"])

    def test_baseline_is_sound(self):
        self.assertEqual(self.baseline["restarts"], [])
        self.assertEqual(self.baseline["processes_given_up"], [])
        rows = store_rows(self.baseline_store)
        self.assertEqual((rows["runs"], rows["telemetry"], rows["distinct_intervals"]),
                         (1, TICKS, TICKS))

    def test_sigkill_of_each_process_gives_the_uninterrupted_report(self):
        for victim in ("gateway", "forecast", "response", "trader"):
            with self.subTest(victim=victim):
                name = f"kill-{victim}"
                process, run_dir, report_path, log = self.start(name)
                store = os.path.join(run_dir, "store.sqlite")
                try:
                    wait_until(lambda: committed_intervals(store) >= KILL_AFTER_INTERVALS,
                               f"{KILL_AFTER_INTERVALS} committed intervals", process)
                    pid = supervised_pids(run_dir)[victim]
                    os.kill(pid, signal.SIGKILL)
                    report, store, output = self.finish(name, process, log, report_path, run_dir)
                finally:
                    if process.poll() is None:
                        process.kill()
                        process.wait()
                self.assertIn(f"{victim} exited: signal 9 at tick ", output)
                self.assertIn("restarting (1 of 3)", output)
                self.assertEqual(len(report["restarts"]), 1, report["restarts"])
                restart = report["restarts"][0]
                self.assertEqual(restart["process"], victim)
                self.assertEqual(restart["exit"], "signal 9")
                self.assertGreater(restart["tick"], 0)
                self.assertEqual(report["processes_given_up"], [])
                self.check_equal_to_baseline(report, store)
                print(f"  {victim}: SIGKILL at tick {restart['tick']}, back at that tick "
                      f"after {restart['recovery_seconds']:.2f} s", flush=True)

    def test_resume_after_the_launcher_and_every_child_were_killed(self):
        name = "kill-launcher"
        process, run_dir, report_path, log = self.start(name)
        store = os.path.join(run_dir, "store.sqlite")
        wait_until(lambda: committed_intervals(store) >= KILL_AFTER_INTERVALS and
                   len(supervised_pids(run_dir)) == 5, "committed intervals", process)
        pids = supervised_pids(run_dir)
        process.kill()
        process.wait()
        log.close()
        for pid in pids.values():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed_at = committed_intervals(store)
        self.assertLess(killed_at, TICKS)
        began = time.monotonic()
        resumed = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--resume", run_dir],
            capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        self.assertEqual(resumed.returncode, 0, resumed.stdout + resumed.stderr)
        with open(report_path) as f:  # the --json recorded in run.json
            report = json.load(f)
        self.assertTrue(report["resumed"])
        self.assertEqual(report["restarts"], [])
        self.check_equal_to_baseline(report, store)
        print(f"  launcher: killed with {killed_at} intervals committed; --resume finished in "
              f"{time.monotonic() - began:.2f} s", flush=True)

    def test_an_agent_that_keeps_dying_is_given_up_and_the_run_finishes_without_it(self):
        name = "trader-given-up"
        process, run_dir, report_path, log = self.start(name)
        killed = set()
        try:
            for _ in range(4):
                # Each launch of the stack writes the new pids once the agents registered.
                wait_until(lambda: supervised_pids(run_dir).get("trader", 0) not in killed | {0},
                           "a new trader", process)
                pid = supervised_pids(run_dir)["trader"]
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            report, _, output = self.finish(name, process, log, report_path, run_dir)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.assertIn("trader exited: signal 9 at tick", output)
        self.assertIn("given up after 3 restarts: the run goes on without it", output)
        self.assertEqual(report["processes_given_up"], ["trader"])
        self.assertEqual([r["process"] for r in report["restarts"]], ["trader"] * 3)
        self.assertEqual(report["ticks"], TICKS)
        self.assertEqual(report["missed_answers"], 0)  # not waited for once given up
        # The rest of the stack ran to the end: the response agent still dispatched the
        # battery; the trader's figures are absent.
        self.assertGreater(report["dispatches"]["battery-1"]["count"], 0)
        self.assertEqual(report["trader_pnl_gbp"], 0)
        with open(os.path.join(run_dir, "supervisor.json")) as f:
            states = {p["name"]: p["state"] for p in json.load(f)["processes"]}
        self.assertEqual(states["trader"], "given_up")

    def test_resume_errors_name_what_is_wrong(self):
        gridpilot = os.path.join(BIN_DIR, "gridpilot")
        missing = subprocess.run([gridpilot, "backtest", "--resume", self.out_dir],
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(missing.returncode, 2)
        self.assertIn("run.json: no run record", missing.stderr)
        mixed = subprocess.run(
            [gridpilot, "backtest", "--resume", os.path.join(self.out_dir, "baseline"), "--from",
             "2023-02-01"], capture_output=True, text=True, timeout=60)
        self.assertEqual(mixed.returncode, 2)
        self.assertIn("--from cannot be given with it", mixed.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
