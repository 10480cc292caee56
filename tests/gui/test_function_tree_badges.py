"""Issue 16: "columns and badges are not cut". The function tree's badges ("2 warm", "reserved 5") flow after the
name and wrap onto lines under it, so every badge lies inside the tree's viewport at a projector's size and at
the narrowest the tree can get. Checked by geometry against a real engine with warm environments."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from tests.gui.conftest import running_window, wait_for
from tests.gui.test_function_tree import badge_texts
from workbench.gui.main_window import FRAME_ALLOWANCE, MainWindow
from workbench.gui.panes.functions import LINE_HEIGHT, PlacedBadge
from workbench.model.project import Project

PROJECTOR = (1280, 800 - FRAME_ALLOWANCE[1])


def placed_badges(window: MainWindow, function: str) -> tuple[QRect, list[PlacedBadge]]:
    """The function's row and its badges' rectangles, as the delegate paints them now."""
    pane = window.functions
    index = pane.model.index_of_function(function)
    option = QStyleOptionViewItem()
    pane.view.initViewItemOption(option)
    row = pane.view.visualRect(index)
    option.rect = row
    return QRect(row), pane.delegate.place_badges(option, index, row)


def assert_badges_whole(window: MainWindow, function: str, expected: int) -> None:
    row, placed = placed_badges(window, function)
    viewport = window.functions.view.viewport().rect()
    assert len(placed) == expected, [b.text for b in placed]
    for badge in placed:
        assert viewport.contains(badge.rect), f"{badge.text!r} at {badge.rect} is cut by the viewport {viewport}"
        assert row.contains(badge.rect), f"{badge.text!r} at {badge.rect} outside its row {row}"
    for first, second in itertools.pairwise(placed):
        assert not first.rect.intersects(second.rect), f"{first.text!r} overlaps {second.text!r}"


async def test_two_badges_fit_the_tree_at_projector_size_and_when_narrowest(project: Project,
                                                                          tmp_path: Path) -> None:
    async with running_window(project, tmp_path, size=PROJECTOR) as window:
        engine = window.session.require()
        await engine.put_function_concurrency("greeter", 5)
        # Three at once: three environments, warm once they answer.
        await asyncio.gather(*(engine.invoke("greeter", b'{"sleep_ms": 200}') for _ in range(3)))
        model = window.functions.model
        await wait_for(lambda: badge_texts(model, "greeter") == ["3 warm", "reserved 5"], message="two badges")
        view = window.functions.view
        await wait_for(lambda: view.width() < 0.25 * PROJECTOR[0], message="the docks sized")
        assert_badges_whole(window, "greeter", 2)

        # The narrowest the dock lets the tree be: the second badge goes under the name, the row grows.
        dock = window.docks["functions"]
        window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)
        await wait_for(lambda: view.width() <= view.minimumSizeHint().width() + 2, message="the tree narrowed")
        await wait_for(lambda: placed_badges(window, "greeter")[0].height() > LINE_HEIGHT,
                       message="the row to grow for a second line")
        assert_badges_whole(window, "greeter", 2)
        row, placed = placed_badges(window, "greeter")
        assert placed[-1].rect.top() >= row.top() + LINE_HEIGHT   # under the name, not over it
