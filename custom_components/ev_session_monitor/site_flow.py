"""The site steps of the config flow and the site's options flow.

A site: a name, the fuse (A per phase), the margin, how long a raise waits, optional
sub-circuits (a carport breaker under the main fuse: each with a limit and a parent, a tree), the
wallboxes on it with their wiring, circuit and priority, and optionally the grid meter that makes
the limit dynamic. The same four forms serve adding a site and changing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import probatio as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import CONF_NAME, UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
from homeassistant.util import slugify

from .const import CONF_CONTROLS_ADMIN_ONLY, DOMAIN
from .core.site.model import IEC_MIN_CURRENT_A, MAX_PRIORITY
from .flow_fields import check_name, finite_numbers, number_field, whole_numbers
from .site_config import (
    CONF_CIRCUIT,
    CONF_CIRCUIT_NAME,
    CONF_CIRCUITS,
    CONF_FALLBACK,
    CONF_GRID_SOURCE,
    CONF_KIND,
    CONF_L1_PHASE,
    CONF_LIMIT,
    CONF_MARGIN,
    CONF_PARENT,
    CONF_PHASES,
    CONF_PRIORITY,
    CONF_STABLE,
    CONF_WALLBOXES,
    CURRENT_KEYS,
    DEFAULT_MARGIN_A,
    DEFAULT_STABLE_S,
    GRID_CURRENT,
    GRID_NONE,
    GRID_POWER,
    GRID_SOURCES,
    KIND_SITE,
    MAIN_CIRCUIT,
    POWER_KEYS,
    VOLTAGE_KEYS,
    controllable_wallboxes,
    is_site_entry,
    sub_circuits,
)

MAX_LIMIT_A = 1000
MAX_STABLE_S = 900
# The main form's list of sub-circuit names (typed in; each gets a form of its own).
CONF_SUB_CIRCUITS = "sub_circuits"
_AMPS = UnitOfElectricCurrent.AMPERE


def _main_schema(hass: HomeAssistant, defaults: dict[str, Any], *, with_name: bool) -> vol.Schema:
    fields: dict[Any, Any] = {}
    if with_name:
        fields[vol.Required(CONF_NAME, default=defaults.get(CONF_NAME, "Site"))] = str
    fields[vol.Required(CONF_LIMIT, default=defaults.get(CONF_LIMIT, vol.UNDEFINED))] = (
        number_field(IEC_MIN_CURRENT_A, MAX_LIMIT_A, step=0.1, unit=_AMPS)
    )
    fields[vol.Required(CONF_MARGIN, default=defaults.get(CONF_MARGIN, DEFAULT_MARGIN_A))] = (
        number_field(0, MAX_LIMIT_A, step=0.1, unit=_AMPS)
    )
    fields[vol.Required(CONF_STABLE, default=defaults.get(CONF_STABLE, DEFAULT_STABLE_S))] = (
        number_field(0, MAX_STABLE_S, unit="s")
    )
    fields[vol.Required(CONF_WALLBOXES, default=list(defaults.get(CONF_WALLBOXES, [])))] = (
        selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=entry.entry_id, label=entry.title)
                    for entry in controllable_wallboxes(hass)
                ],
                multiple=True,
                mode=selector.SelectSelectorMode.LIST,
            )
        )
    )
    names = list(defaults.get(CONF_SUB_CIRCUITS, []))
    fields[vol.Optional(CONF_SUB_CIRCUITS, default=names)] = selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[selector.SelectOptionDict(value=name, label=name) for name in names],
            multiple=True,
            custom_value=True,
        )
    )
    fields[
        vol.Required(
            CONF_CONTROLS_ADMIN_ONLY, default=bool(defaults.get(CONF_CONTROLS_ADMIN_ONLY, False))
        )
    ] = selector.BooleanSelector()
    fields[vol.Required(CONF_GRID_SOURCE, default=defaults.get(CONF_GRID_SOURCE, GRID_NONE))] = (
        selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=list(GRID_SOURCES), translation_key="site_grid_source"
            )
        )
    )
    return vol.Schema(fields)


def _check_main(
    hass: HomeAssistant, user_input: dict[str, Any], own_entry_id: str | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    finite_numbers(user_input, (CONF_LIMIT, CONF_MARGIN, CONF_STABLE), errors)
    if errors:
        return errors
    limit, margin = float(user_input[CONF_LIMIT]), float(user_input[CONF_MARGIN])
    # The selectors bound each number; what they cannot: the margin against the limit.
    if limit - margin < IEC_MIN_CURRENT_A:
        errors[CONF_MARGIN] = "margin_too_large"
    ids = [slugify(str(name)) for name in user_input.get(CONF_SUB_CIRCUITS) or []]
    if any(not i or i == MAIN_CIRCUIT for i in ids) or len(set(ids)) != len(ids):
        errors[CONF_SUB_CIRCUITS] = "invalid_circuit_names"
    chosen = list(user_input.get(CONF_WALLBOXES) or [])
    known = {entry.entry_id for entry in controllable_wallboxes(hass)}
    if not chosen or not set(chosen) <= known:
        errors[CONF_WALLBOXES] = "no_wallboxes"
    elif any(
        entry.entry_id != own_entry_id and set(chosen) & set(entry.options.get(CONF_WALLBOXES, {}))
        for entry in hass.config_entries.async_entries(DOMAIN)
        if is_site_entry(entry)
    ):
        errors[CONF_WALLBOXES] = "wallbox_on_other_site"
    return errors


def _circuit_options(main_name: str, circuits: dict[str, Any]) -> list[selector.SelectOptionDict]:
    """The main fuse (named like the site) and the sub-circuits, as a select's options."""
    return [
        selector.SelectOptionDict(value=MAIN_CIRCUIT, label=main_name),
        *(
            selector.SelectOptionDict(value=circuit_id, label=str(circuit[CONF_CIRCUIT_NAME]))
            for circuit_id, circuit in circuits.items()
        ),
    ]


def _box_schema(defaults: dict[str, Any], circuits: list[selector.SelectOptionDict]) -> vol.Schema:
    fields: dict[Any, Any] = {}
    if len(circuits) > 1:
        known = {option["value"] for option in circuits}
        default = str(defaults.get(CONF_CIRCUIT, MAIN_CIRCUIT))
        default = default if default in known else MAIN_CIRCUIT
        fields[vol.Required(CONF_CIRCUIT, default=default)] = selector.SelectSelector(
            selector.SelectSelectorConfig(options=circuits)
        )
    return vol.Schema(
        {
            **fields,
            vol.Required(CONF_L1_PHASE, default=str(defaults.get(CONF_L1_PHASE, 0))): (
                selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=["0", "1", "2"], translation_key="site_l1_phase"
                    )
                )
            ),
            vol.Required(CONF_PHASES, default=str(defaults.get(CONF_PHASES, 3))): (
                selector.SelectSelector(
                    selector.SelectSelectorConfig(options=["3", "1"], translation_key="site_phases")
                )
            ),
            vol.Required(CONF_PRIORITY, default=defaults.get(CONF_PRIORITY, 0)): number_field(
                0, MAX_PRIORITY
            ),
        }
    )


def _check_box(user_input: dict[str, Any], errors: dict[str, str]) -> dict[str, int]:
    cleaned = whole_numbers(user_input, (CONF_PRIORITY,), errors)
    if errors:
        return {}
    priority = int(cleaned[CONF_PRIORITY])
    wiring: dict[str, Any] = {
        CONF_L1_PHASE: int(cleaned[CONF_L1_PHASE]),
        CONF_PHASES: int(cleaned[CONF_PHASES]),
        CONF_PRIORITY: priority,
    }
    if cleaned.get(CONF_CIRCUIT, MAIN_CIRCUIT) != MAIN_CIRCUIT:
        wiring[CONF_CIRCUIT] = str(cleaned[CONF_CIRCUIT])
    return wiring


def _circuit_schema(
    defaults: dict[str, Any], parents: list[selector.SelectOptionDict]
) -> vol.Schema:
    known = {option["value"] for option in parents}
    parent = str(defaults.get(CONF_PARENT, MAIN_CIRCUIT))
    return vol.Schema(
        {
            vol.Required(CONF_LIMIT, default=defaults.get(CONF_LIMIT, vol.UNDEFINED)): (
                number_field(IEC_MIN_CURRENT_A, MAX_LIMIT_A, step=0.1, unit=_AMPS)
            ),
            vol.Required(CONF_PARENT, default=parent if parent in known else MAIN_CIRCUIT): (
                selector.SelectSelector(selector.SelectSelectorConfig(options=parents))
            ),
        }
    )


def _check_circuit(
    user_input: dict[str, Any], site: dict[str, Any], errors: dict[str, str]
) -> None:
    """A sub-circuit's limit: enough for a car after the margin, and not above its parent's.

    A breaker rated above the one it hangs under never limits anything: the parent trips first.
    Such a limit is refused rather than kept, as it is most likely a typing error (160 for 16).
    """
    finite_numbers(user_input, (CONF_LIMIT,), errors)
    if errors:
        return
    limit = float(user_input[CONF_LIMIT])
    parent = str(user_input[CONF_PARENT])
    parent_limit = float(
        site[CONF_LIMIT] if parent == MAIN_CIRCUIT else site[CONF_CIRCUITS][parent][CONF_LIMIT]
    )
    if limit - float(site[CONF_MARGIN]) < IEC_MIN_CURRENT_A:
        errors[CONF_LIMIT] = "circuit_limit_too_low"
    elif limit > parent_limit:
        errors[CONF_LIMIT] = "circuit_above_parent"


def _grid_schema(source: str, defaults: dict[str, Any]) -> vol.Schema:
    sensors = selector.EntitySelector(selector.EntitySelectorConfig(domain="sensor"))
    fields: dict[Any, Any] = {}
    keys = CURRENT_KEYS if source == GRID_CURRENT else POWER_KEYS
    for key in keys:
        fields[vol.Required(key, default=defaults.get(key, vol.UNDEFINED))] = sensors
    if source == GRID_POWER:
        for key in VOLTAGE_KEYS:
            fields[vol.Optional(key, description={"suggested_value": defaults.get(key)})] = sensors
    suggested = {"suggested_value": defaults.get(CONF_FALLBACK)}
    fallback = vol.Optional(CONF_FALLBACK, description=suggested)
    fields[fallback] = number_field(0, MAX_LIMIT_A, step=0.1, unit=_AMPS)
    return vol.Schema(fields)


def _check_grid(
    hass: HomeAssistant, user_input: dict[str, Any], limit: float, errors: dict[str, str]
) -> None:
    for key in (*CURRENT_KEYS, *POWER_KEYS, *VOLTAGE_KEYS):
        entity_id = user_input.get(key)
        if entity_id and hass.states.get(entity_id) is None:
            errors[key] = "entity_not_found"
    finite_numbers(user_input, (CONF_FALLBACK,), errors)
    fallback = user_input.get(CONF_FALLBACK)
    if CONF_FALLBACK not in errors and fallback is not None and fallback > limit:
        errors[CONF_FALLBACK] = "fallback_out_of_range"


class _SiteForms:
    """The walk through the three forms; the flow classes say where it starts and ends."""

    hass: HomeAssistant
    if TYPE_CHECKING:  # given by the flow class the forms are mixed into

        def async_show_form(self, **kwargs: Any) -> ConfigFlowResult: ...

    _site: dict[str, Any]
    _circuits_left: list[tuple[str, str]]
    _boxes_left: list[str]
    _previous: dict[str, Any]
    _main_name: str

    def _start(self, user_input: dict[str, Any], previous: dict[str, Any], main_name: str) -> None:
        self._previous = previous
        self._main_name = main_name
        self._site = {
            key: user_input[key]
            for key in (
                CONF_LIMIT,
                CONF_MARGIN,
                CONF_STABLE,
                CONF_GRID_SOURCE,
                CONF_CONTROLS_ADMIN_ONLY,
            )
        }
        self._site[CONF_CIRCUITS] = {}
        self._site[CONF_WALLBOXES] = {}
        names = [str(name) for name in user_input.get(CONF_SUB_CIRCUITS) or []]
        self._circuits_left = [(slugify(name), name) for name in names]
        self._boxes_left = list(user_input[CONF_WALLBOXES])

    async def _async_after_main(self) -> ConfigFlowResult:
        if self._circuits_left:
            return await self.async_step_site_circuit()
        return await self.async_step_site_box()

    def _box_title(self) -> dict[str, str]:
        entry = self.hass.config_entries.async_get_entry(self._boxes_left[0])
        return {"wallbox": entry.title if entry is not None else self._boxes_left[0]}

    def _box_defaults(self) -> dict[str, Any]:
        wiring: dict[str, Any] = dict(self._previous.get(CONF_WALLBOXES, {})).get(
            self._boxes_left[0], {}
        )
        return wiring

    def _take_box(self, user_input: dict[str, Any], errors: dict[str, str]) -> bool:
        wiring = _check_box(user_input, errors)
        if errors:
            return False
        self._site[CONF_WALLBOXES][self._boxes_left.pop(0)] = wiring
        return True

    def _take_grid(self, user_input: dict[str, Any], errors: dict[str, str]) -> None:
        _check_grid(self.hass, user_input, float(self._site[CONF_LIMIT]), errors)
        if not errors:
            self._site.update({key: value for key, value in user_input.items() if value})
            if user_input.get(CONF_FALLBACK) == 0:
                self._site[CONF_FALLBACK] = 0

    async def async_step_site_circuit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One sub-circuit's limit and the circuit it hangs under (shown once per sub-circuit).

        Its parent is the main fuse or a sub-circuit named before it, so the circuits form a
        tree by construction (no loop can be entered).
        """
        errors: dict[str, str] = {}
        circuit_id, name = self._circuits_left[0]
        parents = _circuit_options(self._main_name, self._site[CONF_CIRCUITS])
        if user_input is not None:
            user_input = dict(user_input)
            _check_circuit(user_input, self._site, errors)
            if not errors:
                self._circuits_left.pop(0)
                self._site[CONF_CIRCUITS][circuit_id] = {
                    CONF_CIRCUIT_NAME: name,
                    CONF_LIMIT: float(user_input[CONF_LIMIT]),
                    CONF_PARENT: str(user_input[CONF_PARENT]),
                }
                if self._circuits_left:
                    return await self.async_step_site_circuit()
                return await self.async_step_site_box()
        defaults = user_input or sub_circuits(self._previous).get(circuit_id, {})
        return self.async_show_form(
            step_id="site_circuit",
            data_schema=_circuit_schema(defaults, parents),
            description_placeholders={"circuit": name},
            errors=errors,
        )

    async def async_step_site_box(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One wallbox's wiring, circuit and priority (shown once per wallbox)."""
        errors: dict[str, str] = {}
        if user_input is not None and self._take_box(dict(user_input), errors):
            if self._boxes_left:
                return await self.async_step_site_box()
            if self._site[CONF_GRID_SOURCE] == GRID_NONE:
                return self._finish()
            return await self.async_step_site_grid()
        return self.async_show_form(
            step_id="site_box",
            data_schema=_box_schema(
                user_input or self._box_defaults(),
                _circuit_options(self._main_name, self._site[CONF_CIRCUITS]),
            ),
            description_placeholders=self._box_title(),
            errors=errors,
        )

    async def async_step_site_grid(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The grid meter's sensors, per phase, and the safe share while they are stale."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._take_grid(dict(user_input), errors)
            if not errors:
                return self._finish()
        return self.async_show_form(
            step_id="site_grid",
            data_schema=_grid_schema(self._site[CONF_GRID_SOURCE], user_input or self._previous),
            errors=errors,
        )

    def _finish(self) -> ConfigFlowResult:
        raise NotImplementedError  # pragma: no cover - each flow class ends the walk its way


class SiteConfigSteps(_SiteForms, ConfigFlow):
    """The config flow's steps that add a site (mixed into the integration's flow)."""

    _site_name: str = ""

    async def async_step_site(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name, fuse, margin, stable interval, the wallboxes, the sub-circuits, the grid meter."""
        if not controllable_wallboxes(self.hass):
            return self.async_abort(reason="no_controllable_wallboxes")
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input = dict(user_input)
            check_name(user_input, errors)
            errors.update(_check_main(self.hass, user_input, None))
            if not errors:
                await self.async_set_unique_id(f"site_{slugify(user_input[CONF_NAME])}")
                self._abort_if_unique_id_configured(error="site_already_configured")
                self._site_name = user_input[CONF_NAME]
                self._start(user_input, {}, self._site_name)
                return await self._async_after_main()
        return self.async_show_form(
            step_id="site",
            data_schema=_main_schema(self.hass, user_input or {}, with_name=True),
            errors=errors,
        )

    def _finish(self) -> ConfigFlowResult:
        return self.async_create_entry(
            title=self._site_name, data={CONF_KIND: KIND_SITE}, options=self._site
        )


class SiteOptionsFlow(_SiteForms, OptionsFlowWithReload):
    """Change a site: the same forms, filled in with what it has."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The site's settings (a wallbox's options start with a menu of their own)."""
        return await self.async_step_site()

    async def async_step_site(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Fuse, margin, stable interval, the wallboxes, the sub-circuits, the grid measurement."""
        errors: dict[str, str] = {}
        options = dict(self.config_entry.options)
        if user_input is not None:
            user_input = dict(user_input)
            errors = _check_main(self.hass, user_input, self.config_entry.entry_id)
            if not errors:
                self._start(user_input, options, self.config_entry.title)
                return await self._async_after_main()
        defaults = user_input or {
            **options,
            CONF_WALLBOXES: list(options.get(CONF_WALLBOXES, {})),
            CONF_SUB_CIRCUITS: [c[CONF_CIRCUIT_NAME] for c in sub_circuits(options).values()],
        }
        return self.async_show_form(
            step_id="site",
            data_schema=_main_schema(self.hass, defaults, with_name=False),
            errors=errors,
        )

    def _finish(self) -> ConfigFlowResult:
        return self.async_create_entry(data=self._site)
