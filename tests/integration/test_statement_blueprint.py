"""The monthly statement blueprint (issue 24), run by Home Assistant's automation engine.

Real parts: the blueprint file, the automation engine, the time trigger, the create_statement
action writing the PDF and the card devices it finds. Mocked: the mail notify action (no mail
server can exist here).
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.util import dt as dt_util

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.tags import KnownTag

from .conftest import SetupEntry, TestClock, fire_home_assistant_timers
from .test_access import session
from .test_blueprints import stop_automations, use_blueprints  # noqa: F401 (the fixture)

ALICE = "04A1B2C3D4"
BOB = "0BB0B0B0B0"
MAIL = "notify.company_mail"


@pytest.fixture
def local_now(clock: TestClock, monkeypatch: pytest.MonkeyPatch) -> TestClock:
    """Templates' now() follows the test clock too."""
    monkeypatch.setattr(
        dt_util,
        "now",
        lambda time_zone=None: dt_util.as_local(clock.now).astimezone(time_zone)
        if time_zone
        else dt_util.as_local(clock.now),
    )
    return clock


async def test_every_cards_statement_of_last_month_is_mailed_on_the_first(
    hass: HomeAssistant, setup_entry: SetupEntry, local_now: TestClock
) -> None:
    hass.config.currency = "EUR"
    # The first of a month ahead (the test clock only moves forward), 06:59 local.
    today = dt_util.now().date()
    first = dt_util.start_of_local_day((today.replace(day=1) + timedelta(days=32)).replace(day=1))
    last_month = (first - timedelta(days=1)).strftime("%Y-%m")
    local_now.now = dt_util.as_utc(first - timedelta(days=1, hours=12))  # the last day, noon
    entry = await setup_entry()
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(ALICE, "Alice's car"))
    await tags.async_add(KnownTag(BOB, "Bob's van"))
    archive = hass.data[DOMAIN].archive
    # Last month: two sessions of Alice's, one of Bob's; this month: one of Alice's.
    for index, (tag, days) in enumerate(((ALICE, -10), (ALICE, -9), (BOB, -8), (ALICE, 0))):
        start = dt_util.as_utc(first + timedelta(days=days, hours=1))
        record = replace(session(index, ALICE, entry.unique_id), tag_id=tag, tag_name=None)
        await archive.async_add(
            replace(record, started_at=start, ended_at=start + timedelta(hours=2))
        )
    await hass.async_block_till_done()
    mails: list[ServiceCall] = []
    hass.services.async_register("notify", "company_mail", mails.append)
    await use_blueprints(hass, ("monthly_statement", {"notify_actions": [MAIL]}))

    # Noon of the last day, then 07:00 of the first: one mail per card, the first only.
    local_now.now = dt_util.as_utc(first - timedelta(days=1) + timedelta(hours=7, seconds=1))
    fire_home_assistant_timers(hass, local_now.now)
    await hass.async_block_till_done()
    assert mails == []
    local_now.now = dt_util.as_utc(first + timedelta(hours=7, seconds=1))
    fire_home_assistant_timers(hass, local_now.now)
    await hass.async_block_till_done()

    assert sorted(call.data["title"] for call in mails) == [f"Charging statement {last_month}"] * 2
    by_file = {Path(call.data["data"]["images"][0]): call.data["message"] for call in mails}
    texts = {}
    for file, message in by_file.items():
        assert file.is_relative_to(hass.config.config_dir)
        reader = pypdf.PdfReader(io.BytesIO(file.read_bytes()))
        texts[message] = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    alice, bob = sorted(texts, key=lambda message: message.startswith("1 "))
    assert alice.startswith("2 sessions, 2.001 kWh, 0.6 EUR")
    assert bob.startswith("1 sessions, 1.002 kWh, 0.3 EUR")
    assert "Alice's car (04A1B2C3D4)" in texts[alice]
    assert "Bob's van (0BB0B0B0B0)" in texts[bob]
