"""The Ruby runtime against real Ruby processes: reuse, context, Logger format, errors, timeouts, gems."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.behaviour import checks
from tests.helpers import EventLog, make_project, running
from tests.helpers import zip_of as _zip
from workbench.engine import EnvironmentInitialised, LogLine

pytestmark = pytest.mark.skipif(shutil.which("ruby") is None, reason="Ruby is not installed (apt-get install ruby)")

APP = """
    require 'logger'
    INIT_PID = Process.pid
    $calls = 0
    LOGGER = Logger.new($stdout)
    puts 'init line'

    def handler(event:, context:)
      $calls += 1
      LOGGER.info('from logger')
      puts "plain puts"
      sleep(event['sleep']) if event['sleep']
      raise ArgumentError, 'bad input' if event['fail']
      {
        'calls' => $calls, 'pid' => Process.pid, 'init_pid' => INIT_PID, 'event' => event,
        'function_name' => context.function_name, 'function_version' => context.function_version,
        'invoked_function_arn' => context.invoked_function_arn, 'memory' => context.memory_limit_in_mb,
        'request_id' => context.aws_request_id, 'log_group' => context.log_group_name,
        'log_stream' => context.log_stream_name, 'remaining' => context.get_remaining_time_in_millis,
        'client_context' => context.client_context, 'execution_env' => ENV['AWS_EXECUTION_ENV'],
        'cwd' => Dir.pwd == ENV['LAMBDA_TASK_ROOT']
      }
    end

    module Shop
      class Orders
        def self.process(event:, context:)
          "class method saw #{event['order']}"
        end
      end
    end
"""


def _ruby_api_version() -> str:
    """The folder name gems install under for this Ruby (e.g. 3.1.0); Docker's image has the same Ruby."""
    return subprocess.run(["ruby", "-e", "print RbConfig::CONFIG['ruby_version']"], capture_output=True, text=True,
                          check=True).stdout


async def test_reuse_context_logs_and_class_handlers(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {
        "Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "ruby3.3", "MemorySize": 256, "Timeout": 7,
               "FunctionName": "rb-fn"},
        "Klass": {"CodeUri": "src", "Handler": "app.Shop::Orders.process", "Runtime": "ruby3.2"},
    }, {"src/app.rb": APP})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        first = await engine.invoke("rb-fn", b'{"n": 1}', client_context=checks.CLIENT_CONTEXT)
        second = await engine.invoke("rb-fn", b'{"n": 2}')
        klass = await engine.invoke("Klass", b'{"order": 7}')
    one, _ = checks.assert_reused(first, second, "init_pid")
    assert len([e for e in events.of(EnvironmentInitialised) if e.function == "rb-fn"]) == 1
    assert one["event"] == {"n": 1} and one["function_name"] == "rb-fn" and one["function_version"] == "$LATEST"
    assert one["invoked_function_arn"] == checks.ACCOUNT_ARN + "rb-fn"
    assert one["memory"] == "256" and one["request_id"] == first.request_id
    assert one["log_group"] == "/aws/lambda/rb-fn" and one["log_stream"].endswith(one["log_stream"][-32:])
    assert 5000 < one["remaining"] <= 7000 and one["client_context"] == {"custom": {"k": "v"}}
    assert one["execution_env"] == "AWS_Lambda_ruby3.3" and one["cwd"]
    assert klass.json() == "class method saw 7"
    lines = [e.message for e in events.of(LogLine) if e.function == "rb-fn"]
    assert re.fullmatch(r"INIT_START Runtime Version: ruby:\d+\.\d+\.\d+\tRuntime Version ARN: .*", lines[0])
    assert lines[1] == "init line"
    rid = first.request_id
    assert lines[2] == f"START RequestId: {rid} Version: $LATEST"
    assert re.fullmatch(rf"I, \[\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{6}} #\d+\]  INFO {rid} -- : from logger",
                        lines[3])
    assert lines[4] == "plain puts"
    assert lines[5] == f"END RequestId: {rid}"
    checks.assert_cold_report(lines[6], rid, 256)


async def test_errors_have_aws_shape_and_timeouts_reset(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {
        "Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "ruby3.4", "Timeout": 1},
        "NoFile": {"CodeUri": "src", "Handler": "missing.handler", "Runtime": "ruby3.3"},
        "NoMethod": {"CodeUri": "src", "Handler": "app.absent", "Runtime": "ruby3.3"},
        "Malformed": {"CodeUri": "src", "Handler": "app", "Runtime": "ruby3.3"},
    }, {"src/app.rb": APP})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        failed = await engine.invoke("Fn", b'{"fail": true}')
        warm = await engine.invoke("Fn", b"{}")
        timed_out = await checks.assert_timeout_resets(engine, "Fn")  # the reset re-ran init (not a cold start)
        no_file = (await engine.invoke("NoFile")).json()
        no_method = (await engine.invoke("NoMethod")).json()
        malformed = (await engine.invoke("Malformed")).json()
    assert failed.function_error == "Unhandled"
    error = failed.json()
    assert error["errorType"] == "Function<ArgumentError>" and error["errorMessage"] == "bad input"
    assert any("app.rb" in frame and "handler" in frame for frame in error["stackTrace"])
    assert not warm.cold_start and warm.json()["calls"] == 2
    assert timed_out.json() == {"errorType": "Sandbox.Timedout", "errorMessage":
                                f"RequestId: {timed_out.request_id} Error: Task timed out after 1.00 seconds"}
    logged = [e.message for e in events.of(LogLine) if e.request_id == failed.request_id]
    assert any(m.startswith("Error raised from handler method\r{\r") and '"Function<ArgumentError>"' in m
               for m in logged)
    assert no_file["errorType"] == "Init<LoadError>" and "missing" in no_file["errorMessage"]
    assert no_method["errorType"] == "Init<NoMethodError>"
    assert no_method["errorMessage"] == "undefined method `absent' for main:Object"
    assert malformed["errorType"] == "Runtime.MalformedHandlerName"


GEMSPEC = """
    Gem::Specification.new do |s|
      s.name = '{name}'
      s.version = '1.0.0'
      s.summary = 'test gem'
      s.authors = ['workbench']
      s.files = ['lib/{name}.rb']
      s.require_paths = ['lib']
    end
"""


def _gem(prefix: str, name: str, value: str) -> dict[str, str]:
    """A gem installed as Bundler's `--deployment` (vendor/bundle) or a layer (ruby/gems) lays it out."""
    return {f"{prefix}/gems/{name}-1.0.0/lib/{name}.rb": f"module {name.capitalize()}; WHO = '{value}'; end\n",
            f"{prefix}/specifications/{name}-1.0.0.gemspec": GEMSPEC.format(name=name)}


async def test_vendored_gems_and_layers_are_on_the_load_path(tmp_path: Path, backend: str) -> None:
    api = _ruby_api_version()
    app = """
        require 'vendored'
        require 'layered'
        require 'layer_lib'
        def handler(event:, context:)
          [Vendored::WHO, Layered::WHO, LayerLib::WHO]
        end
    """
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "ruby3.3"}},
                           {"src/app.rb": app, **_gem(f"src/vendor/bundle/ruby/{api}", "vendored", "package")})
    layer = {"ruby/lib/layer_lib.rb": "module LayerLib; WHO = 'layer lib'; end\n"}
    layer.update({key: value for key, value in _gem(f"ruby/gems/{api}", "layered", "layer gem").items()})
    async with running(project, backend) as engine:
        result = await checks.invoke_with_layer(engine, "Fn", "gems", _zip(layer), ("ruby3.3",), payload=b"")
    assert result.function_error is None, result.payload
    assert result.json() == ["package", "layer gem", "layer lib"]
