"""SAM through AWS's translator: event sources, asynchronous settings, dead letters, deployment preferences,
SnapStart, plain CloudFormation, other resources, warnings, and provisioned attributes for Ref/GetAtt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import write_files
from workbench.model.template import (
    DeploymentPreferenceDefinition,
    EventInvokeConfigDefinition,
    TemplateError,
    load_template,
    sam_cache,
)

FEATURES = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: live}
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Failures:
    Type: AWS::SQS::Queue
  Alarm:
    Type: AWS::CloudWatch::Alarm
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      AutoPublishAlias: !Ref Stage
      ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 2}
      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Failures.Arn}
      SnapStart: {ApplyOn: PublishedVersions}
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref Alarm]
        Hooks: {PreTraffic: !Ref Check}
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        MaximumEventAgeInSeconds: 120
        DestinationConfig:
          OnFailure: {Type: SQS, Destination: !GetAtt Failures.Arn}
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5
            MaximumBatchingWindowInSeconds: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria: {Filters: [{Pattern: '{"body": {"kind": ["job"]}}'}]}
        Stream:
          Type: Kinesis
          Properties:
            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
            StartingPosition: LATEST
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 3
            ParallelizationFactor: 2
  Check:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      FunctionName: !Sub "CodeDeployHook_${Stage}_check"
"""


def _project(tmp_path: Path, text: str) -> Path:
    write_files(tmp_path, {"src/app.py": "def handler(event, context):\n    return 1\n"})
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def test_sam_features_become_typed_definitions(tmp_path: Path) -> None:
    template = load_template(_project(tmp_path, FEATURES))
    worker, check = template.functions
    assert (worker.name, worker.auto_publish_alias, worker.provisioned_concurrency) == ("Worker", "live", 2)
    assert worker.code_uri == (tmp_path / "src").resolve() and check.name == "CodeDeployHook_live_check"
    assert worker.role == "arn:aws:iam::123456789012:role/WorkerRole"

    jobs, stream = sorted(template.event_source_mappings, key=lambda m: m.logical_id)
    assert (jobs.logical_id, jobs.function, jobs.qualifier) == ("WorkerJobs", "Worker", "live")
    assert jobs.source_resource == "Queue" and jobs.event_source_arn == "Queue.Arn"
    assert (jobs.batch_size, jobs.maximum_batching_window_s) == (5, 2)
    assert jobs.function_response_types == ("ReportBatchItemFailures",)
    assert jobs.filter_patterns == ('{"body": {"kind": ["job"]}}',) and jobs.enabled
    assert stream.event_source_arn == "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    assert stream.source_resource is None and stream.starting_position == "LATEST"
    assert stream.bisect_batch_on_function_error and stream.maximum_retry_attempts == 3
    assert stream.parallelization_factor == 2 and stream.properties["StartingPosition"] == "LATEST"

    assert template.event_invoke_configs == (EventInvokeConfigDefinition(
        "WorkerEventInvokeConfig", "Worker", "live", 1, 120, None, "Failures.Arn"),)
    assert template.dead_letter_targets == {"Worker": "Failures.Arn"}
    assert template.snap_start == {"Worker": "PublishedVersions"}
    assert template.deployment_preferences == {"Worker": DeploymentPreferenceDefinition(
        "Worker", "live", "Canary10Percent5Minutes", ("Alarm",), "CodeDeployHook_live_check", None)}

    assert {"Queue", "Failures", "Alarm", "WorkerRole", "WorkerDeploymentGroup"} <= set(template.others)
    assert not any(r["Type"].startswith("AWS::Lambda::") for r in template.others.values())
    assert template.others["Queue"] == {"Type": "AWS::SQS::Queue"}
    warned = "\n".join(template.warnings)
    assert "AWS::SQS::Queue is not run by the workbench yet: Failures, Queue" in warned
    assert "AWS::CloudWatch::Alarm" in warned and "AWS::Lambda::EventSourceMapping" not in warned  # run now (issue 12)
    assert "AWS::IAM::Role" not in warned


def test_provisioned_attributes_resolve_ref_and_getatt(tmp_path: Path) -> None:
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:local-queue"
    failures_arn = "arn:aws:sqs:us-east-1:123456789012:local-failures"
    template = load_template(_project(tmp_path, FEATURES), resource_attributes={
        "Queue": {"Arn": queue_arn, "Ref": "http://127.0.0.1:1/queue"},
        "Failures": {"Arn": failures_arn},
        "Alarm": {"Ref": "worker-errors"},
        "Worker": {"Arn": "not used: Lambda's own resources are the workbench's"},
    })
    jobs = next(m for m in template.event_source_mappings if m.logical_id == "WorkerJobs")
    assert jobs.event_source_arn == queue_arn
    assert template.dead_letter_targets == {"Worker": failures_arn}
    assert template.event_invoke_configs[0].on_failure == failures_arn
    assert template.deployment_preferences["Worker"].alarms == ("worker-errors",)


def test_plain_cloudformation_templates_load(tmp_path: Path) -> None:
    write_files(tmp_path, {"src/app.py": "x = 1\n", "layer/python/lib.py": "y = 2\n"})
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {
        "Lib": {"Type": "AWS::Lambda::LayerVersion", "Properties": {"Content": "layer", "LayerName": "lib"}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": "plain", "Code": "src", "Handler": "app.handler", "Runtime": "python3.12",
            "Layers": [{"Ref": "Lib"}], "TracingConfig": {"Mode": "Active"}, "Role": {"Fn::GetAtt": ["R", "Arn"]},
            "ReservedConcurrentExecutions": 3}},
        "Inline": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": {"ZipFile": "def handler(e, c):\n    return 2\n"}, "Handler": "index.handler",
            "Runtime": "python3.12"}},
        "R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "exec"}},
        "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Name": "live", "FunctionVersion": {"Fn::GetAtt": ["V", "Version"]},
            "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 1}}},
        "V": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
        "Async": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST", "MaximumRetryAttempts": 0}},
    }}))
    template = load_template(path)
    fn, inline = template.functions
    assert (fn.name, fn.code_uri, fn.tracing_mode, fn.reserved_concurrency) == (
        "plain", (tmp_path / "src").resolve(), "Active", 3)
    assert fn.layers == ("arn:aws:lambda:us-east-1:123456789012:layer:lib",)
    assert (fn.auto_publish_alias, fn.provisioned_concurrency, fn.role) == (
        "live", 1, "arn:aws:iam::123456789012:role/exec")
    assert inline.inline_code is not None and "return 2" in inline.inline_code
    assert template.layers[0].content_uri == (tmp_path / "layer").resolve()
    assert template.event_invoke_configs[0].qualifier == "$LATEST"
    assert template.warnings == ()   # the asynchronous queue runs EventInvokeConfigs


def test_sam_layers_keep_their_logical_id_and_name(tmp_path: Path) -> None:
    write_files(tmp_path, {"src/app.py": "x = 1\n", "deps/python/lib.py": "y = 2\n"})
    path = tmp_path / "template.yaml"
    path.write_text("""\
Resources:
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: deps/, CompatibleRuntimes: [python3.12]}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12, Layers: [!Ref Deps]}
""")
    template = load_template(path)
    layer = template.layers[0]
    assert (layer.logical_id, layer.name, layer.compatible_runtimes) == ("Deps", "Deps", ("python3.12",))
    assert template.functions[0].layers == ("arn:aws:lambda:us-east-1:123456789012:layer:Deps",)


@pytest.mark.parametrize(("fragment", "where", "problem"), [
    ("      Events:\n        Jobs: {Type: SQS, Properties: {BatchSize: 5}}\n", "Fn.Events.Jobs.Queue",
     "Missing required property 'Queue'"),
    ("      Events:\n        Jobs: {Type: Nope}\n", "Fn.Events.Jobs", "Event Type is: Nope"),
    ("      Events:\n        Jobs: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:1:q, BatchSize: 0}}\n",
     "Fn.Events.Jobs.BatchSize", "must be between 1 and 10000"),
    ("      EventInvokeConfig: {MaximumRetryAttempts: 7}\n", "Fn.EventInvokeConfig", "must be between 0 and 2"),
    ("      AutoPublishAlias: live\n      DeploymentPreference: {Type: Canary10Percent5Minutes, Alarms: 3}\n",
     "Fn.DeploymentPreference", ""),
])
def test_translator_and_feature_errors_name_the_sam_resource(tmp_path: Path, fragment: str, where: str,
                                                             problem: str) -> None:
    path = _project(tmp_path, "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                              "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n" + fragment)
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert str(caught.value).startswith(f"{path}: {where}"), str(caught.value)
    assert problem in str(caught.value)


def test_globals_code_uri_and_default_code_folder(tmp_path: Path) -> None:
    path = _project(tmp_path, """\
Globals:
  Function: {CodeUri: src, Runtime: python3.12, Handler: app.handler}
Resources:
  A: {Type: AWS::Serverless::Function}
  B: {Type: AWS::Serverless::Function, Properties: {CodeUri: .}}
""")
    a, b = load_template(path).functions
    assert a.code_uri == (tmp_path / "src").resolve() and b.code_uri == tmp_path.resolve()
    path.write_text(path.read_text().replace("CodeUri: src,", "CodeUri: nowhere,"))
    with pytest.raises(TemplateError, match=r": Globals\.Function\.CodeUri: .*nowhere does not exist"):
        load_template(path)


def test_translations_are_cached_by_their_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("WORKBENCH_SAM_CACHE", str(cache))
    path = _project(tmp_path / "project", FEATURES)
    first = load_template(path)
    assert not (tmp_path / "project" / ".workbench").exists(), "reading a template writes nothing into the project"
    cached = list(cache.glob("sam-translation-*.json"))
    assert len(cached) == 1
    sam_cache._memory.clear()   # a new process: only the file is left
    assert load_template(path) == first
    assert load_template(path, {"Stage": "blue"}).functions[0].auto_publish_alias == "blue"
    assert len(list(cache.glob("sam-translation-*.json"))) == 2
    cached[0].write_text("{ not json")   # a damaged cache is only a cache
    sam_cache._memory.clear()
    assert load_template(path) == first


def test_container_image_functions_are_left_out_with_a_warning(tmp_path: Path) -> None:
    path = _project(tmp_path, """\
Resources:
  Img:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:latest}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
""")
    template = load_template(path)
    assert [f.name for f in template.functions] == ["Fn"]
    assert template.warnings == ("Img: container image functions are not run by the workbench (PackageType "
                                 "Image); it is left out",)
