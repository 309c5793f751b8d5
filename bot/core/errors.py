"""Errors the domain raises for the member to read, as opposed to bugs."""

from __future__ import annotations


class UserFacingError(Exception):
    """Its message is shown to the member as-is (ephemeral), without an error id.

    Raise it for bad input and refused actions: the message says what was wrong and what to do,
    and whatever raised it must have changed nothing.
    """


class DatabaseBusy(UserFacingError):
    """Another writer held the database for longer than a member can wait for an answer: nothing
    was changed, and the member is asked kindly to try again (see ``bot.core.db.answer_soon``)."""

    def __init__(self) -> None:
        super().__init__(
            "A lot is happening at once and I couldn't save that just now. Nothing was changed: "
            "please try again in a few seconds."
        )
