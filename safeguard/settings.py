"""Safeguard settings: every value comes from the environment, with production-safe defaults.

Production is the default. Developer conveniences (DEBUG, plain HTTP, SQLite, the embedded
Celery broker, email written to files) are switched on by `make run`, which exports the
variables listed in README.md.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SAFEGUARD_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off (see README.md)."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-never-used-in-production-" + "x" * 20

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "safeguard",
    "contacts",
    "cases",
    "referrals",
    "documents",
    "subject_access",
    "dashboards",
    "retention",
    "safeguard.apps.SafeguardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "safeguard.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "safeguard.middleware.PermissionsPolicyMiddleware",
    # WhiteNoise, indexing the static files once a process (safeguard.middleware).
    "safeguard.middleware.StaticFilesMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "safeguard.middleware.UnstorableCharactersMiddleware",
    "safeguard.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safeguard.middleware.MfaRequiredMiddleware",
    "safeguard.middleware.AccessPolicyMiddleware",
    "safeguard.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
WSGI_APPLICATION = "safeguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeguard.context_processors.shell",
            ],
            "string_if_invalid": "",
        },
    }
]

# --- Data ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'safeguard.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles any query its planner costs highly, and the access policy's
    # subqueries cost highly on paper: the overdue view's count spent 0.7 s compiling to run
    # for 0.09 s (make bench). Short interactive queries never repay JIT; switch it off.
    # Parallel workers likewise: starting them cost a lead's home page's counts about a
    # quarter of their time (issue 22), and every page query is answered from indexes.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c max_parallel_workers_per_gather=0"
    )
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # make run, where two people trying the demo at once must not see "database is locked".
    # WAL lets pages read while someone writes. A transaction takes the write lock when it
    # begins (IMMEDIATE), so a second writer waits its turn (up to the timeout, in seconds)
    # instead of failing when its read lock cannot be upgraded, which no timeout can cure.
    # synchronous=NORMAL is WAL's usual setting: a power cut may lose the last commit, never
    # the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """redis://host:port/db (shared by every process: production), file:///path (make run,
    where the web server and worker are separate processes) or locmem:// (tests)."""
    if url.startswith(("redis://", "rediss://")):
        return {
            "BACKEND": "safeguard.cache.RedisCache",
            "LOCATION": url,
            # A Redis that does not answer must not hold a request up for long.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    if url.startswith("file://"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://"),
        }
    if url == "locmem://":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(f"SAFEGUARD_CACHE_URL: unknown kind of cache {url!r}")


# Only allauth uses the cache now: the rate limits not moved to the database (password
# resets, password changes, reauthentication), which refuse while it is down
# (safeguard.cache). Sign-in lockout and second-factor codes are in the database.
CACHES = {
    "default": cache_from_url(os.environ.get("SAFEGUARD_CACHE_URL", "redis://127.0.0.1:6379/1"))
}

AUTH_USER_MODEL = "safeguard.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept so that a hash made by an older setting still verifies (and is upgraded).
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

# --- Locale and time ----------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
NODE_MODULES = BASE_DIR / "node_modules"
# Vendor assets come from npm at install time (package.json pins them); never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    # Both libraries' CSS images under one path, because MOJ Frontend gives GOV.UK Frontend
    # its own images path (static/scss/application.scss).
    (
        "vendor/images",
        NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets" / "images",
    ),
    ("vendor/images", NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets" / "images"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Photos and other files about people: never under STATIC_ROOT or a public URL.
PRIVATE_FILES_DIR = Path(os.environ.get("SAFEGUARD_PRIVATE_FILES_DIR", VAR_DIR / "private"))


def private_storage_from_env(environ=os.environ) -> dict:
    """STORAGES["private"] (safeguard.storage): the local disk at PRIVATE_FILES_DIR, or with
    SAFEGUARD_PRIVATE_STORAGE=s3 an S3-compatible bucket. Credentials are boto3's own chain
    (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the host's role), never a setting."""
    bucket = environ.get("SAFEGUARD_S3_BUCKET", "")
    kind = environ.get("SAFEGUARD_PRIVATE_STORAGE", "") or ("s3" if bucket else "local")
    if kind == "local":
        if bucket:
            # Set for several hosts, but files would stay on each one's disk: say so now.
            raise ImproperlyConfigured(
                "SAFEGUARD_S3_BUCKET is set but SAFEGUARD_PRIVATE_STORAGE is local"
            )
        return {
            "BACKEND": "safeguard.storage.PrivateStorage",
            "OPTIONS": {"location": PRIVATE_FILES_DIR},
        }
    if kind != "s3":
        raise ImproperlyConfigured(f"SAFEGUARD_PRIVATE_STORAGE must be local or s3, not {kind!r}")
    if not bucket:
        raise ImproperlyConfigured("SAFEGUARD_PRIVATE_STORAGE=s3 needs SAFEGUARD_S3_BUCKET")
    kms_key = environ.get("SAFEGUARD_S3_KMS_KEY_ID", "")
    return {
        "BACKEND": "safeguard.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty for AWS itself; the store's address for MinIO, Ceph or another provider.
            "endpoint_url": environ.get("SAFEGUARD_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("SAFEGUARD_S3_REGION") or None,
            # "path" for stores without a DNS name per bucket (MinIO, most on-premises ones).
            "addressing_style": environ.get("SAFEGUARD_S3_ADDRESSING_STYLE") or None,
            "object_parameters": (
                {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key}
                if kms_key
                else {"ServerSideEncryption": "AES256"}
            ),
        },
    }


STORAGES["private"] = private_storage_from_env()
PHOTO_MAX_BYTES = envint("SAFEGUARD_PHOTO_MAX_MB", 8) * 1024 * 1024
# Evidence documents (documents.evidence): the issue's limit, so not from the environment.
EVIDENCE_MAX_BYTES = 25 * 1024 * 1024
# Form fields other than files: files are not counted, so a 25 MB upload reaches its form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Bigger files go to a temporary file, cut one byte past the largest the app takes.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "safeguard.uploads.CappedTemporaryFileUploadHandler",
]

# --- Security -----------------------------------------------------------------------------

# HTTPS is assumed in production; `make run` serves plain HTTP on loopback and turns it off.
HTTPS = envbool("DJANGO_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and envbool("DJANGO_HSTS_PRELOAD", True)
BEHIND_PROXY = envbool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "safeguard.views.csrf_failure"
# A session ends after SAFEGUARD_SESSION_IDLE_MINUTES without a request, and in any case
# SAFEGUARD_SESSION_MAX_AGE seconds after sign-in (safeguard.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = envint("SAFEGUARD_SESSION_MAX_AGE", 12 * 60 * 60)
SESSION_IDLE_TIMEOUT = envint("SAFEGUARD_SESSION_IDLE_MINUTES", 30) * 60
SESSION_IDLE_WARNING = min(120, SESSION_IDLE_TIMEOUT // 2)

# Everything from our own origin; no inline script or style except the nonce'd bootstrap.
# Browser features the product never uses are switched off for every page it serves; only
# security keys and passkeys (WebAuthn, for MFA) are allowed, and only for our own origin.
# Photos are chosen with a plain file input, which needs no camera permission.
PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = {
    "publickey-credentials-create": ("self",),
    "publickey-credentials-get": ("self",),
    **dict.fromkeys(
        [
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "clipboard-read",
            "clipboard-write",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "gamepad",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        ],
        (),
    ),
}

SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Where "Exit this page" sends someone: a neutral site, after their session is ended.
EXIT_PAGE_URL = os.environ.get("SAFEGUARD_EXIT_PAGE_URL", "https://www.bbc.co.uk/weather")
if urlsplit(EXIT_PAGE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured("SAFEGUARD_EXIT_PAGE_URL must be an http(s) address")

# --- Email --------------------------------------------------------------------------------

_email_backend = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
if _email_backend.endswith("filebased.EmailBackend"):
    _email_options: dict = {"file_path": str(VAR_DIR / "mail")}
elif _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 587),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", True),
        "timeout": envint("EMAIL_TIMEOUT", 20),
    }
else:
    _email_options = {}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Safeguard <safeguard@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker `make run` uses: queues are folders under var/, no server needed.
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Longer than any task's retries, so Redis never redelivers a task still being worked on.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The schedule lives here, in code, run by exactly one beat process (no database scheduler).
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {"task": "referrals.tasks.sweep", "schedule": 60.0},
    "manager-digest": {
        "task": "referrals.tasks.manager_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # documents.tasks.documents_expire, registered under its name from before the split.
    "documents-expire": {"task": "referrals.tasks.documents_expire", "schedule": 600.0},
    "documents-requeue": {"task": "documents.tasks.documents_requeue", "schedule": 60.0},
    "subject-access-requeue": {
        "task": "subject_access.tasks.bundles_requeue",
        "schedule": 60.0,
    },
    "rate-limits-prune": {"task": "safeguard.tasks.rate_limits_prune", "schedule": 600.0},
    "submissions-forget": {
        "task": "safeguard.tasks.submissions_forget",
        "schedule": crontab(hour=3, minute=30),
    },
    # Approved disposals whose message was lost (the broker down when a manager approved).
    "disposals-requeue": {"task": "retention.tasks.disposals_requeue", "schedule": 3600.0},
    "drafts-expire": {"task": "retention.tasks.drafts_expire", "schedule": 86400.0},
    # The managers' statistics, counted again (dashboards.kept.REFRESH_SECONDS).
    "statistics-refresh": {"task": "dashboards.tasks.statistics_refresh", "schedule": 300.0},
}
# /health/ (safeguard.health) says the sweep has stopped once its last run is older than this:
# five missed minutes, long enough for one slow sweep, short enough to page someone.
SWEEP_STALE_SECONDS = envint("SAFEGUARD_SWEEP_STALE_SECONDS", 300)
# PDFs (safeguard.pdf, documents.pdfs): a chronology longer than this is prepared by a
# worker, not in the request; a prepared file is deleted this many hours after it is ready.
CHRONOLOGY_INLINE_MAX_ENTRIES = envint("SAFEGUARD_CHRONOLOGY_INLINE_MAX_ENTRIES", 300)
DOCUMENT_KEEP_HOURS = envint("SAFEGUARD_DOCUMENT_KEEP_HOURS", 8)
# Links in emails point here.
SITE_URL = os.environ.get("SAFEGUARD_SITE_URL", "http://127.0.0.1:8000")

# --- Sign-in and MFA (django-allauth) -----------------------------------------------------

# No self-registration: administrators invite users (safeguard.adapters.AccountAdapter).
ACCOUNT_ADAPTER = "safeguard.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "safeguard.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Safeguard: "
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Lockout: 5 failed sign-ins to one account lock it for 15 minutes; 30 attempts a minute
# from one address are refused whatever the account. The admin sign-in goes through the same
# form. Counted in PostgreSQL (safeguard.ratelimits), not in allauth's cache, so that sign-in
# works and stays limited while Redis is down: allauth's own "login" and "login_failed"
# limits are switched off ("login_failed" also limited second-factor codes; so do
# safeguard.forms' MFA forms, in the database).
SIGN_IN_LOCKOUT = os.environ.get("SAFEGUARD_LOCKOUT", "30/m/ip,5/15m/key")
ACCOUNT_RATE_LIMITS = {
    "login": "",
    "login_failed": "",
    "reset_password": "5/m/ip,3/10m/key",
}
MFA_ADAPTER = "safeguard.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "safeguard.forms.SecondFactorForm",
    "reauthenticate": "safeguard.forms.SecondFactorReauthenticateForm",
    "activate_totp": "safeguard.forms.ActivateAuthenticatorAppForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Safeguard"
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn over plain HTTP is allowed on localhost only, for `make run`.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG and not HTTPS
USERSESSIONS_TRACK_ACTIVITY = False

# Timer lengths are organisation settings (safeguard.OrganisationSettings), never environment
# variables: one source, which the deadline rows and every page read.

# --- Contacts directory ---------------------------------------------------------------------

# A directory entry not checked for this long is flagged to administrators.
CONTACT_VERIFY_AFTER_DAYS = envint("SAFEGUARD_CONTACT_VERIFY_MONTHS", 12) * 365 // 12

# --- Forms and logging --------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Log lines carry ids and events, never a person's details; see README "Personal data".
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each rendering step at INFO: noise in every log.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
