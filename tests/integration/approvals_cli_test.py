#!/usr/bin/python3
"""`gridpilot approvals`, `approve` and `reject` against a running stack
(docs/decisions.md, "Limits and approvals").

Starts `gridpilot up` live with a gateway config whose "limits" hold any ai-agent proposal
above 5 MW. Proposes as the ai-agent token with `gridpilot dispatch --role ai-agent`: 3 MW
applies; 8 MW is held. A viewer cannot approve it, the ai-agent cannot approve its own,
an operator approves it and it goes to the arbiter under the ai-agent's name with the
operator recorded. A second held proposal is rejected. The store's audit tables are read
back.

Environment (set by ctest): GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR (or the default cache).
"""

import os
import re
import shutil
import unittest

import gridpilot_processes

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 300.0


class ApprovalsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BIN_DIR:
            raise RuntimeError("GRIDPILOT_BIN_DIR must be set")
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output",
                                   f"approvals-cli-{os.getpid()}")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        cls.run_dir = os.path.join(cls.out_dir, "run")
        config = gridpilot_processes.write_ai_agent_limits(cls.out_dir)
        cls.log_path = os.path.join(cls.out_dir, "up.log")
        cls.log = open(cls.log_path, "w")
        cls.up = gridpilot_processes.start_live_stack(BIN_DIR, cls.run_dir, "2023-01-01",
                                                      "2023-01-31", cls.log, "--config", config)
        port_file = os.path.join(cls.run_dir, "gateway.port")
        if not gridpilot_processes.wait_for_file(port_file, START_TIMEOUT_S, cls.up):
            cls.stop()
            raise AssertionError("the gateway never listened:\n" + cls.output())
        gridpilot_processes.wait_for_gateway_cli(BIN_DIR, cls.run_dir, START_TIMEOUT_S, cls.up)

    @classmethod
    def stop(cls):
        gridpilot_processes.stop(cls.up)
        cls.log.close()

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    @classmethod
    def output(cls):
        with open(cls.log_path) as f:
            return f.read()

    @classmethod
    def cli(cls, *args):
        # The approval ID of approve and reject stands right after the command.
        return gridpilot_processes.cli(BIN_DIR, cls.run_dir, *args)

    def dispatch_as_ai_agent(self, power_mw, reason):
        # A two-day lease: the live replay runs 25 simulated minutes a second.
        result = gridpilot_processes.dispatch_as_ai_agent(BIN_DIR, self.run_dir, power_mw,
                                                          reason, 2880)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def pending(self):
        return gridpilot_processes.pending_approvals(BIN_DIR, self.run_dir)

    def query(self, sql):
        return gridpilot_processes.query_store(self.run_dir, sql)

    def test_held_approved_and_rejected_through_the_cli(self):
        applied = self.dispatch_as_ai_agent(3, "within limits")
        self.assertRegex(applied, r"submitted battery-1 .* as ai-agent .*: proposal \d+")

        held = self.dispatch_as_ai_agent(8, "beyond limits")
        m = re.search(r"held for approval (\d+) \(gridpilot approve \1\): (.*)", held)
        self.assertIsNotNone(m, held)
        approval_id = m.group(1)
        self.assertIn("|power_mw| 8 is above its limit 5 MW", m.group(2))

        listed = self.pending()
        self.assertEqual([a["approval_id"] for a in listed], [approval_id])
        self.assertEqual(listed[0]["identity"], "ai-agent")
        self.assertEqual(listed[0]["proposal"]["power_mw"], 8)
        text = self.cli("approvals")
        self.assertIn(f"{approval_id}  ai-agent (ai-agent): battery-1 +8.0 MW trading",
                      text.stdout)

        viewer = self.cli("approve", approval_id, "--role", "viewer")
        self.assertEqual(viewer.returncode, 1)
        self.assertIn("PERMISSION_DENIED", viewer.stderr)
        own = self.cli("approve", approval_id, "--role", "ai-agent")
        self.assertEqual(own.returncode, 1)
        self.assertIn("PERMISSION_DENIED", own.stderr)
        self.assertEqual(len(self.pending()), 1)

        approved = self.cli("approve", approval_id, "--reason", "checked by the desk")
        self.assertEqual(approved.returncode, 0, approved.stderr)
        m = re.fullmatch(rf"approved {approval_id}: proposal (\d+)\n", approved.stdout)
        self.assertIsNotNone(m, approved.stdout)
        proposal_id = int(m.group(1))
        self.assertEqual(self.pending(), [])
        again = self.cli("approve", approval_id)
        self.assertEqual(again.returncode, 1)
        self.assertIn("NOT_FOUND", again.stderr)

        second = self.dispatch_as_ai_agent(-9, "charge hard")
        rejected_id = gridpilot_processes.held_approval_id(second)
        self.assertIsNotNone(rejected_id, second)
        rejected = self.cli("reject", rejected_id, "--reason", "not now")
        self.assertEqual(rejected.returncode, 0, rejected.stderr)
        self.assertEqual(rejected.stdout, f"rejected {rejected_id}\n")
        self.assertEqual(self.pending(), [])

        events = self.query("SELECT approval_id, event, requester, requester_role, decided_by, "
                            "decided_by_role, power_mw, proposal_id, reason FROM approvals "
                            "ORDER BY rowid")
        self.assertEqual([e[:8] for e in events], [
            (int(approval_id), "pending", "ai-agent", "ai-agent", "", "", 8.0, 0),
            (int(approval_id), "approved", "ai-agent", "ai-agent", "operator", "operator", 8.0,
             proposal_id),
            (int(rejected_id), "pending", "ai-agent", "ai-agent", "", "", -9.0, 0),
            (int(rejected_id), "rejected", "ai-agent", "ai-agent", "operator", "operator", -9.0,
             0),
        ])
        self.assertEqual(events[1][8], "checked by the desk")
        self.assertEqual(events[3][8], "not now")
        rows = self.query(f"SELECT agent, status, power_mw, detail FROM proposals "
                          f"WHERE proposal_id = {proposal_id}")
        self.assertEqual(rows, [("ai-agent", "accepted", 8.0,
                                 f"approval {approval_id}: approved by operator (operator): "
                                 "checked by the desk")])
        # The refused calls are audited too, with the caller's identity.
        refused = self.query("SELECT identity, role FROM refused_calls WHERE method LIKE "
                             "'%ApprovalService/Approve'")
        self.assertIn(("viewer", "viewer"), refused)


if __name__ == "__main__":
    unittest.main()
