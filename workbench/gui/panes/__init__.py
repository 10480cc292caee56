"""The dockable panes of the main window, one module each."""
