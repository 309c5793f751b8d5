"""Errors the domain raises for the member to read, as opposed to bugs."""

from __future__ import annotations


class UserFacingError(Exception):
    """Its message is shown to the member as-is (ephemeral), without an error id.

    Raise it for bad input and refused actions: the message says what was wrong and what to do,
    and whatever raised it must have changed nothing.
    """
