#!/usr/bin/env python3
"""Computes the vectors in vectors/independent/ WITHOUT doku-rs code: Python's hmac/hashlib/base64 for the HMAC
schemes and the openssl command line for SHA256withRSA. The Rust vector test then checks doku-sign against these
files, so a bug shared by our signer and our generator cannot hide.

Run from the repository root:  python3 vectors/independent/make_independent.py
"""
import base64
import hashlib
import hmac
import json
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
KEYS = HERE.parent / "keys"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def non_snap(scheme, description, secret, client_id, request_id, timestamp, target, body):
    label = "Response-Timestamp" if scheme == "non-snap-response" else "Request-Timestamp"
    lines = [
        f"Client-Id:{client_id}",
        f"Request-Id:{request_id}",
        f"{label}:{timestamp}",
        f"Request-Target:{target}",
    ]
    digest = None
    if body is not None:
        digest = b64(hashlib.sha256(body.encode("utf-8")).digest())
        lines.append(f"Digest:{digest}")
    string_to_sign = "\n".join(lines)
    mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    signature = "HMACSHA256=" + b64(mac)
    tampered = bytearray(mac)
    tampered[0] ^= 0x01
    return {
        "scheme": scheme,
        "description": description,
        "secret_key": secret,
        "client_id": client_id,
        "request_id": request_id,
        "timestamp": timestamp,
        "request_target": target,
        "body": body,
        "expected": {"digest": digest, "string_to_sign": string_to_sign, "signature": signature},
        "reject": [
            "HMACSHA256=" + b64(bytes(tampered)),
            "HMACSHA256=" + b64(mac)[:-4],
            "HMACSHA1=" + b64(mac),
            "HMACSHA256=" + b64(mac).lower(),
        ],
    }


def snap_symmetric(description, secret, method, path, token, body, timestamp):
    body_hash = hashlib.sha256(body.encode("utf-8")).hexdigest().lower()
    string_to_sign = f"{method}:{path}:{token}:{body_hash}:{timestamp}"
    mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha512).digest()
    return {
        "scheme": "snap-symmetric",
        "description": description,
        "secret_key": secret,
        "method": method,
        "path": path,
        "access_token": token,
        "timestamp": timestamp,
        "body": body,
        "expected": {"body_hash": body_hash, "string_to_sign": string_to_sign, "signature": b64(mac)},
        "reject": [b64(mac)[:-4], b64(hashlib.sha512(string_to_sign.encode()).digest())],
    }


def snap_asymmetric(description, private_file, public_file, client_id, timestamp):
    string_to_sign = f"{client_id}|{timestamp}"
    raw = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", str(KEYS / private_file)],
        input=string_to_sign.encode("utf-8"), capture_output=True, check=True,
    ).stdout
    other = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", str(KEYS / private_file)],
        input=(string_to_sign + "x").encode("utf-8"), capture_output=True, check=True,
    ).stdout
    return {
        "scheme": "snap-asymmetric",
        "description": description,
        "private_key_pem": (KEYS / private_file).read_text(),
        "public_key_pem": (KEYS / public_file).read_text(),
        "client_id": client_id,
        "timestamp": timestamp,
        "expected": {"string_to_sign": string_to_sign, "signature": b64(raw)},
        "reject": [b64(other)],
    }


CASES = {
    "spec-worked-example-get": non_snap(
        "non-snap-request",
        "The spec's reproducible GET example (secret SK-EXAMPLE-ONLY), computed with Python hmac",
        "SK-EXAMPLE-ONLY", "MCH-0001-10791114622547", "d895fb53-479c-4f77-a76a-ab81b40d77cb",
        "2020-08-11T08:45:42Z", "/orders/v1/status/INV-123123-12313", None),
    "partner-token-post": non_snap(
        "non-snap-request",
        "Partner API Generate Token POST, computed with Python hmac/hashlib",
        "SK-python-independent", "BRN-0001-10791114622547", "3f2b8a0e-1c4d-4f6a-9b7e-5d2c1a0f9e8d",
        "2026-11-29T03:00:00Z", "/adv-core-api/partner/v1.0/token",
        '{"grant_type":"client_credentials","valid_time":"360"}'),
    "partner-business-non-ascii": non_snap(
        "non-snap-request",
        "Business Registration with non-ASCII UTF-8 and a decimal literal, computed with Python hmac/hashlib",
        "SK-python-independent", "BRN-0001-10791114622547", "req-py-ünïcode-0001",
        "2026-11-29T03:01:00Z", "/adv-core-api/partner/v1.0/business",
        '{"business":{"name":"Warung Bu Siti — Sérang","capital":10000.00}}'),
    "partner-token-response": non_snap(
        "non-snap-response",
        "DOKU's signed token response, computed with Python hmac/hashlib",
        "SK-python-independent", "BRN-0001-10791114622547", "3f2b8a0e-1c4d-4f6a-9b7e-5d2c1a0f9e8d",
        "2026-11-29T03:00:01Z", "/adv-core-api/partner/v1.0/token",
        '{"token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}'),
    "snap-symmetric-known-body": snap_symmetric(
        "SNAP symmetric over the spec's published minified body, computed with Python hmac/hashlib",
        "python-snap-secret", "POST", "/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va",
        "token-abc",
        '{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul Doe","virtualAccountEmail":"jokul@email.com","virtualAccountPhone":"6281828384858","trxId":"abcdefgh1234","totalAmount":{"value":"12345678.00","currency":"IDR"}}',
        "2024-03-19T14:39:01+07:00"),
    "snap-asymmetric-openssl": snap_asymmetric(
        "SHA256withRSA computed by `openssl dgst -sha256 -sign`", "merchant-pkcs8.pem",
        "merchant-public.pem", "MCH-0001-10791114622547", "2024-03-19T14:39:01+07:00"),
}

if __name__ == "__main__":
    for name, case in CASES.items():
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(case, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
