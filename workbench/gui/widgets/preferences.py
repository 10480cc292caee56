"""Preferences: the theme, the editor's font size, and the engine's classroom settings (scaling rate, idle
timeout, maximum lifetime, account limit, parallel inits and slow motion; `workbench gui` has the same as
flags). Shown with `open()`; the window applies what was accepted."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.classroom import ClassroomSettings
from workbench.gui import theme
from workbench.resources import theme_names


def _spin(minimum: int, maximum: int, value: int, suffix: str, tooltip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setToolTip(tooltip)
    return spin


def _seconds(minimum: float, maximum: float, value: float, tooltip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(minimum, maximum)
    spin.setDecimals(1)
    spin.setValue(value)
    spin.setSuffix(" s")
    spin.setToolTip(tooltip)
    return spin


class PreferencesDialog(QDialog):
    def __init__(self, theme_choice: str, editor_points: int, classroom: ClassroomSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.tabs = QTabWidget()
        appearance = QWidget()
        form = QFormLayout(appearance)
        self.theme_box = QComboBox()
        self.theme_box.addItems([theme.SYSTEM, *theme_names()])
        self.theme_box.setCurrentText(theme_choice)
        self.theme_box.setToolTip("system follows the desktop's light or dark colour scheme")
        self.font_size = _spin(6, 40, editor_points, " pt", "The code editor's font size")
        form.addRow("&Theme:", self.theme_box)
        form.addRow("&Editor font size:", self.font_size)
        self.tabs.addTab(appearance, "&Appearance")
        self.tabs.addTab(self._engine_tab(classroom), "E&ngine")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def _engine_tab(self, classroom: ClassroomSettings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        note = QLabel("For a class to watch scaling and reaping. Applying restarts the engine (the warm "
                      "environments go; the project and its state stay).")
        note.setWordWrap(True)
        form.addRow(note)
        self.scaling_rate = _spin(1, 100_000, classroom.scaling_rate, " per window",
                                  "New environments per function per scaling window (AWS: 1,000 per 10 s)")
        self.idle_timeout = _seconds(0.1, 86_400, classroom.idle_timeout_s, "Stop environments idle this long")
        self.max_lifetime = _seconds(1, 86_400, classroom.max_lifetime_s, "Recycle environments after this long")
        self.account_limit = _spin(1, 100_000, classroom.account_limit, "",
                                   "The account's concurrency limit (AWS default: 1,000)")
        self.parallel_inits = _spin(0, 1000, classroom.max_parallel_inits, "",
                                    "Environments initialising at once (0: no bound, as on Lambda)")
        self.slow_motion = QDoubleSpinBox()
        self.slow_motion.setRange(1.0, 1000.0)
        self.slow_motion.setValue(classroom.slow_motion)
        self.slow_motion.setSuffix(" times")
        self.slow_motion.setToolTip("Scaling and reaping this many times slower (the scaling window, idle timeout "
                                    "and lifetime are stretched)")
        form.addRow("&Scaling rate:", self.scaling_rate)
        form.addRow("&Idle timeout:", self.idle_timeout)
        form.addRow("&Maximum lifetime:", self.max_lifetime)
        form.addRow("Account &limit:", self.account_limit)
        form.addRow("Maximum &parallel inits:", self.parallel_inits)
        form.addRow("Slo&w motion:", self.slow_motion)
        return page

    @property
    def classroom(self) -> ClassroomSettings:
        return ClassroomSettings(self.scaling_rate.value(), self.idle_timeout.value(), self.max_lifetime.value(),
                                 self.account_limit.value(), self.parallel_inits.value(), self.slow_motion.value())
