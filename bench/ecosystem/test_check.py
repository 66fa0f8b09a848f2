"""Self-test of the ecosystem check: no network, no cargo, no real archlint.

Builds fake checkouts (git repositories with one commit) and a fake archlint that prints fixed
findings in archlint's JSON format, runs check.py on them and checks what it prints and stores.

    python3 -m unittest bench/ecosystem/test_check.py
"""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import tomllib
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECK = HERE / "check.py"
sys.path.insert(0, str(HERE))
import check  # noqa: E402  (after the path is set)

TIERS = {
    "hardcoded-secret": "security",
    "sql-injection": "security",
    "ssrf": "security",
    "blocking-in-async": "hardening",
    "panic-in-handler": "audit",
}

# Honours --select like the real one, so a narrower run reports fewer rules; paths of the form
# ABS:<path> are reported absolute, as a project root elsewhere would give them.
FAKE_ARCHLINT = textwrap.dedent("""\
    import json, os, sys
    TIERS = %r
    args = sys.argv[1:]
    if args[:1] == ["rules"]:
        print(json.dumps([{"id": r, "tier": t} for r, t in TIERS.items()]))
        sys.exit(0)
    for flag in ("--no-cache", "--exit-zero"):
        assert flag in args, flag
    assert args[args.index("--format") + 1] == "json"
    select = args[args.index("--select") + 1].split(",")
    chosen = {r for r, t in TIERS.items() if "all" in select or r in select or t in select}
    with open(os.path.join(os.environ["FAKE_FINDINGS"], os.path.basename(os.getcwd()) + ".json")) as f:
        rows = json.load(f)
    findings = []
    for rule, path, line, message in rows:
        if rule not in chosen:
            continue
        if path.startswith("ABS:"):
            path = os.path.join(os.getcwd(), path[4:])
        findings.append({"rule": rule, "path": path, "level": "error", "message": message,
                         "help": "fix it", "start": {"line": line, "column": 1},
                         "end": {"line": line, "column": 9}})
    print(json.dumps({"findings": findings, "notices": [{"kind": "parse-error", "path": "x.ts",
                      "message": "syntax error"}], "summary": {"files_scanned": 3,
                      "findings": len(findings), "notices": 1, "suppressed": 0}, "version": "9.9.9"}))
    """) % TIERS

SHOP_FINDINGS = [
    ["hardcoded-secret", "src/a.ts", 10, "`API_KEY` is assigned a hardcoded credential"],
    ["hardcoded-secret", "src/a.ts", 20, "`TOKEN` is assigned a hardcoded credential"],
    ["sql-injection", "src/db.ts", 7, "SQL text built from a non-constant value reaches `query`"],
    ["ssrf", "ABS:src/b.ts", 15, "request data decides the URL of `fetch` (line 14)"],
    ["panic-in-handler", "src/c.ts", 3, "`.unwrap()` panics in handler `get`"],
]
VAULT_FINDINGS = [
    ["hardcoded-secret", "src/main.rs", 5, "a GitHub token is written in the source"],
    ["hardcoded-secret", "src/main.rs", 9, "a Slack token is written in the source"],
]

SHOP_VERDICTS = """\
[[verdict]]
rule = "hardcoded-secret"
path = "src/a.ts"
line = 10
message = "`API_KEY` is assigned a hardcoded credential"
true = true
reason = "a live key"

[[verdict]]
rule = "hardcoded-secret"
path = "src/a.ts"
line = 20
message = "`TOKEN` is assigned a hardcoded credential"
true = false
reason = "a placeholder"

# Judged when the finding was three lines higher and its message quoted another line.
[[verdict]]
rule = "ssrf"
path = "src/b.ts"
line = 12
message = "request data decides the URL of `fetch` (line 11)"
true = true
reason = "req.query.url is fetched"
"""
VAULT_VERDICTS = """\
[[verdict]]
rule = "hardcoded-secret"
path = "src/main.rs"
line = 5
message = "a GitHub token is written in the source"
true = true
reason = "a real token"

[[verdict]]
rule = "hardcoded-secret"
path = "src/main.rs"
line = 9
true = false
reason = "a test sample"
"""


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout.strip()


class EcosystemCheck(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="ecosystem-test-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.tmp)])
        self.bench, self.checkouts, self.fake = self.tmp / "bench", self.tmp / "checkouts", self.tmp / "fake"
        for d in (self.bench / "verdicts", self.checkouts, self.fake):
            d.mkdir(parents=True)
        self.commits = {name: self.make_checkout(name) for name in ("acme+shop", "acme+vault")}
        self.archlint = self.tmp / "archlint"
        self.archlint.write_text(f"#!{sys.executable}\n" + FAKE_ARCHLINT)
        self.archlint.chmod(0o755)
        self.write_repos()
        self.set_findings("acme+shop", SHOP_FINDINGS)
        self.set_findings("acme+vault", VAULT_FINDINGS)
        (self.bench / "verdicts" / "acme+shop.toml").write_text(SHOP_VERDICTS)
        (self.bench / "verdicts" / "acme+vault.toml").write_text(VAULT_VERDICTS)

    def make_checkout(self, slug):
        path = self.checkouts / slug
        (path / "src").mkdir(parents=True)
        for name in ("a.ts", "b.ts", "c.ts", "db.ts", "main.rs"):
            (path / "src" / name).write_text("// code\n")
        git(path, "init", "-q")
        git(path, "add", ".")
        git(path, "commit", "-q", "-m", "init")
        return git(path, "rev-parse", "HEAD")

    def write_repos(self, shop_commit=None):
        (self.bench / "repos.toml").write_text(textwrap.dedent(f"""\
            [[repo]]
            name = "acme/shop"
            commit = "{shop_commit or self.commits['acme+shop']}"
            language = "typescript"
            set = "tuning"

            [[repo]]
            name = "acme/vault"
            commit = "{self.commits['acme+vault']}"
            language = "rust"
            dirs = ["src"]
            set = "held-out"

            [[repo]]
            name = "acme/gone"
            commit = "{'0' * 40}"
            language = "rust"
            set = "tuning"
            """))

    def set_findings(self, slug, rows):
        (self.fake / f"{slug}.json").write_text(json.dumps(rows))

    def run_check(self, *args, expect=0):
        env = dict(os.environ, FAKE_FINDINGS=str(self.fake))
        command = [sys.executable, str(CHECK), "--bench-dir", str(self.bench), *args]
        if "--stored" not in args:
            command += ["--checkouts", str(self.checkouts), "--archlint", str(self.archlint)]
        out = subprocess.run(command, capture_output=True, text=True, env=env)
        self.assertEqual(out.returncode, expect, out.stdout + out.stderr)
        return out.stdout

    def precision_line(self, output, rule):
        section = output.split("== Precision")[1]
        return next(line.split() for line in section.splitlines() if line.strip().startswith(rule))

    def test_first_run_stores_findings_and_computes_precision(self):
        out = self.run_check()
        self.assertIn("acme/gone: no checkout at", out)
        self.assertIn(f"checked out at {'0' * 40}", out)
        self.assertIn("no previous run stored", out)

        # hardcoded-secret: one true of two judged in each set; ssrf matched across the line shift.
        self.assertEqual(self.precision_line(out, "hardcoded-secret"),
                         ["hardcoded-secret", "security", "1/2", "50%", "1/2", "50%", "0"])
        self.assertEqual(self.precision_line(out, "ssrf"), ["ssrf", "security", "1/1", "100%", "-", "0"])
        self.assertEqual(self.precision_line(out, "default tiers"),
                         ["default", "tiers", "(security,", "hardening)", "2/3", "67%", "1/2", "50%", "1"])
        self.assertIn("moved        ssrf src/b.ts:12 -> 15", out)
        self.assertNotIn("panic-in-handler", out)  # audit tier: not run by default

        unjudged = out.split("unjudged (1):")[1].splitlines()[1].strip()
        self.assertEqual(unjudged, "src/db.ts:7 sql-injection SQL text built from a non-constant value reaches `query`")

        stored = json.loads((self.bench / "runs" / "acme+shop.json").read_text())
        self.assertEqual(stored["commit"], self.commits["acme+shop"])
        self.assertEqual(stored["select"], "security,hardening")
        self.assertEqual(stored["notices"], {"parse-error": 1})
        self.assertEqual([(f["path"], f["line"]) for f in stored["findings"]],
                         [("src/a.ts", 10), ("src/a.ts", 20), ("src/b.ts", 15), ("src/db.ts", 7)])
        self.assertEqual(set(stored["findings"][0]), {"rule", "path", "line", "message", "level"})
        # The vault was scanned as `src`, whose paths archlint gives from the git root.
        vault = json.loads((self.bench / "runs" / "acme+vault.json").read_text())
        self.assertEqual(vault["findings"][0]["path"], "src/main.rs")

    def test_rerun_is_byte_identical(self):
        self.run_check()
        first = (self.bench / "runs" / "acme+shop.json").read_bytes()
        out = self.run_check()
        self.assertEqual((self.bench / "runs" / "acme+shop.json").read_bytes(), first)
        self.assertEqual(out.count("same findings as the previous run"), 2)

    def test_appeared_and_disappeared(self):
        self.run_check()
        rows = [r for r in SHOP_FINDINGS if r[2] not in (10, 20)]  # the judged true and false secrets go
        rows.append(["blocking-in-async", "src/c.ts", 8, "`fs.readFileSync` blocks the event loop"])
        self.set_findings("acme+shop", rows)
        out = self.run_check()
        self.assertIn("appeared     src/c.ts:8 blocking-in-async `fs.readFileSync` blocks the event loop  [unjudged]", out)
        self.assertIn("disappeared  src/a.ts:10 hardcoded-secret `API_KEY` is assigned a hardcoded credential  [judged true]", out)
        self.assertIn("disappeared  src/a.ts:20 hardcoded-secret `TOKEN` is assigned a hardcoded credential  [judged false]", out)
        self.assertIn("LOST DETECTION: judged true finding no longer reported: src/a.ts:10 hardcoded-secret (a live key)", out)
        self.assertIn("fixed false positive: judged false finding no longer reported: src/a.ts:20 hardcoded-secret (a placeholder)", out)
        self.assertEqual(self.precision_line(out, "hardcoded-secret")[2:4], ["-", "1/2"])

    def test_a_judged_finding_that_comes_back_shows_its_verdict(self):
        self.set_findings("acme+shop", SHOP_FINDINGS[2:])
        self.run_check()
        self.set_findings("acme+shop", SHOP_FINDINGS)
        out = self.run_check()
        self.assertIn("appeared     src/a.ts:20 hardcoded-secret `TOKEN` is assigned a hardcoded credential  [judged false]", out)

    def test_fail_on_unjudged(self):
        self.run_check("--fail-on-unjudged", expect=1)
        self.run_check("--fail-on-unjudged", "--repo", "acme/vault", expect=0)

    def test_write_unjudged_appends_stubs_once(self):
        out = self.run_check("--write-unjudged")
        self.assertIn("wrote 1 TODO stub(s)", out)
        verdicts = tomllib.loads((self.bench / "verdicts" / "acme+shop.toml").read_text())["verdict"]
        self.assertEqual(len(verdicts), 4)
        self.assertEqual({k: verdicts[-1][k] for k in ("rule", "path", "line", "true", "reason")},
                         {"rule": "sql-injection", "path": "src/db.ts", "line": 7, "true": "TODO", "reason": "TODO"})
        out = self.run_check("--write-unjudged", "--fail-on-unjudged", expect=1)  # a stub is no verdict
        self.assertNotIn("wrote", out)
        self.assertIn("src/db.ts:7 sql-injection", out)

    def test_select_all_judges_audit_without_reporting_it_as_new(self):
        self.run_check()
        out = self.run_check("--select", "all")
        self.assertIn("src/c.ts:3 panic-in-handler", out.split("unjudged (2):")[1])
        self.assertIn("same findings as the previous run", out)  # the audit rule was not run before
        self.assertEqual(self.precision_line(out, "panic-in-handler")[:2], ["panic-in-handler", "audit"])

    def test_commit_mismatch_warns(self):
        self.write_repos(shop_commit="f" * 40)
        out = self.run_check("--repo", "acme/shop")
        self.assertIn(f"WARNING: the checkout is at {self.commits['acme+shop']}, not the pinned {'f' * 40}", out)

    def test_stored_and_summary_markdown(self):
        self.run_check()
        doc = self.tmp / "precision.md"
        doc.write_text(f"# Precision\n\nIntro.\n\n{check.TABLE_START}\nold table\n{check.TABLE_END}\n\nAfter.\n")
        self.run_check("--stored", "--summary-markdown", str(doc))
        text = doc.read_text()
        self.assertTrue(text.startswith("# Precision\n\nIntro.\n\n"))
        self.assertTrue(text.endswith(f"{check.TABLE_END}\n\nAfter.\n"))
        self.assertNotIn("old table", text)
        self.assertIn("| `hardcoded-secret` | security | 1/2 (50%) | 1/2 (50%) |", text)
        self.assertIn("| `ssrf` | security | 1/1 (100%) | — |", text)
        self.assertIn("| **default tiers** | security, hardening | **2/3 (67%)** | **1/2 (50%)** |", text)
        self.assertNotIn("sql-injection", text)  # nothing judged: no row
        self.assertIn("Tuning repositories: 1 (acme/shop). Held-out repositories: 1 (acme/vault).", text)

    def test_bad_verdict_is_an_error(self):
        (self.bench / "verdicts" / "acme+vault.toml").write_text(
            '[[verdict]]\nrule = "x"\npath = "a"\nline = 1\ntrue = "maybe"\nreason = "r"\n')
        self.run_check(expect=2)


class Matching(unittest.TestCase):
    def f(self, line, message="m", rule="r", path="p"):
        return check.Finding(rule, path, line, message, "error")

    def v(self, line, message="m", rule="r", path="p"):
        return check.Verdict(rule, path, line, message, True, "why")

    def test_line_first_then_message_then_line_alone(self):
        findings = [self.f(10, "a"), self.f(30, "b (line 29)"), self.f(50, "reworded")]
        verdicts = [self.v(10, "a"), self.v(25, "b (line 24)"), self.v(50, "old words"), self.v(70, "gone")]
        pairs, unmatched, free = check.match(findings, verdicts)
        self.assertEqual(pairs, {0: 0, 1: 1, 2: 2})
        self.assertEqual((unmatched, free), ([], [3]))

    def test_a_new_finding_on_a_judged_line_does_not_steal_the_verdict(self):
        # The judged finding moved from line 10 to 13; another finding of the rule now sits on 10.
        findings = [self.f(10, "new one"), self.f(13, "judged one")]
        pairs, unmatched, _ = check.match(findings, [self.v(10, "judged one")])
        self.assertEqual((pairs, unmatched), ({1: 0}, [0]))

    def test_nearest_line_wins_among_equal_messages(self):
        findings = [self.f(40), self.f(11)]
        pairs, _, _ = check.match(findings, [self.v(10), self.v(41)])
        self.assertEqual(pairs, {0: 1, 1: 0})


if __name__ == "__main__":
    unittest.main()
