"""Colours and fonts, chosen to read well on a projector: a light Fusion palette, large type, and state
colours that stay distinct for the colour-blind (blue/orange contrast, never red against green alone)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from workbench.engine import EnvState

#: Base point size of the whole UI; projectors need more than a laptop's default 9-10 pt.
BASE_POINT_SIZE = 11

#: One colour per environment state, shared by the graph, the environment map and their legends.
STATE_COLOURS: dict[str, str] = {
    EnvState.STARTING.value: "#f0a30a",       # amber: cold start under way
    EnvState.INITIALISING.value: "#f0a30a",
    EnvState.BUSY.value: "#d9480f",           # deep orange: serving a request
    EnvState.IDLE.value: "#4dabf7",           # light blue: warm, waiting
    EnvState.FROZEN.value: "#1c7ed6",         # blue: warm, paused between requests
    EnvState.STOPPED.value: "#adb5bd",        # grey: gone
}
PROVISIONED_COLOUR = "#7048e8"   # violet
CONCURRENCY_COLOUR = "#212529"   # near-black line
THROTTLE_COLOUR = "#e03131"      # red markers
COLD_START_COLOUR = "#f0a30a"
RESERVED_COLOUR = "#e03131"
INIT_COLOUR = "#f0a30a"
INVOKE_COLOUR = "#1c7ed6"
OVERHEAD_COLOUR = "#868e96"
ERROR_COLOUR = "#c92a2a"
SUCCESS_COLOUR = "#2b8a3e"
WARN_COLOUR = "#b35c00"
MUTED_COLOUR = "#6c757d"
PLATFORM_COLOUR = "#0b7285"
START_BACKGROUND = "#e7f5ff"

#: (background, foreground, symbol) per message level.
MESSAGE_STYLES = {
    "info": ("#e7f5ff", "#1864ab", "ℹ"),  # noqa: RUF001 - the information sign is meant
    "warning": ("#fff4e6", "#a04a00", "⚠"),
    "error": ("#fff0f0", "#c92a2a", "✖"),
}

GRAPH_BACKGROUND = "#ffffff"
GRID_COLOUR = "#e9ecef"
AXIS_TEXT_COLOUR = "#495057"


def colour(name: str) -> QColor:
    return QColor(name)


def state_colour(state: str) -> QColor:
    return QColor(STATE_COLOURS.get(state, STATE_COLOURS["stopped"]))


def monospace_font(point_size: int = BASE_POINT_SIZE) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(point_size)
    return font


def apply(app: QApplication) -> None:
    """Fusion style with a light, high-contrast palette and the projector-sized font."""
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f1f3f5"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#212529"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8f9fa"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#212529"))
    palette.setColor(QPalette.ColorRole.Button, QColor("#e9ecef"))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor("#212529"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1c7ed6"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor("#212529"))
    app.setPalette(palette)
    font = app.font()
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(
        "QDockWidget::title { background: #dee2e6; padding: 4px 8px; font-weight: bold; }"
        "QToolBar { spacing: 6px; padding: 3px; }"
        "QStatusBar QLabel { padding: 0 10px; }"
    )
