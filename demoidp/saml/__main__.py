"""python -m demoidp.saml --port P --people FILE --sp-metadata URL_or_FILE --data-dir DIR [--faults]"""

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from demoidp.people import DEFAULT_PEOPLE_FILE

from .app import SamlIdp
from .keys import ensure_key_pair


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger("demoidp.saml").info("%s " + format, self.address_string(), *args)


def _starting(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demoidp.saml", description="The demo SAML 2.0 IdP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--people", type=Path, default=DEFAULT_PEOPLE_FILE)
    parser.add_argument("--sp-metadata", required=True, help="the SP's metadata: a URL or a file")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the signing key and certificate live")
    parser.add_argument("--faults", action="store_true", help="tests only: POST /_faults/ spoils the next response")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    key_file, cert_file = ensure_key_pair(args.data_dir, "demoidp-saml")
    with make_server(args.host, args.port, _starting, ThreadingWSGIServer, QuietHandler) as httpd:
        base_url = f"http://{args.host}:{httpd.server_port}"  # the port is known once bound (--port 0)
        httpd.set_app(SamlIdp(base_url, args.people, args.sp_metadata, key_file, cert_file, args.faults))
        logging.getLogger("demoidp.saml").info("serving on %s (metadata %s/metadata)", base_url, base_url)
        print(f"READY {base_url}", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
