//! `insecure-cookie`: session and token cookies without `Secure` (sent over plain HTTP, where
//! anyone on the network reads them) or without `HttpOnly` (readable by any script that runs on
//! the page, so one XSS hands the session over). The TypeScript setters and session middleware
//! are read in `typescript.rs`, the Rust cookie builders and session layers in `rust.rs`; what
//! both report (the flags, the message, the fix) is here.

mod rust;
mod typescript;

use crate::diagnostic::Edit;
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{span_of, Property};
use crate::lang::typescript::TsModel;
use crate::models::{Cookie, CookieFlag, CookieRole};
use crate::rules::helpers::{add_to_options, remove_property};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "insecure-cookie", build };

struct InsecureCookie;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(InsecureCookie))
}

const HELP: &str = "set `httpOnly: true` and `secure: true` (Rust: `.http_only(true).secure(true)`) on session and token cookies; `secure` may follow the environment (`secure: process.env.NODE_ENV === \"production\"`)";

/// What an option or builder call says about a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    /// Not written: the library's default (off for Express, Fastify and the `cookie` crate).
    Missing,
    Off,
    /// On, or bound to something computed at run time (an environment check).
    Set,
    /// A spread or an options object the file does not show may set it.
    Unknown,
}

/// The problems of one cookie, for the message: `["without \`httpOnly\`", ...]`.
fn problems(http_only: Flag, secure: Flag, same_site_none: bool, rust: bool) -> Vec<String> {
    let (http_only_name, secure_name) = if rust { (".http_only(true)", ".secure(true)") } else { ("httpOnly", "secure") };
    let mut found = Vec::new();
    match http_only {
        Flag::Missing => found.push(format!("without `{http_only_name}` (readable by page scripts)")),
        Flag::Off => found.push("with `HttpOnly` switched off (readable by page scripts)".to_string()),
        _ => {}
    }
    match secure {
        Flag::Missing if same_site_none => found.push(format!("with `SameSite=None` but without `{secure_name}`")),
        Flag::Missing => found.push(format!("without `{secure_name}` (sent over plain HTTP)")),
        Flag::Off => found.push("with `Secure` switched off (sent over plain HTTP)".to_string()),
        _ => {}
    }
    found
}

// ----- TypeScript -----

/// The edits that turn a cookie's missing or `false` flags on: missing ones added to the options
/// (or new options), literal `false` ones flipped. `None` when a flag's value comes from
/// elsewhere.
/// A `secure: false` of a library that turns Secure on by itself (Koa's) is taken out rather
/// than flipped: the `cookies` package then sets Secure on HTTPS requests, where `secure: true`
/// throws on a plain-HTTP one.
fn cookie_fix(
    call: Node<'_>,
    options: Option<Node<'_>>,
    options_index: usize,
    (http_only, secure): (Flag, Flag),
    cookie: &Cookie,
    model: &TsModel<'_>,
    file: &crate::source::SourceFile,
) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    let mut missing = Vec::new();
    for (key, flag) in [("httpOnly", http_only), ("secure", secure)] {
        match flag {
            Flag::Missing => missing.push(format!("{key}: true")),
            Flag::Off => {
                let Property::Found(value) = model.property(options?, key) else { return None };
                if value.kind() != "false" {
                    return None;
                }
                if key == "secure" && cookie.on_by_default(CookieFlag::Secure) {
                    edits.push(remove_property(value.parent().filter(|p| p.kind() == "pair")?, file)?);
                } else {
                    edits.push(Edit::replace(file, span_of(value), "true"));
                }
            }
            Flag::Unknown => return None,
            Flag::Set => {}
        }
    }
    if !missing.is_empty() {
        edits.extend(add_to_options(call, options_index, &missing.join(", "), model, file)?);
    }
    Some(edits)
}

impl Rule for InsecureCookie {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    /// A cookie set by an example program, a test tool or a script protects nobody's session.
    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(cookie) = model.cookie(node) else { return };
        match cookie.role {
            CookieRole::Session => self.check_session(cookie, node, model, cx),
            CookieRole::Set => self.check_set_cookie(cookie, node, model, cx),
            _ => {}
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Fn, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::Fn { sig, block, .. } => self.check_cookie_builds(sig, block, node.site.fn_id, model, cx),
            RustSyntax::MethodCall(call) => self.check_session_layer(call, node.site.fn_id, model, cx),
            _ => {}
        }
    }
}
