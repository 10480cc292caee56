"""Execution backends: how a runtime process is started, frozen, measured and killed.

The process backend (default) runs runtimes as local subprocesses; the Docker backend runs them in
containers. The engine sees only the interface in `base.py`.
"""
