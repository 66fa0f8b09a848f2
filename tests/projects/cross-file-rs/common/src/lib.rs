use std::process::Command;

/// Renders an export with the site's tool.
pub fn run_export(format: &str) -> std::io::Result<std::process::Output> {
    Command::new("sh").arg("-c").arg(format!("render --format {format}")).output()
}
