"""S3 object processing: a summary (bytes, lines, words) of every created object, written beside it.

The S3 client comes from boto3, which reads the endpoint from AWS_ENDPOINT_URL when the workbench's local
services are running. It is made on first use, so an event with nothing to process needs no S3 at all.
"""

import json
import os
from urllib.parse import unquote_plus

_s3 = None


def s3():
    global _s3
    if _s3 is None:
        import boto3

        _s3 = boto3.client("s3")
    return _s3


def summarise(body):
    text = body.decode("utf-8", errors="replace")
    return {"bytes": len(body), "lines": len(text.splitlines()), "words": len(text.split())}


def handler(event, context):
    prefix = os.environ.get("OUTPUT_PREFIX", "processed/")
    summaries, skipped = [], 0
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # Keys are URL-encoded in the event ("my+file.txt" is "my file.txt").
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith(prefix):
            skipped += 1  # our own output: processing it would trigger this function again, forever
            continue
        body = s3().get_object(Bucket=bucket, Key=key)["Body"].read()
        summary = {"bucket": bucket, "key": key, **summarise(body)}
        s3().put_object(Bucket=bucket, Key=f"{prefix}{key}.json", Body=json.dumps(summary).encode(),
                        ContentType="application/json")
        summaries.append(summary)
    print(f"processed {len(summaries)} object(s), skipped {skipped}")
    return {"processed": len(summaries), "skipped": skipped, "summaries": summaries}
