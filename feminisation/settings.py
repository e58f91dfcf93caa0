"""Settings for Mixité Industrie.

One module, configured from the environment (and an optional `.env` file beside
`manage.py`). Every value is parsed strictly: a malformed one stops start-up with
a message that names the variable.
"""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from corsheaders.defaults import default_headers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    env.read_env(ENV_FILE)


def _invalid(name, reason):
    return ImproperlyConfigured(f"Variable d'environnement {name} invalide : {reason}")


def _read(name, parse, **kwargs):
    try:
        return parse(name, **kwargs)
    except (ValueError, ImproperlyConfigured) as error:
        raise _invalid(name, error) from error


def _bool(name, default):
    # env.bool() reads any unknown word as False; a typo must not turn DEBUG off silently.
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on", "vrai", "oui"}:
        return True
    if raw in {"0", "false", "no", "off", "faux", "non", ""}:
        return False
    raise _invalid(name, f"« {raw} » n'est pas un booléen (true ou false).")


def _int(name, default, minimum=0):
    value = _read(name, env.int, default=default)
    if value < minimum:
        raise _invalid(name, f"« {value} » est inférieur au minimum, {minimum}.")
    return value


def _choice(name, default, choices):
    """One of `choices` (upper-case words), whatever the case it is written in."""
    value = env.str(name, default=default).strip().upper()
    if value not in choices:
        raise _invalid(name, f"« {value} » n'est pas l'une des valeurs {', '.join(choices)}.")
    return value


def _text(name):
    """A free text shown to visitors; empty when the variable is unset."""
    return env.str(name, default="").strip()


def _phone(name):
    phone = _text(name)
    if phone and not re.fullmatch(r"\+?[0-9][0-9 .()-]{3,}", phone):
        raise _invalid(name, f"« {phone} » n'est pas un numéro de téléphone.")
    return phone


def _web_address(name):
    url = _text(name)
    try:
        if url:
            URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise _invalid(name, f"« {url} » n'est pas une adresse https://….") from error
    return url


def _site_url(name, default):
    """The site's public address, scheme and host only (no trailing slash): links in
    e-mails are built from it, since a reminder sent by cron has no request."""
    url = env.str(name, default=default).strip().rstrip("/")
    if not url:
        raise ImproperlyConfigured(
            f"{name} est obligatoire quand DEBUG est désactivé : l'adresse publique du site, "
            "par exemple https://mixite.exemple.fr (les liens des courriels en partent)."
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise _invalid(name, f"« {url} » n'est pas une adresse https://….") from error
    if urlsplit(url)[2:] != ("", "", ""):
        raise _invalid(
            name, f"« {url} » doit être l'adresse du site seule, sans chemin ni paramètre."
        )
    return url


def _rate(name, default):
    """A request rate as Django REST framework reads it: « 120/minute »."""
    rate = env.str(name, default=default).strip()
    if not re.fullmatch(r"[1-9][0-9]{0,6}/(second|minute|hour|day)", rate):
        raise _invalid(
            name,
            f"« {rate} » n'est pas un débit : un nombre, « / » et second, minute, hour ou day.",
        )
    return rate


def _database(name, default):
    url = env.str(name, default=default)
    scheme = url.partition("://")[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise _invalid(name, "une URL sqlite:///… ou postgres://… est attendue.")
    return env.db_url_config(url)


def _proxy_ssl_header(name, default):
    """The header by which the HTTPS proxy says the visitor's request was HTTPS, as
    Django's (META key, value) pair; empty when the application faces no proxy."""
    header = env.str(name, default=default).strip()
    if not header:
        return None
    if not all(char.isalnum() or char == "-" for char in header):
        raise _invalid(name, f"« {header} » n'est pas un nom d'en-tête HTTP.")
    return ("HTTP_" + header.upper().replace("-", "_"), "https")


# The criteria of Django's own `check --deploy` (security.W009), enforced at start-up.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5


def _secret_key_weakness(key):
    if key.startswith("django-insecure-"):
        return "c'est une clé de développement générée par Django (« django-insecure-… »)."
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"elle compte {len(key)} caractères, il en faut au moins {SECRET_KEY_MIN_LENGTH}."
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"elle compte trop peu de caractères différents ({len(set(key))}), il en faut au "
            f"moins {SECRET_KEY_MIN_UNIQUE_CHARACTERS}."
        )
    return None


DEBUG = _bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire quand DEBUG est désactivé : définissez la variable "
            "d'environnement SECRET_KEY (une longue chaîne aléatoire, gardée secrète)."
        )
    if weakness := _secret_key_weakness(SECRET_KEY):
        raise ImproperlyConfigured(
            f"SECRET_KEY est trop faible pour la production : {weakness} Générez-en une avec "
            "« python3 -c 'import secrets; print(secrets.token_urlsafe(50))' »."
        )
elif not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, default=["127.0.0.1", "localhost"])
# Only needed when the proxy changes the Host header: https://nom-public, comma-separated.
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, default=[])

INSTALLED_APPS = [
    "feminisation.apps.GuardedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "csp",
    "corsheaders",
    # Not rest_framework: see api/french.py.
    "drf_spectacular",
    "partners",
    "geography",
    "territories",
    "accounts",
    "initiatives",
    "indicators",
    "api",
]

MIDDLEWARE = [
    # First: a load balancer probes /sante/ by the server's address and in plain HTTP,
    # which the host validation and the HTTPS redirect below would refuse.
    "feminisation.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before any middleware that may answer: a refusal from the API carries the
    # CORS headers too, so that a browser script can read why.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "feminisation.middleware.PermissionsPolicyMiddleware",
    "feminisation.middleware.DatabaseUnavailableMiddleware",
    # Below every middleware that redirects or sets a security header, above the
    # sessions and everything else a cached public page does not need.
    "feminisation.middleware.PublicPageMiddleware",
    # Below the cache (a kept page needs no territory), above everything that reads
    # the path or reverses a URL: /territoires/<slug>/ becomes the script prefix.
    "territories.middleware.TerritoryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "feminisation.urls"
WSGI_APPLICATION = "feminisation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Without DATABASE_URL the application runs on an embedded SQLite file, which is
# what `make run` uses; production sets a postgres:// URL.
DATABASES = {"default": _database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Each gunicorn worker (a sync worker serves one request at a time) keeps its
# connection for CONN_MAX_AGE seconds instead of opening one per request, and checks
# it is still alive before reusing it after a database restart or failover. A
# psycopg pool would add nothing for one-request-at-a-time processes.
DATABASES["default"]["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = _bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server must fail /sante/ in seconds, not after the TCP timeout;
    # `?connect_timeout=N` in DATABASE_URL overrides it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default (one process); redis://hôte:6379/0 (or rediss://, or
# rediscache://) selects Django's RedisCache, shared by every worker and server.
CACHES = {"default": _read("CACHE_URL", env.cache_url, default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that does not answer must cost a page a second, not the TCP timeout
    # (the pages are then computed without it, see feminisation.cache);
    # `?socket_timeout=N&socket_connect_timeout=N` in CACHE_URL overrides it.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)

# Sessions live in the database, so that any app server behind the load balancer
# can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Request bodies: a form's fields take a few kilobytes (1 MB at most); a file, the
# import's spreadsheet only, 10 MB at most, refused while it is received
# (feminisation.uploads) rather than once received whole.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "feminisation.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
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

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Absolute: a relative one would follow a territory's script prefix
# (territories.middleware).
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = _read("STATIC_ROOT", env.path, default=BASE_DIR / "staticfiles")
# whitenoise serves what `collectstatic` gathered: compressed, under names that carry
# a hash of their content, hence cached by browsers for ever (immutable). With DEBUG
# on, `{% static %}` gives the plain names and runserver serves the source folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# E-mail: the links that let a partner choose a password, the notifications of the
# events' workflow and the weekly reminders. Printed on the console
# with DEBUG (`make run`); in production an SMTP server,
# smtp+tls://utilisateur:motdepasse@hôte:587 (or smtp://, smtp+ssl://).
vars().update(
    _read("EMAIL_URL", env.email_url, default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Mixité Industrie <ne-pas-repondre@localhost>"
)
# A slow mail server must not hold a worker for minutes.
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", default=10, minimum=1)
# The address the e-mails' links start from (notifications, reminders): required in
# production, where no default could guess the public name.
SITE_URL = _site_url("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")

# Security. Production runs behind an HTTPS reverse proxy (or load balancer) that
# terminates TLS and overwrites X-Forwarded-Proto; `make run` (DEBUG) and `make
# serve` speak plain HTTP on 127.0.0.1, hence HTTPS=false there.
HTTPS = _bool("HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
# One year of HSTS once HTTPS works. Subdomains included: the site lives on its own
# name, under which nothing should be served in clear. Preload stays off: a listing
# in browsers' preload lists is a commitment for the whole registered domain, which
# belongs to the territory's IT, not to this application (hence W021 silenced).
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
if not HTTPS:
    SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No page uses any of these browser features; feminisation.middleware sends it.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

# Every script, style sheet, image and font comes from the site itself, in files:
# no inline script or style, nothing from another origin. Only the counter widget
# may be framed, by any site (indicators.views.embed_counter).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

# Login brute force (django-axes): AXES_FAILURE_LIMIT wrong passwords in a row lock
# the username for AXES_COOLOFF_MINUTES. Keyed on the username with the address,
# never the address alone: staff behind one office NAT, or every visitor seen
# through the proxy's address, would lock each other out. One logs in with an
# e-mail address or a user name (accounts.login); axes locks what was typed, an
# address whatever its case.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.login.EmailOrUsernameBackend",
]
AXES_USERNAME_CALLABLE = "accounts.login.lockout_identifier"
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_int("AXES_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "feminisation.views.locked_out"
# Successful logins are not recorded (Django keeps each account's last login); failed
# attempts only until the cool-off ends. Log lines mask the username, address and
# browser.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent"]

# Logs go to the console (gunicorn's stderr, kept by systemd or the container). They
# hold paths and status codes, never a request's body or query string, and not the
# SQL of django.db.backends, whose parameters can be names or e-mail addresses.
LOG_LEVEL = _choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # django-axes says at INFO level every login and clean-up; lockouts are warnings.
        "axes": {"level": "WARNING"},
        # WeasyPrint (the annual report's PDF) says every page it lays out at INFO, and
        # warns about each rule of site.css it does not use (the SVG charts' styles).
        "weasyprint": {"level": "ERROR"},
        # runserver's request lines (`make run` only), as Django prints them.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# The « Mentions légales » page (initiatives.legal) that French law requires of the
# site (article 6 of the LCEN). Unset, the page says « à renseigner »: only the
# territory knows its carrying structure, publication director and host.
LEGAL_PUBLISHER = _text("LEGAL_PUBLISHER")
LEGAL_PUBLISHER_ADDRESS = _text("LEGAL_PUBLISHER_ADDRESS")
LEGAL_PUBLISHER_PHONE = _phone("LEGAL_PUBLISHER_PHONE")
LEGAL_DIRECTOR = _text("LEGAL_DIRECTOR")
LEGAL_HOST = _text("LEGAL_HOST")
LEGAL_HOST_ADDRESS = _text("LEGAL_HOST_ADDRESS")
LEGAL_HOST_PHONE = _phone("LEGAL_HOST_PHONE")
LEGAL_HOST_WEBSITE = _web_address("LEGAL_HOST_WEBSITE")

# The read-only API (api/): open data, so anyone may read it from any site (CORS,
# GET only) without an account; JSON only (the browsable API's pages would need
# scripts the CSP refuses, and /api/v1/docs/ documents it). Anonymous clients are
# limited to API_RATE_LIMIT requests, counted per address in the cache; a cache that
# fails lets them through (api.throttling).
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousRateThrottle"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.french.JsonWhateverTheAcceptHeader",
    "DEFAULT_THROTTLE_RATES": {"anon": _rate("API_RATE_LIMIT", default="120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # OPTIONS would describe a view by its docstring, in English: the schema says it
    # all. (A browser's CORS preflight is answered by corsheaders before any view.)
    "DEFAULT_METADATA_CLASS": None,
    # `?format=` is one of the site's filters (csv, excel), not a renderer's name.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": None,
    # The visitor's address is the last one the proxy adds to X-Forwarded-For: behind
    # the proxy, REMOTE_ADDR is the proxy's own, the same for every client.
    "NUM_PROXIES": 1 if SECURE_PROXY_SSL_HEADER else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de Mixité Industrie",
    "DESCRIPTION": (
        "Les données publiques du plan d'action pour la féminisation des formations et "
        "des métiers industriels, en lecture seule : le plan, ses initiatives, ses publics "
        "cibles, ses partenaires publics, ses actions validées et leurs chiffres. Données "
        "sous Licence Ouverte / Etalab 2.0."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    # In the order of api/urls.py: the plan first, the figures last.
    "SORT_OPERATIONS": False,
    # The documentation page lists the values of a choice itself.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "LICENSE": {
        "name": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
}
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# A script revalidates an answer with its ETag or date (a 304 while unchanged) and,
# refused past the rate limit, reads how long to wait.
CORS_ALLOW_HEADERS = [*default_headers, "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
