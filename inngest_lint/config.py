"""Find, read and validate `[tool.inngest-lint]`, then merge command-line overrides.

Configuration is looked up in the nearest `pyproject.toml` (with a `[tool.inngest-lint]` table)
or `inngest-lint.toml` (top-level keys, or the same table) upward from the first path. An unknown
key or a value of the wrong type is a `ConfigError` that names the file, the key and the closest
valid key: silently ignoring a typo in `ignore` would make a team believe a rule is off.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

from inngest_lint.diagnostics import Severity
from inngest_lint.files import NotRegularFile, OverLimit, read_regular
from inngest_lint.settings import Settings

CONFIG_FILE_NAMES = ("inngest-lint.toml", "pyproject.toml")

#: A configuration file is a few kilobytes. Anything larger is not read (nor is anything that
#: is not a regular file: a FIFO would block the run, a link to /dev/zero would never end).
MAX_CONFIG_BYTES = 4 * 1024 * 1024

#: Arrays and inline tables nested deeper than this are reported rather than parsed: tomllib
#: recurses once per level, and no configuration nests more than a few levels.
MAX_CONFIG_NESTING = 100

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped, so a message built from a
    key, a value or a path the user wrote stays on one line."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def shown(value: Any, limit: int = 80) -> str:
    """A value as a message shows it: its repr on one line, shortened to `limit` characters."""
    text = one_line(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI prints it and exits 2.

    Always one line, naming the file and the key: a message that spans lines, or a traceback,
    hides which setting to fix.
    """

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def read_config_text(path: Path) -> str:
    """The text of a configuration file, or ConfigError.

    Only a regular file is read (`files.read_regular`: a FIFO or a device behind a symlink is
    refused rather than waited on or read forever), and at most MAX_CONFIG_BYTES of it.
    """
    try:
        data = read_regular(path, MAX_CONFIG_BYTES)
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: config file not found") from error
    except NotRegularFile as error:
        raise ConfigError(f"{path}: not a regular file; not read") from error
    except OverLimit as error:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB; not read") from error
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or type(error).__name__}") from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: cannot read: not UTF-8 (byte {error.start})") from error


def parse_config_text(path: Path, text: str) -> dict[str, Any]:
    """Parse TOML, or ConfigError naming the file and, when it can be told, the key."""
    deep = _too_deep(text)
    if deep is not None:
        key, line = deep
        raise ConfigError(f"{path}: {key} (line {line}) is nested more than {MAX_CONFIG_NESTING} levels deep")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    except (RecursionError, MemoryError, ValueError) as error:  # not expected after the screen
        raise ConfigError(f"{path}: cannot read TOML: {type(error).__name__}") from error


def _too_deep(text: str) -> tuple[str, int] | None:
    """(the key being assigned, its line) where arrays or inline tables nest more than
    MAX_CONFIG_NESTING levels, else None. A scan of the text that skips strings and comments:
    tomllib itself would recurse until the stack runs out."""
    if text.count("[") + text.count("{") <= MAX_CONFIG_NESTING:
        return None
    depth = 0
    line = 1
    key = ""
    key_line = 1
    statement_start = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\n":
            line += 1
            if depth == 0:
                statement_start = index + 1
        elif char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end
            continue
        elif char in "\"'":
            quote = text[index : index + 3] if text.startswith(char * 3, index) else char
            close = text.find(quote, index + len(quote))
            while close > 0 and char == '"' and _escaped(text, close):
                close = text.find(quote, close + 1)
            end = length if close < 0 else close + len(quote)
            line += text.count("\n", index, end)
            index = end
            continue
        elif char == "=" and depth == 0:
            key = text[statement_start:index].strip() or key
            key_line = line
        elif char in "[{":
            if depth == 0 and not text[statement_start:index].strip():
                statement_start = index  # a table header: `[tool.inngest-lint]`
            depth += 1
            if depth > MAX_CONFIG_NESTING:
                return (shown(key) if key else "a value"), key_line if key else line
        elif char in "]}":
            depth = max(0, depth - 1)
        index += 1
    return None


def _escaped(text: str, position: int) -> bool:
    """Whether the character at `position` follows an odd number of backslashes."""
    count = 0
    while position - count - 1 >= 0 and text[position - count - 1] == "\\":
        count += 1
    return count % 2 == 1


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
        for unit, factor in (("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024**3), ("B", 1)):
            if text.endswith(unit) and text[: -len(unit)].isdigit():
                return int(text[: -len(unit)]) * factor or None
        if text.isdigit():
            return int(text) or None
    return None


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


def _sdk_version(value: Any) -> str | None:
    """`"0.4"`, `"0.5.19"`, `"0.5.20a0"`: a release number, as a string."""
    if isinstance(value, str) and re.fullmatch(r"\d+\.\d+(\.\d+)?([a-z]+\d*)?", value.strip()):
        return value.strip()
    return None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _git_ref(value: Any) -> str | None:
    """A git ref as `git rev-parse` takes it; never one that reads as an option."""
    if isinstance(value, str) and value.strip() and not value.startswith("-") and "\n" not in value:
        return value.strip()
    return None


def _depth(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 32:
        return value
    return None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


class ConfigKey(NamedTuple):
    """One key of `[tool.inngest-lint]`."""

    attribute: str  # the Settings field
    kind: str  # what a value must be: for error messages and the docs
    convert: Callable[[Any], Any]  # the value as Settings holds it, or None when it is not one
    help: str  # what it changes: for the Options section of a rule's docs


KEYS: dict[str, ConfigKey] = {
    "select": ConfigKey("select", "a list of rule codes or names", _string_list, "the rules to run"),
    "ignore": ConfigKey("ignore", "a list of rule codes or names", _string_list, "rules not to run"),
    "extend-select": ConfigKey(
        "extend_select", "a list of rule codes or names", _string_list, "rules to run on top of `select`"
    ),
    "per-file-ignores": ConfigKey(
        "per_file_ignores", "a table of glob -> list of codes", _per_file_ignores, "rules not to run on some files"
    ),
    "exclude": ConfigKey("exclude", "a list of glob patterns", _string_list, "files and folders never linted"),
    "extend-exclude": ConfigKey(
        "extend_exclude", "a list of glob patterns", _string_list, "files and folders never linted, on top of `exclude`"
    ),
    "severity": ConfigKey(
        "severity", 'a table of code -> "error" or "warning"', _severity_map, "a rule's severity, overridden"
    ),
    "max-warnings": ConfigKey(
        "max_warnings", "a non-negative integer", _positive_int, "how many warnings still let the run pass"
    ),
    "fix": ConfigKey("fix", "true or false", _boolean, "apply safe fixes on every run, as `--fix` does"),
    "unsafe-fixes": ConfigKey(
        "unsafe_fixes", "true or false", _boolean, "also apply fixes that can change behaviour, as `--unsafe-fixes`"
    ),
    "fixable": ConfigKey("fixable", "a list of rule codes or names", _string_list, "the rules whose fixes may apply"),
    "unfixable": ConfigKey("unfixable", "a list of rule codes or names", _string_list, "rules whose fixes never apply"),
    "src": ConfigKey(
        "src",
        "a list of folders (import roots, relative to the config file)",
        _string_list,
        "more import roots, for layouts nothing can infer",
    ),
    "external-events": ConfigKey(
        "external_events",
        "a list of event names or patterns",
        _string_list,
        "events sent or consumed by another app, such as `stripe/*` or `clerk/user.created`; they are never "
        "reported as unsent or unheard, and their data fields are not checked",
    ),
    "large-return-calls": ConfigKey(
        "large_return_calls",
        "a list of call names",
        _string_list,
        "more method names whose result is unbounded, on top of `fetchall`, `get_all`, `find_all`, `scan`, "
        "`readlines`, `read_text`, `read_bytes`, `iter_all` and `list_all`; a function by its name "
        "(`load_all`) or qualified name (`reports.export.everything`)",
    ),
    "large-return-attributes": ConfigKey(
        "large_return_attributes",
        "a list of attribute names",
        _string_list,
        "attribute names that hold a whole body on any object, as `.content` and `.text` do on an HTTP response",
    ),
    "max-sleep": ConfigKey(
        "max_sleep_seconds",
        'a duration such as "7d" or a number of seconds',
        _parse_duration_seconds,
        'the longest sleep or wait allowed; default 1 year, the platform maximum ("7d" is the free plan\'s limit)',
    ),
    "max-file-size": ConfigKey(
        "max_file_bytes",
        'a size such as "1MB", "512KB" or a number of bytes',
        _parse_size,
        "larger files are reported, not parsed (default 1MB)",
    ),
    "since": ConfigKey(
        "since",
        'a git ref such as "origin/main" (the deployed version)',
        _git_ref,
        "compare with the project at this git ref and run the deploy-safety rules (INN7xx); `--since` wins",
    ),
    "sdk-version": ConfigKey(
        "sdk_version",
        'an Inngest SDK version such as "0.4" or "0.5.19"',
        _sdk_version,
        "the SDK release the project uses, when no lock file or requirement names it (INN615)",
    ),
    "follow-depth": ConfigKey(
        "follow_depth",
        "a positive integer (project calls followed from a function)",
        _depth,
        "how many calls deep the replay, step and payload rules follow project functions (default 4)",
    ),
    "side-effect-free-functions": ConfigKey(
        "side_effect_free_functions",
        "a list of qualified function names (globs allowed)",
        _string_list,
        "project or library functions declared free of I/O and clock reads: never followed or reported",
    ),
    "io-functions": ConfigKey(
        "io_functions",
        "a list of qualified function names (globs allowed)",
        _string_list,
        "functions declared to do I/O (a side effect outside a step, INN109), as a call of `requests` would",
    ),
}


def setting_keys() -> list[tuple[str, str]]:
    """(configuration key, Settings attribute) for every key the file may set, in file order."""
    return [(key, entry.attribute) for key, entry in KEYS.items()]


def find_config_file(start: Path) -> Path | None:
    """The nearest inngest-lint.toml, or pyproject.toml with a [tool.inngest-lint] table."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate_dir in (directory, *directory.parents):
        found = linter_config_in(candidate_dir)
        if found is not None:
            return found
    return None


def ignored_config_file(found: Path) -> Path | None:
    """The `pyproject.toml` beside `found` whose `[tool.inngest-lint]` is ignored because
    `found` is an `inngest-lint.toml` (which wins, as ruff's `ruff.toml` wins over its
    `pyproject.toml`), so the command line can say so instead of silently ignoring it."""
    if found.name != "inngest-lint.toml":
        return None
    pyproject = found.parent / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = parse_config_text(pyproject, read_config_text(pyproject))
        return pyproject if "inngest-lint" in _tool_table(pyproject, data) else None
    except ConfigError:
        return None  # a broken pyproject.toml beside a valid inngest-lint.toml is not read


def linter_config_in(directory: Path, *, strict: bool = True) -> Path | None:
    """The file in `directory` that configures inngest-lint: `inngest-lint.toml`, else a
    `pyproject.toml` with a `[tool.inngest-lint]` table (however TOML spells it); else None.

    The one test of "does this folder configure the linter", for the settings search
    (`find_config_file`) and the project-root search (`discovery.find_project_root`), so both
    stop at the same file. `strict` (the settings search): a pyproject.toml that cannot be read
    or parsed is a ConfigError, wherever it is on the way up. Otherwise (the root search, which
    runs for every file --force-exclude names) such a file configures nothing, and a file whose
    text never says `inngest-lint` is not parsed at all.
    """
    dedicated = directory / "inngest-lint.toml"
    if dedicated.is_file():
        return dedicated
    pyproject = directory / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        text = read_config_text(pyproject)
        if not strict and "inngest-lint" not in text:
            return None
        configured = "inngest-lint" in _tool_table(pyproject, parse_config_text(pyproject, text))
    except ConfigError:
        if strict:
            raise
        return None
    return pyproject if configured else None


def _tool_table(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The `[tool]` table of a parsed file ({} when absent): `tool = 5` is a mistake to name."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table, got {shown(tool)}")
    return tool


def load_config_table(path: Path) -> dict[str, Any]:
    data = parse_config_text(path, read_config_text(path))
    table = _tool_table(path, data).get("inngest-lint")
    if table is None and path.name != "pyproject.toml":
        table = {key: value for key, value in data.items() if key != "tool"}
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.inngest-lint] must be a table, got {shown(table)}")
    return table


def settings_from_table(table: dict[str, Any], path: Path | None) -> Settings:
    where = str(path) if path else "configuration"
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key, list(KEYS), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f"; valid keys: {', '.join(sorted(KEYS))}"
            raise ConfigError(f"{where}: unknown key {shown(key)} in [tool.inngest-lint]{hint}")
        spec = KEYS[key]
        converted = spec.convert(value)
        if converted is None:
            raise ConfigError(f"{where}: '{key}' must be {spec.kind}, got {shown(value)}")
        problem = _invalid_entry(key, converted)
        if problem is not None:
            raise ConfigError(f"{where}: '{key}': {problem}")
        values[spec.attribute] = converted
    root = str(path.parent) if path else "."
    return Settings(config_path=str(path) if path else None, root=root, **values)


def _invalid_entry(key: str, value: Any) -> str | None:
    """What is wrong with one entry of a well-typed setting (an unknown rule, a glob the
    matcher rejects), found when the file is read: later, the same problem surfaced as an
    internal error or a message that named neither the file nor the key."""
    from inngest_lint.registry import SelectorError, expand_selector

    selectors: list[str] = []
    if key in ("select", "ignore", "extend-select", "fixable", "unfixable"):
        selectors = list(value)
    elif key == "severity":
        selectors = [selector for selector, _ in value]
    elif key == "per-file-ignores":
        selectors = [code for _, codes in value for code in codes]
    for selector in selectors:
        try:
            expand_selector(selector)
        except SelectorError as error:
            return str(error)
    if key in ("exclude", "extend-exclude"):
        from inngest_lint.discovery import check_pattern

        for pattern in value:
            reason = check_pattern(pattern)
            if reason is not None:
                return f"invalid pattern {shown(pattern)}: {reason}"
    return None


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
