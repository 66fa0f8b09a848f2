#!/usr/bin/env python3
"""How scan time grows with tree size and with the number of rules.

    bench/scaling.py [--sizes 1000,10000,100000] [--runs 3] [--archlint PATH] [--keep DIR]

Generates trees of N files by copying the sample service's sources (examples/sample-service:
TypeScript and Rust handlers with findings) under numbered directories, each copy made unique by a
comment so no two files are identical. On each tree it times, with the result cache off:

  - `--parse-only` (the floor),
  - one rule (`--select plain-http-url`),
  - the default rules (security + hardening),
  - every rule (`--select all`),

and prints two Markdown tables: time against tree size (median wall, CPU, µs per file), and time
against rule count at the largest size. Linear growth shows as a constant µs-per-file column; a
rule count that does not multiply the scan shows as rows close to each other.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "examples", "sample-service")


def sample_sources():
    sources = []
    for directory, _, names in os.walk(SAMPLE):
        for name in sorted(names):
            if name.endswith((".ts", ".rs", ".js")):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as f:
                    sources.append((os.path.relpath(path, SAMPLE), f.read()))
    if not sources:
        sys.exit(f"bench/scaling.py: no sources under {SAMPLE}")
    return sorted(sources)


def generate(target, count, sources):
    """`count` files under `target`: copies of the sample sources, each with a unique comment."""
    written = 0
    copy = 0
    while written < count:
        for rel, text in sources:
            if written == count:
                break
            path = os.path.join(target, f"m{copy // 100:04d}", f"c{copy % 100:02d}", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"// copy {copy}\n{text}")
            written += 1
        copy += 1
    # A project root of its own, so that no archlint.toml or .git above it applies.
    with open(os.path.join(target, "archlint.toml"), "w") as f:
        f.write("# bench/scaling.py\n")


def timed(command, runs):
    """Median wall seconds and median CPU seconds (user+sys of the child) over `runs` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode not in (0, 1):
            sys.exit(f"bench/scaling.py: {' '.join(command)} exited {result.returncode}: {result.stderr.decode()[-500:]}")
        walls.append(wall)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--archlint", default=os.path.join(ROOT, "target", "release", "archlint"))
    parser.add_argument("--keep", help="generate the trees here and keep them (default: a temporary directory)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not os.access(args.archlint, os.X_OK):
        sys.exit(f"bench/scaling.py: no archlint binary at {args.archlint} (cargo build --release)")

    base = args.keep or tempfile.mkdtemp(prefix="archlint-scaling-")
    sources = sample_sources()
    modes = [
        ("--parse-only", ["--parse-only"]),
        ("1 rule", ["--select", "plain-http-url", "--no-cache", "--exit-zero", "-o", os.devnull]),
        ("default rules", ["--no-cache", "--exit-zero", "-o", os.devnull]),
        ("all rules", ["--select", "all", "--no-cache", "--exit-zero", "-o", os.devnull]),
    ]
    results = {}
    try:
        for size in sizes:
            tree = os.path.join(base, f"tree-{size}")
            if not os.path.isdir(tree):
                print(f"== generating {size} files", file=sys.stderr)
                generate(tree, size, sources)
            for name, flags in modes:
                print(f"== {size} files: {name}", file=sys.stderr)
                subprocess.run([args.archlint, tree, *flags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the page cache
                results[(size, name)] = timed([args.archlint, tree, *flags], args.runs)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    print(f"archlint scaling: {os.cpu_count()} cores, {args.runs} runs per cell (medians), result cache off\n")
    print("| files | mode | wall (s) | CPU (s) | wall µs/file | CPU µs/file |")
    print("|---:|---|---:|---:|---:|---:|")
    for size in sizes:
        for name, _ in modes:
            wall, cpu = results[(size, name)]
            print(f"| {size:,} | {name} | {wall:.3f} | {cpu:.3f} | {wall / size * 1e6:.0f} | {cpu / size * 1e6:.0f} |")
    largest = sizes[-1]
    floor = results[(largest, "--parse-only")][1]
    print(f"\nAt {largest:,} files, CPU against `--parse-only`:\n")
    print("| mode | CPU (s) | ÷ parse-only |")
    print("|---|---:|---:|")
    for name, _ in modes:
        cpu = results[(largest, name)][1]
        print(f"| {name} | {cpu:.3f} | {cpu / floor:.2f}× |")


if __name__ == "__main__":
    main()
