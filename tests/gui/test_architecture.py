"""Rules of the GUI's design (DESIGN.md §4) that the code itself can be checked against."""

from __future__ import annotations

import re
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "workbench" / "gui"


def sources() -> dict[str, str]:
    return {str(path.relative_to(GUI)): path.read_text() for path in GUI.rglob("*.py")}


def test_only_the_bridge_subscribes_to_the_engine() -> None:
    subscribing = sorted(name for name, text in sources().items() if re.search(r"\.subscribe\(", text))
    assert subscribing == ["bridge.py"]


def test_no_modal_exec_anywhere_in_the_gui() -> None:
    """Dialogs are opened with open() and answered through signals; a nested exec() would run the
    engine's coroutines re-entrantly inside a slot."""
    offenders = sorted(name for name, text in sources().items() if re.search(r"\.exec_?\(|\bgetSaveFileName\b|"
                                                                            r"\bgetOpenFileName\b|\bgetInt\b", text))
    assert offenders == []


def test_tasks_are_started_only_by_operations() -> None:
    """No fire-and-forget tasks whose errors vanish: work is started through Operations.run (which reports
    failures); the one other task is the window's own shutdown, which it keeps and awaits."""
    starting = sorted(name for name, text in sources().items() if re.search(r"ensure_future|create_task", text))
    assert starting == ["main_window.py", "operations.py"]
