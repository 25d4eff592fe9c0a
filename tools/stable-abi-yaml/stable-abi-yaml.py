#!/usr/bin/env python3
"""stable-abi-yaml: writes policies/stable-abi.yaml from CPython's Misc/stable_abi.toml.

    python3 tools/stable-abi-yaml/stable-abi-yaml.py CPYTHON/Misc/stable_abi.toml "CPython 3.15.2" \
        > policies/stable-abi.yaml

Not a stage: run by hand when a CPython release adds to the stable ABI. It keeps what an abi3 or
abi3t extension may import from libpython on Linux: every function and data item, those exported
only for macros (abi_only) included, unless it exists only under a feature macro that Linux
release builds do not define (MS_WINDOWS, USE_STACKCHECK, Py_REF_DEBUG; Tools/build/stable_abi.py
checks libpython against the macros Python.h defines, and Linux's libpython exports none of
those items). PEP 803's abi3t exports the same symbols, from CPython 3.15 on."""
import sys
import textwrap
import tomllib

LINUX_FEATURE_MACROS = {"HAVE_FORK", "PY_HAVE_THREAD_NATIVE_ID"}
ABI3T_SINCE = "3.15"  # PEP 803: "This version must be 3.15 or higher."


def version_key(version: str):
    return tuple(int(part) for part in version.split("."))


def linux_items(manifest: dict) -> dict:
    """{version: {"functions": [...], "data": [...]}} of the items a Linux libpython exports."""
    versions = {}
    for kind, key in (("function", "functions"), ("data", "data")):
        for name, item in manifest.get(kind, {}).items():
            if "ifdef" in item and item["ifdef"] not in LINUX_FEATURE_MACROS:
                continue
            entry = versions.setdefault(item["added"], {"functions": [], "data": []})
            entry[key].append(name)
    return versions


def flow_list(names: list) -> str:
    if not names:
        return " []"
    text = textwrap.fill(", ".join(sorted(names)), width=110, initial_indent="      [", subsequent_indent="       ",
                         break_on_hyphens=False)
    return "\n" + text + "]"


def main(toml_path: str, source: str) -> None:
    with open(toml_path, "rb") as f:
        versions = linux_items(tomllib.load(f))
    print(f"""# The stable ABI (PEP 384, PEP 652) on Linux: every function and data symbol an abi3 or abi3t
# extension may import from libpython, by the CPython version that added it. Facts from
# {source}'s Misc/stable_abi.toml, in our own layout, written by tools/stable-abi-yaml: its items
# that exist only on Windows or in debug builds (ifdef MS_WINDOWS, USE_STACKCHECK, Py_REF_DEBUG) are
# left out, and abi_only ones (exported for macros) are in. PEP 803's abi3t (the stable ABI of
# free-threaded builds) exports the same symbols, and exists from the version abi3t gives.
source: {source}
abi3t: "{ABI3T_SINCE}"
versions:""")
    for version in sorted(versions, key=version_key):
        print(f'  "{version}":')
        print("    functions:" + flow_list(versions[version]["functions"]))
        print("    data:" + flow_list(versions[version]["data"]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: stable-abi-yaml.py STABLE_ABI_TOML SOURCE_NAME")
    main(sys.argv[1], sys.argv[2])
