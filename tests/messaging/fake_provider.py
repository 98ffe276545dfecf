"""A stand-in for an SMS provider or a group robot, on 127.0.0.1, started by the tests that need it.

`mode` decides its answer: "ok" (the provider's success), "refuse" (a provider error), "hang" (accepts the
request and never answers, so the client times out). Every request is kept in `requests`.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ANSWERS = {
    "aliyun": {"ok": {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r1"},
               "refuse": {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}},
    "tencent": {"ok": {"Response": {"SendStatusSet": [{"Code": "Ok", "SerialNo": "2640:1", "Message": "send success"}],
                                    "RequestId": "r2"}},
                "refuse": {"Response": {"Error": {"Code": "FailedOperation.InsufficientBalanceInSmsPackage",
                                                  "Message": "套餐包余量不足"}}}},
    "robot": {"ok": {"errcode": 0, "errmsg": "ok"}, "refuse": {"errcode": 45009, "errmsg": "api freq out of limit"}},
}


class FakeProvider:
    def __init__(self, kind, mode="ok"):
        self.kind, self.mode, self.requests = kind, mode, []
        self._release = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                provider.requests.append({"method": self.command, "query": parse_qs(urlsplit(self.path).query),
                                          "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                if provider.mode == "hang":
                    provider._release.wait(10)
                    return
                data = json.dumps(ANSWERS[provider.kind][provider.mode]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port_url():
    """An address where nothing listens: the connection is refused at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
