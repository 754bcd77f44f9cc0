"""Name binding and qualified-name resolution for one module, without libcst's ScopeProvider.

ScopeProvider costs about 5.5 parses per file (see the performance baseline); what the rules need
is narrower: which names a module or function binds, what each import binds a name to, and the
dotted qualified name of an expression such as `sdk.TriggerEvent` or `client.create_function`.
This module computes exactly that with cheap scans over statement lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from inngest_lint.semantic.traverse import children


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of Name/Attribute nodes, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def module_name_of(node: cst.Attribute | cst.Name) -> str:
    """The dotted text of an import's module (`a.b.c`)."""
    name = dotted_name(node)
    return name or ""


def resolve_relative(module: str, is_package: bool, dots: int, target: str) -> str:
    """Resolve `from ..x import y` inside `module` to an absolute dotted name."""
    if dots == 0:
        return target
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if dots > 1:
        parts = parts[: len(parts) - (dots - 1)] if dots - 1 <= len(parts) else []
    base = ".".join(parts)
    if target:
        return f"{base}.{target}" if base else target
    return base


def import_bindings(node: cst.Import | cst.ImportFrom, module: str, is_package: bool) -> Iterator[tuple[str, str]]:
    """(local name, qualified name) pairs that an import statement binds.

    `import a.b.c` binds `a` to `a`; `import a.b as x` binds `x` to `a.b`;
    `from a import b as c` binds `c` to `a.b`; relative imports are made absolute.
    A star import yields ("*", module).
    """
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = module_name_of(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, full
            else:
                head = full.split(".", 1)[0]
                yield head, head
        return
    dots = len(node.relative)
    base = module_name_of(node.module) if node.module is not None else ""
    source = resolve_relative(module, is_package, dots, base)
    if isinstance(node.names, cst.ImportStar):
        yield "*", source
        return
    for alias in node.names:
        name = module_name_of(alias.name)
        local = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        yield local, f"{source}.{name}" if source else name


def target_names(target: cst.BaseExpression) -> Iterator[str]:
    """Names bound by an assignment target (tuples, lists and starred unpacked)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def value_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of `node` that can read a variable: an attribute's receiver but not its
    name (`item.id` reads item), an argument's value but not its keyword."""
    if isinstance(node, (cst.Attribute, cst.Arg)):
        return [node.value]
    return children(node)


def names_in(node: cst.CSTNode) -> set[str]:
    """Every Name anywhere inside `node` but an attribute's name (`item.id` names `item`):
    the variables it reads or binds, and argument keywords. 'Does this step ID use the loop
    variable' (INN101) and 'does this statement mention the name' (INN106) ask it."""
    found: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        elif isinstance(current, cst.Attribute):
            # `item.id` reads item; the attribute name is not a variable.
            stack.append(current.value)
            continue
        stack.extend(children(current))
    return found


class BindingScan:
    """Names a block binds, with the expressions assigned to each, not entering nested scopes.

    `assignments[name]` lists every value assigned to a plain name (`x = value`), in source
    order; `other` holds names bound in ways that carry no simple value (loops, `with ... as`,
    augmented assignment, imports, defs, classes). `imports` maps import-bound names.
    """

    def __init__(self, module: str = "", is_package: bool = False) -> None:
        self.module = module
        self.is_package = is_package
        self.assignments: dict[str, list[cst.BaseExpression]] = {}
        self.other: set[str] = set()
        self.imports: dict[str, str] = {}
        self.star_imports: list[str] = []
        self.globals: set[str] = set()
        self.defs: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, cst.ClassDef] = {}
        self.mutations: dict[str, list[cst.Call]] = {}  # name -> [name.append(...), ...]
        self.aug_assignments: dict[str, list[cst.AugAssign]] = {}
        self._bound: frozenset[str] | None = None

    @property
    def bound(self) -> frozenset[str]:
        """Every name the block binds.

        Built once per scan and kept: rules ask "does this scope bind `x`?" for every name they
        resolve, and rebuilding the union each time made a module of n assignments cost n^2
        (a 480 KB module took 15 s). The scan's tables only change inside `scan()`, which drops it.
        """
        bound = self._bound
        if bound is None:
            bound = self._bound = frozenset(
                set(self.assignments) | self.other | set(self.imports) | set(self.defs) | set(self.classes)
            )
        return bound

    def scan(self, statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> BindingScan:
        self._bound = None
        for statement in statements:
            self._statement(statement)
        return self

    def _statement(self, statement: cst.CSTNode) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self._small(small)
        elif isinstance(statement, cst.FunctionDef):
            self.defs[statement.name.value] = statement
            self.imports.pop(statement.name.value, None)
        elif isinstance(statement, cst.ClassDef):
            self.classes[statement.name.value] = statement
            self.imports.pop(statement.name.value, None)
        elif isinstance(statement, (cst.For,)):
            self.other.update(target_names(statement.target))
            self._block(statement.body)
            if statement.orelse is not None:
                self._block(statement.orelse.body)
        elif isinstance(statement, cst.While):
            self._block(statement.body)
            if statement.orelse is not None:
                self._block(statement.orelse.body)
        elif isinstance(statement, cst.If):
            self._block(statement.body)
            orelse = statement.orelse
            if isinstance(orelse, cst.If):
                self._statement(orelse)
            elif orelse is not None:
                self._block(orelse.body)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    self.other.update(target_names(item.asname.name))
            self._block(statement.body)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            self._block(statement.body)
            for handler in statement.handlers:
                if handler.name is not None and isinstance(handler.name.name, cst.Name):
                    self.other.add(handler.name.name.value)
                self._block(handler.body)
            if statement.orelse is not None:
                self._block(statement.orelse.body)
            if statement.finalbody is not None:
                self._block(statement.finalbody.body)
        elif isinstance(statement, cst.Match):
            for case in statement.cases:
                self._block(case.body)

    def _block(self, block: cst.BaseSuite) -> None:
        if isinstance(block, cst.IndentedBlock):
            for statement in block.body:
                self._statement(statement)
        elif isinstance(block, cst.SimpleStatementSuite):
            for small in block.body:
                self._small(small)

    def _small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    name = target.target.value
                    self.assignments.setdefault(name, []).append(small.value)
                    self.imports.pop(name, None)
                else:
                    for name in target_names(target.target):
                        self.other.add(name)
                        self.imports.pop(name, None)
        elif isinstance(small, cst.AnnAssign):
            if isinstance(small.target, cst.Name):
                name = small.target.value
                if small.value is not None:
                    self.assignments.setdefault(name, []).append(small.value)
                else:
                    self.other.add(name)
                self.imports.pop(name, None)
        elif isinstance(small, cst.AugAssign):
            if isinstance(small.target, cst.Name):
                self.aug_assignments.setdefault(small.target.value, []).append(small)
                self.other.add(small.target.value)
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            for local, qualified in import_bindings(small, self.module, self.is_package):
                if local == "*":
                    self.star_imports.append(qualified)
                else:
                    self.imports[local] = qualified
                    self.assignments.pop(local, None)
        elif isinstance(small, (cst.Global, cst.Nonlocal)):
            self.globals.update(name.name.value for name in small.names)
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name):
                self.mutations.setdefault(call.func.value.value, []).append(call)


def parameter_names(params: cst.Parameters) -> list[str]:
    names: list[str] = []
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        names.append(param.name.value)
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names


def positional_parameters(params: cst.Parameters) -> list[cst.Param]:
    return [*params.posonly_params, *params.params]


def iter_string_parts(node: cst.BaseExpression) -> list[cst.SimpleString] | None:
    """The SimpleString pieces of a plain or implicitly concatenated string, None for f-strings."""
    if isinstance(node, cst.SimpleString):
        return [node]
    if isinstance(node, cst.ConcatenatedString):
        left = iter_string_parts(node.left)
        right = iter_string_parts(node.right)
        if left is None or right is None:
            return None
        return [*left, *right]
    return None


def literal_string(node: cst.BaseExpression) -> str | None:
    """The value of a string literal (bytes excluded), None for anything else."""
    parts = iter_string_parts(node)
    if parts is None:
        return None
    values: list[str] = []
    for part in parts:
        if "b" in part.prefix.lower():
            return None
        try:
            value = part.evaluated_value
        except Exception:  # noqa: BLE001 - a malformed escape is simply "not a literal"
            return None
        if not isinstance(value, str):
            return None
        values.append(value)
    return "".join(values)
