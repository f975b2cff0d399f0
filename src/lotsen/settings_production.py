"""Production settings: everything from the environment, secure defaults, no fallbacks.

Use with ``DJANGO_SETTINGS_MODULE=lotsen.settings_production``; ``lotsen check --deploy``
reports no warnings when SECRET_KEY is a real key.
"""

import os

from lotsen.settings import *  # noqa: F403
from lotsen.settings import env_bool

if not os.environ.get("SECRET_KEY"):
    raise RuntimeError("SECRET_KEY must be set in production.")

DEBUG = False
LOTSEN_PRODUCTION = True
# Every local login whose role reaches personal data has a second factor.
LOTSEN_REQUIRE_SECOND_FACTOR = env_bool("LOTSEN_REQUIRE_SECOND_FACTOR", True)
# Safe with `lotsen serve`: waitress keeps X-Forwarded-Proto only from LOTSEN_TRUSTED_PROXY
# and drops it from everyone else. Behind another WSGI server the proxy must set it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
