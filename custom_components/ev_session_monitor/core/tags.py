"""RFID tags: one spelling per card, the registry of known cards, and unknown-card bursts.

Plain Python (no Home Assistant imports) so the rules can be tested without a running HA.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .site.model import MAX_PRIORITY

__all__ = [
    "AttemptWindow",
    "DuplicateTagError",
    "InvalidTagError",
    "InvalidTagNameError",
    "KnownTag",
    "TagRegistry",
    "clip_text",
    "hash_tag",
    "normalize_tag",
    "odd_box_tag",
    "published_tag",
    "sanitize_box_tag",
    "tag_label",
    "validate_tag",
    "validate_tag_name",
]

TAG_MIN_LENGTH = 4
TAG_MAX_LENGTH = 40
# Names and owners end up in sensor states (255 characters at most), events and reports.
TAG_NAME_MAX_LENGTH = 64
HASH_PREFIX = "sha256:"

# NUL padding (Modbus strings), whitespace and the separators people and boxes put between bytes.
_DROP = str.maketrans("", "", "\0:-. \t\r\n\v\f")
_VALID_TAG = re.compile(rf"[0-9A-Z]{{{TAG_MIN_LENGTH},{TAG_MAX_LENGTH}}}")
_HASHED_TAG = re.compile(rf"{HASH_PREFIX}[0-9a-f]{{16}}")
# A box never needs more than this; it bounds the work spent on a garbage value.
_MAX_BOX_VALUE = 256
_ID_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class InvalidTagError(ValueError):
    """A string that cannot be an RFID card id."""


class InvalidTagNameError(ValueError):
    """A card name or owner that is empty or too long."""


class DuplicateTagError(ValueError):
    """The card is already in the registry."""


def clip_text(text: str, limit: int) -> str:
    """Return `text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _shown(value: object) -> str:
    """A value quoted in a message, short whatever its size."""
    return clip_text(repr(value), 60)


def validate_tag_name(raw: str, *, what: str = "name", required: bool = True) -> str | None:
    """Return the stripped name; raise InvalidTagNameError when it is empty or too long."""
    name = raw.strip()
    if not name:
        if required:
            raise InvalidTagNameError(f"the tag {what} must not be empty")
        return None
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise InvalidTagNameError(
            f"the tag {what} has {len(name)} characters; at most {TAG_NAME_MAX_LENGTH} are allowed"
        )
    return name


def normalize_tag(raw: str) -> str:
    """Return the canonical spelling of a card id: no padding or separators, upper case.

    `04:a2:1b:ff`, `04-A2-1B-FF` and `04a21bff` padded with NUL bytes all become `04A21BFF`.
    The result is not validated; see `validate_tag`.
    """
    return raw.translate(_DROP).upper()


def validate_tag(raw: str) -> str:
    """Return the normalized card id, or raise InvalidTagError saying what is expected."""
    if _HASHED_TAG.fullmatch(raw.strip()):
        # Users copy ids from events; with the privacy option those are pseudonyms.
        raise InvalidTagError(
            f"{_shown(raw)} is a pseudonym of a tag id, not the id itself: present the card at a"
            " wallbox and learn it from there"
        )
    tag = normalize_tag(raw)
    if _VALID_TAG.fullmatch(tag) is None:
        raise InvalidTagError(
            f"invalid tag id {_shown(raw)}: expected {TAG_MIN_LENGTH} to {TAG_MAX_LENGTH}"
            " letters A-Z or digits (separators ':', '-', '.' and spaces are ignored)"
        )
    return tag


def sanitize_box_tag(raw: str | bytes | None) -> str | None:
    """Clean a tag value read from a wallbox; None when it holds no usable card id.

    Never raises: a box sending garbage must not break polling. Bytes are decoded leniently,
    non-printable characters dropped, the rest normalized. Values that are still not a card id,
    and all-zero ids (KEBA reports `00000000` for "no card"), give None.
    """
    if raw is None:
        return None
    if isinstance(raw, (bytes, bytearray)):
        text = bytes(raw[: _MAX_BOX_VALUE * 4]).decode("utf-8", errors="replace")
    elif isinstance(raw, str):
        text = raw
    else:  # JSON APIs sometimes send the id as a number
        text = str(raw)
    # U+FFFD (undecodable byte) is printable, but it survives only to make the value invalid.
    printable = "".join(char for char in text[:_MAX_BOX_VALUE] if char.isprintable())
    tag = normalize_tag(printable)
    if _VALID_TAG.fullmatch(tag) is None or tag.count("0") == len(tag):
        return None
    return tag


def odd_box_tag(raw: str | bytes | None) -> str | None:
    """A box value that holds something, but no card id, as a safe id for events and reports.

    For values `sanitize_box_tag` refuses (an odd character, too short or too long): the
    normalized printable text with every character other than A-Z and 0-9 as "_", bounded.
    None when the value holds nothing (empty, padding, all zeros). The result is never a valid
    card id, so it can neither match nor be admitted as a known card.
    """
    if raw is None or sanitize_box_tag(raw) is not None:
        return None
    if isinstance(raw, (bytes, bytearray)):
        text = bytes(raw[: _MAX_BOX_VALUE * 4]).decode("utf-8", errors="replace")
    else:
        text = str(raw)
    printable = normalize_tag("".join(c for c in text[:_MAX_BOX_VALUE] if c.isprintable()))
    if not printable or printable.count("0") == len(printable):
        return None
    odd = "".join(c if c in _ID_CHARACTERS else "_" for c in printable)
    return clip_text(odd, TAG_MAX_LENGTH + 8)


def tag_label(tag_id: str | None, recorded_name: str | None, registry: TagRegistry) -> str | None:
    """The name a card is shown under in every view: its name now, else the recorded one.

    A card learned or renamed after a session shows its current name on that session too.
    None when nobody named it: views then show the id, or "Without card" without an id.
    """
    if not tag_id:
        return None
    known = registry.get(tag_id)
    if known is not None:
        return known.name
    return recorded_name or None


def hash_tag(tag: str) -> str:
    """Return a stable pseudonym `sha256:<16 hex>` of a card id (privacy option).

    Unsalted on purpose so the same card gets the same pseudonym across restarts and wallboxes,
    which keeps per-tag reports working; it hides ids from casual readers, not from someone who
    can enumerate card numbers. Idempotent: a pseudonym is returned unchanged.
    """
    if _HASHED_TAG.fullmatch(tag):
        return tag
    digest = hashlib.sha256(normalize_tag(tag).encode("utf-8")).hexdigest()
    return HASH_PREFIX + digest[:16]


@dataclass(frozen=True, slots=True)
class KnownTag:
    """A card the owner has admitted, with who it belongs to and where it may charge."""

    tag_id: str
    name: str
    owner: str | None = None
    price_per_kwh: float | None = None  # overrides the wallbox price for this card
    chargers: frozenset[str] = field(default_factory=frozenset)  # empty: every wallbox
    person: str | None = None  # a Home Assistant person (entity id) who sees this card's sessions
    # The car's mileage sensor (entity id), read when the card's sessions start and end.
    odometer_entity: str | None = None
    # Blocked by an administrator: known (its sessions keep their name) but refused everywhere.
    blocked: bool = False
    # Its car's priority at a site (0-10): the box it charges at counts with the higher of its
    # own priority and this one (core/site Site.priority).
    priority: int = 0

    def __post_init__(self) -> None:
        """Normalize the id so a tag built from any spelling matches the box's reading."""
        object.__setattr__(self, "tag_id", validate_tag(self.tag_id))
        object.__setattr__(self, "name", validate_tag_name(self.name))
        if self.owner is not None:
            owner = validate_tag_name(self.owner, what="owner", required=False)
            object.__setattr__(self, "owner", owner)
        object.__setattr__(self, "chargers", frozenset(self.chargers))
        if self.price_per_kwh is not None and not math.isfinite(self.price_per_kwh):
            raise ValueError(f"price per kWh of tag {self.tag_id} is not a number")
        if isinstance(self.priority, bool) or self.priority not in range(MAX_PRIORITY + 1):
            raise ValueError(f"priority of tag {self.tag_id} must be a whole number 0-10")

    def allowed_on(self, charger_id: str) -> bool:
        """Return True if this card may charge at the given wallbox (never while blocked)."""
        return not self.blocked and (not self.chargers or charger_id in self.chargers)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict."""
        return {
            "tag_id": self.tag_id,
            "name": self.name,
            "owner": self.owner,
            "price_per_kwh": self.price_per_kwh,
            "chargers": sorted(self.chargers),
            "person": self.person,
            "odometer_entity": self.odometer_entity,
            "blocked": self.blocked,
            "priority": self.priority,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KnownTag:
        """Inverse of to_dict; raise ValueError or TypeError on unusable data."""
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a mapping, got {type(data).__name__}")
        tag_id, name = data.get("tag_id"), data.get("name")
        if not isinstance(tag_id, str):
            raise InvalidTagError(f"tag id missing or not a string: {_shown(tag_id)}")
        if not isinstance(name, str):
            raise TypeError(f"tag {_shown(tag_id)}: name missing or not a string")
        owner = data.get("owner")
        person = data.get("person")
        odometer = data.get("odometer_entity")
        price = data.get("price_per_kwh")
        chargers = data.get("chargers") or ()
        if isinstance(chargers, str) or not isinstance(chargers, Iterable):
            raise TypeError(
                f"tag {_shown(tag_id)}: chargers must be a list, got {_shown(chargers)}"
            )
        try:
            price_value = None if price is None else float(price)
        except (TypeError, ValueError):
            raise ValueError(
                f"tag {_shown(tag_id)}: price {_shown(price)} is not a number"
            ) from None
        if price_value is not None and not math.isfinite(price_value):
            price_value = None  # NaN saved by an older release: the wallbox's price applies
        # Names stored before they were bounded are cut rather than losing the card.
        return cls(
            tag_id=tag_id,
            name=clip_text(name.strip(), TAG_NAME_MAX_LENGTH) or tag_id,
            owner=None if owner is None else clip_text(str(owner).strip(), TAG_NAME_MAX_LENGTH),
            price_per_kwh=price_value,
            chargers=frozenset(str(charger) for charger in chargers),
            person=None if person is None else str(person),
            odometer_entity=None if odometer is None else str(odometer),
            blocked=data.get("blocked") is True,
            priority=_stored_priority(data.get("priority")),
        )


def _stored_priority(value: object) -> int:
    """A stored priority; missing (cards saved before priorities) or unusable: 0."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PRIORITY:
        return value
    return 0


class TagRegistry:
    """The known cards, by normalized id, shared by every wallbox."""

    def __init__(self, tags: Iterable[KnownTag] = ()) -> None:
        """Start with the given cards (DuplicateTagError if one appears twice)."""
        self._tags: dict[str, KnownTag] = {}
        # Stored entries that did not load; kept so that saving never drops what the user had.
        self.unreadable: list[Any] = []
        for tag in tags:
            self.add(tag)

    def get(self, raw_tag: str) -> KnownTag | None:
        """Return the card with this id in any spelling, or None if unknown."""
        return self._tags.get(normalize_tag(raw_tag))

    def __contains__(self, raw_tag: object) -> bool:
        """Return True if the id (any spelling) is known."""
        return isinstance(raw_tag, str) and self.get(raw_tag) is not None

    def add(self, tag: KnownTag) -> None:
        """Admit a new card; raise DuplicateTagError if it is already known."""
        if tag.tag_id in self._tags:
            raise DuplicateTagError(f"tag {tag.tag_id} is already known")
        self._tags[tag.tag_id] = tag

    def update(self, tag: KnownTag) -> None:
        """Replace a known card's details; raise KeyError if it is not known."""
        if tag.tag_id not in self._tags:
            raise KeyError(tag.tag_id)
        self._tags[tag.tag_id] = tag

    def remove(self, tag_id: str) -> bool:
        """Forget a card (any spelling); return False if it was not known."""
        return self._tags.pop(normalize_tag(tag_id), None) is not None

    def __iter__(self) -> Iterator[KnownTag]:
        """Iterate in name order, as pickers show them."""
        return iter(sorted(self._tags.values(), key=lambda tag: (tag.name.casefold(), tag.tag_id)))

    def __len__(self) -> int:
        """Return how many cards are known."""
        return len(self._tags)

    def to_list(self) -> list[Any]:
        """Serialize, including unreadable stored entries unchanged."""
        return [tag.to_dict() for tag in self] + list(self.unreadable)

    @classmethod
    def from_list(cls, items: Iterable[Any]) -> tuple[TagRegistry, list[str]]:
        """Load stored entries; return the registry and one problem description per bad entry.

        Never raises for bad entries: they are skipped, reported, and kept in `unreadable` so the
        next save writes them back instead of silently losing them.
        """
        registry = cls()
        problems: list[str] = []
        if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
            registry.unreadable.append(items)
            return registry, [f"stored tags skipped: expected a list, got {type(items).__name__}"]
        for index, item in enumerate(items):
            try:
                registry.add(KnownTag.from_dict(item))
            except (ValueError, TypeError) as err:  # InvalidTagError, DuplicateTagError too
                problems.append(f"stored tag #{index + 1} skipped: {err}")
                registry.unreadable.append(item)
        return registry, problems


class AttemptWindow:
    """Unknown-card attempts at one wallbox within a sliding time window.

    An attempt counts while it is at most `window` old. `crossed` tells whether the last
    `record()` made the count reach `threshold` while armed: that happens once per burst; the
    window re-arms only when its count has fallen below the threshold again.
    """

    def __init__(self, threshold: int, window: timedelta) -> None:
        """Flag `threshold` attempts within `window` (e.g. 3 within 10 minutes)."""
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        if window <= timedelta(0):
            raise ValueError("window must be longer than zero")
        self.threshold = threshold
        self.window = window
        self._times: list[datetime] = []  # sorted
        self._armed = True
        self._crossed = False

    @property
    def crossed(self) -> bool:
        """Return True if the last recorded attempt crossed the threshold."""
        return self._crossed

    def _expire(self, now: datetime) -> None:
        horizon = now - self.window
        keep_from = bisect.bisect_left(self._times, horizon)
        if keep_from:
            del self._times[:keep_from]
        if len(self._times) < self.threshold:
            self._armed = True

    def attempts(self, now: datetime) -> int:
        """Return how many attempts lie within the window ending at `now`."""
        self._expire(now)
        return len(self._times)

    def record(self, now: datetime) -> int:
        """Count an attempt at `now`; return the attempts in the window, this one included."""
        self._expire(now)
        # insort rather than append: a clock stepped back must not break expiry order.
        bisect.insort(self._times, now)
        count = len(self._times)
        self._crossed = self._armed and count >= self.threshold
        if self._crossed:
            self._armed = False
        return count

    def reset(self) -> None:
        """Forget every attempt and re-arm."""
        self._times.clear()
        self._armed = True
        self._crossed = False


def published_tag(
    tag_id: str | None, registry: TagRegistry, hash_unknown: bool
) -> tuple[str | None, str | None]:
    """(id to publish, name) for a card.

    A known card's id and name; an unknown card's id, or its hash when the user asked for that,
    and no name.
    """
    if tag_id is None:
        return None, None
    known = registry.get(tag_id)
    if known is not None:
        return known.tag_id, known.name
    return (hash_tag(tag_id) if hash_unknown else tag_id), None
