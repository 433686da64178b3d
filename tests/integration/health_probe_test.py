#!/usr/bin/python3
"""gridpilot-health-probe, the container health check, against a real server.

Starts the real gridpilot-gateway on a free port and checks the probe's exit codes:
0 when the gateway's grpc.health.v1 service says SERVING, 1 for a port nothing listens on
(within its timeout) and for a service name the server does not know, 2 without
--address. Against a TLS-only gateway (as in compose): 0 with --ca and a token, 1 over
plaintext or with a wrong token, 2 for an unreadable --ca.

Environment (set by ctest): GRIDPILOT_BIN_DIR (build/bin).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import unittest

from gridpilot_processes import by_hand, stop, wait_for_file

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
START_TIMEOUT_S = 60.0  # hang detector, not a speed assertion


def probe(*args):
    return subprocess.run([os.path.join(BIN_DIR, "gridpilot-health-probe"), *args],
                          capture_output=True, text=True, timeout=30)


class HealthProbeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BIN_DIR:
            raise unittest.SkipTest("GRIDPILOT_BIN_DIR is not set (run under ctest)")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot-probe-")
        port_file = os.path.join(cls.tmp, "gateway.port")
        cls.gateway = subprocess.Popen(
            by_hand(BIN_DIR, "gridpilot-gateway", "--from=2023-06-01",
                    "--to=2023-06-01", "--port=0", "--port_file=" + port_file,
                    "--store=" + os.path.join(cls.tmp, "store.sqlite")),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_file(port_file, START_TIMEOUT_S, cls.gateway):
            cls.tearDownClass()
            raise AssertionError("the gateway did not start")
        with open(port_file) as f:
            cls.address = "127.0.0.1:" + f.read().strip()

    @classmethod
    def tearDownClass(cls):
        stop(cls.gateway)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_serving_server_exits_0(self):
        result = probe("--address=" + self.address)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("SERVING", result.stdout)

    def test_nothing_listening_exits_1(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            unused = s.getsockname()[1]
        result = probe(f"--address=127.0.0.1:{unused}", "--timeout_seconds=0.5")
        self.assertEqual(result.returncode, 1)
        self.assertIn("health check failed", result.stderr)

    def test_unknown_service_exits_1(self):
        result = probe("--address=" + self.address, "--service=no.such.Service")
        self.assertEqual(result.returncode, 1)

    def test_missing_address_exits_2(self):
        self.assertEqual(probe().returncode, 2)


class HealthProbeOverTlsTest(unittest.TestCase):
    """The compose health checks: a gateway serving TLS only, probed with the CA and a token."""

    @classmethod
    def setUpClass(cls):
        if not BIN_DIR:
            raise unittest.SkipTest("GRIDPILOT_BIN_DIR is not set (run under ctest)")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot-probe-tls-")
        cls.credentials = os.path.join(cls.tmp, "credentials")
        subprocess.run([os.path.join(BIN_DIR, "gridpilot"), "credentials", "init",
                        cls.credentials], check=True, stdout=subprocess.DEVNULL)
        port_file = os.path.join(cls.tmp, "gateway.port")
        cls.gateway = subprocess.Popen(
            [os.path.join(BIN_DIR, "gridpilot-gateway"), "--from=2023-06-01",
             "--to=2023-06-01", "--port=0", "--port_file=" + port_file,
             "--credentials=" + cls.credentials,
             "--store=" + os.path.join(cls.tmp, "store.sqlite")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_file(port_file, START_TIMEOUT_S, cls.gateway):
            cls.tearDownClass()
            raise AssertionError("the gateway did not start")
        with open(port_file) as f:
            cls.address = "127.0.0.1:" + f.read().strip()

    @classmethod
    def tearDownClass(cls):
        stop(cls.gateway)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_ca_and_token_exit_0(self):
        result = probe("--address=" + self.address,
                       "--ca=" + os.path.join(self.credentials, "ca.pem"),
                       "--token_file=" + os.path.join(self.credentials, "viewer.token"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("SERVING", result.stdout)

    def test_plaintext_or_no_token_exits_1(self):
        plaintext = probe("--address=" + self.address, "--timeout_seconds=1")
        self.assertEqual(plaintext.returncode, 1)
        wrong = os.path.join(self.tmp, "wrong.token")
        with open(wrong, "w") as f:
            f.write("0" * 64)
        result = probe("--address=" + self.address,
                       "--ca=" + os.path.join(self.credentials, "ca.pem"), "--token_file=" + wrong)
        self.assertEqual(result.returncode, 1)
        self.assertIn("not one of this stack's tokens", result.stderr)

    def test_unreadable_ca_exits_2(self):
        result = probe("--address=" + self.address, "--ca=" + os.path.join(self.tmp, "none"),
                       "--token_file=" + os.path.join(self.credentials, "viewer.token"))
        self.assertEqual(result.returncode, 2)


if __name__ == "__main__":
    unittest.main()
