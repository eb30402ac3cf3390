#!/usr/bin/env python3
"""Syntax-checks Swift files with tree-sitter-swift (no Swift toolchain needed).

Usage: swift_syntax_check.py FILE.swift... ; prints every ERROR / MISSING node as
file:line:col and a final "N passed, N failed" line; exits 1 if any file fails.

tree-sitter-swift 0.7.4 cannot parse an attribute wrapped in `#if` (uniffi emits
`#if swift(>=5.8) @_documentation(visibility: private) #endif`), so the `#if`/`#endif` lines
around a single attribute line are blanked first, keeping line numbers. This is a syntax check
only: names and types are not checked (see shared/TOOLCHAIN.md section 5).

A second workaround: tree-sitter-swift 0.7.4 also rejects a closure whose body is the empty
tuple, `{ () }` (valid Swift; uniffi emits `let writeReturn = { () }` for every callback method
returning nothing). It is replaced by the empty closure `{    }`, which keeps columns.
"""
import re
import sys

import tree_sitter
import tree_sitter_swift

IF_ATTRIBUTE = re.compile(r"(?m)^[ \t]*#if [^\n]*\n([ \t]*@[^\n]*)\n[ \t]*#endif[ \t]*$")
UNIT_CLOSURE = re.compile(r"\{ \(\) \}")


def problems(path, parser):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    if not source.strip():
        return ["empty file"]
    source = IF_ATTRIBUTE.sub(lambda m: "\n" + m.group(1) + "\n", source)
    source = UNIT_CLOSURE.sub("{    }", source)
    tree = parser.parse(source.encode("utf-8"))
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            line, col = node.start_point
            kind = "MISSING " + node.type if node.is_missing else "ERROR"
            found.append(f"{line + 1}:{col + 1}: {kind}")
            if len(found) >= 20:
                break
        stack.extend(reversed(node.children))
    return found


def main(paths):
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))
    passed = failed = 0
    for path in paths:
        found = problems(path, parser)
        if found:
            failed += 1
            for p in found:
                print(f"{path}:{p}")
        else:
            passed += 1
    print(f"swift syntax: {passed} passed, {failed} failed")
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
