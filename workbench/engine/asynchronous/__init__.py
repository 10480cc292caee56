"""Asynchronous invocation (spec §5): the durable event queue, its retry policy, the per-function, -version
and -alias configuration (`PutFunctionEventInvokeConfig`), and delivery to dead-letter queues and destinations."""
