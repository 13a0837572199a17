#!/usr/bin/env python3
"""Checks Lambda packages the way the provided.al2023 runtime will use them.

    check_packages.py PACKAGE_DIR [--architecture x86_64|arm64]
    check_packages.py --self-test

Each of tenant-registration.zip, tenant-provisioning.zip and tenant-status-checker.zip must hold
an executable `bootstrap` at the root of the archive, built as a Linux ELF executable for the
function's architecture. Lambda accepts a zip that breaks any of these and fails only on the
first invocation (Runtime.InvalidEntrypoint / exec format error), so the check runs before apply.
"""

from __future__ import annotations

import argparse
import os
import stat
import struct
import sys
import tempfile
import zipfile

FUNCTIONS = ("tenant-registration", "tenant-provisioning", "tenant-status-checker")
# ELF e_machine values.
MACHINES = {"x86_64": 62, "arm64": 183}


def problems_of(path: str, architecture: str) -> list[str]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        return [f"not a readable zip: {err}"]
    with archive:
        try:
            info = archive.getinfo("bootstrap")
        except KeyError:
            return [f"no `bootstrap` at the root (found {archive.namelist()[:5]})"]
        found: list[str] = []
        mode = info.external_attr >> 16
        if mode and not mode & stat.S_IXUSR:
            found.append(f"`bootstrap` is not executable (mode {oct(mode)})")
        header = archive.read(info)[:20]
    if header[:4] != b"\x7fELF":
        return found + ["`bootstrap` is not an ELF executable"]
    if len(header) < 20 or header[5] != 1:
        return found + ["`bootstrap` is not a little-endian ELF"]
    (machine,) = struct.unpack_from("<H", header, 18)
    if machine != MACHINES[architecture]:
        names = {v: k for k, v in MACHINES.items()}
        found.append(f"`bootstrap` is built for {names.get(machine, f'machine {machine}')}, "
                     f"the function for {architecture}")
    return found


def elf_for(machine: int) -> bytes:
    """The first 20 bytes of a little-endian 64-bit ELF executable for `machine`."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HH", 2, machine)


def write_zip(path: str, name: str, content: bytes, mode: int = 0o755) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        archive.writestr(info, content)


def self_test() -> int:
    cases = [
        ("an x86_64 bootstrap fits x86_64", "bootstrap", elf_for(62), 0o755, "x86_64", None),
        ("an arm64 bootstrap fits arm64", "bootstrap", elf_for(183), 0o755, "arm64", None),
        ("an x86_64 bootstrap does not fit arm64", "bootstrap", elf_for(62), 0o755, "arm64",
         "built for x86_64"),
        ("a nested bootstrap is refused", "target/bootstrap", elf_for(62), 0o755, "x86_64",
         "no `bootstrap` at the root"),
        ("a non-executable bootstrap is refused", "bootstrap", elf_for(62), 0o644, "x86_64",
         "not executable"),
        ("a shell script is refused", "bootstrap", b"#!/bin/sh\n", 0o755, "x86_64", "not an ELF"),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fn.zip")
        for name, entry, content, mode, arch, expected in cases:
            write_zip(path, entry, content, mode)
            joined = "\n".join(problems_of(path, arch))
            ok = not joined if expected is None else expected in joined
            failures += not ok
            print(f"  {'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": got {joined!r}"))
        with open(path, "wb") as handle:
            handle.write(b"not a zip")
        ok = "not a readable zip" in "\n".join(problems_of(path, "x86_64"))
        failures += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} a file that is not a zip is refused")
    print(f"check_packages self-test: {len(cases) + 1 - failures} passed, {failures} failed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Check Lambda zips for provided.al2023.")
    parser.add_argument("package_dir", nargs="?")
    parser.add_argument("--architecture", choices=sorted(MACHINES), default="x86_64")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.package_dir:
        parser.error("PACKAGE_DIR is required unless --self-test")
    failed = 0
    for name in FUNCTIONS:
        path = os.path.join(args.package_dir, f"{name}.zip")
        problems = problems_of(path, args.architecture) if os.path.isfile(path) else ["missing"]
        for problem in problems:
            print(f"check_packages: {name}.zip: {problem}", file=sys.stderr)
        failed += bool(problems)
    verdict = "FAILED" if failed else "OK"
    print(f"check_packages: {verdict}: {len(FUNCTIONS) - failed} of {len(FUNCTIONS)} packages fit "
          f"provided.al2023 on {args.architecture}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
