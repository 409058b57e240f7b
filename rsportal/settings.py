"""RS-portal settings, read from environment variables (see .env.example).

With nothing set, the system runs on its embedded default: SQLite, Celery tasks run
in-process, mail written to files under var/, the population register read from the demo
register file. Every outside system is a port whose implementation is chosen here.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Which settings: "embedded" (the default: ./scripts/run, plain http on 127.0.0.1) or
# "production" (behind https: HSTS, the redirect to https, secure cookies, and no
# fallback secret key). `manage.py check --deploy` is clean under production
# (scripts/check runs it).
RSPORTAL_ENV = env.str("RSPORTAL_ENV", default="embedded")
if RSPORTAL_ENV not in ("embedded", "production"):
    raise ImproperlyConfigured(f"RSPORTAL_ENV is embedded or production, not {RSPORTAL_ENV!r}")
PRODUCTION = RSPORTAL_ENV == "production"
# The fallback key exists so the embedded default runs with nothing set; production must set its own.
SECRET_KEY = (
    env.str("DJANGO_SECRET_KEY")
    if PRODUCTION
    else env.str("DJANGO_SECRET_KEY", default="rsportal-embedded-default-not-for-production")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "django_htmx",
    "csp",
    "axes",
    "organisation",
    "audit",
    "cards",
    "orders",
    "letters",
    "desk",
    "selfhelp",
    "demo",
    # After organisation: its admin registers the employee's admin again, with the extract.
    "records",
    "retention",
    # The mirror of the region's registers: the card system (and the HSA directory).
    "registers",
    # Single sign-on through the region's IdP (OIDC or SAML) and the assurance of each login.
    "sso",
    "mozilla_django_oidc",
    "djangosaml2",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # before whitenoise, so static files carry the policy too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and the login, which query too: runs a read again whose database
    # connection was lost mid-request, else answers 503 (rsportal.database_lost).
    "rsportal.database_lost.DatabaseLostMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rsportal.middleware.SwedishUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the login and the messages: ends an idle or too old session, and gives the audit how the person logged in.
    "sso.middleware.SessionAssuranceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: it turns a login the throttle refused into the lockout answer (organisation.login_lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rsportal.urls"
WSGI_APPLICATION = "rsportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "organisation.context_processors.roles",
                "sso.context_processors.assurance",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rsportal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection kept for a while and checked before reuse: opening one per request or per
# Celery task (Django's default) cost a letter task more than making the letter did.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.User"
# The seam for single sign-on: a SAML/OIDC backend replaces ModelBackend here and
# LOGIN_URL points at its entry; nothing else in the code knows how users log in.
AUTHENTICATION_BACKENDS = [
    # First, whatever the deployment sets: the login throttle refuses a locked-out login
    # before any backend checks a password (django-axes; the settings below).
    "axes.backends.AxesStandaloneBackend",
    *env.list(
        "RSPORTAL_AUTH_BACKENDS",
        default=[
            "django.contrib.auth.backends.ModelBackend",
            "guardian.backends.ObjectPermissionBackend",
        ],
    ),
]
LOGIN_URL = env.str("RSPORTAL_LOGIN_URL", default="login")
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions

# The login throttle (django-axes), for every password login: the site's, the admin's, the
# station API's operator login and a second operator's confirmation. After FAILURE_LIMIT
# failures within COOLOFF_MINUTES, the username is locked from every address and the
# address for every username (RSPORTAL_LOGIN_LOCKOUT_BY: comma-separated, "a+b" for a
# combination), until COOLOFF_MINUTES have passed without a failure. Behind reverse
# proxies, RSPORTAL_TRUSTED_PROXIES says how many, so the client's address is the one counted.
AXES_FAILURE_LIMIT = env.int("RSPORTAL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("RSPORTAL_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [
    item.split("+") for item in env.list("RSPORTAL_LOGIN_LOCKOUT_BY", default=["username", "ip_address"])
]
if not AXES_LOCKOUT_PARAMETERS or not {p for c in AXES_LOCKOUT_PARAMETERS for p in c} <= {"username", "ip_address"}:
    raise ImproperlyConfigured("RSPORTAL_LOGIN_LOCKOUT_BY names username and ip_address, alone or joined by +")
RSPORTAL_TRUSTED_PROXIES = env.int("RSPORTAL_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "organisation.login_lockout.client_address"
AXES_USERNAME_CALLABLE = "organisation.login_lockout.username_of"
AXES_HANDLER = "organisation.login_lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "organisation.login_lockout.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True  # trying on while locked out keeps the lock
AXES_RESET_ON_SUCCESS = False  # a login to one account must not clear an address's count for others
AXES_DISABLE_ACCESS_LOG = True  # no row per successful login: the audit trail records the acts
AXES_ENABLE_ADMIN = False  # organisation.lockout_admin shows the lockouts, and lifts them with an audit event

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

SESSION_COOKIE_HTTPONLY = True
# Production is served over https only: plain http is redirected, the browser is told to
# use nothing else for a year (HSTS, with the subdomains), and the cookies are never sent
# over http. Each can be set on its own; the embedded default has none of them.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
# The preload token only counts on a registrable domain submitted to the browsers' preload
# list (skane.se, the region's decision); on rsportal.skane.se it changes nothing.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=PRODUCTION)
# Behind a proxy that ends TLS: the header it sets on every request (and removes from the
# client's), e.g. X-Forwarded-Proto, so that Django knows the request came over https.
# Set it only behind such a proxy: otherwise a client could claim https with it.
if env.str("RSPORTAL_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + env.str("RSPORTAL_PROXY_SSL_HEADER").upper().replace("-", "_"),
        "https",
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env.int("RSPORTAL_SESSION_SECONDS", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles and everything else from this site
# only, and no inline script, style attribute or event handler anywhere (htmx is told not
# to inject its indicator style nor to evaluate code: base.html's htmx-config). No
# framing, no <base>, no plugins; forms post to this site only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Mail: Django's backends are the mail port. The embedded default writes each message to
# a file so a demo user can read it.
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.path("RSPORTAL_MAIL_DIR", default=VAR_DIR / "mail")
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("RSPORTAL_FROM_EMAIL", default="RS-portal <rs-portal@skane.se>")
SITE_URL = env.str("RSPORTAL_SITE_URL", default="http://127.0.0.1:8000")

# Celery: with no broker configured the tasks run in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="rsportal")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message whose worker died unacknowledged is delivered again after this many seconds.
    "visibility_timeout": env.int("RSPORTAL_BROKER_VISIBILITY_TIMEOUT", default=3600),
    # A broker host that takes the connection but never answers (or drops it unanswered)
    # fails a publish within seconds instead of hanging the request that published.
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
# Keys of this deployment's own in a Redis shared with others: the tests give each run
# its own, so one run's worker never restores another run's unacknowledged messages.
if env.str("RSPORTAL_BROKER_KEY_PREFIX", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env.str("RSPORTAL_BROKER_KEY_PREFIX")
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up quickly when the broker is down: the request must not hang, and the
# sweep of approved orders enqueues the letter once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE

# Ports with embedded defaults.
POPULATION_REGISTER_BACKEND = env.str(
    "RSPORTAL_POPULATION_REGISTER", default="organisation.population_register.FileRegister"
)
POPULATION_REGISTER_FILE = env.path(
    "RSPORTAL_POPULATION_REGISTER_FILE", default=BASE_DIR / "demo" / "population_register.json"
)
# The card system's export (registers.card_system, format in registers/card_export.py) and
# what share of the usable cards one sync may end before it is refused (--force passes).
CARD_SYSTEM_BACKEND = env.str("RSPORTAL_CARD_SYSTEM", default="registers.card_system.CsvCardSystem")
CARD_SYSTEM_FILE = env.path("RSPORTAL_CARD_SYSTEM_FILE", default=BASE_DIR / "demo" / "card_system.csv")
RSPORTAL_REGISTER_SAFETY_SHARE = env.float("RSPORTAL_REGISTER_SAFETY_SHARE", default=0.05)
# ... unless it ends no more than this many: a small register is not held to the share.
RSPORTAL_REGISTER_SAFETY_MINIMUM = env.int("RSPORTAL_REGISTER_SAFETY_MINIMUM", default=10)
# The administrators are mailed (once per outage) when a register has had no successful
# sync for this many hours: the nightly run, missed once, and a little more.
RSPORTAL_REGISTER_ALERT_AFTER_HOURS = env.int("RSPORTAL_REGISTER_ALERT_AFTER_HOURS", default=26)
# The HSA directory (registers.directory): the JSON Lines export by default, or over LDAP
# with registers.directory_ldap.LdapDirectory. Settings and defaults: docs/registers.md.
DIRECTORY_BACKEND = env.str("RSPORTAL_DIRECTORY", default="registers.directory_file.FileDirectory")
DIRECTORY_FILE = env.path("RSPORTAL_DIRECTORY_FILE", default=BASE_DIR / "demo" / "directory.jsonl")
# Contact persons and ersättare from this CSV instead of the directory's roles ("": the directory's).
CONTACT_PERSONS_FILE = env.str("RSPORTAL_CONTACT_PERSONS_FILE", default="")
DIRECTORY_LDAP = {
    "URL": env.str("RSPORTAL_DIRECTORY_LDAP_URL", default="ldap://127.0.0.1:389"),
    "START_TLS": env.bool("RSPORTAL_DIRECTORY_LDAP_START_TLS", default=False),
    "CA_FILE": env.str("RSPORTAL_DIRECTORY_LDAP_CA_FILE", default=""),
    "BIND_DN": env.str("RSPORTAL_DIRECTORY_LDAP_BIND_DN", default=""),
    "BIND_PASSWORD": env.str("RSPORTAL_DIRECTORY_LDAP_BIND_PASSWORD", default=""),
    # Separated by semicolons, as a DN has commas.
    "BASE_DNS": [dn.strip() for dn in env.str("RSPORTAL_DIRECTORY_LDAP_BASE_DNS", default="").split(";") if dn.strip()],
    "PAGE_SIZE": env.int("RSPORTAL_DIRECTORY_LDAP_PAGE_SIZE", default=500),
    "TIMEOUT_SECONDS": env.int("RSPORTAL_DIRECTORY_LDAP_TIMEOUT_SECONDS", default=30),
    "UNIT_FILTER": env.str(
        "RSPORTAL_DIRECTORY_LDAP_UNIT_FILTER",
        default="(&(hsaIdentity=*)(|(objectClass=organizationalUnit)(objectClass=organization)))",
    ),
    "PERSON_FILTER": env.str("RSPORTAL_DIRECTORY_LDAP_PERSON_FILTER", default="(&(hsaIdentity=*)(objectClass=person))"),
    "HSA_ID_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_HSA_ID_ATTRIBUTE", default="hsaIdentity"),
    "UNIT_NAME_ATTRIBUTES": env.list("RSPORTAL_DIRECTORY_LDAP_UNIT_NAME_ATTRIBUTES", default=["ou", "o"]),
    "UNIT_CODE_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_UNIT_CODE_ATTRIBUTE", default=""),
    "GIVEN_NAME_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_GIVEN_NAME_ATTRIBUTE", default="givenName"),
    "SURNAME_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_SURNAME_ATTRIBUTE", default="sn"),
    "PERSONNUMMER_ATTRIBUTE": env.str(
        "RSPORTAL_DIRECTORY_LDAP_PERSONNUMMER_ATTRIBUTE", default="personalIdentityNumber"
    ),
    "EMAIL_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_EMAIL_ATTRIBUTE", default="mail"),
    "USERNAME_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_USERNAME_ATTRIBUTE", default="uid"),
    # Empty: a person belongs to the nearest unit above them in the tree, as in HSA.
    "PERSON_UNIT_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_PERSON_UNIT_ATTRIBUTE", default=""),
    # Empty: everyone in the directory is active (a leaver is removed from it).
    "ACTIVE_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_ACTIVE_ATTRIBUTE", default=""),
    # On a unit entry: the HSA-ids of its kontaktpersoner and ersättare.
    "CONTACT_PERSON_ATTRIBUTE": env.str(
        "RSPORTAL_DIRECTORY_LDAP_CONTACT_PERSON_ATTRIBUTE", default="rsPortalKontaktperson"
    ),
    "SUBSTITUTE_ATTRIBUTE": env.str("RSPORTAL_DIRECTORY_LDAP_SUBSTITUTE_ATTRIBUTE", default="rsPortalErsattare"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("RSPORTAL_LOG_LEVEL", default="INFO")},
}

# The approval queue.
RSPORTAL_SECOND_APPROVAL_ORDER_LIMIT = env.int("RSPORTAL_SECOND_APPROVAL_ORDER_LIMIT", default=3)
RSPORTAL_SECOND_APPROVAL_WINDOW_DAYS = env.int("RSPORTAL_SECOND_APPROVAL_WINDOW_DAYS", default=365)
RSPORTAL_RECENT_ADDRESS_DAYS = env.int("RSPORTAL_RECENT_ADDRESS_DAYS", default=30)
# What the employee is told an order usually takes, from order to posted letter: the median
# of the förvaltning's orders of the last WINDOW_DAYS, given at least MIN_ORDERS of them,
# else DEFAULT_DAYS (working days).
RSPORTAL_TYPICAL_TIME_WINDOW_DAYS = env.int("RSPORTAL_TYPICAL_TIME_WINDOW_DAYS", default=90)
RSPORTAL_TYPICAL_TIME_MIN_ORDERS = env.int("RSPORTAL_TYPICAL_TIME_MIN_ORDERS", default=5)
RSPORTAL_TYPICAL_TIME_DEFAULT_DAYS = env.int("RSPORTAL_TYPICAL_TIME_DEFAULT_DAYS", default=5)

# The PUK store port. The key encrypts PUKs at rest: 32 bytes, base64. The embedded default
# reads it from var/puk-store.key, which scripts/run creates once.
RSPORTAL_PUK_STORE = env.str("RSPORTAL_PUK_STORE", default="cards.puk_store.DatabasePukStore")
_PUK_KEY_FILE = VAR_DIR / "puk-store.key"
RSPORTAL_PUK_STORE_KEY = env.str(
    "RSPORTAL_PUK_STORE_KEY", default=_PUK_KEY_FILE.read_text().strip() if _PUK_KEY_FILE.exists() else ""
)

# The print house port. The embedded default spools letters into a folder; status comes
# back as files in its inbox or as a webhook signed with the shared secret.
RSPORTAL_PRINT_HOUSE = env.str("RSPORTAL_PRINT_HOUSE", default="letters.print_house.SpoolPrintHouse")
RSPORTAL_PRINT_DIR = env.path("RSPORTAL_PRINT_DIR", default=VAR_DIR / "print")
RSPORTAL_PRINT_HOUSE_SECRET = env.str("RSPORTAL_PRINT_HOUSE_SECRET", default="")
RSPORTAL_PRINT_BATCH_SIZE = env.int("RSPORTAL_PRINT_BATCH_SIZE", default=500)
RSPORTAL_PRINT_BATCH_MAX_AGE_MINUTES = env.int("RSPORTAL_PRINT_BATCH_MAX_AGE_MINUTES", default=60)
# A letter file nothing waits for (its order moved on, or the run that wrote it died
# before its commit) is deleted once it has been left this long.
RSPORTAL_PRINT_SPOOL_GRACE_MINUTES = env.int("RSPORTAL_PRINT_SPOOL_GRACE_MINUTES", default=15)
# Where a protected person's letter goes: the Tax Agency's forwarding service (set the
# address the agency gives; the default is the demo's).
RSPORTAL_FORWARDING_ADDRESS = env.list(
    "RSPORTAL_FORWARDING_ADDRESS", default=["Skatteverket", "Förmedlingsuppdrag", "DEMOADRESS"]
)

# Celery beat: escalations, digests, the letter sweep, print batches and status imports,
# the record of PUK tickets that expired unused, and the end of rights whose period passed.
CELERY_BEAT_SCHEDULE = {
    **import_string("organisation.schedules.BEAT_SCHEDULE"),
    **import_string("orders.schedules.BEAT_SCHEDULE"),
    **import_string("letters.schedules.BEAT_SCHEDULE"),
    **import_string("desk.schedules.BEAT_SCHEDULE"),
    **import_string("selfhelp.schedules.BEAT_SCHEDULE"),
    **import_string("retention.schedules.BEAT_SCHEDULE"),
    **import_string("registers.schedules.BEAT_SCHEDULE"),
}

# Retention (gallring, docs/retention.md): how long each kind of record is kept; beat's
# retention.tasks.carry_out_retention removes or pseudonymises what is past it, every hour.
# Orders (and their letters) are pseudonymised this many days after they closed; mail
# notifications and digests deleted after MAIL_DAYS (at least 2: the mail sweep looks a day
# back); desk visits, unblock attempts, PUK tickets and desk logins after DESK_DAYS; the
# audit trail dropped a whole year at a time once the year is AUDIT_YEARS old (PostgreSQL;
# SITHS keeps revocation records 10 years). A PUK record goes as soon as its card is revoked
# or expired, an expired login session at once. Each run takes at most MAX_BATCHES batches
# of BATCH_SIZE rows per kind; the next run goes on.
RSPORTAL_RETENTION_ORDER_DAYS = env.int("RSPORTAL_RETENTION_ORDER_DAYS", default=730)
RSPORTAL_RETENTION_MAIL_DAYS = env.int("RSPORTAL_RETENTION_MAIL_DAYS", default=90)
RSPORTAL_RETENTION_DESK_DAYS = env.int("RSPORTAL_RETENTION_DESK_DAYS", default=730)
RSPORTAL_RETENTION_STATION_FAULT_DAYS = env.int("RSPORTAL_RETENTION_STATION_FAULT_DAYS", default=90)
RSPORTAL_RETENTION_AUDIT_YEARS = env.int("RSPORTAL_RETENTION_AUDIT_YEARS", default=10)
RSPORTAL_RETENTION_BATCH_SIZE = env.int("RSPORTAL_RETENTION_BATCH_SIZE", default=500)
RSPORTAL_RETENTION_MAX_BATCHES = env.int("RSPORTAL_RETENTION_MAX_BATCHES", default=20)
# What one code letter costs the ordering förvaltning (registered mail and printing).
RSPORTAL_LETTER_PRICE_SEK = env.int("RSPORTAL_LETTER_PRICE_SEK", default=150)

# The support desk (card stations). An operator may do this many assisted unblocks
# (without the holder's PUK letter) per hour; the next is refused and the administrators
# are told. A PUK ticket lives this many seconds (never more than 120); an ID check holds
# for this many minutes of one visit.
RSPORTAL_ASSISTED_UNBLOCKS_PER_HOUR = env.int("RSPORTAL_ASSISTED_UNBLOCKS_PER_HOUR", default=5)
RSPORTAL_PUK_TICKET_SECONDS = env.int("RSPORTAL_PUK_TICKET_SECONDS", default=120)
RSPORTAL_DESK_VISIT_MINUTES = env.int("RSPORTAL_DESK_VISIT_MINUTES", default=30)
# Where the station software (python -m cards.agent) serves the Kortstation page on a desk PC.
RSPORTAL_DESK_AGENT_URL = env.str("RSPORTAL_DESK_AGENT_URL", default="http://127.0.0.1:8765/")
# An operator's login at a station ends on logout, after this many idle minutes (no call
# from the station) and at the latest after this many hours.
RSPORTAL_DESK_IDLE_MINUTES = env.int("RSPORTAL_DESK_IDLE_MINUTES", default=15)
RSPORTAL_DESK_SESSION_HOURS = env.int("RSPORTAL_DESK_SESSION_HOURS", default=8)
# The stations' health page (/kortstationer/halsa/) flags a station whose agent has not
# been heard from (a call or its heartbeat) for longer than this.
RSPORTAL_STATION_SILENT_AFTER_MINUTES = env.int("RSPORTAL_STATION_SILENT_AFTER_MINUTES", default=15)

# --- Single sign-on (sso/): the core. ---
# Which protocol the login page's button uses: "oidc", "saml" or "" (no single sign-on:
# password logins only). The embedded default turns OIDC on when its provider is set.
RSPORTAL_SSO = env.str("RSPORTAL_SSO", default="oidc" if env.str("RSPORTAL_OIDC_OP_URL", default="") else "")
if RSPORTAL_SSO not in ("", "oidc", "saml"):
    raise ImproperlyConfigured(f"RSPORTAL_SSO is oidc, saml or empty, not {RSPORTAL_SSO!r}")
# The module that speaks each protocol: login_url(next_url, level) and logout(request).
RSPORTAL_SSO_MODULES = {"oidc": "sso.oidc", "saml": "sso.saml"}
# The level of assurance (tillitsnivå, 0..4) of each context the IdP may answer with (acr,
# AuthnContextClassRef): the Swedish eID framework's, extended by a JSON object here.
RSPORTAL_ASSURANCE_CONTEXTS = {
    **import_string("sso.assurance.DEFAULT_CONTEXTS"),
    **env.json("RSPORTAL_ASSURANCE_CONTEXTS", default={}),
}
# The method key (siths, mobilt-siths, freja, bankid, password) of each value the IdP names a
# method by (OIDC amr, a SAML attribute or AuthenticatingAuthority), extended by a JSON object.
RSPORTAL_AUTHN_METHODS = {
    **{key: key for key in ("siths", "mobilt-siths", "freja", "bankid", "password")},
    "pwd": "password",
    **env.json("RSPORTAL_AUTHN_METHODS", default={}),
}
# The lowest level for placing an order, for deciding on one (approve, reject) and for the desk.
RSPORTAL_MIN_LEVEL_ORDER = env.int("RSPORTAL_MIN_LEVEL_ORDER", default=2 if PRODUCTION else 0)
RSPORTAL_MIN_LEVEL_DECIDE = env.int("RSPORTAL_MIN_LEVEL_DECIDE", default=3 if PRODUCTION else 0)
RSPORTAL_MIN_LEVEL_DESK = env.int("RSPORTAL_MIN_LEVEL_DESK", default=3 if PRODUCTION else 0)
# Who may log in with a password kept here: "all" (the embedded demo), "break-glass" (only
# the superusers named in RSPORTAL_BREAK_GLASS_USERS; production) or "none".
RSPORTAL_PASSWORD_LOGIN = env.str("RSPORTAL_PASSWORD_LOGIN", default="break-glass" if PRODUCTION else "all")
if RSPORTAL_PASSWORD_LOGIN not in ("all", "break-glass", "none"):
    raise ImproperlyConfigured(f"RSPORTAL_PASSWORD_LOGIN is all, break-glass or none, not {RSPORTAL_PASSWORD_LOGIN!r}")
RSPORTAL_BREAK_GLASS_USERS = env.list("RSPORTAL_BREAK_GLASS_USERS", default=[])
# The level a password login counts as.
RSPORTAL_PASSWORD_LEVEL = env.int("RSPORTAL_PASSWORD_LEVEL", default=1)
# A session ends after this many idle minutes, and RSPORTAL_SESSION_SECONDS after its login.
RSPORTAL_SESSION_IDLE_MINUTES = env.int("RSPORTAL_SESSION_IDLE_MINUTES", default=30)
RSPORTAL_SESSION_SECONDS = SESSION_COOKIE_AGE

# --- Single sign-on: OpenID Connect (sso/oidc.py, mozilla-django-oidc). ---
# The region's OpenID provider (its issuer, as the ID token's iss says it). Its endpoints come
# from its discovery document ({issuer}/.well-known/openid-configuration) unless set one by one.
# Give the provider the redirect URI {RSPORTAL_SITE_URL}/oidc/callback/ and the post-logout
# redirect URI {RSPORTAL_SITE_URL}/logga-in/.
RSPORTAL_OIDC_OP_URL = env.str("RSPORTAL_OIDC_OP_URL", default="").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("RSPORTAL_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("RSPORTAL_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("RSPORTAL_OIDC_JWKS_ENDPOINT", default="")
RSPORTAL_OIDC_END_SESSION_ENDPOINT = env.str("RSPORTAL_OIDC_END_SESSION_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("RSPORTAL_OIDC_CLIENT_ID", default="rs-portal")
OIDC_RP_CLIENT_SECRET = env.str("RSPORTAL_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("RSPORTAL_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("RSPORTAL_OIDC_SCOPES", default="openid profile email")
OIDC_USE_PKCE = env.bool("RSPORTAL_OIDC_USE_PKCE", default=True)
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the logout
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:oidc_callback"
OIDC_CREATE_USER = False  # a claim never creates a user (sso.oidc matches through sso.matching)
# Seconds for each call to the provider, and the clock skew allowed on the ID token's exp and iat.
OIDC_TIMEOUT = env.int("RSPORTAL_OIDC_TIMEOUT_SECONDS", default=10)
RSPORTAL_OIDC_LEEWAY_SECONDS = env.int("RSPORTAL_OIDC_LEEWAY_SECONDS", default=30)
# The claims naming the person: "oidc" (a plain provider, as the demo's) or "inera" (Inera's
# IdP); each name can also be set on its own.
_OIDC_CLAIM_PROFILES = {
    "oidc": {"hsa_id": "hsa_id", "personnummer": "personnummer"},
    "inera": {"hsa_id": "employeeHsaId", "personnummer": "personalIdentityNumber"},
}
RSPORTAL_OIDC_CLAIMS = env.str("RSPORTAL_OIDC_CLAIMS", default="oidc")
if RSPORTAL_OIDC_CLAIMS not in _OIDC_CLAIM_PROFILES:
    raise ImproperlyConfigured(f"RSPORTAL_OIDC_CLAIMS is oidc or inera, not {RSPORTAL_OIDC_CLAIMS!r}")
RSPORTAL_OIDC_HSA_ID_CLAIM = env.str(
    "RSPORTAL_OIDC_HSA_ID_CLAIM", default=_OIDC_CLAIM_PROFILES[RSPORTAL_OIDC_CLAIMS]["hsa_id"]
)
RSPORTAL_OIDC_PERSONNUMMER_CLAIM = env.str(
    "RSPORTAL_OIDC_PERSONNUMMER_CLAIM", default=_OIDC_CLAIM_PROFILES[RSPORTAL_OIDC_CLAIMS]["personnummer"]
)
# A session begun over OIDC is its backend's (it finds the user again; it authenticates nothing else).
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "sso.oidc.Backend"]


# --- Single sign-on: SAML 2.0 (sso/saml.py, djangosaml2). ---
# The IdP's metadata: a file, or a URL read again after MAX_AGE seconds. The SP's own
# metadata, to give the IdP, is at SITE_URL + /saml2/metadata/ (its entity id); the ACS at
# /saml2/acs/ (HTTP-POST), single logout at /saml2/ls/ (HTTP-Redirect) and /saml2/ls/post/.
RSPORTAL_SAML_IDP_METADATA_URL = env.str("RSPORTAL_SAML_IDP_METADATA_URL", default="")
RSPORTAL_SAML_IDP_METADATA_FILE = env.str("RSPORTAL_SAML_IDP_METADATA_FILE", default="")
RSPORTAL_SAML_IDP_METADATA_MAX_AGE_SECONDS = env.int("RSPORTAL_SAML_IDP_METADATA_MAX_AGE_SECONDS", default=3600)
# The SP's signing key and certificate (PEM), in its metadata; the embedded demo makes them under var/.
RSPORTAL_SAML_KEY_FILE = env.str("RSPORTAL_SAML_KEY_FILE", default=str(VAR_DIR / "saml-sp.key"))
RSPORTAL_SAML_CERT_FILE = env.str("RSPORTAL_SAML_CERT_FILE", default=str(VAR_DIR / "saml-sp.crt"))
RSPORTAL_SAML_XMLSEC = env.str("RSPORTAL_SAML_XMLSEC", default="/usr/bin/xmlsec1")
RSPORTAL_SAML_CLOCK_SKEW_SECONDS = env.int("RSPORTAL_SAML_CLOCK_SKEW_SECONDS", default=60)
# The attributes (Inera's IdP by default) that name the person; the method comes from the
# attribute named here, or (empty) from the AuthnStatement's AuthenticatingAuthority.
RSPORTAL_SAML_HSA_ID_ATTRIBUTE = env.str(
    "RSPORTAL_SAML_HSA_ID_ATTRIBUTE", default="urn:sambi:names:attribute:employeeHsaId"
)
RSPORTAL_SAML_PERSONNUMMER_ATTRIBUTE = env.str(
    "RSPORTAL_SAML_PERSONNUMMER_ATTRIBUTE", default="urn:oid:1.2.752.29.4.13"
)
RSPORTAL_SAML_METHOD_ATTRIBUTE = env.str("RSPORTAL_SAML_METHOD_ATTRIBUTE", default="")
# djangosaml2: the configuration built from the settings above; a claim never creates a user.
SAML_CONFIG_LOADER = "sso.saml.sp_config"
SAML_CREATE_UNKNOWN_USER = False
SAML_ATTRIBUTE_MAPPING: dict[str, tuple[str, ...]] = {}
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
# The login in progress is kept in a cookie of its own, which must come back on the IdP's
# cross-site POST: SameSite=None where cookies are secure (https), else Lax (one host).
SAML_SESSION_COOKIE_NAME = "rsportal_saml"
SAML_SESSION_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SECURE else "Lax"
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
AUTHENTICATION_BACKENDS.append("sso.saml.SamlBackend")
# pysaml2 logs attributes (a personnummer among them) at INFO.
_loggers = LOGGING.setdefault("loggers", {})
assert isinstance(_loggers, dict)
_loggers.update({"saml2": {"level": "WARNING"}, "djangosaml2": {"level": "WARNING"}})
