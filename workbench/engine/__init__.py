"""The engine's public API: the façade and every type a face (CLI, HTTP API, GUI) needs.

Faces import from here only (an import-linter contract holds them to it); the sub-packages are the
engine's own business and may be regrouped freely.
"""

from workbench.engine.autoscaling import AutoscalingPolicy
from workbench.engine.clock import Clock, FakeClock, RealClock, TimerHandle
from workbench.engine.code import deterministic_zip
from workbench.engine.engine import Engine
from workbench.engine.errors import (
    InvalidPackageError,
    InvalidParameterValueError,
    InvalidRequestContentError,
    InvalidRuntimeError,
    LambdaError,
    PreconditionFailedError,
    ProvisionedConcurrencyConfigNotFoundError,
    RequestTooLargeError,
    ResourceConflictError,
    ResourceNotFoundError,
    ServiceError,
    TooManyRequestsError,
    ValidationError,
    check_revision_id,
)
from workbench.engine.events import (
    EngineEvent,
    EnvironmentBusy,
    EnvironmentEvent,
    EnvironmentFrozen,
    EnvironmentIdle,
    EnvironmentInitFailed,
    EnvironmentInitialised,
    EnvironmentStarting,
    EnvironmentStopped,
    EnvState,
    InitType,
    InvocationFinished,
    InvocationRecord,
    InvocationStarted,
    LogLine,
    PipelineStageChanged,
    ProvisionedConcurrencyChanged,
    Span,
    Throttled,
    TraceRecord,
    TraceRecorded,
)
from workbench.engine.invocation import InvokeRequest, InvokeResult
from workbench.engine.layers import LayerVersion
from workbench.engine.load import LoadProgress, LoadReport, run_load
from workbench.engine.logformat import iso_timestamp
from workbench.engine.pool import EnvironmentInfo
from workbench.engine.registry import Alias, FunctionEntry, parse_name
from workbench.engine.scheduler import ProvisionedConfig
from workbench.engine.settings import EngineSettings
from workbench.engine.statistics import EngineStatistics, FunctionStatistics
from workbench.engine.store import StoredLog, open_readonly, query_logs, query_traces
from workbench.engine.tracing import to_xray_documents
from workbench.engine.versions import FunctionVersion
from workbench.engine.zipsafe import extract_zip

__all__ = [
    "Alias", "AutoscalingPolicy", "Clock", "Engine", "EngineEvent", "EngineSettings", "EngineStatistics",
    "EnvState", "EnvironmentBusy", "EnvironmentEvent", "EnvironmentFrozen", "EnvironmentIdle",
    "EnvironmentInfo", "EnvironmentInitFailed", "EnvironmentInitialised", "EnvironmentStarting",
    "EnvironmentStopped", "FakeClock", "FunctionEntry", "FunctionStatistics", "FunctionVersion", "InitType",
    "InvalidPackageError", "InvalidParameterValueError", "InvalidRequestContentError", "InvalidRuntimeError",
    "InvocationFinished", "InvocationRecord", "InvocationStarted", "InvokeRequest", "InvokeResult",
    "LambdaError", "LayerVersion", "LoadProgress", "LoadReport", "LogLine", "PipelineStageChanged",
    "PreconditionFailedError",
    "ProvisionedConcurrencyChanged", "ProvisionedConcurrencyConfigNotFoundError", "ProvisionedConfig",
    "RealClock", "RequestTooLargeError", "ResourceConflictError", "ResourceNotFoundError", "ServiceError",
    "Span", "StoredLog", "Throttled", "TimerHandle", "TooManyRequestsError", "TraceRecord", "TraceRecorded",
    "ValidationError", "check_revision_id", "deterministic_zip", "extract_zip", "iso_timestamp",
    "open_readonly", "parse_name", "query_logs", "query_traces", "run_load", "to_xray_documents",
]
