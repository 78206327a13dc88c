"""This folder's fixtures live in agent_support.py, under a name of its own.

Test modules import helpers and constants from there: ``from agent_support import``
could resolve to another folder's conftest once several are loaded.
"""

from agent_support import *  # noqa: F403
