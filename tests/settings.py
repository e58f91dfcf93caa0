"""The production settings, with what only a test run may assume."""

import os

# Production, whatever the developer's .env or shell says (its DEBUG=true would turn
# HTTPS and HSTS off): the Makefile gives DATABASE_URL on the command line.
os.environ["ENV_FILE"] = os.devnull
os.environ["DEBUG"] = "false"
os.environ.pop("HTTPS", None)
# Long and varied enough for the production check on SECRET_KEY; public all the same.
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
# Required in production; the e-mails' links start from it.
os.environ.setdefault("SITE_URL", "https://mixite.example.fr")

from feminisation.settings import *  # noqa: F403

# Transactional tests empty the tables with DELETE rather than TRUNCATE (see there).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405

# Hashing passwords the slow, safe way would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client and the live server speak plain HTTP: no redirect to HTTPS. Every
# other HTTPS setting stays as in production (a test passes `secure=True` to see HSTS).
SECURE_SSL_REDIRECT = False

# No `collectstatic` before the tests: `{% static %}` gives plain names, and
# whitenoise serves the source folders as runserver does (no manifest, no warning
# about a missing STATIC_ROOT).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# No rate limit on the API: the fuzzing tests send it hundreds of requests from one
# address. tests/api/test_rate_limit.py sets one.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}  # noqa: F405
