import copy
import functools

from indicators.figures import store


def fresh(shared):
    """A test's own copy of data its module shares (`module_db` in tests/conftest.py):
    the rows are the module's, the Python objects the test's, which it may change
    without the next test seeing it."""
    return copy.deepcopy(shared)


def collected(build):
    """A fixture that builds events and their lines in one go, the stored figures
    refreshed once at its end (`store.collecting`) rather than once per line: some
    twenty milliseconds a line, a sixth of the suite's time."""

    @functools.wraps(build)
    def building(*args, **kwargs):
        with store.collecting():
            return build(*args, **kwargs)

    return building
