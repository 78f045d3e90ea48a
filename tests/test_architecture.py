"""Layering rules from ARCHITECTURE.md, checked on the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "manyi"
INTERFACES = ("manyi.cli", "manyi.web", "manyi.__main__")
WEB_FRAMEWORKS = ("fastapi", "starlette", "typer", "uvicorn", "jinja2")


def _module_name(path: Path) -> str:
    """Dotted module name of a file under src/manyi."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names a module imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    )
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                names.add(node.module)
    return names


def _starts(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a dotted name is one of, or inside one of, the prefixes."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


MODULES = sorted(SRC.rglob("*.py"))


def _violations(rule: str) -> list[str]:
    """Imports breaking one rule, as 'module -> import' strings."""
    found = []
    for path in MODULES:
        module = _module_name(path)
        for name in _imports(path):
            if rule == "analytics" and _starts(module, ("manyi.analytics",)):
                bad = (
                    name.startswith("manyi.")
                    and not _starts(name, ("manyi.analytics", "manyi.errors"))
                ) or _starts(name, ("sqlalchemy", "alembic", *WEB_FRAMEWORKS))
            elif rule == "services" and not _starts(module, (*INTERFACES, "manyi.analytics")):
                bad = _starts(name, INTERFACES + WEB_FRAMEWORKS)
            elif rule == "web" and _starts(module, ("manyi.web",)):
                bad = _starts(name, ("manyi.cli",))
            elif rule == "models" and (
                module.endswith(".models") or _starts(module, ("manyi.store",))
            ):
                bad = _starts(name, ("manyi.analytics", *INTERFACES)) or (
                    name.startswith("manyi.") and name.endswith(".service")
                )
            else:
                bad = False
            if bad:
                found.append(f"{module} -> {name}")
    return found


def test_there_are_modules_to_check() -> None:
    """The scan sees the package (a wrong path would make every rule pass vacuously)."""
    assert len(MODULES) > 20
    assert "manyi.store.engine" in {_module_name(p) for p in MODULES}


@pytest.mark.parametrize("rule", ["analytics", "services", "web", "models"])
def test_layering(rule: str) -> None:
    """Analytics stay pure, services never import interfaces, the web never imports the CLI."""
    assert _violations(rule) == []


def test_relative_import_resolution() -> None:
    """The import scanner resolves `from . import x` inside a package."""
    assert _starts("manyi.analytics.text.sentiment", ("manyi.analytics",))
    assert not _starts("manyi.analyticsx", ("manyi.analytics",))
