"""Lambda Workbench: run, inspect and teach AWS-Lambda-style functions offline."""

__version__ = "0.1.0"
