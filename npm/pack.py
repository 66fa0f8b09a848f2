#!/usr/bin/env python3
"""Lays out the npm packages for a release: the launcher (`npm/archlint`) and one platform package
per built binary, with the version of Cargo.toml everywhere.

    npm/pack.py --out DIR --binary linux-x64=target/x86_64-unknown-linux-musl/release/archlint ...

Writes DIR/archlint/ and DIR/cli-<platform>/ (package.json with `os` and `cpu`, bin/archlint),
ready for `npm pack` or `npm publish`. Standard library only.
"""
import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# npm's platform names, and what `os`/`cpu` npm matches them by.
PLATFORMS = {
    "linux-x64": ("linux", "x64"),
    "linux-arm64": ("linux", "arm64"),
    "darwin-x64": ("darwin", "x64"),
    "darwin-arm64": ("darwin", "arm64"),
    "win32-x64": ("win32", "x64"),
}


def cargo_version():
    text = (ROOT / "Cargo.toml").read_text()
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    if not match:
        sys.exit("npm/pack.py: no version in Cargo.toml")
    return match.group(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--binary", action="append", default=[], metavar="PLATFORM=PATH")
    args = parser.parse_args()
    version = cargo_version()

    launcher = json.loads((ROOT / "npm/archlint/package.json").read_text())
    launcher["version"] = version
    launcher["optionalDependencies"] = {f"@archlint/cli-{name}": version for name in PLATFORMS}
    out = args.out / "archlint"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(ROOT / "npm/archlint", out)
    (out / "package.json").write_text(json.dumps(launcher, indent=2) + "\n")

    for item in args.binary:
        name, _, path = item.partition("=")
        if name not in PLATFORMS or not path:
            sys.exit(f"npm/pack.py: --binary wants PLATFORM=PATH with a platform of {', '.join(PLATFORMS)}, not `{item}`")
        os_name, cpu = PLATFORMS[name]
        package_dir = args.out / f"cli-{name}"
        shutil.rmtree(package_dir, ignore_errors=True)
        (package_dir / "bin").mkdir(parents=True)
        executable = "archlint.exe" if os_name == "win32" else "archlint"
        shutil.copy2(path, package_dir / "bin" / executable)
        (package_dir / "bin" / executable).chmod(0o755)
        package = {
            "name": f"@archlint/cli-{name}",
            "version": version,
            "description": f"The archlint binary for {os_name} {cpu} (installed by the `archlint` package).",
            "license": launcher["license"],
            "repository": launcher["repository"],
            "os": [os_name],
            "cpu": [cpu],
            "files": [f"bin/{executable}"],
            "preferUnplugged": True,
        }
        (package_dir / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    print(f"npm packages for archlint {version} in {args.out}")


if __name__ == "__main__":
    main()
