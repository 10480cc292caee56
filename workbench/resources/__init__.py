"""Files shipped with the workbench: the sample project, sample events, icons."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
SAMPLE_PROJECT = RESOURCES_DIR / "sample-project"


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lambda-workbench"


def sample_project_dir() -> Path:
    """A writable copy of the bundled sample project (made on first use), so users can edit and run it."""
    target = user_data_dir() / "sample-project"
    if not (target / "template.yaml").exists():
        shutil.copytree(SAMPLE_PROJECT, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    return target


EVENTS_DIR = RESOURCES_DIR / "events"

#: Shipped sample events, by file stem, with the name a menu shows.
SAMPLE_EVENT_TITLES = {
    "apigateway-rest": "API Gateway REST API (proxy)",
    "apigateway-http": "API Gateway HTTP API (payload 2.0)",
    "sqs": "SQS message batch",
    "sns": "SNS notification",
    "s3-put": "S3 object created",
    "dynamodb-stream": "DynamoDB stream records",
    "kinesis-stream": "Kinesis stream record",
    "eventbridge": "EventBridge custom event",
    "scheduled": "EventBridge scheduled event",
}


def sample_events() -> dict[str, Path]:
    """Menu title -> file of every shipped sample event."""
    return {title: EVENTS_DIR / f"{stem}.json" for stem, title in SAMPLE_EVENT_TITLES.items()}


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "lambda-workbench"
