#!/usr/bin/python3
"""The deployment files validate offline and agree with each other.

- `promtool check config deploy/prometheus.yml` passes (Debian's promtool), and promtool
  does reject a broken copy (so the check is not vacuous).
- `docker-compose config -q` validates docker-compose.yml (Debian's docker-compose v1;
  no Docker engine is needed or used).
- The compose services and prometheus.yml agree: each gridpilot process listens on
  0.0.0.0 at a fixed gRPC port that its health check probes with gridpilot-health-probe,
  serves metrics on the port prometheus.yml scrapes it at, restarts by policy, and the
  store is on a named volume; the console follows the four services by name and port.
- No unauthenticated port is published (README.md, "Security"): the gRPC ports run with
  --credentials from compose secrets (each service gets its own key and process token) and
  only the gateway's and the forecast's are published; metrics and nothing else are
  published beyond the host's loopback. The console serves HTTPS with its own certificate
  and key from the secrets, and is published on the host's loopback only.
- Grafana provisioning: the dashboard's datasource is the provisioned one, the provider
  loads the directory compose mounts the dashboards on, and the dashboard JSON is
  well-formed (unique panel ids, every target has a PromQL expression).
  tests/integration/prometheus_scrape_test.py evaluates those expressions against the
  running stack.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo).
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import yaml

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
GRIDPILOT_SERVICES = {
    "gateway": "gridpilot-gateway",
    "forecast": "gridpilot-forecast",
    "response": "gridpilot-response",
    "trader": "gridpilot-trader",
}


def flags_of(command):
    """{"--port": "50051", ...} from a compose command list of --key=value flags."""
    flags = {}
    for arg in command[1:]:
        key, _, value = arg.partition("=")
        flags[key] = value
    return flags


def mounts_of(service):
    """[(source, target)] of a resolved compose service's volumes ("source:target:mode")."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append((volume.get("source", ""), volume["target"]))
        else:
            source, target = volume.split(":")[:2]
            mounts.append((source, target))
    return mounts


class DeployConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR:
            raise unittest.SkipTest("GRIDPILOT_SOURCE_DIR is not set (run under ctest)")
        cls.prometheus_yml = os.path.join(SOURCE_DIR, "deploy", "prometheus.yml")
        with open(cls.prometheus_yml) as f:
            cls.prometheus = yaml.safe_load(f)
        # The compose file as docker-compose resolves it (anchors merged, defaults filled).
        resolved = subprocess.run(["docker-compose", "config"], cwd=SOURCE_DIR,
                                  capture_output=True, text=True, timeout=60)
        if resolved.returncode != 0:
            raise AssertionError("docker-compose config failed:\n" + resolved.stderr)
        cls.compose = yaml.safe_load(resolved.stdout)

    def test_promtool_accepts_prometheus_yml(self):
        result = subprocess.run(["promtool", "check", "config", self.prometheus_yml],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_promtool_rejects_a_broken_copy(self):
        broken = dict(self.prometheus)
        broken["global"] = dict(broken["global"], scrape_interval="five seconds")
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            yaml.safe_dump(broken, f)
            f.flush()
            result = subprocess.run(["promtool", "check", "config", f.name],
                                    capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0, result.stdout)

    def test_docker_compose_config_validates(self):
        result = subprocess.run(["docker-compose", "config", "-q"], cwd=SOURCE_DIR,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_one_service_per_process_with_health_check_and_restart_policy(self):
        services = self.compose["services"]
        for name, binary in GRIDPILOT_SERVICES.items():
            with self.subTest(service=name):
                self.assertIn(name, services)
                service = services[name]
                command = service["command"]
                self.assertEqual(command[0], binary)
                flags = flags_of(command)
                self.assertEqual(flags.get("--host"), "0.0.0.0")
                port = flags["--port"]
                self.assertNotEqual(port, "0", "compose needs fixed ports")
                test = service["healthcheck"]["test"]
                self.assertEqual(test[:2], ["CMD", "gridpilot-health-probe"])
                self.assertIn("--address=127.0.0.1:" + port, test)
                self.assertIn(service.get("restart"), ("unless-stopped", "always", "on-failure"))
                self.assertEqual(service["build"]["dockerfile"], "deploy/Dockerfile")
        # Peers are addressed by service name and the ports those services listen on.
        gateway_port = flags_of(services["gateway"]["command"])["--port"]
        forecast_port = flags_of(services["forecast"]["command"])["--port"]
        for name in ("forecast", "response", "trader"):
            self.assertEqual(flags_of(services[name]["command"])["--gateway"],
                             "gateway:" + gateway_port)
        for name in ("response", "trader"):
            self.assertEqual(flags_of(services[name]["command"])["--forecast"],
                             "forecast:" + forecast_port)
        # The clock starts once both agents have registered (no launcher in compose).
        self.assertEqual(flags_of(services["gateway"]["command"])["--start_when_agents"], "2")

    def published(self, service):
        """[(host_ip, published port)] of a resolved compose service."""
        out = []
        for port in service.get("ports", []):
            if isinstance(port, dict):
                out.append((port.get("host_ip", ""), str(port.get("published", ""))))
            else:
                parts = str(port).split(":")
                out.append(("" if len(parts) < 3 else parts[0], parts[-2]))
        return out

    def test_no_unauthenticated_port_is_published(self):
        services = self.compose["services"]
        secrets = set(self.compose["secrets"])
        for name in list(GRIDPILOT_SERVICES) + ["console"]:
            with self.subTest(service=name):
                service = services[name]
                flags = flags_of(service["command"])
                self.assertEqual(flags.get("--credentials"), "/run/secrets")
                self.assertNotIn("--insecure", flags)
                mounted = {s["source"] if isinstance(s, dict) else s
                           for s in service.get("secrets", [])}
                for needed in ("ca.pem", "tokens.sha256", name + ".pem", name + ".key",
                               name + ".process-token"):
                    self.assertIn(needed, mounted)
                    self.assertIn(needed, secrets)
                # No other process's key.
                self.assertFalse([s for s in mounted if s.endswith(".key") and
                                  s != name + ".key"])
                allowed = set()
                if name in ("gateway", "forecast"):
                    allowed = {flags["--port"]}
                for host_ip, port in self.published(service):
                    self.assertTrue(port in allowed or host_ip == "127.0.0.1",
                                    (name, host_ip, port))
                    self.assertNotEqual(port, flags.get("--metrics_port"))
                if name != "console":
                    test = service["healthcheck"]["test"]
                    self.assertIn("--ca=/run/secrets/ca.pem", test)
                    self.assertIn("--token_file=/run/secrets/viewer.token", test)
        console = services["console"]
        self.assertEqual(self.published(console), [("127.0.0.1", "8443")])
        console_flags = flags_of(console["command"])
        self.assertEqual(console_flags.get("--tls_cert"), "/run/secrets/console.pem")
        self.assertEqual(console_flags.get("--tls_key"), "/run/secrets/console.key")
        for name in ("prometheus", "grafana"):
            for host_ip, _ in self.published(services[name]):
                self.assertEqual(host_ip, "127.0.0.1", name)

    def test_console_follows_the_services_by_name(self):
        services = self.compose["services"]
        console = flags_of(services["console"]["command"])
        self.assertEqual(services["console"]["command"][0], "gridpilot-console")
        self.assertEqual(console["--http_host"], "0.0.0.0")
        for name in GRIDPILOT_SERVICES:
            port = flags_of(services[name]["command"])["--port"]
            self.assertEqual(console["--" + name], f"{name}:{port}")

    def test_store_is_on_a_named_volume(self):
        gateway = self.compose["services"]["gateway"]
        store = flags_of(gateway["command"])["--store"]
        named = set(self.compose.get("volumes", {}))
        mounts = mounts_of(gateway)
        self.assertTrue(any(source in named and store.startswith(target + "/")
                            for source, target in mounts), (store, mounts))

    def test_prometheus_scrapes_every_process_at_its_metrics_port(self):
        targets = set()
        for job in self.prometheus["scrape_configs"]:
            for static in job.get("static_configs", []):
                targets.update(static["targets"])
        for name in GRIDPILOT_SERVICES:
            with self.subTest(service=name):
                metrics_port = flags_of(self.compose["services"][name]["command"])["--metrics_port"]
                self.assertIn(f"{name}:{metrics_port}", targets)
        prometheus = self.compose["services"]["prometheus"]
        self.assertTrue(any(source.endswith("deploy/prometheus.yml") and
                            target == "/etc/prometheus/prometheus.yml"
                            for source, target in mounts_of(prometheus)))
        # The alerting rules load beside the config, where rule_files names them.
        for rule_file in self.prometheus["rule_files"]:
            with self.subTest(rule_file=rule_file):
                self.assertTrue(os.path.exists(os.path.join(SOURCE_DIR, "deploy", rule_file)))
                self.assertTrue(any(source.endswith("deploy/" + rule_file) and
                                    target == "/etc/prometheus/" + rule_file
                                    for source, target in mounts_of(prometheus)))

    def test_grafana_provisioning_and_dashboard(self):
        grafana_dir = os.path.join(SOURCE_DIR, "deploy", "grafana")
        with open(os.path.join(grafana_dir, "provisioning", "datasources", "prometheus.yml")) as f:
            datasources = yaml.safe_load(f)["datasources"]
        with open(os.path.join(grafana_dir, "provisioning", "dashboards", "gridpilot.yml")) as f:
            providers = yaml.safe_load(f)["providers"]
        with open(os.path.join(grafana_dir, "dashboards", "gridpilot.json")) as f:
            dashboard = json.load(f)
        uids = {d["uid"] for d in datasources}
        self.assertTrue(any(d["url"] == "http://prometheus:9090" for d in datasources))
        # The provider reads the directory compose mounts deploy/grafana/dashboards on.
        grafana = self.compose["services"]["grafana"]
        mounted = {target for source, target in mounts_of(grafana)
                   if source.endswith("deploy/grafana/dashboards")}
        self.assertIn(providers[0]["options"]["path"], mounted)
        panel_ids = [p["id"] for p in dashboard["panels"]]
        self.assertEqual(len(panel_ids), len(set(panel_ids)))
        self.assertGreaterEqual(len(panel_ids), 8)
        for panel in dashboard["panels"]:
            with self.subTest(panel=panel["title"]):
                self.assertIn(panel["datasource"]["uid"], uids)
                self.assertTrue(panel["targets"])
                for target in panel["targets"]:
                    self.assertTrue(target["expr"].strip())
                    self.assertIn(target["datasource"]["uid"], uids)


if __name__ == "__main__":
    unittest.main()
