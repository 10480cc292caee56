"""Named test events, saved per function in the project (like the Lambda console's saved test events).

They live in the project folder, `events/<function>/<name>.json`, beside the template, so they are
versioned with the code and `sam local invoke -e events/<function>/<name>.json` finds them too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

EVENTS_FOLDER = "events"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class SavedEventError(ValueError):
    """A bad event name or content; the message says what to change."""


class SavedEventStore:
    def __init__(self, project_root: Path) -> None:
        self.root = project_root / EVENTS_FOLDER

    def folder(self, function: str) -> Path:
        return self.root / function

    def names(self, function: str) -> list[str]:
        folder = self.folder(function)
        if not folder.is_dir():
            return []
        return sorted(path.stem for path in folder.glob("*.json") if path.is_file())

    def load(self, function: str, name: str) -> str:
        return (self.folder(function) / f"{_checked(name)}.json").read_text(encoding="utf-8")

    def save(self, function: str, name: str, text: str) -> Path:
        """Save ``text`` (which must be JSON) as ``name``; replaces an event of that name."""
        try:
            json.loads(text)
        except ValueError as exc:
            raise SavedEventError(f"the event is not valid JSON: {exc}") from None
        path = self.folder(function) / f"{_checked(name)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        return path

    def delete(self, function: str, name: str) -> None:
        (self.folder(function) / f"{_checked(name)}.json").unlink(missing_ok=True)


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise SavedEventError(f"{name!r} is not a valid event name: use up to 64 letters, digits, '.', '_' or '-', "
                             "starting with a letter or digit")
    return name
