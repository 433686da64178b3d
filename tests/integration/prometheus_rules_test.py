#!/usr/bin/python3
"""deploy/alerts.yml, the Prometheus alerting rules, is valid, behaves as its unit tests
say, and watches metrics the processes serve.

- `promtool check rules deploy/alerts.yml` passes, and rejects a broken copy (so the
  check is not vacuous).
- `promtool test rules deploy/alerts_test.yml` passes, and fails when an expectation is
  changed.
- Every metric the rules use is one a process exports (its name appears in a
  services/*/ or agents/*/ metrics source), or is listed below as served by work in
  progress.
- Every kind of gridpilot-alerter rule (core/alerts/alert_rule.h) has its Prometheus rule.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo).
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR",
                            os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(SOURCE_DIR, "deploy")
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
# Metrics the rules use that no metrics source in this tree serves yet, and who will.
PENDING = {"gridpilot_process_restarts_total": "the launcher's supervisor (services/cli)"}
# Alerter rule kind -> the Prometheus alert with the same meaning.
SAME_RULE = {
    "anomaly": "GridpilotAnomaly",
    "false_data_held": "GridpilotFalseDataHeld",
    "ramp_not_countered": "GridpilotRampNotCountered",
    "instability_penalty": "GridpilotInstabilityPenaltyHigh",
    "degraded": "GridpilotResponseDegraded",
    "process_restarted": "GridpilotProcessRestarted",
    "data_stale": "GridpilotDataStale",
}


def promtool(*args, cwd=DEPLOY):
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


class PrometheusRulesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gridpilot-rules-")
        with open(os.path.join(DEPLOY, "alerts.yml")) as f:
            self.rules_text = f.read()
        self.rules = [r for g in yaml.safe_load(self.rules_text)["groups"] for r in g["rules"]]

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_check_rules_passes_and_rejects_a_broken_copy(self):
        result = promtool("check", "rules", "alerts.yml")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"SUCCESS: {len(self.rules)} rules found", result.stdout)
        broken = os.path.join(self.tmp, "alerts.yml")
        with open(broken, "w") as f:
            f.write(self.rules_text.replace("increase(gridpilot_anomalies_total[15m])",
                                            "increase(gridpilot_anomalies_total[15m]"))
        self.assertNotEqual(promtool("check", "rules", broken).returncode, 0)

    def test_unit_tests_pass_and_can_fail(self):
        result = promtool("test", "rules", "alerts_test.yml")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        shutil.copy(os.path.join(DEPLOY, "alerts.yml"), self.tmp)
        with open(os.path.join(DEPLOY, "alerts_test.yml")) as f:
            tests = f.read()
        with open(os.path.join(self.tmp, "alerts_test.yml"), "w") as f:
            f.write(tests.replace("GBP 240.00 per hour", "GBP 241.00 per hour"))
        mutated = promtool("test", "rules", "alerts_test.yml", cwd=self.tmp)
        self.assertNotEqual(mutated.returncode, 0, mutated.stdout)

    def test_rules_use_exported_metrics(self):
        sources = ""
        for path in (glob.glob(os.path.join(SOURCE_DIR, "services", "*", "*metrics*.cc")) +
                     glob.glob(os.path.join(SOURCE_DIR, "agents", "*", "*metrics*.cc"))):
            with open(path) as f:
                sources += f.read()
        used = set()
        for rule in self.rules:
            used |= set(re.findall(r"\bgridpilot_[a-z_]+", rule["expr"]))
        self.assertTrue(used)
        for metric in sorted(used):
            with self.subTest(metric=metric):
                self.assertTrue(f'"{metric}"' in sources or metric in PENDING,
                                f"{metric} is not exported by any process")

    def test_every_alerter_rule_kind_has_its_prometheus_rule(self):
        with open(os.path.join(SOURCE_DIR, "core", "alerts", "alert_rule.cc")) as f:
            kinds = set(re.findall(r'AlertRuleKind::k\w+, "(\w+)"', f.read()))
        self.assertEqual(kinds, set(SAME_RULE))
        names = {r["alert"] for r in self.rules}
        for kind, alert in SAME_RULE.items():
            self.assertIn(alert, names, kind)


if __name__ == "__main__":
    unittest.main()
