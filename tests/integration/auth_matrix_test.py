#!/usr/bin/python3
"""Identities, TLS and roles against a live stack over TCP (docs/decisions.md, "Identities,
TLS and roles").

Starts `gridpilot up` (which makes RUN_DIR/credentials) and attacks its four gRPC servers
with python3-grpcio: no credential, a wrong token, a token of the wrong role for each RPC
family's writes, a trader asking for resilience priority, a forged agent name, a client
certificate from another CA, plaintext to the TLS port and an expired certificate from the
stack's own CA. Every attempt is counted; none may succeed, and each must fail with the
status code the design gives it. The same requests with the right credential succeed.
The stack's Unix sockets (RUN_DIR/sock, docs/decisions.md "Unix sockets for the local
stack") are checked the same way: no token or a wrong one is UNAUTHENTICATED, a wrong role
PERMISSION_DENIED, a process token is its process and no more.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin).
"""

import datetime
import importlib
import ipaddress
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import unittest

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import gridpilot_processes
from python_client_test import generate_stubs

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 120.0
RPC_TIMEOUT_S = 10.0
OK = grpc.StatusCode.OK
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
UNAVAILABLE = grpc.StatusCode.UNAVAILABLE


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def make_certificate(common_name, issuer_name, issuer_key, not_before, not_after, is_ca=False):
    """A new EC key and a certificate for it signed by issuer_key; returns (key, cert) PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gridpilot"),
                         x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(subject if issuer_key is None else issuer_name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before)
               .not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    if not is_ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
    cert = builder.sign(key if issuer_key is None else issuer_key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key, key_pem, cert, cert.public_bytes(serialization.Encoding.PEM)


class AuthMatrixTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise RuntimeError("GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR must be set")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot_auth_")
        cls.stub_dir = os.path.join(cls.tmp, "stubs")
        os.makedirs(cls.stub_dir)
        generate_stubs(cls.stub_dir)
        sys.path.insert(0, cls.stub_dir)
        cls.pb = {name: importlib.import_module("gridpilot.v1.%s_pb2" % name)
                  for name in ["types", "asset", "clock", "forecast", "response", "trader",
                               "ledger", "anomaly", "telemetry", "approval", "audit",
                               "advice"]}
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.log = open(os.path.join(cls.tmp, "up.log"), "wb")
        cls.stack = gridpilot_processes.start_live_stack(
            BIN_DIR, cls.run_dir, "2023-03-01", "2023-03-20", cls.log)
        cls.ports = {}
        for name in ["gateway", "forecast", "response", "trader"]:
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
                      for role in ["viewer", "operator", "trader", "response", "ai-agent",
                                   "admin"]}
        cls.make_foreign_certificates()

    @classmethod
    def make_foreign_certificates(cls):
        now = datetime.datetime.utcnow()
        ca_key = serialization.load_pem_private_key(
            read(os.path.join(cls.credentials, "ca.key")), password=None)
        ca_name = x509.load_pem_x509_certificate(cls.ca).subject
        # Signed by the stack's own CA, for the right name, but expired yesterday.
        _, cls.expired_key, _, cls.expired_cert = make_certificate(
            "trader", ca_name, ca_key, now - datetime.timedelta(days=30),
            now - datetime.timedelta(days=1))
        # A well-formed, current certificate for "trader" from a CA the stack never saw.
        other_ca_key, _, other_ca, _ = make_certificate(
            "other-ca", None, None, now - datetime.timedelta(days=1),
            now + datetime.timedelta(days=30), is_ca=True)
        _, cls.foreign_key, _, cls.foreign_cert = make_certificate(
            "trader", other_ca.subject, other_ca_key, now - datetime.timedelta(days=1),
            now + datetime.timedelta(days=30))

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

    # Channels ---------------------------------------------------------------------------

    def channel(self, process, token=None, key=None, cert=None, tls=True):
        target = "127.0.0.1:%d" % self.ports[process]
        options = [("grpc.enable_http_proxy", 0)]
        if not tls:
            return grpc.insecure_channel(target, options=options)
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca, private_key=key,
                                                   certificate_chain=cert)
        if token is not None:
            credentials = grpc.composite_channel_credentials(
                credentials, grpc.access_token_call_credentials(token))
        return grpc.secure_channel(target, credentials, options=options)

    def socket_channel(self, process, token=None):
        """A channel to `process`'s Unix socket with gRPC's local credentials, as the stack's
        own processes call each other, presenting `token` if given."""
        credentials = grpc.local_channel_credentials(grpc.LocalConnectionType.UDS)
        if token is not None:
            credentials = grpc.composite_channel_credentials(
                credentials, grpc.access_token_call_credentials(token))
        return grpc.secure_channel(
            "unix:" + os.path.join(self.run_dir, "sock", process + ".sock"), credentials)

    def process_token(self, identity):
        return read(os.path.join(self.credentials, identity + ".process-token"), "r").strip()

    def own_certificate(self, identity):
        return (read(os.path.join(self.credentials, identity + ".key")),
                read(os.path.join(self.credentials, identity + ".pem")))

    # Requests ---------------------------------------------------------------------------

    def proposal_request(self, agent, priority):
        pb = self.pb
        proposal = pb["asset"].DispatchProposal(asset_id="battery-1", priority=priority,
                                                power_mw=0.0, reason="auth matrix test")
        proposal.start.FromJsonString("2023-03-03T00:00:00Z")
        proposal.end.FromJsonString("2023-03-03T00:30:00Z")
        return pb["asset"].SubmitDispatchRequest(agent=agent, proposals=[proposal])

    def call(self, channel, method, request, response_class):
        """The status code of one unary call (OK if it succeeded)."""
        stub = channel.unary_unary(method, request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=response_class.FromString)
        try:
            stub(request, timeout=RPC_TIMEOUT_S)
            return OK, ""
        except grpc.RpcError as error:
            return error.code(), error.details() or ""

    def session(self, channel, agent, answer=None, forecaster=False):
        """The status code of one ClockService.AgentSession opened as `agent` (as the
        forecaster if `forecaster`); with `answer` (a SubmitDispatchRequest), that answer goes
        to the first tick. OK if the session was still open after the first tick and the
        answer."""
        pb = self.pb
        stub = channel.stream_stream(
            "/gridpilot.v1.ClockService/AgentSession",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=pb["clock"].AgentSessionResponse.FromString)
        outgoing = [pb["clock"].AgentSessionRequest(
            open=pb["clock"].AgentSessionOpen(agent=agent, forecaster=forecaster))]
        sent = threading.Event()
        closing = threading.Event()

        def requests():
            yield outgoing[0]
            sent.wait(RPC_TIMEOUT_S)
            if len(outgoing) > 1:
                yield outgoing[1]
            closing.wait(RPC_TIMEOUT_S)  # keeps the agent's side open until the call ends

        call = stub(requests(), timeout=RPC_TIMEOUT_S)
        try:
            answered_at = None
            for response in call:
                if not response.HasField("tick"):
                    continue
                if answer is not None and answered_at is None:
                    answer.answers_tick.CopyFrom(response.tick.time)
                    outgoing.append(pb["clock"].AgentSessionRequest(answer=answer))
                    sent.set()
                    answered_at = time.monotonic()
                elif answer is None or time.monotonic() - answered_at > 3.0:
                    # Still open (ticks come every 0.2 s): nothing was refused.
                    call.cancel()
                    return OK, ""
            return OK, ""
        except grpc.RpcError as error:
            return error.code(), error.details() or ""
        finally:
            sent.set()
            closing.set()

    def reads(self):
        """(process, method, request, response class): one read per RPC family."""
        pb = self.pb
        return [
            ("gateway", "/gridpilot.v1.ClockService/GetClockStatus",
             pb["clock"].GetClockStatusRequest(), pb["clock"].GetClockStatusResponse),
            ("gateway", "/gridpilot.v1.AssetService/ListAssets",
             pb["asset"].ListAssetsRequest(), pb["asset"].ListAssetsResponse),
            ("gateway", "/gridpilot.v1.LedgerService/GetPnl",
             pb["ledger"].GetPnlRequest(), pb["ledger"].GetPnlResponse),
            ("forecast", "/gridpilot.v1.ForecastService/GetAccuracy",
             pb["forecast"].GetAccuracyRequest(), pb["forecast"].GetAccuracyResponse),
            ("forecast", "/gridpilot.v1.AnomalyService/ListAnomalies",
             pb["anomaly"].ListAnomaliesRequest(), pb["anomaly"].ListAnomaliesResponse),
            ("forecast", "/gridpilot.v1.AdviceService/Advise",
             pb["advice"].AdviseRequest(), pb["advice"].AdviseResponse),
            ("response", "/gridpilot.v1.ResponseService/GetResponseStatus",
             pb["response"].GetResponseStatusRequest(), pb["response"].GetResponseStatusResponse),
            ("trader", "/gridpilot.v1.TraderService/GetTraderStatus",
             pb["trader"].GetTraderStatusRequest(), pb["trader"].GetTraderStatusResponse),
        ]

    def audit_trail_reads(self):
        """The gateway's audit trails, as reads(): open to every role, never to no
        credential. Kept out of the TCP refusal matrix, whose refusals share the audit's
        60-a-minute budget with test_refusals_are_audited_and_rate_limited."""
        pb = self.pb
        return [
            ("gateway", "/gridpilot.v1.AssetService/ListDecisions",
             pb["asset"].ListDecisionsRequest(limit=5), pb["asset"].ListDecisionsResponse),
            ("gateway", "/gridpilot.v1.ApprovalService/ListApprovals",
             pb["approval"].ListApprovalsRequest(), pb["approval"].ListApprovalsResponse),
            ("gateway", "/gridpilot.v1.AuditService/ListAuditEvents",
             pb["audit"].ListAuditEventsRequest(limit=5), pb["audit"].ListAuditEventsResponse),
        ]

    def writes(self):
        """(process, method, request, response class, roles allowed): every write RPC."""
        pb = self.pb
        thresholds = self.current_thresholds()
        return [
            ("gateway", "/gridpilot.v1.AssetService/SubmitDispatch",
             self.proposal_request("operator", pb["types"].DISPATCH_PRIORITY_RESILIENCE),
             pb["asset"].SubmitDispatchResponse, {"operator"}),
            ("gateway", "/gridpilot.v1.AssetService/CancelDispatch",
             pb["asset"].CancelDispatchRequest(proposal_id=1),
             pb["asset"].CancelDispatchResponse, {"operator", "admin"}),
            ("gateway", "/gridpilot.v1.ApprovalService/Approve",
             pb["approval"].ApproveRequest(approval_id=1), pb["approval"].ApproveResponse,
             {"operator", "admin"}),
            ("gateway", "/gridpilot.v1.ApprovalService/Reject",
             pb["approval"].RejectRequest(approval_id=1), pb["approval"].RejectResponse,
             {"operator", "admin"}),
            ("gateway", "/gridpilot.v1.ClockService/Start", pb["clock"].StartRequest(),
             pb["clock"].StartResponse, {"operator", "admin"}),
            ("gateway", "/gridpilot.v1.ClockService/RegisterAgent",
             pb["clock"].RegisterAgentRequest(agent="trader"),
             pb["clock"].RegisterAgentResponse, {"trader"}),
            ("forecast", "/gridpilot.v1.ForecastService/ReloadModel",
             pb["forecast"].ReloadModelRequest(), pb["forecast"].ReloadModelResponse, {"admin"}),
            ("response", "/gridpilot.v1.ResponseService/SetThresholds",
             pb["response"].SetThresholdsRequest(thresholds=thresholds),
             pb["response"].SetThresholdsResponse, {"operator", "admin"}),
            # Only the stack's processes, by certificate: no token role at all.
            ("gateway", "/gridpilot.v1.AuditService/RecordAuditEvent",
             pb["audit"].RecordAuditEventRequest(kind=pb["audit"].AUDIT_EVENT_KIND_REFUSAL,
                                                 detail_json="{}"),
             pb["audit"].RecordAuditEventResponse, set()),
        ]

    def current_thresholds(self):
        channel = self.channel("response", token=self.tokens["viewer"])
        stub = channel.unary_unary(
            "/gridpilot.v1.ResponseService/GetThresholds",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=self.pb["response"].GetThresholdsResponse.FromString)
        reply = stub(self.pb["response"].GetThresholdsRequest(), timeout=RPC_TIMEOUT_S)
        channel.close()
        return reply.thresholds

    # The matrix -------------------------------------------------------------------------

    def test_no_attempt_without_the_right_credential_succeeds(self):
        pb = self.pb
        attempts = []  # (case, method, expected code, got code, details)

        def attempt(case, channel, method, request, response_class, expected):
            code, details = self.call(channel, method, request, response_class)
            attempts.append((case, method, expected, code, details))

        everything = [(p, m, r, c) for p, m, r, c in self.reads()] + [
            (p, m, r, c) for p, m, r, c, _ in self.writes()]
        for process, method, request, response_class in everything:
            channel = self.channel(process)
            attempt("no credential", channel, method, request, response_class, UNAUTHENTICATED)
            channel.close()
            channel = self.channel(process, token="0" * 64)
            attempt("wrong token", channel, method, request, response_class, UNAUTHENTICATED)
            channel.close()
            channel = self.channel(process, tls=False)
            attempt("plaintext to the TLS port", channel, method, request, response_class,
                    UNAVAILABLE)
            channel.close()
            channel = self.channel(process, key=self.foreign_key, cert=self.foreign_cert)
            attempt("client certificate from another CA", channel, method, request,
                    response_class, UNAVAILABLE)
            channel.close()
            channel = self.channel(process, key=self.expired_key, cert=self.expired_cert)
            attempt("expired client certificate", channel, method, request, response_class,
                    UNAVAILABLE)
            channel.close()
        for process, method, request, response_class, allowed in self.writes():
            for role in sorted(set(self.tokens) - allowed):
                # A trader's own dispatch or registration is allowed to its role but not as
                # "operator": that is the forged-agent case, also PERMISSION_DENIED.
                channel = self.channel(process, token=self.tokens[role])
                attempt("wrong role " + role, channel, method, request, response_class,
                        PERMISSION_DENIED)
                channel.close()
        resilience = pb["types"].DISPATCH_PRIORITY_RESILIENCE
        trading = pb["types"].DISPATCH_PRIORITY_TRADING
        submit = "/gridpilot.v1.AssetService/SubmitDispatch"
        trader_key, trader_cert = self.own_certificate("trader")
        for case, channel in [("trader token", self.channel("gateway", token=self.tokens["trader"])),
                              ("trader certificate",
                               self.channel("gateway", key=trader_key, cert=trader_cert))]:
            attempt(case + " asks for resilience priority", channel, submit,
                    self.proposal_request("trader", resilience), pb["asset"].SubmitDispatchResponse,
                    PERMISSION_DENIED)
            attempt(case + " forges agent \"response\"", channel, submit,
                    self.proposal_request("response", trading), pb["asset"].SubmitDispatchResponse,
                    PERMISSION_DENIED)
            attempt(case + " registers as \"response\"", channel,
                    "/gridpilot.v1.ClockService/RegisterAgent",
                    pb["clock"].RegisterAgentRequest(agent="response"),
                    pb["clock"].RegisterAgentResponse, PERMISSION_DENIED)
            channel.close()
        # The agent session: the role table, then the identity and band checks on the stream.
        session = "/gridpilot.v1.ClockService/AgentSession"
        for role in sorted(set(self.tokens) - {"trader"}):
            channel = self.channel("gateway", token=self.tokens[role])
            code, details = self.session(channel, "trader")
            attempts.append(("wrong role " + role, session, PERMISSION_DENIED, code, details))
            channel.close()
        channel = self.channel("gateway", key=trader_key, cert=trader_cert)
        code, details = self.session(channel, "response")
        attempts.append(("trader certificate opens a session as \"response\"", session,
                         PERMISSION_DENIED, code, details))
        code, details = self.session(channel, "trader",
                                     self.proposal_request("trader", resilience))
        attempts.append(("trader certificate answers on its session with resilience priority",
                         session, PERMISSION_DENIED, code, details))
        channel.close()
        channel = self.channel("gateway", token=self.tokens["response"])
        attempt("response token asks for trading priority", channel, submit,
                self.proposal_request("response", trading), pb["asset"].SubmitDispatchResponse,
                PERMISSION_DENIED)
        channel.close()

        succeeded = [a for a in attempts if a[3] == OK]
        wrong_code = [a for a in attempts if a[3] != a[2]]
        print("auth matrix: %d attempts, %d succeeded, %d with an unexpected code" %
              (len(attempts), len(succeeded), len(wrong_code)))
        self.assertGreaterEqual(len(attempts), 90)
        self.assertEqual(succeeded, [])
        self.assertEqual(wrong_code, [])
        for case, method, expected, code, details in attempts:
            # Messages say what was missing and never echo a secret.
            for token in self.tokens.values():
                self.assertNotIn(token, details, case)
            if code == UNAUTHENTICATED:
                self.assertTrue("no credential" in details or "token" in details, details)
            if code == PERMISSION_DENIED and case.startswith("wrong role"):
                # Refused by the role table, or (a role that may call the method but not
                # for the agent the request names) by the gateway's identity check.
                self.assertTrue("may not call " + method in details or
                                "authenticated as" in details, details)

    def test_the_right_credential_succeeds(self):
        pb = self.pb
        launcher_key, launcher_cert = self.own_certificate("launcher")
        for process, method, request, response_class in self.reads() + self.audit_trail_reads():
            for name, channel in [
                    ("viewer token", self.channel(process, token=self.tokens["viewer"])),
                    ("launcher certificate",
                     self.channel(process, key=launcher_key, cert=launcher_cert))]:
                code, details = self.call(channel, method, request, response_class)
                channel.close()
                self.assertEqual(code, OK, "%s %s: %s" % (name, method, details))
        resilience = pb["types"].DISPATCH_PRIORITY_RESILIENCE
        trading = pb["types"].DISPATCH_PRIORITY_TRADING
        submit = "/gridpilot.v1.AssetService/SubmitDispatch"
        trader_key, trader_cert = self.own_certificate("trader")
        response_key, response_cert = self.own_certificate("response")
        allowed = [
            (self.channel("gateway", token=self.tokens["operator"]),
             self.proposal_request("operator", resilience)),
            (self.channel("gateway", token=self.tokens["trader"]),
             self.proposal_request("trader", trading)),
            (self.channel("gateway", key=trader_key, cert=trader_cert),
             self.proposal_request("trader", trading)),
            (self.channel("gateway", key=response_key, cert=response_cert),
             self.proposal_request("response", resilience)),
        ]
        for channel, request in allowed:
            code, details = self.call(channel, submit, request, pb["asset"].SubmitDispatchResponse)
            channel.close()
            self.assertEqual(code, OK, "%s: %s" % (request.agent, details))
        thresholds = self.current_thresholds()
        channel = self.channel("response", token=self.tokens["operator"])
        code, details = self.call(channel, "/gridpilot.v1.ResponseService/SetThresholds",
                                  pb["response"].SetThresholdsRequest(thresholds=thresholds),
                                  pb["response"].SetThresholdsResponse)
        channel.close()
        self.assertEqual(code, OK, details)

    def test_refusals_are_audited_and_rate_limited(self):
        pb = self.pb
        trader_key, trader_cert = self.own_certificate("trader")
        channel = self.channel("gateway", key=trader_key, cert=trader_cert)
        code, _ = self.call(channel, "/gridpilot.v1.AssetService/SubmitDispatch",
                            self.proposal_request("trader", pb["types"].DISPATCH_PRIORITY_RESILIENCE),
                            pb["asset"].SubmitDispatchResponse)
        channel.close()
        self.assertEqual(code, PERMISSION_DENIED)
        # A flood with a wrong token: more than the 60 rows a minute the audit keeps.
        flood = 300
        channel = self.channel("gateway", token="f" * 64)
        for _ in range(flood):
            code, _ = self.call(channel, "/gridpilot.v1.ClockService/GetClockStatus",
                                pb["clock"].GetClockStatusRequest(),
                                pb["clock"].GetClockStatusResponse)
            self.assertEqual(code, UNAUTHENTICATED)
        channel.close()
        store = os.path.join(self.run_dir, "store.sqlite")
        deadline = time.monotonic() + 60.0
        rows = []
        while time.monotonic() < deadline:
            with sqlite3.connect("file:%s?mode=ro" % store, uri=True) as db:
                rows = db.execute("SELECT method, identity, role, code, reason, dropped_before "
                                  "FROM refused_calls").fetchall()
            if any(r[1] == "trader" for r in rows) and any(r[1] == "" for r in rows):
                break
            time.sleep(0.2)
        self.assertTrue(any(r[0] == "/gridpilot.v1.AssetService/SubmitDispatch" and
                            r[1] == "trader" and r[2] == "trader" and
                            r[3] == "PERMISSION_DENIED" and "RESILIENCE" in r[4] for r in rows),
                        rows[:5])
        unauthenticated = [r for r in rows if r[3] == "UNAUTHENTICATED"]
        self.assertGreater(len(unauthenticated), 0)
        # Rate-limited: fewer rows than refusals (the whole test class makes a few hundred
        # refusals to the gateway in well under three minutes: at most 3 x 60 rows).
        self.assertLessEqual(len(rows), 180)
        self.assertLess(len(rows), flood)
        for row in rows:
            for token in self.tokens.values():
                self.assertNotIn(token, row[4])

    def test_each_call_on_a_shared_connection_is_its_own_caller(self):
        # Two tokens on one TLS connection: the second call must not inherit the first
        # call's identity (gRPC hands the authorizer the connection's AuthContext).
        pb = self.pb
        resilience = pb["types"].DISPATCH_PRIORITY_RESILIENCE
        channel = self.channel("gateway")
        stub = channel.unary_unary(
            "/gridpilot.v1.AssetService/SubmitDispatch",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=pb["asset"].SubmitDispatchResponse.FromString)
        as_operator = grpc.access_token_call_credentials(self.tokens["operator"])
        as_trader = grpc.access_token_call_credentials(self.tokens["trader"])
        request = self.proposal_request("operator", resilience)
        for _ in range(3):
            stub(request, timeout=RPC_TIMEOUT_S, credentials=as_operator)
            with self.assertRaises(grpc.RpcError) as raised:
                stub(request, timeout=RPC_TIMEOUT_S, credentials=as_trader)
            self.assertEqual(raised.exception.code(), PERMISSION_DENIED)
            self.assertIn("authenticated as \"trader\"", raised.exception.details())
        channel.close()

    def test_a_forecaster_session_needs_the_forecast_identity(self):
        # The roles table lets the viewer role (the forecast process's) call AgentSession;
        # the gateway then refuses a forecaster session from any identity but "forecast",
        # and audits the refusal.
        trader_key, trader_cert = self.own_certificate("trader")
        cases = [
            ("viewer token", self.channel("gateway", token=self.tokens["viewer"]), "viewer"),
            ("trader certificate", self.channel("gateway", key=trader_key, cert=trader_cert),
             "trader"),
            ("trader process token on the Unix socket",
             self.socket_channel("gateway", token=self.process_token("trader")), "trader"),
        ]
        for case, channel, identity in cases:
            code, details = self.session(channel, identity, forecaster=True)
            channel.close()
            self.assertEqual(code, PERMISSION_DENIED, "%s: %s" % (case, details))
            self.assertIn("may not open a forecaster session", details, case)
        store = os.path.join(self.run_dir, "store.sqlite")
        deadline = time.monotonic() + 60.0
        rows = []
        while time.monotonic() < deadline:
            with sqlite3.connect("file:%s?mode=ro" % store, uri=True) as db:
                rows = db.execute("SELECT identity, code FROM refused_calls WHERE method = ? "
                                  "AND reason LIKE '%may not open a forecaster session%'",
                                  ("/gridpilot.v1.ClockService/AgentSession",)).fetchall()
            if {"viewer", "trader"} <= {r[0] for r in rows}:
                break
            time.sleep(0.2)
        self.assertTrue({"viewer", "trader"} <= {r[0] for r in rows}, rows)
        self.assertTrue(all(r[1] == "PERMISSION_DENIED" for r in rows), rows)

    def test_key_and_token_files_are_private(self):
        for name in os.listdir(self.credentials):
            mode = os.stat(os.path.join(self.credentials, name)).st_mode & 0o777
            if name.endswith(".key") or name.endswith("token") or name == "tokens.sha256":
                self.assertEqual(mode, 0o600, name)
        self.assertTrue(any(name.endswith(".process-token")
                            for name in os.listdir(self.credentials)))

    @staticmethod
    def trader_process_may_not(method, allowed):
        """Whether the trader's process credential is refused `method` (token roles
        `allowed`): RecordAuditEvent is open to the stack's own processes by their process
        credential (certificate or process token), whatever the role table says."""
        return "trader" not in allowed and method != "/gridpilot.v1.AuditService/RecordAuditEvent"

    def test_unix_sockets_check_every_call_as_tcp_does(self):
        pb = self.pb
        sockets = os.path.join(self.run_dir, "sock")
        self.assertEqual(os.stat(sockets).st_mode & 0o777, 0o700)
        attempts = []  # (case, method, expected code, got code, details)

        def attempt(case, channel, method, request, response_class, expected):
            code, details = self.call(channel, method, request, response_class)
            attempts.append((case, method, expected, code, details))
            channel.close()

        everything = [(p, m, r, c) for p, m, r, c in self.reads() + self.audit_trail_reads()] + [
            (p, m, r, c) for p, m, r, c, _ in self.writes()]
        for process, method, request, response_class in everything:
            attempt("UDS, no token", self.socket_channel(process), method, request,
                    response_class, UNAUTHENTICATED)
            attempt("UDS, wrong token", self.socket_channel(process, "0" * 64), method, request,
                    response_class, UNAUTHENTICATED)
        for process, method, request, response_class, allowed in self.writes():
            attempt("UDS, viewer token for a write", self.socket_channel(
                process, self.tokens["viewer"]), method, request, response_class,
                PERMISSION_DENIED)
            if self.trader_process_may_not(method, allowed):
                attempt("UDS, trader process token for a write it may not make",
                        self.socket_channel(process, self.process_token("trader")), method,
                        request, response_class, PERMISSION_DENIED)
        resilience = pb["types"].DISPATCH_PRIORITY_RESILIENCE
        trading = pb["types"].DISPATCH_PRIORITY_TRADING
        submit = "/gridpilot.v1.AssetService/SubmitDispatch"
        reply = pb["asset"].SubmitDispatchResponse
        trader = self.process_token("trader")
        attempt("UDS, trader process asking for resilience priority",
                self.socket_channel("gateway", trader), submit,
                self.proposal_request("trader", resilience), reply, PERMISSION_DENIED)
        attempt("UDS, trader process forging the response agent's name",
                self.socket_channel("gateway", trader), submit,
                self.proposal_request("response", trading), reply, PERMISSION_DENIED)
        refused = len(attempts)
        # The right credential over the socket: reads as a viewer, the response agent's
        # own proposal with its process token.
        for process, method, request, response_class in self.reads() + self.audit_trail_reads():
            attempt("UDS, viewer read", self.socket_channel(process, self.tokens["viewer"]),
                    method, request, response_class, OK)
        attempt("UDS, response process proposes in its band",
                self.socket_channel("gateway", self.process_token("response")), submit,
                self.proposal_request("response", resilience), reply, OK)
        wrong = [a for a in attempts if a[2] != a[3]]
        succeeded = [a for a in attempts[:refused] if a[3] == OK]
        print("UDS auth matrix: %d attempts to be refused, %d succeeded, %d with an unexpected "
              "code; %d with the right credential" % (refused, len(succeeded), len(wrong),
                                                      len(attempts) - refused))
        self.assertEqual(wrong, [], "%d attempts" % len(attempts))
        non_trader_writes = len([w for w in self.writes() if self.trader_process_may_not(w[1], w[4])])
        self.assertEqual(refused, 2 * len(everything) + len(self.writes()) + non_trader_writes + 2)
        for case, _, _, _, details in attempts:
            for token in list(self.tokens.values()) + [trader]:
                self.assertNotIn(token, details, case)


if __name__ == "__main__":
    unittest.main(verbosity=2)
