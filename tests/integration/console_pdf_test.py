#!/usr/bin/python3
"""The console's "PDF" download (GET /report.pdf) against a real console on a real stack.

Starts `gridpilot up` replaying one day in half-hour steps and a `gridpilot-console` on it;
without a session /report.pdf sends the browser to /login; a viewer logs in, the day runs
to its end (the stack stops, the console keeps what it read), and the viewer's PDF is a
PDF (%PDF, application/pdf, an attachment) whose text (Debian's pdftotext) holds the
figures the console's own /api/snapshot gives: the P&L net in whole pounds and the number
of intervals settled. The page offers the download as a "PDF" button.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin).
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import gridpilot_processes
from console_login_test import Console, read

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 240.0


class ConsolePdfTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot_console_pdf_")
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.stack_log = open(os.path.join(cls.tmp, "up.log"), "wb")
        cls.stack = subprocess.Popen(
            [os.path.join(BIN_DIR, "gridpilot"), "up", "--run_dir", cls.run_dir,
             "--from", "2023-03-08", "--to", "2023-03-08", "--step_seconds", "1800",
             "--tick_seconds", "0.2"],
            stdout=cls.stack_log, stderr=subprocess.STDOUT)
        cls.console = None
        try:
            if not gridpilot_processes.wait_for_file(os.path.join(cls.run_dir, "trader.port"),
                                                     START_TIMEOUT_S, cls.stack):
                raise RuntimeError("the stack did not come up:\n" + read(cls.stack_log.name))
            cls.viewer_token = read(
                os.path.join(cls.run_dir, "credentials", "viewer.token")).strip()
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

    def snapshot(self, cookie):
        status, _, body = self.console.request("GET", "/api/snapshot", headers={"Cookie": cookie})
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_viewer_downloads_the_run_as_pdf(self):
        c = self.console
        status, headers, _ = c.request("GET", "/report.pdf")
        self.assertEqual((status, headers.get("location")), (303, "/login"))

        cookie, _, _ = c.session(self.viewer_token)
        status, _, page = c.request("GET", "/", headers={"Cookie": cookie})
        self.assertEqual(status, 200)
        self.assertIn(b'id="pdf"', page)

        # The day runs to its end; then the console's figures no longer change.
        self.stack.wait(timeout=RUN_TIMEOUT_S)
        self.assertEqual(self.stack.returncode, 0, read(self.stack_log.name))
        before = self.snapshot(cookie)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(2.5)  # more than the console's 1 s poll
            now = self.snapshot(cookie)
            if now["version"] == before["version"]:
                break
            before = now
        self.assertEqual(now["version"], before["version"], "the console's state kept changing")
        pnl = before["pnl"]
        self.assertIsNotNone(pnl, "the console read no settlement")
        self.assertGreater(pnl["intervals_settled"], 0)

        status, headers, pdf = c.request("GET", "/report.pdf", headers={"Cookie": cookie})
        self.assertEqual(status, 200, pdf[:500])
        self.assertEqual(headers["content-type"], "application/pdf")
        self.assertIn("attachment", headers["content-disposition"])
        self.assertTrue(pdf.startswith(b"%PDF-"))
        path = os.path.join(self.tmp, "console.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                              text=True, check=True, timeout=60).stdout
        net_row = [line.split() for line in text.splitlines() if line.split()[:1] == ["net"]]
        self.assertIn(["net", "{:,}".format(round(pnl["net_gbp"]))], net_row, text)
        self.assertIn("%d intervals settled" % pnl["intervals_settled"], text)
        self.assertEqual(self.snapshot(cookie)["version"], before["version"])
        print("console PDF: %d bytes; net £%s over %d intervals" %
              (len(pdf), "{:,}".format(round(pnl["net_gbp"])), pnl["intervals_settled"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
