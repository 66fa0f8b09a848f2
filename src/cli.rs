//! The command line: `archlint [PATH]...`, `archlint rules`, `archlint explain RULE`,
//! `archlint init`, `archlint lsp`. Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage,
//! configuration or I/O error.

use crate::changes::{ChangedLines, Since};
use crate::config::{self, CliOverrides, Config};
use crate::diagnostic::{Level, NoticeKind};
use crate::engine::{self, ScanOptions};
use crate::progress::{self, ScanProgress};
use crate::report::{self, Format, ReportOptions};
use crate::rules::{docs, meta};
use crate::timings::{self, Cost, Stopwatch};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

const EXIT_CLEAN: i32 = 0;
const EXIT_FINDINGS: i32 = 1;
const EXIT_ERROR: i32 = 2;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "archlint",
    version,
    about = "archlint: a linter for backend services in Rust and TypeScript/JavaScript.",
    long_about = "archlint: a linter for backend services in Rust and TypeScript/JavaScript.\n\n\
Checks that input is validated, traffic is encrypted, secrets stay out of code and every\n\
outbound call has a timeout. Scans the current directory when no path is given.",
    after_help = "Examples:\n  archlint                                  scan the current directory\n  archlint services/api --format sarif -o archlint.sarif\n  archlint explain http-client-without-timeout\n\nExit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or configuration error (or, with --strict, an internal error).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or directories to scan [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Use this configuration file instead of looking for archlint.toml
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Run only these rules or tiers (comma-separated; replaces `select` in the config)
    #[arg(long, value_delimiter = ',', value_name = "RULE|TIER")]
    pub select: Option<Vec<String>>,

    /// Do not run these rules or tiers (comma-separated; adds to `ignore` in the config)
    #[arg(long, value_delimiter = ',', value_name = "RULE|TIER")]
    pub ignore: Vec<String>,

    /// Exit with 1 when a finding is at or above this level [default: warning]
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Always exit with 0 when the scan itself succeeded
    #[arg(long)]
    pub exit_zero: bool,

    /// Exit with 2 when any internal error occurred (a rule failed on a file), even with --exit-zero
    #[arg(long)]
    pub strict: bool,

    /// Number of threads [default: number of cores]
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Print findings only: no notices, no summary
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// When to use colours in human output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Report suppressed findings too (SARIF marks them with `suppressions`)
    #[arg(long)]
    pub include_suppressed: bool,

    /// Leave the absolute project root out of SARIF (`originalUriBaseIds`)
    #[arg(long)]
    pub no_absolute_paths: bool,

    /// Apply the safe fixes of the findings that have one, then report what remains
    #[arg(long)]
    pub fix: bool,

    /// With `--fix` or `--fix-diff`: apply unsafe fixes too (they change behaviour a person
    /// should weigh, or choose a value for you)
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print what `--fix` would change as a unified diff, and write nothing
    #[arg(long, conflicts_with = "fix")]
    pub fix_diff: bool,

    /// List every notice in human output (by default, several of a kind are one line with a
    /// count; SARIF and JSON always have them all)
    #[arg(long)]
    pub show_notices: bool,

    /// Do not read or write the result cache (`.archlint_cache/` under the project root)
    #[arg(long)]
    pub no_cache: bool,

    /// Keep the result cache in DIR instead of `.archlint_cache/` under the project root
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Record the current findings in FILE (a baseline) and exit 0
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report only findings that are not in the baseline FILE
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Report only findings on lines added or changed since the git REF (a commit, branch or tag,
    /// compared with the working tree; untracked files count as new). The whole project is still
    /// scanned, so facts from unchanged files hold
    #[arg(long, value_name = "REF", conflicts_with_all = ["staged", "write_baseline"])]
    pub diff: Option<String>,

    /// Report only findings on staged lines (`git diff --cached`): what a commit would add
    #[arg(long, conflicts_with = "write_baseline")]
    pub staged: bool,

    /// With files named on the command line, scan only those files: no facts from the rest of
    /// the project (faster in a very large repository, but findings that another file answers,
    /// such as a global ValidationPipe, are reported)
    #[arg(long)]
    pub no_project_context: bool,

    /// After the scan, print to stderr the time and CPU time of each phase, the slowest rules,
    /// throughput and peak memory (the report itself is unchanged)
    #[arg(long, visible_alias = "stats")]
    pub timings: bool,

    /// Diagnostic: only find, read and parse the files (walking each tree once), with no model
    /// and no rules, and print one line with the files, bytes and time: the floor a full scan is
    /// measured against. Exits 0 unless the scan itself fails
    #[arg(long)]
    pub parse_only: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// List every rule with its tier, default level and languages
    Rules {
        /// `table` for people, `json` for tools (with each rule's CWEs, options and docs link)
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
    },
    /// Show a rule's full documentation
    Explain {
        /// Rule id, e.g. plain-http-url
        rule: String,
        /// Print the Markdown page (as in docs/rules/)
        #[arg(long)]
        markdown: bool,
    },
    /// List what archlint knows of frameworks and libraries (sources, sinks, sanitizers,
    /// propagators), built-in and from archlint.toml's [models], and where each entry comes from
    Models {
        /// `table` for people, `json` for tools
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
        /// Only this language: `rust` or `typescript` (which covers JavaScript)
        #[arg(long)]
        language: Option<String>,
    },
    /// Write a commented archlint.toml in the current directory
    Init,
    /// Run the language server on standard input and output (for editors; see docs/editors.md)
    Lsp {
        /// Accepted for clients that pass it; standard input and output are the only transport
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN };
            let _ = error.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("archlint: error: {message}");
            EXIT_ERROR
        }
    }
}

fn run(cli: Cli) -> Result<i32, String> {
    match &cli.command {
        Some(Command::Rules { format }) => {
            let config = load_config(&cli, &[PathBuf::from(".")])?;
            let enabled = |id: &str| config.enabled_rules().any(|r| r.meta.id == id);
            let text = match format {
                RulesFormat::Table => docs::catalogue(&enabled),
                RulesFormat::Json => docs::catalogue_json(&enabled),
            };
            print_stdout(text.as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        Some(Command::Explain { rule, markdown }) => {
            let meta = meta::get(rule).ok_or_else(|| format!("unknown rule `{rule}`; `archlint rules` lists them"))?;
            let text = if *markdown { docs::markdown_page(meta) } else { docs::explain(meta) };
            print_stdout(text.as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        Some(Command::Models { format, language }) => {
            let config = load_config(&cli, &[PathBuf::from(".")])?;
            let language = match language.as_deref() {
                None => None,
                Some("rust") => Some(crate::models::Language::Rust),
                Some("typescript" | "javascript" | "ts" | "js") => Some(crate::models::Language::Typescript),
                Some(other) => return Err(format!("--language must be rust or typescript, not `{other}`")),
            };
            let text = models_listing(config.knowledge(), language, *format);
            print_stdout(text.as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        Some(Command::Init) => {
            let path = Path::new("archlint.toml");
            if path.exists() {
                return Err("archlint.toml already exists".into());
            }
            std::fs::write(path, config::INIT_TEMPLATE).map_err(|e| format!("cannot write archlint.toml: {e}"))?;
            println!("Wrote archlint.toml");
            Ok(EXIT_CLEAN)
        }
        Some(Command::Lsp { .. }) => Ok(crate::lsp::run()),
        None => scan(&cli),
    }
}

/// `archlint models`: every entry, by language and section, with where it comes from.
fn models_listing(knowledge: &crate::models::Knowledge, language: Option<crate::models::Language>, format: RulesFormat) -> String {
    let listing = knowledge.listing();
    let entries: Vec<_> = listing.entries.iter().filter(|e| language.is_none_or(|l| e.language == l)).collect();
    if format == RulesFormat::Json {
        let models: Vec<_> = knowledge.models.iter().filter(|m| language.is_none_or(|l| m.language == l)).collect();
        let value = serde_json::json!({ "models": models, "entries": entries });
        return serde_json::to_string_pretty(&value).expect("the listing serialises") + "\n";
    }
    let mut out = String::new();
    let mut heading = None;
    for entry in entries {
        let this = (entry.language, entry.section);
        if heading != Some(this) {
            let plural = match entry.section {
                "blocking" => "blocking calls".to_string(),
                "graphql" => "GraphQL servers, schemas and IDE pages".to_string(),
                section if section.ends_with("ch") => format!("{section}es"),
                section => format!("{section}s"),
            };
            out.push_str(&format!("\n{} {plural}\n", entry.language.name()));
            heading = Some(this);
        }
        let kind = entry.kind.as_deref().map(|k| format!("[{k}] ")).unwrap_or_default();
        let detail = if entry.detail.is_empty() { String::new() } else { format!(" ({})", entry.detail) };
        out.push_str(&format!("  {kind}{}{detail}  — {}\n", entry.name, entry.from));
    }
    out.trim_start().to_string()
}

fn scan(cli: &Cli) -> Result<i32, String> {
    let started = Instant::now();
    let paths = if cli.paths.is_empty() { vec![PathBuf::from(".")] } else { cli.paths.clone() };
    for path in &paths {
        if !path.exists() {
            return Err(format!("path `{}` does not exist", path.display()));
        }
    }
    if cli.jobs == Some(0) {
        return Err("--jobs must be at least 1".into());
    }
    if cli.parse_only {
        check_parse_only(cli)?;
    }
    let jobs = cli.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if cli.parse_only {
        let mut config = load_config(cli, &paths)?;
        // Every file the paths hold, whichever configuration governs it.
        config.nested_projects = false;
        return parse_only(cli, &config, &paths, jobs, started);
    }
    let projects = plan_projects(cli, &paths)?;
    let base = output_root(&paths, &projects);
    let baseline = cli.baseline.as_deref().map(crate::baseline::load).transpose()?;
    let changed = changed_lines(cli, &paths[0])?;
    let show_progress = progress::wanted(std::io::stderr().is_terminal(), cli.quiet, std::env::var_os("CI").as_deref());
    let progress = show_progress.then(ScanProgress::start);
    let watcher: &dyn engine::Progress = match &progress {
        Some(progress) => progress,
        None => &engine::NoProgress,
    };
    let mut scanned: Vec<(Config, engine::ScanResult)> = Vec::new();
    let mut queue: std::collections::VecDeque<Project> = projects.into();
    let mut roots_seen: std::collections::HashSet<PathBuf> = queue.iter().map(|p| p.config.root.clone()).collect();
    while let Some(project) = queue.pop_front() {
        let result = scan_project(cli, &project, jobs, watcher);
        // Directories of the requested paths that hold a configuration of their own.
        for nested in &result.nested_projects {
            let requested = project.targets.iter().any(|t| t.is_dir() && t.canonicalize().is_ok_and(|t| nested.starts_with(t)));
            if requested && roots_seen.insert(nested.clone()) {
                let config = load_project_config(cli, config::discover(nested).as_deref(), nested.clone())?;
                queue.push_back(Project { config, targets: vec![nested.clone()] });
            }
        }
        scanned.push((project.config, result));
    }
    // The bar is cleared before anything else is printed.
    if let Some(progress) = progress {
        progress.finish();
    }
    let fail_on_by_root: Vec<(String, Level)> =
        scanned.iter().map(|(config, _)| (crate::walk::relative_from(&config.root, &base), config.fail_on)).collect();
    let mut scope = report::Scope::of_projects(base.clone(), scanned.iter().map(|(config, _)| config));
    let mut result = engine::ScanResult::default();
    for (config, mut project_result) in scanned {
        project_result.rebase(&config.root, &base);
        result.absorb(project_result);
    }
    if let (Some(message), false) = (&result.cache_error, cli.quiet) {
        eprintln!("archlint: warning: {message} (the scan is complete; the next one will not be faster)");
    }
    if let Some(path) = &cli.write_baseline {
        // A baseline from a scan in which a rule failed would hide that rule's findings for good.
        strict(cli, &result)?;
        let findings: Vec<&crate::diagnostic::Finding> = result.active_findings().collect();
        write_atomically(path, &crate::baseline::render(&findings))?;
        eprintln!(
            "archlint: baseline of {} finding{} written to {}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            path.display()
        );
        return Ok(EXIT_CLEAN);
    }
    if let Some(baseline) = &baseline {
        let applied = crate::baseline::apply(&mut result.findings, baseline);
        let known = applied.known;
        if known > 0 && !cli.quiet {
            eprintln!("archlint: {known} finding{} already in the baseline not shown", if known == 1 { "" } else { "s" });
        }
        // Only a scan of whole projects can tell that an entry is gone: named files and
        // `--diff` leave other files' findings out.
        let whole = changed.is_none() && !paths.iter().any(|p| p.is_file());
        if whole && applied.unmatched > 0 && !cli.quiet {
            let n = applied.unmatched;
            eprintln!(
                "archlint: {n} baseline entr{} match{} no finding any more (fixed, or moved out of the scan); `--write-baseline` drops {}",
                if n == 1 { "y" } else { "ies" },
                if n == 1 { "es" } else { "" },
                if n == 1 { "it" } else { "them" }
            );
        }
    }
    if let Some(changed) = &changed {
        // After the baseline: its keys count occurrences in the whole file.
        let unchanged = result.narrow(&base, |path, lines| match lines {
            Some((first, last)) => changed.touches(path, first, last),
            None => changed.has_file(path),
        });
        if unchanged > 0 && !cli.quiet {
            eprintln!("archlint: {unchanged} finding{} on unchanged lines not shown", if unchanged == 1 { "" } else { "s" });
        }
    }
    if cli.fix || cli.fix_diff {
        return apply_fixes(cli, &result, &base);
    }
    if cli.unsafe_fixes {
        return Err("--unsafe-fixes goes with --fix or --fix-diff".into());
    }
    let fail_on = |path: &str| -> Level {
        match cli.fail_on {
            Some(FailOn::Error) => Level::Error,
            Some(FailOn::Warning) => Level::Warning,
            Some(FailOn::Note) => Level::Note,
            // The configuration of the deepest project holding the file.
            None => fail_on_by_root
                .iter()
                .filter(|(root, _)| root.is_empty() || path == root || path.starts_with(&format!("{root}/")))
                .max_by_key(|(root, _)| root.len())
                .map_or(Level::Warning, |(_, level)| *level),
        }
    };
    let failed = result.active_findings().any(|f| f.level >= fail_on(&f.path));
    let mut clock = Stopwatch::process(cli.timings);

    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => cli.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let options = ReportOptions {
        color,
        include_suppressed: cli.include_suppressed,
        show_notices: cli.show_notices,
        quiet: cli.quiet,
        absolute_root: (!cli.no_absolute_paths).then(|| base.clone()),
    };
    // People read paths from where they stand: a terminal opens `../api/src/db.ts` from `web/`.
    if cli.format == Format::Human {
        if let Ok(here) = std::env::current_dir().and_then(|d| d.canonicalize()) {
            result.rebase(&base, &here);
            scope.root = here;
        }
    }
    let rendered = report::render(cli.format, &result, &scope, &options);
    match &cli.output {
        Some(path) => write_atomically(path, &rendered)?,
        None => print_stdout(&rendered)?,
    }
    if let (Some(output), false, false) = (&cli.output, cli.format == Format::Human, cli.quiet) {
        let count = result.active_findings().count();
        eprintln!("archlint: {count} finding{} written to {}", if count == 1 { "" } else { "s" }, output.display());
    }
    if let Some(timings) = &mut result.timings {
        timings.output = clock.split();
        eprint!("{}", timings.render(run_cost(started), timings::peak_memory()));
    }
    strict(cli, &result)?;
    Ok(if failed && !cli.exit_zero { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Where machine-readable paths start: the git repository holding every path (GitHub and
/// GitLab resolve paths there, wherever the configurations lie), else the deepest directory
/// holding every project's root.
fn output_root(paths: &[PathBuf], projects: &[Project]) -> PathBuf {
    let roots: Vec<&PathBuf> = projects.iter().map(|p| &p.config.root).collect();
    if let Some(repository) = config::repository_root(&paths[0]) {
        if roots.iter().all(|root| root.starts_with(&repository)) && project_root(paths).starts_with(&repository) {
            return repository;
        }
    }
    let mut common = roots.first().map_or_else(|| project_root(paths), |root| (*root).clone());
    while !roots.iter().all(|root| root.starts_with(&common)) && common.pop() {}
    common
}

/// `--fix`: applies the fixes, writes each changed file atomically, then scans again and reports
/// what remains (the exit status is that scan's). `--fix-diff`: prints the changes as a unified
/// diff and writes nothing (exit 1 when there is something to fix).
fn apply_fixes(cli: &Cli, result: &engine::ScanResult, base: &Path) -> Result<i32, String> {
    let planned = crate::fix::planned(result.active_findings(), cli.unsafe_fixes);
    let withheld = result
        .active_findings()
        .filter(|f| !cli.unsafe_fixes && f.fix.as_ref().is_some_and(|fix| fix.applicability == crate::diagnostic::Applicability::Unsafe))
        .count();
    let mut fixed_files = Vec::new();
    for (path, fixes) in &planned {
        let Some(fixed) = crate::fix::fix_file(base, path, fixes) else {
            eprintln!("archlint: warning: cannot read `{path}` to fix it");
            continue;
        };
        for reason in &fixed.refused {
            eprintln!("archlint: warning: {reason}");
        }
        if fixed.applied > 0 {
            fixed_files.push(fixed);
        }
    }
    let count: usize = fixed_files.iter().map(|f| f.applied).sum();
    let plural = |n: usize, word: &str| {
        let ending = match (n, word.ends_with('x')) {
            (1, _) => "",
            (_, true) => "es",
            _ => "s",
        };
        format!("{n} {word}{ending}")
    };
    let unsafe_note =
        if withheld > 0 { format!("; {} not applied (add --unsafe-fixes)", plural(withheld, "unsafe fix")) } else { String::new() };
    if cli.fix_diff {
        let diff: String = fixed_files.iter().map(crate::fix::unified_diff).collect();
        print_stdout(diff.as_bytes())?;
        if !cli.quiet {
            eprintln!("archlint: {} in {} would be applied{unsafe_note}", plural(count, "fix"), plural(fixed_files.len(), "file"));
        }
        return Ok(if count > 0 { EXIT_FINDINGS } else { EXIT_CLEAN });
    }
    for fixed in &fixed_files {
        write_atomically(&base.join(&fixed.path), fixed.after.as_bytes())?;
    }
    if !cli.quiet {
        eprintln!("archlint: {} applied in {}{unsafe_note}", plural(count, "fix"), plural(fixed_files.len(), "file"));
    }
    // What remains, as a scan without fixing would report it.
    let mut again = cli.clone();
    again.fix = false;
    again.unsafe_fixes = false;
    scan(&again)
}

/// One project of a scan: a configuration, and the requested paths it governs.
struct Project {
    config: Config,
    targets: Vec<PathBuf>,
}

/// The projects the requested paths belong to: each path's nearest `archlint.toml` (Ruff's
/// hierarchy), whatever order files are named in; paths under no configuration share the
/// defaults, rooted at their repository. `--config` governs every path.
fn plan_projects(cli: &Cli, paths: &[PathBuf]) -> Result<Vec<Project>, String> {
    if cli.config.is_some() {
        let mut config = load_config(cli, paths)?;
        config.nested_projects = false;
        return Ok(vec![Project { config, targets: paths.to_vec() }]);
    }
    let mut groups: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for path in paths {
        let found = config::discover(path).map(|p| p.canonicalize().unwrap_or(p));
        match groups.iter_mut().find(|(key, _)| *key == found) {
            Some((_, targets)) => targets.push(path.clone()),
            None => groups.push((found, vec![path.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(config_path, targets)| {
            let config = load_project_config(cli, config_path.as_deref(), project_root(&targets))?;
            Ok(Project { config, targets })
        })
        .collect()
}

fn load_project_config(cli: &Cli, config_path: Option<&Path>, root: PathBuf) -> Result<Config, String> {
    let overrides = CliOverrides { select: cli.select.clone(), ignore: cli.ignore.clone(), fail_on: None };
    Config::load(config_path, root, &overrides).map_err(|e| e.to_string())
}

/// Scans one project; in hook mode (files named) the whole project for its facts, reporting the
/// named files.
fn scan_project(cli: &Cli, project: &Project, jobs: usize, watcher: &dyn engine::Progress) -> engine::ScanResult {
    let config = &project.config;
    let cache = (!cli.no_cache).then(|| cli.cache_dir.clone().unwrap_or_else(|| crate::cache::Cache::default_dir(config)));
    let options = ScanOptions { jobs, cache };
    match named_files_in_project(cli, config, &project.targets) {
        Some(named) => {
            // Hook mode: the whole project is scanned for its facts (from the cache where the
            // files did not change), the named files reported.
            let mut scanned = vec![config.root.clone()];
            scanned.extend(project.targets.iter().cloned());
            let mut result = engine::scan_with_progress(config, &scanned, &options, cli.timings, watcher);
            result.narrow(&config.root, |path, _| named.iter().any(|named| path.starts_with(named)));
            result
        }
        None => engine::scan_with_progress(config, &project.targets, &options, cli.timings, watcher),
    }
}

/// The lines `--diff REF` or `--staged` report on, from the git repository that holds `first`.
fn changed_lines(cli: &Cli, first: &Path) -> Result<Option<ChangedLines>, String> {
    let since = match (&cli.diff, cli.staged) {
        (Some(reference), _) => Since::Ref(reference.clone()),
        (None, true) => Since::Index,
        (None, false) => return Ok(None),
    };
    let dir = if first.is_file() { first.parent().unwrap_or(Path::new(".")) } else { first };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    ChangedLines::load(&since, dir).map(Some)
}

/// Hook mode: files named on the command line (pre-commit passes the staged ones) inside a
/// project (a directory with `archlint.toml` or `.git`) are reported alone, but facts come from
/// the whole project, so `axios.defaults.timeout` set in another file still answers their calls.
/// Returns the named paths, absolute, when this applies.
fn named_files_in_project(cli: &Cli, config: &Config, paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    if cli.no_project_context || !paths.iter().any(|path| path.is_file()) {
        return None;
    }
    let in_project = config.source.is_some() || config::repository_root(&paths[0]).is_some();
    let named: Vec<PathBuf> = paths.iter().map(|path| path.canonicalize().unwrap_or_else(|_| path.clone())).collect();
    // A `--config` from elsewhere does not make its directory this file's project.
    (in_project && named.iter().all(|path| path.starts_with(&config.root))).then_some(named)
}

/// `--strict`: an internal error (a rule that failed on a file) is an error of the run.
fn strict(cli: &Cli, result: &engine::ScanResult) -> Result<(), String> {
    let internal_errors = result.notices.iter().filter(|n| n.kind == NoticeKind::InternalError).count();
    if cli.strict && internal_errors > 0 {
        return Err(format!(
            "{internal_errors} internal error{} (a rule failed on a file; see the notices), and --strict is set",
            if internal_errors == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

/// `--parse-only` prints one line and runs no rule: options about rules and reports are mistakes.
fn check_parse_only(cli: &Cli) -> Result<(), String> {
    let conflicts = [
        (cli.output.is_some(), "--output"),
        (cli.format != Format::Human, "--format"),
        (cli.select.is_some(), "--select"),
        (!cli.ignore.is_empty(), "--ignore"),
        (cli.fail_on.is_some(), "--fail-on"),
        (cli.include_suppressed, "--include-suppressed"),
        (cli.diff.is_some(), "--diff"),
        (cli.staged, "--staged"),
    ];
    match conflicts.iter().find(|(given, _)| *given) {
        Some((_, option)) => Err(format!("--parse-only runs no rules and writes no report, so {option} cannot be used with it")),
        None => Ok(()),
    }
}

fn parse_only(cli: &Cli, config: &Config, paths: &[PathBuf], jobs: usize, started: Instant) -> Result<i32, String> {
    let mut result = engine::parse_only(config, paths, &ScanOptions { jobs, cache: None }, cli.timings);
    let mut clock = Stopwatch::process(cli.timings);
    let line = format!(
        "archlint --parse-only: {} file{} parsed ({} skipped, {} with syntax errors), {}, {} syntax nodes, in {:.2}s on {jobs} thread{}\n",
        result.parsed,
        if result.parsed == 1 { "" } else { "s" },
        result.skipped,
        result.with_errors,
        timings::bytes(result.bytes),
        result.nodes,
        result.duration.as_secs_f64(),
        if jobs == 1 { "" } else { "s" },
    );
    print_stdout(line.as_bytes())?;
    if let Some(timings) = &mut result.timings {
        timings.output = clock.split();
        eprint!("{}", timings.render(run_cost(started), timings::peak_memory()));
    }
    Ok(EXIT_CLEAN)
}

/// The whole command so far: elapsed since `started`, and the process's CPU time.
fn run_cost(started: Instant) -> Cost {
    let wall = started.elapsed();
    Cost { wall, cpu: timings::process_cpu_time().unwrap_or(wall) }
}

fn load_config(cli: &Cli, paths: &[PathBuf]) -> Result<Config, String> {
    let first = &paths[0];
    let config_path = match &cli.config {
        Some(path) if !path.is_file() => return Err(format!("config file `{}` does not exist", path.display())),
        Some(path) => Some(path.clone()),
        None => config::discover(first),
    };
    let root = project_root(paths);
    let overrides = CliOverrides { select: cli.select.clone(), ignore: cli.ignore.clone(), fail_on: None };
    Config::load(config_path.as_deref(), root, &overrides).map_err(|e| e.to_string())
}

/// Where paths in the output start when no configuration file says: the git repository of the
/// first path if it holds every path, otherwise the deepest directory that holds them all.
fn project_root(paths: &[PathBuf]) -> PathBuf {
    let directories: Vec<PathBuf> = paths
        .iter()
        .map(|path| {
            let dir = if path.is_file() { path.parent().unwrap_or(Path::new(".")).to_path_buf() } else { path.clone() };
            let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
            dir.canonicalize().unwrap_or(dir)
        })
        .collect();
    if let Some(repository) = config::repository_root(&paths[0]) {
        if directories.iter().all(|dir| dir.starts_with(&repository)) {
            return repository;
        }
    }
    let mut common = directories[0].clone();
    while !directories.iter().all(|dir| dir.starts_with(&common)) && common.pop() {}
    common
}

fn print_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        // `archlint | head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write output: {e}")),
        Ok(()) => Ok(()),
    }
}

/// Writes to a temporary file beside the target and renames it, so a killed run never leaves half
/// a report behind. Anything but a regular file is written in place: renaming over `/dev/null`
/// (as root), a named pipe or a symbolic link would replace it with a plain file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let in_place = std::fs::symlink_metadata(path).is_ok_and(|meta| !meta.file_type().is_file());
    if in_place {
        return std::fs::write(path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()));
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| format!("`{}` is not a file path", path.display()))?;
    let temporary = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    std::fs::write(&temporary, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write `{}`: {e}", path.display())
    })
}
