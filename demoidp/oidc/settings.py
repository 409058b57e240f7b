"""Settings of the demo OpenID provider; __main__ sets the DEMOIDP_* variables before Django starts."""

import os
from pathlib import Path
from urllib.parse import urlsplit

DATA_DIR = Path(os.environ["DEMOIDP_DATA_DIR"])
ISSUER = os.environ["DEMOIDP_ISSUER"]
PEOPLE_FILE = os.environ["DEMOIDP_PEOPLE_FILE"]
FAULTS = os.environ.get("DEMOIDP_FAULTS") == "1"
# The names of the claims naming the person: a plain provider's, or those of Inera's IdP.
IDENTITY_CLAIMS = {
    "oidc": {"hsa_id": "hsa_id", "personnummer": "personnummer"},
    "inera": {"hsa_id": "employeeHsaId", "personnummer": "personalIdentityNumber"},
}[os.environ.get("DEMOIDP_CLAIMS", "oidc")]

SECRET_KEY = (DATA_DIR / "secret-key").read_text()
DEBUG = False
# Only the host it serves (its issuer's): it listens on the loopback interface alone.
ALLOWED_HOSTS = [urlsplit(ISSUER).hostname or "127.0.0.1"]
ROOT_URLCONF = "demoidp.oidc.urls"
WSGI_APPLICATION = "demoidp.oidc.wsgi.application"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "demoidp.oidc",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "demoidp-oidc.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "sv"
USE_TZ = True
LOGIN_URL = "login"

# The RP runs on the same host (127.0.0.1) and cookies do not tell ports apart: names of our own.
SESSION_COOKIE_NAME = "demoidp_session"
CSRF_COOKIE_NAME = "demoidp_csrftoken"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OIDC_RSA_PRIVATE_KEY": (DATA_DIR / "oidc-key.pem").read_text(),
    "OAUTH2_VALIDATOR_CLASS": "demoidp.oidc.validator.DemoValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Namn", "email": "E-post"},
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": False,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
}
