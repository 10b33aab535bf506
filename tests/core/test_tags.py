"""Tag ids, the registry of known cards, and the unknown-card attempt window."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ev_session_monitor.core.tags import (
    AttemptWindow,
    DuplicateTagError,
    InvalidTagError,
    InvalidTagNameError,
    KnownTag,
    TagRegistry,
    hash_tag,
    normalize_tag,
    published_tag,
    sanitize_box_tag,
    tag_label,
    validate_tag,
)

SPELLINGS = [
    "04A21BFF",
    "04:a2:1b:ff",
    "04-A2-1B-FF",
    "04 a2 1b ff",
    "04.A2.1B.FF",
    "  04a21bff\0\0\0\0",
    "\t04A21BFF\n",
]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_same_card_in_any_spelling_has_one_id(spelling: str) -> None:
    """Whatever the box or the user typed, the card gets the same id."""
    assert normalize_tag(spelling) == "04A21BFF"
    assert validate_tag(spelling) == "04A21BFF"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_registry_finds_card_in_any_spelling(spelling: str) -> None:
    """A card registered in one spelling is recognized when the box reports another."""
    registry = TagRegistry([KnownTag(tag_id="04:a2:1b:ff", name="Anna")])
    found = registry.get(spelling)
    assert found is not None
    assert found.name == "Anna"
    assert spelling in registry


@pytest.mark.parametrize(
    "raw",
    ["", "ABC", "0" * 41, "04A2#1BF", "04A2Ä1BF", ":::---"],
)
def test_invalid_tag_ids_are_refused_with_a_helpful_message(raw: str) -> None:
    """The message tells the user what a tag id must look like."""
    with pytest.raises(InvalidTagError, match="4 to 40 letters A-Z or digits"):
        validate_tag(raw)


def test_pseudonym_is_not_accepted_as_a_tag_id() -> None:
    """Pasting a hashed id from an event would register a card that never matches."""
    with pytest.raises(InvalidTagError, match="pseudonym"):
        validate_tag(hash_tag("04A21BFF"))


def test_tag_length_limits_are_inclusive() -> None:
    """Four and forty characters are both accepted."""
    assert validate_tag("ab12") == "AB12"
    assert validate_tag("f" * 40) == "F" * 40


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"04A21BFF\x00\x00\x00\x00\x00\x00", "04A21BFF"),
        ("04a21bff    ", "04A21BFF"),
        (b"\x0204A21BFF\x03", "04A21BFF"),  # framing control bytes
        ("04:A2:1B:FF\r\n", "04A21BFF"),
        (b"00000000", None),  # KEBA: no card
        ("0000 0000", None),
        (b"\x00" * 20, None),
        (b"", None),
        ("", None),
        (None, None),
        (b"\xff\xfe\xfd\xfc", None),
        (b"04A2\xff\xfe1BFF", None),  # undecodable bytes inside: not a card we can trust
        ("04A2é1BFF", None),
        (b"AB", None),  # too short
    ],
)
def test_box_values_are_sanitized(raw: str | bytes | None, expected: str | None) -> None:
    """Padding and control bytes go; values that are not a card id become None."""
    assert sanitize_box_tag(raw) == expected


def test_garbage_from_a_box_never_raises() -> None:
    """Random bytes and strings of any length give None or a valid id, never an exception."""
    rng = random.Random(5)
    alphabet = "0123456789ABCDEFabcdef:-. \0\x01\x7f\u00e9\u200b\ufffd\U0001f600"
    for _ in range(3000):
        size = rng.randint(0, 600)
        raw: str | bytes = (
            rng.randbytes(size)
            if rng.random() < 0.5
            else "".join(rng.choice(alphabet) for _ in range(size))
        )
        result = sanitize_box_tag(raw)
        assert result is None or re.fullmatch(r"[0-9A-Z]{4,40}", result)


def test_box_value_sent_as_number_is_accepted() -> None:
    """JSON APIs may send a numeric id; it must not crash the coordinator."""
    assert sanitize_box_tag(12345678) == "12345678"  # type: ignore[arg-type]


def test_hash_is_stable_short_and_spelling_independent() -> None:
    """The privacy pseudonym is the same for every spelling and differs between cards."""
    digests = {hash_tag(spelling) for spelling in SPELLINGS}
    assert len(digests) == 1
    digest = digests.pop()
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", digest)
    assert hash_tag("04A21BFE") != digest
    assert hash_tag(digest) == digest  # hashing twice does not change the pseudonym


def test_known_tag_normalizes_and_round_trips() -> None:
    """A stored tag comes back identical; its id is normalized on creation."""
    tag = KnownTag(
        tag_id="04:a2:1b:ff",
        name="Anna (staff)",
        owner="Anna Müller",
        price_per_kwh=0.25,
        chargers=frozenset({"box-2", "box-1"}),
    )
    assert tag.tag_id == "04A21BFF"
    data = tag.to_dict()
    assert data["chargers"] == ["box-1", "box-2"]
    assert KnownTag.from_dict(data) == tag


def test_known_tag_rejects_bad_values() -> None:
    """Invalid ids and non-finite prices are refused."""
    with pytest.raises(InvalidTagError):
        KnownTag(tag_id="x", name="X")
    with pytest.raises(ValueError, match="price"):
        KnownTag(tag_id="ABCD", name="X", price_per_kwh=float("nan"))


def test_allowed_on_chargers() -> None:
    """No chargers listed means every wallbox; otherwise only the listed ones."""
    everywhere = KnownTag(tag_id="ABCD", name="A")
    garage_only = KnownTag(tag_id="ABCE", name="B", chargers=frozenset({"garage"}))
    assert everywhere.allowed_on("garage")
    assert everywhere.allowed_on("street")
    assert garage_only.allowed_on("garage")
    assert not garage_only.allowed_on("street")


def test_registry_rejects_duplicates_in_any_spelling() -> None:
    """The same card cannot be registered twice, whatever the spelling."""
    registry = TagRegistry()
    registry.add(KnownTag(tag_id="04A21BFF", name="Anna"))
    with pytest.raises(DuplicateTagError):
        registry.add(KnownTag(tag_id="04:a2:1b:ff", name="Anna again"))
    assert len(registry) == 1


def test_registry_update_remove_and_order() -> None:
    """Renaming replaces the details; removal works in any spelling; listing is by name."""
    registry = TagRegistry(
        [KnownTag(tag_id="BBBB", name="zoe"), KnownTag(tag_id="AAAA", name="Bert")]
    )
    registry.update(KnownTag(tag_id="bbbb", name="Anna"))
    assert [tag.name for tag in registry] == ["Anna", "Bert"]
    with pytest.raises(KeyError):
        registry.update(KnownTag(tag_id="CCCC", name="nobody"))
    assert registry.remove("aa:aa") is True
    assert registry.remove("AAAA") is False
    assert [tag.tag_id for tag in registry] == ["BBBB"]


def test_registry_round_trips() -> None:
    """Saving and loading gives the same registry and no problems."""
    registry = TagRegistry(
        [
            KnownTag(tag_id="AAAA", name="A", owner="o", price_per_kwh=0.3),
            KnownTag(tag_id="BBBB", name="B", chargers=frozenset({"x"})),
        ]
    )
    loaded, problems = TagRegistry.from_list(registry.to_list())
    assert problems == []
    assert list(loaded) == list(registry)


def test_bad_stored_entries_are_reported_and_kept() -> None:
    """Unreadable entries do not stop loading, are reported, and are not lost on the next save."""
    stored = [
        {"tag_id": "AAAA", "name": "Good"},
        {"tag_id": "x!", "name": "Bad id"},
        {"name": "No id"},
        {"tag_id": "BBBB"},
        {"tag_id": "CCCC", "name": "Bad price", "price_per_kwh": "cheap"},
        {"tag_id": "DDDD", "name": "Bad chargers", "chargers": 5},
        "not a mapping",
        {"tag_id": "aa:aa", "name": "Duplicate"},
        {"tag_id": "EEEE", "name": "Also good", "chargers": ["box"]},
    ]
    registry, problems = TagRegistry.from_list(stored)
    assert [tag.tag_id for tag in registry] == ["EEEE", "AAAA"]  # "Also good" < "Good"
    assert len(problems) == 7
    assert all(problem.startswith("stored tag #") for problem in problems)
    saved = registry.to_list()
    for bad in stored[1:8]:
        assert bad in saved


def test_stored_tags_that_are_not_a_list_are_kept() -> None:
    """A damaged store gives an empty registry and a problem, not an exception."""
    registry, problems = TagRegistry.from_list({"tag_id": "AAAA"})
    assert len(registry) == 0
    assert len(problems) == 1
    assert registry.to_list() == [{"tag_id": "AAAA"}]


def test_attempt_window_crosses_once_per_burst() -> None:
    """3 attempts in 10 minutes: flagged on the third, not again until the burst has died down."""
    window = AttemptWindow(3, timedelta(minutes=10))
    results = []
    for minute in (0, 1, 2, 3, 4):
        count = window.record(T0 + timedelta(minutes=minute))
        results.append((count, window.crossed))
    assert results == [(1, False), (2, False), (3, True), (4, False), (5, False)]

    # At 13:00 only the attempts of minutes 3 and 4 remain: below the threshold, armed again.
    assert window.attempts(T0 + timedelta(minutes=13)) == 2
    assert window.record(T0 + timedelta(minutes=13)) == 3
    assert window.crossed


def test_attempt_window_does_not_rearm_while_busy() -> None:
    """Attempts that keep the count at or above the threshold do not flag again."""
    window = AttemptWindow(2, timedelta(minutes=10))
    crossings = 0
    for minute in range(0, 30, 3):  # every 3 minutes: never fewer than 3 in the window
        window.record(T0 + timedelta(minutes=minute))
        crossings += window.crossed
    assert crossings == 1


def test_attempt_window_edges() -> None:
    """An attempt exactly `window` old still counts; reading the count does not record."""
    window = AttemptWindow(2, timedelta(minutes=10))
    window.record(T0)
    assert window.attempts(T0 + timedelta(minutes=10)) == 1
    assert window.attempts(T0 + timedelta(minutes=10, microseconds=1)) == 0
    assert window.record(T0 + timedelta(minutes=20)) == 1
    assert not window.crossed


def test_attempt_window_threshold_one_and_reset() -> None:
    """Threshold 1 flags the first attempt; reset forgets everything and re-arms."""
    window = AttemptWindow(1, timedelta(minutes=10))
    assert window.record(T0) == 1
    assert window.crossed
    window.record(T0 + timedelta(minutes=1))
    assert not window.crossed
    window.reset()
    assert window.attempts(T0 + timedelta(minutes=1)) == 0
    assert not window.crossed
    window.record(T0 + timedelta(minutes=2))
    assert window.crossed


def test_attempt_window_survives_clock_stepping_back() -> None:
    """An NTP correction backwards must not corrupt the count."""
    window = AttemptWindow(3, timedelta(minutes=10))
    window.record(T0 + timedelta(minutes=5))
    window.record(T0)  # clock stepped back
    assert window.record(T0 + timedelta(minutes=6)) == 3
    assert window.crossed
    assert window.attempts(T0 + timedelta(minutes=15, seconds=30)) == 1


def test_attempt_window_rejects_nonsense_settings() -> None:
    """Zero thresholds or windows are configuration errors."""
    with pytest.raises(ValueError, match="threshold"):
        AttemptWindow(0, timedelta(minutes=1))
    with pytest.raises(ValueError, match="window"):
        AttemptWindow(3, timedelta(0))


def test_names_and_owners_are_bounded() -> None:
    """Issue 11 item 12: a name ends up in a sensor state (255 characters at most)."""
    assert KnownTag(tag_id="04A21BFF", name="  " + "n" * 64 + " ").name == "n" * 64
    with pytest.raises(InvalidTagNameError, match="at most 64"):
        KnownTag(tag_id="04A21BFF", name="n" * 100_000)
    with pytest.raises(InvalidTagNameError, match="empty"):
        KnownTag(tag_id="04A21BFF", name="   ")
    with pytest.raises(InvalidTagNameError, match="owner"):
        KnownTag(tag_id="04A21BFF", name="Anna", owner="o" * 65)
    assert KnownTag(tag_id="04A21BFF", name="Anna", owner=" ").owner is None


def test_stored_overlong_names_are_cut_not_lost() -> None:
    """A card stored before names were bounded still works; its name is shortened."""
    registry, problems = TagRegistry.from_list(
        [{"tag_id": "04A21BFF", "name": "n" * 100_000, "owner": "o" * 1000}]
    )
    assert problems == []
    tag = registry.get("04A21BFF")
    assert tag is not None
    assert len(tag.name) == 64 and tag.name.endswith("\u2026")
    assert tag.owner is not None and len(tag.owner) == 64


def test_messages_quote_huge_values_briefly() -> None:
    with pytest.raises(InvalidTagError) as err:
        validate_tag("#" * 100_000)
    assert len(str(err.value)) < 200
    _registry, problems = TagRegistry.from_list([{"tag_id": "Z" * 100_000, "name": "x"}])
    assert len(problems[0]) < 300


def test_tag_label_names_known_cards_and_hides_unknown_ones_on_request() -> None:
    registry = TagRegistry([KnownTag("04A1B2C3D4", "Alice", None, None, frozenset())])
    # A known card in any spelling is published under its normalized id, with its name.
    assert published_tag("04:a1:b2:c3:d4", registry, hash_unknown=True) == ("04A1B2C3D4", "Alice")
    assert published_tag("DEADBEEF", registry, hash_unknown=False) == ("DEADBEEF", None)
    assert published_tag("DEADBEEF", registry, hash_unknown=True) == (hash_tag("DEADBEEF"), None)
    assert published_tag(None, registry, hash_unknown=False) == (None, None)


def test_odd_box_values_become_unknown_cards_never_known_ones() -> None:
    """Issue 26 item 16: a card id with an odd character was silently "no card"."""
    from custom_components.ev_session_monitor.core.tags import odd_box_tag, validate_tag

    assert odd_box_tag("04A1?B2C3") == "04A1_B2C3"
    assert odd_box_tag("04a1\u00e9b2") == "04A1_B2"
    assert odd_box_tag("ABC") == "ABC"  # too short for an id: still something was presented
    for nothing in (None, "", "\0\0\0\0", "00000000", " "):
        assert odd_box_tag(nothing) is None
    assert odd_box_tag("04A1B2C3") is None  # a valid id is not odd
    odd = odd_box_tag("04A1B2C3D4?")
    assert odd == "04A1B2C3D4_"
    with pytest.raises(InvalidTagError):
        validate_tag(odd)  # cannot be admitted or match the known card 04A1B2C3D4
    assert TagRegistry([KnownTag("04A1B2C3D4", "Van")]).get(odd) is None


def test_one_label_rule_for_every_view() -> None:
    registry = TagRegistry([KnownTag("04A1B2C3D4", "Van")])
    assert tag_label("04A1B2C3D4", None, registry) == "Van"  # learned after the session
    assert tag_label("04A1B2C3D4", "Old name", registry) == "Van"  # renamed since
    assert tag_label("CAFE0001", "Gone card", registry) == "Gone card"  # removed since
    assert tag_label("CAFE0001", None, registry) is None
    assert tag_label(None, None, registry) is None
