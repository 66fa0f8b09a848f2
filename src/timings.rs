//! `--timings`: where a scan spent its time, per phase and per rule, and its peak memory.
//!
//! Nothing here runs unless asked for: the front-ends and the engine take a flag, and with it off
//! every clock below is a no-op that reads no time. Per-file phases (read, parse, model, rules,
//! suppressions) run interleaved on the worker threads, so they are measured on the thread (elapsed
//! and thread CPU time, summed over files); the sequential phases (walk, project pass, output) are
//! measured on the process (elapsed and process CPU time, which counts the walker's threads too).

use std::fmt::Write as _;
use std::ops::AddAssign;
use std::time::{Duration, Instant};

/// Elapsed time and CPU time of one phase.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Elapsed time; summed over files (and so over threads) for per-file phases.
    pub wall: Duration,
    /// CPU time; the elapsed time where the platform has no CPU clock.
    pub cpu: Duration,
}

impl AddAssign for Cost {
    fn add_assign(&mut self, other: Cost) {
        self.wall += other.wall;
        self.cpu += other.cpu;
    }
}

impl Cost {
    fn saturating_sub(self, other: Cost) -> Cost {
        Cost { wall: self.wall.saturating_sub(other.wall), cpu: self.cpu.saturating_sub(other.cpu) }
    }
}

/// CPU time consumed by the calling thread.
pub fn thread_cpu_time() -> Option<Duration> {
    cpu_clock(Clock::Thread)
}

/// CPU time consumed by the whole process, all threads, since it started.
pub fn process_cpu_time() -> Option<Duration> {
    cpu_clock(Clock::Process)
}

#[derive(Clone, Copy)]
enum Clock {
    Thread,
    Process,
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos", target_os = "freebsd"))]
fn cpu_clock(clock: Clock) -> Option<Duration> {
    let id = match clock {
        Clock::Thread => libc::CLOCK_THREAD_CPUTIME_ID,
        Clock::Process => libc::CLOCK_PROCESS_CPUTIME_ID,
    };
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, exclusively borrowed timespec for the duration of the call.
    let status = unsafe { libc::clock_gettime(id, &mut now) };
    (status == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos", target_os = "freebsd")))]
fn cpu_clock(_: Clock) -> Option<Duration> {
    None
}

/// Peak resident memory of the process (`VmHWM` in `/proc/self/status`); `None` off Linux.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line["VmHWM:".len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// Measures consecutive phases: each [`Stopwatch::split`] returns the cost since the previous one.
/// A stopwatch made with `on == false` reads no clock and returns zero costs.
pub struct Stopwatch {
    clock: Clock,
    last: Option<(Instant, Option<Duration>)>,
}

impl Stopwatch {
    /// For phases run on one thread, among others doing the same (per-file phases).
    pub fn thread(on: bool) -> Stopwatch {
        Stopwatch::start(Clock::Thread, on)
    }

    /// For phases that own the process while they run (the walk, the project pass, the output).
    pub fn process(on: bool) -> Stopwatch {
        Stopwatch::start(Clock::Process, on)
    }

    fn start(clock: Clock, on: bool) -> Stopwatch {
        Stopwatch { clock, last: on.then(|| (Instant::now(), cpu_clock(clock))) }
    }

    pub fn is_on(&self) -> bool {
        self.last.is_some()
    }

    pub fn split(&mut self) -> Cost {
        let Some((wall_then, cpu_then)) = self.last else { return Cost::default() };
        let (wall_now, cpu_now) = (Instant::now(), cpu_clock(self.clock));
        self.last = Some((wall_now, cpu_now));
        let wall = wall_now - wall_then;
        let cpu = match (cpu_then, cpu_now) {
            (Some(then), Some(now)) => now.saturating_sub(then),
            _ => wall,
        };
        Cost { wall, cpu }
    }
}

/// Time spent inside one rule's check calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTime {
    pub id: &'static str,
    pub time: Duration,
    pub calls: u64,
}

/// Per-rule clocks for one file's dispatch loop: an `Instant` either side of each check call.
/// Empty (and free) when timings are off.
pub struct RuleClock {
    times: Vec<(Duration, u64)>,
}

impl RuleClock {
    pub fn new(on: bool, rules: usize) -> RuleClock {
        RuleClock { times: if on { vec![(Duration::ZERO, 0); rules] } else { Vec::new() } }
    }

    #[inline]
    pub fn start(&self) -> Option<Instant> {
        (!self.times.is_empty()).then(Instant::now)
    }

    #[inline]
    pub fn stop(&mut self, rule: usize, started: Option<Instant>) {
        if let Some(started) = started {
            let entry = &mut self.times[rule];
            entry.0 += started.elapsed();
            entry.1 += 1;
        }
    }

    /// The rules that were called, given the ids of the rules in dispatch order.
    pub fn finish(self, ids: impl Iterator<Item = &'static str>) -> Vec<RuleTime> {
        ids.zip(self.times).filter(|(_, (_, calls))| *calls > 0).map(|(id, (time, calls))| RuleTime { id, time, calls }).collect()
    }
}

/// What one file cost; all zero when timings are off.
#[derive(Debug, Default, Clone)]
pub struct FileTimings {
    /// Reading, decoding, the nesting guard and the line index.
    pub read: Cost,
    pub parse: Cost,
    /// The traversal that builds the semantic model and queues nodes for the rules.
    pub model: Cost,
    /// The dispatch loop: every check call.
    pub rules: Cost,
    pub suppressions: Cost,
    pub bytes: u64,
    pub rules_each: Vec<RuleTime>,
}

/// What a scan cost, phase by phase.
#[derive(Debug, Default, Clone)]
pub struct ScanTimings {
    pub jobs: usize,
    pub files: usize,
    pub bytes: u64,
    /// `--parse-only`: no model, rules or project pass ran.
    pub parse_only: bool,
    pub walk: Cost,
    /// The parallel per-file stage as a whole, measured on the process.
    pub file_stage: Cost,
    /// Per-file phases, summed over files.
    pub per_file: FileTimings,
    pub project: Cost,
    /// Rendering and writing the report; filled in by the caller.
    pub output: Cost,
    /// With the result cache on: files whose results were reused, of all files.
    pub cache: Option<(usize, usize)>,
}

impl ScanTimings {
    /// Adds the costs of another project's scan (a repository of several projects).
    pub fn absorb(&mut self, other: ScanTimings) {
        self.files += other.files;
        self.walk += other.walk;
        self.file_stage += other.file_stage;
        self.project += other.project;
        self.add_file(&other.per_file);
        self.cache = match (self.cache, other.cache) {
            (Some((reused, of)), Some((more, more_of))) => Some((reused + more, of + more_of)),
            (mine, theirs) => mine.or(theirs),
        };
    }

    pub fn add_file(&mut self, file: &FileTimings) {
        let sum = &mut self.per_file;
        sum.read += file.read;
        sum.parse += file.parse;
        sum.model += file.model;
        sum.rules += file.rules;
        sum.suppressions += file.suppressions;
        sum.bytes += file.bytes;
        self.bytes += file.bytes;
        for rule in &file.rules_each {
            match sum.rules_each.iter_mut().find(|r| r.id == rule.id) {
                Some(total) => {
                    total.time += rule.time;
                    total.calls += rule.calls;
                }
                None => sum.rules_each.push(rule.clone()),
            }
        }
    }

    /// The table `--timings` prints. `total` is the whole run (wall since the command started, the
    /// process's CPU time); `peak` the peak resident memory.
    pub fn render(&self, total: Cost, peak: Option<u64>) -> String {
        let f = &self.per_file;
        let busy = [f.read, f.parse, f.model, f.rules, f.suppressions].iter().map(|c| c.wall).sum::<Duration>();
        // Per-file phases interleave on the threads: each gets the share of the stage's wall time
        // that its summed elapsed time is of all of theirs.
        let share = |cost: Cost| -> Cost {
            let wall =
                if busy.is_zero() { Duration::ZERO } else { self.file_stage.wall.mul_f64(cost.wall.as_secs_f64() / busy.as_secs_f64()) };
            Cost { wall, cpu: cost.cpu }
        };
        let mut rows: Vec<(&str, Option<Cost>, &str)> = vec![
            ("walk", Some(self.walk), ""),
            ("read", Some(share(f.read)), "~"),
            ("parse", Some(share(f.parse)), "~"),
            ("model", (!self.parse_only).then(|| share(f.model)), "~"),
            ("rules", (!self.parse_only).then(|| share(f.rules)), "~"),
            ("suppressions", (!self.parse_only).then(|| share(f.suppressions)), "~"),
            ("project pass", (!self.parse_only).then_some(self.project), ""),
            ("output", Some(self.output), ""),
        ];
        let mut measured = Cost::default();
        for (_, cost, _) in &rows {
            measured += cost.unwrap_or_default();
        }
        rows.push(("other", Some(total.saturating_sub(measured)), ""));
        rows.push(("total", Some(total), ""));

        let mut out = String::new();
        let _ = writeln!(
            out,
            "archlint timings: {} file{}, {}, {} thread{}{}",
            self.files,
            if self.files == 1 { "" } else { "s" },
            bytes(self.bytes),
            self.jobs,
            if self.jobs == 1 { "" } else { "s" },
            if self.parse_only { " (--parse-only)" } else { "" }
        );
        let _ = writeln!(out, "  {:<14}{:>10}{:>10}{:>7}", "phase", "wall", "cpu", "cpu%");
        let total_cpu = total.cpu.as_secs_f64();
        for (name, cost, mark) in rows {
            match cost {
                Some(cost) => {
                    let percent = if total_cpu > 0.0 { 100.0 * cost.cpu.as_secs_f64() / total_cpu } else { 0.0 };
                    let _ = writeln!(
                        out,
                        "  {name:<14}{:>10}{:>10}{percent:>6.1}%",
                        format!("{mark}{}", seconds(cost.wall)),
                        seconds(cost.cpu)
                    );
                }
                None => {
                    let _ = writeln!(out, "  {name:<14}{:>10}{:>10}{:>7}", "-", "-", "-");
                }
            }
        }
        let per_file = if self.parse_only { "read and parse" } else { "read to suppressions" };
        let _ = writeln!(
            out,
            "  ~ {per_file} interleave on the threads: wall is their share of the file stage's {} (by elapsed time),\n    \
             cpu is thread CPU summed over files; other: configuration, thread start-up, per-file bookkeeping, freeing",
            seconds(self.file_stage.wall)
        );
        if !self.parse_only {
            let mut slowest = f.rules_each.clone();
            slowest.sort_by(|a, b| b.time.cmp(&a.time).then(a.id.cmp(b.id)));
            let _ = writeln!(out, "  slowest rules (elapsed inside check calls, summed over threads):");
            if slowest.is_empty() {
                let _ = writeln!(out, "    (no rule was called)");
            }
            for rule in slowest.iter().take(10) {
                let _ = writeln!(out, "    {:<32}{:>10}  {} calls", rule.id, seconds(rule.time), rule.calls);
            }
        }
        let wall = total.wall.as_secs_f64();
        let (files_per_second, bytes_per_second) =
            if wall > 0.0 { (self.files as f64 / wall, (self.bytes as f64 / wall) as u64) } else { (0.0, 0) };
        let _ = writeln!(
            out,
            "  throughput: {files_per_second:.0} files/s, {}/s (over the total wall time); peak memory: {}",
            bytes(bytes_per_second),
            peak.map_or_else(|| "n/a".to_string(), bytes)
        );
        if let Some((reused, files)) = self.cache {
            let _ = writeln!(out, "  cache: results of {reused} of {files} files reused (the others were analysed)");
        } else if !self.parse_only {
            let _ = writeln!(out, "  cache: off");
        }
        out
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.3}s", duration.as_secs_f64())
}

/// Bytes in binary units: `812 B`, `51.3 MiB`.
pub fn bytes(count: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if count < 1024 {
        return format!("{count} B");
    }
    let mut value = count as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopwatch_that_is_off_reads_nothing() {
        let mut clock = Stopwatch::thread(false);
        assert!(!clock.is_on());
        assert_eq!(clock.split(), Cost::default());
        let clock = RuleClock::new(false, 3);
        assert!(clock.start().is_none());
    }

    #[test]
    fn rule_times_merge_by_id() {
        let mut scan = ScanTimings::default();
        let rule = |id, ms, calls| RuleTime { id, time: Duration::from_millis(ms), calls };
        scan.add_file(&FileTimings { bytes: 10, rules_each: vec![rule("a", 1, 2), rule("b", 3, 1)], ..FileTimings::default() });
        scan.add_file(&FileTimings { bytes: 5, rules_each: vec![rule("b", 1, 1)], ..FileTimings::default() });
        assert_eq!(scan.bytes, 15);
        assert_eq!(scan.per_file.rules_each, vec![rule("a", 1, 2), rule("b", 4, 2)]);
    }

    #[test]
    fn the_table_names_every_phase() {
        let scan = ScanTimings { jobs: 2, files: 3, ..ScanTimings::default() };
        let table = scan.render(Cost { wall: Duration::from_millis(10), cpu: Duration::from_millis(15) }, None);
        for phase in ["walk", "read", "parse", "model", "rules", "suppressions", "project pass", "output", "other", "total"] {
            assert!(table.contains(&format!("  {phase} ")), "{phase} in\n{table}");
        }
        assert!(table.contains("peak memory: n/a"), "{table}");
    }

    #[test]
    fn byte_units() {
        assert_eq!(bytes(812), "812 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
