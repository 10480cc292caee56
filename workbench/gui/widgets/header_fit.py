"""Column titles that are never elided: every section of a header is kept at least as wide as its title.

Fixed starting widths are chosen for typical cell text, and a narrow dock (1280x800) or a bigger font (the
Presentation preset, Preferences) would otherwise cut titles to "Descript…". Qt has one minimum section size
per header, not one per section, so a small watcher widens a section back whenever it is resized (by code,
by the user, by the stretched last section filling a narrow view) below what its title needs. The view may
then scroll sideways; that is the price of titles that can be read.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTreeView


def title_width(header: QHeaderView, logical: int) -> int:
    """What the section needs to show its title whole: Qt's own size hint for the section (the title in the
    header's font, bold as a highlighted section draws it, its margins and the sort indicator if shown)."""
    if header.isSectionHidden(logical):
        return 0
    return header.sectionSizeHint(logical)


class _TitleGuard(QObject):
    """Widens sections of one header back to their titles' width; lives as long as the header."""

    def __init__(self, header: QHeaderView) -> None:
        super().__init__(header)
        self._header = header
        self._fixing = False
        header.sectionResized.connect(self._resized)
        header.sectionCountChanged.connect(lambda _old, _new: self.fit_all())
        header.installEventFilter(self)
        self._watched_model: QAbstractItemModel | None = None
        self._watch_model()
        self.fit_all()

    def _watch_model(self) -> None:
        # The header's model can be set after the guard (a view given its model later); titles change with it.
        model = self._header.model()
        if model is None or model is self._watched_model:
            return
        self._watched_model = model
        model.headerDataChanged.connect(lambda _orientation, _first, _last: self.fit_all())
        model.modelReset.connect(self.fit_all)
        model.layoutChanged.connect(self.fit_all)

    def fit_all(self) -> None:
        self._watch_model()
        for logical in range(self._header.count()):
            self._resized(logical, 0, self._header.sectionSize(logical))

    def _resized(self, logical: int, _old: int, new: int) -> None:
        if self._fixing:
            return
        needed = title_width(self._header, logical)
        if new >= needed:
            return
        self._fixing = True
        try:
            self._header.resizeSection(logical, needed)
        finally:
            self._fixing = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # A font or style change (Presentation preset, Preferences' font size, a theme) changes every title's
        # width.
        if watched is self._header and event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                                                        QEvent.Type.Polish):
            self.fit_all()
        return False


def keep_titles_whole(view: QAbstractItemView) -> None:
    """Keep every column title of a table or tree view whole (see the module's docstring). Call it once, after
    the view has its model and its starting column widths."""
    if isinstance(view, QTableView):
        header = view.horizontalHeader()
    elif isinstance(view, QTreeView):
        header = view.header()
    else:
        raise TypeError(f"{type(view).__name__} has no column header")
    if header.findChild(_TitleGuard) is None:
        _TitleGuard(header)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
