"""This folder's fixtures live in csam_support.py, under a name of its own.

Test modules import helpers and constants from there: ``from csam_support import``
could resolve to another folder's conftest once several are loaded.
"""

from csam_support import *  # noqa: F403
