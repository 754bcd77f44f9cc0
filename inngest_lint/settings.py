"""The effective settings of one run, as every layer reads them.

A plain value: the program model, the fact collector and the rules read it, so it sits below
them. Finding, reading and validating the configuration that produces it is `config`'s job,
which needs the rule registry (to check selectors) and so sits above the rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


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
    # Fixing (as ruff's settings): apply fixes on every run, include unsafe ones, and which
    # codes may be fixed (`fixable`, default all) and may not (`unfixable`).
    fix: bool = False
    unsafe_fixes: bool = False
    fixable: tuple[str, ...] = ()
    unfixable: tuple[str, ...] = ()
    # Import roots for layouts nothing can infer, relative to the config file's folder (as
    # ruff's and isort's `src`): tried after the importing file's own roots, in this order.
    src: tuple[str, ...] = ()
    # Rule settings.
    external_events: tuple[str, ...] = ()
    large_return_calls: tuple[str, ...] = ()
    large_return_attributes: tuple[str, ...] = ()
    max_sleep_seconds: int = 365 * 24 * 3600
    # The Inngest SDK version when the project's lock files and requirements do not say ("0.4").
    sdk_version: str | None = None
    # How many project calls deep the rules follow helpers from an Inngest function (1: the
    # helpers it calls, not the helpers they call).
    follow_depth: int = 4
    # Functions declared by qualified name (globs allowed): deterministic and free of side
    # effects (never followed), or doing I/O (a side effect wherever they are called).
    side_effect_free_functions: tuple[str, ...] = ()
    io_functions: tuple[str, ...] = ()
    # libcst needs about 500 bytes of memory per byte of source: a 1.5 MB file takes 0.7 GB.
    max_file_bytes: int = 1024 * 1024
    # A git ref (`origin/main`, a tag, `HEAD`): compare with the project as it was there and run
    # the deploy-safety rules (INN7xx); "" turns them off.
    since: str = ""
    # Where the settings came from (for messages), and the directory globs are relative to.
    config_path: str | None = None
    root: str = "."
    _extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def src_roots(self) -> tuple[str, ...]:
        """The `src` folders as absolute paths (relative entries are from the config's folder)."""
        return tuple(os.path.abspath(os.path.join(self.root, folder)) for folder in self.src)
