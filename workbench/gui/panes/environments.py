"""The environment map pane: the map in a scroll area, fed by the bridge."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from workbench.engine.statistics import EngineStatistics
from workbench.gui.bridge import EventBatch
from workbench.gui.models.environment_tiles import EnvironmentTiles
from workbench.gui.widgets.environment_map import EnvironmentMap


class EnvironmentsPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = EnvironmentTiles()
        self.map = EnvironmentMap(self.tiles)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.map)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def add_events(self, batch: EventBatch) -> None:
        if batch.environments:
            self.tiles.apply(batch.environments)
            self.map.refresh()

    def add_statistics(self, statistics: EngineStatistics) -> None:
        self.tiles.reconcile(statistics)
        self.map.refresh()

    def reset(self) -> None:
        self.tiles.clear()
        self.map.refresh()
