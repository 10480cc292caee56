"""Translations of SAM templates, cached by their input so an unchanged template is not translated again.

Two levels: a few in memory (a GUI reloading the project on every save of the template), and files in the
user's cache folder (`$XDG_CACHE_HOME/workbench/sam`, or `$WORKBENCH_SAM_CACHE`), so a new process starting an
unchanged project skips importing the translator (about a quarter of a second). Not in the project: reading
a template must never write into the project (the GUI's demo plays on a copy and leaves the original alone).
The key covers everything the output depends on: the template
as given to the translator (with placeholder code locations), the parameter values, and the translator's
version. A cache that cannot be read or written is only a cache: the template is translated again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

#: Bump when what is fed to the translator, or how its output is used, changes.
_FORMAT = 1
_MEMORY_ENTRIES = 16
_DISK_ENTRIES = 8
_PREFIX = "sam-translation-"

_memory: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def _translator_version() -> str:
    import samtranslator

    return str(samtranslator.__version__)


def cache_key(source: Any, parameter_values: Any) -> str:
    text = json.dumps([_FORMAT, _translator_version(), source, parameter_values], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cache_dir_for(template: Path) -> Path:
    """Where translations are cached: one folder for every project, since the key is the content's hash."""
    configured = os.environ.get("WORKBENCH_SAM_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workbench" / "sam"


def load(key: str, directory: Path) -> dict[str, Any] | None:
    """A fresh copy of the cached translation, or None."""
    with _lock:
        text = _memory.get(key)
        if text is not None:
            _memory.move_to_end(key)
    if text is None:
        try:
            text = (directory / f"{_PREFIX}{key}.json").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    _remember(key, text)
    return document


def store(key: str, document: dict[str, Any], directory: Path) -> None:
    text = json.dumps(document)
    _remember(key, text)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{_PREFIX}{key}.json"
        temporary = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
        _prune(directory)
    except OSError:
        pass   # a read-only project: translate again next time


def _remember(key: str, text: str) -> None:
    with _lock:
        _memory[key] = text
        _memory.move_to_end(key)
        while len(_memory) > _MEMORY_ENTRIES:
            _memory.popitem(last=False)


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob(f"{_PREFIX}*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[_DISK_ENTRIES:]:
        stale.unlink(missing_ok=True)
