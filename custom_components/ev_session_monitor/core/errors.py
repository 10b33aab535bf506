"""Errors of the device layer; the Home Assistant glue maps them to translated messages."""

from __future__ import annotations


class WallboxError(Exception):
    """Base class: the wallbox could not be read or written."""


class WallboxConnectionError(WallboxError):
    """The wallbox cannot be reached (refused, timed out, dropped)."""


class WallboxResponseError(WallboxError):
    """The wallbox answered, but not with what its profile describes."""


class WallboxAuthError(WallboxError):
    """The wallbox rejected our credentials."""


class WallboxUnsupportedError(WallboxError):
    """The profile has no such control."""
