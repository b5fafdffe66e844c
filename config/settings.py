"""Pantau settings: one file, driven by environment variables.

PANTAU_ENV=development (default) runs locally with the embedded SQLite database;
PANTAU_ENV=production requires SECRET_KEY and ALLOWED_HOSTS from the environment and
turns on every transport-security setting that `manage.py check --deploy` looks for.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PANTAU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PANTAU_ENV = os.environ.get("PANTAU_ENV", "development")
PRODUCTION = PANTAU_ENV == "production"
DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"


def _development_secret_key() -> str:
    # Kept in var/ so sessions survive restarts; never used in production.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # intcomma: thousands separators
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "django_tasks_db",
    "pantau.core",
    "pantau.audit",
    "pantau.accounts",
    "pantau.members",
    "pantau.workplan",
    "pantau.reporting",
    "pantau.narco",
    "pantau.cooperation",
    "pantau.statistics",
    "pantau.analytics",
    "pantau.reviews",
    "pantau.portal",  # the public website and open data (/portal/, /id/portal/)
    "pantau.clearinghouse",
    "pantau.treatment",  # the treatment MIS (15.d.iv): pseudonymous episodes
    "pantau.programmes",  # national programmes and services to groups at risk (11.b, 11.c)
    "pantau.cultivation",  # cultivation surveys, boundaries, alternative development (18-20)
    "pantau.site",  # the top layer: set-up, demo, the CLI, the API root
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pantau.core.middleware.RequestIdMiddleware",
    "pantau.core.middleware.RequestSizeMiddleware",
    # The services' errors that a view lets through become the site's error pages.
    "pantau.core.middleware.ServiceErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pantau.core.middleware.LanguageMiddleware",  # LocaleMiddleware + the cookie everywhere
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pantau.accounts.middleware.SessionLifetimeMiddleware",
    # Pages show times in the user's zone (profile), else TIME_ZONE; stored times stay UTC.
    "pantau.accounts.middleware.TimeZoneMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pantau.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Inside the package, so a plain `pip install` carries them.
        "DIRS": [BASE_DIR / "pantau" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "pantau.core.context_processors.pantau",
                "pantau.narco.context_processors.narco",
                "pantau.statistics.context_processors.statistics",
                "pantau.programmes.context_processors.programmes",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user@host:5432/name); the default is an
# embedded SQLite file so that `make run` needs nothing else.
_sqlite_default = f"sqlite:///{VAR_DIR / 'pantau.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _sqlite_default), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs more than it saves on Pantau's short aggregate queries
    # (measured: 843 ms of JIT for a 70 ms ASEAN GROUP BY over 1.27M rows).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open between requests, as on PostgreSQL (conn_max_age above): opening one costs a
    # file open and four PRAGMAs, and under load each step waits for the interpreter lock; it
    # was 40 % of the data API's time (bench/README.md). Each server thread keeps its own.
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: every write transaction takes the write lock at BEGIN, so two writers
        # queue instead of failing half-way (and the audit chain is appended in order).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before any password is checked.
    "pantau.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "start"  # each role's start page (pantau.site.start)
LOGOUT_REDIRECT_URL = "home"

# --- Background work -------------------------------------------------------------------------
# Django's tasks framework with a database-backed queue: the embedded default needs no broker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Audit checkpoints -----------------------------------------------------------------------
# The worker signs the audit chain's head with an Ed25519 key every PANTAU_AUDIT_CHECKPOINT_SECONDS
# and appends it to a log outside the database (pantau/audit/checkpoints.py). In production keep
# the key and the log off the database host (docs/deploy.md). A verify-only installation needs
# just the public key (default: the key file's name + ".pub").
PANTAU_AUDIT_KEY_FILE = Path(os.environ.get("PANTAU_AUDIT_KEY_FILE", VAR_DIR / "audit-signing.key"))
PANTAU_AUDIT_PUBLIC_KEY_FILE = os.environ.get("PANTAU_AUDIT_PUBLIC_KEY_FILE") or None
PANTAU_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("PANTAU_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.jsonl")
)
PANTAU_AUDIT_CHECKPOINT_SECONDS = int(os.environ.get("PANTAU_AUDIT_CHECKPOINT_SECONDS", "3600"))

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
# The ASEAN Secretariat's: pages show times in it, with the zone, unless the user chose
# another on their profile (pantau.accounts.middleware.TimeZoneMiddleware). Times are stored
# in UTC, and the API sends them in UTC.
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
# Off on purpose: it would group every number a template prints (years, ids, form values);
# pages group figures with intcomma and pantau.core.numbers (docs/i18n.md).
USE_THOUSAND_SEPARATOR = False
USE_TZ = True
# Inside the package (so `pip install .` carries the compiled catalogues).
LOCALE_PATHS = [BASE_DIR / "pantau" / "locale"]

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "pantau" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Largest spreadsheet a focal point may upload (the report's XLSX template is ~30 KB).
PANTAU_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Largest statistics file uploaded on the web or the API (a million rows is ~60 MB as CSV);
# larger ones go through `pantau import` on the server.
PANTAU_MAX_IMPORT_BYTES = 100 * 1024 * 1024
# Largest request body of all, refused before it is read: the largest upload and its form.
# Keep the proxy's client_max_body_size the same (docs/deploy.md).
PANTAU_MAX_REQUEST_BYTES = int(
    os.environ.get("PANTAU_MAX_REQUEST_BYTES", PANTAU_MAX_IMPORT_BYTES + 1024 * 1024)
)

# --- E-mail ----------------------------------------------------------------------------------
# Notifications go through Django's mailers: SMTP in production, the console in development.
if os.environ.get("EMAIL_HOST") or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "0") == "1",
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pantau <pantau@localhost>")

# --- Security --------------------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402

# No inline scripts or styles anywhere: every script is a static file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Sessions end after PANTAU_SESSION_IDLE_MINUTES without a request, PANTAU_SESSION_MAX_HOURS
# after sign-in however active (both enforced by pantau.accounts.middleware), and when the
# browser closes (ASVS 3.3.2 level 2: 30 minutes idle, 12 hours at most).
PANTAU_SESSION_IDLE = int(os.environ.get("PANTAU_SESSION_IDLE_MINUTES", "30")) * 60
PANTAU_SESSION_MAX_AGE = int(os.environ.get("PANTAU_SESSION_MAX_HOURS", "8")) * 60 * 60
SESSION_COOKIE_AGE = PANTAU_SESSION_MAX_AGE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    # Load balancers probe the app directly over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Two-factor authentication (TOTP, django-otp): required for the roles listed in
# pantau.accounts.permissions.TWO_FACTOR_ROLES when PANTAU_REQUIRE_2FA is on (the default);
# anybody else may turn it on. Whoever has a confirmed device is asked for a code at sign-in.
PANTAU_REQUIRE_2FA = os.environ.get("PANTAU_REQUIRE_2FA", "1") == "1"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Pantau")
# Wrong codes: the first PANTAU_OTP_FREE_FAILURES in a row cost nothing (a typo, then the
# right code at once); after that, django-otp's back-off doubles the wait at each failure
# (OTP_TOTP_THROTTLE_FACTOR * 2**(n-1) seconds after the n-th: 4, 8, 16 ... with 3 free tries).
# A right code resets the count.
PANTAU_OTP_FREE_FAILURES = 3
OTP_TOTP_THROTTLE_FACTOR = 1

# Login throttling (django-axes): 5 failures for one username from one address lock that
# pair out for 15 minutes; a successful sign-in clears the count. Against password spraying
# (a few passwords tried on every account), 20 failures from one address within the cool-off,
# whatever the usernames, lock that address out of every account (the handler below).
# `pantau axes_reset` unlocks; `pantau axes_reset_ip ADDRESS` unlocks one address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "pantau.accounts.backends.AddressAwareAxesHandler"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries during a lock are refused without extending it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "pantau.accounts.views.lockout"
AXES_HTTP_RESPONSE_CODE = 429
# Behind reverse proxies, the client's address is in X-Forwarded-For: set how many proxies
# append to it (PANTAU_PROXY_COUNT=1 behind nginx), so that a client cannot pick its own.
PANTAU_PROXY_COUNT = int(os.environ.get("PANTAU_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "pantau.accounts.backends.client_address"

# "Forgot your password": at most PANTAU_PASSWORD_RESET_PER_ADDRESS requests from one
# address and PANTAU_PASSWORD_RESET_PER_EMAIL for one e-mail address per
# PANTAU_PASSWORD_RESET_WINDOW seconds; the link in the e-mail works once, for an hour.
PANTAU_PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("PANTAU_PASSWORD_RESET_PER_ADDRESS", "5"))
PANTAU_PASSWORD_RESET_PER_EMAIL = int(os.environ.get("PANTAU_PASSWORD_RESET_PER_EMAIL", "3"))
PANTAU_PASSWORD_RESET_WINDOW = 60 * 60
PASSWORD_RESET_TIMEOUT = 60 * 60

# --- API -------------------------------------------------------------------------------------
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Times in UTC with their zone (%z), whatever TIME_ZONE the pages use.
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every page it lays out at INFO: a review's build would drown the rest.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
