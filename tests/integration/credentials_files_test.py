#!/usr/bin/python3
"""`gridpilot credentials init` and the processes' refusal of open credential files.

Makes a credentials directory with the real CLI, checks what it holds and its modes, that a
second init into it is refused rather than overwriting the stack's CA, and that the gateway
refuses to start (exit 2, naming the file) when its key or the token hashes can be read by
group or others, as ssh refuses such a key.

Environment (set by ctest): GRIDPILOT_BIN_DIR (build/bin).
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# A hang detector, not a speed assertion.
TIMEOUT_S = 60.0
PROCESSES = ["gateway", "forecast", "response", "trader", "console", "alerter", "mcp",
             "launcher"]
ROLES = ["viewer", "operator", "trader", "response", "ai-agent", "admin"]


class CredentialsFilesTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gridpilot_credentials_")
        self.dir = os.path.join(self.tmp, "credentials")
        made = subprocess.run([os.path.join(BIN_DIR, "gridpilot"), "credentials", "init",
                               self.dir], capture_output=True, text=True, timeout=TIMEOUT_S)
        self.assertEqual(made.returncode, 0, made.stderr)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mode(self, name):
        return os.stat(os.path.join(self.dir, name)).st_mode & 0o777

    def test_init_writes_every_identity_and_token_privately(self):
        self.assertEqual(os.stat(self.dir).st_mode & 0o777, 0o700)
        for name in PROCESSES:
            self.assertEqual(self.mode(name + ".key"), 0o600, name)
            verified = subprocess.run(
                ["openssl", "verify", "-CAfile", os.path.join(self.dir, "ca.pem"),
                 os.path.join(self.dir, name + ".pem")], capture_output=True, text=True)
            self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
            subject = subprocess.run(
                ["openssl", "x509", "-noout", "-subject", "-in",
                 os.path.join(self.dir, name + ".pem")], capture_output=True, text=True)
            self.assertIn("CN = " + name, subject.stdout)
        tokens = {}
        for role in ROLES:
            self.assertEqual(self.mode(role + ".token"), 0o600, role)
            with open(os.path.join(self.dir, role + ".token"), encoding="ascii") as f:
                tokens[role] = f.read().strip()
        self.assertEqual(len(set(tokens.values())), len(ROLES))
        with open(os.path.join(self.dir, "tokens.sha256"), encoding="ascii") as f:
            table = f.read()
        for token in tokens.values():
            self.assertNotIn(token, table)  # only hashes on the server side

    def test_second_init_refuses_to_overwrite(self):
        again = subprocess.run([os.path.join(BIN_DIR, "gridpilot"), "credentials", "init",
                                self.dir], capture_output=True, text=True, timeout=TIMEOUT_S)
        self.assertEqual(again.returncode, 1)
        self.assertIn("already holds credentials", again.stderr)

    def gateway(self, *args):
        return subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot-gateway"), "--from=2023-06-01", "--to=2023-06-01",
             "--store", os.path.join(self.tmp, "s.sqlite"), "--port=0",
             "--port_file", os.path.join(self.tmp, "port"), *args],
            capture_output=True, text=True, timeout=TIMEOUT_S)

    def test_no_process_serves_plaintext_by_accident(self):
        # No credentials and no --insecure: refused, saying what to give.
        refused = self.gateway()
        self.assertEqual(refused.returncode, 2, refused.stderr)
        self.assertIn("no credentials", refused.stderr)
        self.assertIn("--insecure", refused.stderr)
        # --insecure off loopback: refused before it listens.
        off_loopback = self.gateway("--insecure", "--host=0.0.0.0")
        self.assertNotEqual(off_loopback.returncode, 0)
        self.assertIn("refusing to serve plaintext", off_loopback.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "port")))
        # --insecure with credentials contradicts itself.
        both = self.gateway("--insecure", "--credentials", self.dir)
        self.assertEqual(both.returncode, 2, both.stderr)
        self.assertIn("contradict", both.stderr)

    def test_every_process_has_a_private_process_token_hashed_server_side(self):
        with open(os.path.join(self.dir, "tokens.sha256"), encoding="ascii") as f:
            table = f.read()
        for name in PROCESSES:
            path = os.path.join(self.dir, name + ".process-token")
            self.assertEqual(self.mode(name + ".process-token"), 0o600, name)
            with open(path, encoding="ascii") as f:
                token = f.read().strip()
            self.assertEqual(len(token), 64)
            self.assertNotIn(token, table)
            self.assertIn("process:%s %s" % (name, hashlib.sha256(token.encode()).hexdigest()),
                          table)

    def test_gateway_refuses_files_others_can_read(self):
        for name in ["gateway.key", "tokens.sha256"]:
            path = os.path.join(self.dir, name)
            os.chmod(path, 0o644)
            gateway = subprocess.run(
                [os.path.join(BIN_DIR, "gridpilot-gateway"), "--from=2023-06-01",
                 "--to=2023-06-01", "--store", os.path.join(self.tmp, "s.sqlite"), "--port=0",
                 "--credentials", self.dir], capture_output=True, text=True, timeout=TIMEOUT_S)
            os.chmod(path, 0o600)
            self.assertEqual(gateway.returncode, 2, name)
            self.assertIn(path, gateway.stderr)
            self.assertIn("too open", gateway.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
