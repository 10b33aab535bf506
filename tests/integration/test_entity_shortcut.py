"""What EvEntity's shared-listener shortcut relies on in Home Assistant's CoordinatorEntity.

EvEntity.async_added_to_hass calls super(BaseCoordinatorEntity, self).async_added_to_hass(): it
skips the coordinator entity's own step and joins the box's one listener instead. That is only
right while the skipped step does nothing but add that listener and pass on to Entity. These
tests run the real classes of the installed Home Assistant, so a change there breaks a test, not
the entities of a user (which would then miss whatever the new step does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import BaseCoordinatorEntity, CoordinatorEntity

from custom_components.ev_session_monitor.entity import EvEntity


class RecordingCoordinator:
    """Stands in for the coordinator: records who listens, and how."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, Any]] = []
        self.last_update_success = True
        self.charger_id = "box"

    def async_add_listener(
        self, update: Callable[[], None], context: Any = None
    ) -> Callable[[], None]:
        self.calls.append(("listener", update, context))
        return lambda: self.calls.append(("listener removed", update, context))

    def async_add_entity(self, entity: Any) -> Callable[[], None]:
        self.calls.append(("entity", entity, None))
        return lambda: self.calls.append(("entity removed", entity, None))


@pytest.fixture
def entity_steps(monkeypatch: pytest.MonkeyPatch) -> list[Entity]:
    """Entities whose Entity.async_added_to_hass ran (the step below the coordinator's)."""
    ran: list[Entity] = []
    original = Entity.async_added_to_hass

    async def record(self: Entity) -> None:
        ran.append(self)
        await original(self)

    monkeypatch.setattr(Entity, "async_added_to_hass", record)
    return ran


async def test_the_coordinator_step_only_adds_one_listener(entity_steps: list[Entity]) -> None:
    """The step EvEntity skips: pass on to Entity, add _handle_coordinator_update, nothing else."""
    coordinator = RecordingCoordinator()
    entity: CoordinatorEntity[Any] = CoordinatorEntity(coordinator, context="ctx")  # type: ignore[arg-type]
    before = dict(vars(entity))

    await entity.async_added_to_hass()

    assert entity_steps == [entity]
    assert coordinator.calls == [("listener", entity._handle_coordinator_update, "ctx")]
    # The listener's removal is the only thing it leaves on the entity.
    assert {k: v for k, v in vars(entity).items() if k != "_on_remove"} == before
    assert entity._on_remove is not None
    (remove,) = entity._on_remove
    remove()
    assert coordinator.calls[-1][0] == "listener removed"


def test_only_the_base_coordinator_entity_has_a_step_between() -> None:
    """super(BaseCoordinatorEntity, ...) lands on Entity's step: no other class in between."""
    chain = CoordinatorEntity.__mro__
    between = chain[chain.index(CoordinatorEntity) : chain.index(Entity)]
    with_step = [cls for cls in between if "async_added_to_hass" in vars(cls)]
    assert with_step == [BaseCoordinatorEntity]
    with_removal = [cls for cls in between if "async_will_remove_from_hass" in vars(cls)]
    assert with_removal == []


async def test_ev_entity_runs_entity_step_and_joins_the_box(entity_steps: list[Entity]) -> None:
    """EvEntity: Entity's step runs, no listener of its own, one place among the box's entities."""
    coordinator = RecordingCoordinator()
    entity = EvEntity(coordinator, EntityDescription(key="probe"))  # type: ignore[arg-type]

    await entity.async_added_to_hass()

    assert entity_steps == [entity]
    assert coordinator.calls == [("entity", entity, None)]
