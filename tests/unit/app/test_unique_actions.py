"""Component action names are unique across the bot (docs/architecture.md, "Custom ids").

A press is routed by its action name alone (cogs/common/components.py), so two cogs listing one
action would let whichever loaded last take the other's buttons. ``PeerCirclesBot.add_cog``
refuses the second cog while loading; these tests check that refusal, and that the bot's own cogs
never trigger it.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from discord.ext import commands

import cogs
from bot.client import PeerCirclesBot
from bot.core.config import Config
from cogs.common.components import Action, DuplicateAction, require_unique_actions


class _First(commands.Cog):
    component_actions: ClassVar[dict[str, str]] = {"sameaction": "on_first", "onlyfirst": "on_only_first"}


class _Second(commands.Cog):
    component_actions: ClassVar[dict[str, Action]] = {"sameaction": Action("on_second", "organiser")}


def test_a_duplicate_action_raises_naming_both_cogs() -> None:
    with pytest.raises(DuplicateAction, match=r"'sameaction' of cog _Second is already _First's"):
        require_unique_actions([_First()], _Second())


def test_distinct_actions_and_a_replaced_cog_pass() -> None:
    require_unique_actions([_First()], SimpleNamespace(qualified_name="Other", component_actions={"new": "m"}))
    # add_cog(override=True) replaces a cog of the same name: its own actions are no clash.
    require_unique_actions([_First()], _First())


async def test_the_bot_refuses_the_second_cog_at_load() -> None:
    bot = PeerCirclesBot(Config(source="<memory>"))
    try:
        await bot.add_cog(_First())
        with pytest.raises(DuplicateAction):
            await bot.add_cog(_Second())
        assert "_Second" not in bot.cogs
    finally:
        await bot.close()


def _every_cog_class() -> list[type[commands.Cog]]:
    """Every Cog class defined under cogs/, loaded by the bot or not (stricter than the loaded set)."""
    for info in pkgutil.walk_packages(cogs.__path__, "cogs."):
        importlib.import_module(info.name)
    found: list[type[commands.Cog]] = []
    todo: list[type[Any]] = [commands.Cog]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("cogs.") and "component_actions" in vars(cls):
            found.append(cls)
    return found


def test_the_bots_cogs_list_no_action_twice() -> None:
    classes = _every_cog_class()
    assert len(classes) >= 10, "expected the cogs that list component actions; did discovery break?"
    loaded: list[Any] = []
    for cls in sorted(classes, key=lambda c: (c.__module__, c.__qualname__)):
        # Cog classes, not instances: name them as add_cog would (qualified_name is per instance).
        cog = SimpleNamespace(qualified_name=cls.__cog_name__, component_actions=vars(cls)["component_actions"])
        require_unique_actions(loaded, cog)
        loaded.append(cog)
