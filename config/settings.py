"""Settings, read from the environment and nothing else.

With no variables set the app runs on the embedded default: SQLite in var/, Celery tasks
run in-process (eager), e-mail printed on the console, DEBUG on. Production sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL; a value that cannot
be parsed stops the start with ImproperlyConfigured instead of being guessed.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    # Only ever used with DEBUG on: the embedded default for `make run` and the tests.
    SECRET_KEY = "insecure-development-key-" + "x" * 40
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "simple_history",
    "django_celery_results",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "programme",
    "calls",
    "projects",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "programme.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads the body: refuse an oversized upload from its Content-Length,
    # then remove NUL and other control characters from every query and form value.
    "programme.middleware.UploadSizeMiddleware",
    "programme.middleware.ControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "programme.context_processors.roles",
            ],
        },
    }
]

# --- Database: PostgreSQL from DATABASE_URL, else SQLite (embedded default) -------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "programme.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # allauth's backend is Django's ModelBackend that also takes an e-mail address.
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Accounts (django-allauth: sign-up, verification, reset, e-mail change, 2FA) ----------
# Settings of the installed version (65.x); see README "Accounts and two-factor login".
ACCOUNT_ADAPTER = "programme.accounts.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "programme.forms.SignupForm"
ACCOUNT_FORMS = {"login": "programme.accounts.LoginForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True  # one address a person; a change is verified before it counts
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and reset answer the same for known and unknown addresses (the mail differs).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ICON] "
# Failed logins: 5 per account (e-mail address) in 5 minutes, 10 a minute per IP address;
# reset and sign-up limited per address and per IP (allauth's cache-based rate limits).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/180s/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ICON"
# Roles that reach confidential proposals, decisions or reports: no page but enrolment,
# logout and static files until the session was opened with a second factor
# (programme.middleware.SecondFactorRequiredMiddleware).
MFA_REQUIRED_ROLES = [
    "staff",
    "council",
    "expert",
    "steering",
    "programme_manager",
    "administrator",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time -------------------------------------------------------------------
LANGUAGE_CODE = "nl"  # Flemish users first; English by the switch in the header
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"  # display zone; the database stores UTC (USE_TZ)
USE_TZ = True

# --- Static and media --------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files live outside the web root and are only served through views that check
# permissions; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
WHITENOISE_USE_FINDERS = DEBUG  # the embedded default serves static files without collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Uploads: checked by programme.uploads; the body limit by programme.middleware ------
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # form fields without files (Django's default)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files go to a temporary file
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Celery ------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None  # embedded default: run tasks in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A broker that cannot be reached must not hold a request for long: the state change is
# committed and its follow-up work waits in the outbox (programme.services.outbox_enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Stuck work: the longest task is the call evaluation report of a 300-application call
# (57 s in `make bench`). A task is stopped after 270 s (soft limit 240 s: the report
# fails with its reason); a message whose worker died is redelivered by Redis after the
# visibility timeout (5 min), and earlier by the sweep once the report's lease expires
# (governance.reports.services.REPORT_LEASE).
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 270
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE: dict = {
    # calls: the deadline is also checked at every write (calls.domain.accepts_submissions);
    # closing by beat only makes the state visible.
    "calls-close-at-deadline": {"task": "calls.tasks.close_calls_at_deadline", "schedule": 60.0},
    "calls-deadline-reminders": {
        "task": "calls.tasks.send_deadline_reminders",
        "schedule": 15 * 60.0,
    },
    # programme: the outbox rows the broker or the mail server did not take in time.
    "programme-sweep-outbox": {"task": "programme.tasks.sweep_outbox", "schedule": 60.0},
    # governance.reports: a report whose worker died is made again once its lease expired.
    "governance-recover-stuck-reports": {
        "task": "governance.reports.tasks.recover_stuck_reports",
        "schedule": 60.0,
    },
    "governance-review-reminders": {
        "task": "governance.review.tasks.send_review_reminders",
        "schedule": 15 * 60.0,
    },
    # funding: a funded decision not declined within its month becomes a project.
    "governance-open-funded-projects": {
        "task": "governance.funding.tasks.open_funded_projects",
        "schedule": 60 * 60.0,
    },
}

# --- Cache: the login rate limits count here ----------------------------------------------
# Production (DEBUG off with a Redis broker) shares the counters between the gunicorn
# workers in Redis; the embedded default and the tests count per process.
if REDIS_URL and not DEBUG:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "icon-cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail: SMTP in production (EMAIL_HOST, default localhost); console in DEBUG -------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST or "localhost",
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST  # only MAILERS configures mail (EMAIL_* settings are deprecated in 6.1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ICON PM <noreply@icon-pm.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Forms -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security: production (DEBUG off) passes `manage.py check --deploy` ----------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (Django's own middleware), enforced on every response: scripts
# and styles only from our static files — no inline script, no style="" attribute, no
# eval (htmx is configured for it in base.html: no indicator styles, no eval) — nothing
# from other hosts. Bootstrap draws a few icons as data: SVG in its CSS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
