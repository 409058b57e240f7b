"""python -m demoidp.oidc --port P [--people FILE] --client-id ID --client-secret S
--redirect-uri URI --post-logout-redirect-uri URI [--data-dir DIR] [--claims oidc|inera] [--faults]

At each start: a fresh RS256 key and secret key in the data directory, the database migrated,
the one client registered from the arguments; then served by gunicorn (one worker, a few threads)
until SIGTERM or SIGINT. Port 0 takes a free port; once it answers, "READY <issuer>" is printed."""

import argparse
import os
import secrets
import socket
import tempfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gunicorn.app.base import BaseApplication

from demoidp.people import DEFAULT_PEOPLE_FILE


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demoidp.oidc", description="Demo OpenID provider")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--people", default=str(DEFAULT_PEOPLE_FILE), help="JSON Lines, one person a line")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    parser.add_argument("--post-logout-redirect-uri", action="append", default=[])
    parser.add_argument("--data-dir", help="the database and keys (default: a new temporary directory)")
    parser.add_argument("--claims", choices=["oidc", "inera"], default="oidc", help="the identity claims' names")
    parser.add_argument("--faults", action="store_true", help="tests only: POST /_faults/ spoils the next ID token")
    return parser.parse_args()


def _prepare(arguments: argparse.Namespace, port: int) -> str:
    data_dir = Path(arguments.data_dir or tempfile.mkdtemp(prefix="demoidp-oidc-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (data_dir / "oidc-key.pem").write_bytes(pem)
    (data_dir / "secret-key").write_text(secrets.token_urlsafe(50))
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "demoidp.oidc.settings",
        "DEMOIDP_DATA_DIR": str(data_dir),
        "DEMOIDP_ISSUER": f"http://{arguments.host}:{port}/o",
        "DEMOIDP_PEOPLE_FILE": str(Path(arguments.people).resolve()),
        "DEMOIDP_FAULTS": "1" if arguments.faults else "0",
        "DEMOIDP_CLAIMS": arguments.claims,
    }
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    Application.objects.filter(client_id=arguments.client_id).delete()
    Application.objects.create(
        name="RS-portal",
        client_id=arguments.client_id,
        client_secret=arguments.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(arguments.redirect_uri),
        post_logout_redirect_uris=" ".join(arguments.post_logout_redirect_uri),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    connections.close_all()  # not into gunicorn's forked worker
    return os.environ["DEMOIDP_ISSUER"]


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        from demoidp.oidc.wsgi import application

        return application


def main() -> None:
    arguments = _arguments()
    # Bound before the issuer is known: with port 0 the issuer names the port the system gave.
    listener = socket.create_server((arguments.host, arguments.port))
    listener.set_inheritable(True)
    issuer = _prepare(arguments, listener.getsockname()[1])
    _Gunicorn(
        {
            "bind": f"fd://{listener.fileno()}",
            "when_ready": lambda server: print(f"READY {issuer}", flush=True),
            "workers": 1,
            "threads": 4,
            "graceful_timeout": 2,
            "proc_name": "demoidp-oidc",
            "control_socket_disable": True,  # several of us may run side by side
        }
    ).run()


if __name__ == "__main__":
    main()
