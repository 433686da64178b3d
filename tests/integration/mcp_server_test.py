#!/usr/bin/python3
"""gridpilot-mcp against a live stack (docs/decisions.md, "MCP server").

Starts `gridpilot up` (which starts gridpilot-mcp and writes RUN_DIR/mcp.port) and:
  - drives it with the official MCP TypeScript SDK client (mcp-client/, `npm ci` there)
    over Streamable HTTP and over stdio (`gridpilot mcp --stdio`): initialize, list tools,
    resources and prompts, read state, submit within limits (applied, in the audit log),
    a refused call (a viewer's submit: PERMISSION_DENIED), a subscription's updates;
  - runs the official conformance suite (@modelcontextprotocol/conformance) on every
    scenario that applies to gridpilot's tools, through a proxy that adds a token;
  - sends a few hundred bad inputs over HTTP and stdio and checks each gets the right
    HTTP status or JSON-RPC error, and that the server still answers afterwards.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin).
"""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import gridpilot_processes

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
CLIENT_DIR = os.path.join(SOURCE_DIR, "mcp-client")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 120.0
NODE_TIMEOUT_S = 240.0
HTTP_TIMEOUT_S = 20.0

# The conformance scenarios that apply to a server with gridpilot's tools (README, "MCP
# server"); the others call the suite's own fixture tools, resources and prompts
# (test_simple_text, test://static-text, ...) or features gridpilot does not offer.
APPLICABLE_SCENARIOS = [
    "server-initialize", "ping", "logging-set-level", "tools-list", "resources-list",
    "prompts-list", "server-sse-multiple-streams", "dns-rebinding-protection",
]

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602


def read(path):
    with open(path) as f:
        return f.read().strip()


class McpServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise RuntimeError("GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR must be set")
        if not os.path.isdir(os.path.join(CLIENT_DIR, "node_modules", "@modelcontextprotocol")):
            raise RuntimeError("mcp-client/node_modules is missing: run `npm ci` in mcp-client "
                               "(deploy/build.sh does)")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot_mcp_")
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.log = open(os.path.join(cls.tmp, "up.log"), "wb")
        cls.stack = gridpilot_processes.start_live_stack(
            BIN_DIR, cls.run_dir, "2023-03-01", "2023-03-20", cls.log)
        port_file = os.path.join(cls.run_dir, "mcp.port")
        if not gridpilot_processes.wait_for_file(port_file, START_TIMEOUT_S, cls.stack):
            cls.tearDownClass()
            raise RuntimeError("gridpilot-mcp never listened:\n" + cls.up_log())
        text = ""
        while not text:
            text = read(port_file)
        cls.port = int(text)
        cls.url = "http://127.0.0.1:%d/mcp" % cls.port
        cls.credentials = os.path.join(cls.run_dir, "credentials")
        cls.tokens = {role: read(os.path.join(cls.credentials, role + ".token"))
                      for role in ["viewer", "operator", "ai-agent"]}

    @classmethod
    def up_log(cls):
        with open(os.path.join(cls.tmp, "up.log")) as f:
            return f.read()[-4000:]

    @classmethod
    def tearDownClass(cls):
        gridpilot_processes.stop(cls.stack)
        cls.log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # HTTP helpers -------------------------------------------------------------------------
    def post(self, body, token="operator", session=None, headers=None):
        """POSTs `body` (bytes or a JSON value) to /mcp; returns (status, headers, text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT_S)
        sent = {"Content-Type": "application/json",
                "Accept": "application/json, text/event-stream"}
        if token is not None:
            sent["Authorization"] = "Bearer " + self.tokens.get(token, token)
        if session is not None:
            sent["Mcp-Session-Id"] = session
        sent.update(headers or {})
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        connection.request("POST", "/mcp", body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, response, text

    def open_session(self, token="operator"):
        status, response, text = self.post(
            {"jsonrpc": "2.0", "id": 0, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "bad-input", "version": "1"}}}, token=token)
        self.assertEqual(status, 200, text)
        session = response.getheader("Mcp-Session-Id")
        self.assertTrue(session)
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, token=token,
                  session=session)
        return session

    def assert_rpc_error(self, body, code, session, case, http_status=(200, 400)):
        status, _, text = self.post(body, session=session)
        self.assertIn(status, http_status, "%s: HTTP %d %s" % (case, status, text[:200]))
        reply = json.loads(text)
        self.assertIn("error", reply, "%s: %s" % (case, text[:300]))
        self.assertEqual(reply["error"]["code"], code, "%s: %s" % (case, text[:300]))
        return reply

    def assert_still_serving(self, session):
        status, _, text = self.post({"jsonrpc": "2.0", "id": "alive", "method": "ping"},
                                    session=session)
        self.assertEqual(status, 200, text)
        self.assertEqual(json.loads(text), {"jsonrpc": "2.0", "id": "alive", "result": {}})

    # The official SDK client --------------------------------------------------------------
    def test_sdk_client_over_http_and_stdio(self):
        done = subprocess.run(
            ["node", "sdk_client_check.mjs", "--url", self.url, "--credentials", self.credentials,
             "--gridpilot", os.path.join(BIN_DIR, "gridpilot"), "--run_dir", self.run_dir],
            cwd=CLIENT_DIR, capture_output=True, text=True, timeout=NODE_TIMEOUT_S)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("http: ok", done.stdout)
        self.assertIn("stdio: ok", done.stdout)

    # The official conformance suite -------------------------------------------------------
    def test_conformance_scenarios_that_apply_pass(self):
        proxy_port_file = os.path.join(self.tmp, "proxy.port")
        proxy = subprocess.Popen(
            ["node", "auth_proxy.mjs", "--target", "http://127.0.0.1:%d" % self.port,
             "--token_file", os.path.join(self.credentials, "ai-agent.token"),
             "--port_file", proxy_port_file], cwd=CLIENT_DIR)
        try:
            self.assertTrue(gridpilot_processes.wait_for_file(proxy_port_file, 30, proxy))
            time.sleep(0.1)
            proxy_url = "http://127.0.0.1:%s/mcp" % read(proxy_port_file)
            for scenario in APPLICABLE_SCENARIOS:
                out = os.path.join(self.tmp, "conformance", scenario)
                done = subprocess.run(
                    ["node", "node_modules/@modelcontextprotocol/conformance/dist/index.js",
                     "server", "--url", proxy_url, "--scenario", scenario, "-o", out],
                    cwd=CLIENT_DIR, capture_output=True, text=True, timeout=NODE_TIMEOUT_S)
                checks = []
                for root, _, files in os.walk(out):
                    if "checks.json" in files:
                        with open(os.path.join(root, "checks.json")) as f:
                            checks += json.load(f)
                self.assertTrue(checks, "%s: no checks ran\n%s" % (scenario, done.stdout[-2000:]))
                failed = [c for c in checks if c.get("status") not in ("SUCCESS", "INFO")]
                self.assertEqual(failed, [], "%s:\n%s" % (scenario, done.stdout[-2000:]))
                self.assertEqual(done.returncode, 0, scenario + "\n" + done.stdout[-2000:])
        finally:
            gridpilot_processes.stop(proxy)

    # Bad input ----------------------------------------------------------------------------
    def test_bad_input_over_http_gets_the_right_error_every_time(self):
        cases = 0
        session = self.open_session()
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}

        # Credentials: none, wrong, malformed: 401 with WWW-Authenticate.
        for token in [None, "0" * 64, "not-a-token", "", "Bearer", "viewer x"]:
            status, response, text = self.post(ping, token=token, session=session)
            self.assertEqual(status, 401, "token %r: %s" % (token, text))
            self.assertIn("Bearer", response.getheader("WWW-Authenticate") or "")
            self.assertNotIn(self.tokens["operator"], text)
            cases += 1
        for header in ["Basic dXNlcjpwYXNz", "bearer " + self.tokens["operator"], "Token x"]:
            status, _, _ = self.post(ping, token=None, session=session,
                                     headers={"Authorization": header})
            self.assertEqual(status, 401, header)
            cases += 1
        # Foreign Origins (DNS rebinding): 403; loopback ones pass.
        for origin in ["http://evil.example", "https://localhost.evil.example",
                       "http://127.0.0.1.nip.io:8080", "null", "http://localhost:80x",
                       "file://", "http://[::2]:80", "http://localhost@evil.example"]:
            status, _, text = self.post(ping, session=session, headers={"Origin": origin})
            self.assertEqual(status, 403, "%s: %s" % (origin, text))
            cases += 1
        for origin in ["http://localhost:3000", "http://127.0.0.1", "https://[::1]:8443"]:
            status, _, text = self.post(ping, session=session, headers={"Origin": origin})
            self.assertEqual(status, 200, "%s: %s" % (origin, text))
            cases += 1
        # Sessions: missing, unknown, another credential's.
        self.assertEqual(self.post(ping)[0], 400)
        self.assertEqual(self.post(ping, session="f" * 32)[0], 404)
        self.assertEqual(self.post(ping, token="viewer", session=session)[0], 403)
        cases += 3
        # Transport framing: huge bodies, wrong content type, unsupported protocol version.
        for size in [1 << 20 + 1, 3 << 20, 8 << 20]:
            status, _, _ = self.post(b" " * size, session=session)
            self.assertEqual(status, 413, size)
            cases += 1
        for content_type in ["text/plain", "application/x-www-form-urlencoded"]:
            status, _, _ = self.post(ping, session=session, headers={"Content-Type": content_type})
            self.assertEqual(status, 415, content_type)
            cases += 1
        for version in ["1999-01-01", "latest", "2025-06-18x"]:
            status, _, _ = self.post(ping, session=session,
                                     headers={"MCP-Protocol-Version": version})
            self.assertEqual(status, 400, version)
            cases += 1

        # Malformed JSON: parse error.
        for text in ["", "{", "}", "[", "{\"jsonrpc\":", "nul", "{'a':1}", "{\"a\":1,}",
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"", "\x00\x01", "\xff\xfe",
                     "{\"power_mw\": NaN}", "{\"power_mw\": Infinity}", "{\"x\": 1e400}",
                     "{\"x\": -1e99999}", "[1,2", "\"unterminated", "{\"a\" 1}", "tru", "01",
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}}", "{} {}"]:
            self.assert_rpc_error(text.encode("utf-8", "surrogateescape"), PARSE_ERROR, session,
                                  "text %r" % text)
            cases += 1
        # Wrong JSON-RPC envelopes: invalid request.
        envelopes = [
            {"jsonrpc": "1.0", "id": 1, "method": "ping"}, {"jsonrpc": 2.0, "id": 1, "method": "ping"},
            {"id": 1, "method": "ping"}, {"jsonrpc": None, "id": 1, "method": "ping"},
            {"jsonrpc": "2.0 ", "id": 1, "method": "ping"}, {"jsonrpc": ["2.0"], "id": 1, "method": "ping"},
            {"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"},
            {"jsonrpc": "2.0", "id": [1], "method": "ping"},
            {"jsonrpc": "2.0", "id": True, "method": "ping"},
            {"jsonrpc": "2.0", "id": 1.5, "method": "ping"},
            {"jsonrpc": "2.0", "id": 1, "method": 7}, {"jsonrpc": "2.0", "id": 1, "method": None},
            {"jsonrpc": "2.0", "id": 1, "method": ""}, {"jsonrpc": "2.0", "id": 1, "method": ["ping"]},
            {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]},
            {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": "x"},
            {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": 3},
            {"jsonrpc": "2.0", "id": 1}, {"jsonrpc": "2.0", "id": 1, "result": {}, "error": {}},
            {"jsonrpc": "2.0"}, [ping], [], 1, "ping", None, True,
        ]
        for envelope in envelopes:
            self.assert_rpc_error(json.dumps(envelope).encode(), INVALID_REQUEST, session,
                                  "envelope %r" % (envelope,))
            cases += 1
        # Unknown methods: method not found, echoing the id.
        for i, method in enumerate(["tools/run", "Tools/list", "initialize2", "resources/write",
                                    "admin/shutdown", "sampling/createMessage", "x" * 5000,
                                    "completion/complete", "prompts/run", "tools/list/",
                                    "../etc/passwd", "\u00e9", "elicitation/create",
                                    "tasks/list", "roots/list"]):
            reply = self.assert_rpc_error({"jsonrpc": "2.0", "id": 100 + i, "method": method},
                                          METHOD_NOT_FOUND, session, "method %r" % method[:40])
            self.assertEqual(reply["id"], 100 + i)
            cases += 1
        # Unknown tools, and tools/call without a usable name: invalid params.
        for name in ["", "get-grid-state", "GET_GRID_STATE", "rm -rf /", "x" * 1000, "submit",
                     "submit_dispatch ", "list_decisions\n", "\u2603", "simulate_everything"]:
            self.assert_rpc_error({"jsonrpc": "2.0", "id": "u", "method": "tools/call",
                                   "params": {"name": name, "arguments": {}}},
                                  INVALID_PARAMS, session, "tool %r" % name[:40])
            cases += 1
        for params in [{}, {"name": 3}, {"name": None}, {"name": ["list_assets"]},
                       {"name": "list_assets", "arguments": []},
                       {"name": "list_assets", "arguments": "x"},
                       {"name": "list_assets", "arguments": 1}]:
            self.assert_rpc_error({"jsonrpc": "2.0", "id": "p", "method": "tools/call",
                                   "params": params}, INVALID_PARAMS, session, "params %r" % params)
            cases += 1

        # Wrong argument types, for every property of every tool's input schema.
        status, _, text = self.post({"jsonrpc": "2.0", "id": "l", "method": "tools/list"},
                                    session=session)
        tools = json.loads(text)["result"]["tools"]
        cursor = json.loads(text)["result"].get("nextCursor")
        while cursor:
            page = json.loads(self.post({"jsonrpc": "2.0", "id": "l", "method": "tools/list",
                                         "params": {"cursor": cursor}}, session=session)[2])
            tools += page["result"]["tools"]
            cursor = page["result"].get("nextCursor")
        wrong_by_type = {"string": [12, True, [], {}, None], "number": ["5", [], {}, None, True],
                         "integer": [1.5, "1", [], None, True], "boolean": ["true", 1, None, []]}
        for tool in tools:
            schema = tool["inputSchema"]
            for name, prop in schema.get("properties", {}).items():
                for wrong in wrong_by_type.get(prop.get("type"), []):
                    self.assert_rpc_error(
                        {"jsonrpc": "2.0", "id": "w", "method": "tools/call",
                         "params": {"name": tool["name"], "arguments": {name: wrong}}},
                        INVALID_PARAMS, session, "%s.%s = %r" % (tool["name"], name, wrong))
                    cases += 1
            self.assert_rpc_error({"jsonrpc": "2.0", "id": "x", "method": "tools/call",
                                   "params": {"name": tool["name"],
                                              "arguments": {"no_such_argument": 1}}},
                                  INVALID_PARAMS, session, "%s: unknown argument" % tool["name"])
            cases += 1

        # Powers: non-finite or beyond any asset's bound are invalid params; within the
        # schema's bound but beyond the asset's limits the gateway refuses (a tool error).
        base = {"asset_id": "battery-1", "priority": "DISPATCH_PRIORITY_RESILIENCE",
                "start": "2023-03-10T00:00:00Z", "end": "2023-03-10T01:00:00Z",
                "reason": "bad input test"}
        for power in ["NaN", "Infinity", "-Infinity", 1e5, -1e5, 1e300, -10000.5]:
            self.assert_rpc_error({"jsonrpc": "2.0", "id": "pw", "method": "tools/call",
                                   "params": {"name": "submit_dispatch",
                                              "arguments": dict(base, power_mw=power,
                                                                idempotency_key="pw%r" % power)}},
                                  INVALID_PARAMS, session, "power %r" % power)
            cases += 1
        for i, power in enumerate([10000, -10000, 51, -50.5, 9999.9]):
            status, _, text = self.post(
                {"jsonrpc": "2.0", "id": "g", "method": "tools/call",
                 "params": {"name": "submit_dispatch",
                            "arguments": dict(base, power_mw=power, idempotency_key="gw%d" % i)}},
                session=session)
            result = json.loads(text)["result"]
            self.assertTrue(result["isError"], "power %r: %s" % (power, text))
            self.assertTrue(result["content"][0]["text"].startswith("INVALID_ARGUMENT: "), text)
            cases += 1
        # Times and keys.
        for field, value in [("start", "yesterday"), ("start", "2023-13-01T00:00:00Z"),
                             ("end", "2023-03-09T00:00:00Z"), ("end", "2024-03-10T00:00:00Z"),
                             ("idempotency_key", ""), ("reason", ""), ("asset_id", "b" * 65),
                             ("priority", "DISPATCH_PRIORITY_UNSPECIFIED"), ("priority", "URGENT")]:
            arguments = dict(base, power_mw=1.0, idempotency_key="t")
            arguments[field] = value
            self.assert_rpc_error({"jsonrpc": "2.0", "id": "t", "method": "tools/call",
                                   "params": {"name": "submit_dispatch", "arguments": arguments}},
                                  INVALID_PARAMS, session, "%s = %r" % (field, value))
            cases += 1
        # Other methods' parameters.
        for method, params, code in [
                ("resources/read", {}, INVALID_PARAMS), ("resources/read", {"uri": 5}, INVALID_PARAMS),
                ("resources/read", {"uri": "file:///etc/passwd"}, -32002),
                ("resources/subscribe", {"uri": "gridpilot://nope"}, -32002),
                ("resources/subscribe", {"uri": "gridpilot://region/glossary"}, INVALID_PARAMS),
                ("prompts/get", {"name": "nope"}, INVALID_PARAMS), ("prompts/get", {}, INVALID_PARAMS),
                ("prompts/get", {"name": "daily_operations_report", "arguments": {"day": 3}},
                 INVALID_PARAMS),
                ("logging/setLevel", {"level": "loud"}, INVALID_PARAMS),
                ("logging/setLevel", {}, INVALID_PARAMS), ("tools/list", {"cursor": "zz"}, INVALID_PARAMS),
                ("tools/list", {"cursor": 7}, INVALID_PARAMS),
                ("initialize", {}, INVALID_PARAMS), ("initialize", {"protocolVersion": 7}, INVALID_PARAMS)]:
            self.assert_rpc_error({"jsonrpc": "2.0", "id": "m", "method": method, "params": params},
                                  code, session, "%s %r" % (method, params))
            cases += 1

        self.assert_still_serving(session)
        self.assertEqual(self.stack.poll(), None, "the stack stopped:\n" + self.up_log())
        self.assertGreaterEqual(cases, 200)
        print("bad input over HTTP: %d cases" % cases)

    def test_bad_input_over_stdio_keeps_stdout_pure_json_rpc(self):
        process = subprocess.Popen(
            [os.path.join(BIN_DIR, "gridpilot"), "mcp", "--stdio", "--run_dir", self.run_dir,
             "--role", "viewer"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        lines = [
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                   "clientInfo": {"name": "t", "version": "1"}}}),
            "{", "not json", "{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"ping\"}",
            json.dumps({"jsonrpc": "2.0", "id": 3, "method": "no/such"}),
            json.dumps({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                        "params": {"name": "submit_dispatch", "arguments": {"power_mw": "x"}}}),
            "x" * (2 << 20),
            json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json.dumps({"jsonrpc": "2.0", "id": 5, "method": "ping"}),
        ]
        out, _ = process.communicate(("\n".join(lines) + "\n").encode(), timeout=60)
        replies = [json.loads(line) for line in out.decode().splitlines()]  # all JSON
        by_id = {json.dumps(r.get("id")): r for r in replies}
        self.assertEqual(by_id["1"]["result"]["protocolVersion"], "2025-11-25")
        self.assertEqual(by_id["2"]["error"]["code"], INVALID_REQUEST)
        self.assertEqual(by_id["3"]["error"]["code"], METHOD_NOT_FOUND)
        self.assertEqual(by_id["4"]["error"]["code"], INVALID_PARAMS)
        self.assertEqual(by_id["5"]["result"], {})
        errors_without_id = [r["error"]["code"] for r in replies if r.get("id") is None]
        self.assertEqual(errors_without_id,
                         [PARSE_ERROR, PARSE_ERROR, PARSE_ERROR])
        self.assertEqual(process.returncode, 0)


if __name__ == "__main__":
    unittest.main()
