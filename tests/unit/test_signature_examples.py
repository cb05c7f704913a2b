"""The postback signing examples given to advertisers (README, "Security") compute what the server verifies.

The snippets below are the README's, verbatim. Python always runs; JavaScript and PHP run where node / php are
installed (skipped otherwise). The parameters are chosen where the languages' encoders differ: encodeURIComponent
keeps ! ' ( ) * (RFC 3986 encodes them), PHP's ksort would compare numeric-looking keys as numbers, and "offer"
must sort before "offer_id".
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from services.tracking.signature import sign, verify

PYTHON = '''
import hashlib, hmac
from urllib.parse import quote

def postback_signature(secret: str, params: dict[str, str]) -> str:
    enc = lambda s: quote(s, safe="")  # RFC 3986: A-Z a-z 0-9 - . _ ~ stay, every other UTF-8 byte is %XX
    pairs = sorted((enc(k), enc(v)) for k, v in params.items() if k != "sig")
    payload = "&".join(f"{k}={v}" for k, v in pairs)
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
'''

JAVASCRIPT = '''
const crypto = require("crypto");

function postbackSignature(secret, params) {
  // encodeURIComponent leaves ! ' ( ) * alone; RFC 3986 (and the server) encode them.
  const enc = (s) => encodeURIComponent(String(s))
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  const pairs = Object.keys(params).filter((k) => k !== "sig").map((k) => [enc(k), enc(params[k])]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));  // by encoded name, code unit order
  const payload = pairs.map(([k, v]) => k + "=" + v).join("&");
  return crypto.createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}
'''

PHP = '''
function postback_signature(string $secret, array $params): string {
    unset($params['sig']);
    $pairs = [];
    foreach ($params as $k => $v) {
        $pairs[rawurlencode((string) $k)] = rawurlencode((string) $v);  // RFC 3986, values as UTF-8 strings
    }
    ksort($pairs, SORT_STRING);  // SORT_STRING: byte order, also for keys that look like numbers
    $parts = [];
    foreach ($pairs as $k => $v) {
        $parts[] = $k . '=' . $v;
    }
    return hash_hmac('sha256', implode('&', $parts), $secret);
}
'''

SECRET = "s3cr3t-key"
CASES = [
    {"click_id": "0195a1b2c3d4e5f6a7b8c9d0e1f2a3b4", "status": "sale", "payout": "99.90", "currency": "RUB"},
    {"offer": "7", "offer_id": "7", "txid": "T&uid=77", "status": "lead"},
    {"reason": "it's (fine)! *really* ~ok~", "txid": "Заказ №15/2 €", "promo": "a+b c=d%20", "status": "rejected"},
    {"10": "ten", "9": "nine", "a.b": "-_.~", "A": "upper", "status": "approved", "sig": "ignored"},
]


def python_signature(secret: str, params: dict[str, str]) -> str:
    namespace: dict = {}
    exec(PYTHON, namespace)
    return namespace["postback_signature"](secret, params)


def run(command: list[str], program: str) -> list[str]:
    result = subprocess.run(command, input=program, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.split()


@pytest.mark.parametrize("params", CASES)
def test_the_python_example_signs_what_the_server_verifies(params):
    assert python_signature(SECRET, params) == sign(SECRET, params)
    assert verify(SECRET, params, python_signature(SECRET, params))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_javascript_example_signs_what_the_server_verifies():
    program = JAVASCRIPT + "".join(
        f"console.log(postbackSignature({json.dumps(SECRET)}, {json.dumps(params, ensure_ascii=False)}));\n"
        for params in CASES)
    assert run(["node"], program) == [sign(SECRET, params) for params in CASES]


@pytest.mark.skipif(shutil.which("php") is None, reason="php is not installed")
def test_the_php_example_signs_what_the_server_verifies():
    calls = "".join(f"echo postback_signature({json.dumps(SECRET)}, json_decode({php_string(params)}, true)), "
                    f"\"\\n\";\n" for params in CASES)
    assert run(["php"], "<?php\n" + PHP + calls) == [sign(SECRET, params) for params in CASES]


def php_string(params: dict[str, str]) -> str:
    return "'" + json.dumps(params, ensure_ascii=False).replace("\\", "\\\\").replace("'", "\\'") + "'"
