"""The engine's public API: the façade and every type a face (CLI, HTTP API, GUI) needs.

Faces import from here only (an import-linter contract holds them to it); the sub-packages are the
engine's own business and may be regrouped freely.
"""

from workbench.engine.asynchronous.config import KEEP, EventInvokeConfig
from workbench.engine.asynchronous.events import (
    AsyncAttemptStarted,
    AsyncDeliveryFailed,
    AsyncDestinationDelivered,
    AsyncEventDeadLettered,
    AsyncEventDiscarded,
    AsyncEventDropped,
    AsyncEventQueued,
    AsyncEventSucceeded,
    AsyncInvocationEvent,
    AsyncRetryScheduled,
    Condition,
    EventState,
)
from workbench.engine.asynchronous.lease import LeaseHolder
from workbench.engine.asynchronous.statistics import AsyncQueueStatistics
from workbench.engine.asynchronous.store import QueuedEvent, query_events
from workbench.engine.catalogue.code_store import CodeStore, deterministic_zip
from workbench.engine.catalogue.functions import Alias, FunctionEntry, parse_name
from workbench.engine.catalogue.layers import LayerVersion
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.catalogue.zipsafe import extract_zip
from workbench.engine.concurrency.autoscaling import AutoscalingPolicy
from workbench.engine.core.clock import Clock, FakeClock, RealClock, TimerHandle
from workbench.engine.core.errors import (
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
from workbench.engine.core.initiator import initiated_by
from workbench.engine.core.settings import EngineSettings, checked_aws_endpoint
from workbench.engine.event_sources.config import MappingConfig, MappingOptions, PollerSettings, SourceKind
from workbench.engine.event_sources.config import State as MappingState
from workbench.engine.event_sources.events import MappingBatchProcessed, MappingRecordsDiscarded, MappingStateChanged
from workbench.engine.event_sources.manager import MappingView
from workbench.engine.execution.invocation import InvokeRequest, InvokeResult
from workbench.engine.execution.load import LoadProgress, LoadReport, run_load
from workbench.engine.execution.pool import EnvironmentInfo
from workbench.engine.execution.scheduler import ProvisionedConfig
from workbench.engine.facade import Engine
from workbench.engine.observation.events import (
    BackendNotice,
    CatalogueChanged,
    CatalogueResource,
    Change,
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
from workbench.engine.observation.logformat import iso_timestamp
from workbench.engine.observation.statistics import (
    EngineStatistics,
    FunctionStatistics,
    MappingStatistics,
    percentile,
)
from workbench.engine.observation.tracing import to_xray_documents
from workbench.engine.store.database import SchemaTooNewError, open_migrated
from workbench.engine.store.logs import StoredLog, open_readonly, query_logs, query_traces

__all__ = [
    "KEEP",
    "Alias",
    "AsyncAttemptStarted",
    "AsyncDeliveryFailed",
    "AsyncDestinationDelivered",
    "AsyncEventDeadLettered",
    "AsyncEventDiscarded",
    "AsyncEventDropped",
    "AsyncEventQueued",
    "AsyncEventSucceeded",
    "AsyncInvocationEvent",
    "AsyncQueueStatistics",
    "AsyncRetryScheduled",
    "AutoscalingPolicy",
    "BackendNotice",
    "CatalogueChanged",
    "CatalogueResource",
    "Change",
    "Clock",
    "CodeStore",
    "Condition",
    "Engine",
    "EngineEvent",
    "EngineSettings",
    "EngineStatistics",
    "EnvState",
    "EnvironmentBusy",
    "EnvironmentEvent",
    "EnvironmentFrozen",
    "EnvironmentIdle",
    "EnvironmentInfo",
    "EnvironmentInitFailed",
    "EnvironmentInitialised",
    "EnvironmentStarting",
    "EnvironmentStopped",
    "EventInvokeConfig",
    "EventState",
    "FakeClock",
    "FunctionEntry",
    "FunctionStatistics",
    "FunctionVersion",
    "InitType",
    "InvalidPackageError",
    "InvalidParameterValueError",
    "InvalidRequestContentError",
    "InvalidRuntimeError",
    "InvocationFinished",
    "InvocationRecord",
    "InvocationStarted",
    "InvokeRequest",
    "InvokeResult",
    "LambdaError",
    "LayerVersion",
    "LeaseHolder",
    "LoadProgress",
    "LoadReport",
    "LogLine",
    "MappingBatchProcessed",
    "MappingConfig",
    "MappingOptions",
    "MappingRecordsDiscarded",
    "MappingState",
    "MappingStateChanged",
    "MappingStatistics",
    "MappingView",
    "PipelineStageChanged",
    "PollerSettings",
    "PreconditionFailedError",
    "ProvisionedConcurrencyChanged",
    "ProvisionedConcurrencyConfigNotFoundError",
    "ProvisionedConfig",
    "QueuedEvent",
    "RealClock",
    "RequestTooLargeError",
    "ResourceConflictError",
    "ResourceNotFoundError",
    "SchemaTooNewError",
    "ServiceError",
    "SourceKind",
    "Span",
    "StoredLog",
    "Throttled",
    "TimerHandle",
    "TooManyRequestsError",
    "TraceRecord",
    "TraceRecorded",
    "ValidationError",
    "check_revision_id",
    "checked_aws_endpoint",
    "deterministic_zip",
    "extract_zip",
    "initiated_by",
    "iso_timestamp",
    "open_migrated",
    "open_readonly",
    "parse_name",
    "percentile",
    "query_events",
    "query_logs",
    "query_traces",
    "run_load",
    "to_xray_documents",
]
