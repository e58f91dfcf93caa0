import copy


def fresh(shared):
    """A test's own copy of data its module shares (`module_db` in tests/conftest.py):
    the rows are the module's, the Python objects the test's, which it may change
    without the next test seeing it."""
    return copy.deepcopy(shared)
