#!/usr/bin/python3
"""gridpilot-mcp's what-if backtest and its audit of tool calls, against a live stack
(docs/decisions.md, "MCP what-if backtest and audit of MCP calls").

Starts `gridpilot up` (which starts gridpilot-mcp) and drives it with the official MCP
TypeScript SDK client (mcp-client/whatif_check.mjs): a 2-day what-if with progress
notifications and both runs in its result, a window beyond the maximum and one the stack has not replayed refused, a viewer refused, a what-if
cancelled while it runs (its child processes and run dirs gone); then finds the client's
acting call in `gridpilot audit --kind mcp_call` with its MCP session.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import gridpilot_processes

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
CLIENT_DIR = os.path.join(SOURCE_DIR, "mcp-client")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 120.0
NODE_TIMEOUT_S = 280.0


class McpWhatifTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise RuntimeError("GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR must be set")
        if not os.path.isdir(os.path.join(CLIENT_DIR, "node_modules", "@modelcontextprotocol")):
            raise RuntimeError("mcp-client/node_modules is missing: run `npm ci` in mcp-client")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot_mcp_whatif_")
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.log = open(os.path.join(cls.tmp, "up.log"), "wb")
        # The live stack replays from 2023-03-01; what-ifs replay windows before that.
        cls.stack = gridpilot_processes.start_live_stack(
            BIN_DIR, cls.run_dir, "2023-03-01", "2023-03-20", cls.log)
        port_file = os.path.join(cls.run_dir, "mcp.port")
        if not gridpilot_processes.wait_for_file(port_file, START_TIMEOUT_S, cls.stack):
            cls.tearDownClass()
            raise RuntimeError("gridpilot-mcp never listened")
        text = ""
        while not text:
            with open(port_file) as f:
                text = f.read().strip()
        cls.url = "http://127.0.0.1:%d/mcp" % int(text)

    @classmethod
    def tearDownClass(cls):
        gridpilot_processes.stop(cls.stack)
        cls.log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def audit_rows(self):
        done = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "audit", "--run_dir", self.run_dir, "--kind",
             "mcp_call", "--limit", "1000", "--json"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout).get("events", [])

    def test_whatif_progress_cancellation_bounds_and_the_audit_of_calls(self):
        scratch = os.path.join(self.run_dir, "whatif")
        done = subprocess.run(
            ["node", "whatif_check.mjs", "--url", self.url,
             "--credentials", os.path.join(self.run_dir, "credentials"), "--scratch", scratch,
             "--from", "2023-02-20", "--to", "2023-02-21",
             "--long_from", "2023-01-10", "--long_to", "2023-02-09"],
            cwd=CLIENT_DIR, capture_output=True, text=True, timeout=NODE_TIMEOUT_S)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        outcome = json.loads(done.stdout.strip().splitlines()[-1])
        print("whatif_check:", json.dumps(outcome), file=sys.stderr)

        # The acting call, the what-ifs and the refusals are in the gateway's audit log,
        # reported by gridpilot-mcp with the caller's identity and the MCP session.
        rows = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = self.audit_rows()
            if any(json.loads(r["detail_json"]).get("tool") == "submit_dispatch" for r in rows):
                break
            time.sleep(0.5)
        details = [(r, json.loads(r["detail_json"])) for r in rows]
        submits = [(r, d) for r, d in details
                   if d["tool"] == "submit_dispatch" and d["session"] == outcome["session"]]
        self.assertEqual(len(submits), 1, rows)
        row, detail = submits[0]
        self.assertEqual(row["process"], "mcp")
        self.assertEqual(row["identity"], "ai-agent")
        self.assertEqual(row["role"], "ai-agent")
        self.assertEqual(detail["outcome"], "ok")
        self.assertEqual(detail["arguments"]["reason"], "audit trail check")
        self.assertEqual(len(detail["token_sha256_prefix"]), 16)
        whatifs = [d for _, d in details if d["tool"] == "whatif_backtest"]
        outcomes = sorted(d["outcome"] for d in whatifs)
        # the run, the cancelled one, and the refusals (window, future, viewer, after cancel)
        self.assertEqual(outcomes.count("ok"), 1, whatifs)
        self.assertEqual(outcomes.count("cancelled"), 1, whatifs)
        self.assertGreaterEqual(outcomes.count("error"), 4, whatifs)
        self.assertTrue(any(r["role"] == "viewer" and d["tool"] == "whatif_backtest"
                            for r, d in details))
        # A successful read is tallied, not a row per call: the client's get_grid_state
        # reaches the log as one row with its count (sent before the act that followed it).
        reads = [(r, d) for r, d in details
                 if d["tool"] == "get_grid_state" and d["session"] == outcome["session"]]
        self.assertEqual(len(reads), 1, rows)
        read_row, read = reads[0]
        self.assertEqual(read["calls"], 1)
        self.assertEqual(read["outcome"], "ok")
        self.assertEqual(read_row["identity"], "ai-agent")


if __name__ == "__main__":
    unittest.main()
