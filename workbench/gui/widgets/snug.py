"""Widths from text, for controls in narrow docks (about 340 px at 1280x800).

Fusion never draws a text push button narrower than 80 px, so a row with two short buttons ("Save", "Delete")
leaves a line edit beside them too little room for its placeholder ("na…"). These size a control to what its
own text needs, by font metrics and the style's margins, so the row fits without widening the dock.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPushButton, QSizePolicy, QStyle, QStyleOptionFrame

#: A line edit's text is inset by this much on each side (Qt's QLineEditPrivate::horizontalMargin).
LINE_EDIT_TEXT_MARGIN = 2


def snug_button(button: QPushButton) -> None:
    """Fix the button's width to its text plus the style's button margins and frame (no 80 px floor)."""
    style = button.style()
    margins = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, button)
                   + style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, button))
    text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")   # mnemonic markers are not drawn
    button.setFixedWidth(button.fontMetrics().horizontalAdvance(text) + margins)
    button.setSizePolicy(QSizePolicy.Policy.Fixed, button.sizePolicy().verticalPolicy())


def placeholder_room(field: QLineEdit) -> int:
    """How many pixels of text the field shows at its current width (its contents less the text margins)."""
    option = QStyleOptionFrame()
    field.initStyleOption(option)
    contents = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, field)
    margins = field.textMargins()
    return contents.width() - margins.left() - margins.right() - 2 * LINE_EDIT_TEXT_MARGIN


def fit_placeholder(field: QLineEdit, at_least: int = 0) -> None:
    """Never narrower than its placeholder (nor than ``at_least``): the minimum width is the placeholder's
    width plus the frame and margins that placeholder_room takes off."""
    needed = field.fontMetrics().horizontalAdvance(field.placeholderText())
    field.setMinimumWidth(max(at_least, needed + (field.width() - placeholder_room(field))))
