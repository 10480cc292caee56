"""AWS Lambda quotas the workbench enforces (spec §1.4, §11). One place, so faces and engine agree."""

from __future__ import annotations

MIB = 1024 * 1024

MEMORY_MIN_MB = 128
MEMORY_MAX_MB = 10_240
MEMORY_DEFAULT_MB = 128

TIMEOUT_MIN_S = 1
TIMEOUT_MAX_S = 900
TIMEOUT_DEFAULT_S = 3

EPHEMERAL_MIN_MB = 512
EPHEMERAL_MAX_MB = 10_240
EPHEMERAL_DEFAULT_MB = 512

#: The init phase of an on-demand environment; a longer init is retried under the invoke timeout.
INIT_TIMEOUT_S = 10.0

#: Sync request and response: "6 MB" is 6 MiB.
SYNC_PAYLOAD_MAX = 6 * MIB
#: What the Runtime API accepts from a runtime (RIE's MaxPayloadSize: 6 MiB + 100).
RUNTIME_RESPONSE_MAX = 6 * MIB + 100
#: Async (Event) request, current value; 256 KiB before 2025.
ASYNC_PAYLOAD_MAX = 1 * MIB
ASYNC_PAYLOAD_MAX_LEGACY = 256 * 1024

ZIP_UPLOAD_MAX = 50 * MIB
UNZIPPED_MAX = 250 * MIB

ENV_VARS_MAX_BYTES = 4 * 1024
FUNCTION_NAME_MAX = 64
DESCRIPTION_MAX = 256
HANDLER_MAX = 128
LAYERS_MAX = 5
CLIENT_CONTEXT_MAX = 3583
LOG_TAIL_BYTES = 4 * 1024

ACCOUNT_CONCURRENCY_DEFAULT = 1000
UNRESERVED_MIN = 100
SCALING_ENVIRONMENTS_PER_WINDOW = 1000
SCALING_WINDOW_S = 10.0
