#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The built tirkeu-sandbox against data/portal-api.yaml, checked by code we did not write:
# certificates and CMS signatures made by the openssl command, HTTPS by Python's ssl module
# trusting only the sandbox's CA, and every answer's body validated by python3-jsonschema
# against the schema the contract gives for that operation and status. Independent clients
# will talk to the sandbox; this keeps it to the letter of the contract. TAP on stdout.

import base64
import datetime
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
import yaml

SOURCE_ROOT = os.environ["TIRKEU_SOURCE_ROOT"]
BUILD_ROOT = os.environ["TIRKEU_BUILD_ROOT"]
SELLER_BIN = "230540004989"

results = []


def ok(condition, name):
    results.append((bool(condition), name))
    print(("ok" if condition else "not ok") + " %d %s" % (len(results), name), flush=True)


with open(os.path.join(SOURCE_ROOT, "data", "portal-api.yaml"), encoding="utf-8") as f:
    SPEC = yaml.safe_load(f)
RESOLVER = jsonschema.RefResolver.from_schema(SPEC)


def schema_errors(name, instance):
    validator = jsonschema.Draft202012Validator({"$ref": "#/components/schemas/" + name},
                                                resolver=RESOLVER)
    return [e.message for e in validator.iter_errors(instance)]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_pki(work):
    """A test CA and NCA-like AUTH and SIGN certificates of the seller, by the openssl command."""
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f"{work}/ca.key")
    openssl("req", "-x509", "-new", "-key", f"{work}/ca.key", "-days", "30",
            "-subj", "/C=KZ/CN=Contract test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", f"{work}/ca.pem")
    ekus = {
        "auth": "clientAuth,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.5",
        "sign": "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1",
    }
    for kind, eku in ekus.items():
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                f"{work}/{kind}.key")
        openssl("req", "-new", "-utf8", "-key", f"{work}/{kind}.key",
                "-subj", f"/CN=ТЕСТОВ ТЕСТ/serialNumber=IIN850304300128/C=KZ/O=Test"
                         f"/OU=BIN{SELLER_BIN}", "-out", f"{work}/{kind}.csr")
        with open(f"{work}/{kind}.ext", "w") as ext:
            ext.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                      f"extendedKeyUsage={eku}\n")
        openssl("x509", "-req", "-in", f"{work}/{kind}.csr", "-CA", f"{work}/ca.pem",
                "-CAkey", f"{work}/ca.key", "-CAcreateserial", "-days", "30",
                "-extfile", f"{work}/{kind}.ext", "-out", f"{work}/{kind}.pem")


def sign(work, kind, data_b64):
    with open(f"{work}/data.bin", "wb") as f:
        f.write(base64.b64decode(data_b64))
    openssl("cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER",
            "-in", f"{work}/data.bin", "-out", f"{work}/data.der",
            "-signer", f"{work}/{kind}.pem", "-inkey", f"{work}/{kind}.key")
    with open(f"{work}/data.der", "rb") as f:
        return base64.b64encode(f.read()).decode()


class Client:
    def __init__(self, url, ca_file):
        self.url = url
        self.context = ssl.create_default_context(cafile=ca_file)
        self.token = None

    def call(self, method, path, body=None, key=None, auth=True):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, method=method, data=data)
        if auth and self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        if key:
            request.add_header("Idempotency-Key", key)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=20) as answer:
                return answer.status, answer.headers, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers, json.loads(error.read())


    def raw(self, method, path, data=None, content_type=None):
        """A call whose answer is not JSON (the /pki endpoints): status, headers, bytes."""
        request = urllib.request.Request(self.url + path, method=method, data=data)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=20) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


def documented_type(path_template, method, status):
    """The one media type the contract gives for (path, method, status)."""
    response = SPEC["paths"][path_template][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
    types = list(response["content"])
    return types[0] if len(types) == 1 else None


def check_der(client, name, method, path, path_template, data=None, content_type=None):
    """A /pki call answered 200 in the media type the contract declares (and that the
    contract declares the request's media type); returns the DER."""
    if content_type is not None:
        declared_request = list(SPEC["paths"][path_template][method.lower()]["requestBody"]
                                ["content"])
        ok(declared_request == [content_type],
           f"{name}: the contract takes {content_type} ({declared_request})")
    status, headers, body = client.raw(method, path, data, content_type)
    declared = documented_type(path_template, method, status) if status == 200 else None
    ok(status == 200 and headers.get("Content-Type") == declared and len(body) > 0
       and headers.get("X-Tirkeu-Environment") == "sandbox"
       and declares_environment(path_template, method, status),
       f"{name}: {method} {path_template} -> {status} {headers.get('Content-Type')} "
       f"(declared {declared})")
    return body


def openssl_text(*args):
    done = subprocess.run(["openssl", *args], capture_output=True, text=True)
    return done.stdout + done.stderr if done.returncode == 0 else ""


def check_pki(client, work, program):
    """/pki/* and /admin/pki/revocations, with openssl as the independent client."""
    state = f"{work}/state"
    ca_der = check_der(client, "CA certificate", "GET", "/pki/ca.cer", "/pki/ca.cer")
    with open(f"{work}/gost-ca.cer", "wb") as f:
        f.write(ca_der)
    openssl("x509", "-inform", "DER", "-in", f"{work}/gost-ca.cer", "-out", f"{work}/gost-ca.pem")
    # the same CA `tirkeu-sandbox pki ca` writes from the running sandbox's state directory
    subprocess.run([program, "pki", "ca", "--state-dir", state, "-o", f"{work}/pki-ca.cer"],
                   check=True)
    with open(f"{work}/pki-ca.cer", "rb") as f:
        ok(f.read() == ca_der, "pki ca writes the CA that /pki/ca.cer serves")

    subprocess.run([program, "pki", "issue-key", "--state-dir", state, "--bin", SELLER_BIN,
                    "--iin", "850304300128", "--name", "ТЕСТОВ ТЕСТ", "--organisation", "Test",
                    "--role", "signer", "--password", "Contract1", "-o", f"{work}/gost.p12"],
                   check=True)
    openssl("pkcs12", "-legacy", "-nokeys", "-passin", "pass:Contract1", "-in",
            f"{work}/gost.p12", "-out", f"{work}/gost.pem")
    serial = openssl_text("x509", "-in", f"{work}/gost.pem", "-noout", "-serial").strip()
    ok(serial.startswith("serial="), "openssl reads the key file's certificate")

    def ocsp_status(name, get=False):
        openssl("ocsp", "-sha256", "-issuer", f"{work}/gost-ca.pem", "-cert", f"{work}/gost.pem",
                "-reqout", f"{work}/ocsp.req")
        with open(f"{work}/ocsp.req", "rb") as f:
            request = f.read()
        if get:
            encoded = urllib.parse.quote(base64.b64encode(request).decode(), safe="")
            answer = check_der(client, name, "GET", "/pki/ocsp/" + encoded, "/pki/ocsp/{request}")
        else:
            answer = check_der(client, name, "POST", "/pki/ocsp", "/pki/ocsp", request,
                               "application/ocsp-request")
        with open(f"{work}/ocsp.resp", "wb") as f:
            f.write(answer)
        text = openssl_text("ocsp", "-reqin", f"{work}/ocsp.req", "-respin", f"{work}/ocsp.resp",
                            "-noverify", "-resp_text")
        for line in text.splitlines():
            if "Cert Status:" in line:
                return line.split(":", 1)[1].strip()
        return None

    ok(ocsp_status("OCSP") == "good", "openssl ocsp reads good for a fresh key file")
    ok(ocsp_status("OCSP by GET", get=True) == "good", "the same by GET")
    check(client, "OCSP of the wrong type", "POST", "/pki/ocsp", "/pki/ocsp", 400, {"x": 1},
          auth=False)
    check(client, "revoke a bad serial", "POST", "/admin/pki/revocations",
          "/admin/pki/revocations", 400, {"serial": "xyz"}, auth=False)
    check(client, "revoke", "POST", "/admin/pki/revocations", "/admin/pki/revocations", 200,
          {"serial": serial, "reason": 1}, auth=False)
    ok(ocsp_status("OCSP after revocation") == "revoked", "openssl ocsp reads revoked")

    crl = check_der(client, "CRL", "GET", "/pki/crl", "/pki/crl")
    with open(f"{work}/gost.crl", "wb") as f:
        f.write(crl)
    text = openssl_text("crl", "-inform", "DER", "-in", f"{work}/gost.crl", "-noout", "-text")
    ok(serial.split("=", 1)[1] in text and "Key Compromise" in text,
       "openssl crl lists the revoked serial and its reason")

    with open(f"{work}/stamped.txt", "w") as f:
        f.write("a signature value\n")
    for digest, granted in [("-sha512", True), ("-sha256", True), ("-sha1", False)]:
        openssl("ts", "-query", "-data", f"{work}/stamped.txt", digest, "-cert",
                "-out", f"{work}/query.tsq")
        with open(f"{work}/query.tsq", "rb") as f:
            query = f.read()
        reply = check_der(client, "TSA " + digest, "POST", "/pki/tsa", "/pki/tsa", query,
                          "application/timestamp-query")
        with open(f"{work}/reply.tsr", "wb") as f:
            f.write(reply)
        text = openssl_text("ts", "-reply", "-in", f"{work}/reply.tsr", "-text")
        ok(("Status: Granted." in text and "Policy OID: 1.2.398.3.3.2.6.4" in text)
           if granted else "Status: Rejected." in text,
           f"openssl ts reads the reply to {digest}: {'granted' if granted else 'rejected'}")
    check(client, "TSA of the wrong type", "POST", "/pki/tsa", "/pki/tsa", 400, {"x": 1},
          auth=False)


def documented_schema(path_template, method, status):
    """The schema name the contract gives for (path, method, status)."""
    operation = SPEC["paths"][path_template][method.lower()]
    response = operation["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
    schema = response["content"]["application/json"]["schema"]
    return schema["$ref"].split("/")[-1] if "$ref" in schema else None


def declares_environment(path_template, method, status):
    """Whether the contract declares X-Tirkeu-Environment on this answer (it is on all)."""
    response = SPEC["paths"][path_template][method.lower()]["responses"].get(str(status), {})
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
    return "X-Tirkeu-Environment" in response.get("headers", {})


def check(client, name, method, path, path_template, status, body=None, key=None, auth=True):
    got_status, headers, answer = client.call(method, path, body, key, auth)
    schema = documented_schema(path_template, method, got_status) if got_status == status \
        else None
    errors = schema_errors(schema, answer) if schema else []
    declared = declares_environment(path_template, method, got_status)
    ok(got_status == status and headers.get("X-Tirkeu-Environment") == "sandbox"
       and declared and not errors,
       f"{name}: {method} {path_template} -> {got_status} {schema} {errors[:2]}"
       + ("" if declared else " (X-Tirkeu-Environment not declared)"))
    return answer


def epassport_texts(vehicle, name):
    # Contract 1.4.0: colour, body and engine each have a LocalizedText sibling whose ru is the
    # plain string (the e-passport system's own spelling), and whose kk is Kazakh, not a
    # copy of the Russian where the words differ.
    for field in ("colour", "body", "engine"):
        text = vehicle.get(field + "_text")
        ok(isinstance(text, dict) and set(text) == {"kk", "ru", "en"}
           and text["ru"] == vehicle.get(field) and all(text.values()),
           f"{name}: {field}_text in kk, ru and en, ru as {field}")
    ok(vehicle["colour_text"]["kk"] != vehicle["colour_text"]["ru"]
       and vehicle["colour_text"]["en"] != vehicle["colour_text"]["ru"],
       f"{name}: the colour is translated")


def canonical_payload(request):
    """The signing payload as the contract spells it, built here independently."""
    members = {"buyer_iin": request["buyer_iin"], "contract_number": request["contract_number"],
               "created_at": request["created_at"], "id": request["id"],
               "seller_bin": request["seller_bin"],
               "type": "tirkeu.primary_registration.v1", "vin": request["vin"]}
    return json.dumps(members, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def main():
    work = tempfile.mkdtemp(prefix="tirkeu-sandbox-contract-")
    make_pki(work)
    program = os.path.join(BUILD_ROOT, "src", "sandbox", "tirkeu-sandbox")
    sandbox = subprocess.Popen([program, "--state-dir", f"{work}/state", "--signer-ca",
                                f"{work}/ca.pem", "--buyer", "auto", "--buyer-step-ms", "20"],
                               stdout=subprocess.PIPE, text=True)
    try:
        announced = json.loads(sandbox.stdout.readline())
        ok(announced["url"].startswith("https://127.0.0.1:"), "the JSON line names the URL")
        client = Client(announced["url"], announced["ca_file"])

        check(client, "about", "GET", "/api/v1/about", "/api/v1/about", 200)
        challenge = check(client, "challenge", "POST", "/api/v1/auth/challenge",
                          "/api/v1/auth/challenge", 201)
        check(client, "bad signature", "POST", "/api/v1/auth/session",
              "/api/v1/auth/session", 422,
              {"challenge_id": challenge["challenge_id"], "signature": "aGVsbG8="})
        challenge = check(client, "challenge", "POST", "/api/v1/auth/challenge",
                          "/api/v1/auth/challenge", 201)
        check(client, "sign key for sign-in", "POST", "/api/v1/auth/session",
              "/api/v1/auth/session", 403,
              {"challenge_id": challenge["challenge_id"],
               "signature": sign(work, "sign", challenge["challenge"])})
        challenge = check(client, "challenge", "POST", "/api/v1/auth/challenge",
                          "/api/v1/auth/challenge", 201)
        session = check(client, "sign-in", "POST", "/api/v1/auth/session",
                        "/api/v1/auth/session", 201,
                        {"challenge_id": challenge["challenge_id"],
                         "signature": sign(work, "auth", challenge["challenge"])})
        check(client, "used challenge", "POST", "/api/v1/auth/session", "/api/v1/auth/session",
              400, {"challenge_id": challenge["challenge_id"], "signature": "aGVsbG8="})
        check(client, "no token", "GET", "/api/v1/seller", "/api/v1/seller", 401, auth=False)
        client.token = session["token"]

        check(client, "seller", "GET", "/api/v1/seller", "/api/v1/seller", 200)
        for vin in ["JTNB23HK2R3000101", "XW8ZZZ3C0SG000103", "Z94K241C4SR000104",
                    "KNAPH81A1S5000105", "LVVDB21BXRD000106", "XTA210740S0000107",
                    "1HGCM82633A004352"]:
            vehicle = check(client, "vehicle " + vin, "GET", "/api/v1/vehicles/" + vin,
                            "/api/v1/vehicles/{vin}", 200)
            if vehicle["epassport"]["status"] == "found":
                epassport_texts(vehicle["epassport"], "vehicle " + vin)
        check(client, "bad VIN", "GET", "/api/v1/vehicles/IOQ", "/api/v1/vehicles/{vin}", 400)
        check(client, "person", "GET", "/api/v1/persons/850312300121",
              "/api/v1/persons/{iin}", 200)
        check(client, "unknown person", "GET", "/api/v1/persons/770211300889",
              "/api/v1/persons/{iin}", 404)
        check(client, "bad IIN", "GET", "/api/v1/persons/123456789021",
              "/api/v1/persons/{iin}", 400)
        check(client, "contracts", "GET",
              "/api/v1/contracts?vin=XW8ZZZ3C0SG000117&buyer_iin=990330500231",
              "/api/v1/contracts", 200)
        # libsoup refuses these request targets before any handler runs; the answer is still
        # the contract's 400 (it was an empty 400 and a closed connection).
        check(client, "invalid escape", "GET", "/api/v1/contracts?vin=%zz%26x",
              "/api/v1/contracts", 400)
        check(client, "cut escape", "GET", "/api/v1/contracts?vin=JTNB23HK2R3000101%2",
              "/api/v1/contracts", 400)
        check(client, "NUL in a query", "GET", "/api/v1/changes?limit=1%00",
              "/api/v1/changes", 400)
        check(client, "no contracts", "GET",
              "/api/v1/contracts?vin=KNAPH81A1S5000119&buyer_iin=850312300121",
              "/api/v1/contracts", 200)

        body = {"vin": "JTNB23HK2R3000101", "buyer_iin": "850312300121",
                "contract_number": "DKP-2025-000101"}
        check(client, "no key", "POST", "/api/v1/requests", "/api/v1/requests", 400, body)
        check(client, "body over 64 KiB", "POST", "/api/v1/requests", "/api/v1/requests", 413,
              dict(body, padding="a" * 65536), "too-large")
        request = check(client, "create", "POST", "/api/v1/requests", "/api/v1/requests", 201,
                        body, "contract-1")
        replay = check(client, "replay", "POST", "/api/v1/requests", "/api/v1/requests", 200,
                       body, "contract-1")
        # Contract 1.1: a Request carries the Idempotency-Key it was created with.
        ok(request.get("idempotency_key") == "contract-1"
           and replay.get("idempotency_key") == "contract-1",
           "create and replay name the request's Idempotency-Key")
        check(client, "key reuse", "POST", "/api/v1/requests", "/api/v1/requests", 409,
              dict(body, contract_number="DKP-2025-000115", vin="JTNB23HK2R3000115"),
              "contract-1")
        for vin, contract, status in [("XW8ZZZ3C0SG000103", "DKP-2025-000103", 422),
                                      ("KNAPH81A1S5000119", "DKP-2025-000119", 422)]:
            check(client, "refused " + vin, "POST", "/api/v1/requests", "/api/v1/requests",
                  status, dict(body, vin=vin, contract_number=contract), "refused-" + vin)

        ok(base64.b64decode(request["signing_payload"], validate=True)
           == canonical_payload(request), "the signing payload is the canonical form")
        cyrillic = check(client, "create, Cyrillic contract number", "POST", "/api/v1/requests",
                         "/api/v1/requests", 422,
                         dict(body, vin="JTNB23HK2R3000115", contract_number="ДКП-" * 16),
                         "cyrillic")
        ok(cyrillic["code"] == "CONTRACT_NOT_FOUND",
           "a 64-character Cyrillic contract number is within the bounds")

        # Contract 1.4.0: the Request's vehicle carries the e-passport's texts too.
        epassport_texts(request["vehicle"], "request's vehicle")
        ok(request["vehicle"]["colour_text"]["kk"] == "ақ"
           and request["vehicle"]["body"] == "седан",
           "the request's vehicle is the e-passport's: «ақ», седан")

        rid = request["id"]
        got = check(client, "get", "GET", "/api/v1/requests/" + rid, "/api/v1/requests/{id}",
                    200)
        ok(got.get("idempotency_key") == "contract-1", "get names the Idempotency-Key")
        ok("buyer_deadline" not in got, "no buyer_deadline before the buyer's turn")
        check(client, "unknown id", "GET", "/api/v1/requests/nope", "/api/v1/requests/{id}",
              404)
        check(client, "auth key for a request", "POST", f"/api/v1/requests/{rid}/signature",
              "/api/v1/requests/{id}/signature", 403,
              {"signature": sign(work, "auth", request["signing_payload"])})
        signed = check(client, "signature", "POST", f"/api/v1/requests/{rid}/signature",
                       "/api/v1/requests/{id}/signature", 200,
                       {"signature": sign(work, "sign", request["signing_payload"])})
        ok(signed.get("idempotency_key") == "contract-1", "signature names the Idempotency-Key")
        # contract 1.3.0: a Timestamp, the default --buyer-days (7) after reaching the buyer
        reached = signed["history"][-1]["at"]
        ok(signed["stage"] == "awaiting_buyer"
           and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z",
                            signed.get("buyer_deadline", ""))
           and (datetime.datetime.fromisoformat(signed["buyer_deadline"].replace("Z", "+00:00"))
                - datetime.datetime.fromisoformat(reached.replace("Z", "+00:00"))
                == datetime.timedelta(days=7)),
           "a request waiting for the buyer has its buyer_deadline, 7 days on")

        deadline = time.monotonic() + 20
        stage = None
        while time.monotonic() < deadline and stage != "completed":
            time.sleep(0.1)
            stage = client.call("GET", "/api/v1/requests/" + rid)[2]["stage"]
        ok(stage == "completed", "the buyer's auto scenario completes the request")
        final = check(client, "completed", "GET", "/api/v1/requests/" + rid,
                      "/api/v1/requests/{id}", 200)
        ok(final["tson"] is not None and final["plate_type"] == "standard",
           "a completed request names its TsON and plate type")
        ok("buyer_deadline" not in final, "a completed request has no buyer_deadline")
        check(client, "withdraw too late", "POST", f"/api/v1/requests/{rid}/withdraw",
              "/api/v1/requests/{id}/withdraw", 409)
        changes = check(client, "changes", "GET", "/api/v1/changes?limit=1",
                        "/api/v1/changes", 200)
        ok([c.get("idempotency_key") for c in changes["changes"]] == ["contract-1"],
           "changes name the Idempotency-Key")
        check(client, "changes page 2", "GET", "/api/v1/changes?cursor=" + changes["cursor"],
              "/api/v1/changes", 200)
        check(client, "bad cursor", "GET", "/api/v1/changes?cursor=%21", "/api/v1/changes", 400)

        other = check(client, "create 2", "POST", "/api/v1/requests", "/api/v1/requests", 201,
                      dict(body, vin="JTNB23HK2R3000115", contract_number="DKP-2025-000115"),
                      "contract-2")
        withdrawn = check(client, "withdraw", "POST",
                          f"/api/v1/requests/{other['id']}/withdraw",
                          "/api/v1/requests/{id}/withdraw", 200)
        ok(withdrawn.get("idempotency_key") == "contract-2", "withdraw names the Idempotency-Key")
        # TLS below 1.2 is refused by the server: the client here is made willing (security
        # level 0 allows TLS 1.0 and 1.1 and their SHA-1 signatures), so only the server can
        # say no.
        host_port = announced["url"][len("https://"):]
        for version, accepted in [("-tls1", False), ("-tls1_1", False), ("-tls1_2", True),
                                  ("-tls1_3", True)]:
            handshake = subprocess.run(["openssl", "s_client", version, "-cipher",
                                        "DEFAULT:@SECLEVEL=0", "-connect", host_port,
                                        "-CAfile", announced["ca_file"]],
                                       input="", capture_output=True, text=True, timeout=20)
            ok((handshake.returncode == 0) == accepted
               and ("Cipher is (NONE)" in handshake.stdout) != accepted,
               f"openssl s_client {version}: {'accepted' if accepted else 'refused'}")
        about = client.call("GET", "/api/v1/about")[2]
        ok(about["api_version"] == SPEC["info"]["version"],
           "about's api_version is the contract's info.version")
        check(client, "faults", "GET", "/admin/faults", "/admin/faults", 200, auth=False)
        check(client, "bad faults", "POST", "/admin/faults", "/admin/faults", 400,
              {"fail_rate": 2}, auth=False)
        check(client, "wrong payload", "POST", "/admin/faults", "/admin/faults", 200,
              {"wrong_payload": "none"}, auth=False)
        check(client, "requests", "GET", "/admin/requests", "/admin/requests", 200, auth=False)
        check(client, "expire sessions", "POST", "/admin/sessions/expire",
              "/admin/sessions/expire", 200, auth=False)
        check(client, "action on no request", "POST", "/admin/requests/nope/approve",
              "/admin/requests/{id}/{action}", 404, auth=False)
        check(client, "unknown action", "POST", f"/admin/requests/{rid}/bribe",
              "/admin/requests/{id}/{action}", 400, auth=False)
        check(client, "action too late", "POST", f"/admin/requests/{rid}/approve",
              "/admin/requests/{id}/{action}", 409, auth=False)
        listed = client.call("GET", "/admin/requests", auth=False)[2]["requests"]
        ok(any(r["id"] == rid and r.get("signature") == {"ess_cert_id_v2": False,
                                                          "timestamp": "absent"}
               for r in listed),
           "the admin view says what was checked of the signature (openssl's CMS: no "
           "ESSCertIDv2, no time stamp)")
        check_pki(client, work, program)
    finally:
        sandbox.send_signal(signal.SIGTERM)
        status = sandbox.wait(timeout=20)
        subprocess.run(["rm", "-rf", work], check=False)
    ok(status == 0, "exit status 0 on SIGTERM")

    print("1..%d" % len(results))
    return 0 if all(passed for passed, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
