"""No entry of a package, a layer or a CodeUri folder may create or follow anything outside its destination
(issue 19, item 1): a chain of links that each look harmless on their own must not open a way out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ROLE, ServerThread, make_zip
from workbench.engine import CodeStore, InvalidPackageError, extract_zip
from workbench.fsutil import resolves_beneath

#: `a/b -> ..` is the package root; `a/b/c -> ..` is then made through it, beside the root; a file beneath it
#: lands outside.
CHAIN_WRITE = make_zip({"a/b/c/escaped.txt": "pwned"}, links={"a/b": "..", "a/b/c": ".."})
#: No entry is written through a link, but in the finished tree `p` leaves: `s` is the root, so `s/q/../..`
#: is the root's parent (lexically it is `.`).
CHAIN_READ = make_zip({"q/keep.txt": "x"}, links={"s": ".", "p": "s/q/../.."})


def _outside(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name not in ("out", ".workbench"))


@pytest.mark.parametrize("package", [CHAIN_WRITE, CHAIN_READ], ids=["write-through-chain", "read-chain"])
def test_link_chains_are_rejected_and_nothing_lands_outside(tmp_path: Path, package: bytes) -> None:
    with pytest.raises(InvalidPackageError, match="link"):
        extract_zip(package, tmp_path / "out")
    assert _outside(tmp_path) == []
    for root, dirs, files in os.walk(tmp_path / "out"):
        for name in dirs + files:
            relative = os.path.relpath(os.path.join(root, name), tmp_path / "out")
            raise AssertionError(f"left behind: {relative}")


def test_links_inside_the_package_keep_working(tmp_path: Path) -> None:
    package = make_zip({"lib/v1/mod.py": "x = 1\n", "app.py": "pass\n"},
                       links={"lib/current": "v1", "mod.py": "lib/current/mod.py", "up/here": ".."})
    extract_zip(package, tmp_path / "out")
    assert (tmp_path / "out" / "mod.py").read_text() == "x = 1\n"
    assert (tmp_path / "out" / "up" / "here" / "app.py").read_text() == "pass\n"


def test_a_link_loop_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidPackageError, match="points outside"):
        extract_zip(make_zip({}, links={"x": "y", "y": "x"}), tmp_path / "out")


def test_code_uri_folders_keep_inner_links_and_refuse_outer_ones(tmp_path: Path) -> None:
    folder = tmp_path / "fn"
    (folder / "lib").mkdir(parents=True)
    (folder / "lib" / "mod.py").write_text("x = 1\n")
    (folder / "alias.py").symlink_to("lib/mod.py")
    (folder / "loop").symlink_to(".")  # a loop for a walker that follows links
    store = CodeStore(tmp_path / "store")
    snapshot = store.from_folder(folder)
    assert (snapshot.path / "alias.py").is_symlink()
    assert (snapshot.path / "alias.py").read_text() == "x = 1\n"
    assert (snapshot.path / "loop").is_symlink()

    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    (folder / "leak.txt").symlink_to(secret)
    with pytest.raises(InvalidPackageError, match=r"leak\.txt"):
        store.from_folder(folder)
    (folder / "leak.txt").unlink()
    (folder / "up").symlink_to("lib/../..")
    with pytest.raises(InvalidPackageError, match="up"):
        store.from_folder(folder)


@pytest.fixture
def api(tmp_path: Path) -> Any:
    from tests.api.conftest import lambda_client
    server = ServerThread(tmp_path / ".workbench").start()
    client = lambda_client(server.url)
    yield client
    client.close()
    server.stop()


@pytest.mark.parametrize("package", [CHAIN_WRITE, CHAIN_READ], ids=["write-through-chain", "read-chain"])
def test_the_api_refuses_link_chains_everywhere(api: Any, tmp_path: Path, package: bytes) -> None:
    calls = [
        lambda: api.create_function(FunctionName="evil", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                                    Code={"ZipFile": package}),
        lambda: api.update_function_code(FunctionName="good", ZipFile=package),
        lambda: api.publish_layer_version(LayerName="evil", Content={"ZipFile": package}),
    ]
    api.create_function(FunctionName="good", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return 1\n"})})
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert "link" in excinfo.value.response["Error"]["Message"]
    assert _outside(tmp_path) == []
    state = tmp_path / ".workbench"
    for root, dirs, files in os.walk(state):
        for name in dirs + files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                assert resolves_beneath(state, os.path.relpath(path, state)), path
    assert not (state / "escaped.txt").exists()
