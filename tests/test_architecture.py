"""The layout rules of the README, checked on the source: dependencies flow one way
(programme ← calls ← projects ← governance, and inside governance bodies ← review ←
decisions ← funding ← reports), not even through an import inside a function."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["programme", "calls", "projects", "governance"]
GOVERNANCE_PACKAGES = ["bodies", "review", "decisions", "funding", "reports"]


def _layer(module: str) -> tuple[int, int] | None:
    """(app layer, package layer inside governance); None for modules outside the apps.
    The governance app's own top modules (models, urls, rules, demo, admin, templatetags,
    management) sit above its packages: they put them together."""
    parts = module.split(".")
    if parts[0] not in APPS:
        return None
    app = APPS.index(parts[0])
    if parts[0] != "governance":
        return app, 0
    if len(parts) > 1 and parts[1] in GOVERNANCE_PACKAGES:
        return app, GOVERNANCE_PACKAGES.index(parts[1])
    return app, len(GOVERNANCE_PACKAGES)


def _imports(path: Path):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from governance import decisions` names a package
                yield node.lineno, f"{target}.{alias.name}"


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_import_from_a_lower_layer_into_a_higher_one():
    upward = []
    for path in _sources():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        own = _layer(module)
        for lineno, target in _imports(path):
            other = _layer(target)
            if other is not None and other > own:
                upward.append(f"{path.relative_to(ROOT)}:{lineno} imports {target}")
    assert upward == []


def test_governance_packages_use_the_standard_module_names():
    odd = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "governance").rglob("*.py")
        if "migrations" not in path.parts
        and ("_decisions" in path.stem or path.stem.startswith("review_"))
    ]
    assert odd == []
