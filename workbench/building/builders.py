"""One builder per language, each turning a function's sources into what Lambda runs, in a scratch folder.

The conventions are `sam build`'s: Python `requirements.txt` installed beside the code; Node.js
`npm install --omit=dev`; Java (Maven) the classes with `lib/*.jar`; Go (`BuildMethod: go1.x`) a static
`bootstrap` (GOOS=linux, CGO_ENABLED=0, `-tags lambda.norpc`); Ruby `Gemfile` gems in `vendor/bundle`;
C# an assembly compiled against the workbench's Amazon.Lambda.Core. A failing tool raises BuildError with
its output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from workbench.backends.compiled import build_dotnet_runtime, build_java_runtime
from workbench.backends.interpreters import find_python
from workbench.model.runtimes import Family, RuntimeInfo

#: Build steps that take longer than this are stopped (a hung download, a runaway compiler).
STEP_TIMEOUT_S = 900
_IGNORED = shutil.ignore_patterns(".aws-sam", ".workbench", "node_modules", "target", ".git", "__pycache__")


class BuildError(Exception):
    """A function could not be built; the message names the function and carries the tool's output."""


def run_tool(command: list[str], cwd: Path, what: str, env: Mapping[str, str] | None = None) -> str:
    """Run one build tool; its output comes back, or in the BuildError when it fails."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT_S,
                              check=False, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    except FileNotFoundError:
        raise BuildError(f"{what}: `{command[0]}` is not installed") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what}: `{' '.join(command)}` took more than {STEP_TIMEOUT_S} s") from None
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        tail = "\n".join(output.splitlines()[-40:])
        raise BuildError(f"{what}: `{' '.join(command)}` failed (exit status {done.returncode}):\n{tail}")
    return output


def copy_sources(source: Path, out: Path) -> None:
    shutil.copytree(source, out, ignore=_IGNORED, dirs_exist_ok=True, symlinks=True)


def build_python(source: Path, out: Path, runtime: RuntimeInfo) -> None:
    copy_sources(source, out)
    if (source / "requirements.txt").is_file():
        python = find_python(runtime.version).executable
        run_tool([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
                  str(source / "requirements.txt"), "-t", str(out)], out, "pip install")


def build_nodejs(source: Path, out: Path, runtime: RuntimeInfo) -> None:
    copy_sources(source, out)
    if (source / "package.json").is_file():
        run_tool(["npm", "install", "--omit=dev", "--no-audit", "--no-fund"], out, "npm install")


def build_ruby(source: Path, out: Path, runtime: RuntimeInfo) -> None:
    copy_sources(source, out)
    if (source / "Gemfile").is_file():
        if shutil.which("bundle") is None:
            raise BuildError("a Gemfile needs Bundler to vendor its gems: install it (apt-get install ruby-bundler)")
        env = {"BUNDLE_PATH": "vendor/bundle", "BUNDLE_WITHOUT": "development:test", "BUNDLE_APP_CONFIG": ".bundle"}
        run_tool(["bundle", "install"], out, "bundle install", env)


def build_java(source: Path, out: Path, runtime: RuntimeInfo) -> None:
    """Maven, laid out as `sam build` does: compiled classes at the top, runtime dependencies in lib/."""
    if not (source / "pom.xml").is_file():
        raise BuildError("a Java function is built from a pom.xml (Maven); none in its CodeUri")
    build_java_runtime(offline=False)  # the runtime client, with the same Maven, while the network is there
    work = out.parent / (out.name + ".maven")
    copy_sources(source, work)
    try:
        run_tool(["mvn", "-B", "-q", "-DskipTests", "package"], work, "mvn package")
        run_tool(["mvn", "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=runtime",
                  f"-DoutputDirectory={out / 'lib'}"], work, "mvn dependency:copy-dependencies")
        classes = work / "target" / "classes"
        if not classes.is_dir():
            raise BuildError("mvn package produced no target/classes")
        shutil.copytree(classes, out, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_go(source: Path, out: Path, runtime: RuntimeInfo) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = {"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"}
    run_tool(["go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", str(out / "bootstrap"), "."], source,
             "go build", env)


def build_dotnet(source: Path, out: Path, runtime: RuntimeInfo, handler: str) -> None:
    """C#: every .cs file compiled by Mono's mcs into the assembly the handler names (Assembly::Type::Method),
    against the workbench's Amazon.Lambda.Core and serializer assemblies. Those are not copied beside it: the
    runtime brings its own (one copy, so their types are the same ones the runtime knows). The .dll files in
    the sources are referenced and copied (a function's other libraries, built for Mono)."""
    assembly = handler.split("::", 1)[0]
    if not assembly or "::" not in handler:
        raise BuildError(f"the handler {handler!r} is not Assembly::Namespace.Class::Method")
    sources = sorted(str(path) for path in source.rglob("*.cs") if not {"bin", "obj"} & set(path.parts))
    if not sources:
        raise BuildError("no .cs files in the function's CodeUri")
    client = build_dotnet_runtime()
    out.mkdir(parents=True, exist_ok=True)
    provided = ("Amazon.Lambda.Core.dll", "Amazon.Lambda.Serialization.SystemTextJson.dll")
    libraries = sorted(path for path in source.glob("*.dll") if path.name not in provided
                       and path.name != f"{assembly}.dll")
    for library in libraries:
        shutil.copy2(library, out / library.name)
    references = [f"-r:{client / name}" for name in provided] + [f"-r:{library}" for library in libraries]
    run_tool(["mcs", "-target:library", "-optimize+", "-debug", "-r:System.Core",
              *references, f"-out:{out / (assembly + '.dll')}", *sources], source, "mcs")


Builder = Callable[[Path, Path, RuntimeInfo], None]
BUILDERS: dict[Family, Builder] = {Family.PYTHON: build_python, Family.NODEJS: build_nodejs, Family.RUBY: build_ruby,
                                   Family.JAVA: build_java}
