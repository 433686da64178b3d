#!/usr/bin/python3
"""A pending approval survives the gateway's crash and restart by `gridpilot up`
(docs/decisions.md, "Approvals on the console and across gateway restarts").

Starts `gridpilot up` live (half-hour steps, one a second) with a gateway config whose
"limits" hold any ai-agent proposal above 5 MW. The ai-agent's 8 MW proposal is held;
the gateway is SIGKILLed; the supervisor restarts it with --resume; `gridpilot approvals`
lists the same approval with the same expiry, `gridpilot approve ID` applies it (the
arbiter's proposal row under the ai-agent's name), and the next held proposal gets a new
id. The store's approvals table shows the two lives' events. (An approval that expires
while the gateway is down is recorded lapsed at its expiry:
tests/services/gateway/approvals_restart_test.cc, on a fake clock.)

Environment (set by ctest): GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR (or the default cache).
"""

import json
import os
import re
import shutil
import signal
import time
import unittest

import gridpilot_processes

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 300.0
WAIT_TIMEOUT_S = 120.0
# Half-hour steps (a live gateway resumes at a half-hour boundary), one a second, so that
# a 7-day lease outlives the test on the run's clock.
STEP_ARGS = ("--step_seconds", "1800", "--tick_seconds", "1")


def supervised(run_dir, name):
    try:
        with open(os.path.join(run_dir, "supervisor.json")) as f:
            status = json.load(f)
    except (OSError, ValueError):
        return None
    return next((p for p in status["processes"] if p["name"] == name), None)


class ApprovalsRestartTest(unittest.TestCase):
    def setUp(self):
        if not BIN_DIR:
            raise RuntimeError("GRIDPILOT_BIN_DIR must be set")
        self.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output",
                                    f"approvals-restart-{os.getpid()}")
        shutil.rmtree(self.out_dir, ignore_errors=True)
        os.makedirs(self.out_dir)
        self.run_dir = os.path.join(self.out_dir, "run")
        config = gridpilot_processes.write_ai_agent_limits(self.out_dir)
        self.log_path = os.path.join(self.out_dir, "up.log")
        self.log = open(self.log_path, "w")
        self.up = gridpilot_processes.start_live_stack(BIN_DIR, self.run_dir, "2023-01-01",
                                                       "2023-03-31", self.log, "--config",
                                                       config, *STEP_ARGS)
        self.addCleanup(self.stop)
        self.wait_for_cli()

    def stop(self):
        gridpilot_processes.stop(self.up)
        self.log.close()

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def cli(self, *args):
        return gridpilot_processes.cli(BIN_DIR, self.run_dir, *args)

    def wait_for_cli(self):
        if not gridpilot_processes.wait_for_gateway_cli(BIN_DIR, self.run_dir, START_TIMEOUT_S,
                                                        self.up):
            self.fail("the gateway never answered:\n" + self.output())

    def hold(self, power_mw):
        result = gridpilot_processes.dispatch_as_ai_agent(BIN_DIR, self.run_dir, power_mw,
                                                          "beyond limits", 10000)
        self.assertEqual(result.returncode, 0, result.stderr)
        approval_id = gridpilot_processes.held_approval_id(result.stdout)
        self.assertIsNotNone(approval_id, result.stdout)
        return approval_id

    def pending(self):
        return gridpilot_processes.pending_approvals(BIN_DIR, self.run_dir)

    def test_a_pending_approval_is_approved_after_the_gateway_restarts(self):
        approval_id = self.hold(8)
        before = self.pending()
        self.assertEqual([a["approval_id"] for a in before], [approval_id])

        gateway = supervised(self.run_dir, "gateway")
        self.assertIsNotNone(gateway, self.output())
        os.kill(gateway["pid"], signal.SIGKILL)
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        while time.monotonic() < deadline:
            now = supervised(self.run_dir, "gateway") or {}
            if now.get("pid") not in (None, gateway["pid"]) and now.get("state") == "running":
                break
            time.sleep(0.2)
        else:
            self.fail("the gateway was not restarted:\n" + self.output())
        self.wait_for_cli()
        with open(os.path.join(self.run_dir, "gateway.log")) as f:
            self.assertIn("resuming 1 pending approvals", f.read())

        after = self.pending()
        self.assertEqual(after, before)  # same id, requester, proposal, reason and expiry
        approved = self.cli("approve", approval_id, "--reason", "after the restart")
        self.assertEqual(approved.returncode, 0, approved.stderr + self.output())
        m = re.fullmatch(rf"approved {approval_id}: proposal (\d+)\n", approved.stdout)
        self.assertIsNotNone(m, approved.stdout)
        proposal_id = int(m.group(1))
        self.assertEqual(self.pending(), [])
        second = self.hold(9)
        self.assertGreater(int(second), int(approval_id))

        # The live gateway commits every tick (one a second here).
        events = gridpilot_processes.query_store(
            self.run_dir, "SELECT approval_id, event, decided_by, reason FROM approvals "
            "ORDER BY rowid", settle_s=2.0)
        proposal = gridpilot_processes.query_store(
            self.run_dir, "SELECT agent, status, power_mw FROM proposals WHERE "
            f"proposal_id = {proposal_id} AND detail LIKE 'approval %'", settle_s=0.0)
        self.assertEqual([e[:3] for e in events], [
            (int(approval_id), "pending", ""),
            (int(approval_id), "approved", "operator"),
            (int(second), "pending", "")])
        self.assertEqual(events[1][3], "after the restart")
        self.assertEqual(proposal, [("ai-agent", "accepted", 8.0)])


if __name__ == "__main__":
    unittest.main()
