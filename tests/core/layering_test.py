#!/usr/bin/env python3
"""The core/ layering holds: each folder is one library whose lower layers are the DEPS of
its gridpilot_core_library() call in core/CMakeLists.txt; those form no cycle; a file in a
folder (or in its tests, which may also load shipped data) includes only its own folder
and those layers; and the gateway
binary does not link XGBoost."""
import os
import re
import subprocess
import sys
import unittest

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR",
                            os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", os.path.join(SOURCE_DIR, "build", "bin"))
INCLUDE = re.compile(r'^#include "core/(.+)/[^/]+\.h"', re.M)


def declared_layers():
    """folder -> set of core folders it declares as DEPS."""
    text = open(os.path.join(SOURCE_DIR, "core", "CMakeLists.txt")).read()
    layers = {}
    for name, deps in re.findall(r"gridpilot_core_library\(([\w/]+)(?:\s+DEPS([^)]*))?\)", text):
        layers[name] = {d for d in (deps or "").split()
                        if os.path.isdir(os.path.join(SOURCE_DIR, "core", d))}
    return layers


def reachable(layers, folder):
    seen, todo = set(), list(layers[folder])
    while todo:
        d = todo.pop()
        if d not in seen:
            seen.add(d)
            todo.extend(layers.get(d, ()))
    return seen


def sources(root):
    for base, _, files in os.walk(root):
        for f in files:
            if f.endswith((".h", ".cc")):
                yield os.path.join(base, f)


class LayeringTest(unittest.TestCase):
    def setUp(self):
        self.layers = declared_layers()

    def test_core_holds_only_folders_each_a_library(self):
        core = os.path.join(SOURCE_DIR, "core")
        entries = sorted(os.listdir(core))
        self.assertEqual([e for e in entries if not os.path.isdir(os.path.join(core, e))],
                         ["CMakeLists.txt"])
        for base, dirs, files in os.walk(core):
            folder = os.path.relpath(base, core)
            if any(f.endswith(".cc") for f in files):
                self.assertIn(folder, self.layers, f"core/{folder} has sources but no library")

    def test_layers_form_no_cycle(self):
        for folder in self.layers:
            self.assertNotIn(folder, reachable(self.layers, folder),
                             f"core/{folder} depends on itself")

    def test_control_cannot_reach_evaluation_or_models(self):
        below = reachable(self.layers, "control")
        for forbidden in ("forecast/eval", "forecast/models", "ml"):
            self.assertNotIn(forbidden, below)

    def check_includes(self, root, folder_of, fixtures=()):
        violations = []
        for path in sources(root):
            folder = folder_of(path)
            allowed = {folder} | reachable(self.layers, folder) | set(fixtures)
            for included in INCLUDE.findall(open(path).read()):
                if included not in allowed:
                    violations.append(f"{os.path.relpath(path, SOURCE_DIR)}: core/{included}")
        self.assertEqual(violations, [], "includes a layer that is not declared below it")

    def test_core_includes_only_declared_layers(self):
        core = os.path.join(SOURCE_DIR, "core")
        self.check_includes(core, lambda p: os.path.relpath(os.path.dirname(p), core))

    def test_core_tests_include_only_their_folders_layers(self):
        tests = os.path.join(SOURCE_DIR, "tests", "core")
        # Tests may also load the shipped data as fixtures.
        self.check_includes(tests, lambda p: os.path.relpath(os.path.dirname(p), tests),
                            fixtures=("data", "base"))

    def test_the_checker_sees_a_violation(self):
        # A lower layer including a higher one is reported (guards the test itself).
        self.assertNotIn("control", reachable(self.layers, "assets"))
        self.assertNotIn("region", reachable(self.layers, "market"))

    def test_gateway_does_not_link_xgboost(self):
        gateway = os.path.join(BIN_DIR, "gridpilot-gateway")
        if not os.path.exists(gateway):
            self.skipTest("gridpilot-gateway is not built")
        linked = subprocess.run(["ldd", gateway], capture_output=True, text=True).stdout
        self.assertNotIn("xgboost", linked)
        forecast = subprocess.run(["ldd", os.path.join(BIN_DIR, "gridpilot-forecast")],
                                  capture_output=True, text=True).stdout
        self.assertIn("xgboost", forecast)  # the check can see XGBoost where it is linked


if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
