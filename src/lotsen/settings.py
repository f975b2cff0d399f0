"""Lotsen settings, read from the environment.

Local use needs no configuration: the embedded SQLite database and a generated secret key
live under ``var/``. Production reads everything from the environment and uses
``lotsen.settings_production`` on top of this module.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

PACKAGE_DIR = Path(__file__).resolve().parent
# Where local state lives: the SQLite database, the generated secret key, collected
# static files. The repository root when running from a checkout, overridable for
# installs elsewhere and for tests that need a throwaway instance.
VAR_DIR = Path(os.environ.get("LOTSEN_VAR_DIR", PACKAGE_DIR.parent.parent / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A per-checkout key, generated once, so that nobody runs on a key from the repo."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
# Secrets kept in the database (an SS 12000 source's client secret) are encrypted with
# this: one or more Fernet keys, comma-separated, the first encrypting. Empty: a key
# derived from SECRET_KEY (then changing SECRET_KEY means entering the secrets again).
LOTSEN_FIELD_ENCRYPTION_KEY = os.environ.get("LOTSEN_FIELD_ENCRYPTION_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# A refused form says so in Lotsen's layout and language, with the way to go on.
CSRF_FAILURE_VIEW = "lotsen.pages.errors.csrf_failure"

INSTALLED_APPS = [
    # First, so that its `createsuperuser` (which checks the password in --no-input mode
    # too) is the one `lotsen createsuperuser` runs: the first app with a command wins.
    "lotsen.pages",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Login throttling and lockout; its attempts and logins are in the admin.
    "axes",
    # Content-Security-Policy (its system checks catch settings of the old form).
    "csp",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files served by Lotsen itself, not from a CDN (/api/v1/docs/swagger/).
    "drf_spectacular_sidecar",
    # OAuth2 client credentials for machine clients of the API (lotsen.apiclients).
    "oauth2_provider",
    "django_celery_beat",
    "lotsen.jobs",
    "lotsen.accounts",
    # A second factor for local accounts: TOTP, recovery codes, passkeys (lotsen.accounts.mfa).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "lotsen.accounts.mfa",
    "lotsen.apiclients",
    "lotsen.privacy",
    "lotsen.people",
    "lotsen.ingest",
    "lotsen.notifications",
    "lotsen.school",
    "lotsen.earlywarning",
    "lotsen.kaa",
    "lotsen.support",
    "lotsen.youth",
    "lotsen.programmes",
    "lotsen.finance",
    "lotsen.events",
    "lotsen.surveys",
    "lotsen.insights",
    "lotsen.inbox",
    "lotsen.demo",
    "lotsen.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Everything past WhiteNoise (static files) may carry personal data: never cached.
    "lotsen.pages.middleware.NoStoreMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) on every page and answer.
    "lotsen.accounts.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # 405 for a method the view does not handle, before the CSRF check and before any
    # view reads (or logs) anything; HEAD without the body.
    "lotsen.pages.middleware.HttpMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the second factor this session gave, if any.
    "django_otp.middleware.OTPMiddleware",
    "lotsen.accounts.middleware.SessionTimeoutMiddleware",
    "lotsen.accounts.middleware.ActorMiddleware",
    # A young person's and a guardian's session reach their own pages only: every other
    # URL is the same 404 as a missing page, before any view runs.
    "lotsen.youth.middleware.OwnPagesOnlyMiddleware",
    # Every logged-in session has a level of assurance; with LOTSEN_REQUIRE_SECOND_FACTOR, a
    # password login to a role that reaches personal data sets up a second factor first.
    "lotsen.accounts.mfa.middleware.SecondFactorRequiredMiddleware",
    # Before any view: a query parameter with a NUL byte, invalid UTF-8 or a huge value
    # is answered 400, naming it, and never searched, read or logged.
    "lotsen.pages.query.QueryParameterMiddleware",
    "lotsen.privacy.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lotsen.urls"
WSGI_APPLICATION = "lotsen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lotsen.accounts.context_processors.actor",
                "lotsen.inbox.context_processors.inbox",
                "lotsen.notifications.context_processors.unread",
                "lotsen.accounts.session.session_timeout",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lotsen.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves concurrent writers (`lotsen serve` runs eight threads) only when used
    # this way. WAL lets readers go on while one connection writes. IMMEDIATE takes the
    # write lock when a transaction begins: a deferred transaction that reads first and
    # then writes fails at once with "database is locked" when another one wrote in
    # between (SQLite cannot wait there without risking a deadlock), so a compare-and-set
    # such as the plan save would answer 500 instead of 409. The timeout is how long a
    # writer waits for the lock. synchronous=NORMAL is durable in WAL mode except for the
    # last transactions on power loss, never corrupting. An in-memory test database keeps
    # its "memory" journal; the pragma is then a no-op.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("LOTSEN_SQLITE_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: Lotsen's queries are short, and the policy's EXISTS filters have
    # cost estimates high enough that PostgreSQL compiled a count of a school's pupils for
    # 3 s to run it in 0.2 s (issue 16). PostgreSQL's own advice for such workloads.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: a password login from a locked account or address is refused before
# the password is even checked, so the right password does not help during the lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:start"
LOGOUT_REDIRECT_URL = "accounts:login"
# Levels of assurance (lotsen.accounts.assurance): the acr values an OpenID Connect
# provider may state and the level each stands for; how the levels rank (a local account
# with a second factor counts as level 3); and the level each data category needs.
LOTSEN_ASSURANCE_ACR_LEVELS = {
    "http://id.elegnamnden.se/loa/1.0/loa1": "loa1",
    "http://id.elegnamnden.se/loa/1.0/loa2": "loa2",
    "http://id.elegnamnden.se/loa/1.0/loa3": "loa3",
    "http://id.elegnamnden.se/loa/1.0/loa4": "loa4",
    "http://id.sambi.se/loa/loa1": "loa1",
    "http://id.sambi.se/loa/loa2": "loa2",
    "http://id.sambi.se/loa/loa3": "loa3",
}
LOTSEN_ASSURANCE_RANKS = {
    "unspecified": 0,
    "local_password": 1,
    "loa1": 1,
    "loa2": 2,
    "local_mfa": 3,
    "loa3": 3,
    "loa4": 4,
}
# Health-related notes, and social services' case notes (notes its staff write), need
# level 3; below it the case page asks the user to step up (lotsen.accounts.mfa).
LOTSEN_ASSURANCE_REQUIRED = {"health": "loa3", "social_services": "loa3"}
# A second factor (lotsen.accounts.mfa): required of every local login whose role reaches
# personal data when on (on under settings_production; off here, so the demo logs in with
# a password). Passkeys belong to the relying party ID (the site's domain) and are checked
# against the origins; empty: the host and origin each request came to.
LOTSEN_REQUIRE_SECOND_FACTOR = env_bool("LOTSEN_REQUIRE_SECOND_FACTOR", False)
LOTSEN_WEBAUTHN_RP_ID = os.environ.get("LOTSEN_WEBAUTHN_RP_ID", "")
LOTSEN_WEBAUTHN_ORIGINS = env_list("LOTSEN_WEBAUTHN_ORIGINS", "")
OTP_TOTP_ISSUER = "Lotsen"
OTP_WEBAUTHN_RP_ID_CALLABLE = "lotsen.accounts.mfa.webauthn.rp_id"
OTP_WEBAUTHN_RP_NAME_CALLABLE = "lotsen.accounts.mfa.webauthn.rp_name"
OTP_WEBAUTHN_HELPER_CLASS = "lotsen.accounts.mfa.webauthn.LotsenWebAuthnHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# The library's system check asks for a list here; while LOTSEN_WEBAUTHN_ORIGINS is empty
# LotsenWebAuthnHelper checks against the request's own origin instead of this.
OTP_WEBAUTHN_ALLOWED_ORIGINS = LOTSEN_WEBAUTHN_ORIGINS or ["http://localhost"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: 30 minutes idle (the cookie age is renewed on every request) and 12 hours
# absolute (enforced by SessionTimeoutMiddleware from the login time kept in the session).
SESSION_COOKIE_AGE = int(os.environ.get("LOTSEN_SESSION_IDLE_SECONDS", str(30 * 60)))
# A warning this long before the idle limit lets the user stay signed in (WCAG 2.2.1): a
# dialog on every page (lotsen/session-timeout.js) that pings accounts:session_keepalive.
LOTSEN_SESSION_WARNING_SECONDS = int(os.environ.get("LOTSEN_SESSION_WARNING_SECONDS", "120"))
# Sessions in the database, kept a minute past the idle limit: a signed-in request renews the
# idle time at most once a minute (lotsen.accounts.middleware.SessionTimeoutMiddleware)
# rather than writing its session on every request.
SESSION_ENGINE = "lotsen.accounts.session_store"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOTSEN_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one username, or
# from one address, further logins for it are refused for the cool-off, counted from the
# last failure (a failure during the lock starts it again). Counted per username whether
# or not the account exists, so the lock tells nobody which accounts exist. Offices behind
# one shared address: raise the limit or drop "ip_address" from the parameters.
AXES_FAILURE_LIMIT = int(os.environ.get("LOTSEN_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOTSEN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = env_list("LOTSEN_LOGIN_LOCKOUT_PARAMETERS", "username,ip_address")
# The login page with the lockout message instead of axes' bare text.
AXES_LOCKOUT_CALLABLE = "lotsen.accounts.views.login_locked_out"
# A success does not wipe the failures: whoever has one account of their own could
# otherwise clear an address's count between guesses at other accounts.
AXES_RESET_ON_SUCCESS = False
# Every failed login is kept too (not only the counters), next to the successful ones.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The address is REMOTE_ADDR: behind a trusted proxy `lotsen serve` (waitress) has already
# put the forwarded client address there (LOTSEN_TRUSTED_PROXY below).

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only from Lotsen
# itself, no inline script or style anywhere (each page's JavaScript is a static file, the
# htmx config turns off its inline indicator styles and eval), no plugins, no framing.
# Forms post only to Lotsen; the single-logout redirect to a session's OpenID Connect
# provider is added per request (lotsen.accounts.csp), since Chromium checks form-action on
# the redirect after a form too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

REST_FRAMEWORK = {
    # A machine client's bearer token first (its 401 names the Bearer scheme), then the
    # session of a person signed in. Scopes concern clients only (lotsen.apiclients).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lotsen.apiclients.auth.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "lotsen.accounts.api.HasActor",
        "lotsen.apiclients.auth.ClientHasScope",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # JSON only, with bounds on size, depth and numbers; bad input is a 400/413/415 that
    # names its place, never a 500 (lotsen.pages.api).
    "DEFAULT_PARSER_CLASSES": ["lotsen.pages.api.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "lotsen.pages.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lotsen API",
    "DESCRIPTION": "Samma tjänster och samma åtkomstregler som webbgränssnittet.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every endpoint, field and filter: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from drf-spectacular-sidecar's static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Machine clients (lotsen.apiclients): client credentials only, tokens for an hour, each
# client's own scopes, secrets hashed, tokens only in the Authorization header and kept
# in the database as a checksum only.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("LOTSEN_API_TOKEN_SECONDS", "3600")),
    "SCOPES_BACKEND_CLASS": "lotsen.apiclients.auth.ApiClientScopes",
    "ERROR_RESPONSE_WITH_SCOPES": False,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # Flows Lotsen does not offer (no client has a redirect or a refresh token), held to
    # RFC 9700 all the same so that `check --deploy` passes.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# django-oauth-toolkit's own application model (named for lotsen.apiclients' migration).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# `lotsen serve` behind a reverse proxy: the proxy's address ("*" when only the proxy can
# reach the port), how many proxies are in front, and which of its X-Forwarded-* headers
# to believe. From any other peer waitress drops these headers.
LOTSEN_TRUSTED_PROXY = os.environ.get("LOTSEN_TRUSTED_PROXY", "")
LOTSEN_TRUSTED_PROXY_COUNT = int(os.environ.get("LOTSEN_TRUSTED_PROXY_COUNT", "1"))
LOTSEN_TRUSTED_PROXY_HEADERS = env_list(
    "LOTSEN_TRUSTED_PROXY_HEADERS", "x-forwarded-proto,x-forwarded-for"
)

# Background jobs (lotsen.jobs): Celery. Production sets LOTSEN_BROKER_URL to Redis
# (redis://host:6379/0) and runs workers on as many machines as it needs; the embedded
# default is kombu's file-system transport under var/broker, which needs no server.
LOTSEN_BROKER_URL = os.environ.get("LOTSEN_BROKER_URL", "filesystem://")
BROKER_DIR = Path(os.environ.get("LOTSEN_BROKER_DIR", VAR_DIR / "broker")).resolve()
# A run whose worker has not been heard from for this long is taken for lost and run
# again; it must be longer than the longest single transaction of a job.
LOTSEN_JOB_STALE_SECONDS = int(os.environ.get("LOTSEN_JOB_STALE_SECONDS", "900"))
LOTSEN_JOB_MAX_ATTEMPTS = int(os.environ.get("LOTSEN_JOB_MAX_ATTEMPTS", "5"))
LOTSEN_JOB_BACKOFF_SECONDS = int(os.environ.get("LOTSEN_JOB_BACKOFF_SECONDS", "30"))
LOTSEN_JOB_BACKOFF_MAX_SECONDS = int(os.environ.get("LOTSEN_JOB_BACKOFF_MAX_SECONDS", "3600"))
CELERY_BROKER_URL = LOTSEN_BROKER_URL
if LOTSEN_BROKER_URL.startswith("filesystem:"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
else:
    # Redis hands an unacknowledged message (its worker killed) to another worker after
    # this long; the run's own claim keeps a live job from running twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": LOTSEN_JOB_STALE_SECONDS}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
# The schedule lives in the database, editable in the admin (django-celery-beat); these
# are the defaults it starts with.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "jobs.recover": {"task": "jobs.recover", "schedule": 60.0},
    # One incremental SS 12000 import per enabled source; each is followed by signals.
    "school.ss12000_sync": {"task": "school.ss12000_sync", "schedule": crontab(hour=1, minute=0)},
    "kaa.cohort_refresh": {"task": "kaa.cohort_refresh", "schedule": crontab(hour=1, minute=30)},
    "signals.compute": {"task": "signals.compute", "schedule": crontab(hour=2, minute=0)},
    "kaa.retention": {"task": "kaa.retention", "schedule": crontab(hour=3, minute=0)},
    "jobs.retention": {"task": "jobs.retention", "schedule": crontab(hour=3, minute=15)},
    "notifications.retention": {
        "task": "notifications.retention",
        "schedule": crontab(hour=3, minute=30),
    },
    "support.reminders": {"task": "support.reminders", "schedule": crontab(hour=4, minute=0)},
    "programmes.follow_up_reminders": {
        "task": "programmes.follow_up_reminders",
        "schedule": crontab(hour=4, minute=15),
    },
    "notifications.digest": {
        "task": "notifications.digest",
        "schedule": crontab(hour=6, minute=30),
    },
    "accounts.invitations_retention": {
        "task": "accounts.invitations_retention",
        "schedule": crontab(hour=3, minute=45),
    },
}
LOTSEN_JOB_RUN_DAYS = int(os.environ.get("LOTSEN_JOB_RUN_DAYS", "90"))
LOTSEN_NOTIFICATION_DAYS = int(os.environ.get("LOTSEN_NOTIFICATION_DAYS", "180"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("LOTSEN_JOB_QUEUE", "lotsen")

# E-mail (lotsen.notifications). With EMAIL_HOST set, Django's SMTP backend sends through
# that server; without it (a bare machine running `make run`) mails are printed to the
# console instead, so that nothing fails for want of a mail server and a developer sees
# what would go out. EMAIL_BACKEND overrides both.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Lotsen <noreply@lotsen.invalid>")
# The address of this site as users reach it: e-mails link here.
LOTSEN_BASE_URL = os.environ.get("LOTSEN_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Roles allowed to see address and contact details of persons with protected identity
# (skyddad folkbokföring, sekretessmarkering). A deployment names them; nobody else does.
LOTSEN_PROTECTED_IDENTITY_ROLES = env_list("LOTSEN_PROTECTED_IDENTITY_ROLES", "kaa_coordinator")
# How long an emergency access stays open once its reason is recorded.
LOTSEN_EMERGENCY_ACCESS_MINUTES = int(os.environ.get("LOTSEN_EMERGENCY_ACCESS_MINUTES", "60"))
# Four eyes: a role that reaches personal data is granted only once a second administrator
# (of the organisation, of an organisation above it, or a system admin) approves.
LOTSEN_GRANTS_FOUR_EYES = env_bool("LOTSEN_GRANTS_FOUR_EYES", False)
# Days a user has to accept an invitation to an organisation before it runs out.
LOTSEN_GRANT_INVITATION_DAYS = int(os.environ.get("LOTSEN_GRANT_INVITATION_DAYS", "14"))
# Days an invitation by e-mail (somebody without an account) lasts; deleted nightly after.
LOTSEN_USER_INVITATION_DAYS = int(os.environ.get("LOTSEN_USER_INVITATION_DAYS", "7"))
# Password reset by e-mail (lotsen.accounts.recovery): how long the link works, and how many
# requests one client address, and one e-mail address typed, get per window. The counts
# live in the cache: with several app servers give them a shared cache (Redis).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("LOTSEN_PASSWORD_RESET_MINUTES", "60")) * 60
LOTSEN_PASSWORD_RESET_WINDOW_SECONDS = 60 * 60
LOTSEN_PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("LOTSEN_PASSWORD_RESET_PER_ADDRESS", "20"))
LOTSEN_PASSWORD_RESET_PER_ACCOUNT = int(os.environ.get("LOTSEN_PASSWORD_RESET_PER_ACCOUNT", "3"))
LOTSEN_DEMO_PASSWORD = os.environ.get("LOTSEN_DEMO_PASSWORD", "demo")
# True under lotsen.settings_production: `lotsen demo` (known passwords) refuses to run.
LOTSEN_PRODUCTION = False
