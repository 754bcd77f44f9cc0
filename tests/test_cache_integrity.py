"""The results cache never trusts an entry it cannot verify: damaged, foreign or crafted entries
are dropped, recomputed and rewritten, and a run with them gives the cold run's findings.

Found by flipping bits: 15 of 96 single-bit flips ended a run with exit 2 and 10 changed its
findings, and a bad entry was never rewritten, so it failed every later run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_project
from test_cache import CLIENT, JOBS, MAIN

from inngest_lint import cache as cache_module
from inngest_lint import modules
from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.cache import CACHE_DIR_NAME
from inngest_lint.cli import main
from inngest_lint.config import load_settings
from inngest_lint.diagnostics import Diagnostic, Location
from inngest_lint.facts import model
from inngest_lint.selection import enabled_codes


def _lint(root: Path, **options: object) -> tuple[list[tuple[str, int, str, str]], int]:
    """(findings, how many files were parsed) of a run from `root`; no internal error allowed."""
    old = os.getcwd()
    os.chdir(root)
    try:
        result = lint_paths(["."], load_settings(root), RunOptions(jobs=1, **options))  # type: ignore[arg-type]
    finally:
        os.chdir(old)
    assert not result.errors, result.errors
    assert not [d for d in result.diagnostics if d.internal], result.diagnostics
    return [(d.path, d.line, d.code, d.message) for d in result.diagnostics], result.files_parsed


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_project(tmp_path, {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS, "app/main.py": MAIN})
    return tmp_path


def _cold(root: Path) -> list[tuple[str, int, str, str]]:
    findings, _ = _lint(root, use_cache=False)
    assert findings
    return findings


def _open_cache(root: Path) -> cache_module.Cache:
    """The Cache a run from `root` opens (its key, its directory)."""
    from inngest_lint import api

    settings = load_settings(root)
    cache = api._open_cache(RunOptions(), root, settings, enabled_codes(settings))
    assert cache is not None
    return cache


def _entry_of(root: Path, name: str) -> tuple[Path, tuple[str, str, tuple[str, bool]]]:
    """The result entry of one project file, and the arguments `load_result` takes for it."""
    path = str(root / name)
    arguments = (path, cache_module.digest(Path(path).read_bytes()), modules.module_name(path, str(root)))
    return _open_cache(root)._result_path(*arguments), arguments


def _flip(data: bytes, position: int, bit: int) -> bytes:
    return data[:position] + bytes([data[position] ^ (1 << bit)]) + data[position + 1 :]


def test_every_byte_of_an_entry_flipped_is_caught(project: Path) -> None:
    cold = _cold(project)
    assert _lint(project) == (cold, 3)
    entry, arguments = _entry_of(project, "app/jobs.py")
    original = entry.read_bytes()
    trusted = _open_cache(project).load_result(*arguments)
    assert trusted is not None
    rng = random.Random(18)
    for position in range(len(original)):
        entry.write_bytes(_flip(original, position, rng.randrange(8)))
        loaded = _open_cache(project).load_result(*arguments)
        assert loaded is None or loaded == trusted, f"byte {position}: a damaged entry was trusted"
    entry.write_bytes(original)


def test_runs_with_flipped_entries_and_index_give_the_cold_findings(project: Path) -> None:
    cold = _cold(project)
    _lint(project)
    directory = project / CACHE_DIR_NAME
    entries = sorted(directory.rglob("*.pickle")) + sorted(directory.glob("index-*.json"))
    rng = random.Random(1818)
    for attempt in range(24):
        target = entries[attempt % len(entries)]
        data = target.read_bytes()
        target.write_bytes(_flip(data, rng.randrange(len(data)), rng.randrange(8)))
        assert _lint(project)[0] == cold, f"attempt {attempt}: {target.name}"
        # Dropped and rewritten: the next run reads every result from the cache again.
        assert _lint(project) == (cold, 0), f"attempt {attempt}: {target.name} was not rewritten"


def test_every_byte_of_the_index_flipped_is_caught(project: Path) -> None:
    _lint(project)
    index = next((project / CACHE_DIR_NAME).glob("index-*.json"))
    original = index.read_bytes()
    trusted = _open_cache(project).index
    assert len(trusted) == 4
    rng = random.Random(2018)
    for position in range(len(original)):
        index.write_bytes(_flip(original, position, rng.randrange(8)))
        loaded = _open_cache(project).index
        assert loaded in ({}, trusted), f"byte {position}: a damaged index was trusted"


def _crafted(payload: object) -> bytes:
    """An entry as this version writes it, around any payload (an attacker can compute a plain
    checksum: what protects the run is that the payload is then validated)."""
    return cache_module.encode_entry(payload)


def _stored_payload(entry: Path) -> tuple:  # type: ignore[type-arg]
    payload = cache_module.decode_entry(entry.read_bytes())
    assert isinstance(payload, tuple)
    return payload


def _crafted_variants(payload: tuple) -> dict[str, tuple]:  # type: ignore[type-arg]
    """Entries made only of the cache's own record types, each wrong in one way."""
    fields = list(payload)
    # (..., parsed, diagnostics, facts, noqa): the last four fields.
    facts_at, diagnostics_at, noqa_at = len(fields) - 2, len(fields) - 3, len(fields) - 1
    facts: model.FileFacts = fields[facts_at]
    path = facts.path
    location = Location(path, 1, 1)
    deep = model.Ref("unknown")
    for _ in range(150):  # deeper than any real value, shallow enough for pickle to write
        deep = model.Ref("choice", options=(deep,))
    bomb = model.Ref("unknown")
    for _ in range(60):
        bomb = model.Ref("choice", options=(bomb, bomb))
    client = model.Client("client", model.Ref("str", "app"), location)

    def with_facts(**changes: object) -> tuple:  # type: ignore[type-arg]
        from dataclasses import replace

        changed = list(fields)
        changed[facts_at] = replace(facts, **changes)
        return tuple(changed)

    def at(index: int, value: object) -> tuple:  # type: ignore[type-arg]
        changed = list(fields)
        changed[index] = value
        return tuple(changed)

    return {
        "a client among the functions": with_facts(functions=(client,)),
        "a string for a tuple": with_facts(sends="oops"),
        "a line that is not a number": at(diagnostics_at, [Diagnostic(path, "1", 1, "INN101", "x")]),  # type: ignore[arg-type]
        "a negative line": at(diagnostics_at, [Diagnostic(path, -4, 1, "INN101", "x")]),
        "a finding in another file": at(diagnostics_at, [Diagnostic("/elsewhere.py", 1, 1, "INN101", "x")]),
        "an unknown kind of value": with_facts(constants={"X": model.Ref("bogus", "x")}),
        "a reference nested 150 deep": with_facts(constants={"X": deep}),
        "a reference shared 2^60 ways": with_facts(constants={"X": bomb}),
        "a noqa map of strings": at(noqa_at, "everything"),
        "facts of another file": with_facts(path="/elsewhere.py"),
        "a set of records for a frozenset of names": with_facts(other_names=frozenset({client})),  # type: ignore[arg-type]
    }


VARIANTS = [
    "a client among the functions",
    "a string for a tuple",
    "a line that is not a number",
    "a negative line",
    "a finding in another file",
    "an unknown kind of value",
    "a reference nested 150 deep",
    "a reference shared 2^60 ways",
    "a noqa map of strings",
    "facts of another file",
    "a set of records for a frozenset of names",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_crafted_entries_are_dropped_and_recomputed(project: Path, variant: str) -> None:
    cold = _cold(project)
    _lint(project)
    entry, arguments = _entry_of(project, "app/jobs.py")
    crafted = _crafted_variants(_stored_payload(entry))[variant]
    entry.write_bytes(_crafted(crafted))
    assert _open_cache(project).load_result(*arguments) is None
    assert _lint(project) == (cold, 1)
    assert _lint(project) == (cold, 0)  # rewritten


@pytest.mark.skipif(not hasattr(os, "symlink") or not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_index_or_entry_linked_to_dev_zero_is_not_read(project: Path) -> None:
    cold = _cold(project)
    _lint(project)
    directory = project / CACHE_DIR_NAME
    index = next(directory.glob("index-*.json"))
    entry = sorted(directory.rglob("*.pickle"))[0]
    for target in (index, entry):
        target.unlink()
        os.symlink("/dev/zero", target)

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    completed = subprocess.run(
        [sys.executable, "-m", "inngest_lint", ".", "--output-format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limit_memory,
    )
    assert completed.returncode == 1, completed.stderr
    found = [(item["path"], item["line"], item["code"]) for item in json.loads(completed.stdout)]
    assert sorted(found) == sorted(
        (os.path.relpath(p, project) if os.path.isabs(p) else p, line, code) for p, line, code, _ in cold
    )


def test_cache_dir_gitignore_only_in_a_directory_the_linter_created(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    assert CliRunner().invoke(main, [".", "--cache-dir", "."]).exit_code == 1
    assert not (project / ".gitignore").exists(), "a .gitignore of '*' at the repository root ignores every new file"
    assert any(project.glob("index-*.json"))
    existing = project / "mine"
    existing.mkdir()
    assert CliRunner().invoke(main, [".", "--cache-dir", "mine"]).exit_code == 1
    assert not (existing / ".gitignore").exists()
    assert CliRunner().invoke(main, [".", "--cache-dir", "new/cache"]).exit_code == 1
    assert (project / "new" / "cache" / ".gitignore").read_text().strip().endswith("*")
    assert not (project / "new" / ".gitignore").exists()
    assert CliRunner().invoke(main, ["."]).exit_code == 1
    assert (project / CACHE_DIR_NAME / ".gitignore").read_text().strip().endswith("*")


def test_the_facts_schema_is_part_of_the_key() -> None:
    from dataclasses import dataclass

    fingerprint = cache_module.schema_fingerprint

    @dataclass(frozen=True)
    class Ref:
        kind: str
        value: str = ""

    @dataclass(frozen=True)
    class Changed:
        kind: str
        value: str = ""
        extra: int = 0

    Changed.__name__ = Changed.__qualname__ = "Ref"
    assert fingerprint((Ref,)) != fingerprint((Changed,))
    assert fingerprint((Ref,)) == fingerprint((Ref,))


def test_the_facts_schema_version_is_part_of_the_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A collector that records something differently bumps FACTS_SCHEMA: no entry written
    before is read again, though the record types kept their fields."""
    cold = _cold(project)
    assert _lint(project) == (cold, 3)
    assert _lint(project) == (cold, 0)
    monkeypatch.setattr(model, "FACTS_SCHEMA", model.FACTS_SCHEMA + 1)
    assert _lint(project) == (cold, 3)
    assert _lint(project) == (cold, 0)


def test_every_fixture_result_validates() -> None:
    """What the engine writes is accepted: the validation must not turn real entries into misses
    (a field type or a kind it does not know would make every warm run a cold one)."""
    from inngest_lint.engine.file_pass import FileInput, lint_file
    from inngest_lint.registry import all_rules
    from inngest_lint.settings import Settings

    codes = frozenset(rule.code for rule in all_rules())
    fixtures = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))
    checked = 0
    for path in fixtures:
        result = lint_file(FileInput(str(path), "pkg.module", False, False), Settings(), codes)
        if any(d.internal for d in result.diagnostics):
            continue
        file_digest = cache_module.digest(path.read_bytes())
        payload = (
            cache_module._FORMAT,
            cache_module.SCHEMA,
            str(path),
            file_digest,
            result.parsed,
            list(result.diagnostics),
            result.facts,
            result.noqa,
        )
        data = cache_module.encode_entry(payload)
        cache_module.validate_result(
            cache_module.decode_entry(data), str(path), file_digest, ("pkg.module", False), len(data)
        )
        checked += 1
    assert checked > 100
