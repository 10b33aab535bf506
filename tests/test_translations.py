"""Every translation string renders in the frontend (ICU MessageFormat, as intl-messageformat).

Home Assistant's frontend formats each string with intl-messageformat (formatjs). Its parser
(`@formatjs/icu-messageformat-parser`, `Parser.tryParseQuote`, `parseTag`, `parseArgument`) applies
these rules, which the checker below follows:
- an apostrophe followed by `{`, `}`, `<` or `>` starts quoted text that runs to the next single
  apostrophe, so `'{path}'` shows the literal text "{path}" instead of the value; `''` is one
  apostrophe; any other apostrophe is a plain character;
- `<` followed by a letter or `/` opens a rich-text tag: an unclosed one is the error
  UNCLOSED_TAG, and a closed one needs a formatting function the frontend never passes;
- `{name}` is an argument; `{` without its `}` is EXPECT_ARGUMENT_CLOSING_BRACE, `{}` is
  EMPTY_ARGUMENT.
Stricter than formatjs on purpose: a stray `}` and formatted arguments (`{n, plural, ...}`), which
no string here needs, are refused too.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

TRANSLATIONS = (
    Path(__file__).parent.parent / "custom_components/ev_session_monitor/translations/en.json"
)
# Characters that end an argument name (ICU Pattern_White_Space and Pattern_Syntax, ASCII part).
_NAME_END = set(string.whitespace) | set("{}<>,'#=|:;!?\"`~@$%^&*()[]/\\+-.")


class IcuError(ValueError):
    """The frontend would show a translation error or raw text for this string."""


def parse(message: str) -> list[tuple[str, str]]:
    """Return the message as ("text", value) and ("arg", name) parts; raise IcuError."""
    parts: list[tuple[str, str]] = []
    text: list[str] = []
    i, length = 0, len(message)
    while i < length:
        char = message[i]
        following = message[i + 1] if i + 1 < length else ""
        if char == "'":
            if following == "'":
                text.append("'")
                i += 2
            elif following and following in "{}<>":
                # Quoted text: up to the next single apostrophe (or the end), literally.
                i += 1
                while i < length:
                    if message[i] == "'":
                        if i + 1 < length and message[i + 1] == "'":
                            text.append("'")
                            i += 2
                            continue
                        i += 1
                        break
                    text.append(message[i])
                    i += 1
            else:
                text.append(char)
                i += 1
        elif char == "<" and (following.isalpha() or following == "/"):
            end = message.find(">", i)
            tag = message[i : end + 1] if end != -1 else message[i:]
            closing = f"</{tag[1:].rstrip('>/')}>"
            if end == -1 or (not tag.endswith("/>") and closing not in message[end:]):
                raise IcuError(f"UNCLOSED_TAG: {tag!r} in {message!r}")
            raise IcuError(f"rich-text tag {tag!r} (the frontend passes no value for it)")
        elif char == "{":
            if text:
                parts.append(("text", "".join(text)))
                text = []
            start = i
            i += 1
            while i < length and message[i] in string.whitespace:
                i += 1
            name_start = i
            while i < length and message[i] not in _NAME_END:
                i += 1
            name = message[name_start:i]
            while i < length and message[i] in string.whitespace:
                i += 1
            if i >= length:
                raise IcuError(f"EXPECT_ARGUMENT_CLOSING_BRACE at {start} in {message!r}")
            if not name:
                raise IcuError(f"EMPTY_ARGUMENT or MALFORMED_ARGUMENT at {start} in {message!r}")
            if message[i] != "}":
                raise IcuError(f"formatted or malformed argument at {start} in {message!r}")
            parts.append(("arg", name))
            i += 1
        elif char == "}":
            raise IcuError(f"unbalanced '}}' at {i} in {message!r}")
        else:
            text.append(char)
            i += 1
    if text:
        parts.append(("text", "".join(text)))
    return parts


def arguments(message: str) -> set[str]:
    """Names of the arguments the message expects."""
    return {value for kind, value in parse(message) if kind == "arg"}


def render(message: str, placeholders: Mapping[str, str] | None = None) -> str:
    """Format like the frontend; IcuError for syntax errors, missing values or raw braces."""
    values = dict(placeholders or {})
    out = []
    for kind, value in parse(message):
        if kind == "arg":
            if value not in values:
                raise IcuError(f"no value for {{{value}}} in {message!r}")
            out.append(str(values[value]))
        else:
            out.append(value)
    rendered = "".join(out)
    # Braces in the output come from quoting: the user would see a raw placeholder.
    if "{" in rendered or "}" in rendered:
        raise IcuError(f"raw placeholder shown (apostrophe quoting?) in {message!r}")
    return rendered


def leaves(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (dotted key, string) of a translation tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    else:
        assert isinstance(node, str), path
        yield path, node


def load() -> dict[str, Any]:
    """The English translations."""
    data: dict[str, Any] = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    return data


def lookup(translations: Mapping[str, Any], dotted: str) -> str:
    """The string at a dotted key; KeyError naming the key when it is missing."""
    node: Any = translations
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(f"missing translation {dotted}")
        node = node[part]
    if not isinstance(node, str):
        raise KeyError(f"{dotted} is not a string")
    return node


STRINGS = dict(leaves(load()))


@pytest.mark.parametrize("key", list(STRINGS))
def test_every_string_renders(key: str) -> None:
    """No quoting, tag or brace error; every argument gets a value and is shown."""
    message = STRINGS[key]
    rendered = render(message, dict.fromkeys(arguments(message), "VALUE"))
    assert rendered.count("VALUE") == len([p for p in parse(message) if p[0] == "arg"])


# Strings the frontend got wrong (issue 11), from the old en.json; and formatjs' own cases.
@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("Could not write '{path}': {error}", "raw placeholder"),
        ("'{entry_id}' is not a configured EV Session Monitor wallbox.", "raw placeholder"),
        (
            "Path relative to the configuration folder "
            "(default: ev_session_monitor/exports/sessions-<time>.csv).",
            "UNCLOSED_TAG",
        ),
        ("Bold <b>text</b>", "rich-text tag"),
        ("Open {path", "EXPECT_ARGUMENT_CLOSING_BRACE"),
        ("Empty {}", "EMPTY_ARGUMENT"),
        ("{count, plural, one {# tag} other {# tags}}", "formatted"),
        ("Stray } brace", "unbalanced"),
    ],
)
def test_checker_refuses_what_the_frontend_cannot_show(message: str, error: str) -> None:
    with pytest.raises(IcuError, match=error):
        render(message, {"path": "x", "error": "y", "entry_id": "z", "count": "1"})


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("the model's default", "the model's default"),
        ("separators like ':' are ignored", "separators like ':' are ignored"),
        ("It''s {name}", "It's N"),
        ("a '{'literal'}' brace pair", "a {literal} brace pair"),
        ("3 < 4 and i <3 you", "3 < 4 and i <3 you"),
    ],
)
def test_checker_follows_icu_apostrophe_rules(message: str, expected: str) -> None:
    """Apostrophes quote only before a special character; `''` is one apostrophe."""
    if "{" in expected:
        with pytest.raises(IcuError, match="raw placeholder"):
            render(message, {"name": "N"})
    else:
        assert render(message, {"name": "N"}) == expected


def test_missing_placeholder_value_is_an_error() -> None:
    with pytest.raises(IcuError, match=r"no value for \{charger\}"):
        render("Suspicious activity at {charger}", {})
