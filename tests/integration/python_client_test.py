#!/usr/bin/python3
"""A client that is not ours: Python, with stubs generated at test time.

Starts the real gridpilot-gateway (port 0 + port file) and talks to it with Debian's
python3-grpcio, using Python stubs generated into a temp dir from proto/gridpilot/v1/*.proto
and services/health_probe/health.proto. The gateway runs with credentials from
`gridpilot credentials init`; the client connects over TLS with the CA and the operator's
bearer token. Checks that a generic client sees what the architecture promises: grpc.health.v1 reports SERVING, the asset registry is readable, a malformed
proposal is rejected with INVALID_ARGUMENT, and server reflection lists the services.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin).
"""

import glob
import importlib
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc
import grpc_tools
from grpc_tools import protoc

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors for the child process and RPCs, not speed assertions.
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
RPC_TIMEOUT_S = 30.0


def _run_protoc(args):
    """Runs grpc_tools' bundled protoc; returns (exit code, what it wrote to stderr).

    protoc writes to file descriptor 2 from C++, so the descriptor itself is redirected.
    """
    with tempfile.TemporaryFile() as errors:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(errors.fileno(), 2)
        try:
            code = protoc.main(["grpc_tools.protoc"] + args)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        errors.seek(0)
        return code, errors.read().decode("utf-8", "replace")


def generate_stubs(out_dir):
    """Generates *_pb2.py and *_pb2_grpc.py for our protos and health.proto into out_dir.

    Prefers grpc_tools' bundled protoc. Debian's python3-grpc-tools 1.14 bundles protoc
    3.5, which predates proto3 `optional` (types.proto uses it); in that case fall back to
    Debian's protoc with its grpc_python_plugin (protobuf-compiler-grpc), which generates
    the same modules for the same python3-grpcio runtime.
    """
    proto_root = os.path.join(SOURCE_DIR, "proto")
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    health_probe = os.path.join(SOURCE_DIR, "services", "health_probe")
    ours = sorted(glob.glob(os.path.join(proto_root, "gridpilot", "v1", "*.proto")))
    if not ours:
        raise RuntimeError("no protos under %s" % proto_root)
    jobs = [
        (proto_root, [os.path.relpath(p, proto_root) for p in ours]),
        (health_probe, ["health.proto"]),
    ]
    for include, files in jobs:
        includes = ["-I" + include, "-I" + proto_root, "-I" + well_known]
        outputs = ["--python_out=" + out_dir, "--grpc_python_out=" + out_dir]
        code, errors = _run_protoc(includes + outputs + files)
        if code == 0:
            continue
        system_protoc = shutil.which("protoc")
        plugin = shutil.which("grpc_python_plugin")
        if system_protoc is None or plugin is None:
            raise RuntimeError("grpc_tools.protoc failed on %s and there is no protoc + "
                               "grpc_python_plugin to fall back to:\n%s" % (files, errors))
        first_error = errors.strip().splitlines()[0] if errors.strip() else "(no message)"
        print("note: grpc_tools' protoc cannot compile %s (%s); using %s with %s" %
              (include, first_error, system_protoc, plugin), file=sys.stderr)
        subprocess.run([system_protoc, "--plugin=protoc-gen-grpc_python=" + plugin] +
                       includes + outputs + files, check=True)


def reflection_messages():
    """Returns (ServerReflectionRequest, ServerReflectionResponse) classes, or None.

    Uses the grpcio-reflection package if installed. Debian ships none, so otherwise the
    few messages list_services needs are declared here from the public reflection spec
    (grpc.reflection.v1alpha; unknown fields of the response are simply kept unknown).
    """
    try:
        from grpc_reflection.v1alpha import reflection_pb2
        return reflection_pb2.ServerReflectionRequest, reflection_pb2.ServerReflectionResponse
    except ImportError:
        pass
    try:
        from google.protobuf import descriptor_pb2
        from google.protobuf import descriptor_pool
        from google.protobuf import message_factory
    except ImportError:
        return None
    field = descriptor_pb2.FieldDescriptorProto
    f = descriptor_pb2.FileDescriptorProto(
        name="gridpilot_test/reflection_subset.proto", package="grpc.reflection.v1alpha",
        syntax="proto3")
    request = f.message_type.add(name="ServerReflectionRequest")
    request.field.add(name="host", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    # In the oneof, so that list_services = "" is sent (a plain proto3 "" would not be).
    request.oneof_decl.add(name="message_request")
    request.field.add(name="list_services", number=7, type=field.TYPE_STRING,
                      label=field.LABEL_OPTIONAL, oneof_index=0)
    service = f.message_type.add(name="ServiceResponse")
    service.field.add(name="name", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    listing = f.message_type.add(name="ListServiceResponse")
    listing.field.add(name="service", number=1, type=field.TYPE_MESSAGE,
                      label=field.LABEL_REPEATED,
                      type_name=".grpc.reflection.v1alpha.ServiceResponse")
    response = f.message_type.add(name="ServerReflectionResponse")
    response.field.add(name="valid_host", number=1, type=field.TYPE_STRING,
                       label=field.LABEL_OPTIONAL)
    response.field.add(name="list_services_response", number=6, type=field.TYPE_MESSAGE,
                       label=field.LABEL_OPTIONAL,
                       type_name=".grpc.reflection.v1alpha.ListServiceResponse")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    factory = message_factory.MessageFactory(pool)
    prefix = "grpc.reflection.v1alpha."
    return (factory.GetPrototype(pool.FindMessageTypeByName(prefix + "ServerReflectionRequest")),
            factory.GetPrototype(pool.FindMessageTypeByName(prefix + "ServerReflectionResponse")))


class GatewayPythonClientTest(unittest.TestCase):
    """Each test gets its own gateway, temp dir and store."""

    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise RuntimeError("GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR must be set "
                               "(run through ctest)")
        cls.stub_dir = tempfile.mkdtemp(prefix="gridpilot_pystubs_")
        generate_stubs(cls.stub_dir)
        sys.path.insert(0, cls.stub_dir)
        cls.types_pb2 = importlib.import_module("gridpilot.v1.types_pb2")
        cls.asset_pb2 = importlib.import_module("gridpilot.v1.asset_pb2")
        cls.asset_pb2_grpc = importlib.import_module("gridpilot.v1.asset_pb2_grpc")
        cls.health_pb2 = importlib.import_module("health_pb2")
        cls.health_pb2_grpc = importlib.import_module("health_pb2_grpc")

    @classmethod
    def tearDownClass(cls):
        sys.path.remove(cls.stub_dir)
        shutil.rmtree(cls.stub_dir, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gridpilot_pyclient_")
        port_file = os.path.join(self.dir, "port")
        credentials = os.path.join(self.dir, "credentials")
        subprocess.run([os.path.join(BIN_DIR, "gridpilot"), "credentials", "init", credentials],
                       check=True, stdout=subprocess.DEVNULL)
        self.log_path = os.path.join(self.dir, "gateway.log")
        with open(self.log_path, "wb") as log:
            self.gateway = subprocess.Popen(
                [os.path.join(BIN_DIR, "gridpilot-gateway"), "--from", "2023-03-01", "--to",
                 "2023-03-01", "--store", os.path.join(self.dir, "s.sqlite"), "--port", "0",
                 "--port_file", port_file, "--credentials", credentials],
                stdout=log, stderr=subprocess.STDOUT)
        port = self._wait_for_port(port_file)
        with open(os.path.join(credentials, "ca.pem"), "rb") as f:
            ca = f.read()
        with open(os.path.join(credentials, "operator.token"), encoding="ascii") as f:
            token = f.read().strip()
        channel_credentials = grpc.composite_channel_credentials(
            grpc.ssl_channel_credentials(root_certificates=ca),
            grpc.access_token_call_credentials(token))
        self.channel = grpc.secure_channel("127.0.0.1:%d" % port, channel_credentials,
                                           options=[("grpc.enable_http_proxy", 0)])

    def tearDown(self):
        self.channel.close()
        # SIGTERM is the clean stop: the gateway must exit 0 on it.
        self.gateway.send_signal(signal.SIGTERM)
        try:
            code = self.gateway.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.gateway.kill()
            self.gateway.wait()
            self.fail("gateway ignored SIGTERM:\n" + self._log())
        self.assertEqual(code, 0, "gateway exit code on SIGTERM:\n" + self._log())
        shutil.rmtree(self.dir, ignore_errors=True)

    def _log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()

    def _wait_for_port(self, port_file):
        give_up = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < give_up:
            if self.gateway.poll() is not None:
                self.fail("gateway exited (%d) before listening:\n%s" %
                          (self.gateway.returncode, self._log()))
            try:
                with open(port_file, encoding="ascii") as f:
                    text = f.read().strip()
                if text and int(text) > 0:
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        self.gateway.kill()
        self.gateway.wait()
        self.fail("gateway did not write %s within %.0f s" % (port_file, START_TIMEOUT_S))
        return 0

    def test_health_check_reports_serving(self):
        stub = self.health_pb2_grpc.HealthStub(self.channel)
        reply = stub.Check(self.health_pb2.HealthCheckRequest(service=""),
                           timeout=RPC_TIMEOUT_S)
        self.assertEqual(reply.status, self.health_pb2.HealthCheckResponse.SERVING)

    def test_list_assets_shows_battery_and_peaker(self):
        stub = self.asset_pb2_grpc.AssetServiceStub(self.channel)
        reply = stub.ListAssets(self.asset_pb2.ListAssetsRequest(), timeout=RPC_TIMEOUT_S)
        assets = {a.id: a for a in reply.assets}
        self.assertEqual(sorted(assets), ["battery-1", "peaker-1"])

        battery = assets["battery-1"]
        self.assertEqual(battery.kind, self.types_pb2.ASSET_KIND_BATTERY)
        self.assertEqual(battery.WhichOneof("state"), "battery")
        self.assertAlmostEqual(battery.battery.energy_capacity_mwh, 100.0)
        self.assertAlmostEqual(battery.battery.max_charge_mw, 50.0)
        self.assertAlmostEqual(battery.battery.max_discharge_mw, 50.0)
        self.assertAlmostEqual(battery.battery.soc_mwh, 50.0)

        peaker = assets["peaker-1"]
        self.assertEqual(peaker.kind, self.types_pb2.ASSET_KIND_PEAKER)
        self.assertEqual(peaker.WhichOneof("state"), "peaker")
        self.assertAlmostEqual(peaker.peaker.capacity_mw, 60.0)
        self.assertEqual(peaker.peaker.status, self.types_pb2.PEAKER_STATUS_OFF)

    def test_nan_power_is_invalid_argument(self):
        stub = self.asset_pb2_grpc.AssetServiceStub(self.channel)
        proposal = self.asset_pb2.DispatchProposal(
            asset_id="battery-1", priority=self.types_pb2.DISPATCH_PRIORITY_RESILIENCE,
            power_mw=math.nan, reason="python client test")
        proposal.start.FromJsonString("2023-03-01T00:00:00Z")
        proposal.end.FromJsonString("2023-03-01T00:30:00Z")
        request = self.asset_pb2.SubmitDispatchRequest(agent="operator",
                                                       proposals=[proposal])
        with self.assertRaises(grpc.RpcError) as raised:
            stub.SubmitDispatch(request, timeout=RPC_TIMEOUT_S)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("power_mw", raised.exception.details())
        # Nothing was scheduled.
        reply = stub.ListAssets(self.asset_pb2.ListAssetsRequest(), timeout=RPC_TIMEOUT_S)
        for asset in reply.assets:
            self.assertEqual(asset.scheduled_proposal_id, 0, asset.id)

    def test_server_reflection_lists_services(self):
        messages = reflection_messages()
        if messages is None:
            print("note: no reflection protos available in Python; skipping the reflection check")
            self.skipTest("no reflection protos available")
        request_class, response_class = messages
        call = self.channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString)
        replies = list(call(iter([request_class(list_services="")]), timeout=RPC_TIMEOUT_S))
        self.assertEqual(len(replies), 1)
        names = {s.name for s in replies[0].list_services_response.service}
        for service in ["gridpilot.v1.AssetService", "gridpilot.v1.ClockService",
                        "gridpilot.v1.LedgerService", "gridpilot.v1.TelemetryService",
                        "grpc.reflection.v1alpha.ServerReflection"]:
            self.assertIn(service, names)


if __name__ == "__main__":
    unittest.main(verbosity=2)
