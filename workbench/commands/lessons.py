"""`workbench lessons --list`: the lessons the lesson player can play (resources/lessons/*.yaml)."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.lessons.model import LessonError, list_lessons


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lessons", help="list the lessons (guided scenarios for a class)",
                                   description="List the lessons; play one with `workbench gui --lesson NAME`.")
    parser.add_argument("--list", action="store_true", help="name every lesson with its title (the default)")
    parser.add_argument("--json", action="store_true", help="print one JSON list")
    parser.set_defaults(handler=lessons)


def lessons(args: argparse.Namespace) -> int:
    try:
        found = list_lessons()
    except LessonError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([{"name": lesson.name, "title": lesson.title, "steps": len(lesson.steps)}
                          for lesson in found], indent=2))
        return 0
    width = max((len(lesson.name) for lesson in found), default=0)
    for lesson in found:
        print(f"{lesson.name:<{width}}  {lesson.title} ({len(lesson.steps)} steps)")
    return 0
