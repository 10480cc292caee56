"""The Lambda-compatible HTTP API (`workbench serve`)."""
