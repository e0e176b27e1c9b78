"""Serve moto's S3 on a loopback port for FinPipe's tests, one request at a time.

moto's own moto_server runs werkzeug threaded, and its PutObject checks
If-None-Match and stores the object in two steps, so two racing conditional
PUTs of one key can both succeed. Served one request at a time, the check and
the store are atomic, as on AWS S3: exactly one of two racing commits wins.

Prints the port it listens on ("port N"), then serves until killed.

usage: python moto_server.py [HOST] [PORT]   (PORT 0 = any free port)
"""
import sys

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def main() -> None:
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(host, port, app, threaded=False)
    print(f"port {server.socket.getsockname()[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
