"""Hostile and careless templates (issue 19, item 8): each is a fast `file: Resource.Property: problem` error,
with bounded memory and no traceback, or a linear-time load."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from tests.helpers import write_files
from workbench.model.template import TemplateError, load_template
from workbench.model.template.source import MAX_DEPTH, MAX_TEMPLATE_BYTES

FUNCTION = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
"""


def _template(tmp_path: Path, text: str | bytes) -> Path:
    write_files(tmp_path, {"src/app.py": "def handler(event, context):\n    return 1\n"})
    path = tmp_path / "template.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _refused(path: Path, where: str | None, fragment: str, *, within_s: float = 2.0,
             max_memory: int = 64 << 20) -> TemplateError:
    """Loading fails with a TemplateError at ``where`` naming ``fragment``, quickly and in bounded memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(TemplateError) as caught:
            load_template(path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    prefix = f"{path.resolve()}: {where}: " if where else f"{path.resolve()}: "
    assert message.startswith(prefix), message
    assert fragment in message, message
    assert elapsed < within_s, f"{elapsed:.2f} s"
    assert peak < max_memory, f"{peak / 1e6:.0f} MB"
    return caught.value


def test_billion_laughs_is_refused_before_expanding(tmp_path: Path) -> None:
    lines = ["Laughs:", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = _template(tmp_path, "\n".join(lines) + "\n" + FUNCTION)
    _refused(path, "Laughs.l5", "expands to more than 1,000,000 nodes through aliases")


def test_aliases_nested_through_each_other_count_as_depth(tmp_path: Path) -> None:
    # Each anchor is shallow, but expanding the chain would nest 40 * 30 levels.
    lines = ["Deep:", "  d0: &d0 " + "[" * 30 + "x" + "]" * 30]
    lines += [f"  d{i}: &d{i} " + "[" * 30 + f"*d{i - 1}" + "]" * 30 for i in range(1, 40)]
    path = _template(tmp_path, "\n".join(lines) + "\n" + FUNCTION)
    _refused(path, "Deep.d3.0.0.0.0.0.0", f"nested more than {MAX_DEPTH} levels deep once aliases are expanded")


def test_recursive_alias(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION + "      Environment: &env\n        Variables:\n          Again: *env\n")
    _refused(path, "Fn.Environment.Variables.Again", "recursive alias")


@pytest.mark.parametrize(("body", "where", "fragment"), [
    ("Deep: " + "[" * 5000 + "]" * 5000 + "\n", None, "not valid YAML"),   # libyaml's own bound
    ("Deep: " + "[" * 150 + "]" * 150 + "\n", "Deep.0.0.0.0.0.0.0", f"nested more than {MAX_DEPTH} levels deep"),
    ("".join(f"{' ' * i}k{i}:\n" for i in range(300)) + " " * 300 + "end: 1\n", "k0.k1.k2.k3.k4.k5.k6.k7",
     f"nested more than {MAX_DEPTH} levels deep"),
    # 5,000 levels in block style need 12.5 MB of indentation: the size bound refuses it first.
    ("".join(f"{' ' * i}k{i}:\n" for i in range(5000)) + " " * 5000 + "end: 1\n", None, "larger than"),
])
def test_deep_nesting(tmp_path: Path, body: str, where: str | None, fragment: str) -> None:
    _refused(_template(tmp_path, body + FUNCTION), where, fragment)


def test_code_uri_with_a_symlink_loop(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION)
    (tmp_path / "src" / "nested").mkdir()
    os.symlink("..", tmp_path / "src" / "nested" / "up")
    _refused(path, "Fn.CodeUri", "symbolic link loop: nested/up -> .. leads back to a folder that contains it")


def test_code_uri_that_is_itself_a_link_loop(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION.replace("CodeUri: src", "CodeUri: loop"))
    os.symlink("loop", tmp_path / "loop")
    _refused(path, "Fn.CodeUri", "cannot be resolved")


def test_links_inside_the_package_that_do_not_loop_are_fine(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION)
    write_files(tmp_path, {"shared/util.py": "x = 1\n"})
    os.symlink("../shared", tmp_path / "src" / "shared")
    os.symlink("shared", tmp_path / "src" / "again")
    assert load_template(path).functions[0].code_uri == (tmp_path / "src").resolve()


def test_select_with_a_non_numeric_index(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION + "      Description: !Select [abc, [a, b]]\n")
    _refused(path, "Fn.Description", "Fn::Select needs a non-negative integer index (got 'abc')")
    path.write_text(FUNCTION + f"      Description: !Select ['{'9' * 5000}', [a, b]]\n")
    _refused(path, "Fn.Description", "Fn::Select needs a non-negative integer index")


def test_split_with_an_empty_delimiter(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION + "      Description: !Select [0, !Split ['', abc]]\n")
    _refused(path, "Fn.Description", "Fn::Split needs a non-empty delimiter")


@pytest.mark.parametrize("globals_text", ["Globals: [Function]\n", "Globals: just text\n",
                                          "Globals:\n  Function: [Timeout]\n"])
def test_globals_that_are_not_a_mapping(tmp_path: Path, globals_text: str) -> None:
    where = "Globals.Function" if "Function:" in globals_text else "Globals"
    _refused(_template(tmp_path, globals_text + FUNCTION), where, "must be a mapping")


def test_duplicate_keys(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION + "      Handler: other.handler\n")
    _refused(path, "Fn.Handler", "duplicate key 'Handler' (line 8, column 7)")
    path.write_text(FUNCTION + FUNCTION.removeprefix("Resources:\n"))
    _refused(path, "Fn", "duplicate key 'Fn'")


def test_merge_keys_are_not_duplicates(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION.replace("      Handler: app.handler\n", "      <<: &common {Handler: x.y}\n"
                                                "      Handler: app.handler\n"))
    assert load_template(path).functions[0].handler == "app.handler"


def test_no_value_inside_sub(tmp_path: Path) -> None:
    path = _template(tmp_path, FUNCTION + "      Description: !Sub 'a-${AWS::NoValue}-b'\n")
    error = _refused(path, "Fn.Description", "${AWS::NoValue} cannot be used inside Fn::Sub")
    assert "_NoValue" not in str(error) and "object at" not in str(error)


def test_a_50_mb_template_is_refused_at_once(tmp_path: Path) -> None:
    filler = b"# " + b"x" * 98 + b"\n"
    path = _template(tmp_path, FUNCTION.encode() + filler * (50 * 1024 * 1024 // len(filler)))
    _refused(path, None, f"larger than {MAX_TEMPLATE_BYTES:,} bytes")


def test_a_template_that_never_ends_is_refused(tmp_path: Path) -> None:
    """A FIFO (or /dev/zero) as the template: only one byte past the limit is ever read."""
    fifo = tmp_path / "template.yaml"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with fifo.open("wb") as stream:
                while True:
                    stream.write(b"#" * 65536)
        except BrokenPipeError:   # the loader stopped reading: what this test wants
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(TemplateError, match="larger than"):
        load_template(fifo)
    writer.join(10)
    assert not writer.is_alive()


def test_a_large_template_loads_in_linear_time(tmp_path: Path) -> None:
    """Near the size limit, loading stays proportional to the size (no quadratic step)."""
    def timed(count: int) -> float:
        folder = tmp_path / str(count)
        body = "Resources:\n" + "".join(
            f"  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: ../src\n"
            f"      Handler: app.handler\n      Runtime: python3.12\n      Environment:\n        Variables:\n"
            f"          INDEX: '{i}'\n" for i in range(count))
        folder.mkdir()
        (folder / "template.yaml").write_text(body)
        started = time.perf_counter()
        assert len(load_template(folder / "template.yaml").functions) == count
        return time.perf_counter() - started

    _template(tmp_path, FUNCTION)
    small, large = timed(500), timed(4000)
    assert (tmp_path / "4000" / "template.yaml").stat().st_size > 600_000
    assert large < 8 * small * 2, (small, large)   # 8x the input, with room for noise
    assert large < 5.0
