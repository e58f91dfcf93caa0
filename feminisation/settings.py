"""Settings for Mixité Industrie.

One module, configured from the environment (and an optional `.env` file beside
`manage.py`). Every value is parsed strictly: a malformed one stops start-up with
a message that names the variable.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

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


def _database(name, default):
    url = env.str(name, default=default)
    scheme = url.partition("://")[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise _invalid(name, "une URL sqlite:///… ou postgres://… est attendue.")
    return env.db_url_config(url)


DEBUG = _bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire quand DEBUG est désactivé : définissez la variable "
            "d'environnement SECRET_KEY (une longue chaîne aléatoire, gardée secrète)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "partners",
    "initiatives",
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": _read("CACHE_URL", env.cache_url, default="locmemcache://")}

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

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = _read("STATIC_ROOT", env.path, default=BASE_DIR / "staticfiles")

LOGIN_URL = "admin:login"
