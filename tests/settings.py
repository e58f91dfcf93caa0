"""The production settings, with what only a test run may assume."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from feminisation.settings import *  # noqa: F403

# Hashing passwords the slow, safe way would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
