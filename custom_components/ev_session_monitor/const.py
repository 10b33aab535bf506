"""Constants of the EV Session Monitor integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "ev_session_monitor"
LOGGER = logging.getLogger(__package__)

CONF_PROFILE: Final = "profile"
CONF_UNIT_ID: Final = "unit_id"

# Options
CONF_POLL_INTERVAL: Final = "poll_interval"
# Poll interval while no vehicle is plugged in; shorter than CONF_POLL_INTERVAL (0) = that.
CONF_IDLE_POLL_INTERVAL: Final = "idle_poll_interval"
CONF_PRICE_SOURCE: Final = "price_source"
CONF_FIXED_PRICE: Final = "fixed_price"
CONF_PRICE_ENTITY: Final = "price_entity"
CONF_SUSPICIOUS_ATTEMPTS: Final = "suspicious_attempts"
CONF_SUSPICIOUS_WINDOW_MIN: Final = "suspicious_window_min"
CONF_REQUIRES_AUTHORIZATION: Final = "requires_authorization"
CONF_ENFORCE: Final = "enforce_authorization"
CONF_RELEASE_CURRENT: Final = "release_current"
CONF_BATTERY_CAPACITY: Final = "battery_capacity_kwh"
CONF_SOC_ENTITY: Final = "soc_entity"
CONF_HASH_UNKNOWN_TAGS: Final = "hash_unknown_tags"
# Only administrators may use the switch, number, select and button entities (issue 26).
CONF_CONTROLS_ADMIN_ONLY: Final = "controls_admin_only"
# Card names show only to administrators; others see "Card 3" (issue 26).
CONF_CARD_NAMES_ADMIN_ONLY: Final = "card_names_admin_only"

PRICE_NONE: Final = "none"
PRICE_FIXED: Final = "fixed"
PRICE_SENSOR: Final = "sensor"

DEFAULT_POLL_INTERVAL_S: Final = 10
MIN_POLL_INTERVAL_S: Final = 2
DEFAULT_SUSPICIOUS_ATTEMPTS: Final = 3
DEFAULT_SUSPICIOUS_WINDOW_MIN: Final = 10
# A poll interval this many times longer than configured is a polling gap.
GAP_FACTOR: Final = 3

# Bus events (stored by the recorder, described in the logbook, used by device triggers).
EVENT_SESSION_STARTED: Final = f"{DOMAIN}_session_started"
EVENT_SESSION_COMPLETED: Final = f"{DOMAIN}_session_completed"
EVENT_UNKNOWN_TAG: Final = f"{DOMAIN}_unknown_tag"
EVENT_TAG_ACCEPTED: Final = f"{DOMAIN}_tag_accepted"
EVENT_SUSPICIOUS_ACTIVITY: Final = f"{DOMAIN}_suspicious_activity"
# A site paused a box (no headroom, or for a box of higher priority) or let it charge again.
EVENT_SITE_PAUSED: Final = f"{DOMAIN}_site_paused"
EVENT_SITE_RESUMED: Final = f"{DOMAIN}_site_resumed"
# A card was blocked, removed or no longer allowed while its OCPP transaction ran: the box was
# told to stop it (RemoteStopTransaction).
EVENT_CARD_WITHDRAWN: Final = f"{DOMAIN}_card_withdrawn"

# Event entity types; each has a bus event f"{DOMAIN}_{type}".
EVENT_TYPES: Final = (
    "tag_accepted",
    "unknown_tag",
    "suspicious_activity",
    "session_started",
    "session_completed",
)

USER_PROFILE_DIR: Final = "ev_session_monitor/profiles"
HISTORY_FILE: Final = "ev_session_monitor/history.sqlite"
EXPORT_DIR: Final = "ev_session_monitor/exports"

# OCPP 1.6J charge points (they connect to Home Assistant's central system).
CONF_TRANSPORT: Final = "transport"
TRANSPORT_OCPP: Final = "ocpp"
CONF_CHARGE_POINT_ID: Final = "charge_point_id"
CONF_OCPP_PORT: Final = "ocpp_port"
DEFAULT_OCPP_PORT: Final = 9000
# The card RemoteStartTransaction names (the charging switch); default: the "Home Assistant" card.
CONF_REMOTE_START_TAG: Final = "remote_start_tag"
HOME_ASSISTANT_TAG_ID: Final = "HOMEASSISTANT"
# Security profile 2 (wss://): the certificate (chain) and private key files, PEM.
CONF_OCPP_CERTIFICATE: Final = "ocpp_certificate"
CONF_OCPP_KEY: Final = "ocpp_key"
# ... or the certificate and key Home Assistant's own web server uses (http: ssl_certificate).
CONF_OCPP_HA_CERTIFICATE: Final = "ocpp_ha_certificate"
OCPP_TRANSACTION_IDS_FILE: Final = "ev_session_monitor/ocpp_transaction_ids.json"
