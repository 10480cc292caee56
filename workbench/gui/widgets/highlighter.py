"""Syntax highlighting through Pygments, for every runtime's language plus YAML and JSON.

Pygments lexes a whole text, not a line at a time, and multi-line tokens (docstrings, template literals)
need that. So the document is lexed whole after edits settle (debounced), the formats are cached per
block, and `highlightBlock` only applies the cached formats of its block.
"""

from __future__ import annotations

from pathlib import Path

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, guess_lexer
from pygments.styles import get_style_by_name
from pygments.token import Token
from pygments.util import ClassNotFound
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

STYLE = "friendly"
RELEX_DELAY_MS = 120

#: Lexers by Lambda runtime family, for files whose name does not tell (a `bootstrap`, say).
RUNTIME_LEXERS = {
    "python": "python", "nodejs": "javascript", "ruby": "ruby", "java": "java", "dotnet": "csharp",
    "go": "go", "provided": "bash", "powershell": "powershell",
}
#: Names Pygments does not map by itself.
EXTRA_FILENAMES = {"template.yaml": "yaml", "samconfig.toml": "toml", "bootstrap": "bash", ".mjs": "javascript",
                   ".cjs": "javascript", ".ps1": "powershell", ".csx": "csharp"}


def lexer_for(path: Path | None, text: str = "", runtime: str | None = None) -> Lexer:
    """The best Pygments lexer for a file: by name, by the function's runtime, by the shebang."""
    if path is not None:
        alias = EXTRA_FILENAMES.get(path.name) or EXTRA_FILENAMES.get(path.suffix)
        if alias:
            return get_lexer_by_name(alias)
        try:
            return get_lexer_for_filename(path.name)
        except ClassNotFound:
            pass
    if runtime:
        family = next((f for f in RUNTIME_LEXERS if runtime.startswith(f)), None)
        if family:
            return get_lexer_by_name(RUNTIME_LEXERS[family])
    try:
        return guess_lexer(text) if text.strip() else get_lexer_by_name("text")
    except ClassNotFound:
        return get_lexer_by_name("text")


def _formats() -> dict[object, QTextCharFormat]:
    formats: dict[object, QTextCharFormat] = {}
    for token, style in get_style_by_name(STYLE):
        fmt = QTextCharFormat()
        if style["color"]:
            fmt.setForeground(QColor(f"#{style['color']}"))
        if style["bold"]:
            fmt.setFontWeight(QFont.Weight.Bold)
        if style["italic"]:
            fmt.setFontItalic(True)
        formats[token] = fmt
    return formats


class PygmentsHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, lexer: Lexer) -> None:
        super().__init__(document)
        self._lexer = lexer
        self._formats = _formats()
        self._blocks: dict[int, list[tuple[int, int, QTextCharFormat]]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RELEX_DELAY_MS)
        self._timer.timeout.connect(self.relex)
        document.contentsChange.connect(self._changed)
        self.relex()

    @property
    def lexer_name(self) -> str:
        return str(self._lexer.name)

    def set_lexer(self, lexer: Lexer) -> None:
        self._lexer = lexer
        self.relex()

    def _changed(self, position: int, removed: int, added: int) -> None:
        if removed or added:   # format-only changes (our own highlighting) report 0 and 0
            self._timer.start()

    def _format_for(self, token: object) -> QTextCharFormat | None:
        while token is not None:
            fmt = self._formats.get(token)
            styled = fmt is not None and (fmt.foreground().style() != Qt.BrushStyle.NoBrush or fmt.fontItalic()
                                          or fmt.fontWeight() == QFont.Weight.Bold)
            if styled:
                return fmt
            token = token.parent  # type: ignore[attr-defined]
        return None

    def relex(self) -> None:
        text = self.document().toPlainText()
        blocks: dict[int, list[tuple[int, int, QTextCharFormat]]] = {}
        line_starts = [0]
        newline = text.find("\n")
        while newline != -1:
            line_starts.append(newline + 1)
            newline = text.find("\n", newline + 1)
        line = 0
        for position, token, value in self._lexer.get_tokens_unprocessed(text):
            fmt = self._format_for(token) if token is not Token.Text else None
            if fmt is None or not value:
                continue
            end = position + len(value)
            while line + 1 < len(line_starts) and line_starts[line + 1] <= position:
                line += 1
            current, start = line, position
            while start < end:
                block_end = line_starts[current + 1] - 1 if current + 1 < len(line_starts) else len(text)
                stop = min(end, block_end)
                if stop > start:
                    blocks.setdefault(current, []).append((start - line_starts[current], stop - start, fmt))
                if stop >= end:
                    break
                current += 1
                if current >= len(line_starts):
                    break
                start = line_starts[current]
        self._blocks = blocks
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        for start, length, fmt in self._blocks.get(self.currentBlock().blockNumber(), ()):
            if start < len(text):
                self.setFormat(start, min(length, len(text) - start), fmt)
