"""Which Inngest SDK version a project uses, read from its lock files and requirements.

Rules whose judgement depends on the SDK version (the handler calling convention changed in 0.5)
ask `SdkVersions.for_path(path)`. From the file's folder upward to the repository root (or the
filesystem root), the nearest folder that says anything decides, and within a folder the first
of these that names `inngest` wins:

1. a lock file: `uv.lock`, `poetry.lock`, `pdm.lock` (the exact version installed);
2. a `==` pin in a `requirements*.txt` (`inngest==0.4.22`);
3. a constraint: in `pyproject.toml` (`[project].dependencies`, Poetry's
   `[tool.poetry.dependencies]`) or a non-pinning requirements line. A constraint gives the
   series a fresh install gets: the newest release it allows (`>=0.4,<0.5` is 0.4, `>=0.4` is
   the newest, `^0.4` is 0.4, `~=0.4.2` is 0.4);

then the `sdk-version` setting, then nothing (`SdkVersion.source == "newest"`: rules that need
certainty stay silent). Several services in one repository each find their own files first.

Nothing here imports or runs project code; the files are read once per run and folder.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from inngest_lint import sdk

LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock")
#: The files read in a folder besides lock files and requirements: their presence also marks a
#: project root only when they name `inngest`.
PYPROJECT = "pyproject.toml"
#: Lock and requirements files larger than this are not read (a lock of a big monorepo is a few MB).
MAX_BYTES = 16 * 1024 * 1024

_REQUIREMENT = re.compile(r"^\s*inngest\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;#]*)", re.IGNORECASE)
_CLAUSE = re.compile(r"(?P<op>===|==|~=|!=|<=|>=|<|>|\^|~)?\s*(?P<version>[0-9][0-9a-zA-Z.*+!-]*)")


@dataclass(frozen=True)
class SdkVersion:
    """A version (major, minor[, patch]) and where it was found, for messages.

    `source` is "lock", "pin", "constraint", "setting" or "newest" (nothing said: assumed).
    `where` is a display path with a line when known (`uv.lock`, `requirements.txt:3`).
    """

    version: tuple[int, ...]
    source: str
    where: str = ""
    text: str = ""

    @property
    def series(self) -> tuple[int, int]:
        return (self.version[0], self.version[1] if len(self.version) > 1 else 0)

    @property
    def known(self) -> bool:
        return self.source != "newest"

    def shown(self) -> str:
        return ".".join(str(part) for part in self.version)

    def described(self) -> str:
        """`SDK 0.4.22 (uv.lock)`, `SDK 0.4 (pyproject.toml: inngest>=0.4,<0.5)`."""
        if self.source == "setting":
            return f"SDK {self.shown()} (the sdk-version setting)"
        if self.source == "newest":
            return f"SDK {self.shown()} (the newest; nothing in the project names a version)"
        detail = f"{self.where}: {self.text}" if self.text else self.where
        return f"SDK {self.shown()} ({detail})"


def parse_version(text: str) -> tuple[int, ...] | None:
    """`0.5.20a0` -> (0, 5, 20); `0.4.*` -> (0, 4); None when it does not start with a number."""
    parts: list[int] = []
    for piece in text.strip().split("."):
        match = re.match(r"\d+", piece)
        if match is None:
            break
        parts.append(int(match.group()))
        if match.end() != len(piece):
            break
    return tuple(parts[:3]) if parts else None


def version_of_constraint(spec: str) -> tuple[int, ...] | None:
    """The newest series a constraint allows, or None when it names no usable bound.

    An exact pin gives its version; an upper bound below the newest release caps the series;
    no upper bound gives the newest release.
    """
    clauses = [(match.group("op") or "==", match.group("version")) for match in _CLAUSE.finditer(spec)]
    if not clauses:
        return None
    newest = sdk.NEWEST_VERSION
    best: tuple[int, ...] = newest
    for op, raw in clauses:
        version = parse_version(raw.rstrip(".*"))
        if version is None:
            continue
        if op in ("==", "==="):
            return version
        if op in ("^", "~") or (op == "~=" and len(version) >= 3):
            # Poetry's ^0.4 and ~0.4.1, and PEP 440's ~=0.4.2, stay within 0.4.
            if len(version) >= 2:
                best = min(best, version[:2])
            continue
        if op == "<":
            capped: tuple[int, ...] | None
            if len(version) >= 2 and version[2:] in ((), (0,)):
                # `<0.5` and `<0.5.0` allow 0.4.x at most.
                capped = (version[0], version[1] - 1) if version[1] > 0 else None
            else:
                capped = version[:2]
            if capped is not None:
                best = min(best, capped)
        elif op == "<=":
            best = min(best, version)
    return best


class SdkVersions:
    """`for_path(path)`: the SDK version of the project holding `path`, each folder read once."""

    def __init__(self, setting: str | None = None) -> None:
        parsed = parse_version(setting) if setting else None
        self.setting = SdkVersion(parsed, "setting") if parsed else None
        self._folders: dict[str, SdkVersion | None] = {}

    def for_path(self, path: str) -> SdkVersion:
        folder = os.path.dirname(os.path.abspath(path))
        while True:
            found = self._folder(folder)
            if found is not None:
                return found
            parent = os.path.dirname(folder)
            if parent == folder or os.path.exists(os.path.join(folder, ".git")):
                break
            folder = parent
        if self.setting is not None:
            return self.setting
        return SdkVersion(sdk.NEWEST_VERSION, "newest")

    def _folder(self, folder: str) -> SdkVersion | None:
        if folder not in self._folders:
            try:
                self._folders[folder] = _read_folder(folder)
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, TypeError):
                self._folders[folder] = None
        return self._folders[folder]


def _toml(text: str) -> dict[str, object]:
    """The parsed file, or {} when it does not parse (one broken file does not hide the others)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _read_text(path: str) -> str | None:
    if not os.path.isfile(path) or os.path.getsize(path) > MAX_BYTES:
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _read_folder(folder: str) -> SdkVersion | None:
    for name in LOCK_FILES:
        text = _read_text(os.path.join(folder, name))
        if text is None:
            continue
        packages = _toml(text).get("package", [])
        for package in packages if isinstance(packages, list) else []:
            if isinstance(package, dict) and str(package.get("name", "")).lower() == sdk.PACKAGE:
                version = parse_version(str(package.get("version", "")))
                if version is not None:
                    return SdkVersion(version, "lock", name, f"inngest {package.get('version')}")
    constraint: SdkVersion | None = None
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        if not (name.startswith("requirements") and name.endswith(".txt")):
            continue
        text = _read_text(os.path.join(folder, name))
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = _REQUIREMENT.match(line)
            if match is None:
                continue
            spec = match.group("spec").strip()
            if spec[:1] not in ("=", "<", ">", "~", "!", ""):
                continue  # `inngest-lint`, `inngest_foo`: another package
            where = f"{name}:{number}"
            if spec.startswith("==") and "*" not in spec and "," not in spec:
                version = parse_version(spec.lstrip("="))
                if version is not None:
                    return SdkVersion(version, "pin", where, f"inngest{spec}")
            version = version_of_constraint(spec) if spec else sdk.NEWEST_VERSION
            if version is not None and constraint is None:
                constraint = SdkVersion(version, "constraint", where, f"inngest{spec}")
    pyproject = _read_text(os.path.join(folder, PYPROJECT))
    if pyproject is not None:
        found = _pyproject_constraint(_toml(pyproject))
        if found is not None:
            spec, version = found
            return SdkVersion(
                version, "constraint", PYPROJECT, f"inngest{spec}" if spec[:1] != "^" else f"inngest {spec}"
            )
    return constraint


def _pyproject_constraint(data: dict[str, object]) -> tuple[str, tuple[int, ...]] | None:
    project = data.get("project")
    dependencies = project.get("dependencies", []) if isinstance(project, dict) else []
    for entry in dependencies if isinstance(dependencies, list) else []:
        match = _REQUIREMENT.match(str(entry))
        if match is None:
            continue
        spec = match.group("spec").strip()
        if spec[:1] not in ("=", "<", ">", "~", "!", ""):
            continue
        version = version_of_constraint(spec) if spec else sdk.NEWEST_VERSION
        if version is not None:
            return spec, version
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    poetry_dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(poetry_dependencies, dict):
        value = poetry_dependencies.get(sdk.PACKAGE)
        if isinstance(value, dict):
            value = value.get("version")
        if isinstance(value, str):
            spec = value.strip()
            if spec == "*":
                return spec, sdk.NEWEST_VERSION
            if spec[:1].isdigit():
                version = parse_version(spec)  # Poetry: a bare version is an exact pin
                return (spec, version) if version is not None else None
            version = version_of_constraint(spec)
            if version is not None:
                return spec, version
    return None
