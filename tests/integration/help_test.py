#!/usr/bin/python3
"""--help and -h on every product binary and every `gridpilot` subcommand.

Each must print its usage on stdout and exit 0: what it is (the binary or command named)
and its flags, among them one it really accepts. For the gridpilot-* processes the flags
printed must be every flag their main.cc defines, with its default.

Environment (set by ctest): GRIDPILOT_BIN_DIR (build/bin), GRIDPILOT_SOURCE_DIR.
"""

import os
import re
import subprocess
import unittest

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")

# Binary -> (its main.cc, a flag it accepts).
BINARIES = {
    "gridpilot-gateway": ("services/gateway/main.cc", "--config"),
    "gridpilot-forecast": ("services/forecast/main.cc", "--registry"),
    "gridpilot-response": ("agents/response/main.cc", "--forecast_wait_seconds"),
    "gridpilot-trader": ("agents/trader/main.cc", "--risk_aversion"),
    "gridpilot-console": ("services/console/main.cc", "--http_port"),
    "gridpilot-alerter": ("services/alerts/main.cc", "--linger_after_run"),
    "gridpilot-health-probe": ("services/health_probe/main.cc", "--address"),
    "gridpilot-mcp": ("services/mcp/main.cc", "--stdio"),
}

# `gridpilot` subcommand -> a flag it accepts.
SUBCOMMANDS = {
    "backtest": "--json",
    "up": "--tick_seconds",
    "optimize": "--soc_terminal_mwh",
    "forecast-eval": "--target",
    "train": "--every_days",
    "detect": "--contamination",
    "status": "--run_dir",
    "assets": "--gateway",
    "events": "--limit",
    "forecast": "--forecast",
    "anomalies": "--kind",
    "pnl": "--trader",
    "schedule": "--limit",
    "reload-model": "--run_dir",
    "credentials": "init",
    "dispatch": "--power_mw",
    "approvals": "--run_dir",
    "approve": "--reason",
    "reject": "--reason",
    "mcp": "--stdio",
}


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


class HelpTest(unittest.TestCase):
    def setUp(self):
        self.assertTrue(BIN_DIR and SOURCE_DIR,
                        "GRIDPILOT_BIN_DIR and GRIDPILOT_SOURCE_DIR must be set (ctest sets them)")

    def assertHelp(self, args, names, flag):
        for help_flag in ("--help", "-h"):
            result = run(*args, help_flag)
            what = " ".join([os.path.basename(args[0]), *args[1:], help_flag])
            self.assertEqual(result.returncode, 0, f"{what}: {result.stderr}")
            self.assertIn(names, result.stdout, what)
            self.assertRegex(result.stdout, re.escape(flag) + r"\b", what)
            self.assertNotIn("needs a value", result.stderr, what)
        return result.stdout

    def test_binaries(self):
        for binary, (main_cc, flag) in BINARIES.items():
            with self.subTest(binary=binary):
                out = self.assertHelp([os.path.join(BIN_DIR, binary)], binary, flag)
                # Every flag main.cc defines is listed with its default.
                with open(os.path.join(SOURCE_DIR, main_cc)) as f:
                    defined = re.findall(r"ABSL_FLAG\(\s*[\w:]+,\s*(\w+),", f.read())
                self.assertTrue(defined, main_cc)
                for name in defined:
                    self.assertRegex(out, r"--" + name + r"=", f"{binary}: --{name}")
                self.assertNotIn("No flags matched", out)

    def test_gridpilot_overview(self):
        for help_flag in ("--help", "-h", "help"):
            result = run(os.path.join(BIN_DIR, "gridpilot"), help_flag)
            self.assertEqual(result.returncode, 0, result.stderr)
            for command in SUBCOMMANDS:
                self.assertIn("gridpilot " + command, result.stdout, command)

    def test_subcommands(self):
        gridpilot = os.path.join(BIN_DIR, "gridpilot")
        for command, flag in SUBCOMMANDS.items():
            with self.subTest(command=command):
                out = self.assertHelp([gridpilot, command], "gridpilot " + command, flag)
                self.assertTrue(out.startswith("usage: gridpilot " + command), out)
                # Help wins wherever it stands, and nothing is started or asked.
                result = run(gridpilot, command, "--run_dir", "/nonexistent", "--help")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout, out)

    def test_unknown_command_still_fails(self):
        result = run(os.path.join(BIN_DIR, "gridpilot"), "no-such-command", "--help")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown command", result.stderr)


if __name__ == "__main__":
    unittest.main()
