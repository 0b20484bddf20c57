"""Jiance settings: one file, typed environment helpers, SQLite by default.

Production sets JIANCE_ENV=production, DATABASE_URL, JIANCE_SECRET_KEY, JIANCE_FIELD_KEY and
JIANCE_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


PRODUCTION = env_str("JIANCE_ENV") == "production"
DEBUG = env_bool("JIANCE_DEBUG", default=not PRODUCTION)

# Development keys are fixed so the demo works out of the box; production must set its own.
SECRET_KEY = env_str("JIANCE_SECRET_KEY", "" if PRODUCTION else "dev-only-insecure-key-" + "x" * 40)
# Key for national ID numbers at rest (Fernet, urlsafe base64 of 32 bytes) and their blind index.
FIELD_ENCRYPTION_KEY = env_str(
    "JIANCE_FIELD_KEY", "" if PRODUCTION else "ZGV2LW9ubHktZmllbGQta2V5LWZvci1qaWFuY2UtMDE="
)
if PRODUCTION and (not SECRET_KEY or not FIELD_ENCRYPTION_KEY):
    raise RuntimeError("JIANCE_SECRET_KEY and JIANCE_FIELD_KEY must be set in production")

ALLOWED_HOSTS = env_list("JIANCE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jiance.accounts",
    "jiance.jobs",
    "jiance.units",
    "jiance.cycles",
    "jiance.audit",
    "jiance.review",
    "jiance.windows",
    "jiance.web",
    "jiance.reporting",
    "jiance.sampling",
    "jiance.rosters",
    "jiance.testday",
    "jiance.aftertest",
    "jiance.staffing",
    "jiance.notifications",
    "jiance.milestones",
    "jiance.documents",
    "jiance.custody",
    "jiance.proctoring",
    "jiance.incidents",
    "jiance.questionnaires",
    "jiance.cbt",
    "jiance.recordings",
    "jiance.live",
    "jiance.analysis",
    "jiance.fieldtest",
]

MIDDLEWARE = [
    "jiance.requestlog.RequestLogMiddleware",  # first: it times everything below it
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiance.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiance.accounts.middleware.PasswordChangeRequiredMiddleware",
    "jiance.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiance.urls"
WSGI_APPLICATION = "jiance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiance" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiance.web.context.navigation",
                "jiance.web.context.server_time",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'jiance.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _default_sqlite, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif PRODUCTION and env_bool("JIANCE_DB_POOL", True):
    # Django's connection pool (psycopg_pool) per process: a request takes a connection and gives
    # it back, no connect per request; the pool replaces persistent connections (CONN_MAX_AGE 0).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("JIANCE_DB_POOL_MIN", 2),
        "max_size": env_int("JIANCE_DB_POOL_MAX", 10),
        "timeout": env_int("JIANCE_DB_POOL_TIMEOUT", 10),
    }
# A read replica (JIANCE_READ_REPLICA_URL, a streaming replica of the same PostgreSQL): the alias
# "replica", read only inside `jiance.replica.reads()` — the figures of the live progress pages
# and of the questionnaire progress pages — never for a write, inside a transaction, or for
# accounts, roles and sessions (`jiance.replica.ReplicaRouter`). Unset: every query goes to
# "default", as before. Its tests run it as a mirror of the test database.
_replica_url = env_str("JIANCE_READ_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=int(DATABASES["default"]["CONN_MAX_AGE"] or 0))
    DATABASES["replica"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}),
                                       **DATABASES["replica"].get("OPTIONS", {})}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jiance.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jiance.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jiance.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after 5 failures by username + IP: a whole school shares one address, so never IP alone.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Idle timeout: 30 minutes, renewed by every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("JIANCE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("JIANCE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("JIANCE_CSRF_TRUSTED_ORIGINS")
    # The proxy and the load balancer ask for these over plain HTTP on the inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    # Static files from the web process itself (no CDN: schools are behind the national network):
    # compressed, with hashed names cached for a year; `jiance serve --production` collects them.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
    # (STORAGES["staticfiles"] below.)

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jiance" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("JIANCE_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "jiance" / "static"]
MEDIA_ROOT = Path(env_str("JIANCE_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Files kept outside the database (`jiance.files`: recordings, unit imports awaiting confirmation)
# go through one named storage, "uploads": a folder, JIANCE_MEDIA_ROOT (shared by several web
# servers as a mounted volume), or with JIANCE_S3_BUCKET an S3-compatible bucket (MinIO with
# JIANCE_S3_ENDPOINT_URL). The bucket stays private: files leave only through the platform's
# permission-checked views, never by a bucket URL. See docs/deployment.md.
JIANCE_S3_BUCKET = env_str("JIANCE_S3_BUCKET")
_s3_endpoint = env_str("JIANCE_S3_ENDPOINT_URL")
_uploads: dict[str, object] = {"BACKEND": "jiance.files.AtomicFileSystemStorage"}  # on MEDIA_ROOT
if JIANCE_S3_BUCKET:
    _uploads = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": JIANCE_S3_BUCKET,
        "endpoint_url": _s3_endpoint or None,
        "access_key": env_str("JIANCE_S3_ACCESS_KEY") or None,  # unset: boto3's own (instance role, env)
        "secret_key": env_str("JIANCE_S3_SECRET_KEY") or None,
        "region_name": env_str("JIANCE_S3_REGION") or None,
        "location": env_str("JIANCE_S3_PREFIX"),  # a folder inside the bucket ("" the whole bucket)
        # MinIO and most private S3 servers want path-style URLs (http://minio:9000/bucket/key)
        "addressing_style": env_str("JIANCE_S3_ADDRESSING_STYLE", "path" if _s3_endpoint else "") or None,
        "signature_version": "s3v4",
        "verify": env_str("JIANCE_S3_CA_BUNDLE") or None,  # a private CA's certificate file
        "default_acl": None,  # private objects: the bucket's own policy, never public-read
        "querystring_auth": True,  # url() would be signed and short-lived; the platform never hands one out
        "file_overwrite": True,  # names are the platform's own (ids, tokens, hashes)
    }}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Static files from the web process itself in production (whitenoise, see above).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "uploads": _uploads,
}
# Uploaded files kept for previews and rejected-rows downloads hold personal data: `jiance
# purge-uploads` (run daily) deletes those older than this many days.
UPLOAD_KEEP_DAYS = env_int("JIANCE_UPLOAD_KEEP_DAYS", 14)
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# An implementation document's file (scan, document, photo): refused above this size.
JIANCE_DOCUMENT_MAX_MB = env_int("JIANCE_DOCUMENT_MAX_MB", 20)

# Where notifications go besides the in-app list (jiance.notifications.senders): dotted paths of
# sender classes, e.g. "jiance.notifications.senders.EmailSender" (Django's EMAIL_* settings).
JIANCE_NOTIFY_SENDERS = env_list("JIANCE_NOTIFY_SENDERS", "jiance.notifications.senders.LoggingSender")
JIANCE_SITE_URL = env_str("JIANCE_SITE_URL", "")  # the links in e-mails
# The moment the clock starts at (jiance.clock): the test-day demo only, never in production.
JIANCE_NOW = env_str("JIANCE_NOW", "")
if PRODUCTION and JIANCE_NOW:
    raise RuntimeError("JIANCE_NOW moves the clock: it is for the demo, never for production")
JIANCE_MILESTONE_ATTACHMENT_MB = env_int("JIANCE_MILESTONE_ATTACHMENT_MB", 10)  # evidence of a task done by hand

# The cache (the live progress figures, `jiance.live.figures`): per process in development and
# tests; production sets JIANCE_CACHE_URL=redis://127.0.0.1:6379/1 so every worker shares it.
_cache_url = env_str("JIANCE_CACHE_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
    if _cache_url.startswith(("redis://", "rediss://", "unix://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jiance"},
}
# Sessions: in the database by default (every web process shares it). JIANCE_SESSION_ENGINE=cache
# keeps them in the cache instead (Redis: JIANCE_CACHE_URL, or JIANCE_SESSION_CACHE_URL for a Redis
# of their own that never evicts them); "cached_db" reads them from the cache and writes both.
_session_engines = {"db": "db", "cache": "cache", "cached_db": "cached_db"}
_session_engine = env_str("JIANCE_SESSION_ENGINE", "db")
if _session_engine not in _session_engines:
    raise RuntimeError(f"JIANCE_SESSION_ENGINE must be one of {', '.join(_session_engines)}, not {_session_engine!r}")
SESSION_ENGINE = f"django.contrib.sessions.backends.{_session_engines[_session_engine]}"
_session_cache_url = env_str("JIANCE_SESSION_CACHE_URL")
if _session_cache_url:
    CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _session_cache_url}
SESSION_CACHE_ALIAS = "sessions" if _session_cache_url else "default"
if PRODUCTION and _session_engine != "db" and CACHES[SESSION_CACHE_ALIAS]["BACKEND"].endswith("LocMemCache"):
    # a per-process cache: a person would be logged out whenever another worker answered
    raise RuntimeError("JIANCE_SESSION_ENGINE=cache needs a shared cache: set JIANCE_CACHE_URL (Redis)")

# The live progress pages: how long computed figures are kept at most (a change an app reports
# through `apps_registry.progress_changed()` shows at once), and how often the page polls.
JIANCE_LIVE_TTL = env_int("JIANCE_LIVE_TTL", 15)
JIANCE_LIVE_POLL_SECONDS = float(env_str("JIANCE_LIVE_POLL_SECONDS", "15"))

# Background jobs (`jiance.jobs`, Django's task API through django-tasks). The embedded default
# keeps the queue in the database (django-tasks-db; `jiance worker` runs it). With
# JIANCE_TASKS_BACKEND=redis://host:6379/2 the same tasks go to RQ on Redis (django-tasks-rq;
# `jiance worker` then runs RQ's worker). No task changes between the two.
_tasks_url = env_str("JIANCE_TASKS_BACKEND")
JIANCE_JOB_TIMEOUT = env_int("JIANCE_JOB_TIMEOUT", 3600)  # RQ kills a job running longer (seconds)
if _tasks_url.startswith(("redis://", "rediss://", "unix://")):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": _tasks_url, "DEFAULT_TIMEOUT": JIANCE_JOB_TIMEOUT}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JIANCE_JOB_HEARTBEAT_SECONDS = float(env_str("JIANCE_JOB_HEARTBEAT_SECONDS", "30"))
JIANCE_JOB_STALE_SECONDS = env_int("JIANCE_JOB_STALE_SECONDS", 180)  # no beat for this long: the worker died
JIANCE_JOB_AUTO_ATTEMPTS = env_int("JIANCE_JOB_AUTO_ATTEMPTS", 2)  # runs before a dead worker's job is failed
JIANCE_JOB_POLL_SECONDS = float(env_str("JIANCE_JOB_POLL_SECONDS", "2"))  # the jobs page while one runs
# Below these sizes an export or a draw is made in the request, as before; above, it is a job.
JIANCE_SYNC_EXPORT_ROWS = env_int("JIANCE_SYNC_EXPORT_ROWS", 5000)

# Logs go to standard error (systemd's journal, docker's log): JSON lines in production, one line
# per request from `jiance.requestlog` (info; a request slower than JIANCE_SLOW_REQUEST_MS or a
# 5xx as a warning). Development shows only warnings: the slow requests and the errors.
JIANCE_SLOW_REQUEST_MS = env_int("JIANCE_SLOW_REQUEST_MS", 1000)
_LOG_JSON = env_str("JIANCE_LOG_FORMAT", "json" if PRODUCTION else "text") == "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "jiance.requestlog.JsonFormatter"},
                   "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if _LOG_JSON else "text"}},
    "root": {"handlers": ["console"], "level": env_str("JIANCE_LOG_LEVEL", "WARNING")},
    "loggers": {
        "jiance.request": {"level": env_str("JIANCE_REQUEST_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
    },
}

# Spreadsheet uploads (`jiance_core.sheets`, built per import kind by `jiance.spreadsheets.sheet_limits`):
# data rows, columns and characters per cell of each kind, and caps of the archive itself. The upload
# forms cap the compressed size; these cap what it unpacks to, so a small file cannot exhaust memory.
JIANCE_SHEET_LIMITS = {
    "units": {"rows": 50_000, "columns": 40, "cell_chars": 1_000},
    "frame": {"rows": 5_000, "columns": 80, "cell_chars": 1_000},
    "students": {"rows": 100_000, "columns": 40, "cell_chars": 1_000},
    "teachers": {"rows": 5_000, "columns": 30, "cell_chars": 1_000},
    "aftertest": {"rows": 5_000, "columns": 30, "cell_chars": 1_000},
    "xlsform": {"rows": 3_000, "columns": 60, "cell_chars": 2_000},  # a questionnaire (XLSForm), per sheet
}
JIANCE_SHEET_TEXT_CHARS = env_int("JIANCE_SHEET_TEXT_CHARS", 50_000_000)  # all cells' text together
JIANCE_SHEET_UNPACKED_MB = env_int("JIANCE_SHEET_UNPACKED_MB", 320)  # every part of the archive together
JIANCE_SHEET_MAX_RATIO = env_int("JIANCE_SHEET_MAX_RATIO", 200)  # unpacked / packed size of a part
JIANCE_SHEET_MAX_ENTRIES = env_int("JIANCE_SHEET_MAX_ENTRIES", 500)  # parts in the archive
