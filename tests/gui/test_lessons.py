"""Every lesson plays to its end in the window (offscreen) on the sample project, against a real engine, and
each step's expectation is checked as it plays; a lesson file's mistakes are refused with the file and step."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from tests.gui.conftest import running_window
from workbench.lessons.model import LessonError, list_lessons, load_lesson
from workbench.model.project import Project

LESSONS = [lesson.name for lesson in list_lessons()]


@pytest.mark.parametrize("name", LESSONS)
async def test_the_lesson_plays_to_its_end_within_two_minutes(name: str, sample_project: Project, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))   # where a lesson makes its application project
    [lesson] = [lesson for lesson in list_lessons() if lesson.name == name]
    async with running_window(sample_project, tmp_path) as window:
        player = window.lesson_player
        player.load(lesson)
        started = time.monotonic()
        for number, step in enumerate(lesson.steps, 1):
            await player.step()
            assert player.say.text().startswith(f"Step {number} of {len(lesson.steps)}")
            if step.pane is not None:   # the pane it names is highlighted and in front
                assert player.highlighted == step.pane
                assert player.highlighted_widget is not None and player.highlighted_widget.isVisible()
                assert "border" in player.highlighted_widget.styleSheet()
        assert player.finished and time.monotonic() - started < 120
        outcomes = [player.outcomes.item(i).text() for i in range(player.outcomes.count())]
        assert len(outcomes) == len(lesson.steps)
        checked = [text for text, step in zip(outcomes, lesson.steps, strict=True) if step.expect]
        assert checked and all("as expected" in text for text in checked), outcomes


def test_a_bad_lesson_names_the_file_and_the_step(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("title: T\nsummary: S\nsteps:\n  - say: fine\n  - say: bad\n    pane: nowhere\n")
    with pytest.raises(LessonError, match=r"broken.yaml: step 2: pane 'nowhere'"):
        load_lesson(path)
    path.write_text("title: T\nsummary: S\nsteps:\n  - say: x\n    expect: {miracles: 1}\n")
    with pytest.raises(LessonError, match="unknown expectation"):
        load_lesson(path)
