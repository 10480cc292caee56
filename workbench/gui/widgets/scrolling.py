"""A pane in a frameless scroll area: a tall pane scrolls in a short place instead of forcing its minimum
height on what holds it (a dock row, a tab widget, or the window past a 1280x800 projector)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scrolling(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)   # the pane takes the whole width and height when there is room
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll
