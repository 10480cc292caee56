"""Colours and fonts. The colours are data, in resources/themes/<name>.json (light and dark); this module
loads one and exposes it under the names the widgets read (`theme.ERROR_COLOUR`, ...), plus the projector-sized
font and the Fusion style.

Widgets read these names when they paint or build, so a theme is chosen once, before the window is made
(`workbench gui --theme dark`, or WORKBENCH_THEME).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from workbench.engine import EnvState
from workbench.resources import theme_names, theme_path

#: Base point size of the whole UI; projectors need more than a laptop's default 9-10 pt.
BASE_POINT_SIZE = 11
DEFAULT_THEME = "light"

#: The message levels' symbols (not colours: those are the theme's).
_MESSAGE_SYMBOLS = {"info": "ℹ", "warning": "⚠", "error": "✖"}  # noqa: RUF001 - the information sign is meant


class ThemeError(ValueError):
    """A theme that is not shipped, or whose file is not a complete theme."""


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    palette: dict[str, str]
    states: dict[str, str]
    colours: dict[str, str]
    messages: dict[str, tuple[str, str, str]]


def load_theme(name: str) -> Theme:
    """Read and check resources/themes/``name``.json: every state, colour and message level must be there."""
    if name not in theme_names():
        raise ThemeError(f"no theme {name!r}; the themes are: {', '.join(theme_names())}")
    try:
        document: dict[str, Any] = json.loads(theme_path(name).read_text(encoding="utf-8"))
        states = {state.value: str(document["states"][state.value]) for state in EnvState}
        colours = {key: str(document["colours"][key]) for key in _COLOUR_KEYS}
        messages = {level: (str(document["messages"][level][0]), str(document["messages"][level][1]), symbol)
                    for level, symbol in _MESSAGE_SYMBOLS.items()}
        palette = {str(role): str(value) for role, value in document["palette"].items()}
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise ThemeError(f"the theme file {theme_path(name)} is incomplete or not JSON: {exc!r}") from exc
    unknown = [role for role in palette if not hasattr(QPalette.ColorRole, role)]
    if unknown:
        raise ThemeError(f"the theme {name!r} names palette roles Qt does not have: {', '.join(unknown)}")
    return Theme(name, palette, states, colours, messages)


_COLOUR_KEYS = ("provisioned", "concurrency", "throttle", "cold_start", "reserved", "init", "invoke", "overhead",
                "error", "success", "warn", "muted", "platform", "start_background", "graph_background", "grid",
                "axis_text", "dock_title")

# The names widgets read; `use_theme` fills them from the theme's file.
current: Theme
STATE_COLOURS: dict[str, str]
MESSAGE_STYLES: dict[str, tuple[str, str, str]]
PROVISIONED_COLOUR = CONCURRENCY_COLOUR = THROTTLE_COLOUR = COLD_START_COLOUR = RESERVED_COLOUR = ""
INIT_COLOUR = INVOKE_COLOUR = OVERHEAD_COLOUR = ERROR_COLOUR = SUCCESS_COLOUR = WARN_COLOUR = MUTED_COLOUR = ""
PLATFORM_COLOUR = START_BACKGROUND = GRAPH_BACKGROUND = GRID_COLOUR = AXIS_TEXT_COLOUR = ""


def use_theme(name: str) -> Theme:
    """Make ``name`` the current theme (before any widget is built)."""
    global current, STATE_COLOURS, MESSAGE_STYLES, PROVISIONED_COLOUR, CONCURRENCY_COLOUR, THROTTLE_COLOUR
    global COLD_START_COLOUR, RESERVED_COLOUR, INIT_COLOUR, INVOKE_COLOUR, OVERHEAD_COLOUR, ERROR_COLOUR
    global SUCCESS_COLOUR, WARN_COLOUR, MUTED_COLOUR, PLATFORM_COLOUR, START_BACKGROUND, GRAPH_BACKGROUND
    global GRID_COLOUR, AXIS_TEXT_COLOUR
    current = load_theme(name)
    colours = current.colours
    STATE_COLOURS, MESSAGE_STYLES = current.states, current.messages
    PROVISIONED_COLOUR, CONCURRENCY_COLOUR = colours["provisioned"], colours["concurrency"]
    THROTTLE_COLOUR, COLD_START_COLOUR = colours["throttle"], colours["cold_start"]
    RESERVED_COLOUR, INIT_COLOUR, INVOKE_COLOUR = colours["reserved"], colours["init"], colours["invoke"]
    OVERHEAD_COLOUR, ERROR_COLOUR, SUCCESS_COLOUR = colours["overhead"], colours["error"], colours["success"]
    WARN_COLOUR, MUTED_COLOUR, PLATFORM_COLOUR = colours["warn"], colours["muted"], colours["platform"]
    START_BACKGROUND, GRAPH_BACKGROUND = colours["start_background"], colours["graph_background"]
    GRID_COLOUR, AXIS_TEXT_COLOUR = colours["grid"], colours["axis_text"]
    return current


def requested_theme() -> str:
    """The theme asked for through WORKBENCH_THEME, else the default."""
    return os.environ.get("WORKBENCH_THEME") or DEFAULT_THEME


use_theme(DEFAULT_THEME)


def colour(name: str) -> QColor:
    return QColor(name)


def state_colour(state: str) -> QColor:
    return QColor(STATE_COLOURS.get(state, STATE_COLOURS["stopped"]))


def monospace_font(point_size: int = BASE_POINT_SIZE) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(point_size)
    return font


#: The theme that follows the desktop's colour scheme (dark when the system is dark).
SYSTEM = "system"


def resolve(name: str) -> str:
    """A theme's name, with "system" made light or dark by the desktop's colour scheme."""
    if name != SYSTEM:
        return name
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def apply(app: QApplication, name: str | None = None) -> None:
    """Fusion style with the theme's palette and the projector-sized font."""
    use_theme(resolve(name or requested_theme()))
    app.setStyle("Fusion")
    palette = QPalette()
    for role, value in current.palette.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(value))
    app.setPalette(palette)
    font = app.font()
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(
        f"QDockWidget::title {{ background: {current.colours['dock_title']}; padding: 4px 8px; font-weight: bold; }}"
        "QToolBar { spacing: 6px; padding: 3px; }"
        "QStatusBar QLabel { padding: 0 10px; }"
    )
