#!/usr/bin/python3
"""Audit of every act against a live stack over TLS (docs/decisions.md, "Audit of every act").

Starts `gridpilot up` and checks that what happens on the servers other than the gateway
reaches the gateway's audit log with the authenticated identity and role: an operator's
threshold change on the response agent (old and new values), a viewer's refused attempt at
the same (PERMISSION_DENIED, a refusal row naming the response process), and a flood of
1,000 unauthenticated calls against the trader, which costs at most the per-minute bound of
rows while the rows' dropped counts still add up to every refusal. `gridpilot audit` lists
the rows with a viewer token; a token may not write audit events, only the stack's processes.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin).
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

import gridpilot_processes
from python_client_test import generate_stubs

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 120.0
RPC_TIMEOUT_S = 10.0
ROW_TIMEOUT_S = 30.0
# The gateway keeps at most this many audit rows a minute for each process and kind.
ROWS_PER_MINUTE = 60
FLOOD = 1000


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


class AuditTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise RuntimeError("GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR must be set")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot_audit_")
        cls.stub_dir = os.path.join(cls.tmp, "stubs")
        os.makedirs(cls.stub_dir)
        generate_stubs(cls.stub_dir)
        sys.path.insert(0, cls.stub_dir)
        cls.pb = {name: importlib.import_module("gridpilot.v1.%s_pb2" % name)
                  for name in ["audit", "response", "trader"]}
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.log = open(os.path.join(cls.tmp, "up.log"), "wb")
        cls.stack = gridpilot_processes.start_live_stack(
            BIN_DIR, cls.run_dir, "2023-03-01", "2023-03-20", cls.log)
        cls.ports = {}
        for name in ["gateway", "response", "trader"]:
            port_file = os.path.join(cls.run_dir, name + ".port")
            if not gridpilot_processes.wait_for_file(port_file, START_TIMEOUT_S, cls.stack):
                cls.tearDownClass()
                raise RuntimeError("%s never listened:\n%s" % (name, cls.up_log()))
            text = ""
            while not text:
                text = read(port_file, "r").strip()
            cls.ports[name] = int(text)
        cls.credentials = os.path.join(cls.run_dir, "credentials")
        cls.ca = read(os.path.join(cls.credentials, "ca.pem"))
        cls.tokens = {role: read(os.path.join(cls.credentials, role + ".token"), "r").strip()
                      for role in ["viewer", "operator", "admin"]}

    @classmethod
    def up_log(cls):
        return read(os.path.join(cls.tmp, "up.log"), "r")[-4000:]

    @classmethod
    def tearDownClass(cls):
        gridpilot_processes.stop(cls.stack)
        cls.log.close()
        if cls.stub_dir in sys.path:
            sys.path.remove(cls.stub_dir)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def channel(self, process, token):
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca)
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(token))
        return grpc.secure_channel("127.0.0.1:%d" % self.ports[process], credentials,
                                   options=[("grpc.enable_http_proxy", 0)])

    def call(self, channel, method, request, response_class):
        """(status code, details, response or None) of one unary call."""
        stub = channel.unary_unary(method, request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=response_class.FromString)
        try:
            return grpc.StatusCode.OK, "", stub(request, timeout=RPC_TIMEOUT_S)
        except grpc.RpcError as error:
            return error.code(), error.details() or "", None

    def audit_rows(self, kind=None):
        """The audit rows as `gridpilot audit --json` lists them (a viewer's token)."""
        command = [os.path.join(BIN_DIR, "gridpilot"), "audit", "--run_dir", self.run_dir,
                   "--limit", "1000", "--json"]
        if kind is not None:
            command += ["--kind", kind]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout).get("events", [])

    def wait_for_rows(self, kind, accept):
        """The rows of `kind` once `accept(rows)` holds (or the last seen, on time-out)."""
        deadline = time.monotonic() + ROW_TIMEOUT_S
        while True:
            rows = self.audit_rows(kind)
            if accept(rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.2)

    def thresholds(self):
        channel = self.channel("response", self.tokens["viewer"])
        code, details, reply = self.call(
            channel, "/gridpilot.v1.ResponseService/GetThresholds",
            self.pb["response"].GetThresholdsRequest(),
            self.pb["response"].GetThresholdsResponse)
        channel.close()
        self.assertEqual(code, grpc.StatusCode.OK, details)
        return reply.thresholds

    def set_thresholds(self, token, thresholds):
        channel = self.channel("response", token)
        code, details, _ = self.call(
            channel, "/gridpilot.v1.ResponseService/SetThresholds",
            self.pb["response"].SetThresholdsRequest(thresholds=thresholds),
            self.pb["response"].SetThresholdsResponse)
        channel.close()
        return code, details

    def test_a_threshold_change_names_the_operator_and_a_viewer_is_refused_on_record(self):
        old = self.thresholds()
        new = self.pb["response"].Thresholds(ramp_limit_mw=old.ramp_limit_mw * 0.9,
                                             margin_mw=old.margin_mw)
        code, details = self.set_thresholds(self.tokens["operator"], new)
        self.assertEqual(code, grpc.StatusCode.OK, details)

        def changed(rows):
            return [r for r in rows if r["process"] == "response" and
                    r["identity"] == "operator" and "changed" in r["detail_json"]]
        rows = changed(self.wait_for_rows("thresholds", changed))
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0]["role"], "operator")
        self.assertEqual(rows[0]["kind"], "AUDIT_EVENT_KIND_THRESHOLDS")
        detail = json.loads(rows[0]["detail_json"])
        self.assertAlmostEqual(detail["old"]["ramp_limit_mw"], old.ramp_limit_mw)
        self.assertAlmostEqual(detail["new"]["ramp_limit_mw"], new.ramp_limit_mw)

        code, details = self.set_thresholds(self.tokens["viewer"], old)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED, details)
        self.assertAlmostEqual(self.thresholds().ramp_limit_mw, new.ramp_limit_mw)

        def refused(rows):
            return [r for r in rows if r["process"] == "response" and r["identity"] == "viewer"]
        rows = refused(self.wait_for_rows("refusal", refused))
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0]["role"], "viewer")
        detail = json.loads(rows[0]["detail_json"])
        self.assertEqual(detail["method"], "/gridpilot.v1.ResponseService/SetThresholds")
        self.assertEqual(detail["code"], "PERMISSION_DENIED")
        for token in self.tokens.values():
            self.assertNotIn(token, rows[0]["detail_json"])

    def test_a_flood_against_the_trader_costs_the_bound_and_is_counted(self):
        channel = self.channel("trader", "f" * 64)
        request = self.pb["trader"].GetTraderStatusRequest()
        response = self.pb["trader"].GetTraderStatusResponse
        method = "/gridpilot.v1.TraderService/GetTraderStatus"
        flood_start = time.monotonic()
        for _ in range(FLOOD):
            code, _, _ = self.call(channel, method, request, response)
            self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED)

        def trader(rows):
            return [r for r in rows if r["process"] == "trader"]
        rows = trader(self.wait_for_rows("refusal", lambda rows: len(trader(rows)) >= 1))
        self.assertGreaterEqual(len(rows), 1)
        self.assertLessEqual(len(rows), ROWS_PER_MINUTE)
        self.assertTrue(all(r["identity"] == "" and r["role"] == "" for r in rows), rows[:3])
        self.assertTrue(all(json.loads(r["detail_json"])["code"] == "UNAUTHENTICATED"
                            for r in rows))
        # The next minute's first refusal carries the count of those not kept: rows and
        # dropped counts add up to every refusal, so none vanished unseen.
        time.sleep(max(0.0, flood_start + 61.0 - time.monotonic()))
        code, _, _ = self.call(channel, method, request, response)
        self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED)
        channel.close()

        def accounted(rows):
            return sum(1 + int(r.get("dropped_before", 0)) for r in trader(rows))
        rows = self.wait_for_rows("refusal", lambda rows: accounted(rows) >= FLOOD + 1)
        self.assertEqual(accounted(rows), FLOOD + 1)
        self.assertLessEqual(len(trader(rows)), 2 * ROWS_PER_MINUTE)
        print("audit flood: %d refused calls against the trader -> %d rows, %d counted as "
              "dropped" % (FLOOD + 1, len(trader(rows)),
                           sum(int(r.get("dropped_before", 0)) for r in trader(rows))))

    def test_a_token_cannot_write_the_audit_log(self):
        for role, token in self.tokens.items():
            channel = self.channel("gateway", token)
            code, details, _ = self.call(
                channel, "/gridpilot.v1.AuditService/RecordAuditEvent",
                self.pb["audit"].RecordAuditEventRequest(
                    kind=self.pb["audit"].AUDIT_EVENT_KIND_THRESHOLDS, identity="operator",
                    role="operator", detail_json="{}"),
                self.pb["audit"].RecordAuditEventResponse)
            channel.close()
            self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED, role)
            self.assertIn("by their certificates", details)


if __name__ == "__main__":
    unittest.main()
