"""Every repair issue the integration raises, in one place (their texts: translations/en.json)."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import CONF_SUSPICIOUS_WINDOW_MIN, DEFAULT_SUSPICIOUS_WINDOW_MIN, DOMAIN


def async_wallbox_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    key: str,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    **placeholders: str,
) -> None:
    """Raise (or update) a wallbox's repair issue `key`; the user fixes the cause."""
    _async_entry_issue(hass, entry, key, key, severity, {"charger": entry.title, **placeholders})


def _async_entry_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    issue: str,
    key: str,
    severity: ir.IssueSeverity,
    placeholders: dict[str, str],
) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{issue}_{entry.entry_id}",
        is_fixable=False,
        severity=severity,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def async_clear_wallbox_issue(hass: HomeAssistant, entry: ConfigEntry, key: str) -> None:
    """The cause of a wallbox's repair issue `key` is gone."""
    ir.async_delete_issue(hass, DOMAIN, f"{key}_{entry.entry_id}")


def async_site_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    issue: str,
    key: str,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    **placeholders: str,
) -> None:
    """Raise a site's repair issue (`issue` tells several of one `key` apart)."""
    _async_entry_issue(hass, entry, issue, key, severity, {"site": entry.title, **placeholders})


def async_clear_site_issue(hass: HomeAssistant, entry: ConfigEntry, issue: str) -> None:
    """The cause of a site's repair issue is gone."""
    ir.async_delete_issue(hass, DOMAIN, f"{issue}_{entry.entry_id}")


def async_suspicious_issue(
    hass: HomeAssistant, entry: ConfigEntry, reason: str, attempts: int = 0
) -> None:
    """Suspicious activity at a wallbox: a warning the user acknowledges (repairs.py)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"suspicious_activity_{entry.entry_id}",
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=f"suspicious_{reason}",
        translation_placeholders={
            "charger": entry.title,
            "attempts": str(attempts),
            "minutes": str(
                entry.options.get(CONF_SUSPICIOUS_WINDOW_MIN, DEFAULT_SUSPICIOUS_WINDOW_MIN)
            ),
        },
    )


def async_stored_tags_issue(hass: HomeAssistant, problems: list[str]) -> None:
    """Stored cards that did not load (they stay in the file)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        "stored_tags_damaged",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="stored_tags_damaged",
        translation_placeholders={"problems": "; ".join(problems)[:300]},
    )


def async_profile_issue(hass: HomeAssistant, path: str, detail: str) -> None:
    """A user's profile file that did not load."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"profile_invalid_{path.rsplit('/', 1)[-1]}",
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="profile_invalid",
        translation_placeholders={"file": path, "error": detail},
    )


def history_corrupt_issue(hass: HomeAssistant, path: str, kept: str) -> None:
    """The history file was damaged and set aside (called from the executor thread)."""
    ir.create_issue(
        hass,
        DOMAIN,
        "history_corrupt",
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="history_corrupt",
        translation_placeholders={"path": path, "kept": kept},
    )
