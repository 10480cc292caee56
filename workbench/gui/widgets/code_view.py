"""A plain-text editor with line numbers, an error-line marker and a find bar: the base of the code editor's
tabs and of the event editor."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.gui import theme

INDENT = "    "
#: What ends a line that opens a block, so the next line is indented one level more.
BLOCK_OPENERS = (":", "{", "[", "(")


#: Python statements that end with ":"; any other line ending with ":" is taken for a YAML key (two spaces).
PYTHON_BLOCK_WORDS = frozenset({"def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally",
                                "with", "async", "match", "case"})


def next_indent(line: str) -> str:
    """The indentation the line after ``line`` (the text before the cursor) starts with."""
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    stripped = line.strip()
    if not stripped.endswith(BLOCK_OPENERS) or stripped.startswith("#"):
        return indent
    if indent.startswith("\t"):
        return indent + "\t"
    first_word = stripped.split()[0].rstrip(":")
    yaml_key = stripped.endswith(":") and first_word not in PYTHON_BLOCK_WORDS
    return indent + ("  " if yaml_key else INDENT)


class _LineNumbers(QWidget):
    def __init__(self, editor: CodeView) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self._editor.line_number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        self._editor.paint_line_numbers(self, event)


class CodeView(QPlainTextEdit):
    """QPlainTextEdit plus a line-number gutter and an optional marked line (a JSON error, say)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(theme.monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self._gutter = _LineNumbers(self)
        self._marked_line: int | None = None
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._scroll_gutter)
        self._update_margin()

    def set_point_size(self, points: int) -> None:
        """The editor's font size (Preferences); the gutter and tab stops follow."""
        self.setFont(theme.monospace_font(points))
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self._update_margin()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Auto-indent: Enter keeps the line's indentation, one level more after a line that opens a block
        (``:`` in Python and YAML, ``{``, ``[`` or ``(`` elsewhere)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.isReadOnly() \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            cursor = self.textCursor()
            before = cursor.block().text()[:cursor.positionInBlock()]
            cursor.insertText("\n" + next_indent(before))
            self.ensureCursorVisible()
            return
        super().keyPressEvent(event)

    def line_number_width(self) -> int:
        digits = max(3, len(str(self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_margin(self) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        contents = self.contentsRect()
        self._gutter.setGeometry(QRect(contents.left(), contents.top(), self.line_number_width(), contents.height()))

    def paint_line_numbers(self, gutter: QWidget, event: QPaintEvent) -> None:
        painter = QPainter(gutter)
        painter.fillRect(event.rect(), QColor("#f1f3f5"))
        painter.setFont(self.font())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                marked = self._marked_line == number + 1
                painter.setPen(QColor(theme.ERROR_COLOUR if marked else "#868e96"))
                painter.drawText(0, top, gutter.width() - 6, height, Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top = bottom
            number += 1
        painter.end()

    def mark_line(self, line: int | None, column: int | None = None) -> None:
        """Highlight ``line`` (1-based) as an error, or clear the mark; the column gets a caret-like marker."""
        self._marked_line = line
        selections: list[QTextEdit.ExtraSelection] = []
        if line is not None:
            block = self.document().findBlockByNumber(line - 1)
            whole = QTextEdit.ExtraSelection()
            whole.format.setBackground(QColor("#ffe3e3"))
            whole.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            whole.cursor = QTextCursor(block)
            selections.append(whole)
            if column is not None:
                spot = QTextEdit.ExtraSelection()
                spot.format.setBackground(QColor(theme.ERROR_COLOUR))
                spot.format.setForeground(QColor("#ffffff"))
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor,
                                    max(0, min(column - 1, max(0, block.length() - 2))))
                cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, 1)
                spot.cursor = cursor
                selections.append(spot)
        self.setExtraSelections(selections)
        self._gutter.update()

    @property
    def marked_line(self) -> int | None:
        return self._marked_line


class FindBar(QWidget):
    """Find in the current editor: Enter for next, Shift+Enter for previous, Escape to close."""

    found = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor: QPlainTextEdit | None = None
        self.field = QLineEdit()
        self.field.setPlaceholderText("Find…")
        self.field.returnPressed.connect(self.find_next)
        self.field.textEdited.connect(lambda _text: self.find_next(from_start=True))
        previous = QPushButton("Previous")
        previous.clicked.connect(self.find_previous)
        following = QPushButton("Next")
        following.clicked.connect(lambda: self.find_next())
        close = QPushButton("✕")
        close.setFlat(True)
        close.clicked.connect(self.hide)
        self.status = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.field, 1)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(self.status)
        layout.addWidget(close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hide)
        QShortcut(QKeySequence("Shift+Return"), self.field, self.find_previous)

    def set_editor(self, editor: QPlainTextEdit | None) -> None:
        self._editor = editor

    def open_bar(self) -> None:
        if self._editor is not None and self._editor.textCursor().hasSelection():
            self.field.setText(self._editor.textCursor().selectedText())
        self.show()
        self.field.setFocus()
        self.field.selectAll()

    def _find(self, backward: bool, from_start: bool = False) -> bool:
        editor, text = self._editor, self.field.text()
        if editor is None or not text:
            self.status.setText("")
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if from_start:
            cursor = editor.textCursor()
            cursor.setPosition(cursor.selectionStart())
            editor.setTextCursor(cursor)
        found = editor.find(text, flags)
        if not found:   # wrap around
            cursor = editor.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
            editor.setTextCursor(cursor)
            found = editor.find(text, flags)
        self.status.setText("" if found else "not found")
        self.found.emit(found)
        return found

    def find_next(self, from_start: bool = False) -> bool:
        return self._find(False, from_start)

    def find_previous(self) -> bool:
        return self._find(True)


def code_with_find(editor: CodeView) -> tuple[QWidget, FindBar]:
    """``editor`` with a (hidden) find bar under it, in one widget."""
    holder = QWidget()
    bar = FindBar()
    bar.set_editor(editor)
    bar.hide()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(editor, 1)
    layout.addWidget(bar)
    return holder, bar
