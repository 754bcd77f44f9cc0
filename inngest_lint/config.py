"""Find, read and validate `[tool.inngest-lint]`, then merge command-line overrides.

Configuration is looked up in the nearest `pyproject.toml` (with a `[tool.inngest-lint]` table)
or `inngest-lint.toml` (top-level keys, or the same table) upward from the first path. An unknown
key or a value of the wrong type is a `ConfigError` that names the file, the key and the closest
valid key: silently ignoring a typo in `ignore` would make a team believe a rule is off.
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

from inngest_lint.diagnostics import Severity

CONFIG_FILE_NAMES = ("inngest-lint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI prints it and exits 2."""


def _parse_duration_seconds(value: Any) -> int | None:
    """`"7d"`, `"12h"`, `"30m"`, `"90s"`, or an int number of seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str):
        text = value.strip().lower()
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
        if text and text[-1] in units and text[:-1].isdigit():
            return int(text[:-1]) * units[text[-1]]
        if text.isdigit():
            return int(text)
    return None


def _parse_size(value: Any) -> int | None:
    """`"1MB"`, `"512KB"`, or a number of bytes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str):
        text = value.strip().upper().replace(" ", "")
        for unit, factor in (("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024 ** 3), ("B", 1)):
            if text.endswith(unit) and text[: -len(unit)].isdigit():
                return int(text[: -len(unit)]) * factor or None
        if text.isdigit():
            return int(text) or None
    return None


@dataclass(frozen=True)
class Settings:
    """Effective settings for one run. Rule-specific settings live here too, with defaults."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    max_warnings: int | None = None
    # Import roots for layouts nothing can infer, relative to the config file's folder (as
    # ruff's and isort's `src`): tried after the importing file's own roots, in this order.
    src: tuple[str, ...] = ()
    # Rule settings.
    external_events: tuple[str, ...] = ()
    large_return_calls: tuple[str, ...] = ()
    large_return_attributes: tuple[str, ...] = ()
    max_sleep_seconds: int = 365 * 24 * 3600
    # libcst needs about 500 bytes of memory per byte of source: a 1.5 MB file takes 0.7 GB.
    max_file_bytes: int = 1024 * 1024
    # Where the settings came from (for messages), and the directory globs are relative to.
    config_path: str | None = None
    root: str = "."
    _extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def src_roots(self) -> tuple[str, ...]:
        """The `src` folders as absolute paths (relative entries are from the config's folder)."""
        return tuple(os.path.abspath(os.path.join(self.root, folder)) for folder in self.src)

    def facts_key(self) -> str:
        """The part of the settings that changes what phase 1 records (for the cache key)."""
        return repr((sorted(self.large_return_calls), sorted(self.large_return_attributes)))


# key -> (expected type description, validator/converter)
def _string_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _per_file_ignores(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if not isinstance(value, dict):
        return None
    out: list[tuple[str, tuple[str, ...]]] = []
    for pattern, codes in value.items():
        if isinstance(codes, str):
            codes = [codes]
        converted = _string_list(codes)
        if converted is None:
            return None
        out.append((pattern, converted))
    return tuple(out)


def _severity_map(value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict):
        return None
    out: list[tuple[str, str]] = []
    for key, level in value.items():
        if not isinstance(level, str) or level.lower() not in {s.value for s in Severity}:
            return None
        out.append((key, level.lower()))
    return tuple(out)


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


_KEYS: dict[str, tuple[str, str, Any]] = {
    # config key: (Settings field, type description, converter)
    "select": ("select", "a list of rule codes or names", _string_list),
    "ignore": ("ignore", "a list of rule codes or names", _string_list),
    "extend-select": ("extend_select", "a list of rule codes or names", _string_list),
    "per-file-ignores": ("per_file_ignores", "a table of glob -> list of codes", _per_file_ignores),
    "exclude": ("exclude", "a list of glob patterns", _string_list),
    "extend-exclude": ("extend_exclude", "a list of glob patterns", _string_list),
    "severity": ("severity", 'a table of code -> "error" or "warning"', _severity_map),
    "max-warnings": ("max_warnings", "a non-negative integer", _positive_int),
    "src": ("src", "a list of folders (import roots, relative to the config file)", _string_list),
    "external-events": ("external_events", "a list of event names or patterns", _string_list),
    "large-return-calls": ("large_return_calls", "a list of call names", _string_list),
    "large-return-attributes": ("large_return_attributes", "a list of attribute names", _string_list),
    "max-sleep": ("max_sleep_seconds", 'a duration such as "7d" or a number of seconds', _parse_duration_seconds),
    "max-file-size": ("max_file_bytes", 'a size such as "1MB", "512KB" or a number of bytes', _parse_size),
}


def find_config_file(start: Path) -> Path | None:
    """The nearest inngest-lint.toml, or pyproject.toml with a [tool.inngest-lint] table."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate_dir in (directory, *directory.parents):
        dedicated = candidate_dir / "inngest-lint.toml"
        if dedicated.is_file():
            return dedicated
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise ConfigError(f"{pyproject}: cannot read TOML: {error}") from error
            if "inngest-lint" in data.get("tool", {}):
                return pyproject
    return None


def load_config_table(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: config file not found") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    table = data.get("tool", {}).get("inngest-lint")
    if table is None and path.name != "pyproject.toml":
        table = {key: value for key, value in data.items() if key != "tool"}
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.inngest-lint] must be a table")
    return table


def settings_from_table(table: dict[str, Any], path: Path | None) -> Settings:
    where = str(path) if path else "configuration"
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            close = difflib.get_close_matches(key, list(_KEYS), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f"; valid keys: {', '.join(sorted(_KEYS))}"
            raise ConfigError(f"{where}: unknown key '{key}' in [tool.inngest-lint]{hint}")
        attribute, description, convert = _KEYS[key]
        converted = convert(value)
        if converted is None:
            raise ConfigError(f"{where}: '{key}' must be {description}, got {value!r}")
        values[attribute] = converted
    root = str(path.parent) if path else "."
    return Settings(config_path=str(path) if path else None, root=root, **values)


def load_settings(first_path: Path, config_path: Path | None = None) -> Settings:
    """Settings for a run: an explicit --config file, else the nearest config upward."""
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(f"{config_path}: config file not found")
        return settings_from_table(load_config_table(config_path), config_path)
    found = find_config_file(first_path)
    if found is None:
        return Settings()
    return settings_from_table(load_config_table(found), found)


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Command-line options win over the file; None means 'not given'."""
    return replace(settings, **{key: value for key, value in overrides.items() if value is not None})
