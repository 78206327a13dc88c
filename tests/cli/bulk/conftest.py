"""This folder's fixtures live in bulk_support.py, under a name of its own.

Test modules import helpers and constants from there: ``from bulk_support import``
could resolve to another folder's conftest once several are loaded.
"""

from bulk_support import *  # noqa: F403
