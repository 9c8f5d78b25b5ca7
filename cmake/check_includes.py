#!/usr/bin/env python3
"""Checks every #include in src/, include/ and python/src against the module graph.

The graph is what the modules declare with reel_module(NAME DEPENDS ...) (CMake writes it
to build/module_graph.txt, one "name: dep dep" line per module). A module may include:
- public headers (include/reel/<m>/...) and module headers (src/<m>/...) of itself and of
  every module it depends on, directly or through others;
- private headers (*_internal.hpp) of itself only.
Public headers (include/reel/...) may not include src/ headers at all. python/src uses the
public API only. The umbrella header reel/reel.hpp counts as part of `sdk` and `query`
(what a logging program needs).

Usage: check_includes.py --graph build/module_graph.txt --root SOURCE_DIR
Exit status 1 and one line per violation (file:line: what and why) when the graph is broken.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')

# Headers under include/reel/ that are not in a module folder.
TOP_LEVEL_HEADERS = {"reel/status.hpp": "common", "reel/version.hpp": "common"}
UMBRELLA = "reel/reel.hpp"
# Generated headers and the module allowed to include them.
GENERATED = {
    "arrow_ipc_generated.h": "arrow",
    # protoc's C++ of src/format/proto (Rerun's messages): private to the format module.
    "rerun/v1alpha1/common.pb.h": "format",
    "rerun/v1alpha1/log_msg.pb.h": "format",
    "rerun/v1alpha1/sdk_comms.pb.h": "format",
}


def read_graph(path: Path) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        name, _, deps = line.partition(":")
        graph[name.strip()] = set(deps.split())
    return graph


def closure(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    allowed: dict[str, set[str]] = {}

    def visit(m: str, stack: tuple[str, ...]) -> set[str]:
        if m in allowed:
            return allowed[m]
        if m in stack:
            raise SystemExit(f"module graph has a cycle: {' -> '.join(stack + (m,))}")
        out = {m}
        for d in graph.get(m, ()):
            if d not in graph:
                raise SystemExit(f"module {m} depends on undeclared module {d}")
            out |= visit(d, stack + (m,))
        allowed[m] = out
        return out

    for m in graph:
        visit(m, ())
    return allowed


def module_of_include(inc: str, modules: set[str]) -> tuple[str | None, bool, bool]:
    """(module, is_public, is_internal) of an include string, module None if unknown."""
    if inc in TOP_LEVEL_HEADERS:
        return TOP_LEVEL_HEADERS[inc], True, False
    if inc == UMBRELLA:
        return "umbrella", True, False
    parts = inc.split("/")
    internal = parts[-1].endswith("_internal.hpp")
    if parts[0] == "reel" and len(parts) >= 3 and parts[1] in modules:
        return parts[1], True, internal
    if len(parts) >= 2 and parts[0] in modules:
        return parts[0], False, internal
    return None, False, internal


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--graph", required=True, type=Path)
    ap.add_argument("--root", required=True, type=Path)
    args = ap.parse_args()
    root: Path = args.root
    graph = read_graph(args.graph)
    allowed = closure(graph)
    modules = set(graph)
    umbrella_users = {m for m in modules if {"sdk", "query"} <= allowed[m]}

    errors: list[str] = []
    checked = 0
    files: list[tuple[Path, str, bool]] = []  # (path, owning module, is_public_header)
    for path in sorted((root / "include" / "reel").rglob("*.hpp")):
        rel = path.relative_to(root / "include").as_posix()
        owner, _, _ = module_of_include(rel, modules)
        if owner is None:
            errors.append(f"{path.relative_to(root)}: a public header outside any module folder")
            continue
        files.append((path, owner, True))
    for path in sorted((root / "src").rglob("*")):
        if path.suffix not in (".cpp", ".hpp", ".h") or not path.is_file():
            continue
        owner = path.relative_to(root / "src").parts[0]
        if owner not in modules:
            errors.append(f"{path.relative_to(root)}: folder src/{owner} is not a declared module")
            continue
        files.append((path, owner, False))
    for path in sorted((root / "python" / "src").glob("*")):
        if path.suffix in (".cpp", ".hpp"):
            files.append((path, "python", False))

    for path, owner, public in files:
        rel = path.relative_to(root)
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            checked += 1
            where = f"{rel}:{lineno}: #include \"{inc}\""
            if inc in GENERATED:
                if GENERATED[inc] != owner:
                    errors.append(f"{where}: generated header of module {GENERATED[inc]}")
                continue
            target, target_public, internal = module_of_include(inc, modules)
            if owner == "python":
                # The extension's own headers sit beside it; reel's only through include/.
                if "/" not in inc and (path.parent / inc).exists():
                    continue
                if not target_public:
                    errors.append(f"{where}: python/src uses reel's public API only")
                continue
            if target is None:
                if "/" not in inc and (path.parent / inc).exists():
                    errors.append(f"{where}: include module headers by their path ({owner}/{inc})")
                else:
                    errors.append(f"{where}: not a header of any module")
                continue
            if target == "umbrella":
                if owner not in umbrella_users and owner != "umbrella":
                    errors.append(f"{where}: the umbrella header is for programs, not module {owner}")
                continue
            if public and not target_public:
                errors.append(f"{where}: a public header may not include src/ headers")
                continue
            if internal and target != owner:
                errors.append(f"{where}: private header of module {target}, included from {owner}")
                continue
            if owner == "umbrella":
                continue
            if target not in allowed[owner]:
                deps = " ".join(sorted(graph[owner])) or "nothing"
                errors.append(f"{where}: module {owner} may not use {target} "
                              f"(it depends on: {deps})")

    for e in errors:
        print(e)
    print(f"module graph: {len(files)} files, {checked} includes, {len(errors)} violations",
          file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
