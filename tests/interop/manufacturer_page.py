"""A stand-in for a manufacturer's custom setup page, and the browser that opens it.

    manufacturer_page.py serve CERT KEY
        Serves https on 127.0.0.1 at a port of the system's choosing; prints
        "URL https://127.0.0.1:<port>", then one JSON line per request it gets
        ({"path": ..., "query": [[key, value], ...]}, values unescaped, in order).

    manufacturer_page.py open URL [CAFILE]
        GETs URL, trusting CAFILE for https, and prints {"status": ..., "body": ...}.

Standard library only; the test runs both inside the controller's network namespace.
"""

import http.server
import json
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        print(json.dumps({"path": url.path, "query": query}), flush=True)
        body = b"Set up your light here, then come back.\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def serve(cert, key):
    server = http.server.HTTPServer(("127.0.0.1", 0), Page)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"URL https://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


def open_url(url, cafile=None):
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    try:
        with urllib.request.urlopen(url, context=context, timeout=30) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    except urllib.error.URLError as e:
        # nothing listens there any more
        print(json.dumps({"status": None, "body": str(e.reason)}), flush=True)
        return
    print(json.dumps({"status": status, "body": body.decode("utf-8", "replace")}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "open":
        open_url(*sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
