"""What every cog shares: context, persistent components, the failure answer, bot permissions,
autocomplete choices, modal reading and text limits. Imports bot packages, never another cog."""
