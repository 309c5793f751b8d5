"""Reading what Discord sent with a component press or modal submit (its raw data, typed loosely)."""

from __future__ import annotations

from typing import Any, cast

import discord


def interaction_data(interaction: discord.Interaction) -> dict[str, Any]:
    """The interaction's raw data as a plain dict (discord.py types it as a union of TypedDicts)."""
    return cast(dict[str, Any], interaction.data or {})


def custom_id_of(interaction: discord.Interaction) -> str:
    return str(interaction_data(interaction).get("custom_id", ""))


def modal_values(interaction: discord.Interaction) -> dict[str, str]:
    """custom_id -> value of every text input in a submitted modal."""
    values: dict[str, str] = {}
    for row in interaction_data(interaction).get("components", []):
        for comp in [row.get("component"), *row.get("components", [])]:
            if comp and comp.get("custom_id"):
                values[comp["custom_id"]] = comp.get("value") or ""
    return values


def modal_choices(interaction: discord.Interaction) -> dict[str, list[str]]:
    """custom_id -> chosen values of every select in a submitted modal."""
    chosen: dict[str, list[str]] = {}
    for row in interaction_data(interaction).get("components", []):
        for comp in [row.get("component"), *row.get("components", [])]:
            if comp and comp.get("custom_id") and "values" in comp:
                chosen[comp["custom_id"]] = [str(v) for v in comp["values"]]
    return chosen
