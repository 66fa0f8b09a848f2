//! The progress bar: on stderr, for a person watching a scan that takes more than a moment.
//! Never on pipes, in CI or with `--quiet`, and never on stdout, so no report changes by a byte.

use crate::engine::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::ffi::OsStr;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// A scan over within this shows no bar at all: no flicker on small projects and in hooks.
pub const DELAY: Duration = Duration::from_millis(300);
const TICK: Duration = Duration::from_millis(100);

/// Whether a scan shows a bar: only when stderr is a terminal, `--quiet` is off and the `CI`
/// variable does not say we run in CI (CI logs keep every redraw, and some CI terminals are
/// emulated well enough to pass the terminal check).
pub fn wanted(stderr_is_terminal: bool, quiet: bool, ci: Option<&OsStr>) -> bool {
    stderr_is_terminal && !quiet && !in_ci(ci)
}

/// CI services set `CI` (usually to `true`); empty, `0` and `false` mean it is off.
fn in_ci(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A bar that stays hidden for [`DELAY`], then counts files as they finish. Dropping it (which
/// [`ScanProgress::finish`] does) clears it, so the report starts on a clean line.
pub struct ScanProgress {
    bar: ProgressBar,
    /// Dropping the sender tells the reveal thread the scan is over.
    stop: Option<mpsc::Sender<()>>,
    reveal: Option<JoinHandle<()>>,
}

impl ScanProgress {
    /// Starts the clock for a bar on stderr.
    pub fn start() -> ScanProgress {
        ScanProgress::start_on(DELAY, ProgressDrawTarget::stderr)
    }

    /// Starts the clock for a bar that appears on `target()` after `delay`.
    pub fn start_on(delay: Duration, target: impl FnOnce() -> ProgressDrawTarget + Send + 'static) -> ScanProgress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(style("{spinner} archlint: finding files"));
        let (stop, stopped) = mpsc::channel::<()>();
        let shown = bar.clone();
        let reveal = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(delay) {
                shown.set_draw_target(target());
                shown.enable_steady_tick(TICK);
            }
        });
        ScanProgress { bar, stop: Some(stop), reveal: Some(reveal) }
    }

    pub fn finish(self) {}
}

impl Progress for ScanProgress {
    fn files_found(&self, files: usize) {
        self.bar.set_length(files as u64);
        self.bar.set_style(style("{spinner} archlint: scanning {bar:30} {pos}/{len} files"));
    }

    fn file_done(&self) {
        self.bar.inc(1);
    }
}

impl Drop for ScanProgress {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(reveal) = self.reveal.take() {
            let _ = reveal.join();
        }
        self.bar.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("progress templates are valid").progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;
    use std::sync::{Arc, Mutex};

    #[test]
    fn shown_only_to_a_terminal_without_quiet_outside_ci() {
        let ci = |v: &str| Some(OsStr::new(v).to_os_string());
        assert!(wanted(true, false, None));
        assert!(!wanted(false, false, None), "pipes and files get no bar");
        assert!(!wanted(true, true, None), "--quiet");
        assert!(!wanted(true, false, ci("true").as_deref()));
        assert!(!wanted(true, false, ci("1").as_deref()));
        assert!(wanted(true, false, ci("false").as_deref()), "CI=false is not CI");
        assert!(wanted(true, false, ci("0").as_deref()));
        assert!(wanted(true, false, ci("").as_deref()));
    }

    /// A terminal that records what is written to it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<Vec<String>>>);

    impl Screen {
        fn log(&self, text: String) -> std::io::Result<()> {
            self.0.lock().unwrap().push(text);
            Ok(())
        }
        fn written(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
            self.log(format!("<up {n}>"))
        }
        fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
            self.log(format!("<down {n}>"))
        }
        fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
            self.log(format!("<right {n}>"))
        }
        fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
            self.log(format!("<left {n}>"))
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.log(format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.log(s.to_string())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.log("<clear>".into())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn on(screen: &Screen) -> impl FnOnce() -> ProgressDrawTarget + Send + 'static {
        let screen = screen.clone();
        move || ProgressDrawTarget::term_like(Box::new(screen))
    }

    #[test]
    fn a_scan_over_before_the_delay_draws_nothing() {
        let screen = Screen::default();
        let progress = ScanProgress::start_on(Duration::from_secs(60), on(&screen));
        progress.files_found(3);
        (0..3).for_each(|_| progress.file_done());
        progress.finish();
        assert!(screen.written().is_empty(), "{:?}", screen.written());
    }

    #[test]
    fn a_longer_scan_shows_files_done_then_clears_the_bar() {
        let screen = Screen::default();
        let progress = ScanProgress::start_on(Duration::from_millis(1), on(&screen));
        progress.files_found(4);
        progress.file_done();
        // Wait for the bar to appear and draw (the steady tick redraws it).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !screen.written().iter().any(|s| s.contains("1/4 files")) {
            assert!(std::time::Instant::now() < deadline, "the bar never appeared: {:?}", screen.written());
            std::thread::sleep(Duration::from_millis(20));
        }
        progress.finish();
        // After the last text drawn, the line is cleared (cursor moves aside).
        let written = screen.written();
        let last_text = written.iter().rposition(|s| !s.starts_with('<') && !s.trim().is_empty()).unwrap();
        assert!(written[last_text..].iter().any(|s| s == "<clear>"), "the bar is cleared before the report: {written:?}");
    }
}
