"""The semantic model of one file during phase 1, shared by every file rule and the collector.

One walker visits the module once. Before any rule sees a node, the model is updated (function
frames, loops, which names are an Inngest context or step object); after the rules leave a node,
it is popped. Rules ask questions (`step_method(call)`, `qualify(expr)`, `loop_frames()`) instead
of re-deriving them, so every rule agrees on what a step call or an Inngest function is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Diagnostic, Fix, Location, shortened
from inngest_lint.semantic.edits import EditMaker, Replacement
from inngest_lint.semantic.names import (
    BindingScan,
    dotted_name,
    parameter_names,
    positional_parameters,
    target_names,
)
from inngest_lint.semantic.positions import PIECE_TYPES, PositionResolver
from inngest_lint.semantic.traverse import children

if TYPE_CHECKING:
    from inngest_lint.settings import Settings


@dataclass
class InngestFunctionInfo:
    """What phase 1 knows about one Inngest function while walking its handler."""

    create_call: cst.Call  # the `client.create_function(...)` call
    client_expr: cst.BaseExpression
    handler: cst.FunctionDef | None
    is_async: bool
    shape: str  # "ctx" (0.5) or "ctx_step" (0.3/0.4) or "unknown"
    in_factory: bool
    symbol: str  # module-level name bound to the Function ("" if none)
    step_handler_names: set[str] = field(default_factory=set)


@dataclass
class LoopFrame:
    node: cst.CSTNode
    kind: Literal["for", "async for", "while", "comprehension"]
    changed: frozenset[str]


@dataclass
class Frame:
    """A function scope (or the module). Lambdas get frames too, marked transparent to loops."""

    node: cst.CSTNode
    kind: Literal["module", "def", "lambda", "class"]
    scan: BindingScan
    params: set[str] = field(default_factory=set)
    ctx_names: set[str] = field(default_factory=set)
    step_names: set[str] = field(default_factory=set)
    is_async: bool = False
    inngest: InngestFunctionInfo | None = None
    # The Inngest function whose body (or nested scope) this frame belongs to.
    function: InngestFunctionInfo | None = None
    is_step_handler: bool = False
    loops: list[LoopFrame] = field(default_factory=list)

    def binds(self, name: str) -> bool:
        return name in self.params or name in self.scan.bound


class FileContext:
    """Everything a file rule may ask about the file being walked."""

    def __init__(
        self,
        *,
        path: str,
        display_path: str,
        module: str,
        is_package: bool,
        is_test: bool,
        source: str,
        tree: cst.Module,
        settings: Settings,
    ) -> None:
        self.path = path
        self.display_path = display_path
        self.module = module
        self.is_package = is_package
        self.is_test = is_test
        self.source = source
        self.settings = settings
        self.tree = tree
        self.positions = PositionResolver(tree, source)
        self._owners = self.positions.owners
        self._pieces = self.positions.pieces
        self.diagnostics: list[Diagnostic] = []
        self.module_scan = BindingScan(module, is_package).scan(self.tree.body)
        self.frames: list[Frame] = [Frame(self.tree, "module", self.module_scan)]
        self._step_handler_lambdas: set[int] = set()
        self._call_form_handlers = self._find_call_form_functions()
        self._enter_handlers: dict[type, Any] = {
            cst.FunctionDef: self._enter_def,
            cst.Lambda: self._enter_lambda,
            cst.ClassDef: self._enter_class,
            cst.For: self._enter_for,
            cst.While: self._enter_while,
            cst.ListComp: self._enter_comprehension,
            cst.SetComp: self._enter_comprehension,
            cst.GeneratorExp: self._enter_comprehension,
            cst.DictComp: self._enter_comprehension,
            cst.Call: self._note_step_handlers,
        }

    def release(self) -> None:
        """Drop every reference into the tree once the walk is over.

        The model refers to itself (its dispatch table holds bound methods), so without this the
        whole tree would wait for the cyclic garbage collector instead of being freed at once.
        """
        self._enter_handlers.clear()
        self.frames.clear()
        self._call_form_handlers.clear()
        self._call_form_scope.clear()
        self.positions = None  # type: ignore[assignment]
        self._owners = {}
        self._pieces = []
        self.tree = None  # type: ignore[assignment]
        self.module_scan = None  # type: ignore[assignment]

    # ---------------------------------------------------------------- positions and reports
    def location(self, node: cst.CSTNode) -> Location:
        code_range = self.positions.range(node)
        return Location(
            self.path,
            code_range.start_line,
            code_range.start_column + 1,
            code_range.end_line,
            code_range.end_column + 1,
        )

    def location_in(self, node: cst.CSTNode, statement: cst.CSTNode) -> Location:
        """`location(node)` for a node the walk has not reached yet, given the statement that
        holds it: a simple statement line is the piece its range comes from, so the resolver
        need not search the enclosing def for it (see semantic/positions.py)."""
        if statement.__class__ is cst.SimpleStatementLine:
            self._owners.setdefault(id(node), statement)
        return self.location(node)

    def report(self, node: cst.CSTNode, code: str, message: str, *, context: str = "", fix: Fix | None = None) -> None:
        self.diagnostics.append(Diagnostic.at(self.location(node), code, message, context=context, fix=fix))

    def fix(
        self,
        description: str,
        replacements: Sequence[Replacement],
        *,
        safe: bool = True,
        statements: Sequence[cst.SimpleStatementLine] = (),
    ) -> Fix | None:
        """A fix that puts each replacement node in the place of its node (and adds top-level
        `statements`, such as an import), or None when an edit would touch code outside the
        replaced nodes. See `semantic/edits.py`."""
        maker = EditMaker(self.path, self.source, self.tree, self.positions)
        return maker.fix(description, replacements, safe=safe, statements=statements)

    # ---------------------------------------------------------------- name resolution
    def qualify(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of a Name/Attribute chain, through imports and aliases.

        `sdk.TriggerEvent` with `import inngest as sdk` -> `inngest.TriggerEvent`; a name bound
        in this module -> `<module>.<name>`; a local variable or parameter -> None.
        """
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        for frame in reversed(self.frames):
            if frame.kind == "class":
                continue
            if frame.kind != "module":
                if head in frame.params:
                    return None
                if head in frame.scan.imports:
                    target = frame.scan.imports[head]
                    return f"{target}.{rest}" if rest else target
                if head in frame.scan.bound and head not in frame.scan.globals:
                    return None
                continue
            scan = frame.scan
            if head in scan.imports:
                target = scan.imports[head]
                return f"{target}.{rest}" if rest else target
            if head in scan.bound:
                return f"{self.module}.{name}" if self.module else name
            if scan.star_imports and len(scan.star_imports) == 1:
                return f"{scan.star_imports[0]}.{name}"
            return None
        return None

    def is_sdk(self, node: cst.BaseExpression, qualified: str | frozenset[str]) -> bool:
        name = self.qualify(node)
        if name is None:
            return False
        if isinstance(qualified, str):
            return name == qualified
        return name in qualified

    def call_name(self, call: cst.Call) -> str | None:
        return self.qualify(call.func)

    # ---------------------------------------------------------------- frames
    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    def enclosing_function(self) -> InngestFunctionInfo | None:
        """The Inngest function whose handler (or a scope nested in it) is being walked."""
        return self.frames[-1].function

    def in_step_handler(self) -> bool:
        return any(frame.is_step_handler for frame in self.frames)

    def in_inngest_body(self) -> bool:
        """True directly in an Inngest function body: not in a step handler or nested def."""
        frame = self.frames[-1]
        return frame.inngest is not None

    def loop_frames(self) -> list[LoopFrame]:
        """Loops enclosing the current node within its function (lambdas are transparent)."""
        loops: list[LoopFrame] = []
        for frame in reversed(self.frames):
            loops[:0] = frame.loops
            if frame.kind != "lambda":
                break
        return loops

    def _names_visible(self, name: str, step: bool) -> bool:
        """Whether `name` is a step object (step) or an Inngest context here, nearest scope first.

        A scope that binds `name` to anything else (a parameter, an assignment) shadows the outer
        scopes' meaning. Asked for every call in the file, so it looks at `name` alone: building
        the sets of every visible name instead made a function of n locals and n calls cost n^2.
        """
        for frame in reversed(self.frames):
            if frame.kind == "class":
                continue
            if name in (frame.step_names if step else frame.ctx_names):
                return True
            if (
                frame.kind != "module"
                and (name in frame.params or name in frame.scan.bound)
                and name not in frame.ctx_names
                and name not in frame.step_names
            ):
                return False
        return False

    def is_context_name(self, name: str) -> bool:
        """Whether `name` here is an Inngest context (`ctx` in `ctx.step.run`)."""
        return self._names_visible(name, step=False)

    def is_step_name(self, name: str) -> bool:
        """Whether `name` here is a step object (`step` in `step.run`)."""
        return self._names_visible(name, step=True)

    def is_step_object(self, node: cst.BaseExpression) -> bool:
        """`ctx.step` for a context name, or a name bound to a step object."""
        if isinstance(node, cst.Name):
            return self.is_step_name(node.value)
        if (
            isinstance(node, cst.Attribute)
            and node.attr.value == sdk.CONTEXT_STEP_ATTRIBUTE
            and isinstance(node.value, cst.Name)
        ):
            return self.is_context_name(node.value.value)
        return False

    def step_method(self, call: cst.Call) -> str | None:
        """The step method name if `call` is a step call (`ctx.step.run(...)`), else None.

        A step tool's method is named "tool.method" (`step.ai.infer(...)` -> "ai.infer") and a
        group method that is a step "group.method" (`ctx.group.experiment(...)`): both take a
        step ID first, like every name in `sdk.STEP_ID_METHODS`.
        """
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        receiver = func.value
        if method in sdk.STEP_METHODS or method in sdk.REMOVED_STEP_METHODS:
            return method if self.is_step_object(receiver) else None
        if not isinstance(receiver, cst.Attribute):
            return None
        tool = receiver.attr.value
        if method in sdk.STEP_TOOL_METHODS.get(tool, ()) and self.is_step_object(receiver.value):
            return f"{tool}.{method}"
        if (
            tool == sdk.CONTEXT_GROUP_ATTRIBUTE
            and method in sdk.GROUP_STEP_METHODS
            and isinstance(receiver.value, cst.Name)
            and self.is_context_name(receiver.value.value)
        ):
            return f"{tool}.{method}"
        return None

    def is_group_parallel(self, call: cst.Call) -> bool:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != sdk.GROUP_PARALLEL_METHOD:
            return False
        group = func.value
        if (
            isinstance(group, cst.Attribute)
            and group.attr.value == sdk.CONTEXT_GROUP_ATTRIBUTE
            and isinstance(group.value, cst.Name)
        ):
            return self.is_context_name(group.value.value)
        return False

    def is_defer_call(self, call: cst.Call) -> bool:
        """`ctx.defer(...)` on an Inngest context (0.5.20): schedules a deferred function."""
        func = call.func
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value == sdk.CONTEXT_DEFER_METHOD
            and isinstance(func.value, cst.Name)
            and self.is_context_name(func.value.value)
        )

    # ---------------------------------------------------------------- walking
    def enter(self, node: cst.CSTNode) -> None:
        """Update the model before rules see `node` (dispatch on the exact type: this runs for
        every node, and isinstance against libcst's abstract classes is slow)."""
        kind = node.__class__
        # Where the node's range will come from, should anyone ask (see semantic/positions.py).
        self._owners[id(node)] = self._pieces[-1]
        if kind in PIECE_TYPES:
            self._pieces.append(node)
        handler = self._enter_handlers.get(kind)
        if handler is not None:
            handler(node)

    def leave(self, node: cst.CSTNode) -> None:
        kind = node.__class__
        if kind in PIECE_TYPES:
            self._pieces.pop()
        if kind in _SCOPE_TYPES:
            self.frames.pop()
        elif kind in _LOOP_TYPES:
            loops = self.frame.loops
            if loops and loops[-1].node is node:
                loops.pop()

    def _enter_lambda(self, node: cst.Lambda) -> None:
        parent = self.frames[-1]
        self.frames.append(
            Frame(
                node,
                "lambda",
                BindingScan(self.module, self.is_package),
                params=set(parameter_names(node.params)),
                is_async=False,
                function=parent.function,
                is_step_handler=id(node) in self._step_handler_lambdas,
            )
        )

    def _enter_class(self, node: cst.ClassDef) -> None:
        self.frames.append(
            Frame(node, "class", BindingScan(self.module, self.is_package), function=self.frame.function)
        )

    def _enter_for(self, node: cst.For) -> None:
        changed = frozenset(target_names(node.target))
        changed |= BindingScan(self.module, self.is_package).scan(_block_statements(node.body)).bound
        kind: Literal["for", "async for"] = "async for" if node.asynchronous is not None else "for"
        self.frame.loops.append(LoopFrame(node, kind, changed))

    def _enter_while(self, node: cst.While) -> None:
        changed = BindingScan(self.module, self.is_package).scan(_block_statements(node.body)).bound
        self.frame.loops.append(LoopFrame(node, "while", changed))

    def _enter_comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp) -> None:
        changed: set[str] = set()
        comp: cst.CompFor | None = node.for_in
        while comp is not None:
            changed |= set(target_names(comp.target))
            comp = comp.inner_for_in
        self.frame.loops.append(LoopFrame(node, "comprehension", frozenset(changed)))

    def _note_step_handlers(self, call: cst.Call) -> None:
        """Mark lambdas passed to `step.run` so their frames know they are step handlers."""
        if self.step_method(call) != sdk.STEP_RUN:
            return
        for arg in call.args[1:2]:
            if isinstance(arg.value, cst.Lambda):
                self._step_handler_lambdas.add(id(arg.value))

    def _enter_def(self, node: cst.FunctionDef) -> None:
        parent = self.frames[-1]
        scan = BindingScan(self.module, self.is_package).scan(_block_statements(node.body))
        params = set(parameter_names(node.params))
        is_async = node.asynchronous is not None
        frame = Frame(node, "def", scan, params=params, is_async=is_async, function=parent.function)
        info = self._inngest_info(node)
        if info is not None:
            frame.inngest = info
            frame.function = info
            positional = positional_parameters(node.params)
            if positional:
                frame.ctx_names.add(positional[0].name.value)
            if len(positional) >= 2:
                frame.step_names.add(positional[1].name.value)
            info.step_handler_names = _step_handler_names(node, frame.ctx_names, frame.step_names)
        elif parent.function is not None and node.name.value in parent.function.step_handler_names:
            frame.is_step_handler = True
        # Annotated parameters make any function a step-using helper.
        for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
            if param.annotation is None:
                continue
            qualified = self.qualify(param.annotation.annotation)
            if qualified in sdk.CONTEXT_CLASSES:
                frame.ctx_names.add(param.name.value)
            elif qualified in sdk.STEP_CLASSES:
                frame.step_names.add(param.name.value)
        self.frames.append(frame)
        # `step = ctx.step` aliases inside the body (judged before any is added, so one alias
        # cannot change what another refers to).
        aliases = [
            name
            for name, values in scan.assignments.items()
            if len(values) == 1
            and isinstance(values[0], cst.Attribute)
            and values[0].attr.value == sdk.CONTEXT_STEP_ATTRIBUTE
            and isinstance(values[0].value, cst.Name)
            and self.is_context_name(values[0].value.value)
        ]
        frame.step_names.update(aliases)

    def create_function_call(self, decorator: cst.BaseExpression) -> cst.Call | None:
        """`<client>.create_function(...)` as a decorator expression, else None."""
        if (
            isinstance(decorator, cst.Call)
            and isinstance(decorator.func, cst.Attribute)
            and decorator.func.attr.value == sdk.CREATE_FUNCTION_METHOD
        ):
            client = decorator.func.value
            # A plain local variable that is provably not a client would be a different API;
            # `create_function` is specific enough that any other receiver counts as a client.
            if isinstance(client, (cst.Name, cst.Attribute, cst.Call)):
                return decorator
        return self._create_defer_call(decorator)

    def _create_defer_call(self, decorator: cst.BaseExpression) -> cst.Call | None:
        """`inngest.experimental.create_defer(client, fn_id=...)` (0.5.20): a deferred function is a
        Function like any other (`DeferredFunction` subclasses `Function`), served the same way."""
        if (
            isinstance(decorator, cst.Call)
            and isinstance(decorator.func, (cst.Name, cst.Attribute))
            and self.qualify(decorator.func) == sdk.CREATE_DEFER_FUNCTION
        ):
            return decorator
        return None

    def function_client(self, create_call: cst.Call) -> cst.BaseExpression | None:
        """The client a function is created on: `client` in `client.create_function(...)`, the
        first argument of `create_defer(client, ...)`."""
        if isinstance(create_call.func, cst.Attribute) and create_call.func.attr.value == sdk.CREATE_FUNCTION_METHOD:
            return create_call.func.value
        for arg in create_call.args:
            if arg.keyword is not None and arg.keyword.value == sdk.CREATE_DEFER_CLIENT_KEYWORD:
                return arg.value
        first = create_call.args[0] if create_call.args else None
        if first is not None and first.keyword is None and not first.star:
            return first.value
        return None

    def _inngest_info(self, node: cst.FunctionDef) -> InngestFunctionInfo | None:
        create_call: cst.Call | None = None
        for decorator in node.decorators:
            create_call = self.create_function_call(decorator.decorator)
            if create_call is not None:
                break
        symbol = ""
        in_factory = any(frame.kind == "def" for frame in self.frames)
        if create_call is not None:
            if not in_factory and self.frames[-1].kind == "module":
                symbol = node.name.value
        else:
            if self.frames[-1].kind != "module" and not in_factory:
                return None
            handler_call = self._call_form_handlers.get(node.name.value)
            if handler_call is None or self.frames[-1].node is not self._call_form_scope.get(node.name.value):
                return None
            create_call, symbol = handler_call
        client_expr = self.function_client(create_call)
        if client_expr is None:
            return None
        positional = positional_parameters(node.params)
        shape = "ctx" if len(positional) == 1 else "ctx_step" if len(positional) == 2 else "unknown"
        return InngestFunctionInfo(
            create_call=create_call,
            client_expr=client_expr,
            handler=node,
            is_async=node.asynchronous is not None,
            shape=shape,
            in_factory=in_factory,
            symbol=symbol,
        )

    def _find_call_form_functions(self) -> dict[str, tuple[cst.Call, str]]:
        """`fn = client.create_function(...)(handler)`: map handler name -> (create call, fn name).

        Searched in the module body and in function bodies (factories), so the handler's frame
        knows it is an Inngest function when the walker reaches its `def`.
        """
        found: dict[str, tuple[cst.Call, str]] = {}
        self._call_form_scope: dict[str, cst.CSTNode] = {}

        def visit_block(owner: cst.CSTNode, statements: Sequence[cst.CSTNode]) -> None:
            for statement in statements:
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        value: cst.BaseExpression | None = None
                        symbol = ""
                        if isinstance(small, cst.Assign):
                            value = small.value
                            if len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                                symbol = small.targets[0].target.value
                        elif isinstance(small, (cst.Expr, cst.Return)) and small.value is not None:
                            value = small.value
                        if isinstance(value, cst.Call) and value.args and isinstance(value.args[0].value, cst.Name):
                            inner = self.create_function_call(value.func)
                            if inner is not None:
                                handler = value.args[0].value.value
                                found[handler] = (inner, symbol if owner is self.tree else "")
                                self._call_form_scope[handler] = owner
                elif isinstance(statement, cst.FunctionDef):
                    visit_block(statement, _block_statements(statement.body))

        visit_block(self.tree, list(self.tree.body))
        return found

    def module_value(self, name: str) -> cst.BaseExpression | None:
        """The single value a module-level name is assigned, or None when ambiguous."""
        values = self.module_scan.assignments.get(name)
        if values and len(values) == 1 and name not in self.module_scan.other:
            return values[0]
        return None

    def local_value(self, name: str) -> cst.BaseExpression | None:
        """The single value the nearest scope binding `name` assigns to it (None if ambiguous)."""
        for frame in reversed(self.frames):
            if frame.kind == "class":
                continue
            if name in frame.params:
                return None
            if name in frame.scan.bound:
                values = frame.scan.assignments.get(name)
                if values and len(values) == 1 and name not in frame.scan.other:
                    return values[0]
                return None
        return None


_SCOPE_TYPES = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})
_LOOP_TYPES = frozenset({cst.For, cst.While, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp})


def _block_statements(block: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    if isinstance(block, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=block.body)]
    return []


def block_statements(block: cst.BaseSuite) -> list[cst.BaseStatement]:
    return _block_statements(block)


def _step_handler_names(node: cst.FunctionDef, ctx_names: set[str], step_names: set[str]) -> set[str]:
    """Names passed as the handler of `step.run` anywhere in an Inngest function's body."""
    aliases = set(step_names)
    names: set[str] = set()
    stack: list[cst.CSTNode] = [node.body]
    calls: list[cst.Call] = []
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Assign) and isinstance(current.value, cst.Attribute):
            value = current.value
            if (
                value.attr.value == sdk.CONTEXT_STEP_ATTRIBUTE
                and isinstance(value.value, cst.Name)
                and value.value.value in ctx_names
            ):
                for target in current.targets:
                    aliases.update(target_names(target.target))
        if isinstance(current, cst.Call):
            calls.append(current)
        stack.extend(children(current))
    for call in calls:
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == sdk.STEP_RUN):
            continue
        receiver = func.value
        is_step = (isinstance(receiver, cst.Name) and receiver.value in aliases) or (
            isinstance(receiver, cst.Attribute)
            and receiver.attr.value == sdk.CONTEXT_STEP_ATTRIBUTE
            and isinstance(receiver.value, cst.Name)
            and receiver.value.value in ctx_names
        )
        if not is_step or len(call.args) < 2:
            continue
        handler = call.args[1].value
        if isinstance(handler, cst.Name):
            names.add(handler.value)
        elif isinstance(handler, cst.Call) and handler.args and isinstance(handler.args[0].value, cst.Name):
            # functools.partial(helper, ...)
            names.add(handler.args[0].value.value)
    return names


def snippet(context: FileContext, node: cst.CSTNode, limit: int | None = 50) -> str:
    """The source of `node` on one line (every run of whitespace one space), shortened to
    `limit` characters for a message (`None`: whole). The one rendering of code in messages."""
    return shortened(" ".join(context.tree.code_for_node(node).split()), limit)
