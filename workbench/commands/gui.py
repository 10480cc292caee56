"""`workbench gui`: the desktop workbench on a project (the bundled sample project when none is given)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from workbench.commands.common import (
    CommandError,
    add_async_options,
    add_backend_option,
    add_classroom_options,
    add_project_options,
    add_services_option,
    engine_settings,
    project_from,
)
from workbench.commands.instance_lock import InstanceLock, ProjectLockedError
from workbench.model.project import STATE_DIR_NAME, load_project, open_folder
from workbench.model.template import TemplateError
from workbench.resources import theme_names


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("gui", help="open the desktop workbench",
                                   description="Open the workbench window on a project: function tree, code and "
                                   "event editors, concurrency graph, environment map, logs and traces.")
    add_project_options(parser)
    add_backend_option(parser)
    add_async_options(parser)
    add_services_option(parser)
    add_classroom_options(parser)
    parser.add_argument("--demo", action="store_true",
                        help="play a short scripted scenario (a cold and a warm invocation, a burst that scales "
                        "out and is throttled at a reserved limit) on a copy of the project, and exit")
    parser.add_argument("--lesson", metavar="NAME",
                        help="open the lesson player on a lesson (`workbench lessons --list`); with --screenshot, "
                        "play it to its end on a copy of the project, save the window and exit")
    parser.add_argument("--screenshot", type=Path, metavar="FILE",
                        help="save a PNG of the whole window and exit: with --demo at the end of the scenario, "
                        "otherwise as soon as the window is shown and its engine runs")
    parser.add_argument("--theme", choices=[*theme_names(), "system"],
                        default=os.environ.get("WORKBENCH_THEME") or "system",
                        help="the colour theme; system follows the desktop's light or dark colour scheme (default: "
                        "system; set WORKBENCH_THEME to change it)")
    parser.add_argument("project_file", nargs="?", type=Path, metavar="TEMPLATE",
                        help="a template.yaml to open (what the desktop's file association passes)")
    parser.set_defaults(handler=gui)


def gui(args: argparse.Namespace) -> int:
    lesson = None
    if args.lesson is not None:
        from workbench.lessons.model import LessonError, find_lesson

        try:
            lesson = find_lesson(args.lesson)
        except LessonError as exc:
            print(f"workbench: error: {exc}", file=sys.stderr)
            return 2
        args.demo = args.demo or args.screenshot is not None   # played to its end: on a copy, headless is fine
    if args.screenshot is not None:
        problem = _unwritable(args.screenshot)
        if problem is not None:   # said now, not after the window has played its part
            print(f"workbench: error: --screenshot {args.screenshot}: {problem}", file=sys.stderr)
            return 2
    if not _has_display():
        if not args.demo and args.screenshot is None:
            print("workbench: error: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
                  "run it in a desktop session, or use --demo --screenshot FILE, which works headless",
                  file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"   # the demo only needs pixels for its screenshot
    if args.project_file is not None:
        if args.template is not None or args.project is not None or args.sample:
            print("workbench: error: name the project once (a TEMPLATE, -t, --project or --sample)", file=sys.stderr)
            return 2
        args.template = args.project_file
    if args.template is None and args.project is None:
        args.sample = True   # no project named: the bundled sample project
    try:
        # A folder without a template (a new, empty project) opens on no functions: the first New function
        # writes its template.
        project = open_folder(args.project) if args.project is not None and args.project.is_dir() \
            else project_from(args)
        settings = engine_settings(args)
    except (CommandError, TemplateError) as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    try:
        from workbench.gui.app import run
    except ImportError as exc:
        print(f"workbench: error: the GUI needs PySide6 and qasync (pip install 'workbench[gui]'): {exc}",
              file=sys.stderr)
        return 2
    if not args.demo:
        lock = InstanceLock(project.state_dir)
        try:
            lock.acquire()
        except ProjectLockedError as exc:
            print(f"workbench: error: {exc}", file=sys.stderr)
            return 2
        # The window may move the lock to another project (File > Open project); it releases what it holds.
        return run(project, backend=args.backend, demo=False, screenshot=args.screenshot, engine_settings=settings,
                   theme=args.theme, lock=lock, slow_motion=args.slow_motion, lesson=lesson)
    # The demo changes what it plays on (reserved concurrency, logs, traces): it plays on a copy, so the
    # project (and the sample project the next `make run` opens) stays as it was.
    with tempfile.TemporaryDirectory(prefix="workbench-demo-") as folder:
        copy = Path(folder) / project.root.name
        shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns(STATE_DIR_NAME, "__pycache__"))
        demo_project = load_project(copy / project.template_path.name)
        return run(demo_project, backend=args.backend, demo=lesson is None, screenshot=args.screenshot,
                   engine_settings=settings, theme=args.theme, lesson=lesson)


def _unwritable(path: Path) -> str | None:
    """Why a PNG cannot be written at ``path`` (its folder is made if missing), or None."""
    if path.is_dir():
        return "is a folder; name the PNG file"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot make its folder: {exc.strerror or exc}"
    if not os.access(path.parent, os.W_OK):
        return f"cannot write in {path.parent}"
    return None


def _has_display() -> bool:
    """Whether Qt can open a window: a platform was chosen explicitly, or an X or Wayland display is set."""
    return any(os.environ.get(name) for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"))
