"""Every audit action the code of humas/ records, found by reading the source (no import, no run).

An action reaches ``audit_record(action=...)`` in one of three ways, all followed here:

- a literal (``action="post.create"``, or both branches of ``"a" if x else "b"``);
- a parameter of the function that calls audit_record (``_transition(..., action="post.submit")``,
  a signal receiver fed by ``two_factor_changed.send(action=...)``): the literals its callers
  pass, followed through any number of such functions;
- an f-string over a parameter (``f"api.{operation}"``): the literals its callers pass for it.

Anything else fails with its file and line, so a new way of naming an action cannot go unseen.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

HUMAS = Path(__file__).resolve().parents[2] / "humas"


@dataclass
class _Source:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            current = self.parents.get(current)
        return current


def _sources() -> list[_Source]:
    sources = []
    for path in sorted(HUMAS.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        source = _Source(path=path, tree=tree)
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                source.parents[child] = parent
        sources.append(source)
    return sources


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _where(source: _Source, node: ast.AST) -> str:
    return f"{source.path.relative_to(HUMAS.parent)}:{getattr(node, 'lineno', '?')}"


def recorded_actions() -> set[str]:
    """The action names recorded anywhere in humas/. Raises AssertionError naming the line of an
    action it cannot follow."""
    sources = _sources()
    calls = [
        (source, node) for source in sources for node in ast.walk(source.tree) if isinstance(node, ast.Call)
    ]
    actions: set[str] = set()
    # (function name, parameter name, prefix, suffix): callers' literals for it are actions.
    pending: list[tuple[str, str, str, str]] = []
    problems: list[str] = []

    def take(source: _Source, call: ast.Call, value: ast.expr, prefix: str = "", suffix: str = "") -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            actions.add(f"{prefix}{value.value}{suffix}")
        elif isinstance(value, ast.IfExp):
            take(source, call, value.body, prefix, suffix)
            take(source, call, value.orelse, prefix, suffix)
        elif isinstance(value, ast.Name):
            function = source.enclosing_function(call)
            if function is None or value.id not in _parameters(function):
                problems.append(f"{_where(source, call)}: action from {value.id!r}, not a parameter")
            else:
                pending.append((function.name, value.id, prefix, suffix))
        elif isinstance(value, ast.JoinedStr) and not prefix and not suffix:
            parts = value.values
            names = [p for p in parts if isinstance(p, ast.FormattedValue)]
            if len(names) != 1 or not isinstance(names[0].value, ast.Name):
                problems.append(f"{_where(source, call)}: an f-string action needs one parameter")
                return
            index = parts.index(names[0])
            head = "".join(str(p.value) for p in parts[:index] if isinstance(p, ast.Constant))
            tail = "".join(str(p.value) for p in parts[index + 1 :] if isinstance(p, ast.Constant))
            take(source, call, names[0].value, head, tail)
        else:
            problems.append(f"{_where(source, call)}: cannot tell which action {ast.unparse(value)!r} is")

    for source, call in calls:
        if _called_name(call) in ("audit_record", "AuditEntry"):  # one of audit_record_many's events
            value = _keyword(call, "action")
            if value is None:
                problems.append(f"{_where(source, call)}: {_called_name(call)} without action=")
            else:
                take(source, call, value)
    seen: set[tuple[str, str, str, str]] = set()
    while pending:
        forwarder = pending.pop()
        if forwarder in seen:
            continue
        seen.add(forwarder)
        function, parameter, prefix, suffix = forwarder
        callers = [(s, c) for s, c in calls if _called_name(c) == function]
        if not callers:
            # A signal receiver: fed by the signals' send(...) calls that pass this parameter.
            callers = [(s, c) for s, c in calls if _called_name(c) == "send"]
        for source, call in callers:
            value = _keyword(call, parameter)
            if value is not None:
                take(source, call, value, prefix, suffix)
    assert problems == [], "\n".join(problems)
    return actions
