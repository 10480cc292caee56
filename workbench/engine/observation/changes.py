"""Publishing `CatalogueChanged` events: one place that stamps them with the time and the initiator."""

from __future__ import annotations

from workbench.engine.core.clock import Clock
from workbench.engine.core.initiator import current_initiator
from workbench.engine.observation.events import CatalogueChanged, CatalogueResource, Change, EventBus


class ChangeAnnouncer:
    def __init__(self, bus: EventBus, clock: Clock) -> None:
        self._bus = bus
        self._clock = clock

    def __call__(self, resource: CatalogueResource, change: Change, name: str, qualifier: str | None = None) -> None:
        self._bus.publish(CatalogueChanged(self._clock.time(), resource, change, name, qualifier,
                                           current_initiator()))
