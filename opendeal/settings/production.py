"""Production: everything the base reads from the environment, with the secure defaults on."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, _cache_from_url, env_flag

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")

# Whoever holds this key can link the analysts' pseudonyms back to people, so production never
# derives it from SECRET_KEY (which every web server holds) as a laptop does.
OPENDEAL_PSEUDONYMISATION_KEY = os.environ.get("OPENDEAL_PSEUDONYMISATION_KEY", "")
if len(OPENDEAL_PSEUDONYMISATION_KEY) < 32 or OPENDEAL_PSEUDONYMISATION_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "Set OPENDEAL_PSEUDONYMISATION_KEY to a random value of at least 32 characters, "
        "apart from SECRET_KEY."
    )

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Redirect plain HTTP to HTTPS (turn off only where the proxy already does).
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Joining the browsers' HSTS preload list is hard to undo, so a council opts in with
# SECURE_HSTS_PRELOAD=1 once every subdomain serves HTTPS; until then the check is silenced.
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Several web servers share one cache (rate limits, lockouts): in the database unless
# CACHE_URL names Redis.
CACHES = {"default": _cache_from_url(os.environ.get("CACHE_URL", "db://"))}
# Logs go to a collector: one JSON object a line, unless LOG_FORMAT=plain.
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "json")
