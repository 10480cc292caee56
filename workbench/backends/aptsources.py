"""Which Debian mirror and release this machine already uses, read from its own apt configuration.

Runtime images are bootstrapped from the very mirror the system's package manager trusts, so the
workbench never names a mirror or registry of its own: it reads `/etc/apt/sources.list.d/*.sources`
(deb822) and `/etc/apt/sources.list` / `*.list` (one-line style) at build time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

APT_DIR = Path("/etc/apt")


class NoAptSourceError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class AptSource:
    uri: str
    suite: str
    keyring: str | None  # Signed-By, handed to debootstrap so it checks the same signatures apt does


def _deb822_stanzas(text: str) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    last: str | None = None
    for raw in [*text.splitlines(), ""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if fields:
                yield fields
            fields, last = {}, None
        elif raw[0] in " \t" and last is not None:
            fields[last] += "\n" + raw.strip()
        else:
            key, _, value = raw.partition(":")
            last = key.strip().lower()
            fields[last] = value.strip()


def _from_deb822(text: str) -> Iterator[AptSource]:
    for stanza in _deb822_stanzas(text):
        if stanza.get("enabled", "yes").lower() == "no" or "deb" not in stanza.get("types", "").split():
            continue
        if "main" not in stanza.get("components", "").split():
            continue
        keyring = stanza.get("signed-by") or None
        if keyring is not None and keyring.lstrip().startswith("-----BEGIN"):
            keyring = None  # an inline key: debootstrap cannot take it, fall back to its default keyring
        for uri in stanza.get("uris", "").split():
            for suite in stanza.get("suites", "").split():
                yield AptSource(uri, suite, keyring)


def _from_one_line(text: str) -> Iterator[AptSource]:
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        words = line.split()[1:]
        keyring = None
        if words and words[0].startswith("["):
            options: list[str] = []
            while words:
                word = words.pop(0)
                options.append(word.strip("[]"))
                if word.endswith("]"):
                    break
            for option in options:
                key, _, value = option.partition("=")
                if key == "signed-by":
                    keyring = value
        if len(words) >= 3 and "main" in words[2:]:
            yield AptSource(words[0], words[1], keyring)


def configured_sources(apt_dir: Path = APT_DIR) -> list[AptSource]:
    sources: list[AptSource] = []
    for path in sorted((apt_dir / "sources.list.d").glob("*.sources")):
        sources.extend(_from_deb822(path.read_text()))
    for path in [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*.list"))]:
        if path.is_file():
            sources.extend(_from_one_line(path.read_text()))
    return sources


def release_source(apt_dir: Path = APT_DIR) -> AptSource:
    """The main release (not -updates, -security or -backports) of the first configured mirror."""
    try:
        sources = configured_sources(apt_dir)
    except OSError as exc:
        raise NoAptSourceError(f"cannot read the apt configuration in {apt_dir}: {exc}") from None
    for source in sources:
        if "-" not in source.suite and "/" not in source.suite and source.uri.startswith(("http", "file:")):
            return source
    raise NoAptSourceError(f"no Debian release with a `main` component is configured in {apt_dir}/sources.list"
                           " or sources.list.d/: cannot bootstrap a runtime image from it")
