"""INN610 invalid-trigger-object."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._config import (
    is_create_function,
    resolve,
    shown_string,
)
from inngest_lint.rules._cron import looks_like_cron
from inngest_lint.rules._fixes import module_attribute
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.values import keyword

_LITERALS = (
    cst.Dict,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
    cst.Float,
    cst.Tuple,
    cst.Set,
    cst.List,
)


class InvalidTriggerObject(Rule):
    """A `trigger=` given a dict, a string or another literal instead of a trigger object.

    ## What it does
    Flags a `trigger=` value of `client.create_function(...)`, or an element of its list, that
    is a dict, a string, a number, a tuple, a nested list or `None` (written directly or through
    a name bound once in the file), and says which class to use: `{"event": ...}` or an event
    name becomes `inngest.TriggerEvent(event=...)`, `{"cron": ...}` or a cron-looking string
    becomes `inngest.TriggerCron(cron=...)`.

    ## Why is this bad?
    The Python SDK takes only `TriggerEvent` and `TriggerCron` objects (or a list of them). The
    TypeScript-style `{"event": "app/x"}` dict or a bare string passes through the decorator and
    fails when the app syncs, so none of the app's functions are registered. A tuple is taken as
    a single trigger, not as several.

    ## Fix
    A dict written in place (`{"event": ...}` with an optional `"if"`/`"expression"` filter, or
    `{"cron": ...}`) becomes the trigger object with the same values, and a string becomes
    `TriggerCron(cron=...)` when it looks like a cron schedule, else `TriggerEvent(event=...)`.
    Safe: the app cannot sync as written (`create_function` in `inngest/_internal/client_lib/
    client.py` passes the value to `TriggerEvent`/`TriggerCron`-typed config), and the object
    carries exactly what the dict or string said. A dict with any other key, or one bound to a
    name, is left for a human.
    """

    code = "INN610"
    name = "invalid-trigger-object"
    fixable = "safe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="welcome", trigger={"event": "app/user.created", "if": "event.data.vip"})
            async def welcome(ctx: inngest.Context) -> None:
                await ctx.step.run("send", send_welcome)

            @client.create_function(fn_id="hourly", trigger=["0 * * * *", {"event": "app/tick"}])
            async def hourly(ctx: inngest.Context) -> None:
                await ctx.step.run("tick", tick)
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="welcome", trigger=inngest.TriggerEvent(event="app/user.created", expression="event.data.vip"))
            async def welcome(ctx: inngest.Context) -> None:
                await ctx.step.run("send", send_welcome)

            @client.create_function(fn_id="hourly", trigger=[inngest.TriggerCron(cron="0 * * * *"), inngest.TriggerEvent(event="app/tick")])
            async def hourly(ctx: inngest.Context) -> None:
                await ctx.step.run("tick", tick)
            """,
        ),
    )

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="welcome", trigger=inngest.TriggerEvent(event="app/user.created"))
        async def welcome(ctx: inngest.Context) -> None:
            await ctx.step.run("send", send_welcome)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")
        TRIGGERS = [inngest.TriggerEvent(event="app/user.created"), inngest.TriggerCron(cron="0 * * * *")]

        @client.create_function(fn_id="welcome", trigger=TRIGGERS)
        async def welcome(ctx: inngest.Context) -> None:
            await ctx.step.run("send", send_welcome)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="welcome", trigger={"event": "app/user.created"})  # error: INN610
        async def welcome(ctx: inngest.Context) -> None:
            await ctx.step.run("send", send_welcome)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="welcome", trigger={"event": "app/user.created"})  # error: INN610
        async def welcome(ctx: inngest.Context) -> None:
            await ctx.step.run("send", send_welcome)

        @client.create_function(fn_id="hourly", trigger=["0 * * * *"])  # error: INN610
        async def hourly(ctx: inngest.Context) -> None:
            await ctx.step.run("tick", tick)
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        if not is_create_function(node):
            return
        value = keyword(node, sdk.CREATE_FUNCTION_TRIGGER_KEYWORD)
        if value is None:
            return
        resolved = resolve(self.context, value)
        if isinstance(resolved, cst.List):
            for element in resolved.elements:
                if isinstance(element, cst.StarredElement):
                    continue
                self._check(element.value, in_list=True)
            return
        self._check(value, in_list=False)

    def _check(self, node: cst.BaseExpression, *, in_list: bool) -> None:
        resolved = resolve(self.context, node)
        problem = self._problem(resolved, in_list=in_list)
        if problem is None:
            return
        fix = self._fix(node) if resolved is node else None
        self.report(node, problem, context=snippet(self.context, resolved, 40), fix=fix)

    # ------------------------------------------------------------------ fix
    def _fix(self, node: cst.BaseExpression) -> Fix | None:
        """The trigger object for a dict or string written in place, or None."""
        arguments: list[tuple[str, cst.BaseExpression]] = []
        if isinstance(node, cst.Dict):
            entries: dict[str, cst.BaseExpression] = {}
            for element in node.elements:
                key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
                if key is None or key in entries:
                    return None
                entries[key] = element.value
            filter_keyword = sdk.FILTER_KEYWORDS[sdk.TRIGGER_EVENT_CLASS]
            conditions = [
                key for key in ("if", filter_keyword, sdk.FILTER_KEYWORDS[sdk.CANCEL_CLASS]) if key in entries
            ]
            if set(entries) == {sdk.TRIGGER_CRON_KEYWORD}:
                owner = sdk.TRIGGER_CRON_CLASS
                arguments = [(sdk.TRIGGER_CRON_KEYWORD, entries[sdk.TRIGGER_CRON_KEYWORD])]
            elif sdk.LISTENED_EVENT_KEYWORD in entries and len(conditions) <= 1 and len(entries) == 1 + len(conditions):
                owner = sdk.TRIGGER_EVENT_CLASS
                arguments = [(sdk.LISTENED_EVENT_KEYWORD, entries[sdk.LISTENED_EVENT_KEYWORD])]
                arguments += [(filter_keyword, entries[key]) for key in conditions]
            else:
                return None
        else:
            text = literal_string(node)
            if text is None or not text.strip():
                return None
            cron = looks_like_cron(text)
            owner = sdk.TRIGGER_CRON_CLASS if cron else sdk.TRIGGER_EVENT_CLASS
            arguments = [(sdk.TRIGGER_CRON_KEYWORD if cron else sdk.LISTENED_EVENT_KEYWORD, node)]
        module, _, name = owner.rpartition(".")
        spelling = module_attribute(self.context, module, name)
        if spelling is None:
            return None
        function, statements = spelling
        no_space = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
        call = cst.Call(
            function,
            [
                cst.Arg(value, keyword=cst.Name(keyword), equal=no_space, comma=cst.MaybeSentinel.DEFAULT)
                for keyword, value in arguments
            ],
        )
        return self.context.fix(f"write {name}(...)", [(node, call)], statements=statements)

    def _problem(self, node: cst.BaseExpression, *, in_list: bool) -> str | None:
        if isinstance(node, cst.Name) and node.value == "None":
            return "trigger is None: every function needs an inngest.TriggerEvent(...) or inngest.TriggerCron(...)"
        if not isinstance(node, _LITERALS):
            return None
        base = "the Python SDK takes inngest.TriggerEvent(...) / inngest.TriggerCron(...) objects"
        if isinstance(node, cst.Dict):
            return f"trigger is a dict: {base}; write {self._from_dict(node)}"
        text = literal_string(node)
        if text is not None:
            if looks_like_cron(text):
                return f"trigger is the string {shown_string(text)}: {base}; write inngest.TriggerCron(cron={text!r})"
            return f"trigger is the string {shown_string(text)}: {base}; write inngest.TriggerEvent(event={text!r})"
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return f"trigger is a string: {base}; wrap it in inngest.TriggerEvent(event=...)"
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)) and in_list:
            return f"a trigger list element is itself a collection: {base}; flatten it into one list"
        if isinstance(node, cst.Tuple):
            return f"trigger is a tuple, which the SDK takes as one trigger: {base}; pass a list [...] instead"
        if isinstance(node, cst.Set):
            return f"trigger is a set: {base}; pass a list [...] instead"
        return f"trigger is the literal {snippet(self.context, node, 30)}: {base}"

    def _from_dict(self, node: cst.Dict) -> str:
        """The trigger call to write for a `{"event": ..., "if": ...}` / `{"cron": ...}` dict."""
        entries: dict[str, str] = {}
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = literal_string(element.key)
                if key is not None:
                    entries[key] = snippet(self.context, element.value, 50)
        if sdk.TRIGGER_CRON_KEYWORD in entries:
            return f"inngest.TriggerCron(cron={entries[sdk.TRIGGER_CRON_KEYWORD]})"
        if sdk.LISTENED_EVENT_KEYWORD in entries:
            filter_keyword = sdk.FILTER_KEYWORDS[sdk.TRIGGER_EVENT_CLASS]
            condition_keys = ("if", filter_keyword, sdk.FILTER_KEYWORDS[sdk.CANCEL_CLASS])
            condition = next((entries[key] for key in condition_keys if key in entries), None)
            extra = f", {filter_keyword}={condition}" if condition is not None else ""
            return f"inngest.TriggerEvent(event={entries[sdk.LISTENED_EVENT_KEYWORD]}{extra})"
        return "inngest.TriggerEvent(event=...) or inngest.TriggerCron(cron=...)"
