"""SAM templates: properties, Globals, intrinsics, and errors that name file, resource and property."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.helpers import write_files
from workbench.model.project import load_project
from workbench.model.template import TemplateError, load_template

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Runtime: python3.11
    Timeout: 10
    Environment:
      Variables:
        SHARED: from-globals
        STAGE: !Ref Stage
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-api-${Stage}"
      CodeUri: src/
      Handler: app.handler
      MemorySize: 512
      Description: The API
      EphemeralStorage:
        Size: 1024
      Environment:
        Variables:
          OWN: !Join ["-", [a, b, !Ref Stage]]
          TABLE: !GetAtt Table.Arn
          PEER: !GetAtt Worker.Arn
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: package.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Timeout: 900
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: things
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "app.py").write_text("def handler(e, c):\n    return 1\n")
    with zipfile.ZipFile(tmp_path / "package.zip", "w") as archive:
        archive.writestr("index.js", "exports.handler = async () => 1;\n")
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def test_functions_globals_and_intrinsics(tmp_path: Path) -> None:
    template = load_template(_write(tmp_path, TEMPLATE))
    api, worker = template.functions
    assert api.name == f"{tmp_path.name}-api-dev" and api.logical_id == "Api"
    assert api.runtime == "python3.11" and api.handler == "app.handler"
    assert api.memory_size == 512 and api.timeout == 10 and api.ephemeral_storage == 1024
    assert api.description == "The API" and api.code_uri == (tmp_path / "src").resolve()
    assert api.environment == {"SHARED": "from-globals", "STAGE": "dev", "OWN": "a-b-dev",
                               "TABLE": "Table.Arn", "PEER": "arn:aws:lambda:us-east-1:123456789012:function:Worker"}
    assert worker.name == "Worker" and worker.runtime == "nodejs20.x" and worker.timeout == 900
    assert worker.memory_size == 128 and worker.code_uri == (tmp_path / "package.zip").resolve()
    assert "Table" in template.others and template.others["Table"]["Type"] == "AWS::DynamoDB::Table"


def test_parameter_overrides_and_lookup_by_name_or_logical_id(tmp_path: Path) -> None:
    _write(tmp_path, TEMPLATE)
    project = load_project(project_dir=tmp_path, parameter_overrides={"Stage": "prod"})
    assert project.find_function("Api").name.endswith("-api-prod")
    assert project.find_function(project.find_function("Api").name).logical_id == "Api"
    with pytest.raises(KeyError):
        project.find_function("Nope")


@pytest.mark.parametrize(("change", "resource", "prop", "fragment"), [
    ("MemorySize: 512", "Api", "MemorySize", "MemorySize: 64"),
    ("MemorySize: 512", "Api", "MemorySize", "MemorySize: 20000"),
    ("Timeout: 900", "Worker", "Timeout", "Timeout: 901"),
    ("Handler: app.handler", "Api", "Runtime", "Handler: app.handler\n      Runtime: cobol9"),
    ("CodeUri: src/", "Api", "CodeUri", "CodeUri: missing/"),
    ("CodeUri: src/", "Api", "CodeUri", "CodeUri: {Bucket: b, Key: k}"),
    ("Handler: index.handler", "Worker", "Handler", "Description: no handler"),
    ("OWN: !Join", "Api", "Environment", "AWS_REGION: x\n          OWN: !Join"),
    ("TABLE: !GetAtt Table.Arn", "Api", "Environment", "TABLE: !ImportValue other"),
    ("Size: 1024", "Api", "EphemeralStorage", "Size: 100"),
])
def test_invalid_templates_name_file_resource_and_property(tmp_path: Path, change: str, resource: str, prop: str,
                                                           fragment: str) -> None:
    path = _write(tmp_path, TEMPLATE.replace(change, fragment))
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    message = str(caught.value)
    assert message.startswith(f"{path.resolve()}: {resource}.{prop}: "), message
    assert caught.value.resource == resource and caught.value.prop == prop


def test_yaml_syntax_errors_and_missing_resources(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  A: [unclosed\n")
    with pytest.raises(TemplateError, match=r"not valid YAML.*line"):
        load_template(path)
    path.write_text("Description: nothing\n")
    with pytest.raises(TemplateError, match="Resources section is missing"):
        load_template(path)
    with pytest.raises(TemplateError, match="not found"):
        load_template(tmp_path / "absent.yaml")


def test_duplicate_function_names_are_rejected(tmp_path: Path) -> None:
    write_files(tmp_path, {"src/app.py": "x = 1\n"})
    path = tmp_path / "template.yaml"
    path.write_text("""\
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: same, CodeUri: src, Handler: app.h, Runtime: python3.12}
  B:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: same, CodeUri: src, Handler: app.h, Runtime: python3.12}
""")
    with pytest.raises(TemplateError, match=r"B\.FunctionName: function name 'same' is also used by A"):
        load_template(path)


def test_inline_code_and_provided_runtime_without_handler(tmp_path: Path) -> None:
    write_files(tmp_path, {"custom/bootstrap": "#!/bin/sh\n"})
    path = tmp_path / "template.yaml"
    path.write_text("""\
Resources:
  Inline:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      InlineCode: |
        def handler(event, context):
            return "inline"
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: custom
      Runtime: provided.al2023
""")
    inline, custom = load_template(path).functions
    assert inline.inline_code is not None and "inline" in inline.inline_code and inline.code_uri is None
    assert custom.handler == "" and custom.runtime == "provided.al2023"


def test_provisioned_concurrency_and_autoscaling_resources(tmp_path: Path) -> None:
    write_files(tmp_path, {"src/app.py": "x = 1\n"})
    path = tmp_path / "template.yaml"
    path.write_text("""\
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      ReservedConcurrentExecutions: 20
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 5
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ResourceId: !Sub function:${Api}:live
      ScalableDimension: lambda:function:ProvisionedConcurrency
      ServiceNamespace: lambda
      MinCapacity: 2
      MaxCapacity: 10
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 0.7
        ScaleInCooldown: 120
        PredefinedMetricSpecification:
          PredefinedMetricType: LambdaProvisionedConcurrencyUtilization
""")
    template = load_template(path)
    api = template.functions[0]
    assert (api.reserved_concurrency, api.auto_publish_alias, api.provisioned_concurrency) == (20, "live", 5)
    scaling = template.autoscaling[0]
    assert (scaling.function, scaling.qualifier, scaling.min_capacity, scaling.max_capacity) == ("Api", "live", 2, 10)
    assert scaling.target_utilisation == 0.7 and scaling.scale_in_cooldown_s == 120


def test_provisioned_concurrency_needs_an_alias(tmp_path: Path) -> None:
    write_files(tmp_path, {"src/app.py": "x = 1\n"})
    path = tmp_path / "template.yaml"
    path.write_text("""\
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.h, Runtime: python3.12,
                 ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 5}}
""")
    # SAM's own message (AWS's translator checks it before the workbench sees the function).
    with pytest.raises(TemplateError, match=r"Api\.ProvisionedConcurrencyConfig: To set ProvisionedConcurrencyConfig "
                                            r"AutoPublishALias must be defined"):
        load_template(path)
