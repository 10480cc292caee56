"""The environment map pane: the map in a scroll area, fed by the bridge."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from workbench.engine import EngineStatistics
from workbench.gui.bridge import EventBatch
from workbench.gui.models.environment_tiles import EnvironmentTiles
from workbench.gui.widgets.environment_map import EnvironmentMap
from workbench.gui.widgets.repaint import PacedRefresh

#: Tiles change colour several times per invocation; ten redraws a second keep up with the eye.
MAP_REFRESH_MS = 100


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
        self._paced = PacedRefresh(self.map.refresh, MAP_REFRESH_MS, self)

    def add_events(self, batch: EventBatch) -> None:
        if batch.environments:
            self.tiles.apply(batch.environments)
            self._paced.request()

    def add_statistics(self, statistics: EngineStatistics) -> None:
        self.tiles.reconcile(statistics)
        self._paced.request()

    def reset(self) -> None:
        self.tiles.clear()
        self.map.refresh()
