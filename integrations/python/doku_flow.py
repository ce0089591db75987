#!/usr/bin/env python3
"""A DOKU Checkout integration in plain Python 3 (stdlib only), run against doku-sim.

Creates a Checkout, has the simulator pay it, receives and verifies the HTTP notification on its
own http.server, then calls Check Status. The invoice number has a '/' and a space, as many shops
number their invoices, so the Check Status path carries it percent-encoded.

Environment: DOKU_BASE_URL, DOKU_MERCHANT_ID, DOKU_MERCHANT_KEY, NOTIFY_PORT, NOTIFY_PATH.
Prints one line per check: "PASS <check>" or "FAIL <check>: <why>"; exits 1 if any failed.
"""

import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import queue
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE_URL = os.environ["DOKU_BASE_URL"].rstrip("/")
CLIENT_ID = os.environ["DOKU_MERCHANT_ID"]
SECRET_KEY = os.environ["DOKU_MERCHANT_KEY"]
NOTIFY_PORT = int(os.environ["NOTIFY_PORT"])
NOTIFY_PATH = os.environ.get("NOTIFY_PATH", "/payments/notifications")
TIMEOUT = 10

failures = 0


def report(check, ok, why=""):
    global failures
    if ok:
        print(f"PASS {check}", flush=True)
    else:
        failures += 1
        print(f"FAIL {check}: {why}", flush=True)


def timestamp():
    # UTC, ISO 8601, no fraction: 2026-12-07T10:00:00Z
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def signature(client_id, request_id, ts, target, body=None):
    lines = [
        f"Client-Id:{client_id}",
        f"Request-Id:{request_id}",
        f"Request-Timestamp:{ts}",
        f"Request-Target:{target}",
    ]
    if body is not None:
        lines.append(f"Digest:{digest(body)}")
    mac = hmac.new(SECRET_KEY.encode(), "\n".join(lines).encode(), hashlib.sha256).digest()
    return "HMACSHA256=" + base64.b64encode(mac).decode()


def call(method, target, body=None, signed=True):
    """Returns (status, parsed JSON or raw text)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if signed:
        request_id = str(uuid.uuid4())
        ts = timestamp()
        headers.update({
            "Client-Id": CLIENT_ID,
            "Request-Id": request_id,
            "Request-Timestamp": ts,
            "Signature": signature(CLIENT_ID, request_id, ts, target, body),
        })
    req = urllib.request.Request(BASE_URL + target, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except OSError as e:
        return 0, f"no answer: {e}"
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


notifications = queue.Queue()


class NotificationHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)  # verify over these exact bytes, never a re-serialisation
        names = ("Client-Id", "Request-Id", "Request-Timestamp", "Signature")
        found = {name: self.headers.get(name) for name in names}
        target = urllib.parse.urlsplit(self.path).path
        verified = False
        if all(found.values()):
            expected = signature(found["Client-Id"], found["Request-Id"],
                                 found["Request-Timestamp"], target, raw)
            verified = hmac.compare_digest(expected, found["Signature"])
        self.send_response(200 if verified else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()
        notifications.put({"path": target, "headers": found, "verified": verified, "raw": raw})

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", NOTIFY_PORT), NotificationHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run()
    finally:
        server.shutdown()
    sys.exit(1 if failures else 0)


def run():
    invoice = f"INV/2026/12 PY-{uuid.uuid4().hex[:8]}"
    order = {
        "order": {"amount": 150000, "invoice_number": invoice, "currency": "IDR"},
        "payment": {"payment_due_date": 60, "payment_method_types": ["VIRTUAL_ACCOUNT_BCA"]},
        "customer": {"name": "Budi", "email": "budi@example.com", "phone": "6281234567890"},
    }
    status, answer = call("POST", "/checkout/v1/payment", json.dumps(order).encode())
    url = isinstance(answer, dict) and answer.get("response", {}).get("payment", {}).get("url")
    report("checkout", status == 200 and bool(url), f"HTTP {status}: {answer}")
    if not url:
        for check in ("pay", "notification_received", "notification_headers",
                      "notification_signature", "notification_body", "notification_channel",
                      "notification_va",
                      "check_status"):
            report(check, False, "not run: the Checkout was not created")
        return

    pay = {"invoice_number": invoice, "status": "SUCCESS", "method": "VIRTUAL_ACCOUNT_BCA"}
    status, answer = call("POST", "/doku-sim/v1/pay", json.dumps(pay).encode(), signed=False)
    report("pay", status == 200, f"HTTP {status}: {answer}")

    try:
        note = notifications.get(timeout=15)
    except queue.Empty:
        note = None
    report("notification_received", note is not None and note["path"] == NOTIFY_PATH,
           "none within 15 s" if note is None else f"arrived on {note['path']}")
    if note is None:
        for check in ("notification_headers", "notification_signature", "notification_body",
                      "notification_channel", "notification_va"):
            report(check, False, "not run: no notification")
    else:
        missing = [name for name, value in note["headers"].items() if not value]
        report("notification_headers", not missing, f"missing {missing}")
        report("notification_signature", note["verified"], "Signature does not match the body")
        try:
            body = json.loads(note["raw"])
        except ValueError as e:
            body = {}
            report("notification_body", False, f"not JSON: {e}")
        else:
            got_invoice = body.get("order", {}).get("invoice_number")
            got_status = body.get("transaction", {}).get("status")
            report("notification_body", got_invoice == invoice and got_status == "SUCCESS",
                   f"order.invoice_number={got_invoice!r}, transaction.status={got_status!r}")
        channel = (body.get("channel") or {}).get("id")
        report("notification_channel", channel == pay["method"],
               f"channel.id={channel!r}, paid with {pay['method']}")
        va = (body.get("virtual_account_info") or {}).get("virtual_account_number")
        report("notification_va", bool(va), "no virtual_account_info.virtual_account_number")

    target = "/orders/v1/status/" + urllib.parse.quote(invoice, safe="")
    status, answer = call("GET", target)
    got = isinstance(answer, dict) and answer.get("transaction", {}).get("status")
    report("check_status", status == 200 and got == "SUCCESS",
           f"GET {target}: HTTP {status}: {answer}")


if __name__ == "__main__":
    main()
