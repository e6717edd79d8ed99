#!/usr/bin/python3
"""Local fakes of Apple APNs and Google FCM HTTP v1 (with FCM's OAuth token
endpoint) for pushd's integration tests: HTTP/2 over TLS on loopback, with
certificates and keys made at test time, checking what the real services check
(the specification is section 1e of the team's research notes, NEXT-WAVE.md).
A fake that accepts what the real provider refuses is a bug here.

Built on h2 and h11 (the HTTP/2 and HTTP/1.1 state machines) over asyncio's TLS
rather than on an ASGI server such as hypercorn: the fakes must close a
connection without answering, refuse a connection that did not negotiate h2,
and change a connection's SETTINGS_MAX_CONCURRENT_STREAMS, which ASGI hides.

APNs (h2 only; a TLS connection that does not negotiate h2 is closed):
  POST /3/device/<hex token>; ES256 provider token (kid, iss, signature, iat at
  most 3600 s old, no new token on a connection within 20 minutes of the last:
  429 TooManyProviderTokenUpdates, after which the connection stays refused;
  a re-signed token is a new token: ES256 signatures differ each time);
  one stream per connection until the first valid token, then 1000;
  apns-topic, apns-push-type, apns-priority, apns-expiration,
  apns-collapse-id, apns-id, duplicated headers; payload present, at most 4096
  bytes (5120 for voip), a JSON object with "aps". Apple documents no reason
  for a malformed payload: the fake answers 400 "BadPayload" there.
FCM (h2 and HTTP/1.1):
  POST /token: the jwt-bearer grant with an RS256 assertion signed by the test
  service account (iss, aud = its token_uri, scope, exp - iat <= 3600).
  POST /v1/projects/{id}/messages:send: a bearer token issued by /token and
  unexpired, the project, the message's fields (one target; string data
  values; no reserved data keys; android.ttl and priority; known field names),
  token format, body at most 4096 bytes.

Test control: a JSON file re-read when it changes scripts outcomes per device
token (see class Fakes); every request and every TLS connection is appended
to a JSON-lines log. Run by hand (from the repository root):

  /usr/bin/python3 tests/fakes/push_fakes.py keys /tmp/pf --token-uri https://127.0.0.1:8444/token
  /usr/bin/python3 tests/fakes/push_fakes.py serve --dir /tmp/pf --apns-port 8443 \\
      --fcm-port 8444 --log /tmp/pf/requests.jsonl --control /tmp/pf/control.json
  curl --http2 --cacert /tmp/pf/ca.pem -X POST https://127.0.0.1:8443/3/device/00
  echo '{"apns": {"<64 hex>": {"status": 410, "reason": "Unregistered", "times": 1}}}' \\
      > /tmp/pf/control.json.tmp && mv /tmp/pf/control.json.tmp /tmp/pf/control.json
"""

import argparse
import asyncio
import datetime
import ipaddress
import json
import os
import re
import secrets
import signal
import ssl
import string
import sys
import time
import urllib.parse
import uuid

import h11
import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
APNS_STREAMS_BEFORE_TOKEN = 1
APNS_STREAMS_AFTER_TOKEN = 1000
FCM_STREAMS = 100
PROVIDER_TOKEN_MAX_AGE_S = 3600
PROVIDER_TOKEN_MIN_REFRESH_S = 20 * 60
MAX_REQUEST_BODY_BYTES = 1 << 20  # memory guard; bodies are cut here, far above every limit


# --------------------------------------------------------------------------
# keys DIR: the certificate, the FCM service account and the APNs key.

def random_id(length, alphabet=string.ascii_uppercase + string.digits):
    return "".join(secrets.choice(alphabet) for _ in range(length))


def pem_private_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write_file(path, data, mode=0o600):
    with open(path, "wb") as out:
        out.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)


def write_keys(directory, token_uri):
    """A self-signed CA that is also the server's certificate (127.0.0.1 and
    localhost), a service-account JSON like Google's, an APNs .p8 key."""
    os.makedirs(directory, exist_ok=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push-fakes test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(server_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()),
                           critical=False)
            .sign(server_key, hashes.SHA256()))
    write_file(os.path.join(directory, "ca.pem"), cert.public_bytes(serialization.Encoding.PEM),
               0o644)
    write_file(os.path.join(directory, "server.key"), pem_private_key(server_key))

    account_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    project = "chat-test"
    email = f"pushd@{project}.iam.gserviceaccount.com"
    account = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem_private_key(account_key).decode(),
        "client_email": email,
        "client_id": str(secrets.randbelow(10**21)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                + urllib.parse.quote(email),
    }
    write_file(os.path.join(directory, "fcm-service-account.json"),
               json.dumps(account, indent=2) + "\n")

    apns_key = ec.generate_private_key(ec.SECP256R1())
    write_file(os.path.join(directory, "apns-key.p8"), pem_private_key(apns_key))
    write_file(os.path.join(directory, "apns.json"),
               json.dumps({"key_id": random_id(10), "team_id": random_id(10)}) + "\n", 0o644)


# --------------------------------------------------------------------------
# State shared by both fakes: keys, the control file, issued tokens, the log.

class Response:
    def __init__(self, status, body=b"", headers=None, reason=""):
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = list(headers or [])
        if body:
            self.headers.append(("content-type", "application/json; charset=UTF-8"))
        self.reason = reason  # for the log only


DROP = Response(0, reason="drop")  # close the connection, answer nothing


class Request:
    def __init__(self, conn, method, path, headers, body):
        self.conn = conn          # "ip:port" of the client
        self.method = method
        self.path = path
        self.headers = headers    # [(lower-case name, value)], in order, pseudo-headers removed
        self.body = body          # bytes

    def header(self, name):
        for key, value in self.headers:
            if key == name:
                return value
        return None


class Fakes:
    """Keys, issued access tokens, the control file and the log.

    Control file: {"apns": {TOKEN: OUTCOME}, "fcm": {TOKEN: OUTCOME},
    "apns_default": OUTCOME, "fcm_default": OUTCOME, "fcm_expires_in": N,
    "clock_offset_s": N}. OUTCOME: {"status": N, "reason": APNs reason,
    "error_code": FCM errorCode, "retry_after": s, "drop": true, "times": N}.
    Outcomes apply only to requests that pass every check. An outcome with
    "times" applies to that many requests, then the answer is 200 again; uses
    are counted per distinct outcome object, so an unchanged object in a
    rewritten file keeps its count (PushFakes numbers the outcomes it writes)."""

    def __init__(self, directory, log_path, control_path):
        with open(os.path.join(directory, "fcm-service-account.json")) as f:
            self.account = json.load(f)
        self.account_public_key = serialization.load_pem_private_key(
            self.account["private_key"].encode(), None).public_key()
        with open(os.path.join(directory, "apns.json")) as f:
            apns = json.load(f)
        self.apns_key_id = apns["key_id"]
        self.apns_team_id = apns["team_id"]
        with open(os.path.join(directory, "apns-key.p8"), "rb") as f:
            self.apns_public_key = serialization.load_pem_private_key(f.read(), None).public_key()
        self.access_tokens = {}   # access token -> expiry (unix s)
        self.control_path = control_path
        self.control_stamp = None
        self.control_data = {}
        self.outcome_uses = {}    # (provider, token, outcome JSON) -> requests it answered
        self.log_file = open(log_path, "a", encoding="utf-8")

    def now(self):
        return time.time() + float(self.control().get("clock_offset_s", 0))

    def control(self):
        try:
            info = os.stat(self.control_path)
        except FileNotFoundError:
            self.control_stamp, self.control_data = None, {}
            return self.control_data
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if stamp != self.control_stamp:
            try:
                with open(self.control_path, encoding="utf-8") as f:
                    self.control_data = json.load(f)
                self.control_stamp = stamp
            except (OSError, ValueError) as error:  # half-written: keep the last good one
                print(f"push_fakes: control file: {error}", file=sys.stderr, flush=True)
        return self.control_data

    def scripted(self, provider, token):
        """The outcome scripted for this device token (or the default), if it
        still applies; counts the use."""
        control = self.control()
        outcome = control.get(provider, {}).get(token)
        key_token = token
        if outcome is None:
            outcome, key_token = control.get(provider + "_default"), "*"
        if not outcome:
            return None
        key = (provider, key_token, json.dumps(outcome, sort_keys=True))
        used = self.outcome_uses.get(key, 0)
        if "times" in outcome and used >= int(outcome["times"]):
            return None
        self.outcome_uses[key] = used + 1
        return outcome

    def log(self, entry):
        entry["t_ms"] = int(time.time() * 1000)
        self.log_file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self.log_file.flush()

    def log_request(self, provider, request, response):
        try:
            body = json.loads(request.body) if request.body else ""
        except ValueError:
            body = request.body.decode("utf-8", "replace")
        self.log({"provider": provider, "conn": request.conn, "method": request.method,
                  "path": request.path, "headers": dict(request.headers), "body": body,
                  "status": response.status, "reason": response.reason})


# --------------------------------------------------------------------------
# APNs

APNS_PUSH_TYPES = {"alert", "background", "location", "voip", "complication", "fileprovider",
                   "mdm", "liveactivity", "pushtotalk", "controls", "widgets"}
HEX_TOKEN = re.compile(r"^(?:[0-9a-fA-F]{2}){32,}$")
UUID_FORM = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                       r"[0-9a-fA-F]{12}$")


def verified_jwt(token, public_key, algorithm):
    """(header, claims) of a JWT whose signature `public_key` verifies with
    `algorithm`, or (None, None). The claims are the caller's to check."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, public_key, algorithms=[algorithm],
                            options={"verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False, "verify_aud": False,
                                     "verify_iss": False})
    except jwt.InvalidTokenError:
        return None, None
    return header, claims


class ApnsConnectionState:
    """What APNs remembers per connection: the provider token in use."""

    def __init__(self):
        self.token = None
        self.token_at = 0.0
        self.refused_until = 0.0  # after TooManyProviderTokenUpdates


def apns_error(status, reason, apns_id, fakes=None, retry_after=None):
    body = {"reason": reason}
    if status == 410:
        body["timestamp"] = int(fakes.now() * 1000)
    headers = [("apns-id", apns_id)]
    if retry_after is not None:
        headers.append(("retry-after", str(retry_after)))
    return Response(status, body, headers, reason)


def check_provider_token(fakes, state, authorization, on_first_valid_token):
    """The reason the provider token is refused, or None. Remembers it on the
    connection."""
    now = fakes.now()
    if state.refused_until > now:
        return 429, "TooManyProviderTokenUpdates"
    if not authorization:
        return 403, "MissingProviderToken"
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return 403, "InvalidProviderToken"
    header, claims = verified_jwt(token, fakes.apns_public_key, "ES256")
    if (header is None or header.get("kid") != fakes.apns_key_id
            or claims.get("iss") != fakes.apns_team_id or not isinstance(claims.get("iat"), int)):
        return 403, "InvalidProviderToken"
    if claims["iat"] < now - PROVIDER_TOKEN_MAX_AGE_S:
        return 403, "ExpiredProviderToken"
    if token != state.token:
        if state.token is not None and now - state.token_at < PROVIDER_TOKEN_MIN_REFRESH_S:
            state.refused_until = state.token_at + PROVIDER_TOKEN_MIN_REFRESH_S
            return 429, "TooManyProviderTokenUpdates"
        if state.token is None:
            on_first_valid_token()
        state.token, state.token_at = token, now
    return None


def check_apns_headers(request, push_type_out):
    """The reason the APNs headers are refused, or None."""
    names = [name for name, _ in request.headers]
    if len(names) != len(set(names)):
        return "DuplicateHeaders"
    if request.header("apns-id") is not None and not UUID_FORM.match(request.header("apns-id")):
        return "BadMessageId"
    if not request.header("apns-topic"):
        return "MissingTopic"
    push_type = request.header("apns-push-type")
    if push_type not in APNS_PUSH_TYPES:
        return "InvalidPushType"
    push_type_out.append(push_type)
    priority = request.header("apns-priority")
    if priority is not None and priority not in ("10", "5", "1"):
        return "BadPriority"
    if push_type == "background" and priority != "5":
        return "BadPriority"
    expiration = request.header("apns-expiration")
    if expiration is not None and not expiration.isdigit():
        return "BadExpirationDate"
    collapse_id = request.header("apns-collapse-id")
    if collapse_id is not None and len(collapse_id.encode()) > 64:
        return "BadCollapseId"
    return None


def check_apns_payload(body, push_type):
    """(status, reason) when the payload is refused, or None."""
    if not body:
        return 400, "PayloadEmpty"
    if len(body) > (5120 if push_type == "voip" else 4096):
        return 413, "PayloadTooLarge"
    try:
        payload = json.loads(body)
    except ValueError:
        return 400, "BadPayload"
    if not isinstance(payload, dict) or not isinstance(payload.get("aps"), dict):
        return 400, "BadPayload"
    aps = payload["aps"]
    if push_type == "background" and (aps.get("content-available") != 1 or "alert" in aps
                                      or "sound" in aps or "badge" in aps):
        return 400, "BadPriority"
    return None


def handle_apns(fakes, state, request, on_first_valid_token):
    apns_id = request.header("apns-id") or ""
    if not UUID_FORM.match(apns_id):  # a bad one is refused below, with a fresh id
        apns_id = str(uuid.uuid4()).upper()
    prefix = "/3/device/"
    if not request.path.startswith(prefix):
        return apns_error(404, "BadPath", apns_id)
    if request.method != "POST":
        return apns_error(405, "MethodNotAllowed", apns_id)
    refused = check_provider_token(fakes, state, request.header("authorization"),
                                   on_first_valid_token)
    if refused:
        return apns_error(refused[0], refused[1], apns_id)
    device_token = request.path[len(prefix):]
    if not device_token:
        return apns_error(400, "MissingDeviceToken", apns_id)
    if not HEX_TOKEN.match(device_token):
        return apns_error(400, "BadDeviceToken", apns_id)
    push_type = []
    reason = check_apns_headers(request, push_type)
    if reason:
        return apns_error(400, reason, apns_id)
    refused = check_apns_payload(request.body, push_type[0])
    if refused:
        return apns_error(refused[0], refused[1], apns_id)
    outcome = fakes.scripted("apns", device_token)
    if outcome:
        if outcome.get("drop"):
            return DROP
        status = int(outcome.get("status", 200))
        if status != 200:
            default_reason = {410: "Unregistered", 429: "TooManyRequests",
                              500: "InternalServerError", 503: "ServiceUnavailable"}
            reason = outcome.get("reason", default_reason.get(status, "BadRequest"))
            return apns_error(status, reason, apns_id, fakes, outcome.get("retry_after"))
    return Response(200, b"", [("apns-id", apns_id)])


# --------------------------------------------------------------------------
# FCM: the OAuth token endpoint and messages:send

FCM_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
              404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
FCM_ERROR_CODE = {400: "INVALID_ARGUMENT", 401: "THIRD_PARTY_AUTH_ERROR",
                  403: "SENDER_ID_MISMATCH", 404: "UNREGISTERED", 429: "QUOTA_EXCEEDED",
                  500: "INTERNAL", 503: "UNAVAILABLE"}
FCM_MESSAGE = {"UNREGISTERED": "Requested entity was not found.",
               "SENDER_ID_MISMATCH": "SenderId mismatch",
               "QUOTA_EXCEEDED": "Quota exceeded for quota metric 'Messages sent' and limit "
                                 "'Messages sent per minute'.",
               "UNAVAILABLE": "The service is currently unavailable.",
               "INTERNAL": "Internal error encountered.",
               "THIRD_PARTY_AUTH_ERROR": "Auth error from APNS or Web Push Service",
               "INVALID_ARGUMENT": "Request contains an invalid argument."}
AUTH_HELP = ("Expected OAuth 2 access token, login cookie or other valid authentication "
             "credential. See "
             "https://developers.google.com/identity/sign-in/web/devconsole-project.")
TOKEN_TIMEFRAME = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                   "reasonable timeframe. Check your iat and exp values in the JWT claim.")
SEND_PATH = re.compile(r"^/v1/projects/([^/]+)/messages:send$")
TTL_FORM = re.compile(r"^\d+(\.\d{1,9})?s$")
# Field names FCM's proto accepts (snake_case or lowerCamelCase); others are refused.
MESSAGE_FIELDS = {"name", "data", "notification", "android", "webpush", "apns", "fcm_options",
                  "fcmOptions", "token", "topic", "condition"}
ANDROID_FIELDS = {"collapse_key", "collapseKey", "priority", "ttl", "restricted_package_name",
                  "restrictedPackageName", "data", "notification", "fcm_options", "fcmOptions",
                  "direct_boot_ok", "directBootOk"}


def google_error(status, message, details=None, error_code=None, retry_after=None):
    error = {"code": status, "message": message, "status": FCM_STATUS.get(status, "UNKNOWN")}
    if details is not None:
        error["details"] = details
    headers = [("retry-after", str(retry_after))] if retry_after is not None else []
    if status == 401:
        headers.append(("www-authenticate", 'Bearer realm="https://accounts.google.com/"'))
    return Response(status, {"error": error}, headers, error_code or error["status"])


def bad_request(field, description):
    """400 for a field of our message (google.rpc.BadRequest: our bug, keep the token)."""
    message = (f"Invalid value at '{field}': {description}" if field
               else f"Invalid JSON payload received. {description}")
    return google_error(400, message, [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                        "fieldViolations": [{"field": field,
                                                             "description": description}]}])


def fcm_error(status, error_code, retry_after=None):
    """An FCM error with its FcmError detail (the errorCode the sender acts on)."""
    details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": error_code}]
    return google_error(status, FCM_MESSAGE.get(error_code, error_code), details, error_code,
                        retry_after)


def oauth_error(error, description, status=400):
    return Response(status, {"error": error, "error_description": description}, reason=error)


def handle_token(fakes, request):
    if request.method != "POST":
        return oauth_error("invalid_request", "Only POST is supported", 405)
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return oauth_error("invalid_request", "Bad Request")
    form = urllib.parse.parse_qs(request.body.decode("utf-8", "replace"))
    grant_type = form.get("grant_type", [""])[-1]
    if grant_type != JWT_BEARER:
        return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    assertion = form.get("assertion", [""])[-1]
    if not assertion:
        return oauth_error("invalid_request", "Missing required parameter: assertion")
    header, claims = verified_jwt(assertion, fakes.account_public_key, "RS256")
    key_id = fakes.account["private_key_id"]  # Google picks the key by kid when present
    if header is None or header.get("kid", key_id) != key_id:
        return oauth_error("invalid_grant", "Invalid JWT Signature.")
    if claims.get("iss") != fakes.account["client_email"]:
        return oauth_error("invalid_grant", "Invalid email or User ID")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if fakes.account["token_uri"] not in audiences:
        return oauth_error("invalid_grant", "Invalid JWT: Failed audience check.")
    iat, exp, now = claims.get("iat"), claims.get("exp"), fakes.now()
    if (not isinstance(iat, int) or not isinstance(exp, int) or exp - iat > 3600 or exp <= iat
            or exp < now or iat > now + 300):
        return oauth_error("invalid_grant", TOKEN_TIMEFRAME)
    if FCM_SCOPE not in str(claims.get("scope", "")).split():
        return oauth_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    expires_in = int(fakes.control().get("fcm_expires_in", 3599))
    access_token = "ya29.fake-" + secrets.token_urlsafe(32)
    fakes.access_tokens[access_token] = now + expires_in
    return Response(200, {"access_token": access_token, "expires_in": expires_in,
                          "token_type": "Bearer"}, reason="OK")


def check_message(message):
    """A Response refusing the message (fields, not the token), or None."""
    unknown = sorted(set(message) - MESSAGE_FIELDS)
    if unknown:
        return bad_request("", f'Unknown name "{unknown[0]}" at \'message\': Cannot find field.')
    targets = [key for key in ("token", "topic", "condition") if key in message]
    if not targets:
        return bad_request("message", "Recipient of the message is not set.")
    if len(targets) > 1:
        return bad_request("message", f"oneof field 'target' is already set. "
                                      f"Cannot set '{targets[1]}'")
    for scope, data in (("message.data", message.get("data")),
                        ("message.android.data", (message.get("android") or {}).get("data"))):
        if data is None:
            continue
        if not isinstance(data, dict):
            return bad_request(scope, "Proto field is not repeating, cannot start list.")
        for index, (key, value) in enumerate(data.items()):
            if not isinstance(value, str):
                return bad_request(f"{scope}[{index}].value",
                                   f"(TYPE_STRING), {json.dumps(value)}")
            if key in ("from", "gcm") or key.startswith("google."):
                return bad_request(scope, f"Invalid data payload key: {key}")
    android = message.get("android")
    if android is not None:
        if not isinstance(android, dict):
            return bad_request("message.android", "Starting an object on a scalar field")
        unknown = sorted(set(android) - ANDROID_FIELDS)
        if unknown:
            return bad_request("", f'Unknown name "{unknown[0]}" at \'message.android\': '
                                   "Cannot find field.")
        ttl = android.get("ttl")
        if ttl is not None and not (isinstance(ttl, str) and TTL_FORM.match(ttl)):
            return bad_request("message.android.ttl",
                               f"(type.googleapis.com/google.protobuf.Duration), {json.dumps(ttl)}")
        priority = android.get("priority")
        if priority is not None and priority not in ("NORMAL", "HIGH"):
            return bad_request("message.android.priority",
                               "(type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority)"
                               f", {json.dumps(priority)}")
    headers = (message.get("apns") or {}).get("headers")
    if headers is not None and not (isinstance(headers, dict)
                                    and all(isinstance(v, str) for v in headers.values())):
        return bad_request("message.apns.headers", "(TYPE_STRING) expected for every value")
    return None


def handle_send(fakes, request, project):
    if request.method != "POST":
        return google_error(404, "Not Found")
    authorization = request.header("authorization") or ""
    scheme, _, access_token = authorization.partition(" ")
    if not authorization:
        return google_error(401, "Request is missing required authentication credential. "
                            + AUTH_HELP)
    if (scheme.lower() != "bearer" or access_token not in fakes.access_tokens
            or fakes.access_tokens[access_token] <= fakes.now()):
        return google_error(401, "Request had invalid authentication credentials. " + AUTH_HELP)
    if project != fakes.account["project_id"]:
        return google_error(403, f"Permission 'cloudmessaging.messages.create' denied on resource "
                                 f"'//cloudresourcemanager.googleapis.com/projects/{project}' "
                                 "(or it may not exist).")
    if len(request.body) > 4096:
        return bad_request("message", "Message is too big")
    try:
        body = json.loads(request.body)
    except ValueError:
        return bad_request("", "Unexpected token.")
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        return bad_request("message", "The message is missing.")
    unknown = sorted(set(body) - {"message", "validate_only", "validateOnly"})
    if unknown:
        return bad_request("", f'Unknown name "{unknown[0]}": Cannot find field.')
    message = body["message"]
    refused = check_message(message)
    if refused:
        return refused
    token = message.get("token")
    if token is not None and (not isinstance(token, str) or not token or len(token) > 4096
                              or any(c.isspace() for c in token)):
        return fcm_error(400, "INVALID_ARGUMENT")
    outcome = fakes.scripted("fcm", token) if token else None
    if outcome:
        if outcome.get("drop"):
            return DROP
        status = int(outcome.get("status", 200))
        if status != 200:
            error_code = outcome.get("error_code",
                                     FCM_ERROR_CODE.get(status, "UNSPECIFIED_ERROR"))
            return fcm_error(status, error_code, outcome.get("retry_after"))
    if body.get("validate_only", body.get("validateOnly")) is True:
        message_id = "fake_message_id"  # what FCM names a validated, unsent message
    else:
        message_id = f"0:{int(time.time() * 1000)}%{secrets.token_hex(8)}"
    return Response(200, {"name": f"projects/{project}/messages/{message_id}"}, reason="OK")


def handle_fcm(fakes, request):
    """(provider name for the log, Response)."""
    path = request.path.split("?")[0]
    if path == "/token":
        return "fcm_token", handle_token(fakes, request)
    match = SEND_PATH.match(path)
    if match:
        return "fcm", handle_send(fakes, request, urllib.parse.unquote(match.group(1)))
    return "fcm", google_error(404, "Not Found")


# --------------------------------------------------------------------------
# Transport: one asyncio protocol per TLS connection, HTTP/2 (h2) or, for FCM
# only, HTTP/1.1 (h11).

class Connection(asyncio.Protocol):
    def __init__(self, fakes, server):
        self.fakes = fakes
        self.server = server  # "apns" or "fcm"
        self.transport = None
        self.conn = ""
        self.h2 = None
        self.h11 = None
        self.streams = {}     # stream id -> [headers, body bytearray]
        self.apns_state = ApnsConnectionState()

    def connection_made(self, transport):
        self.transport = transport
        host, port = transport.get_extra_info("peername")[:2]
        self.conn = f"{host}:{port}"
        alpn = transport.get_extra_info("ssl_object").selected_alpn_protocol()
        refused = self.server == "apns" and alpn != "h2"
        self.fakes.log({"provider": "conn", "server": self.server, "conn": self.conn,
                        "alpn": alpn, "refused": refused})
        if refused:  # APNs serves HTTP/2 only
            transport.abort()
        elif alpn == "h2":
            self.start_h2()
        else:
            self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)

    def start_h2(self):
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self.h2 = h2.connection.H2Connection(config=config)
        streams = APNS_STREAMS_BEFORE_TOKEN if self.server == "apns" else FCM_STREAMS
        self.h2.local_settings = h2.settings.Settings(
            client=False, initial_values={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: streams})
        self.h2.initiate_connection()
        self.transport.write(self.h2.data_to_send())

    def allow_more_streams(self):
        self.h2.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS:
                                 APNS_STREAMS_AFTER_TOKEN})

    def data_received(self, data):
        if self.h2:
            self.h2_received(data)
        elif self.h11:
            self.h11_received(data)

    def connection_lost(self, exc):
        self.transport = None

    def answer(self, request):
        if self.server == "apns":
            provider = "apns"
            response = handle_apns(self.fakes, self.apns_state, request, self.allow_more_streams)
        else:
            provider, response = handle_fcm(self.fakes, request)
        self.fakes.log_request(provider, request, response)
        return response

    # HTTP/2
    def h2_received(self, data):
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.transport.write(self.h2.data_to_send())
            self.transport.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self.streams[event.stream_id] = [event.headers, bytearray()]
            elif isinstance(event, h2.events.DataReceived):
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                stream = self.streams.get(event.stream_id)
                if stream is not None and len(stream[1]) < MAX_REQUEST_BODY_BYTES:
                    stream[1] += event.data
            elif isinstance(event, h2.events.StreamEnded):
                stream = self.streams.pop(event.stream_id, None)
                if stream is not None:
                    self.h2_answer(event.stream_id, *stream)
            elif isinstance(event, h2.events.StreamReset):
                self.streams.pop(event.stream_id, None)
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.transport.close()
            if self.transport is None or self.transport.is_closing():
                return
        self.transport.write(self.h2.data_to_send())

    def h2_answer(self, stream_id, raw_headers, body):
        pseudo = {name: value for name, value in raw_headers if name.startswith(":")}
        headers = [(name, value) for name, value in raw_headers if not name.startswith(":")]
        request = Request(self.conn, pseudo.get(":method", ""), pseudo.get(":path", ""), headers,
                          bytes(body))
        response = self.answer(request)
        if response is DROP:
            self.transport.abort()
            return
        end = not response.body
        self.h2.send_headers(stream_id, [(":status", str(response.status))] + response.headers
                             + [("content-length", str(len(response.body)))], end_stream=end)
        if not end:
            self.h2.send_data(stream_id, response.body, end_stream=True)

    # HTTP/1.1 (FCM only)
    def h11_received(self, data):
        self.h11.receive_data(data)
        while self.transport is not None and not self.transport.is_closing():
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError:
                self.transport.close()
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                self.h11_request = event
                self.h11_body = bytearray()
            elif isinstance(event, h11.Data):
                if len(self.h11_body) < MAX_REQUEST_BODY_BYTES:
                    self.h11_body += event.data
            elif isinstance(event, h11.EndOfMessage):
                self.h11_answer()
            elif isinstance(event, h11.ConnectionClosed):
                self.transport.close()
                return

    def h11_answer(self):
        event = self.h11_request
        headers = [(name.decode().lower(), value.decode("utf-8", "replace"))
                   for name, value in event.headers]
        request = Request(self.conn, event.method.decode(), event.target.decode(), headers,
                          bytes(self.h11_body))
        response = self.answer(request)
        if response is DROP:
            self.transport.abort()
            return
        out = self.h11.send(h11.Response(
            status_code=response.status,
            headers=response.headers + [("content-length", str(len(response.body)))]))
        out += self.h11.send(h11.Data(data=response.body))
        out += self.h11.send(h11.EndOfMessage())
        self.transport.write(out)
        if self.h11.our_state is h11.MUST_CLOSE:
            self.transport.close()
        elif self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()


def tls_context(directory, protocols):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(os.path.join(directory, "ca.pem"),
                            os.path.join(directory, "server.key"))
    context.set_alpn_protocols(protocols)
    return context


async def serve(args):
    fakes = Fakes(args.dir, args.log, args.control)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    servers = []
    for name, port, protocols in (("apns", args.apns_port, ["h2"]),
                                  ("fcm", args.fcm_port, ["h2", "http/1.1"])):
        servers.append(await loop.create_server(
            lambda name=name: Connection(fakes, name), "127.0.0.1", port,
            ssl=tls_context(args.dir, protocols), reuse_address=True))
    print("ready", flush=True)
    await stop.wait()
    for server in servers:
        server.close()


def main():
    parser = argparse.ArgumentParser(description="Local fakes of APNs and FCM HTTP v1.")
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="write the certificate and test credentials")
    keys.add_argument("dir")
    keys.add_argument("--token-uri", required=True, help="the fake token endpoint's URL")
    run = commands.add_parser("serve", help="serve both fakes on 127.0.0.1")
    run.add_argument("--dir", required=True)
    run.add_argument("--apns-port", type=int, required=True)
    run.add_argument("--fcm-port", type=int, required=True)
    run.add_argument("--log", required=True)
    run.add_argument("--control", required=True)
    args = parser.parse_args()
    if args.command == "keys":
        write_keys(args.dir, args.token_uri)
    else:
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
