"""The package layout: six parts (and the command-line tools' helper, cli), the directions in which they
may import each other, a reading pipeline that flows one way, what the product really loads (never
TensorFlow or Keras), and one photo loader.

Imports are read with ``ast`` (every ``import`` anywhere in a file, relative ones resolved); what the product
loads is read from ``sys.modules`` of a fresh interpreter that runs it.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "digits"

#: Part -> the parts it may import. ui may also import the one datasets module in PRODUCT_DATASETS.
ALLOWED = {
    "reading": {"reading"},
    "network": {"reading", "network"},
    "datasets": {"reading", "datasets"},
    "ui": {"reading", "network", "ui"},
    "evaluation": {"reading", "network", "datasets", "evaluation", "cli"},
    "training": {"reading", "network", "datasets", "evaluation", "training", "cli"},
    "cli": set(),  # what the command-line tools share; it imports nothing from digits
}
PARTS = frozenset(ALLOWED)
#: The only datasets module the product (ui, app, pages, predict) may import.
PRODUCT_DATASETS = "digits.datasets.photos"
#: What the product entry points may import (plus PRODUCT_DATASETS).
PRODUCT_PARTS = {"reading", "network", "ui", "cli"}
#: The reading pipeline's stages, in order; ``boxes`` is a helper, not a stage.
STAGES = ["decode", "ink", "segment", "normalize", "prepare"]
HELPER = "boxes"
#: The two modules that show or score photos, and the one module that loads them.
PHOTO_USERS = ["digits.ui.gallery", "digits.evaluation.ood_sets"]
PHOTO_LOADER = "digits.datasets.photos"
SUBPROCESS_TIMEOUT = 300


# --------------------------------------------------------------------------------------------
# Reading the source


def package_files() -> list[Path]:
    """Every .py file under digits/, sorted."""
    return sorted(PACKAGE.rglob("*.py"))


def product_entry_points() -> list[Path]:
    """app.py, every pages/*.py and predict.py: what a user runs."""
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), ROOT / "predict.py"]


def module_name(path: Path) -> str:
    """Dotted name of a file relative to ROOT: digits/network/card.py -> digits.network.card,
    digits/network/__init__.py -> digits.network, pages/1_Not_a_digit.py -> pages.1_Not_a_digit."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def label(path: Path) -> str:
    """How a file is named in messages: its module name under digits/, else its path relative to ROOT."""
    return module_name(path) if path.is_relative_to(PACKAGE) else path.relative_to(ROOT).as_posix()


def part_of(module: str) -> str | None:
    """The part of ``digits.X...`` is X; ``digits`` itself and modules outside it have none."""
    names = module.split(".")
    return names[1] if names[0] == "digits" and len(names) > 1 else None


def is_digits(module: str) -> bool:
    return module == "digits" or module.startswith("digits.")


def module_path(module: str) -> Path | None:
    """The file of a module under ROOT (``x/y.py`` or the package's ``x/y/__init__.py``), or None."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def binds(init: Path, name: str) -> bool:
    """Whether a package's __init__.py binds ``name`` at module level (def, class, assignment, import), so
    that ``from package import name`` is an attribute of the package rather than a submodule. A star import
    or a module ``__getattr__`` could bind anything: then True."""
    names: set[str] = set()

    def collect(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(stmt.name)
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            elif isinstance(stmt, ast.If | ast.Try | ast.With):  # blocks at module level
                for block in ("body", "orelse", "finalbody"):
                    collect(getattr(stmt, block, []))
                for handler in getattr(stmt, "handlers", []):
                    collect(handler.body)

    collect(ast.parse(init.read_text(encoding="utf-8")).body)
    return bool(names & {name, "*", "__getattr__"})


def resolve_from(base: str, name: str) -> str:
    """The module that ``from base import name`` imports: ``base.name`` when that is a module, or when base
    is a package that does not define ``name`` (an old or missing module, e.g. ``from digits import ood``);
    otherwise ``base`` itself."""
    init = ROOT.joinpath(*base.split("."), "__init__.py")
    if not init.is_file() or name == "*":
        return base
    submodule = f"{base}.{name}"
    return submodule if module_path(submodule) or not binds(init, name) else base


def absolute_base(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module of an ImportFrom, resolving ``from . import x`` / ``from ..reading import y``."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    package = package[: max(0, len(package) - (node.level - 1))]
    return ".".join([*package, node.module] if node.module else package)


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """(module, line) for every import of a ``digits`` module anywhere in the file (top level, functions,
    methods, if blocks...), relative imports resolved."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = absolute_base(path, node)
            found = [resolve_from(base, a.name) for a in node.names] if is_digits(base) else []
        else:
            continue
        yield from ((module, node.lineno) for module in found if is_digits(module))


def offences(paths: Iterable[Path], forbidden: Callable[[Path, str], bool]) -> list[str]:
    """'importer -> imported (line n)' for each import for which ``forbidden(path, module)`` is true."""
    return [
        f"{label(path)} -> {module} (line {line})"
        for path in paths
        for module, line in sorted(set(imports(path)), key=lambda m: m[1])
        if forbidden(path, module)
    ]


def report(title: str, items: list[str]) -> str:
    return f"{title}:\n  " + "\n  ".join(items)


# --------------------------------------------------------------------------------------------
# 1. Parts and the directions between them


def test_every_module_under_digits_belongs_to_a_part():
    strays = [
        label(p) for p in package_files() if p != PACKAGE / "__init__.py" and part_of(module_name(p)) not in PARTS
    ]
    assert not strays, report(f"modules outside the parts {sorted(PARTS)}", strays)


def test_every_imported_digits_module_exists():
    files = [*package_files(), *product_entry_points(), ROOT / "train.py", *sorted((ROOT / "tests").rglob("*.py"))]
    missing = offences(files, lambda _path, module: module_path(module) is None)
    assert not missing, report("imports of digits modules that do not exist (old flat names?)", missing)


def test_package_root_imports_nothing_from_digits():
    found = offences([PACKAGE / "__init__.py"], lambda _path, _module: True)
    assert not found, report("digits/__init__.py must import nothing from digits", found)


def test_parts_import_only_in_the_allowed_directions():
    def forbidden(path: Path, module: str) -> bool:
        importer, target = part_of(module_name(path)), part_of(module)
        if importer not in ALLOWED or target is None:  # strays: their own test; ``digits`` itself: harmless
            return False
        return target not in ALLOWED[importer] and not (importer == "ui" and module == PRODUCT_DATASETS)

    found = offences(package_files(), forbidden)
    assert not found, report("imports against the allowed directions between parts", found)


def test_product_entry_points_import_only_product_code():
    def forbidden(_path: Path, module: str) -> bool:
        return part_of(module) is not None and part_of(module) not in PRODUCT_PARTS and module != PRODUCT_DATASETS

    found = offences(product_entry_points(), forbidden)
    assert not found, report(f"app/pages/predict may import only {sorted(PRODUCT_PARTS)} and {PRODUCT_DATASETS}", found)


# --------------------------------------------------------------------------------------------
# 2. The reading pipeline flows one way


def reading_module(name: str) -> Path:
    return PACKAGE / "reading" / f"{name}.py"


def test_reading_has_its_stages_and_helper():
    missing = [f"digits/reading/{n}.py" for n in [*STAGES, HELPER] if not reading_module(n).is_file()]
    assert not missing, report("missing reading modules", missing)


def stages_reached(module: str) -> set[str]:
    """The stages an import reaches: ``digits.reading.segment`` -> {segment}; the package ``digits.reading``
    itself (a re-exported name) -> every stage its __init__ imports; anything else -> none."""
    if module == "digits.reading":
        init = PACKAGE / "reading" / "__init__.py"
        return {s for m, _ in imports(init) if m != module for s in stages_reached(m)} if init.is_file() else set()
    name = module.removeprefix("digits.reading.")
    return {name} if name in STAGES else set()


def test_no_reading_stage_imports_a_later_stage():
    def forbidden(path: Path, module: str) -> bool:
        return any(STAGES.index(s) > STAGES.index(path.stem) for s in stages_reached(module))

    found = offences([reading_module(n) for n in STAGES if reading_module(n).is_file()], forbidden)
    assert not found, report(
        f"reading stages import later stages (order: {' -> '.join(STAGES)}; the package digits.reading "
        "counts as the stages its __init__ imports)",
        found,
    )


def test_boxes_imports_no_stage():
    path = reading_module(HELPER)
    found = offences([path] if path.is_file() else [], lambda _path, module: bool(stages_reached(module)))
    assert not found, report("digits.reading.boxes is a helper and must import no stage", found)


# --------------------------------------------------------------------------------------------
# 3. What the product really loads, in a fresh interpreter

#: Frameworks the product must not load: the network is served by ONNX Runtime, and Streamlit calls
#: ``keras.backend.clear_session()`` after every script run whenever ``keras`` is imported.
FRAMEWORKS = ("keras", "tensorflow")
PRINT_LOADED = (
    'print(json.dumps(sorted(m for m in sys.modules if m == "digits" or m.startswith("digits.") or m in '
    f"{FRAMEWORKS!r})))"
)


def loaded_modules(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter at ROOT; it ends by printing the loaded digits modules as JSON."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, f"exit status {proc.returncode}; stderr ends with:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assert_product_only(what: str, loaded: list[str]) -> None:
    """Nothing from training or evaluation, no dataset but the photos, no TensorFlow or Keras, and
    the classifier really loaded."""
    wrong = [
        m
        for m in loaded
        if m in FRAMEWORKS
        or part_of(m) in {"training", "evaluation"}
        or (part_of(m) == "datasets" and m not in {"digits.datasets", PRODUCT_DATASETS})
    ]
    assert not wrong, report(f"{what} loads modules the product must not", [f"{what} -> {m}" for m in wrong])
    assert "digits.network.classifier" in loaded, f"{what} never loaded digits.network.classifier: {loaded}"


@pytest.mark.parametrize("page", [p.relative_to(ROOT).as_posix() for p in product_entry_points()[:-1]])
def test_pages_load_no_training_evaluation_or_dataset_code(page):
    code = f"""
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / page)!r}, default_timeout=120).run()
if at.exception:
    sys.exit("the page raised: " + " | ".join(str(e.value) for e in at.exception))
{PRINT_LOADED}
"""
    assert_product_only(page, loaded_modules(code))


def test_predict_loads_no_training_evaluation_or_dataset_code(tmp_path):
    png = tmp_path / "seven.png"
    image = Image.new("L", (100, 100), 255)
    ImageDraw.Draw(image).line([(25, 20), (75, 20), (45, 85)], fill=0, width=9)
    image.save(png)
    code = f"""
import json, runpy, sys
sys.argv = ["predict.py", "--json", {str(png)!r}]
try:
    runpy.run_path("predict.py", run_name="__main__")
except SystemExit as exc:
    if exc.code not in (0, None):
        sys.exit(f"predict.py exited with {{exc.code!r}}")
{PRINT_LOADED}
"""
    assert_product_only("predict.py", loaded_modules(code))


# --------------------------------------------------------------------------------------------
# 4. One photo loader


def skimage_data_uses(path: Path) -> Iterator[int]:
    """Lines that reach ``skimage.data``: ``import skimage.data``, ``from skimage import data``,
    ``from skimage.data import x`` or an attribute ``skimage.data``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            hit = any(a.name == "skimage.data" or a.name.startswith("skimage.data.") for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            hit = module == "skimage.data" or module.startswith("skimage.data.")
            hit = hit or (module == "skimage" and any(a.name == "data" for a in node.names))
        else:
            hit = (
                isinstance(node, ast.Attribute)
                and node.attr == "data"
                and isinstance(node.value, ast.Name)
                and node.value.id == "skimage"
            )
        if hit:
            yield node.lineno


def test_gallery_and_ood_sets_get_their_photos_from_datasets_photos():
    problems = []
    for module in PHOTO_USERS:
        path = module_path(module)
        if path is None:
            problems.append(f"{module}: missing")
        elif PHOTO_LOADER not in {m for m, _ in imports(path)}:
            problems.append(f"{module} does not import {PHOTO_LOADER}")
    assert not problems, report(f"the photos must come through {PHOTO_LOADER}", problems)


def test_only_datasets_photos_reaches_skimage_data():
    loader = module_path(PHOTO_LOADER)
    files = [p for p in [*package_files(), *product_entry_points()] if p != loader]
    found = [f"{label(p)} -> skimage.data (line {line})" for p in files for line in skimage_data_uses(p)]
    assert not found, report(f"only {PHOTO_LOADER} may load skimage.data", found)
