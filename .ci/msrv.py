"""The check behind .ci/msrv.sh: reads `cargo metadata --format-version 1` on stdin.

The graph of a member is what `cargo test -p <member>` compiles: its normal and build
dependencies, transitively, plus its own dev-dependencies (and their normal and build
dependencies, transitively). Dev-dependencies of dependencies are never built, so they do not
count. All target platforms count (the claim is not Linux-only). A package that declares no
rust-version counts as unknown and cannot raise the bound. A member must declare a
rust-version at least as high as the highest in its graph.
"""

import json, sys

meta = json.load(sys.stdin)
pkgs = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}

def ver(s):
    return tuple(int(x) for x in s.split(".")) if s else (0,)

def show(v):
    return ".".join(map(str, v)) if v != (0,) else "none"

def deps(node_id, with_dev):
    for d in nodes[node_id]["deps"]:
        kinds = {k["kind"] for k in d["dep_kinds"]}
        if kinds - {"dev"} or (with_dev and "dev" in kinds):
            yield d["pkg"]

def needed(member):
    # (version, package) of the highest rust-version in the graph `cargo test -p member` builds.
    best, who = (0,), None
    seen = set()
    stack = list(deps(member, True))
    while stack:
        pid = stack.pop()
        if pid in seen or pid == member:
            continue
        seen.add(pid)
        v = ver(pkgs[pid].get("rust_version"))
        if v > best:
            best, who = v, pkgs[pid]["name"] + " " + pkgs[pid]["version"]
        stack.extend(deps(pid, False))
    return best, who

failed = False
for member in meta["workspace_members"]:
    p = pkgs[member]
    declared = ver(p.get("rust_version"))
    need, who = needed(member)
    status = "ok"
    if declared < need:
        status = "FAIL: declares less than its locked dependencies need"
        failed = True
    elif declared == (0,):
        status = "FAIL: declares no rust-version"
        failed = True
    print(f"{p['name']:<22} declares {show(declared):<6} needs {show(need):<6} ({who}) {status}")
if failed:
    print("raise the rust-version above (Cargo.toml [workspace.package] or the member's own) "
          "to what its locked dependencies need, or lower the dependencies", file=sys.stderr)
    sys.exit(1)
