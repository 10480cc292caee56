"""Event source mappings: pollers that read SQS queues, Kinesis streams and DynamoDB streams through the AWS SDK
and invoke functions with batches (spec §6)."""
