#!/usr/bin/env python3
"""Times commands on a shared machine: runs them interleaved (A B C A B C ...), measures each
run's wall time, its own CPU time (user+sys of the children) and the CPU time other processes
used meanwhile (from /proc/stat), and keeps only the runs during which other processes used less
than --max-foreign of one core. Prints a Markdown table of medians over the clean runs.

    bench/clean_runs.py --runs 10 -n 'jobs 1' 'archlint DIR --no-cache --jobs 1 -o /dev/null --exit-zero' \
                                  -n 'jobs 2' 'archlint DIR --no-cache --jobs 2 -o /dev/null --exit-zero'

Linux only (/proc/stat). Complements bench/compare.sh, whose hyperfine runs cannot tell a slow
run from a run that shared the CPUs with a build.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def cpu_jiffies():
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # everything but idle and iowait
    return busy


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_until_idle(limit):
    """Waits until other processes used under a tenth of the machine for two seconds."""
    hz, cores, deadline = os.sysconf("SC_CLK_TCK"), os.cpu_count() or 1, time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_jiffies()
        time.sleep(2)
        if (cpu_jiffies() - before) / hz / 2 < 0.1 * cores:
            return


def run_once(command):
    hz = os.sysconf("SC_CLK_TCK")
    busy_before, cpu_before, started = cpu_jiffies(), children_cpu(), time.perf_counter()
    status = subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - started
    own = children_cpu() - cpu_before
    foreign = max(0.0, (cpu_jiffies() - busy_before) / hz - own)
    return wall, own, foreign, status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="clean runs wanted per command")
    parser.add_argument("--max-tries", type=int, default=60, help="give up after this many rounds")
    parser.add_argument("--max-foreign", type=float, default=0.05, help="other processes' CPU, in cores, above which a run is discarded")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                        help="before each run, wait up to this long for the machine to be idle")
    parser.add_argument("-n", "--named", nargs=2, action="append", metavar=("NAME", "COMMAND"), required=True)
    args = parser.parse_args()

    for _, command in args.named:  # warm the page cache
        run_once(command)
    clean = {name: [] for name, _ in args.named}
    rounds = 0
    while rounds < args.max_tries and min(len(v) for v in clean.values()) < args.runs:
        rounds += 1
        for name, command in args.named:
            if len(clean[name]) >= args.runs:
                continue
            if args.wait:
                wait_until_idle(args.wait)
            wall, own, foreign, status = run_once(command)
            ok = foreign / wall <= args.max_foreign
            print(f"{name}: {wall:.3f}s wall, {own:.3f}s cpu, others {foreign / wall:.2f} cores, exit {status}{'' if ok else ' (discarded)'}",
                  file=sys.stderr)
            if ok:
                clean[name].append((wall, own))

    first = args.named[0][0]
    base = statistics.median(w for w, _ in clean[first]) if clean[first] else None
    print(f"| command | clean runs | median wall (s) | min wall (s) | median CPU (s) | wall ÷ {first} |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in args.named:
        runs = clean[name]
        if not runs:
            print(f"| {name} | 0 | n/a | n/a | n/a | n/a |")
            continue
        wall = statistics.median(w for w, _ in runs)
        print(f"| {name} | {len(runs)} | {wall:.3f} | {min(w for w, _ in runs):.3f} | {statistics.median(c for _, c in runs):.3f} "
              f"| {wall / base:.2f}× |" if base else "")


if __name__ == "__main__":
    main()
