//! `cpu-heavy-work-in-async`: password hashing called directly on the async executor. argon2,
//! bcrypt, scrypt and pbkdf2 are slow on purpose (tens to hundreds of milliseconds of CPU); run
//! on a tokio worker they stall every other request scheduled on it, so a burst of logins
//! becomes a latency spike for the whole service.

use crate::lang::rust::{span_of, RustKind, RustModel, RustNode, RustSyntax};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};

pub const ENTRY: RuleEntry = RuleEntry { id: "cpu-heavy-work-in-async", build };

struct CpuHeavyWorkInAsync;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(CpuHeavyWorkInAsync))
}

const HELP: &str = "run it in `tokio::task::spawn_blocking(move || ...)` (actix-web: `web::block`)";

impl Rule for CpuHeavyWorkInAsync {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let site = &node.site;
        if !site.in_async || site.in_blocking_pool || site.in_test || cx.in_test {
            return;
        }
        // The models name the calls that compute for long (`models/password-hash-crates.toml`,
        // a `[[blocking]]` entry with `cpu = true`).
        let (parts, span, written) = match node.syntax {
            RustSyntax::Call(call) => (model.call_parts(call), span_of(cx.file, &call.func), None),
            RustSyntax::MethodCall(call) => {
                (model.method_call_parts(call, site.fn_id), span_of(cx.file, &call.method), Some(format!(".{}()", call.method)))
            }
            _ => return,
        };
        let Some(heavy) = model.blocking(&parts).filter(|b| b.cpu) else { return };
        let callee = written.unwrap_or_else(|| heavy.callee.written.clone());
        let message = heavy
            .message
            .as_deref()
            .unwrap_or("`{callee}` computes for long on the async executor, blocking a worker thread until it returns");
        let help = heavy
            .instead
            .as_ref()
            .map(|i| format!("use {i}, or run it in `tokio::task::spawn_blocking(move || ...)`"))
            .unwrap_or(HELP.into());
        cx.report(span, message.replace("{callee}", &callee)).help = Some(help);
    }
}
