#!/usr/bin/python3
"""Pending approvals on the web console (docs/decisions.md, "Approvals on the console and
across gateway restarts").

Starts `gridpilot up` live with a gateway config whose "limits" hold any ai-agent proposal
above 5 MW, and a `gridpilot-console` on it. The ai-agent proposes 8 MW with the CLI: it is
held. Through the console's HTTP API: no session is 401; a viewer sees it in
GET /api/approvals (requester, role, asset, MW, lease, the limit exceeded, expiry) but its
approve is the gateway's PERMISSION_DENIED as 403; an operator's approve without the CSRF
token or from another origin is 403 and decides nothing; a malformed body is 400 naming the
field; with the session's CSRF token the approve applies and the store's audit shows the
operator as approver; approving it again is 404. A second held proposal is rejected
through the console with a reason. In Debian's headless Chromium (web/approvals_check.js)
a viewer sees a third in the page's card read-only (no buttons, a line saying who may
decide), and the operator sees it with the buttons and approves it.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import gridpilot_processes
from console_login_test import Console, read

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 300.0
BROWSER_TIMEOUT_S = 90


class ConsoleApprovalsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise RuntimeError("GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR must be set")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot_console_approvals_")
        cls.run_dir = os.path.join(cls.tmp, "run")
        config = gridpilot_processes.write_ai_agent_limits(cls.tmp)
        cls.stack_log = open(os.path.join(cls.tmp, "up.log"), "wb")
        cls.stack = gridpilot_processes.start_live_stack(
            BIN_DIR, cls.run_dir, "2023-01-01", "2023-01-31", cls.stack_log, "--config", config)
        cls.console = None
        try:
            if not gridpilot_processes.wait_for_file(os.path.join(cls.run_dir, "trader.port"),
                                                     START_TIMEOUT_S, cls.stack):
                raise RuntimeError("the stack did not come up:\n" + read(cls.stack_log.name))
            gridpilot_processes.wait_for_gateway_cli(BIN_DIR, cls.run_dir, START_TIMEOUT_S,
                                                     cls.stack)
            creds = os.path.join(cls.run_dir, "credentials")
            cls.tokens = {role: read(os.path.join(creds, role + ".token")).strip()
                          for role in ["viewer", "operator"]}
            cls.console = Console(cls.tmp, cls.run_dir, "console")
            cls.console.wait()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.console is not None:
            cls.console.stop()
        gridpilot_processes.stop(cls.stack)
        cls.stack_log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def hold(self, power_mw, reason):
        """Proposes as the ai-agent beyond its limit; returns the approval id (int)."""
        result = gridpilot_processes.dispatch_as_ai_agent(BIN_DIR, self.run_dir, power_mw,
                                                          reason, 2880)
        self.assertEqual(result.returncode, 0, result.stderr)
        approval_id = gridpilot_processes.held_approval_id(result.stdout)
        self.assertIsNotNone(approval_id, result.stdout)
        return int(approval_id)

    def listed(self, cookie):
        status, _, body = self.console.request("GET", "/api/approvals",
                                               headers={"Cookie": cookie})
        self.assertEqual(status, 200, body)
        return json.loads(body).get("approvals", [])

    def decide(self, verb, cookie, csrf, payload, extra_headers=None):
        c = self.console
        headers = {"Cookie": cookie, "Content-Type": "application/json", "Origin": c.origin,
                   "Sec-Fetch-Site": "same-origin"}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        headers.update(extra_headers or {})
        body = payload if isinstance(payload, str) else json.dumps(payload)
        status, _, answer = c.request("POST", "/api/approvals/" + verb, body, headers)
        return status, json.loads(answer)

    def query(self, sql):
        return gridpilot_processes.query_store(self.run_dir, sql)

    def test_approve_and_reject_through_the_console(self):
        c = self.console
        status, _, _ = c.request("GET", "/api/approvals")
        self.assertEqual(status, 401)
        approval_id = self.hold(8, "beyond limits")

        viewer_cookie, viewer_csrf, _ = c.session(self.tokens["viewer"])
        listed = self.listed(viewer_cookie)
        self.assertEqual([int(a["approval_id"]) for a in listed], [approval_id])
        a = listed[0]
        self.assertEqual((a["identity"], a["role"]), ("ai-agent", "ai-agent"))
        self.assertEqual(a["proposal"]["asset_id"], "battery-1")
        self.assertEqual(a["proposal"]["power_mw"], 8)
        self.assertEqual(a["proposal"]["reason"], "beyond limits")
        self.assertIn("start", a["proposal"])
        self.assertIn("end", a["proposal"])
        self.assertIn("|power_mw| 8 is above its limit 5 MW", a["pending_reason"])
        self.assertIn("expires_at", a)

        # A viewer may look but not decide: its session says so (the page shows no buttons),
        # and the gateway's PERMISSION_DENIED is a 403 should it try anyway.
        status, _, body = c.request("GET", "/api/session", headers={"Cookie": viewer_cookie})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["can_decide_approvals"], False)
        self.assertEqual(json.loads(body)["approval_decider_roles"], ["operator", "admin"])
        status, body = self.decide("approve", viewer_cookie, viewer_csrf,
                                   {"approval_id": approval_id})
        self.assertEqual(status, 403, body)
        self.assertIn("viewer", body["error"])

        cookie, csrf, _ = c.session(self.tokens["operator"])
        status, body = self.decide("approve", cookie, None, {"approval_id": approval_id})
        self.assertEqual(status, 403)
        self.assertIn("X-CSRF-Token", body["error"])
        status, _ = self.decide("approve", cookie, csrf, {"approval_id": approval_id},
                                {"Origin": "http://evil.example"})
        self.assertEqual(status, 403)
        for bad, field in [("[1]", "body"), ({"approval_id": "1"}, "approval_id"),
                           ({"approval_id": 0}, "approval_id"),
                           ({"approval_id": approval_id, "reason": 5}, "reason")]:
            status, body = self.decide("approve", cookie, csrf, bad)
            self.assertEqual(status, 400, bad)
            self.assertIn(field, body["error"])
        self.assertEqual(len(self.listed(cookie)), 1)

        status, body = self.decide("approve", cookie, csrf,
                                   {"approval_id": approval_id, "reason": "checked on the console"})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["approval_id"], body["decision"], body["by"]),
                         (approval_id, "approved", "operator"))
        proposal_id = body["proposal_id"]
        self.assertGreater(proposal_id, 0)
        self.assertEqual(self.listed(cookie), [])
        status, body = self.decide("approve", cookie, csrf, {"approval_id": approval_id})
        self.assertEqual(status, 404, body)

        rejected_id = self.hold(-9, "charge hard")
        status, body = self.decide("reject", cookie, csrf,
                                   {"approval_id": rejected_id, "reason": "not now"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["decision"], "rejected")
        self.assertEqual(self.listed(cookie), [])

        events = self.query("SELECT approval_id, event, decided_by, decided_by_role, reason "
                            "FROM approvals WHERE event != 'pending' AND approval_id IN "
                            f"({approval_id}, {rejected_id}) ORDER BY rowid")
        self.assertEqual(events, [
            (approval_id, "approved", "operator", "operator", "checked on the console"),
            (rejected_id, "rejected", "operator", "operator", "not now")])
        rows = self.query(f"SELECT agent, status, power_mw FROM proposals "
                          f"WHERE proposal_id = {proposal_id}")
        self.assertEqual(rows, [("ai-agent", "accepted", 8.0)])

    def browser_check(self, role, approval_id, *extra):
        """Runs web/approvals_check.js logged in as `role` on approval `approval_id`."""
        token_file = os.path.join(self.run_dir, "credentials", role + ".token")
        return subprocess.run(
            ["node", os.path.join(SOURCE_DIR, "web", "approvals_check.js"), "--url",
             self.console.origin, "--token-file", token_file, "--approval-id", str(approval_id),
             "--expect", "|power_mw| 7 is above its limit 5 MW", "--screenshot",
             os.path.join(self.tmp, role + "-approvals.png"), "--timeout-s",
             str(BROWSER_TIMEOUT_S), *extra],
            capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S * 3)

    def test_the_console_page_lists_and_approves_in_a_browser(self):
        approval_id = self.hold(7, "for the browser")
        # A viewer sees the row read-only: no buttons, a line naming who can decide.
        result = self.browser_check("viewer", approval_id, "--read-only")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn('"buttons":0', result.stdout)
        # The check fails if the viewer's page offers the buttons (run as the operator).
        result = self.browser_check("operator", approval_id, "--read-only")
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("approve/reject buttons shown", result.stderr)
        result = self.browser_check("operator", approval_id)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        rows = self.query("SELECT event, decided_by, reason FROM approvals WHERE approval_id = "
                          f"{approval_id} AND event != 'pending'")
        self.assertEqual(rows, [("approved", "operator", "checked in the browser")])


if __name__ == "__main__":
    unittest.main()
