"""The receivers the alerter tests run on free loopback ports: a webhook (Python
http.server) that can fail its first POSTs, and an SMTP server (aiosmtpd) keeping every
message. Shared by alerts_test.py and alerts_backtest_test.py."""

import email
import email.policy
import http.server
import json
import socket
import threading

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Webhook:
    """An HTTP server on 127.0.0.1 answering POSTs with 503 for the first `fail_first`,
    then 200, and recording each as (status answered, parsed JSON body, Content-Type)."""

    def __init__(self, fail_first=0):
        self.posts = []
        self.lock = threading.Lock()
        webhook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with webhook.lock:
                    status = 503 if len(webhook.posts) < fail_first else 200
                    webhook.posts.append((status, body, self.headers.get("Content-Type")))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self):
        """The bodies answered with 200, in arrival order."""
        with self.lock:
            return [body for status, body, _ in self.posts if status == 200]

    def all_posts(self):
        with self.lock:
            return list(self.posts)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """An SMTP server (aiosmtpd) on 127.0.0.1 keeping (recipients, parsed message)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def received(self):
        with self.lock:
            return list(self.messages)

    def stop(self):
        self.controller.stop()


def alert_sinks_config(webhook, mailbox):
    """The `webhook` and `email` parts of an alerts config for these receivers, with short
    backoffs."""
    return {
        "webhook": {"url": f"http://127.0.0.1:{webhook.port}/alerts",
                    "first_backoff_ms": 100, "max_backoff_ms": 1000, "max_attempts": 5,
                    "timeout_ms": 2000},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": mailbox.port,
                  "from": "gridpilot@localhost", "to": ["ops@localhost"]},
    }
