"""`--since REF` and the deploy-safety rules (INN7xx), on real git repositories.

Each test commits a first version, changes the work tree, and lints with `since="HEAD"` (or
another ref): the findings of each rule, and silence on the changes that are safe for runs in
flight (a step added at the end, a step with a new ID added before others, a Python function
renamed with its `fn_id` kept, whitespace and comments, a function moved to another file).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from git_projects import GitProject

from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.cli import main
from inngest_lint.diagnostics import Diagnostic
from inngest_lint.settings import Settings

DEPLOY_CODES = ("INN701", "INN702", "INN703")

CHECKOUT = """
import inngest

client = inngest.Inngest(app_id="shop")


@client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/order.placed"))
async def checkout(ctx: inngest.Context) -> None:
    await ctx.step.run("reserve", reserve)
    await ctx.step.run("charge", charge)
    await ctx.step.sleep("cool-off", 86_400_000)
    await ctx.step.run("ship", ship)


async def reserve() -> None: ...
async def charge() -> None: ...
async def ship() -> None: ...
"""

SERVE = """
import inngest.fast_api
from fastapi import FastAPI

from shop.client import client
from shop.functions import checkout

app = FastAPI()
inngest.fast_api.serve(app, client, [checkout])
"""


def _lint(root: Path, since: str = "HEAD", codes: tuple[str, ...] = DEPLOY_CODES) -> list[Diagnostic]:
    settings = Settings(select=codes, root=str(root), since=since)
    old = os.getcwd()
    os.chdir(root)
    try:
        result = lint_paths(["."], settings, RunOptions())
    finally:
        os.chdir(old)
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code.startswith("INN7")]


def _shown(diagnostics: list[Diagnostic]) -> list[str]:
    return [f"{Path(d.path).name}:{d.line} {d.code} {d.message}" for d in diagnostics]


@pytest.fixture
def repo(tmp_path: Path) -> GitProject:
    project = GitProject(tmp_path)
    project.commit({"shop/__init__.py": "", "shop/functions.py": CHECKOUT})
    return project


# ---------------------------------------------------------------------------- INN701


def test_renamed_step_is_flagged_with_both_ids(repo: GitProject) -> None:
    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    found = _lint(repo.root)
    assert [(d.code, d.line) for d in found] == [("INN701", 9)], _shown(found)
    assert "'charge'" in found[0].message and "'charge-card'" in found[0].message


def test_renamed_wait_is_flagged(repo: GitProject) -> None:
    repo.change({"shop/functions.py": CHECKOUT.replace('"cool-off"', '"cooling-off"')})
    assert [d.code for d in _lint(repo.root)] == ["INN701"]


@pytest.mark.parametrize(
    "changed",
    [
        # A new step at the end.
        CHECKOUT.replace(
            'await ctx.step.run("ship", ship)',
            'await ctx.step.run("ship", ship)\n    await ctx.step.run("email", ship)',
        ),
        # A new step before the others, with an ID of its own.
        CHECKOUT.replace(
            'await ctx.step.run("reserve", reserve)',
            'await ctx.step.run("validate", reserve)\n    await ctx.step.run("reserve", reserve)',
        ),
        # The Python function renamed, its fn_id kept.
        CHECKOUT.replace("async def checkout(", "async def run_checkout("),
        # Whitespace and comments.
        CHECKOUT.replace(
            '    await ctx.step.run("charge", charge)',
            '    # Charge the card.\n\n    await ctx.step.run(  "charge",   charge  )',
        ),
        # A step removed (its memoized result is simply not asked for).
        CHECKOUT.replace('    await ctx.step.run("ship", ship)\n', ""),
        # One step replaced by another piece of work (another handler).
        CHECKOUT.replace('await ctx.step.run("ship", ship)', 'await ctx.step.run("notify", reserve)'),
    ],
    ids=[
        "step-at-end",
        "step-before-with-new-id",
        "python-rename",
        "whitespace-comments",
        "step-removed",
        "other-work",
    ],
)
def test_safe_changes_are_silent(repo: GitProject, changed: str) -> None:
    repo.change({"shop/functions.py": changed})
    assert _shown(_lint(repo.root)) == []


def test_function_moved_to_another_file_is_silent(repo: GitProject) -> None:
    moved = CHECKOUT.replace('"charge"', '"charge"')
    repo.change({"shop/checkout.py": moved, "shop/functions.py": "from shop.checkout import checkout\n"})
    assert _shown(_lint(repo.root)) == []


def test_unchanged_tree_is_silent(repo: GitProject) -> None:
    assert _shown(_lint(repo.root)) == []


def test_step_id_not_literal_stays_silent(repo: GitProject) -> None:
    """An ID the linter cannot read may be the renamed one."""
    changed = CHECKOUT.replace('"charge"', 'f"charge-{ctx.event.data}"').replace('"reserve"', '"reserve-stock"')
    repo.change({"shop/functions.py": changed})
    assert _shown(_lint(repo.root)) == []


def test_context_handed_to_a_helper_stays_silent(repo: GitProject) -> None:
    changed = CHECKOUT.replace(
        'await ctx.step.run("charge", charge)', 'await ctx.step.run("charge-card", charge)\n    await helper(ctx)'
    )
    repo.change({"shop/functions.py": changed + "\nasync def helper(ctx): ...\n"})
    assert _shown(_lint(repo.root)) == []


def test_since_an_older_commit(repo: GitProject) -> None:
    first = repo.git("rev-parse", "HEAD").strip()
    repo.commit({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    assert _shown(_lint(repo.root, since="HEAD")) == []
    assert [d.code for d in _lint(repo.root, since=first)] == ["INN701"]
    assert [d.code for d in _lint(repo.root, since="HEAD~1")] == ["INN701"]


def test_without_since_the_rules_are_off(repo: GitProject) -> None:
    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    assert _shown(_lint(repo.root, since="")) == []


# ---------------------------------------------------------------------------- INN702

REPEATED = """
import inngest

client = inngest.Inngest(app_id="shop")


@client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="shop/sync"))
async def sync(ctx: inngest.Context) -> None:
    await ctx.step.run("fetch", fetch_invoice)
    await ctx.step.run("fetch", fetch_label)
    await ctx.step.run("store", store)


async def fetch_invoice() -> None: ...
async def fetch_label() -> None: ...
async def fetch_receipt() -> None: ...
async def store() -> None: ...
"""


def test_repeated_ids_swapped_are_flagged(tmp_path: Path) -> None:
    repo = GitProject(tmp_path)
    repo.commit({"sync.py": REPEATED})
    swapped = REPEATED.replace(
        'fetch_invoice)\n    await ctx.step.run("fetch", fetch_label)',
        'fetch_label)\n    await ctx.step.run("fetch", fetch_invoice)',
    )
    repo.change({"sync.py": swapped})
    found = _lint(tmp_path)
    assert [(d.code, d.line) for d in found] == [("INN702", 8)], _shown(found)


def test_repeated_id_new_call_before_loop_is_flagged(tmp_path: Path) -> None:
    repo = GitProject(tmp_path)
    before = REPEATED.replace(
        '    await ctx.step.run("fetch", fetch_invoice)\n    await ctx.step.run("fetch", fetch_label)\n',
        '    for _ in range(3):\n        await ctx.step.run("fetch", fetch_label)\n',
    )
    repo.commit({"sync.py": before})
    after = before.replace(
        "    for _ in range(3):", '    await ctx.step.run("fetch", fetch_invoice)\n    for _ in range(3):'
    )
    repo.change({"sync.py": after})
    assert [(d.code, d.line) for d in _lint(tmp_path)] == [("INN702", 8)]


@pytest.mark.parametrize(
    "changed",
    [
        REPEATED.replace(
            'await ctx.step.run("store", store)',
            'await ctx.step.run("fetch", fetch_receipt)\n    await ctx.step.run("store", store)',
        ),
        REPEATED.replace('    await ctx.step.run("fetch", fetch_label)\n', ""),  # the last call removed
        REPEATED.replace('await ctx.step.run("store", store)', 'await ctx.step.run("store", store)  # keep it'),
    ],
    ids=["call-appended", "last-call-removed", "comment"],
)
def test_repeated_ids_safe_changes_are_silent(tmp_path: Path, changed: str) -> None:
    repo = GitProject(tmp_path)
    repo.commit({"sync.py": REPEATED})
    repo.change({"sync.py": changed})
    assert _shown(_lint(tmp_path)) == []


# ---------------------------------------------------------------------------- INN703


def _served_repo(root: Path) -> GitProject:
    repo = GitProject(root)
    repo.commit(
        {
            "shop/__init__.py": "",
            "shop/client.py": 'import inngest\n\nclient = inngest.Inngest(app_id="shop")\n',
            "shop/functions.py": CHECKOUT.replace(
                'client = inngest.Inngest(app_id="shop")', "from shop.client import client"
            ),
            "shop/main.py": SERVE,
        }
    )
    return repo


def test_fn_id_changed_on_a_function_that_sleeps_is_flagged(tmp_path: Path) -> None:
    repo = _served_repo(tmp_path)
    source = (tmp_path / "shop/functions.py").read_text()
    repo.change({"shop/functions.py": source.replace('fn_id="checkout"', 'fn_id="checkout-v2"')})
    found = _lint(tmp_path)
    assert [(Path(d.path).name, d.code) for d in found] == [("functions.py", "INN703")], _shown(found)
    assert "'shop-checkout'" in found[0].message and "'shop-checkout-v2'" in found[0].message


def test_removed_function_that_sleeps_is_flagged_at_the_serve_call(tmp_path: Path) -> None:
    repo = _served_repo(tmp_path)
    repo.change(
        {"shop/main.py": SERVE.replace("from shop.functions import checkout\n", "").replace("[checkout]", "[]")},
        remove={"shop/functions.py"},
    )
    found = _lint(tmp_path)
    assert [(Path(d.path).name, d.code) for d in found] == [("main.py", "INN703")], _shown(found)
    assert "shop-checkout" in found[0].message


def test_removed_function_without_sleeps_is_silent(tmp_path: Path) -> None:
    repo = _served_repo(tmp_path)
    source = (tmp_path / "shop/functions.py").read_text()
    repo.commit({"shop/functions.py": source.replace('    await ctx.step.sleep("cool-off", 86_400_000)\n', "")})
    repo.change(
        {"shop/main.py": SERVE.replace("from shop.functions import checkout\n", "").replace("[checkout]", "[]")},
        remove={"shop/functions.py"},
    )
    assert _shown(_lint(tmp_path)) == []


def test_removal_is_silent_when_a_file_does_not_parse(tmp_path: Path) -> None:
    repo = _served_repo(tmp_path)
    repo.change({"shop/functions.py": "import inngest\ndef broken(:\n"})
    assert _shown(_lint(tmp_path)) == []


def test_function_renamed_in_python_moved_and_served_is_silent(tmp_path: Path) -> None:
    repo = _served_repo(tmp_path)
    source = (tmp_path / "shop/functions.py").read_text().replace("async def checkout(", "async def place_order(")
    repo.change(
        {
            "shop/orders.py": source,
            "shop/main.py": SERVE.replace(
                "from shop.functions import checkout", "from shop.orders import place_order"
            ).replace("[checkout]", "[place_order]"),
        },
        remove={"shop/functions.py"},
    )
    assert _shown(_lint(tmp_path)) == []


# ---------------------------------------------------------------------------- reading git


def test_nothing_is_written_to_the_work_tree(repo: GitProject) -> None:
    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    status = repo.git("status", "--porcelain")
    head = repo.git("rev-parse", "HEAD")
    _lint(repo.root)
    assert repo.git("status", "--porcelain") == status
    assert repo.git("rev-parse", "HEAD") == head
    assert "charge-card" in (repo.root / "shop/functions.py").read_text()


def test_cached_version_gives_the_same_findings(repo: GitProject) -> None:
    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    first = _lint(repo.root)
    assert first == _lint(repo.root)


def _cli(root: Path, *arguments: str) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_cli_since_option(repo: GitProject) -> None:
    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    code, out, _ = _cli(repo.root, "--since", "HEAD", "--select", "INN7", ".")
    assert code == 1 and "INN701" in out


def test_since_setting_in_pyproject(repo: GitProject) -> None:
    (repo.root / "pyproject.toml").write_text('[tool.inngest-lint]\nsince = "HEAD"\n', encoding="utf-8")
    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    code, out, _ = _cli(repo.root, ".")
    assert code == 1 and "INN701" in out


@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~5"])
def test_unknown_ref_is_one_line_and_exit_2(repo: GitProject, ref: str) -> None:
    code, _, err = _cli(repo.root, "--since", ref, ".")
    assert code == 2
    assert err.strip().count("\n") == 0 and "no such git ref" in err, err


def test_option_like_ref_is_refused(repo: GitProject) -> None:
    code, _, err = _cli(repo.root, "--since=--output=x", ".")
    assert code == 2 and "not a git ref" in err


def test_not_a_git_work_tree_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(CHECKOUT, encoding="utf-8")
    env_ceiling = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path.parent)
    try:
        code, _, err = _cli(tmp_path, "--since", "HEAD", ".")
    finally:
        if env_ceiling is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env_ceiling
    assert code == 2 and "not inside a git work tree" in err and err.strip().count("\n") == 0, err


def test_shallow_clone_lacking_the_ref(tmp_path: Path) -> None:
    (tmp_path / "origin").mkdir()
    origin = GitProject(tmp_path / "origin")
    origin.commit({"app.py": CHECKOUT}, "one")
    origin.commit({"app.py": CHECKOUT.replace('"charge"', '"charge-card"')}, "two")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin.root}", str(clone)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    code, _, err = _cli(clone, "--since", "HEAD~1", ".")
    assert code == 2 and "shallow clone" in err and "fetch-depth: 0" in err, err


def test_settings_since_is_not_part_of_the_cache_key(repo: GitProject) -> None:
    """A run with and without --since share the cache (the ref changes no file's result)."""
    from inngest_lint.api import _open_cache
    from inngest_lint.selection import enabled_codes

    settings = Settings(root=str(repo.root))
    with_ref = replace(settings, since="HEAD")
    options = RunOptions()
    plain = _open_cache(options, repo.root, settings, enabled_codes(settings))
    deploy = _open_cache(options, repo.root, with_ref, enabled_codes(with_ref))
    assert plain is not None and deploy is not None and plain.key == deploy.key


def test_pre_commit_hook_runs_since_head_on_the_staged_files(repo: GitProject) -> None:
    """The `inngest-lint-deploy` hook: pre-commit passes the staged files after `--since HEAD`."""
    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    block = hooks[hooks.index("- id: inngest-lint-deploy") :]
    assert 'args: ["--since", "HEAD"]' in block.split("\n- id:")[0]
    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    repo.git("add", "shop/functions.py")
    code, out, _ = _cli(repo.root, "--since", "HEAD", "shop/functions.py")
    assert code == 1 and "INN701" in out


# ---------------------------------------------------------------------------- INN705

RECEIPT = """
import inngest

client = inngest.Inngest(app_id="billing")


@client.create_function(fn_id="receipt", trigger=inngest.TriggerEvent(event="billing/invoice.paid"))
async def receipt(ctx: inngest.Context) -> None: ...
"""

WEBHOOK = """
import inngest

from billing.functions import client


async def on_paid(data: dict) -> None:
    await client.send(inngest.Event(name="billing/invoice.paid", data=data))
"""


def _billing(root: Path, sender_path: str = "billing/webhooks.py") -> GitProject:
    repo = GitProject(root)
    repo.commit({"billing/__init__.py": "", "billing/functions.py": RECEIPT, sender_path: WEBHOOK})
    return repo


def test_trigger_renamed_while_an_untouched_file_sends_the_old_name(tmp_path: Path) -> None:
    repo = _billing(tmp_path)
    repo.change({"billing/functions.py": RECEIPT.replace("invoice.paid", "invoice.settled")})
    found = _lint(tmp_path, codes=("INN705",))
    assert [(Path(d.path).name, d.code, d.line) for d in found] == [("functions.py", "INN705", 6)], _shown(found)
    assert "webhooks.py" in found[0].message and "'billing/invoice.settled'" in found[0].message


@pytest.mark.parametrize(
    "new_trigger",
    [
        # Both names listened to.
        'trigger=[inngest.TriggerEvent(event="billing/invoice.settled"), inngest.TriggerEvent(event="billing/invoice.paid")]',
        # A wildcard that still matches the old name.
        'trigger=inngest.TriggerEvent(event="billing/*")',
    ],
    ids=["both-names", "wildcard"],
)
def test_trigger_changes_that_still_listen_are_silent(tmp_path: Path, new_trigger: str) -> None:
    repo = _billing(tmp_path)
    repo.change(
        {
            "billing/functions.py": RECEIPT.replace(
                'trigger=inngest.TriggerEvent(event="billing/invoice.paid")', new_trigger
            )
        }
    )
    assert _shown(_lint(tmp_path, codes=("INN705",))) == []


def test_trigger_renamed_with_its_senders_is_silent(tmp_path: Path) -> None:
    repo = _billing(tmp_path)
    repo.change(
        {
            "billing/functions.py": RECEIPT.replace("invoice.paid", "invoice.settled"),
            "billing/webhooks.py": WEBHOOK.replace("invoice.paid", "invoice.settled"),
        }
    )
    assert _shown(_lint(tmp_path, codes=("INN705",))) == []


def test_trigger_renamed_with_only_a_test_sending_the_old_name_is_silent(tmp_path: Path) -> None:
    repo = _billing(tmp_path, sender_path="tests/test_webhooks.py")
    repo.change({"billing/functions.py": RECEIPT.replace("invoice.paid", "invoice.settled")})
    assert _shown(_lint(tmp_path, codes=("INN705",))) == []


# ---------------------------------------------------------------------------- INN706

SHIP = """
import datetime

import inngest

client = inngest.Inngest(app_id="shop")


@client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.placed"))
async def ship(ctx: inngest.Context) -> None:
    await ctx.step.wait_for_event(
        "paid",
        event="shop/order.paid",
        timeout=datetime.timedelta(days=1),
        if_exp="async.data.order_id == event.data.order_id",
    )


async def place(order_id: str, customer_id: str) -> None:
    await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
    await client.send(inngest.Event(name="shop/order.paid", data={"order_id": order_id}))
"""

SENDS_CUSTOMER = SHIP.replace('data={"order_id": order_id}', 'data={"order_id": order_id, "customer_id": customer_id}')


def test_wait_reading_a_field_the_deployed_senders_lack(tmp_path: Path) -> None:
    repo = GitProject(tmp_path)
    repo.commit({"ship.py": SHIP})
    repo.change({"ship.py": SENDS_CUSTOMER.replace("event.data.order_id", "event.data.customer_id")})
    found = _lint(tmp_path, codes=("INN706",))
    assert [(d.code, d.line) for d in found] == [("INN706", 14)], _shown(found)
    assert "event.data.customer_id" in found[0].message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # The deployed senders already sent the field.
        (SENDS_CUSTOMER, SENDS_CUSTOMER.replace("event.data.order_id", "event.data.customer_id")),
        # Nothing read changes.
        (SHIP, SENDS_CUSTOMER),
        # The deployed expression already read it.
        (
            SHIP.replace("event.data.order_id", "event.data.customer_id"),
            SENDS_CUSTOMER.replace("event.data.order_id", "event.data.customer_id"),
        ),
    ],
    ids=["sent-before", "same-expression", "read-before"],
)
def test_wait_expression_safe_changes_are_silent(tmp_path: Path, before: str, after: str) -> None:
    repo = GitProject(tmp_path)
    repo.commit({"ship.py": before})
    repo.change({"ship.py": after})
    assert _shown(_lint(tmp_path, codes=("INN706",))) == []


# ---------------------------------------------------------------------------- INN704

BILL = """
import inngest

from shop.users import load_user

client = inngest.Inngest(app_id="shop")


@client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/signup"))
async def bill(ctx: inngest.Context) -> None:
    user = await ctx.step.run("load-user", load_user)
    await ctx.step.sleep("trial", 1_209_600_000)
    await ctx.step.run("charge", lambda: print(user["id"]))
"""

USERS = """
async def load_user() -> dict:
    return {"id": 1}
"""

USERS_WITH_PLAN = """
async def load_user() -> dict:
    if True:
        return {"id": 1, "plan": "pro"}
    return {"id": 1, "plan": "free"}
"""


def _bill(root: Path) -> GitProject:
    repo = GitProject(root)
    repo.commit({"shop/__init__.py": "", "shop/functions.py": BILL, "shop/users.py": USERS})
    return repo


def test_read_of_a_key_the_deployed_helper_did_not_return(tmp_path: Path) -> None:
    repo = _bill(tmp_path)
    repo.change(
        {
            "shop/users.py": USERS_WITH_PLAN,
            "shop/functions.py": BILL.replace('print(user["id"])', 'print(user["id"], user["plan"])'),
        }
    )
    found = _lint(tmp_path, codes=("INN704",))
    assert [(Path(d.path).name, d.code, d.line) for d in found] == [("functions.py", "INN704", 12)], _shown(found)
    assert "'plan'" in found[0].message


@pytest.mark.parametrize(
    "functions",
    [
        BILL.replace('print(user["id"])', 'print(user.get("plan"))'),  # .get() copes with old results
        BILL,  # the new key is not read
        BILL.replace('print(user["id"])', 'print(user["plan"])').replace(
            '    await ctx.step.sleep("trial", 1_209_600_000)\n',
            '    await ctx.step.sleep("trial", 1_209_600_000)\n    user = {"plan": "free"}\n',
        ),  # bound twice: the read may see the other value
    ],
    ids=["get", "not-read", "rebound"],
)
def test_step_return_safe_changes_are_silent(tmp_path: Path, functions: str) -> None:
    repo = _bill(tmp_path)
    repo.change({"shop/users.py": USERS_WITH_PLAN, "shop/functions.py": functions})
    assert _shown(_lint(tmp_path, codes=("INN704",))) == []


def test_key_returned_by_both_versions_is_silent(tmp_path: Path) -> None:
    repo = GitProject(tmp_path)
    repo.commit({"shop/__init__.py": "", "shop/functions.py": BILL, "shop/users.py": USERS_WITH_PLAN})
    repo.change(
        {
            "shop/users.py": USERS_WITH_PLAN.replace('"free"}', '"free", "seats": 1}'),
            "shop/functions.py": BILL.replace('user["id"]', 'user["plan"]'),
        }
    )
    assert _shown(_lint(tmp_path, codes=("INN704",))) == []


def test_findings_carry_fingerprints_that_do_not_depend_on_the_ref(repo: GitProject) -> None:
    """SARIF fingerprints come from the finding's context (the IDs), not from the ref's lines."""
    from inngest_lint.reporters._source import SourceIndex

    repo.change({"shop/functions.py": CHECKOUT.replace('"charge"', '"charge-card"')})
    first = repo.git("rev-parse", "HEAD").strip()
    by_name = _lint(repo.root, since="HEAD")
    by_commit = _lint(repo.root, since=first)
    assert [d.context for d in by_name] == ["charge -> charge-card"]
    sources = SourceIndex(repo.root)
    assert sources.fingerprints(by_name) == sources.fingerprints(by_commit)


LAMBDAS = """
import inngest

client = inngest.Inngest(app_id="shop")


@client.create_function(fn_id="notify", trigger=inngest.TriggerEvent(event="shop/notify"))
async def notify(ctx: inngest.Context) -> None:
    await ctx.step.run("email", lambda: send("email", ctx.event.data))
    await ctx.step.run("sms", lambda: send("sms", ctx.event.data))


def send(channel: str, data: object) -> None: ...
"""


def test_renamed_step_with_the_same_lambda_is_flagged(tmp_path: Path) -> None:
    repo = GitProject(tmp_path)
    repo.commit({"notify.py": LAMBDAS})
    repo.change({"notify.py": LAMBDAS.replace('run("sms", lambda', 'run("text-message", lambda')})
    assert [(d.code, d.context) for d in _lint(tmp_path)] == [("INN701", "sms -> text-message")]


def test_step_replaced_by_other_work_under_a_new_id_is_silent(tmp_path: Path) -> None:
    """A new ID with another lambda is new work: running it in old runs is what the change means."""
    repo = GitProject(tmp_path)
    repo.commit({"notify.py": LAMBDAS})
    repo.change({"notify.py": LAMBDAS.replace('run("sms", lambda: send("sms"', 'run("push", lambda: send("push"')})
    assert _shown(_lint(tmp_path)) == []


def test_repeated_ids_with_lambdas_swapped_are_flagged(tmp_path: Path) -> None:
    repo = GitProject(tmp_path)
    repeated = LAMBDAS.replace('"sms", lambda', '"email", lambda')
    repo.commit({"notify.py": repeated})
    swapped = repeated.replace('send("email", ctx', "SWAP").replace('send("sms", ctx', 'send("email", ctx')
    repo.change({"notify.py": swapped.replace("SWAP", 'send("sms", ctx')})
    assert [(d.code, d.line) for d in _lint(tmp_path)] == [("INN702", 8)]


# ---------------------------------------------------------------------------- graph --since


def test_graph_since_marks_added_removed_and_renamed(tmp_path: Path) -> None:
    import json

    repo = _served_repo(tmp_path)
    functions = (tmp_path / "shop/functions.py").read_text()
    repo.commit(
        {
            "shop/functions.py": functions
            + '\n\n@client.create_function(fn_id="refund", trigger=inngest.TriggerEvent(event="shop/order.refunded"))\n'
            "async def refund(ctx: inngest.Context) -> None: ...\n"
        }
    )
    repo.change(
        {
            "shop/functions.py": functions.replace('fn_id="checkout"', 'fn_id="checkout-v2"')
            + '\n\n@client.create_function(fn_id="audit", trigger=inngest.TriggerEvent(event="shop/audit"))\n'
            "async def audit(ctx: inngest.Context) -> None: ...\n"
        }
    )
    code, out, err = _cli(tmp_path, "graph", "--since", "HEAD", "--format", "json", ".")
    assert code == 0, err
    nodes = {node["id"]: node for node in json.loads(out)["nodes"]}
    assert nodes["function:checkout-v2"]["change"] == "renamed"
    assert nodes["function:checkout-v2"]["was"] == "checkout"
    assert nodes["function:audit"]["change"] == "added"
    assert nodes["event:shop/audit"]["change"] == "added"
    assert nodes["function:refund"]["change"] == "removed" and nodes["function:refund"]["location"] is None
    assert nodes["event:shop/order.refunded"]["change"] == "removed"
    assert "change" not in nodes["event:shop/order.placed"]
    code, out, _ = _cli(tmp_path, "graph", "--since", "HEAD", ".")
    assert code == 0 and "was checkout" in out


def test_graph_without_since_has_no_change_marks(repo: GitProject) -> None:
    (repo.root / "pyproject.toml").write_text('[tool.inngest-lint]\nsince = "HEAD"\n', encoding="utf-8")
    repo.change({"shop/functions.py": CHECKOUT.replace('fn_id="checkout"', 'fn_id="checkout-v2"')})
    code, out, _ = _cli(repo.root, "graph", "--format", "json", ".")
    assert code == 0 and '"change"' not in out


def test_graph_since_bad_ref_is_exit_2(repo: GitProject) -> None:
    code, _, err = _cli(repo.root, "graph", "--since", "nope", ".")
    assert code == 2 and "no such git ref" in err


def test_trigger_renamed_through_a_constants_module(tmp_path: Path) -> None:
    """The function's file is unchanged; the event name changed in the module of constants."""
    repo = GitProject(tmp_path)
    repo.commit(
        {
            "billing/__init__.py": "",
            "billing/events.py": 'INVOICE_PAID = "billing/invoice.paid"\n',
            "billing/functions.py": RECEIPT.replace('"billing/invoice.paid"', "events.INVOICE_PAID").replace(
                "import inngest\n", "import inngest\n\nfrom billing import events\n", 1
            ),
            "billing/webhooks.py": WEBHOOK,
        }
    )
    repo.change({"billing/events.py": 'INVOICE_PAID = "billing/invoice.settled"\n'})
    assert [d.code for d in _lint(tmp_path, codes=("INN705",))] == ["INN705"]


def test_step_return_keys_changed_in_an_untouched_function_file(tmp_path: Path) -> None:
    """The handler's module changed, the function's file did not (and already read the key)."""
    repo = GitProject(tmp_path)
    repo.commit(
        {
            "shop/__init__.py": "",
            "shop/functions.py": BILL.replace('print(user["id"])', 'print(user["plan"])'),
            "shop/users.py": USERS_WITH_PLAN,
        }
    )
    # Deployed: the helper returned "plan". Now it does not, and the function reads it: not this
    # rule's case (the key is not new), so silent; then the reverse, committed the other way.
    repo.change({"shop/users.py": USERS})
    assert _shown(_lint(tmp_path, codes=("INN704",))) == []
    repo.commit({"shop/users.py": USERS})
    repo.change({"shop/users.py": USERS_WITH_PLAN})
    assert [d.code for d in _lint(tmp_path, codes=("INN704",))] == ["INN704"]


# ---------------------------------------------------------------------------- projects laid out as real ones

FIXTURES = Path(__file__).parent / "fixtures"
#: Projects laid out as real ones (tests/fixtures/deploy/), and each deploy rule's fixture folder
#: (tests/fixtures/rules/INN7xx/): a `before/` and an `after/` tree each.
SCENARIOS = sorted(path for path in (FIXTURES / "deploy").iterdir() if path.is_dir()) + sorted(
    path for path in (FIXTURES / "rules").glob("INN7*") if (path / "before").is_dir()
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.name)
def test_deploy_scenario(tmp_path: Path, scenario: Path) -> None:
    """`before/` is committed, then replaced by `after/` in the work tree; the `# error:`
    annotations of `after/` are the INN7xx findings expected, and nothing else."""
    import shutil

    from annotations import annotations_in_tree, compare

    from inngest_lint.config import load_settings

    repo = GitProject(tmp_path)
    shutil.copytree(scenario / "before", tmp_path, dirs_exist_ok=True)
    repo.commit({})
    for old in (scenario / "before").rglob("*"):
        if old.is_file():
            (tmp_path / old.relative_to(scenario / "before")).unlink()
    shutil.copytree(scenario / "after", tmp_path, dirs_exist_ok=True)
    settings = replace(load_settings(tmp_path), select=("INN7",), since="HEAD")
    old_cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = lint_paths(["."], settings, RunOptions())
    finally:
        os.chdir(old_cwd)
    assert not result.errors, result.errors
    found = [(str((tmp_path / d.path).resolve()), d.line, d.code, d.message) for d in result.diagnostics]
    problems = compare(annotations_in_tree(tmp_path), found, None)
    assert found, "each scenario expects findings"
    assert not problems, "\n".join(problems)
