#!/usr/bin/env python3
"""Drive a doku-sim binary the way a non-Rust test suite would, with nothing but Python's stdlib.

    python3 .ci/sim_roundtrip.py PATH/TO/doku-sim

Starts the simulator on a free loopback port, waits for its readiness signals (the `listening on URL`
line, then `GET /health` answering 200), signs a Generate Token request by hand with hmac/hashlib
(DOKU's Non-SNAP scheme, no doku-rs code involved), checks that a token comes back, and that the same
headers over a body with one byte changed are refused with 401 invalid_signature. Exits non-zero with
a message on any failure. .ci/run runs it against the static (musl) build; docs/simulator.md quotes it.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

CLIENT_ID = "BRN-0001-10791114622547"
SECRET_KEY = "SK-EXAMPLE-ONLY"  # a test key for the local simulator, not a DOKU credential
TOKEN_PATH = "/adv-core-api/partner/v1.0/token"


def signed_headers(request_id, timestamp, target, body):
    """DOKU Non-SNAP: HMAC-SHA256 over Client-Id, Request-Id, Request-Timestamp, Request-Target, Digest."""
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    string_to_sign = (
        f"Client-Id:{CLIENT_ID}\nRequest-Id:{request_id}\n"
        f"Request-Timestamp:{timestamp}\nRequest-Target:{target}\nDigest:{digest}"
    )
    mac = hmac.new(SECRET_KEY.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return {
        "Client-Id": CLIENT_ID,
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": "HMACSHA256=" + base64.b64encode(mac).decode(),
        "Content-Type": "application/json",
    }


def post(url, headers, body):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_healthy(base_url, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(base_url + "/health", timeout=2) as response:
                if response.status == 200 and json.load(response) == {"status": "ok"}:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"FAIL: {base_url}/health did not answer 200 within {seconds} s")
        time.sleep(0.1)


def main():
    binary = sys.argv[1]
    env = dict(os.environ, DOKU_SECRET_KEY=SECRET_KEY, RUST_LOG="warn")
    sim = subprocess.Popen(
        [binary, "--listen", "127.0.0.1:0", "--client-id", CLIENT_ID],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = sim.stdout.readline().strip()  # "listening on http://127.0.0.1:PORT"
        if not line.startswith("listening on "):
            sys.exit(f"FAIL: unexpected first line {line!r}")
        base_url = line.removeprefix("listening on ")
        wait_healthy(base_url)

        body = b'{"grant_type":"client_credentials","valid_time":"60"}'
        timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = signed_headers(str(uuid.uuid4()), timestamp, TOKEN_PATH, body)
        status, answer = post(base_url + TOKEN_PATH, headers, body)
        if status != 200 or not str(answer.get("token", "")).startswith("eyJ"):
            sys.exit(f"FAIL: token request answered {status} {answer}")

        changed = body.replace(b'"60"', b'"61"')
        headers = signed_headers(str(uuid.uuid4()), timestamp, TOKEN_PATH, body)
        status, answer = post(base_url + TOKEN_PATH, headers, changed)
        code = answer.get("error", {}).get("code")
        if status != 401 or code != "invalid_signature":
            sys.exit(f"FAIL: a changed body answered {status} {code}, expected 401 invalid_signature")
        print(f"ok: {binary} is ready on {base_url}, issued a token, refused a changed byte")
    finally:
        sim.terminate()
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()


if __name__ == "__main__":
    main()
