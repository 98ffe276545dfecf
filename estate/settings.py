"""Jiayuan settings: one file, configured by the environment.

Production differs from development only by environment variables; see README.md.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-never-use-in-production-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Behind a TLS-terminating reverse proxy (see README): trust its X-Forwarded-Proto, and its X-Real-IP
# for the visitor's address; otherwise every visitor would share the proxy's address, and so one
# another's login rate limits. Unset (None) is neither: a login that evidently came through a proxy is
# then refused with a message naming this setting, rather than sharing one limit silently
# (accounts.adapter; docs/ARCHITECTURE.md, "Login limits"). false: no proxy, trust no header.
BEHIND_PROXY = env_bool("BEHIND_PROXY", None)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"

SITE_NAME = env_str("SITE_NAME", "幸福家园小区")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "estate",
    "accounts",
    "ledger",
    "bank",
    "repairs",
    "keys",
    "decisions",
    "committee",
    "voice",
    "budgeting",
    "care",
    "messaging",
    "chasing",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tables2",
    "django_filters",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # private, no-store on everything but content fixed by a SHA-256 (estate/caching.py)
    "estate.caching.PrivateByDefaultMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "estate.urls"
# Error pages in the site's layout and language (estate/errors.py; the other handlers are in estate/urls.py).
CSRF_FAILURE_VIEW = "estate.errors.csrf_failure"
WSGI_APPLICATION = "estate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "estate.context_processors.site",
                "messaging.context_processors.inbox",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# Unset DATABASE_URL: an SQLite file under var/, to try the app out.
_sqlite_default = f"sqlite:///{BASE_DIR / 'var' / 'jiayuan.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _sqlite_default,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env_str("DATABASE_URL"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let gunicorn workers share the file without "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / "var" / "test.sqlite3"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions and rate limits live in the database so that several gunicorn
# workers (or machines) share them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jiayuan_cache",
    },
    # Figures computed once per state of the books (estate/cached.py), shared by every worker. A table of their own:
    # when a cache holds more than MAX_ENTRIES it deletes its lowest keys, and in "default" those are the login
    # limits' counters. A few dozen live figures per state at 56 households; room for a large estate's.
    "figures": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jiayuan_figures",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    # Pieces of page that follow from the code alone (the menu for a kind of user on a page, in a
    # language): each process renders each once and keeps it; nothing in it outlives a deploy.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Long lists kept whole under the tokens the database changes with their rows (estate/cached.py):
    # 30-60 kB each, so fewer of them, lest a walk through every sort and filter fill a worker's memory.
    "lists": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "lists",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
    # The dashboard's panels and keys' stories, kept as HTML per viewer under the same tokens (estate/panels.py):
    # 1-3 kB each, about ten a person.
    "panels": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "panels",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# Database sessions, read with one prepared statement (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, loading the person with their inbox's unread count (messaging/backends.py).
AUTHENTICATION_BACKENDS = [
    "messaging.backends.ModelBackend",
    "messaging.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "estate:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
# E-mail is optional: many residents have none. New accounts come from invitations only.
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
# Failed logins (docs/ARCHITECTURE.md, "Login limits"): per address, across every login name tried from it
# ("ip"), and per (login name, address) pair ("key", see accounts.adapter). Nothing counts per login name
# alone, so nobody can lock someone else's account; a successful login takes back its own attempt.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,60/h/ip,5/5m/key,20/h/key",
    "login": "30/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_TOTP_ISSUER = "Jiayuan"

# Idle sessions end after two hours; using one renews the clock (accounts.middleware.SessionRenewalMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 2 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
# Cookies travel over HTTPS only; `make run` on plain http://127.0.0.1 turns this off.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True

# --- Security headers -------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing is loaded from elsewhere; the little JavaScript there is carries a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Mail -------------------------------------------------------------------
# Unset EMAIL_HOST: mail is printed to the console (development).
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jiayuan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = env_list("ADMINS")

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files and uploads -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Uploads are never served as static files: only through permission-checked views. They live on this machine's
# disk under MEDIA_ROOT, or, with S3_BUCKET set, in a private S3-compatible bucket (Aliyun OSS, Tencent COS,
# MinIO, AWS) that every app server shares (README, "Two app servers"). Code reaches them only through
# django.core.files.storage.default_storage, never by a path.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _uploads = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "region_name": env_str("S3_REGION") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID"),
        "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
        "location": env_str("S3_PREFIX"),
        # Aliyun OSS answers virtual-hosted requests only; MinIO usually path-style ones.
        "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        # The bucket stays private: the app reads each file and serves it after checking who asks.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }}
else:
    _uploads = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _uploads,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Background work ----------------------------------------------------------
# Django's tasks framework with a database-backed queue: a task enqueued inside a transaction is a row written
# with it, so it exists exactly when the change that asked for it does. `manage.py db_worker` runs them;
# `manage.py run_scheduled` (cron or a systemd timer) enqueues what is due. See docs/ARCHITECTURE.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Key custody (keys/) ----------------------------------------------------
# A key out of the cabinet longer than this is overdue; the witness must confirm within the window.
KEYS_OVERDUE_HOURS = env_int("KEYS_OVERDUE_HOURS", 4)
KEYS_CONFIRM_MINUTES = env_int("KEYS_CONFIRM_MINUTES", 15)
if KEYS_OVERDUE_HOURS < 1 or KEYS_CONFIRM_MINUTES < 1:
    raise ImproperlyConfigured("KEYS_OVERDUE_HOURS and KEYS_CONFIRM_MINUTES must be at least 1.")

DJANGO_TABLES2_TEMPLATE = "_table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # weasyprint narrates every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- Ledger -----------------------------------------------------------------
def env_money(name, default):
    value = os.environ.get(name) or default
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise ImproperlyConfigured(f"{name} must be an amount like 500.00, not {value!r}") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ImproperlyConfigured(f"{name} must be a positive amount with at most two decimals, not {value!r}")
    return amount.quantize(Decimal("0.01"))


# Spending at or above this needs two approvals by two committee members, neither the one who entered it.
LEDGER_APPROVAL_THRESHOLD = env_money("LEDGER_APPROVAL_THRESHOLD", "500.00")
# A single expense at or above this cites a passed owners' decision (ledger.citations); separate from the above.
LEDGER_DECISION_LIMIT = env_money("LEDGER_DECISION_LIMIT", "10000.00")
# The largest single payment, income or expense the forms accept: a guard against typos, not a policy.
LEDGER_MAX_AMOUNT = env_money("LEDGER_MAX_AMOUNT", "1000000.00")
# The day of the month by which a month's fee is to be paid; unpaid after it, it counts as arrears.
LEDGER_BILL_DUE_DAY = env_int("LEDGER_BILL_DUE_DAY", 15)
if not 1 <= LEDGER_BILL_DUE_DAY <= 28:
    raise ImproperlyConfigured(f"LEDGER_BILL_DUE_DAY must be a day from 1 to 28, not {LEDGER_BILL_DUE_DAY}")
# How many days the monthly accounts notice hangs on the board (printed on it as the posting period).
NOTICE_POSTING_DAYS = env_int("NOTICE_POSTING_DAYS", 15)


# --- Care and messages (docs/ARCHITECTURE.md, "Care and messages") ------------
# Minutes between the steps of a missed check's alert: buddy, backup, building head, committee and family.
CARE_ESCALATE_MINUTES = env_int("CARE_ESCALATE_MINUTES", 30)
# A delivery is tried this many times, waiting MESSAGES_RETRY_SECONDS × 2^(attempt-1) between tries.
MESSAGES_MAX_ATTEMPTS = env_int("MESSAGES_MAX_ATTEMPTS", 5)
MESSAGES_RETRY_SECONDS = env_int("MESSAGES_RETRY_SECONDS", 60)
# Seconds an SMS provider or group robot has to answer.
MESSAGES_TIMEOUT = env_int("MESSAGES_TIMEOUT", 10)
if CARE_ESCALATE_MINUTES < 1 or MESSAGES_MAX_ATTEMPTS < 1 or MESSAGES_TIMEOUT < 1:
    raise ImproperlyConfigured("CARE_ESCALATE_MINUTES, MESSAGES_MAX_ATTEMPTS and MESSAGES_TIMEOUT must be at least 1.")
# SMS through the estate's own provider account; unset SMS_PROVIDER: no SMS.
SMS_PROVIDER = env_str("SMS_PROVIDER").lower()
if SMS_PROVIDER not in ("", "aliyun", "tencent"):
    raise ImproperlyConfigured(f"SMS_PROVIDER must be aliyun or tencent, not {SMS_PROVIDER!r}")
SMS_ACCESS_KEY_ID = env_str("SMS_ACCESS_KEY_ID")
SMS_ACCESS_KEY_SECRET = env_str("SMS_ACCESS_KEY_SECRET")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME")
SMS_TEMPLATE = env_str("SMS_TEMPLATE")
SMS_SDK_APP_ID = env_str("SMS_SDK_APP_ID")  # Tencent Cloud only
SMS_REGION = env_str("SMS_REGION")
SMS_ENDPOINT = env_str("SMS_ENDPOINT")  # the provider's own by default
if SMS_PROVIDER and not (SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET and SMS_SIGN_NAME and SMS_TEMPLATE):
    raise ImproperlyConfigured(
        "SMS_PROVIDER needs SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME and SMS_TEMPLATE.")
if SMS_PROVIDER == "tencent" and not SMS_SDK_APP_ID:
    raise ImproperlyConfigured("SMS_PROVIDER=tencent needs SMS_SDK_APP_ID.")
# Group robots (WeCom, DingTalk or Feishu) by webhook URL: the committee's group, and each building's.
ROBOT_COMMITTEE_URL = env_str("ROBOT_COMMITTEE_URL")
ROBOT_BUILDING_URLS = {}
for _item in env_list("ROBOT_BUILDING_URLS"):
    _code, _sep, _url = _item.partition("=")
    if not (_sep and _code.strip() and _url.strip()):
        raise ImproperlyConfigured(f"ROBOT_BUILDING_URLS takes 1=https://…,2=https://…, not {_item!r}")
    ROBOT_BUILDING_URLS[_code.strip()] = _url.strip()
