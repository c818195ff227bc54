"""Django settings of the web application, from the environment ``regkit serve`` prepares
(see ``regkit.web.config``). Nothing secret is in here: the key is made in the data folder."""

from __future__ import annotations

import os
import secrets

from .config import ENV_EPHEMERAL, ENV_HOSTS, ENV_SECURE, from_environment, secret_key
from .dburl import database_settings
from .paths import web_templates

_CONFIG = from_environment()

# A command that only reads the records (check --database) signs nothing: it gets a throw-away key.
SECRET_KEY = secrets.token_urlsafe(64) if os.environ.get(ENV_EPHEMERAL) == "1" else secret_key(_CONFIG.data_dir)
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get(ENV_HOSTS, "localhost,127.0.0.1,[::1],testserver").split(",") if h]
REGKIT = _CONFIG

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "regkit.web.apps.WebConfig",
]

MIDDLEWARE = [
    "regkit.web.security.SecurityHeadersMiddleware",
    "regkit.web.security.RequestLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "regkit.web.sessions.SessionUserMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "regkit.web.urls"
WSGI_APPLICATION = "regkit.web.wsgi.application"

_TEMPLATES_DIR = web_templates(_CONFIG.templates)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [str(_TEMPLATES_DIR)],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "regkit.web.jinja.environment", "autoescape": True},
    },
]

DATABASES = {"default": database_settings(_CONFIG.database, _CONFIG.data_dir)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"

# Sessions live in the database: application processes keep no state, so several run behind a
# load balancer on one PostgreSQL. Each session row names its user, read with it in one query.
SESSION_ENGINE = "regkit.web.sessions"
AUTHENTICATION_BACKENDS = ["regkit.web.sessions.SessionUserBackend"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
_SECURE = os.environ.get(ENV_SECURE, "") == "1"
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _SECURE:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request limits: a body over 2 MiB or more than 2000 fields is refused with 400 by Django itself;
# RequestLimitMiddleware adds the per-field size (413) and duplicate field names (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 << 20
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 << 20
REGKIT_MAX_FIELD_CHARS = 10_000
REGKIT_MAX_UPLOAD_BYTES = 5 << 20

STATIC_URL = "/static/"
STATICFILES_DIRS = [str(_TEMPLATES_DIR / "static")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = os.environ.get("REGKIT_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
