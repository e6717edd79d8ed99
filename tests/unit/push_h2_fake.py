"""A loopback HTTP/2 TLS server for pushd's HTTP/2 client and provider tests.

Usage: /usr/bin/python3 push_h2_fake.py PORT DIR. Writes a self-signed
certificate for 127.0.0.1 to DIR/cert.pem (the client's CA file), then serves
until killed. Not a faithful APNs or FCM fake (the push fakes are that): it
records every request and answers just enough to exercise the client.

  GET  /stats       {"connections", "max_active", "requests": [...]} since the last reset
  POST /reset       forgets the recorded requests and connections
  POST /3/device/T  APNs: 410 Unregistered when T starts with "dead", else 200
  POST /v1/.../messages:send
                    FCM: 401 for "Bearer stale", 404 UNREGISTERED for the token "gone", else 200
  any other path    200, or the status in x-status; after x-delay-ms milliseconds
"""
import asyncio
import json
import os
import subprocess
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config

state = {"connections": set(), "active": 0, "max_active": 0, "requests": []}


def answer_for(path, headers, body):
    if path.startswith("/3/device/"):
        if path[len("/3/device/"):].startswith("dead"):
            return 410, {"reason": "Unregistered", "timestamp": 1}
        return 200, None
    if path.endswith("/messages:send"):
        if headers.get("authorization") == "Bearer stale":
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
        if json.loads(body)["message"]["token"] == "gone":
            return 404, {"error": {"code": 404, "status": "NOT_FOUND", "details": [{
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": "UNREGISTERED"}]}}
        return 200, {"name": "projects/p/messages/1"}
    return int(headers.get("x-status", "200")), {"path": path}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path == "/stats":
        status, reply = 200, {"connections": len(state["connections"]),
                              "max_active": state["max_active"], "requests": state["requests"]}
    elif path == "/reset":
        state.update(connections=set(), max_active=0, requests=[])
        status, reply = 200, {}
    else:
        state["connections"].add(tuple(scope["client"]))
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        state["requests"].append({"method": scope["method"], "path": path, "headers": headers,
                                  "body": body.decode(), "http_version": scope["http_version"]})
        state["active"] += 1
        state["max_active"] = max(state["max_active"], state["active"])
        try:
            await asyncio.sleep(int(headers.get("x-delay-ms", "0")) / 1000)
            status, reply = answer_for(path, headers, body)
        finally:
            state["active"] -= 1
    data = b"" if reply is None else json.dumps(reply).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": data})


def main():
    port, directory = sys.argv[1], sys.argv[2]
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile, config.keyfile = cert, key
    config.alpn_protocols = ["h2", "http/1.1"]
    asyncio.run(serve(app, config))


if __name__ == "__main__":
    main()
