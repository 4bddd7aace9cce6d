"""Settings shared by every way of running OpenDeal.

Every setting read from the environment is read here, once, with a comment saying what it is.
`test` and `production` only adjust what differs for their purpose.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = PROJECT_DIR / "opendeal"


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where the embedded SQLite database, uploads and collected static files live.
VAR_DIR = Path(os.environ.get("OPENDEAL_VAR_DIR", PROJECT_DIR / "var"))

# Off unless the demo (or a developer) turns it on.
DEBUG = env_flag("DEBUG")

# Required in production (see production.py); this fallback is only good for a laptop.
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "opendeal-insecure-development-key-never-use-in-production"
)

# Comma-separated host names this instance answers to.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

# Comma-separated origins trusted for CSRF behind a proxy, e.g. https://deal.example.gov.uk
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# postgres://user:password@host:5432/name in production; SQLite under VAR_DIR by default.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'opendeal.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
        # instead of failing with "database is locked" half way through.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

# Where the real public data (Fingertips, ONS, standards) is read from. Absent on a council's
# own machine: the demo then fetches the same data from its publishers.
_shared_data = PROJECT_DIR.parent / "shared" / "data"
OPENDEAL_DATA_DIR = Path(os.environ.get("OPENDEAL_DATA_DIR", _shared_data))
# The OHID Fingertips API, from which that data is fetched when the folder does not have it.
OPENDEAL_FINGERTIPS_API_URL = os.environ.get(
    "OPENDEAL_FINGERTIPS_API_URL", "https://fingertips.phe.org.uk/api"
)

# The year the council changed its approach (Wigan's Deal: 2011): the observatory's evidence
# report evaluates the change from 1 January of it.
OPENDEAL_CHANGE_YEAR = int(os.environ.get("OPENDEAL_CHANGE_YEAR", "2011"))

# The council running this instance. Any council can run OpenDeal: this is all configuration.
OPENDEAL_COUNCIL = {
    # Full name, as in the header and on letters.
    "name": os.environ.get("OPENDEAL_COUNCIL_NAME", "Wigan Council"),
    # The borough as residents say it.
    "place": os.environ.get("OPENDEAL_COUNCIL_PLACE", "Wigan"),
    # ONS GSS code of the local authority district.
    "gss_code": os.environ.get("OPENDEAL_COUNCIL_GSS_CODE", "E08000010"),
    # The council's Local Authority England (LAE) code: its 360Giving org id is GB-LAE-<code>.
    "lae_code": os.environ.get("OPENDEAL_COUNCIL_LAE_CODE", "WGN"),
    # Brand colour for the header stripe, #rrggbb.
    "colour": os.environ.get("OPENDEAL_COUNCIL_COLOUR", "#1d70b8"),
    # URL of a logo image (served from this site or a council's own host); empty for none.
    "logo_url": os.environ.get("OPENDEAL_COUNCIL_LOGO_URL", ""),
    # Name of this service as it appears in the header.
    "service_name": os.environ.get("OPENDEAL_SERVICE_NAME", "The Deal"),
    # Where residents can write to about the service.
    "contact_email": os.environ.get("OPENDEAL_CONTACT_EMAIL", "thedeal@example.org"),
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "opendeal.core",
    "opendeal.deal",
    "opendeal.events",
    "opendeal.geography",
    "opendeal.directory",
    "opendeal.fund",
    "opendeal.care",
    "opendeal.observatory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "opendeal.core.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Timing every request for /metrics comes first, so it sees the whole response time.
MIDDLEWARE.insert(0, "opendeal.core.metrics.RequestMetricsMiddleware")
MIDDLEWARE.insert(2, "opendeal.core.middleware.RejectNulCharactersMiddleware")

# Who may read /metrics: a scraper sending "Authorization: Bearer <token>" when a token is set,
# else only these addresses (the machine itself by default).
OPENDEAL_METRICS_TOKEN = os.environ.get("OPENDEAL_METRICS_TOKEN", "")
OPENDEAL_METRICS_ALLOWED_ADDRESSES = os.environ.get(
    "OPENDEAL_METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1"
).split(",")

ROOT_URLCONF = "opendeal.urls"
WSGI_APPLICATION = "opendeal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opendeal.core.context_processors.council",
            ],
            "builtins": ["opendeal.core.templatetags.govuk"],
        },
    }
]

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out caller is refused before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "core:account"
LOGOUT_REDIRECT_URL = "core:home"

# Failed sign-ins: lock the account+address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/account/locked_out.html"
AXES_VERBOSE = False  # axes logs usernames otherwise: no personal data in logs

# The cache holds rate limits and lockouts, so several web servers must share one:
# CACHE_URL=db:// (a table in the main database; production's default) or redis://host:6379/0.
# locmem:// keeps it in each process, which is right for one laptop only.
CACHE_URL = os.environ.get("CACHE_URL", "locmem://")


def _cache_from_url(url: str) -> dict:
    scheme = url.split("://", 1)[0]
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "db":
        # Created by `opendeal migrate` (core's post_migrate runs createcachetable).
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "opendeal_cache",
        }
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ValueError(f"CACHE_URL must start locmem://, db:// or redis://, not {url!r}")


CACHES = {"default": _cache_from_url(CACHE_URL)}
# Sessions live in the database, which every web server shares.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Sessions end after 8 hours; staff sessions also after 30 minutes without activity.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 8)))
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", "1800"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = OPENDEAL_COUNCIL["service_name"] + " – " + OPENDEAL_COUNCIL["place"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    # GOV.UK Frontend, installed by npm and served by this app itself, never from a CDN.
    ("govuk", PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    # Leaflet, for the community directory's maps, the same way.
    ("leaflet", PROJECT_DIR / "node_modules" / "leaflet" / "dist"),
]
# Files only some people may see (grant applications' supporting documents): kept outside
# the web root and served only through views that check who is asking.
OPENDEAL_PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("OPENDEAL_PRIVATE_MEDIA_ROOT", VAR_DIR / "private")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # No base_url: these files have no public address (fund.access decides who sees them).
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": OPENDEAL_PRIVATE_MEDIA_ROOT, "base_url": "/no-public-url/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# With several web servers, uploads must be where every one of them can read them: a shared
# filesystem mounted at OPENDEAL_PRIVATE_MEDIA_ROOT, or an S3-compatible object store through
# django-storages (`pip install "opendeal[s3]"`), set by OPENDEAL_S3_BUCKET; credentials come
# from the usual AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Files stay private: links to them
# are signed and short-lived, and only the views that check who is asking hand them out.
OPENDEAL_S3_BUCKET = os.environ.get("OPENDEAL_S3_BUCKET", "")
if OPENDEAL_S3_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": OPENDEAL_S3_BUCKET,
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        },
    }
MEDIA_ROOT = VAR_DIR / "uploads"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Email: console unless an SMTP host is set.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", OPENDEAL_COUNCIL["contact_email"])
# GOV.UK Notify instead of SMTP: EMAIL_BACKEND=opendeal.core.notify.NotifyEmailBackend, the
# service's API key, and the id of a Notify email template with subject ((subject)) and body
# ((body)). Optionally the id of a reply-to address set up in Notify.
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_TEMPLATE_ID", "")
GOVUK_NOTIFY_REPLY_TO_ID = os.environ.get("GOVUK_NOTIFY_REPLY_TO_ID", "")
# Notify's API; changed only to test against a stand-in.
GOVUK_NOTIFY_BASE_URL = os.environ.get(
    "GOVUK_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
# The site's own address, for links in emails, e.g. https://deal.example.gov.uk
OPENDEAL_BASE_URL = os.environ.get("OPENDEAL_BASE_URL", "http://127.0.0.1:8000")

# Background work: run at once in a laptop demo; production.py queues it in the database.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "OPENDEAL_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Each `opendeal worker` says it is alive this often; a task whose worker has been silent for
# the second figure goes back on the queue (opendeal.core.task_worker).
OPENDEAL_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("OPENDEAL_WORKER_HEARTBEAT_SECONDS", "5"))
OPENDEAL_WORKER_ABANDONED_AFTER_SECONDS = float(
    os.environ.get("OPENDEAL_WORKER_ABANDONED_AFTER_SECONDS", "60")
)

# The housekeeping schedule (opendeal.core.schedule): the workers queue each housekeeping task
# when it falls due, once however many workers run. Off (OPENDEAL_SCHEDULE=0) for a council that
# runs the `…_housekeeping` commands from cron instead.
OPENDEAL_SCHEDULE = env_flag("OPENDEAL_SCHEDULE", default=True)
# How often each worker looks for due runs.
OPENDEAL_SCHEDULE_TICK_SECONDS = float(os.environ.get("OPENDEAL_SCHEDULE_TICK_SECONDS", "30"))
# Events' housekeeping (lapsing unconfirmed places, reminders) runs every this many minutes.
OPENDEAL_SCHEDULE_EVENTS_MINUTES = int(os.environ.get("OPENDEAL_SCHEDULE_EVENTS_MINUTES", "5"))
# The daily tasks' local times, where they differ from the defaults, e.g.
# "deal.housekeeping=08:00,care.retention=01:30" (docs/deployment.md lists the names).
OPENDEAL_SCHEDULE_DAILY_TIMES = {
    name.strip(): at.strip()
    for name, _, at in (item.partition("=") for item in env_list("OPENDEAL_SCHEDULE_DAILY_TIMES"))
}
# Scheduled tasks the workers leave alone (e.g. run from cron instead), comma-separated names.
OPENDEAL_SCHEDULE_SKIP = env_list("OPENDEAL_SCHEDULE_SKIP")
# The account the daily Deal housekeeping records new figures as (it must be allowed to record
# progress). Unset, that task is skipped with a warning in the log.
OPENDEAL_HOUSEKEEPING_ACCOUNT = os.environ.get("OPENDEAL_HOUSEKEEPING_ACCOUNT", "")
# Finished tasks, past scheduled runs and finished jobs (with their status pages) are deleted
# after this many days.
OPENDEAL_KEEP_FINISHED_DAYS = int(os.environ.get("OPENDEAL_KEEP_FINISHED_DAYS", "30"))

# Map tiles for the directory's maps: a URL template with {z}/{x}/{y} (and optionally {s} for
# subdomains) and the attribution its provider requires (HTML). OpenStreetMap's own tiles suit
# light use only (https://operations.osmfoundation.org/policies/tiles/): a council with heavy
# traffic should point this at its own or a commercial tile server.
OPENDEAL_MAP_TILE_URL = os.environ.get(
    "OPENDEAL_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
OPENDEAL_MAP_ATTRIBUTION = os.environ.get(
    "OPENDEAL_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)


def tile_origin(url_template: str) -> str:
    """The CSP source for a tile URL template: its scheme and host, {s} as a wildcard."""
    scheme, _, rest = url_template.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return f"{scheme}://{host}" if scheme and host else ""


# Content Security Policy: no inline script or style; the one inline script carries a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *filter(None, [tile_origin(OPENDEAL_MAP_TILE_URL)])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# At most this many emails that anyone could trigger from a public form (confirmation links)
# go to one address in an hour.
OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR = int(
    os.environ.get("OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR", "5")
)
# Anonymous event registrations allowed from one network address an hour. Generous: a library
# or council office shares one address.
OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR = int(
    os.environ.get("OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR", "30")
)

# The council's registered 360Giving prefix: grants are 360G-<prefix>-…, and so are applicant
# groups with no charity or company number.
OPENDEAL_360G_PREFIX = os.environ.get("OPENDEAL_360G_PREFIX", "360G-opendeal-demo")
# The largest supporting document an applicant may upload, in bytes (10 MB).
OPENDEAL_FUND_MAX_UPLOAD_BYTES = int(
    os.environ.get("OPENDEAL_FUND_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))
)

# Signed links in emails (pledge confirmation, managing pledges) expire after this many days.
OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS = int(os.environ.get("OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS", "7"))

# Adult social care records closed this many years ago are erased by `opendeal
# care_housekeeping` (the audit trail is kept, naming only ids). Eight years after the last
# contact is the NHS Records Management Code's period for adult social care records.
OPENDEAL_CARE_RETENTION_YEARS = int(os.environ.get("OPENDEAL_CARE_RETENTION_YEARS", "8"))
# The secret key of the HMAC-SHA256 that turns ids into pseudonyms in the analytics extract.
# Keep it apart from SECRET_KEY and never give it to analysts: with it, pseudonyms can be
# linked back to records. Derived from SECRET_KEY when unset (fine for a laptop only).
OPENDEAL_PSEUDONYMISATION_KEY = os.environ.get(
    "OPENDEAL_PSEUDONYMISATION_KEY", "pseudonyms:" + SECRET_KEY
)

# LOG_FORMAT=json writes one JSON object a line, for a log collector; plain is for people.
# Every line passes through RedactPersonalData first.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "opendeal.core.redaction.RedactPersonalData"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Axes would name the account in its log lines: keep them out.
    "loggers": {"axes": {"level": "WARNING"}},
}
