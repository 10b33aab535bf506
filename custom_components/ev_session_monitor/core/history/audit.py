"""The audit trail of corrected sessions, and the statements written from the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def tag_text(tag_id: str | None, tag_name: str | None) -> str | None:
    """A card as the audit trail keeps it: its id, and the name it had then."""
    if tag_id is None:
        return None
    return f"{tag_id} ({tag_name})" if tag_name else tag_id


@dataclass(frozen=True, slots=True)
class Correction:
    """One change to a recorded session."""

    changed_at: datetime
    user_id: str | None
    user_name: str | None
    field: str  # "tag" or "note"
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "changed_at": self.changed_at.isoformat(),
            "user_id": self.user_id,
            "user_name": self.user_name,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class IssuedStatement:
    """A statement file that was written."""

    scope: str  # "tag:<id>" or "person:<entity id>"
    month: str
    issued_at: datetime
    reference: str  # the fingerprint of the figures it showed
    path: str  # relative to the configuration folder
