#!/usr/bin/env python3
"""Computes the vectors in vectors/independent/ WITHOUT doku-rs code: Python's hmac/hashlib/base64 for the HMAC
schemes, the openssl command line for SHA256withRSA (token signatures, JWTs), and the real PHP, Node and Java
(Jackson) runtimes for the minified forms of SNAP bodies. The Rust vector test then checks doku-sign against these
files, so a bug shared by our signer and our generator cannot hide.

Run from the repository root:  python3 vectors/independent/make_independent.py
Needs: python3, openssl, php, node, java with Jackson's jars (JACKSON_CLASSPATH, default: Debian's
/usr/share/java jars). The exact commands are recorded in each file and in vectors/README.md.
"""
import base64
import hashlib
import hmac
import json
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

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


# --- Minified forms, produced by the real runtimes -------------------------------------------------------------

# PHP: DOKU's PHP SDK line, json_encode(json_decode($b), JSON_UNESCAPED_SLASHES|JSON_UNESCAPED_UNICODE), with its two
# failures made visible (json_decode's error, json_encode's false) as exit codes instead of printing "null" or "".
PHP_CODE = (
    "$b = stream_get_contents(STDIN); $v = json_decode($b); if (json_last_error() !== JSON_ERROR_NONE) exit(3); "
    "$out = json_encode($v, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE); if ($out === false) exit(4); echo $out;"
)
NODE_CODE = 'const b = require("fs").readFileSync(0, "utf8"); process.stdout.write(JSON.stringify(JSON.parse(b)));'
JACKSON_CLASSPATH = os.environ.get(
    "JACKSON_CLASSPATH",
    "/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar",
)
RUNTIMES = {
    "php": ["php", "-r", PHP_CODE],
    "node": ["node", "-e", NODE_CODE],
    "jackson": ["java", "--class-path", JACKSON_CLASSPATH, str(HERE / "JacksonMinify.java")],
}
COMMANDS = {
    "whitespace": "python3: whitespace outside strings removed (vectors/independent/make_independent.py, "
                  "whitespace_minify) after json.loads accepted the text; null when it did not",
    "php": "php -r " + shlex.quote(PHP_CODE),
    "node": "node -e " + shlex.quote(NODE_CODE),
    "jackson": "java --class-path $JACKSON_CLASSPATH vectors/independent/JacksonMinify.java",
}
COMMANDS_NOTE = "each command reads the body on stdin and prints the minified form; null = the command failed"


def version(argv):
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    return (out.stdout + out.stderr).strip().splitlines()[0]


def runtime_versions():
    jackson = "unknown"
    for jar in JACKSON_CLASSPATH.split(":"):
        if "databind" in jar:
            manifest = subprocess.run(["unzip", "-p", jar, "META-INF/MANIFEST.MF"], capture_output=True, text=True)
            for line in manifest.stdout.splitlines():
                if line.startswith("Bundle-Version:"):
                    jackson = line.split(":", 1)[1].strip()
    return {
        "php": version(["php", "--version"]),
        "node": "Node.js " + version(["node", "--version"]),
        "jackson": f"jackson-databind {jackson} on " + version(["java", "-version"]),
    }


def run_reading(name, text):
    """The runtime's minified form of `text`, or None when the command fails."""
    done = subprocess.run(RUNTIMES[name], input=text.encode("utf-8"), capture_output=True)
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8")


def reject_constants(name):
    raise ValueError(f"not JSON: {name}")


def whitespace_minify(text):
    """Whitespace outside strings removed, every other character kept; None when json.loads refuses the text."""
    try:
        json.loads(text, parse_constant=reject_constants)
    except (ValueError, RecursionError):
        return None
    out, in_string, escaped = [], False, False
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch not in " \t\n\r":
            out.append(ch)
    return "".join(out)


def minified_forms(text):
    forms = {"whitespace": whitespace_minify(text)}
    for name in RUNTIMES:
        forms[name] = run_reading(name, text)
    return forms


def json_minify(description, inputs):
    return {
        "scheme": "json-minify",
        "description": description,
        "commands": COMMANDS,
        "commands_note": COMMANDS_NOTE,
        "runtimes": runtime_versions(),
        "cases": [{"input": text, "expected": minified_forms(text)} for text in inputs],
    }


def snap_hmac(secret, method, path, token, body, timestamp):
    body_hash = hashlib.sha256(body.encode("utf-8")).hexdigest().lower()
    string_to_sign = f"{method}:{path}:{token}:{body_hash}:{timestamp}"
    mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha512).digest()
    return body_hash, string_to_sign, mac


def snap_symmetric_minified(description, secret, method, path, token, body, timestamp):
    expected = {}
    forms = minified_forms(body)
    for name, minified in forms.items():
        if minified is None:
            expected[name] = None
            continue
        body_hash, string_to_sign, mac = snap_hmac(secret, method, path, token, minified, timestamp)
        expected[name] = {
            "minified": minified,
            "body_hash": body_hash,
            "string_to_sign": string_to_sign,
            "signature": b64(mac),
        }
    php = forms["php"]
    _, _, tampered = snap_hmac(secret, method, path, token, php.replace("IDR", "USD"), timestamp)
    _, _, php_mac = snap_hmac(secret, method, path, token, php, timestamp)
    return {
        "scheme": "snap-symmetric-minified",
        "description": description,
        "secret_key": secret,
        "method": method,
        "path": path,
        "access_token": token,
        "timestamp": timestamp,
        "body": body,
        "commands": COMMANDS,
        "commands_note": COMMANDS_NOTE,
        "runtimes": runtime_versions(),
        "expected": expected,
        "reject": [
            b64(php_mac).lower(),
            b64(tampered),
            hashlib.sha256(php.encode("utf-8")).hexdigest(),
            php_mac.hex(),
        ],
    }


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def openssl_sign(private_file, data: bytes) -> bytes:
    return subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", str(KEYS / private_file)],
        input=data, capture_output=True, check=True,
    ).stdout


def openssl_verify(public_file, data: bytes, signature: bytes):
    with tempfile.NamedTemporaryFile() as sig:
        sig.write(signature)
        sig.flush()
        done = subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", str(KEYS / public_file), "-signature", sig.name],
            input=data, capture_output=True, check=True,
        )
    assert done.stdout.strip() == b"Verified OK", done.stdout


def jwt_rs256(description, private_file, public_file, claims):
    header = '{"alg":"RS256","typ":"JWT"}'
    signing_input = f"{b64url(header.encode())}.{b64url(claims.encode('utf-8'))}"
    signature = openssl_sign(private_file, signing_input.encode("ascii"))
    openssl_verify(public_file, signing_input.encode("ascii"), signature)
    token = f"{signing_input}.{b64url(signature)}"

    def signed_with_header(other_header):
        text = f"{b64url(other_header.encode())}.{b64url(claims.encode('utf-8'))}"
        return f"{text}.{b64url(openssl_sign(private_file, text.encode('ascii')))}"

    tampered_claims = b64url(claims.replace("DOKU", "D0KU").encode("utf-8"))
    unsigned_none = b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(claims.encode("utf-8")) + "."
    return {
        "scheme": "jwt-rs256",
        "description": description,
        "private_key_pem": (KEYS / private_file).read_text(),
        "public_key_pem": (KEYS / public_file).read_text(),
        "claims": claims,
        "expected": {"header": header, "signing_input": signing_input, "token": token},
        "reject": [
            unsigned_none,
            signed_with_header('{"alg":"HS256","typ":"JWT"}'),
            signed_with_header('{"alg":"RS256","typ":"JWT","crit":["exp"]}'),
            f"{b64url(header.encode())}.{tampered_claims}.{b64url(signature)}",
            f"{signing_input}.{base64.urlsafe_b64encode(signature).decode('ascii')}=",
            f"{signing_input}.{base64.b64encode(signature).decode('ascii')}",
        ],
    }


NESTED = lambda n: "[" * n + "]" * n  # noqa: E731

TRICKY_INPUTS = [
    r'{"url":"https:\/\/api-sandbox.doku.com\/checkout","plain":"a/b","mixed":"\/x/"}',
    r'{"name":"Jos\u00e9 Sm\u00edth","raw":"José Smíth","upper":"\u00C9","euro":"\u20ac","cjk":"\u65e5本"}',
    '{"addr":"Jl. Merdeka — Bandung, Jawa Barat, \u00e9\u00e8 日本 🇮🇩"}',
    r'{"amount":10000.00,"int":10000,"exp":1.5e3,"big":1e25,"tiny":0.0000001,"edge":1e21,"small":0.0001}',
    "[-0,-0.0,0.0,1.0,100.0,9999999.0,10000000.0,0.001,0.00099,0.5]",
    "[11500.00,12345678.00,0.10,99999999999.99,150000,20000.5]",
    "[1E2,1e+2,1e-2,-1.5E-10,2.5e-5,123456.789e3,1e16,1e17]",
    "[12345678901234567890,9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809]",
    '{"ls":"\\u2028","ps":"\\u2029","raw":"a\u2028b\u2029c"}',
    r'{"c":"\b\f\n\r\t \u0000\u0001\u001f\u001F\u007f"}',
    '{"del":"\x7f"}',
    r'{"q":"\"quoted\" \\ back \\\/"}',
    r'{"e":"\ud83d\ude00😀\uD83D\uDE00"}',
    r'["\ud800","\udc00x"]',
    r'{"b":1,"4294967295":2,"4294967294":3,"1":4,"01":5,"a":{"10":1,"9":2,"-1":3},"b":6,"":7,"\u0031":8}',
    r'{"\u0000a":1,"a\u0000":2}',
    "[1e400,-1e400,1e-400,-1e-400]",
    '{\n  "a" : [ 1 , 2 ] ,\r\n\t"b" : { } , "c":[ ] , "d" : "  spaced  "\n}\n',
    " 1.0 ",
    '"\\/top"',
    "true",
    '{"a":[],"b":{},"c":[{}],"d":[true,false,null]}',
    NESTED(511),
    NESTED(512),
    NESTED(1000),
    NESTED(1001),
    "[1,]",
    "{'a':1}",
    "[01]",
    '{"a" 1}',
    '["a\tb"]',
    "[.5]",
    "[NaN]",
]

VA_NOTIFICATION = """{
  "partnerServiceId": "   19008",
  "customerNo": "0000000000001",
  "virtualAccountNo": "   190080000000000001",
  "virtualAccountName": "Jos\\u00e9 Sm\\u00edth — Toko Sérang",
  "virtualAccountEmail": "jose@example.com",
  "trxId": "INV-2024-0001",
  "paymentRequestId": "PR-0001",
  "paidAmount": {"value": "10000.00", "currency": "IDR"},
  "trxDateTime": "2024-03-19T14:39:01+07:00",
  "additionalInfo": {
    "channel": "VIRTUAL_ACCOUNT_BCA",
    "howToPayPage": "https:\\/\\/sandbox.doku.com\\/how-to-pay\\/v2\\/bca",
    "fee": 4500.00,
    "rate": 1.5e3
  }
}
"""

CREATE_VA = (
    r'{"partnerServiceId":"   19008","customerNo":"01","virtualAccountNo":"   1900801",'
    r'"virtualAccountName":"Caf\u00e9 Bandung/Jawa","trxId":"INV\/01","totalAmount":{"value":"11500.00",'
    r'"currency":"IDR"},"additionalInfo":{"channel":"VIRTUAL_ACCOUNT_BRI","minAmount":10000.00,'
    r'"maxAmount":1e7},"note":"Rp 10.000 — lunas ✓"}'
)

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
    "snap-asymmetric-openssl-pkcs1": snap_asymmetric(
        "SHA256withRSA computed by `openssl dgst -sha256 -sign` with a PKCS#1 key, Z timestamp", "partner-pkcs1.pem",
        "partner-public-pkcs1.pem", "BRN-0001-10791114622547", "2026-11-29T03:00:00Z"),
    "snap-symmetric-escaped-body": snap_symmetric(
        "SNAP symmetric over a body sent as is with `/`, `\\/`, raw non-ASCII, `\\u00e9` and 10000.00, computed with "
        "Python hmac/hashlib", "python-snap-secret", "POST", "/virtual-accounts/bi-snap-va/v1.1/transfer-va/update-va",
        "token-abc", CREATE_VA, "2024-03-19T14:39:01+07:00"),
    "snap-minified-notification": lambda: snap_symmetric_minified(
        "An inbound SNAP payment notification, pretty-printed, with `\\/`, `\\u00e9`, raw non-ASCII, 10000.00 and "
        "1.5e3: each reading's minified form from the real runtime, each signed with Python hmac",
        "merchant-client-secret", "POST", "/v1.1/transfer-va/payment", "", VA_NOTIFICATION,
        "2024-03-19T14:39:05+07:00"),
    "snap-minified-create-va": lambda: snap_symmetric_minified(
        "A compact Create VA body whose minified forms still differ (`\\/`, `\\u00e9`, 10000.00, 1e7): each "
        "reading's form from the real runtime, each signed with Python hmac",
        "snap-client-secret-1", "POST", "/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig", CREATE_VA, "2024-03-19T14:39:01+07:00"),
    "json-minify-tricky": lambda: json_minify(
        "Tricky bodies minified by each reading's real runtime: escapes, non-ASCII, U+2028, control characters, "
        "surrogates, duplicate and array-index member names, every number form, nesting limits, invalid JSON",
        TRICKY_INPUTS),
    "jwt-rs256-openssl": jwt_rs256(
        "A compact RS256 JWT: base64url by Python, signature by `openssl dgst -sha256 -sign`, checked with "
        "`openssl dgst -sha256 -verify`", "merchant-pkcs8.pem", "merchant-public.pem",
        '{"iss":"DOKU","clientId":"MCH-0001-10791114622547","exp":1710835141}'),
}

if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    for name, case in CASES.items():
        if callable(case):
            case = case()
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(case, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
