"""Log lines as the log viewer understands them: what kind of line (START, REPORT, function output, ...),
how severe, and the filters a user can set. Plain Python, so the rules are tested without Qt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from workbench.engine import LogLine


class LineKind(IntEnum):
    OUTPUT = 0
    START = 1
    END = 2
    REPORT = 3
    INIT = 4          # INIT_START / INIT_REPORT
    TIMEOUT = 5       # "... Task timed out after 3.00 seconds"
    OTHER_PLATFORM = 6


class Level(IntEnum):
    DEBUG = 10
    INFO = 20
    WARN = 30
    ERROR = 40


LEVEL_NAMES = {"TRACE": Level.DEBUG, "DEBUG": Level.DEBUG, "INFO": Level.INFO, "WARN": Level.WARN,
               "WARNING": Level.WARN, "ERROR": Level.ERROR, "FATAL": Level.ERROR, "CRITICAL": Level.ERROR}
#: Python's runtime writes `[LEVEL]\t...`; Node.js writes `<timestamp>\t<request id>\tLEVEL\t...`.
_PYTHON_LEVEL = re.compile(r"^\[(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\]\t")
_NODE_LEVEL = re.compile(r"^\S+\t\S+\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t")
_JSON_LEVEL = re.compile(r'"(?:level|levelname)"\s*:\s*"(\w+)"')


def classify(message: str, platform: bool) -> tuple[LineKind, Level]:
    if platform:
        if message.startswith("START "):
            return LineKind.START, Level.INFO
        if message.startswith("END "):
            return LineKind.END, Level.INFO
        if message.startswith("REPORT "):
            failed = "\tStatus: " in message
            return LineKind.REPORT, Level.ERROR if failed else Level.INFO
        if message.startswith("INIT_"):
            return LineKind.INIT, Level.ERROR if "\tStatus: " in message else Level.INFO
        if "Task timed out after" in message:
            return LineKind.TIMEOUT, Level.ERROR
        return LineKind.OTHER_PLATFORM, Level.INFO
    match = _PYTHON_LEVEL.match(message) or _NODE_LEVEL.match(message)
    if match is None and message.startswith("{"):
        match = _JSON_LEVEL.search(message)
    if match is not None:
        return LineKind.OUTPUT, LEVEL_NAMES.get(match.group(1).upper(), Level.INFO)
    if message.startswith("Traceback (most recent call last)"):
        return LineKind.OUTPUT, Level.ERROR
    return LineKind.OUTPUT, Level.INFO


def display_text(message: str) -> str:
    """One row's text: embedded newlines (Python's logging sends them as \\r) shown as ⏎, tabs as spaces."""
    return message.replace("\r\n", " ⏎ ").replace("\r", " ⏎ ").replace("\n", " ⏎ ").replace("\t", "  ")


def full_text(message: str) -> str:
    return message.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True, slots=True)
class LogFilter:
    function: str | None = None
    request_id: str | None = None
    text: str = ""
    min_level: Level = Level.DEBUG

    @property
    def active(self) -> bool:
        return bool(self.function or self.request_id or self.text or self.min_level > Level.DEBUG)

    def matches(self, line: LogLine, level: Level) -> bool:
        if self.function is not None and line.function != self.function:
            return False
        if self.request_id and not (line.request_id or "").startswith(self.request_id):
            return False
        if level < self.min_level:
            return False
        return not self.text or self.text.lower() in line.message.lower()
