#!/usr/bin/env python3
"""The ecosystem check: archlint's precision on real repositories, rule by rule.

Runs archlint on checkouts of the repositories pinned in repos.toml, stores each run's findings in
runs/<owner>+<repo>.json (sorted, one finding a line, so `git diff` shows what a change did), and
compares them with the previous stored run and with the human verdicts in
verdicts/<owner>+<repo>.toml. Prints per-rule precision for the tuning and held-out sets, the
findings nobody has judged yet, and the judged findings that disappeared or appeared.

    bench/ecosystem/check.py --checkouts /work/checkouts
    bench/ecosystem/check.py --checkouts /work/checkouts --repo lldap/lldap --select all
    bench/ecosystem/check.py --stored --summary-markdown docs/precision.md

It fetches nothing: make the checkouts yourself (docs/precision.md says how), one per repository
at DIR/<owner>+<repo>, at the pinned commit. Python 3.11, standard library only.

Exit status: 0 normally; 1 with --fail-on-unjudged when a finding has no verdict; 2 when the
harness cannot do its job (bad repos.toml or verdict file, archlint failed).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent.parent
DEFAULT_SELECT = "security,hardening"
DEFAULT_TIERS = ("security", "hardening")
SETS = ("tuning", "held-out")
LANGUAGES = ("rust", "typescript")
TABLE_START = "<!-- ecosystem-table:start -->"
TABLE_END = "<!-- ecosystem-table:end -->"


class HarnessError(Exception):
    """Something the harness cannot work around: reported on stderr, exit 2."""


# ---------------------------------------------------------------------------------------------
# Inputs: repos.toml, verdict files, stored runs


@dataclass
class Repo:
    name: str  # owner/repo
    commit: str
    language: str
    set: str
    dirs: list

    @property
    def slug(self):
        return self.name.replace("/", "+")


def load_repos(path):
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise HarnessError(f"{path}: {e}")
    repos = []
    for i, entry in enumerate(data.get("repo", []), 1):
        where = f"{path}: repo #{i}"
        name = entry.get("name", "")
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", name):
            raise HarnessError(f"{where}: `name` must be owner/repo, got {name!r}")
        commit = entry.get("commit", "")
        if not re.fullmatch(r"[0-9a-f]{40}", commit):
            raise HarnessError(f"{where} ({name}): `commit` must be 40 lowercase hex digits")
        if entry.get("language") not in LANGUAGES:
            raise HarnessError(f"{where} ({name}): `language` must be one of {', '.join(LANGUAGES)}")
        if entry.get("set") not in SETS:
            raise HarnessError(f"{where} ({name}): `set` must be one of {', '.join(SETS)}")
        dirs = entry.get("dirs", ["."])
        if not dirs or not all(isinstance(d, str) for d in dirs):
            raise HarnessError(f"{where} ({name}): `dirs` must be a non-empty list of paths")
        repos.append(Repo(name, commit, entry["language"], entry["set"], dirs))
    names = [r.name for r in repos]
    if len(names) != len(set(names)):
        raise HarnessError(f"{path}: a repository is pinned twice")
    return repos


@dataclass
class Verdict:
    rule: str
    path: str
    line: int
    message: str | None
    verdict: bool | None  # None: a TODO stub, not judged yet
    reason: str


def load_verdicts(path):
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise HarnessError(f"{path}: {e}")
    verdicts = []
    for i, entry in enumerate(data.get("verdict", []), 1):
        where = f"{path}: verdict #{i}"
        for key, kind in (("rule", str), ("path", str), ("line", int)):
            if not isinstance(entry.get(key), kind):
                raise HarnessError(f"{where}: `{key}` is missing or not a {kind.__name__}")
        value = entry.get("true")
        if value == "TODO":
            value = None
        elif not isinstance(value, bool):
            raise HarnessError(f"{where} ({entry['path']}:{entry['line']}): `true` must be true, false or \"TODO\"")
        reason = entry.get("reason", "")
        if value is not None and (not reason or reason == "TODO"):
            raise HarnessError(f"{where} ({entry['path']}:{entry['line']}): a verdict needs a one-line `reason`")
        verdicts.append(Verdict(entry["rule"], entry["path"], entry["line"], entry.get("message"), value, reason))
    return verdicts


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    line: int
    message: str
    level: str

    def key(self):
        return (self.path, self.line, self.rule, self.message, self.level)

    def show(self):
        return f"{self.path}:{self.line} {self.rule} {self.message}"


@dataclass
class Run:
    repo: str
    commit: str
    archlint: str
    select: str
    rules: dict  # every rule this run covered -> its tier
    files_scanned: int
    notices: dict  # notice kind -> count
    findings: list = field(default_factory=list)


def load_run(path):
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise HarnessError(f"{path}: {e}")
    findings = [Finding(f["rule"], f["path"], f["line"], f["message"], f["level"]) for f in data["findings"]]
    return Run(data["repo"], data["commit"], data["archlint"], data["select"], data["rules"],
               data["files_scanned"], data["notices"], findings)


def write_run(path, run):
    """One finding a line, sorted: a re-run with the same results writes the same bytes."""
    header = {
        "repo": run.repo,
        "commit": run.commit,
        "archlint": run.archlint,
        "select": run.select,
        "rules": dict(sorted(run.rules.items())),
        "files_scanned": run.files_scanned,
        "notices": dict(sorted(run.notices.items())),
    }
    lines = ["{"]
    for key, value in header.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('  "findings": [')
    rows = [json.dumps({"rule": f.rule, "path": f.path, "line": f.line, "level": f.level, "message": f.message},
                       ensure_ascii=False) for f in sorted(run.findings, key=Finding.key)]
    lines.extend(f"    {row}{',' if i < len(rows) - 1 else ''}" for i, row in enumerate(rows))
    lines.append("  ]")
    lines.append("}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------
# Running archlint


def find_archlint(explicit):
    if explicit:
        # archlint runs with each checkout as its working directory: a relative path must not
        # be read from there.
        return os.path.abspath(explicit) if os.sep in explicit else explicit
    for build in ("release", "debug"):
        candidate = PROJECT / "target" / build / "archlint"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("archlint")
    if not found:
        raise HarnessError("no archlint binary: build one or pass --archlint PATH")
    return found


def rule_tiers(archlint):
    out = subprocess.run([archlint, "rules", "--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise HarnessError(f"`{archlint} rules --format json` failed: {out.stderr.strip()}")
    return {rule["id"]: rule["tier"] for rule in json.loads(out.stdout)}


def covered_rules(select, tiers):
    """The rules a --select value runs: `all`, tier names and rule ids, comma-separated."""
    covered = set()
    for item in filter(None, (s.strip() for s in select.split(","))):
        if item == "all":
            covered |= set(tiers)
        elif item in tiers:
            covered.add(item)
        else:
            covered |= {rule for rule, tier in tiers.items() if tier == item}
    return {rule: tiers[rule] for rule in covered}


def git_head(checkout):
    out = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def relative_path(reported, checkout, dirs):
    """archlint reports paths from the project root (an archlint.toml's directory, else the git
    root), which for a checkout is normally the checkout itself; make sure they are."""
    path = Path(reported)
    if path.is_absolute():
        return Path(os.path.relpath(path, checkout)).as_posix()
    if not (checkout / path).exists():
        for d in dirs:  # a scanned directory with an archlint.toml of its own is its own root
            if (checkout / d / path).exists():
                return (Path(d) / path).as_posix()
    return path.as_posix()


def run_archlint(archlint, repo, checkout, select, tiers, jobs):
    command = [archlint, *repo.dirs, "--format", "json", "--no-cache", "--exit-zero", "--select", select]
    if jobs:
        command += ["--jobs", str(jobs)]
    out = subprocess.run(command, cwd=checkout, capture_output=True, text=True)
    if out.returncode != 0:
        raise HarnessError(f"{repo.name}: archlint exited with {out.returncode}: {out.stderr.strip()}")
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError as e:
        raise HarnessError(f"{repo.name}: archlint's output is not JSON ({e})")
    findings = [
        Finding(f["rule"], relative_path(f["path"], checkout, repo.dirs), f["start"]["line"], f["message"], f["level"])
        for f in report["findings"]
    ]
    notices = Counter(n.get("kind", "notice") for n in report.get("notices", []))
    return Run(repo.name, git_head(checkout) or "unknown", report.get("version", "unknown"), select,
               covered_rules(select, tiers), report.get("summary", {}).get("files_scanned", 0),
               dict(notices), sorted(findings, key=Finding.key))


# ---------------------------------------------------------------------------------------------
# Matching findings with verdicts (and with the previous run)


def normalise(message):
    """Messages quote line numbers and counts ("(line 12)"), which move with the code."""
    return re.sub(r"\d+", "#", " ".join(message.split())) if message else None


def match(findings, refs):
    """Pairs findings with references (verdicts, or the previous run's findings), each used once.

    1. same rule, path and line, and the same normalised message (or a verdict without one);
    2. the line moved: same rule, path and normalised message, nearest line first;
    3. the message was reworded: same rule, path and line.
    Returns ({finding index: ref index}, unmatched finding indexes, unmatched ref indexes).
    """
    used, pairs = set(), {}

    def message_of(ref):
        return normalise(ref.message)

    def take(i, candidates):
        candidates = [j for j in candidates if j not in used]
        if candidates:
            j = min(candidates, key=lambda j: (abs(refs[j].line - findings[i].line), j))
            used.add(j)
            pairs[i] = j

    by_rule_path = defaultdict(list)
    for j, ref in enumerate(refs):
        by_rule_path[(ref.rule, ref.path)].append(j)
    passes = (
        lambda f, r: r.line == f.line and message_of(r) in (None, normalise(f.message)),
        lambda f, r: message_of(r) == normalise(f.message),
        lambda f, r: r.line == f.line,
    )
    for same in passes:
        for i, finding in enumerate(findings):
            if i not in pairs:
                take(i, [j for j in by_rule_path[(finding.rule, finding.path)] if same(finding, refs[j])])
    unmatched_findings = [i for i in range(len(findings)) if i not in pairs]
    unmatched_refs = [j for j in range(len(refs)) if j not in used]
    return pairs, unmatched_findings, unmatched_refs


# ---------------------------------------------------------------------------------------------
# One repository's results


@dataclass
class RepoResult:
    repo: Repo
    run: Run
    verdict_of: dict  # finding index -> Verdict (stubs included)
    gone_verdicts: list  # judged verdicts whose finding is no longer reported
    appeared: list  # indexes of findings not in the previous run (None: nothing to compare with)
    disappeared: list  # (finding of the previous run, its verdict or None)

    def unjudged(self):
        return [f for i, f in enumerate(self.run.findings)
                if i not in self.verdict_of or self.verdict_of[i].verdict is None]


def compare(repo, run, previous, verdicts):
    findings = run.findings
    pairs, _, free_verdicts = match(findings, verdicts)
    verdict_of = {i: verdicts[j] for i, j in pairs.items()}
    # A verdict on a rule this run did not cover says nothing about the rule.
    gone = [verdicts[j] for j in free_verdicts if verdicts[j].rule in run.rules]

    appeared, disappeared = None, []
    if previous is not None:
        # Compare only the rules both runs covered (a run with --select all after a default one).
        both = set(run.rules) & set(previous.rules)
        now = [i for i, f in enumerate(findings) if f.rule in both]
        before = [f for f in previous.findings if f.rule in both]
        _, new, old = match([findings[i] for i in now], before)
        appeared = [now[k] for k in new]
        old_findings = [before[j] for j in old]
        gone_pairs, _, _ = match(old_findings, gone)
        disappeared = [(f, gone[gone_pairs[i]] if i in gone_pairs else None) for i, f in enumerate(old_findings)]
    return RepoResult(repo, run, verdict_of, gone, appeared, disappeared)


def verdict_tag(verdict):
    if verdict is None or verdict.verdict is None:
        return "unjudged"
    return "judged true" if verdict.verdict else "judged false"


def print_repo(result, stored, out):
    run, repo = result.run, result.repo
    notices = ", ".join(f"{n} {kind}" for kind, n in sorted(run.notices.items()))
    print(f"\n== {repo.name} ({repo.set}, {repo.language}) at {run.commit[:12]}: "
          f"{len(run.findings)} findings, select {run.select}"
          + (f"; notices: {notices}" if notices else ""), file=out)
    if stored:
        print(f"   the stored run (archlint {run.archlint}), judged again", file=out)
    elif result.appeared is None:
        print("   no previous run stored: nothing to compare with", file=out)
    elif not result.appeared and not result.disappeared:
        print("   same findings as the previous run", file=out)
    else:
        for i in result.appeared:
            print(f"   appeared     {run.findings[i].show()}  [{verdict_tag(result.verdict_of.get(i))}]", file=out)
        for f, verdict in result.disappeared:
            print(f"   disappeared  {f.show()}  [{verdict_tag(verdict)}]", file=out)
    for v in result.gone_verdicts:
        if v.verdict is None:
            continue  # a stub for a finding that went away: nothing was learnt from it
        what = "LOST DETECTION" if v.verdict else "fixed false positive"
        print(f"   {what}: judged {str(v.verdict).lower()} finding no longer reported: "
              f"{v.path}:{v.line} {v.rule} ({v.reason})", file=out)
    for i, f in enumerate(run.findings):
        v = result.verdict_of.get(i)
        if v is not None and v.verdict is not None and v.line != f.line:
            print(f"   moved        {f.rule} {f.path}:{v.line} -> {f.line} (verdict kept; update its line)", file=out)
    unjudged = result.unjudged()
    if unjudged:
        print(f"   unjudged ({len(unjudged)}):", file=out)
        for f in unjudged:
            print(f"     {f.show()}", file=out)


# ---------------------------------------------------------------------------------------------
# Precision


def tally(results):
    """{rule: {"tier": tier, set: [true, judged, findings]}} over the findings reported now."""
    table = {}
    for result in results:
        for i, f in enumerate(result.run.findings):
            row = table.setdefault(f.rule, {"tier": result.run.rules.get(f.rule, "?")})
            counts = row.setdefault(result.repo.set, [0, 0, 0])
            counts[2] += 1
            v = result.verdict_of.get(i)
            if v is not None and v.verdict is not None:
                counts[1] += 1
                counts[0] += v.verdict
    return table


def rows_in_order(table):
    tier_rank = {"security": 0, "hardening": 1, "audit": 2}
    return sorted(table.items(), key=lambda kv: (tier_rank.get(kv[1]["tier"], 3), kv[0]))


def cell(counts, markdown=False):
    if not counts or counts[1] == 0:
        return "—" if markdown else "-"
    true, judged, _ = counts
    return f"{true}/{judged} ({100 * true / judged:.0f}%)" if markdown else f"{true}/{judged} {100 * true / judged:3.0f}%"


def total(table, tiers, set_name):
    sums = [0, 0, 0]
    for row in table.values():
        if row["tier"] in tiers and set_name in row:
            sums = [a + b for a, b in zip(sums, row[set_name])]
    return sums


def print_precision(table, out):
    print("\n== Precision: true / judged findings (findings without a verdict are not counted)", file=out)
    if not table:
        print("   no findings", file=out)
        return
    print(f"   {'rule':<31}{'tier':<11}{'tuning':<14}{'held-out':<14}unjudged", file=out)
    for rule, row in rows_in_order(table):
        unjudged = sum(row[s][2] - row[s][1] for s in SETS if s in row)
        print(f"   {rule:<31}{row['tier']:<11}{cell(row.get('tuning')):<14}{cell(row.get('held-out')):<14}{unjudged}", file=out)
    label = "default tiers (" + ", ".join(DEFAULT_TIERS) + ")"
    sums = {s: total(table, DEFAULT_TIERS, s) for s in SETS}
    unjudged = sum(c[2] - c[1] for c in sums.values())
    print(f"   {label:<42}{cell(sums['tuning']):<14}{cell(sums['held-out']):<14}{unjudged}", file=out)


def markdown_table(table, results):
    def repos_of(set_name):
        names = sorted((r.repo.name for r in results if r.repo.set == set_name), key=str.lower)
        return f"{len(names)} ({', '.join(names)})" if names else "none (not yet measured with this harness)"

    def total_cell(set_name):
        if not any(r.repo.set == set_name for r in results):
            return "not yet measured"
        return f"**{cell(total(table, DEFAULT_TIERS, set_name), True)}**"

    lines = [
        "| rule | tier | tuning: true / judged (precision) | held-out: true / judged (precision) |",
        "|---|---|---|---|",
    ]
    for rule, row in rows_in_order(table):
        if any(row.get(s, [0, 0])[1] for s in SETS):
            lines.append(f"| `{rule}` | {row['tier']} | {cell(row.get('tuning'), True)} | {cell(row.get('held-out'), True)} |")
    lines.append(f"| **default tiers** | {', '.join(DEFAULT_TIERS)} | {total_cell('tuning')} | {total_cell('held-out')} |")
    unjudged = sum(len(r.unjudged()) for r in results)
    lines += [
        "",
        f"Tuning repositories: {repos_of('tuning')}. Held-out repositories: {repos_of('held-out')}.",
        f"n judged is the number after the slash; {unjudged} reported finding(s) had no verdict and are not counted.",
    ]
    return "\n".join(lines) + "\n"


def write_summary(path, text):
    """Replaces the text between the table markers when the file has them, else writes the file."""
    path = Path(path)
    if path.exists():
        old = path.read_text()
        start, end = old.find(TABLE_START), old.find(TABLE_END)
        if 0 <= start < end:
            path.write_text(old[:start + len(TABLE_START)] + "\n" + text + old[end:])
            return
    path.write_text(f"{TABLE_START}\n{text}{TABLE_END}\n")


# ---------------------------------------------------------------------------------------------
# Verdict stubs


def toml_string(s):
    return json.dumps(s, ensure_ascii=False)  # JSON's escapes are valid in TOML basic strings


def append_stubs(path, repo, findings):
    with open(path, "a") as out:
        if out.tell() == 0:
            out.write(f"# Verdicts on archlint's findings in {repo.name} at {repo.commit}.\n"
                      "# `true = true` when the finding is a real instance of what the rule describes, in code\n"
                      "# that runs in a service; `false` otherwise. `reason` says why, in one line.\n")
        for f in findings:
            out.write(f"\n[[verdict]]\nrule = {toml_string(f.rule)}\npath = {toml_string(f.path)}\n"
                      f"line = {f.line}\nmessage = {toml_string(f.message)}\n"
                      "true = \"TODO\"  # true or false\nreason = \"TODO\"\n")


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--checkouts", metavar="DIR", help="where the checkouts are, one per repository at DIR/<owner>+<repo>")
    add("--archlint", metavar="PATH", help="archlint binary (default: target/release, then target/debug, then PATH)")
    add("--set", choices=(*SETS, "all"), default="all", help="which repositories to check (default: all)")
    add("--repo", action="append", metavar="OWNER/NAME", help="check only this repository (repeatable)")
    add("--select", default=DEFAULT_SELECT,
        help=f"rules or tiers, as archlint's --select (default: {DEFAULT_SELECT}; `all` adds the audit tier)")
    add("--jobs", type=int, help="archlint's --jobs")
    add("--stored", action="store_true", help="judge the stored runs again instead of running archlint")
    add("--fail-on-unjudged", action="store_true", help="exit 1 when a finding has no verdict")
    add("--write-unjudged", action="store_true", help="append a TODO verdict stub per unjudged finding")
    add("--summary-markdown", metavar="FILE",
        help="write the per-rule precision table there (between its table markers if it has them)")
    add("--bench-dir", type=Path, default=BENCH, help=argparse.SUPPRESS)  # for the self-test
    args = parser.parse_args(argv)
    if not args.stored and not args.checkouts:
        parser.error("--checkouts DIR is required (or --stored to reuse the stored runs)")

    try:
        return check(args)
    except HarnessError as e:
        print(f"check.py: error: {e}", file=sys.stderr)
        return 2


def check(args):
    out = sys.stdout
    bench = args.bench_dir
    repos = load_repos(bench / "repos.toml")
    if args.repo:
        unknown = set(args.repo) - {r.name for r in repos}
        if unknown:
            raise HarnessError(f"not pinned in repos.toml: {', '.join(sorted(unknown))}")
        repos = [r for r in repos if r.name in args.repo]
    if args.set != "all":
        repos = [r for r in repos if r.set == args.set]

    archlint = tiers = None
    if not args.stored:
        archlint = find_archlint(args.archlint)
        tiers = rule_tiers(archlint)
        checkouts = Path(args.checkouts).resolve()

    results = []
    for repo in repos:
        run_path = bench / "runs" / f"{repo.slug}.json"
        previous = load_run(run_path)
        if args.stored:
            if previous is None:
                print(f"\n== {repo.name}: no stored run ({run_path}); skipped", file=out)
                continue
            run, previous = previous, None
        else:
            checkout = checkouts / repo.slug
            if not checkout.is_dir():
                print(f"\n== {repo.name}: no checkout at {checkout}; skipped. Expected a clone of "
                      f"https://github.com/{repo.name} checked out at {repo.commit}", file=out)
                continue
            head = git_head(checkout)
            if head != repo.commit:
                print(f"\n== {repo.name}: WARNING: the checkout is at {head or 'no git commit'}, "
                      f"not the pinned {repo.commit}; lines and verdicts may not match", file=out)
            run = run_archlint(archlint, repo, checkout, args.select, tiers, args.jobs)
            write_run(run_path, run)
        verdict_path = bench / "verdicts" / f"{repo.slug}.toml"
        result = compare(repo, run, previous, load_verdicts(verdict_path))
        print_repo(result, args.stored, out)
        if args.write_unjudged:
            stubs = [f for i, f in enumerate(run.findings) if i not in result.verdict_of]
            if stubs:
                verdict_path.parent.mkdir(parents=True, exist_ok=True)
                append_stubs(verdict_path, repo, stubs)
                print(f"   wrote {len(stubs)} TODO stub(s) to {verdict_path}", file=out)
        results.append(result)

    table = tally(results)
    print_precision(table, out)
    unjudged = sum(len(r.unjudged()) for r in results)
    print(f"\n{len(results)} repositories checked; {unjudged} finding(s) without a verdict", file=out)
    if args.summary_markdown:
        write_summary(args.summary_markdown, markdown_table(table, results))
    return 1 if args.fail_on_unjudged and unjudged else 0


if __name__ == "__main__":
    sys.exit(main())
