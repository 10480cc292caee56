"""The main window: dockable panes around the code editor, a toolbar, a message bar and a status bar.

Wiring: engine events and statistics come in only through the bridge; actions go out only through
`Operations`. The dock layout is saved on close and restored on the next start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from workbench.about import docker_engine_version
from workbench.classroom import ClassroomSettings
from workbench.commands.instance_lock import InstanceLock, ProjectLockedError
from workbench.engine import (
    AsyncDeliveryFailed,
    AsyncEventDiscarded,
    Engine,
    EngineSettings,
    EngineStatistics,
    LambdaError,
)
from workbench.gui import theme
from workbench.gui.bridge import EngineBridge, EventBatch
from workbench.gui.code_files import code_folder
from workbench.gui.file_watch import FileWatcher
from workbench.gui.lessons.player import LessonPlayer
from workbench.gui.operations import Operations
from workbench.gui.panes.code_editor import CodeEditorPane
from workbench.gui.panes.concurrency import ConcurrencyPane
from workbench.gui.panes.configuration.view import ConfigurationPane
from workbench.gui.panes.environments import EnvironmentsPane
from workbench.gui.panes.event_editor import EventEditorPane
from workbench.gui.panes.functions import FunctionsPane
from workbench.gui.panes.load_toolbar import LoadToolbar
from workbench.gui.panes.logs import LogsPane
from workbench.gui.panes.monitoring import MonitoringPane
from workbench.gui.panes.pipelines.pipeline_pane import PipelinePane
from workbench.gui.panes.resources.browser_pane import ResourcesBrowserPane
from workbench.gui.panes.traces import TracesPane
from workbench.gui.project.actions import ProjectActions
from workbench.gui.session import EngineSession
from workbench.gui.widgets.about import AboutDialog
from workbench.gui.widgets.endpoint_dialog import add_endpoint_action
from workbench.gui.widgets.message_bar import MessageBar
from workbench.gui.widgets.preferences import PreferencesDialog
from workbench.gui.widgets.scrolling import scrolling
from workbench.gui.widgets.status_bar import WorkbenchStatusBar
from workbench.model.project import Project, open_folder
from workbench.model.template import TemplateError
from workbench.resources import docs_path, user_config_dir

#: Bump when the docks change, so an old saved layout is not applied to a different set of panes.
LAYOUT_VERSION = 3
BACKENDS = ("process", "docker")
DEFAULT_SIZE = (1680, 1050)
#: Below this width the traces share a tabbed dock with the logs (three panes side by side get too narrow).
WIDE_LAYOUT_WIDTH = 1500
#: What a window manager's frame usually adds (title bar, borders) before the real frame is known.
FRAME_ALLOWANCE = (8, 36)
#: The Presentation preset's font size (points), for a projector at the back of a classroom.
PRESENTATION_POINT_SIZE = 12
#: Invocations of earlier sessions shown in the trace viewer at start (read from the project's store).
HISTORY_TRACES = 100


def initial_size() -> tuple[int, int]:
    """The default size, shrunk so the window and its frame fit the screen's free area (a 1280x800 projector:
    the status bar stays on screen). Offscreen (the demo's screenshots) there is no real screen to fit."""
    screen = QGuiApplication.primaryScreen()
    if screen is None or QGuiApplication.platformName() == "offscreen":
        return DEFAULT_SIZE
    available = screen.availableGeometry()
    return (min(DEFAULT_SIZE[0], available.width() - FRAME_ALLOWANCE[0]),
            min(DEFAULT_SIZE[1], available.height() - FRAME_ALLOWANCE[1]))


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, project: Project, *, backend: str = "process", engine_settings: EngineSettings | None = None,
                 settings_path: Path | None = None, remember_layout: bool = True,
                 size: tuple[int, int] | None = None, lock: InstanceLock | None = None,
                 slow_motion: float = 1.0) -> None:
        super().__init__()
        #: The slow-motion factor the engine settings were built with (Preferences shows the asked values).
        self.slow_motion = slow_motion
        #: The lock that keeps a second window off this project (held by `workbench gui`; moved on Open).
        self.lock = lock
        self.setWindowTitle(f"Lambda Workbench — {project.root.name}")
        self.resize(*(size or initial_size()))
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        self._settings = QSettings(str(settings_path or user_config_dir() / "gui.ini"), QSettings.Format.IniFormat)
        self.bridge = EngineBridge(self)
        self.session = EngineSession(project, self.bridge, backend=backend, settings=engine_settings, parent=self)
        self.message_bar = MessageBar()
        self.operations = Operations(self.message_bar, self)
        self.code_editor = CodeEditorPane(self.session, self.operations, self.message_bar)
        points = self._settings.value("editor_point_size")
        if isinstance(points, int | str) and str(points).isdigit():
            self.code_editor.set_point_size(int(points))
        self.functions = FunctionsPane(self.session, self.operations, self.message_bar)
        self.event_editor = EventEditorPane(self.session, self.operations, self.message_bar)
        self.concurrency = ConcurrencyPane()
        self.environments = EnvironmentsPane()
        self.logs = LogsPane()
        self.traces = TracesPane()
        self.resources = ResourcesBrowserPane(self.session, self.operations, self.message_bar)
        self.pipeline = PipelinePane(self.session, self.operations)
        self.monitoring = MonitoringPane()
        self.configuration = ConfigurationPane(self.session, self.operations, self.message_bar)
        # Per function, as in the Lambda console: the asynchronous invocation and the triggers are tabs of the
        # Configuration view (a page among the code editor's tabs).
        self.triggers = self.configuration.triggers
        self.asynchronous = self.configuration.asynchronous
        # Not in a scroll area: the view is laid out to fit beside the code at 1280x800 and 1366x768, and a scroll
        # area would size it by its wrapped labels' preferred height and scroll for nothing.
        self.configuration_page: QWidget = self.configuration
        self.lesson_player = LessonPlayer(self.session, self.operations, self.show_pane)
        self.lesson_player.open_project = self._open_for_lesson
        self.status = WorkbenchStatusBar()
        self.file_watcher = FileWatcher(self)
        self.project_actions = ProjectActions(self.session, self.operations, self.message_bar, self.file_watcher,
                                              self._settings, self, self.open_project, self.open_function_code)
        self.setStatusBar(self.status)
        self._build_central()
        self.docks = self._build_docks()
        self._build_toolbar()
        self._build_menus()
        self._connect()
        self._default_state = self.saveState(LAYOUT_VERSION)
        self.presentation = False
        self._remember_layout = remember_layout   # the demo neither applies nor overwrites a user's layout
        self._sized = False
        self._history_for: Path | None = None   # the project whose stored traces were read into the viewer
        #: Set once the first show has sized the docks and fitted the window to the screen.
        self.laid_out = asyncio.Event()
        self.preferences: PreferencesDialog | None = None
        self.shortcuts_box: QMessageBox | None = None
        self._layout_restored = remember_layout and self.restore_layout()
        self._shutdown_done = False
        self._shutdown_task: asyncio.Task[None] | None = None
        self._about: AboutDialog | None = None
        self._watched_folders: set[Path] = set()
        self._unsaved_settled = False   # the user answered "save or discard?" for this close
        #: The open "unsaved changes" question while closing, if any (tests answer it).
        self.close_question: QMessageBox | None = None

    # -- construction -----------------------------------------------------------------------------------
    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.code_editor, 1)
        self.setCentralWidget(central)
        # The message bar floats over the top of the editor: showing or hiding it never moves the text.
        self.message_bar.setParent(central)
        self.message_bar.attach_overlay(central)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea,
              scrollable: bool = False) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)   # saveState/restoreState identify docks by object name
        dock.setWidget(scrolling(widget) if scrollable else widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> dict[str, QDockWidget]:
        left, right, bottom = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                               Qt.DockWidgetArea.BottomDockWidgetArea)
        docks = {
            "functions": self._dock("Functions", "functions", self.functions, left),
            "events": self._dock("Event and invoke", "events", self.event_editor, right),
            "concurrency": self._dock("Concurrency", "concurrency", self.concurrency, bottom),
            "environments": self._dock("Execution environments", "environments", self.environments, bottom),
            "logs": self._dock("Logs", "logs", self.logs, bottom),
            # On a narrow screen it is a tab beside the logs, and scrolls rather than make that row tall (the
            # code editor keeps its lines); on a wide one it has a row's height of its own.
            "traces": self._dock("Traces", "traces", self.traces, bottom,
                                 scrollable=self.width() < WIDE_LAYOUT_WIDTH),
        }
        # The event pane runs the full height on the right, so the Invoke button, the result and its payload
        # fit on a 1280x800 projector; the bottom panes share the width left of it.
        self.setCorner(Qt.Corner.BottomRightCorner, right)
        self.setCorner(Qt.Corner.TopRightCorner, right)
        # Bottom: [concurrency | environments | traces] above logs; on a narrow screen the traces are a tab
        # beside the logs.
        self.splitDockWidget(docks["concurrency"], docks["logs"], Qt.Orientation.Vertical)
        self.splitDockWidget(docks["concurrency"], docks["environments"], Qt.Orientation.Horizontal)
        if self.width() >= WIDE_LAYOUT_WIDTH:
            self.splitDockWidget(docks["environments"], docks["traces"], Qt.Orientation.Horizontal)
            self.traces.keep_waterfall_whole(True)   # a row of its own: the row is as tall as that needs
        else:
            self.tabifyDockWidget(docks["logs"], docks["traces"])
        # Tabs beside the logs, so the default picture stays as it was. They scroll when the row is short: a
        # tab's minimum height would otherwise be the whole row's, and squeeze the code editor at 1280x800.
        self.delivery_docks: dict[str, tuple[str, QWidget]] = {
            "resources": ("Local resources", self.resources), "pipeline": ("Pipeline", self.pipeline),
            "monitoring": ("Monitor", self.monitoring)}
        for name, (title, pane) in self.delivery_docks.items():
            docks[name] = self._dock(title, name, pane, bottom, scrollable=True)
            self.tabifyDockWidget(docks["logs"], docks[name])
        docks["lesson"] = self._dock("Lesson", "lesson", self.lesson_player, right)
        self.tabifyDockWidget(docks["events"], docks["lesson"])
        docks["logs"].raise_()
        docks["events"].raise_()
        return docks

    def size_docks(self) -> None:
        """The default proportions; applied once the window has its real size (before that Qt ignores them)."""
        docks, width, height = self.docks, self.width(), self.height()
        # Fractions of the window, so a 1280x800 projector and a 1920x1080 screen get the same picture.
        self.resizeDocks([docks["functions"], docks["events"]], [int(width * 0.17), int(width * 0.28)],
                         Qt.Orientation.Horizontal)
        if self.tabifiedDockWidgets(docks["traces"]):
            self.resizeDocks([docks["concurrency"], docks["environments"]], [int(width * 0.32), int(width * 0.23)],
                             Qt.Orientation.Horizontal)
        else:
            self.resizeDocks([docks["concurrency"], docks["environments"], docks["traces"]],
                             [int(width * 0.24), int(width * 0.15), int(width * 0.28)], Qt.Orientation.Horizontal)
        # The code editor keeps a useful height (at 1280x800, 12 lines and more, and room for the Configuration
        # view): the graph row and the logs row share a little under half of the window.
        # On a wide screen the traces share the graph's row, which is made tall enough for the trace list's rows
        # and a cold start's whole waterfall (1600x1000: the code editor gives up a few of its twenty lines);
        # the logs row keeps its height.
        upper, lower = int(height * 0.25), int(height * 0.20)
        if not self.tabifiedDockWidgets(docks["traces"]):
            upper, lower = max(int(height * 0.28), self._traces_dock_height()), int(height * 0.17)
        self.resizeDocks([docks["concurrency"], docks["logs"]], [upper, lower], Qt.Orientation.Vertical)

    def _traces_dock_height(self) -> int:
        """The traces dock's height with its pane at its comfortable height (the dock's title bar added)."""
        dock = self.docks["traces"]
        inner = dock.widget()
        title = dock.height() - inner.height() if inner is not None and inner.height() > 0 else 0
        title = max(title, dock.fontMetrics().height() + 8)
        return self.traces.comfortable_height() + title

    def apply_presentation(self) -> None:
        """The Presentation preset: big fonts, and the graph, the map and the traces large (a projector)."""
        self._set_font_size(PRESENTATION_POINT_SIZE)
        docks, width = self.docks, self.width()
        docks["functions"].hide()
        docks["logs"].hide()
        for name in self.delivery_docks:   # tabs beside the logs: they go with them
            docks[name].hide()
        # The graph on the left, the map above the traces beside it: wide enough for big type at 1280x800.
        self.splitDockWidget(docks["environments"], docks["traces"], Qt.Orientation.Vertical)
        for name in ("concurrency", "environments", "traces", "events"):
            docks[name].show()
        self.resizeDocks([docks["events"]], [int(width * 0.27)], Qt.Orientation.Horizontal)
        self.resizeDocks([docks["concurrency"], docks["environments"]], [int(width * 0.38), int(width * 0.35)],
                         Qt.Orientation.Horizontal)
        self._presentation_heights()
        # Again once the shown docks are laid out (the traces scroll, so nothing else holds the row up).
        QTimer.singleShot(0, self._presentation_heights)
        self.presentation = True
        QTimer.singleShot(0, self.fit_to_screen)   # bigger type must not push the window past the screen

    def _presentation_heights(self) -> None:
        docks, height = self.docks, self.height()
        self.resizeDocks([docks["concurrency"], docks["environments"], docks["traces"]],
                         [int(height * 0.7), int(height * 0.3), int(height * 0.4)], Qt.Orientation.Vertical)

    def apply_standard(self) -> None:
        """Back from Presentation: the default font and layout."""
        self._set_font_size(None)
        self.reset_layout()
        self.presentation = False

    def _set_font_size(self, points: int | None) -> None:
        # A style sheet, not setFont: the application's style sheet gives docks and toolbars fonts of their
        # own, which a parent's font does not reach; a rule for every widget does (code views included).
        self.setStyleSheet(f"* {{ font-size: {points}pt; }}" if points is not None else "")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if not self._layout_restored:
                QTimer.singleShot(0, self.size_docks)
            QTimer.singleShot(0, self.fit_to_screen)
            QTimer.singleShot(0, self.laid_out.set)   # after the two above (timers of 0 run in order)

    async def wait_laid_out(self) -> None:
        """Until the first show's layout is done and painted (a screenshot of the first window)."""
        await self.laid_out.wait()
        await asyncio.sleep(0)

    def fit_to_screen(self) -> None:
        """Once the window manager has framed the window: shrink and move it so the frame is on screen."""
        screen = self.screen()
        if screen is None or QGuiApplication.platformName() == "offscreen" or self.isMaximized():
            return
        available, frame = screen.availableGeometry(), self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        width = min(self.width(), available.width() - extra_w)
        height = min(self.height(), available.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        x = min(max(frame.x(), available.x()), available.right() + 1 - width - extra_w)
        y = min(max(frame.y(), available.y()), available.bottom() + 1 - height - extra_h)
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        self.invoke_action = QAction("▶ Invoke", self)
        self.invoke_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.invoke_action.setToolTip("Invoke the event editor's function with its event (Ctrl+Enter)")
        self.invoke_action.triggered.connect(self.event_editor.invoke)
        toolbar.addAction(self.invoke_action)
        self.stop_all_action = QAction("■ Stop idle environments", self)
        self.stop_all_action.setToolTip("Stop every idle on-demand environment (busy ones finish first, "
                                        "provisioned ones stay, as on AWS); the next invocation cold-starts")
        self.stop_all_action.triggered.connect(self.stop_all_environments)
        toolbar.addAction(self.stop_all_action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel("Backend:"))
        self.backend_box = QComboBox()
        self.backend_box.addItems(BACKENDS)
        self.backend_box.setCurrentText(self.session.backend)
        self.backend_box.setToolTip("Where execution environments run: processes on this machine, or Docker "
                                    "containers (the engine restarts on the other)")
        self.backend_box.activated.connect(lambda _i: self.switch_backend(self.backend_box.currentText()))
        toolbar.addWidget(self.backend_box)
        self.toolbar = toolbar
        self.addToolBarBreak()
        self.load_toolbar = LoadToolbar(self.session, self.operations, self.message_bar, self.event_editor.payload_for)
        self.addToolBar(self.load_toolbar)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction("&New project…", QKeySequence("Ctrl+Shift+N"),
                            lambda: self.project_actions.choose_folder("New project: choose an empty folder"))
        file_menu.addAction("New project from an application &template…", self.project_actions.new_from_app_template)
        file_menu.addAction("&Open project…", QKeySequence.StandardKey.Open,
                            lambda: self.project_actions.choose_folder("Open project: choose its folder"))
        self.recent_menu = file_menu.addMenu("&Recent projects")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self.new_function_action = file_menu.addAction("New &function…", QKeySequence.StandardKey.New,
                                                       self.project_actions.new_function)
        file_menu.addAction("Open the &template", self.open_template)
        file_menu.addAction(self.code_editor.save_action)
        file_menu.addSeparator()
        file_menu.addAction("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self._build_edit_menu()
        engine_menu = self.menuBar().addMenu("&Engine")
        engine_menu.addAction(self.invoke_action)
        engine_menu.addAction(self.stop_all_action)
        engine_menu.addAction("Re&load the project", lambda: self.operations.run("Reload the project",
                                                                                 self.session.reload_project))
        add_endpoint_action(engine_menu, self.session, self.operations, self)
        engine_menu.addSeparator()
        engine_menu.addAction("Engine &settings…", lambda: self.show_preferences(engine=True))
        self.reset_demo_action = engine_menu.addAction("&Reset the demo", self.reset_demo)
        self.reset_demo_action.setToolTip("Stop everything and clear the graph, map, logs and traces")
        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        self.configuration_action = view_menu.addAction(
            "C&onfiguration view", QKeySequence("Ctrl+Shift+C"), lambda: self.show_configuration_page())
        self.configuration_action.setToolTip("A function's settings, versions and aliases, asynchronous invocation, "
                                             "triggers and files (choose the function in the Functions pane)")
        view_menu.addSeparator()
        self.presentation_action = QAction("&Presentation layout", self)
        self.presentation_action.setCheckable(True)
        self.presentation_action.setShortcut(QKeySequence("F11"))
        self.presentation_action.setToolTip("Big fonts; the graph, the environment map and the traces large "
                                            "(for a projector)")
        self.presentation_action.toggled.connect(
            lambda on: self.apply_presentation() if on else self.apply_standard())
        view_menu.addAction(self.presentation_action)
        view_menu.addAction("Reset the layout", self.reset_layout)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Documentation", QKeySequence(QKeySequence.StandardKey.HelpContents), self.show_docs)
        help_menu.addAction("&Keyboard shortcuts", self.show_shortcuts)
        self.about_action = help_menu.addAction("&About Lambda Workbench", self.show_about)

    def _build_edit_menu(self) -> None:
        """Undo, clipboard and Find act on whichever text field has the focus (editor, event, filters)."""
        edit_menu = self.menuBar().addMenu("&Edit")
        for label, key, slot in (("&Undo", QKeySequence.StandardKey.Undo, "undo"),
                                 ("&Redo", QKeySequence.StandardKey.Redo, "redo"),
                                 (None, None, None),
                                 ("Cu&t", QKeySequence.StandardKey.Cut, "cut"),
                                 ("&Copy", QKeySequence.StandardKey.Copy, "copy"),
                                 ("&Paste", QKeySequence.StandardKey.Paste, "paste"),
                                 ("Select &all", QKeySequence.StandardKey.SelectAll, "selectAll")):
            if label is None or key is None or slot is None:
                edit_menu.addSeparator()
                continue
            action = QAction(label, self)
            action.setShortcut(QKeySequence(key))
            # Standard shortcuts stay with the focused widget (a QLineEdit handles Ctrl+C itself); the menu
            # item forwards to it.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(functools.partial(self._edit, slot))
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.code_editor.find_action)
        edit_menu.addSeparator()
        self.preferences_action = edit_menu.addAction("Pr&eferences…", QKeySequence.StandardKey.Preferences,
                                                      self.show_preferences)

    def _edit(self, slot: str) -> None:
        widget = QApplication.focusWidget()
        method = getattr(widget, slot, None)
        if callable(method):
            method()

    def _connect(self) -> None:
        self.bridge.events.connect(self._on_events)
        self.bridge.statistics.connect(self._on_statistics)
        self.bridge.engine_changed.connect(self._on_engine_changed)
        self.session.state_changed.connect(self.status.set_state)
        self.functions.invoke_requested.connect(self._invoke_from_tree)
        self.functions.open_code_requested.connect(self.open_function_code)
        self.functions.show_logs_requested.connect(self._show_function_logs)
        self.functions.show_graph_requested.connect(self._show_function_graph)
        self.functions.structure_changed.connect(self.event_editor.refresh_qualifiers)
        self.functions.delete_requested.connect(self.project_actions.delete_function)
        self.functions.new_function_requested.connect(self.project_actions.new_function)
        self.session.project_changed.connect(self._project_changed)
        self.functions.structure_changed.connect(self.load_toolbar.refresh_qualifiers)
        self.event_editor.show_logs_requested.connect(self.show_request_logs)
        self.traces.show_logs_requested.connect(self.show_request_logs)
        self.logs.request_not_loaded.connect(self._load_stored_logs)
        self.code_editor.written.connect(self.file_watcher.note_written)
        self.lesson_player.pane_highlighted.connect(self._lesson_pane)
        self.functions.configuration_requested.connect(self.show_configuration)
        self.configuration.open_file_requested.connect(self.code_editor.open_file)
        self.configuration.title_changed.connect(
            lambda title: self.code_editor.retitle_page(self.configuration_page, title))
        self.file_watcher.changed.connect(self.code_editor.files_changed_outside)

    # -- engine -> widgets ------------------------------------------------------------------------------
    def _on_events(self, batch: EventBatch) -> None:
        if batch.changes:
            self.functions.catalogue_changed()
            self.event_editor.refresh_functions(self.session.engine)
            self.load_toolbar.set_functions(self.session.engine)
            self.watch_files(self.session.engine)
        self.logs.add_events(batch)
        self.traces.add_events(batch)
        self.environments.add_events(batch)
        self.concurrency.add_events(batch)
        self.monitoring.add_events(batch)
        self.configuration.add_events(batch)   # and its Asynchronous and Triggers tabs
        self._say_discarded(batch)

    def _lesson_pane(self, name: str) -> None:
        """A lesson points at the resources: show what they hold now (the list is otherwise read on Refresh)."""
        if name == "resources" and self.session.engine is not None:
            self.resources.refresh()

    def _say_discarded(self, batch: EventBatch) -> None:
        """A discarded asynchronous event, or a delivery that failed, is said in the message bar (one message
        per batch: a burst of them must not flood it); the Asynchronous tab shows each."""
        discarded = [event for event in batch.asynchronous if isinstance(event, AsyncEventDiscarded)]
        failed = [event for event in batch.asynchronous if isinstance(event, AsyncDeliveryFailed)]
        if discarded:
            first = discarded[0]
            more = f" (and {len(discarded) - 1} more)" if len(discarded) > 1 else ""
            self.message_bar.warning(f"{first.function}: asynchronous event {first.request_id} discarded — "
                                     f"{first.condition}: {first.reason}{more}. See the Asynchronous tab.")
        if failed:
            first_failure = failed[0]
            self.message_bar.error(f"{first_failure.function}: delivering event {first_failure.request_id} to "
                                   f"{first_failure.target} failed — {first_failure.error}", "\n".join(
                                       f"{event.request_id} → {event.target}: {event.error}" for event in failed))

    def _on_statistics(self, statistics: EngineStatistics) -> None:
        self.concurrency.add_statistics(statistics)
        self.environments.add_statistics(statistics)
        self.functions.update_statistics(statistics)
        self.status.update_statistics(statistics)
        self.triggers.add_statistics(statistics)
        self.asynchronous.add_statistics(statistics)
        self.monitoring.add_statistics(statistics)

    def _on_engine_changed(self, engine: Engine | None) -> None:
        if engine is not None and not self.code_editor.tabs and engine.functions():
            self.open_function_code(engine.functions()[0].name)   # something to look at from the start
        self.functions.refresh(engine)
        self.event_editor.refresh_functions(engine)
        self.watch_files(engine)
        self.load_toolbar.set_functions(engine)
        names = [config.name for config in engine.functions()] if engine is not None else []
        self.logs.set_functions(names)
        self.triggers.set_functions(names)
        self.asynchronous.set_functions(names)
        self.monitoring.set_functions(names)
        self.environments.reset()
        self.configuration.catalogue_changed()   # a restarted engine: reload, or clear if the function is gone
        self.status.rate.reset()
        if engine is not None:
            self.status.set_backend(engine.backend_name)
            self.traces.set_backend(engine.backend_name)
            for notice in engine.notices:   # e.g. no sandbox on this machine: said once per engine start
                self.message_bar.warning(notice)
            self.backend_box.setCurrentText(self.session.backend)
            root = self.session.project.root
            if self._history_for != root:   # the project's earlier invocations, once per project opened
                if self._history_for is not None:
                    self.clear_views()   # another project: its own logs, traces and graph
                self._history_for = root
                self.operations.run("Read the project's recent traces", lambda: engine.traces(limit=HISTORY_TRACES),
                                    on_success=self.traces.add_history)

    def watch_files(self, engine: Engine | None) -> None:
        """Watch the template and the code folders of the project's functions (not the code the workbench
        keeps for API-created functions under .workbench/: nobody edits that by hand)."""
        project = self.session.project
        state_dir = (project.root / ".workbench").resolve()
        folders = {folder.resolve() for config in (engine.functions() if engine is not None else [])
                   if (folder := code_folder(config)) is not None}
        folders = {folder for folder in folders if not folder.is_relative_to(state_dir)}
        if folders != self._watched_folders or not self.file_watcher.watched_files:
            self._watched_folders = folders
            self.file_watcher.watch(sorted(folders), [project.template_path])

    # -- actions ----------------------------------------------------------------------------------------
    def start_engine(self) -> asyncio.Task[None | None]:
        return self.operations.run("Start the engine", self.session.start)

    def open_project(self, folder: Path) -> asyncio.Task[None | None] | None:
        """Run the project in ``folder`` (an empty folder becomes an empty project) in this window."""
        if self.code_editor.unsaved():
            self.message_bar.warning("Save or close the unsaved tabs before opening another project")
            return None
        try:
            project = open_folder(folder)
        except TemplateError as exc:
            self.message_bar.error(f"Open {folder} failed — {exc}")
            return None
        if project.root == self.session.project.root:
            return None
        lock: InstanceLock | None = None
        if self.lock is not None:   # one window per project, whichever window opens it
            lock = InstanceLock(project.state_dir)
            try:
                lock.acquire()
            except ProjectLockedError as exc:
                self.message_bar.error(str(exc))
                return None

        async def switch() -> None:
            try:
                await self.session.open_project(project)
            except BaseException:
                if lock is not None:
                    lock.release()
                raise
            if self.lock is not None:
                self.lock.release()
                self.lock = lock

        return self.operations.run(f"Open the project {project.root.name}", switch)

    async def _open_for_lesson(self, folder: Path) -> Engine:
        """A lesson's application project, opened in this window as File → Open project would."""
        task = self.open_project(folder)
        if task is None:
            raise RuntimeError(f"the window could not open {folder} (see the message bar)")
        await task
        engine = self.session.require()
        if self.session.project.root != folder:   # the lesson made it: an absolute, resolved path
            raise RuntimeError(f"the window could not open {folder} (see the message bar)")
        return engine

    def _project_changed(self, project: Project) -> None:
        self.setWindowTitle(f"Lambda Workbench — {project.root.name}")
        if self._remember_layout:   # the demo and a screenshot leave the user's settings alone
            self.project_actions.remember(project.root)
        for tab in list(self.code_editor.tabs):   # another project's files (none unsaved: checked on open)
            if not tab.path.is_relative_to(project.root):
                self.code_editor.close_saved(tab)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for folder in self.project_actions.recent():
            self.recent_menu.addAction(str(folder), functools.partial(self.open_project, folder))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def switch_backend(self, backend: str) -> None:
        def revert() -> None:
            self.backend_box.setCurrentText(self.session.backend)

        task = self.operations.run(f"Switch to the {backend} backend", lambda: self.session.switch_backend(backend),
                                   trigger=self.backend_box)
        task.add_done_callback(lambda _t: revert())

    def show_preferences(self, engine: bool = False) -> PreferencesDialog:
        settings = self.session.settings or EngineSettings()
        dialog = PreferencesDialog(str(self._settings.value("theme", theme.SYSTEM)), self.code_editor.point_size,
                                   ClassroomSettings.of(settings, self.slow_motion), self)
        if engine:
            dialog.tabs.setCurrentIndex(1)
        dialog.accepted.connect(lambda: self.apply_preferences(dialog))
        self.preferences = dialog
        dialog.open()
        return dialog

    def apply_preferences(self, dialog: PreferencesDialog) -> None:
        app = QApplication.instance()
        choice = dialog.theme_box.currentText()
        if isinstance(app, QApplication) and choice != self._settings.value("theme", theme.SYSTEM):
            app.setProperty("theme-choice", choice)
            theme.apply(app, choice)
            self.update()
        self._settings.setValue("theme", choice)
        self.code_editor.set_point_size(dialog.font_size.value())
        self._settings.setValue("editor_point_size", dialog.font_size.value())
        classroom = dialog.classroom
        current = self.session.settings or EngineSettings()
        if classroom != ClassroomSettings.of(current, self.slow_motion):
            base = dataclasses.replace(EngineSettings(), aws_endpoint=current.aws_endpoint)
            try:
                new = classroom.apply(base)
            except ValueError as exc:
                self.message_bar.error(f"Engine settings not applied — {exc}")
                return

            def applied(_none: None) -> None:
                self.slow_motion = classroom.slow_motion
                self.message_bar.info("Engine settings applied: the engine restarted with them")

            self.operations.run("Apply the engine settings", lambda: self.session.restart(new), on_success=applied)

    def reset_demo(self) -> asyncio.Task[None | None]:
        """Start over without restarting the app: every environment stops (a fresh engine on the same project
        and settings) and the graph, the map, the logs and the traces are cleared."""
        self.clear_views()
        return self.operations.run("Reset the demo", self.session.restart,
                                   on_success=lambda _none: self.message_bar.info("The demo starts over"))

    def clear_views(self) -> None:
        """Empty the graph, the environment map, the logs and the traces (a reset, another project)."""
        self.concurrency.reset()
        self.environments.reset()
        self.logs.model.clear()
        self.traces.model.clear()
        self.status.rate.reset()

    def show_docs(self) -> None:
        """F1: the README shipped with the workbench, in the desktop's viewer (offline: a local file)."""
        readme = docs_path()
        if readme is None or not QDesktopServices.openUrl(QUrl.fromLocalFile(str(readme))):
            self.message_bar.warning("The offline documentation (README.md) was not found next to the workbench")

    def show_shortcuts(self) -> QMessageBox:
        rows = [(action.text().replace("&", ""), action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                for action in self.findChildren(QAction) if not action.shortcut().isEmpty()]
        text = "\n".join(f"{keys:<18} {name}" for name, keys in sorted(set(rows), key=lambda r: r[0]))
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", text, QMessageBox.StandardButton.Close,
                          self)
        box.setFont(theme.monospace_font())
        self.shortcuts_box = box
        box.open()
        return box

    def show_about(self) -> AboutDialog:
        """The About box, at once; the Docker engine's version fills in when the engine has answered."""
        if self._about is None:   # one box, reopened: the version it waits for always has a live box to land in
            self._about = AboutDialog(self)
        dialog = self._about
        dialog.open()
        self.operations.run("Ask the Docker engine its version", docker_engine_version,
                            on_success=dialog.set_docker_version)
        return dialog

    def stop_all_environments(self) -> None:
        self.operations.run("Stop idle environments", lambda: self.session.require().stop_environments(),
                            trigger=self.stop_all_action)

    def open_function_code(self, name: str) -> None:
        engine = self.session.engine
        if engine is None:
            return
        self.code_editor.open_function(engine.function(name))

    def show_configuration(self, name: str, qualifier: str | None = None) -> None:
        """The Configuration view on ``name`` (a published version or alias: read only), in front."""
        try:
            self.configuration.show_function(name, qualifier)
        except LambdaError as exc:
            self.operations.report(f"Show the configuration of {name}", exc)
            return
        self.show_configuration_page()

    def show_configuration_page(self, tab: QWidget | None = None) -> None:
        """The Configuration view's page among the code editor's tabs, in front (on ``tab``, if given)."""
        if tab is not None:
            self.configuration.show_tab(tab)
        self.code_editor.show_page(self.configuration_page, self.configuration.tab_title,
                                   "A function's configuration (Functions pane: right-click → Configuration…)")

    def show_pane(self, name: str) -> QWidget | None:
        """Bring the pane called ``name`` (a dock's name, or "asynchronous" / "triggers": tabs of the
        Configuration view) to the front; the widget that holds it, or None if there is no such pane."""
        tabs: dict[str, QWidget] = {"asynchronous": self.asynchronous, "triggers": self.triggers}
        if name in tabs:
            self.show_configuration_page(tabs[name])
            return tabs[name]
        dock = self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()
        return dock

    def open_template(self) -> None:
        self.code_editor.open_file(self.session.project.template_path)

    def _invoke_from_tree(self, name: str, qualifier: str | None) -> None:
        self.event_editor.select_function(name, qualifier)
        self.docks["events"].raise_()
        self.event_editor.invoke()

    def _show_function_logs(self, name: str) -> None:
        self.logs.request_field.clear()
        self.logs.function_box.setCurrentText(name)
        self.logs.apply_filter()
        self.docks["logs"].raise_()

    def _show_function_graph(self, name: str) -> None:
        self.concurrency.show_function(name)
        self.docks["concurrency"].raise_()

    def _load_stored_logs(self, request_id: str) -> None:
        self.operations.run("Read stored log lines", lambda: self.session.require().logs(request_id=request_id),
                            on_success=lambda lines: self.logs.show_stored(request_id, lines))

    def show_request_logs(self, request_id: str) -> None:
        self.logs.show_request(request_id)
        self.docks["logs"].show()
        self.docks["logs"].raise_()

    # -- layout -----------------------------------------------------------------------------------------
    def restore_layout(self) -> bool:
        geometry = self._settings.value("geometry")
        state = self._settings.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        return isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("state", self.saveState(LAYOUT_VERSION))
        self._settings.sync()

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.show()
        self.size_docks()

    # -- shutdown ---------------------------------------------------------------------------------------
    async def shutdown(self) -> None:
        """Stop what is running: operations first (they use the engine), then the engine."""
        self.file_watcher.clear()   # no reload may start while the engine goes
        await self.lesson_player.stop()
        await self.operations.cancel_all()
        await self.session.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._shutdown_done:
            event.accept()
            return
        if self._shutdown_task is None and not self._unsaved_settled and self.code_editor.unsaved():
            event.ignore()
            self._ask_about_unsaved()
            return
        # The engine must be closed (awaited) before the window goes: ignore this close, shut down in a
        # task, and close again when that is done.
        event.ignore()
        if self._remember_layout:
            self.save_layout()
        if self._shutdown_task is None:
            self._shutdown_task = asyncio.ensure_future(self._shutdown_then_close())

    def _ask_about_unsaved(self) -> None:
        """Save, discard or cancel, for every tab with unsaved edits, before the window closes."""
        if self.close_question is not None:
            self.close_question.raise_()
            return
        names = ", ".join(tab.path.name for tab in self.code_editor.unsaved())
        buttons = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"Save the changes before quitting?\nUnsaved: {names}",
                          buttons.SaveAll | buttons.Discard | buttons.Cancel, self)
        box.setDefaultButton(buttons.SaveAll)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.close_question = box

        def answered(_result: int) -> None:
            self.close_question = None
            choice = box.standardButton(box.clickedButton())
            if choice == buttons.SaveAll:
                if not all(self.code_editor.write(tab) for tab in self.code_editor.unsaved()):
                    return   # a file could not be written: the message bar says why, the window stays
            elif choice != buttons.Discard:
                return   # Cancel, or the question was closed: keep working
            self._unsaved_settled = True
            self.close()

        box.finished.connect(answered)
        box.open()   # never exec(): the engine keeps running while the question is open

    async def _shutdown_then_close(self) -> None:
        try:
            await self.shutdown()
        finally:
            self._shutdown_done = True
            self.close()
            self.closed.emit()

