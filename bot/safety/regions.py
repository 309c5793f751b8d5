"""The regions an organiser may choose for the crisis card, and how each is named."""

from __future__ import annotations

from bot.safety.resources import INTERNATIONAL, region_codes, region_for

# Countries offered beyond those in the crisis directory: their card shows international lines
# (and "call your local emergency number") until the directory covers them.
OTHER_REGIONS: dict[str, str] = {
    "US": "United States", "GB": "United Kingdom", "IE": "Ireland", "CA": "Canada", "AU": "Australia",
    "NZ": "New Zealand", "DE": "Germany", "AT": "Austria", "CH": "Switzerland", "FR": "France",
    "BE": "Belgium", "NL": "Netherlands", "ES": "Spain", "IT": "Italy", "PT": "Portugal", "SE": "Sweden",
    "NO": "Norway", "DK": "Denmark", "FI": "Finland", "PL": "Poland", "IN": "India", "ZA": "South Africa",
    "SG": "Singapore", "JP": "Japan", "BR": "Brazil",
}

def region_options() -> list[tuple[str, str]]:
    """(code, label) for the region menu: the directory's countries first, then others (max 25)."""
    covered = [c for c in region_codes() if c != INTERNATIONAL]
    options = [(c, f"{region_for(c).name} ({c})") for c in covered]
    options += [(c, f"{name} ({c}): international lines") for c, name in OTHER_REGIONS.items() if c not in covered]
    return options[:25]


def region_label(code: str) -> str:
    region = region_for(code)
    if region.code == code:
        return region.name
    return f"{OTHER_REGIONS.get(code, code)} (international lines)"
