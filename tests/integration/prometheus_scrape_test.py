#!/usr/bin/python3
"""Debian's Prometheus server scrapes the running gridpilot stack.

Starts the real stack live (`gridpilot up`, 5-minute steps every 0.2 s of wall time), reads
the four metrics ports from the run directory's <name>.metrics.port files, generates a
Prometheus config scraping them every second, starts /usr/bin/prometheus on a free
loopback port with its storage in a temp dir, and checks through Prometheus's HTTP API:

- every process is a healthy target;
- gridpilot metrics read back with values that mean something (the settled-step counter
  grows, the battery's SoC is inside its bounds, the ledger has every cause, both agents'
  tick-to-decision histograms have observations);
- every PromQL expression of the Grafana dashboard (deploy/grafana/dashboards) is valid,
  names only metrics the stack exposes, and returns data.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; GRIDPILOT_MODEL_DIR
(optional) is the forecast model cache.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from gridpilot_processes import start_live_stack, stop

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
PROMETHEUS = "/usr/bin/prometheus"
PROCESSES = ("gateway", "forecast", "response", "trader")
# Hang detectors, not speed assertions.
STACK_START_TIMEOUT_S = 120.0
SCRAPE_TIMEOUT_S = 45.0
# Metric names in PromQL: gridpilot_* and the process_* ones every process exports.
METRIC_NAME = re.compile(r"\b((?:gridpilot|process)_[a-z0-9_]+)\b")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout_s, what):
    give_up = time.monotonic() + timeout_s
    while time.monotonic() < give_up:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


class PrometheusScrapeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise unittest.SkipTest("GRIDPILOT_SOURCE_DIR / GRIDPILOT_BIN_DIR not set")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot-prom-")
        cls.stack = None
        cls.prometheus = None
        try:
            cls._start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _start(cls):
        run_dir = os.path.join(cls.tmp, "run")
        cls.stack_log = open(os.path.join(cls.tmp, "up.log"), "w")
        cls.stack = start_live_stack(BIN_DIR, run_dir, "2023-06-01", "2023-06-30", cls.stack_log)

        def ports():
            if cls.stack.poll() is not None:
                raise AssertionError("gridpilot up exited:\n" + cls.log("up.log"))
            found = {}
            for name in PROCESSES:
                path = os.path.join(run_dir, name + ".metrics.port")
                if not os.path.exists(path):
                    return None
                with open(path) as f:
                    found[name] = int(f.read())
            return found

        cls.metrics_ports = wait_for(ports, STACK_START_TIMEOUT_S, "the metrics port files")
        # The clock starts once both agents have registered: wait until it runs.
        wait_for(lambda: "gridpilot is up" in cls.log("up.log"), STACK_START_TIMEOUT_S,
                 "gridpilot up to start the clock")

        config = os.path.join(cls.tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n")
            for name, port in cls.metrics_ports.items():
                f.write(f"  - job_name: gridpilot-{name}\n"
                        f"    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
        cls.prometheus_port = free_port()
        cls.prometheus_log = open(os.path.join(cls.tmp, "prometheus.log"), "w")
        cls.prometheus = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + config,
             "--storage.tsdb.path=" + os.path.join(cls.tmp, "tsdb"),
             f"--web.listen-address=127.0.0.1:{cls.prometheus_port}"],
            stdout=cls.prometheus_log, stderr=subprocess.STDOUT)

        def all_targets_up():
            if cls.prometheus.poll() is not None:
                raise AssertionError("prometheus exited:\n" + cls.log("prometheus.log"))
            try:
                targets = cls.api("targets")["activeTargets"]
            except OSError:
                return False
            return len(targets) == len(PROCESSES) and all(t["health"] == "up" for t in targets)

        wait_for(all_targets_up, SCRAPE_TIMEOUT_S, "every target to be up in Prometheus")
        # A few scrapes, so that rate() and increase() have two samples in their windows.
        time.sleep(4)

    @classmethod
    def tearDownClass(cls):
        for process in (cls.prometheus, cls.stack):
            stop(process)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def log(cls, name):
        for handle in ("stack_log", "prometheus_log"):
            if hasattr(cls, handle):
                getattr(cls, handle).flush()
        with open(os.path.join(cls.tmp, name)) as f:
            return f.read()

    @classmethod
    def api(cls, path, **params):
        url = f"http://127.0.0.1:{cls.prometheus_port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise AssertionError(f"{path} {params}: {body}")
        return body["data"]

    def query(self, expr):
        """The instant vector `expr` evaluates to now: [(labels, value)]."""
        data = self.api("query", query=expr)
        return [(r["metric"], float(r["value"][1])) for r in data["result"]]

    def test_every_process_is_a_healthy_target(self):
        jobs = {t["labels"]["job"]: t["health"] for t in self.api("targets")["activeTargets"]}
        self.assertEqual(jobs, {"gridpilot-" + p: "up" for p in PROCESSES})

    def test_settled_steps_read_back_and_grow(self):
        first = self.query("gridpilot_ticks_settled_total")
        self.assertEqual(len(first), 1, first)
        self.assertGreater(first[0][1], 0)
        # The gateway settles a step every 0.2 s; Prometheus scrapes every second.
        wait_for(lambda: self.query("gridpilot_ticks_settled_total")[0][1] > first[0][1],
                 20, "the settled-step counter to grow in Prometheus")

    def test_battery_soc_is_within_its_bounds(self):
        soc = self.query('gridpilot_battery_soc_mwh{asset="battery-1"}')
        self.assertEqual(len(soc), 1, soc)
        # Default battery: SoC bounds 5..95 MWh of 100 MWh.
        self.assertGreaterEqual(soc[0][1], 5.0)
        self.assertLessEqual(soc[0][1], 95.0)

    def test_ledger_has_every_cause(self):
        causes = {labels["cause"] for labels, _ in self.query("gridpilot_ledger_gbp")}
        self.assertEqual(causes, {"arbitrage_sold", "arbitrage_bought", "peaker_fuel",
                                  "peaker_starts", "battery_degradation",
                                  "instability_penalty"})

    def test_both_agents_report_tick_to_decision_latency(self):
        counts = {labels["agent"]: value for labels, value in
                  self.query("gridpilot_tick_to_decision_seconds_count")}
        self.assertEqual(set(counts), {"response", "trader"})
        for agent, count in counts.items():
            self.assertGreater(count, 0, agent)

    def test_dashboard_expressions_name_exposed_metrics_and_return_data(self):
        with open(os.path.join(SOURCE_DIR, "deploy", "grafana", "dashboards",
                               "gridpilot.json")) as f:
            dashboard = json.load(f)
        exposed = set(self.api("label/__name__/values"))
        exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
        self.assertGreater(len(exprs), 10)
        for expr in exprs:
            with self.subTest(expr=expr):
                names = set(METRIC_NAME.findall(expr))
                self.assertTrue(names, "no gridpilot metric in the expression")
                self.assertFalse(names - exposed, "not exposed by the stack")
                self.assertTrue(self.query(expr), "the expression returns no data")


if __name__ == "__main__":
    unittest.main()
