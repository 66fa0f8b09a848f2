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

/// Deliberately slow functions, by path suffix.
const SLOW_FUNCTIONS: &[&str] = &[
    "bcrypt::hash",
    "bcrypt::verify",
    "bcrypt::hash_with_salt",
    "scrypt::scrypt",
    "pbkdf2::pbkdf2",
    "pbkdf2::pbkdf2_hmac",
    "argon2::hash_encoded",
    "argon2::verify_encoded",
];
/// Deliberately slow methods (the argon2/password-hash traits), with the receiver text that marks them.
const SLOW_METHODS: &[(&str, &str)] =
    &[("hash_password", "rgon2"), ("verify_password", "rgon2"), ("hash_password", "crypt"), ("verify_password", "crypt")];

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
        let (span, what) = match node.syntax {
            RustSyntax::Call(call) => {
                let Some(path) = model.call_path(call) else { return };
                let Some(function) = SLOW_FUNCTIONS.iter().find(|f| path.ends_with(*f)) else { return };
                (span_of(cx.file, &call.func), format!("`{function}`"))
            }
            RustSyntax::MethodCall(call) => {
                let method = call.method.to_string();
                let receiver = quote::ToTokens::to_token_stream(&call.receiver).to_string();
                let slow = SLOW_METHODS
                    .iter()
                    .any(|(m, marker)| *m == method && (receiver.contains(marker) || cx.file.text.contains(&format!("{marker}::"))));
                if !slow {
                    return;
                }
                (span_of(cx.file, &call.method), format!("`.{method}()`"))
            }
            _ => return,
        };
        cx.report(span, format!("{what} hashes a password on the async executor, blocking a worker thread for the whole hash")).help =
            Some("run it in `tokio::task::spawn_blocking(move || ...)` (actix-web: `web::block`)".into());
    }
}
