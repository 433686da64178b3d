#!/usr/bin/env python3
"""Integration test of gridpilot-alerter with the real processes: `gridpilot up` replays
the morning of 2023-03-08 live (5-minute steps every 0.2 s) with the false-data guard's
attack injected (+60 MW an hour for three hours from 04:00); its config has an "alerts"
section with rules set to fire, so the launcher starts gridpilot-alerter, which follows
the stack. The test runs the receivers: a webhook (Python http.server) that
answers the first two POSTs with 503, and an SMTP server (aiosmtpd), both on free loopback
ports. It also plays the launcher's supervisor, writing RUN_DIR/supervisor.json with three
processes restarted at once, for the rate limit.

Asserts: the first alert reaches the webhook on the third try (retries with backoff); the
false-data alert is sent once per agent while it keeps firing (deduplication), stamped with
the run's simulated time; of three restarts only two are sent (at most 2 per rule per day);
"data stale" fires once the replay has ended; every alert arrives by e-mail as well.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; GRIDPILOT_MODEL_DIR.
"""
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
import urllib.request

from alert_receivers import Mailbox, Webhook, alert_sinks_config
from gridpilot_processes import start_live_stack, stop, wait_for_file

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR",
                            os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", os.path.join(SOURCE_DIR, "build", "bin"))
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 180.0
ALERT_TIMEOUT_S = 120.0
PROCESSES = ("gateway", "forecast", "response", "trader")
FAILED_POSTS = 2


def wait_for(predicate, timeout_s, what):
    give_up = time.monotonic() + timeout_s
    while time.monotonic() < give_up:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def write_supervisor(run_dir, restarts):
    """RUN_DIR/supervisor.json as the launcher's supervisor writes it (atomically)."""
    report = {"processes": [
        {"name": name, "pid": 1000 + i, "state": "running", "restarts": restarts,
         "last_exit": "signal 9" if restarts else "", "last_restart_utc": ""}
        for i, name in enumerate(("gateway", "forecast", "trader"))]}
    path = os.path.join(run_dir, "supervisor.json")
    with open(path + ".tmp", "w") as f:
        json.dump(report, f)
    os.replace(path + ".tmp", path)


class AlertsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot-alerts-")
        run_dir = os.path.join(cls.tmp, "run")
        os.makedirs(run_dir)
        cls.webhook = Webhook(fail_first=FAILED_POSTS)
        cls.mailbox = Mailbox()

        config = {
            "false_data": [{"from": "2023-03-08T04:00:00Z", "duration_min": 180,
                            "ramp_mw_per_hour": 60}],
            "alerts": {
                **alert_sinks_config(cls.webhook, cls.mailbox),
                "rules": [
                    {"name": "false-data-held", "kind": "false_data_held", "hold_s": 7200},
                    {"name": "anomalies", "kind": "anomaly", "hold_s": 3600},
                    {"name": "penalty", "kind": "instability_penalty",
                     "above_gbp_per_hour": 0.01},
                    {"name": "ramp", "kind": "ramp_not_countered"},
                    {"name": "degraded", "kind": "degraded"},
                    {"name": "restarts", "kind": "process_restarted", "hold_s": 0,
                     "max_alerts": 2, "rate_window_s": 86400},
                    {"name": "stale", "kind": "data_stale", "stale_after_s": 2},
                ]}}
        cls.config_path = os.path.join(cls.tmp, "config.json")
        with open(cls.config_path, "w") as f:
            json.dump(config, f)
        write_supervisor(run_dir, 0)

        cls.stack_log = open(os.path.join(cls.tmp, "up.log"), "w")
        cls.stack = start_live_stack(BIN_DIR, run_dir, "2023-03-08T02:00:00Z",
                                     "2023-03-08T09:00:00Z", cls.stack_log,
                                     "--config", cls.config_path)
        # The launcher starts gridpilot-alerter itself: the config has an "alerts" section.
        try:
            if not wait_for_file(os.path.join(run_dir, "alerter.port"), START_TIMEOUT_S,
                                 cls.stack):
                raise AssertionError("the launcher did not start the alerter:\n" +
                                     cls.log("up.log"))
            # The first alert sent (after its two failed tries) is the cue for the restarts.
            wait_for(lambda: cls.delivered(), ALERT_TIMEOUT_S, "a first alert at the webhook")
            write_supervisor(run_dir, 1)
            # The replay ends at 09:00; two seconds later the data is stale.
            wait_for(lambda: any(b["rule"] == "stale" for b in cls.delivered()),
                     ALERT_TIMEOUT_S, "the stale-data alert")
            with open(os.path.join(run_dir, "alerter.metrics.port")) as f:
                metrics_port = int(f.read())
            with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics",
                                        timeout=10) as response:
                cls.metrics = response.read().decode()
        finally:
            # `gridpilot up` stops the alerter first; it sends what waits, then writes its
            # counts.
            stop(cls.stack)
        with open(os.path.join(run_dir, "alerter.json")) as f:
            cls.counts = json.load(f)
        print("alerter counts:", json.dumps(cls.counts), file=sys.stderr)
        for body in cls.delivered():
            print(f"  {body['status']:8} {body['rule']} ({body['key']}) at {body['at']}: "
                  f"{body['summary']}", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        stop(getattr(cls, "stack", None))
        for handle in ("stack_log",):
            if hasattr(cls, handle):
                getattr(cls, handle).close()
        cls.webhook.stop()
        cls.mailbox.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def log(cls, name):
        if hasattr(cls, "stack_log"):
            cls.stack_log.flush()
        with open(os.path.join(cls.tmp, name)) as f:
            return f.read()

    @classmethod
    def delivered(cls):
        return cls.webhook.delivered()

    def firing(self, rule):
        return [b for b in self.delivered() if b["rule"] == rule and b["status"] == "firing"]

    def test_webhook_retries_until_delivered(self):
        posts = self.webhook.all_posts()
        self.assertEqual([status for status, _, _ in posts[:3]], [503, 503, 200])
        # The same alert, tried three times.
        self.assertEqual(posts[0][1], posts[2][1])
        self.assertEqual(posts[1][1], posts[2][1])
        self.assertEqual(posts[0][2], "application/json")
        webhook = self.counts["sinks"]["webhook"]
        self.assertEqual(webhook["retries"], FAILED_POSTS)
        self.assertEqual(webhook["failed"], 0)
        self.assertEqual(webhook["dropped"], 0)
        self.assertEqual(webhook["delivered"], len(self.delivered()))

    def test_false_data_held_is_sent_once_per_agent_while_it_fires(self):
        held = self.firing("false-data-held")
        keys = sorted(b["key"] for b in held)
        self.assertEqual(keys, sorted(set(keys)), "an agent's alert was repeated while firing")
        self.assertIn("response", keys)
        for body in held:
            self.assertIn("held on suspect telemetry", body["summary"])
            # Stamped with the run's simulated time, inside the attack (04:00 + 3 h, and
            # the step back after it).
            self.assertGreaterEqual(body["at"], "2023-03-08T04:00:00Z")
            self.assertLessEqual(body["at"], "2023-03-08T08:00:00Z")
        self.assertGreater(self.counts["alerts"]["deduplicated"], 0)

    def test_rate_limit_sends_two_of_three_restarts(self):
        restarts = self.firing("restarts")
        self.assertEqual(len(restarts), 2, restarts)
        for body in restarts:
            self.assertIn("was restarted (restarts: 1; last exit: signal 9)", body["summary"])
        self.assertGreaterEqual(self.counts["alerts"]["rate_limited"], 1)
        alerts = self.counts["alerts"]
        self.assertEqual(alerts["fired"], alerts["sent_firing"] + alerts["rate_limited"])

    def test_stale_data_fires_after_the_replay_ends(self):
        stale = self.firing("stale")
        self.assertEqual(len(stale), 1)
        self.assertEqual(stale[0]["key"], "gateway")
        self.assertIn("no new tick for", stale[0]["summary"])
        self.assertGreaterEqual(stale[0]["at"], "2023-03-08T08:55:00Z")

    def test_every_alert_also_arrives_by_email(self):
        messages = self.mailbox.received()
        subjects = sorted(m["Subject"] for _, m in messages)
        expected = sorted(f"[gridpilot] {b['status'].upper()} {b['rule']} ({b['key']})"
                          for b in self.delivered())
        self.assertEqual(subjects, expected)
        for rcpt, message in messages:
            self.assertEqual(rcpt, ["ops@localhost"])
            self.assertIn("rule: ", message.get_content())
        self.assertEqual(self.counts["sinks"]["email"]["delivered"], len(messages))
        self.assertEqual(self.counts["sinks"]["email"]["failed"], 0)

    def test_metrics_count_the_alerts(self):
        def value(name, **labels):
            for line in self.metrics.splitlines():
                if line.startswith(name + "{") and all(
                        f'{k}="{v}"' in line for k, v in labels.items()):
                    return float(line.split()[-1])
            self.fail(f"{name} {labels} not served:\n{self.metrics}")

        self.assertEqual(value("gridpilot_alert_deliveries_total", sink="webhook",
                               result="retried"), FAILED_POSTS)
        self.assertGreater(value("gridpilot_alerts_sent_total", status="firing"), 0)
        self.assertEqual(value("gridpilot_alert_conditions_total", outcome="rate_limited"), 1)


if __name__ == "__main__":
    unittest.main()
