//! `insecure-cookie`: session and token cookies without `Secure` (sent over plain HTTP, where
//! anyone on the network reads them) or without `HttpOnly` (readable by any script that runs on
//! the page, so one XSS hands the session over).

use super::{call_arguments, is_auth_cookie_name, last_segment, rust_bool, tight_tokens};
use crate::diagnostic::{Applicability, Edit};
use crate::lang::rust::model::path_names;
use crate::lang::rust::{block_span, method_chain, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{span_of, Property};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::helpers::{add_to_object, add_to_options, remove_property, string_quote};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use std::collections::{HashMap, HashSet};
use syn::visit::{self, Visit};
use syn::Expr;
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
/// A Koa cookie's `secure: false` is taken out rather than flipped: the `cookies` package then
/// sets Secure on HTTPS requests, where `secure: true` throws on a plain-HTTP one.
fn cookie_fix(
    call: Node<'_>,
    options: Option<Node<'_>>,
    (http_only, secure): (Flag, Flag),
    koa: bool,
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
                if koa && key == "secure" {
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
        edits.extend(add_to_options(call, 2, &missing.join(", "), model, file)?);
    }
    Some(edits)
}

/// Receivers of `cookie(name, value, options)`: Express `res`, Fastify `reply.setCookie`.
const RESPONSE_NAMES: &[&str] = &["res", "response", "reply", "resp"];

impl InsecureCookie {
    fn ts_flag(&self, options: Node<'_>, key: &str, model: &TsModel<'_>) -> Flag {
        match model.property(options, key) {
            Property::Missing => Flag::Missing,
            Property::Unknown => Flag::Unknown,
            Property::Found(value) => match model.bool_value(value) {
                Some(false) => Flag::Off,
                _ => Flag::Set,
            },
        }
    }

    /// `res.cookie("token", value, { ... })`, `reply.setCookie("sid", value, { ... })`, Koa
    /// `ctx.cookies.set("sid", value, { ... })`.
    fn check_set_cookie(&self, call: Node<'_>, callee: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(method) = callee.field("property").map(|p| model.text(p)) else { return };
        let Some(receiver) = callee.field("object").and_then(|o| model.member_path(o)) else { return };
        let mut segments = receiver.rsplit('.');
        let (last, before) = (segments.next().unwrap_or(""), segments.next());
        let koa = match method {
            "cookie" | "setCookie" if RESPONSE_NAMES.contains(&last) => false,
            // The `cookies` package behind Koa (and egg.js): `ctx.cookies`, `this.cookies`.
            "set" if last == "cookies" && before.is_some() => true,
            _ => return,
        };
        let arguments = call_arguments(call);
        let (Some(name), Some(value)) = (arguments.first(), arguments.get(1)) else { return };
        let Some(name) = model.string_value(*name).filter(|n| is_auth_cookie_name(n)) else { return };
        // `res.cookie("token", "", { expires: new Date(0) })` deletes the cookie.
        if model.string_value(*value).is_some_and(|v| v.is_empty()) {
            return;
        }
        let (http_only, secure, same_site_none) = match arguments.get(2) {
            None => (Flag::Missing, Flag::Missing, false),
            Some(options) => {
                let Some(options) = model.object_literal(*options) else { return };
                if is_expired(options, model) {
                    return;
                }
                let same_site_none = match model.property(options, "sameSite") {
                    Property::Found(v) => model.string_value(v).is_some_and(|s| s.eq_ignore_ascii_case("none")),
                    _ => false,
                };
                (self.ts_flag(options, "httpOnly", model), self.ts_flag(options, "secure", model), same_site_none)
            }
        };
        // The `cookies` package sets `HttpOnly` unless told not to, and `Secure` whenever the
        // request came over HTTPS: only an explicit `false` weakens a Koa cookie.
        let (http_only, secure) = if koa {
            let explicit = |flag| if flag == Flag::Off { Flag::Off } else { Flag::Set };
            (explicit(http_only), explicit(secure))
        } else {
            (http_only, secure)
        };
        let found = problems(http_only, secure, same_site_none, false);
        if found.is_empty() {
            return;
        }
        let fix = cookie_fix(call, arguments.get(2).copied(), (http_only, secure), koa, model, cx.file);
        let finding = cx.report(span_of(callee), format!("auth cookie `{name}` is set {}", found.join(" and ")));
        finding.help = Some(HELP.into());
        if let Some(edits) = fix {
            let description = if koa {
                "turn the cookie's `httpOnly` and `secure` flags back on"
            } else {
                "set `httpOnly: true` and `secure: true` on the cookie"
            };
            finding.with_fix(description, Applicability::Safe, edits);
        }
    }

    /// `session({ cookie: { secure: false } })`, `cookieSession({ httpOnly: false })`, Koa
    /// `session({ key: "koa.sess", secure: false }, app)`.
    ///
    /// The fixes keep sessions working over plain HTTP in development: express-session gets
    /// `secure: "auto"` (Secure whenever the request came over HTTPS, as the `cookies` package
    /// behind Koa and cookie-session does by default), and a `secure: false` of those two is
    /// taken out, which restores that default.
    fn check_session(&self, module: &str, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(options) = call_arguments(call).first().and_then(|o| model.object_literal(*o)) else { return };
        let quote = string_quote(call, model);
        let auto = format!("{quote}auto{quote}");
        let cookie = match module {
            "express-session" => match model.property(options, "cookie") {
                Property::Found(cookie) => model.object_literal(cookie),
                Property::Missing => {
                    // express-session leaves `cookie.secure` off unless told (the `cookies`
                    // package behind Koa and cookie-session turns it on for HTTPS requests).
                    let fix = add_to_object(options, &format!("cookie: {{ secure: {auto} }}"), model, cx.file);
                    self.report_missing_secure(module, call, fix, cx);
                    return;
                }
                Property::Unknown => None,
            },
            _ => Some(options),
        };
        let Some(cookie) = cookie else { return };
        if module == "express-session" && matches!(model.property(cookie, "secure"), Property::Missing) {
            let fix = add_to_object(cookie, &format!("secure: {auto}"), model, cx.file);
            self.report_missing_secure(module, call, fix, cx);
        }
        for (key, what) in [("secure", "sent over plain HTTP"), ("httpOnly", "readable by page scripts")] {
            let Property::Found(value) = model.property(cookie, key) else { continue };
            if model.bool_value(value) == Some(false) {
                let pair = value.parent().filter(|p| p.kind() == "pair");
                let fix = match (key, module, pair) {
                    _ if value.kind() != "false" => None,
                    ("httpOnly", ..) => Some(("set `httpOnly: true`".to_string(), Edit::replace(cx.file, span_of(value), "true"))),
                    ("secure", "express-session", _) => {
                        Some((format!("set `secure: {auto}`"), Edit::replace(cx.file, span_of(value), auto.as_str())))
                    }
                    (_, _, Some(pair)) => remove_property(pair, cx.file).map(|edit| ("remove `secure: false`".to_string(), edit)),
                    _ => None,
                };
                let finding =
                    cx.report(span_of(pair.unwrap_or(value)), format!("the `{module}` session cookie has `{key}: false`, so it is {what}"));
                finding.help = Some(HELP.into());
                if let Some((description, edit)) = fix {
                    finding.with_fix(description, Applicability::Safe, vec![edit]);
                }
            }
        }
    }
}

impl InsecureCookie {
    fn report_missing_secure(&self, module: &str, call: Node<'_>, fix: Edit, cx: &mut Context<'_>) {
        let span = call.field("function").map(span_of).unwrap_or_else(|| span_of(call));
        let finding = cx.report_capped(
            crate::diagnostic::Level::Warning,
            span,
            format!("the `{module}` session cookie has no `secure` option, and {module} sends it over plain HTTP by default"),
        );
        finding.help =
            Some("set `cookie: { secure: true }` (with `app.set(\"trust proxy\", 1)` behind a TLS proxy), or `secure: \"auto\"`".into());
        finding.with_fix("set the cookie's `secure: \"auto\"` (Secure on HTTPS requests)", Applicability::Safe, vec![fix]);
    }
}

/// `{ maxAge: 0 }`, `{ expires: new Date(0) }`: options that delete the cookie.
fn is_expired(options: Node<'_>, model: &TsModel<'_>) -> bool {
    let max_age_zero = matches!(model.property(options, "maxAge"), Property::Found(v) if model.text(model.resolve(v)) == "0");
    let expires_epoch = matches!(model.property(options, "expires"), Property::Found(v) if model.text(v).replace(' ', "") == "newDate(0)");
    max_age_zero || expires_epoch
}

// ----- Rust -----

/// Methods that take a cookie away rather than set it.
const REMOVERS: &[&str] = &["remove", "remove_private", "remove_signed", "del_cookie", "remove_cookie", "add_removal_cookie"];

/// One `Cookie::build(..)`/`Cookie::new(..)` and every builder or setter call made on it.
struct CookieBuild<'a> {
    root: &'a syn::ExprCall,
    calls: Vec<&'a syn::ExprMethodCall>,
}

struct CookieBuilds<'a, 'm> {
    model: &'m RustModel<'m>,
    builds: Vec<CookieBuild<'a>>,
    /// Build index by the address of its root call.
    by_root: HashMap<usize, usize>,
    /// Method calls already attributed to a build (inner links of a chain already seen whole).
    attributed: HashSet<usize>,
    /// Builds handed to a remover (`jar.remove(Cookie::build("token"))`).
    removed: HashSet<usize>,
    /// Local variables holding a build.
    locals: HashMap<String, usize>,
}

impl<'a> CookieBuilds<'a, '_> {
    fn cookie_constructor(&self, expr: &'a Expr) -> Option<&'a syn::ExprCall> {
        let Expr::Call(call) = expr else { return None };
        let path = self.model.call_path(call)?;
        ["Cookie::build", "Cookie::new", "CookieBuilder::new"].iter().any(|p| path_names(&path, p)).then_some(call)
    }

    /// The build a chain root refers to: a constructor (recorded on first sight) or a local
    /// holding one.
    fn build_of(&mut self, root: &'a Expr) -> Option<usize> {
        if let Some(call) = self.cookie_constructor(root) {
            let address = call as *const syn::ExprCall as usize;
            let next = self.builds.len();
            let index = *self.by_root.entry(address).or_insert(next);
            if index == next {
                self.builds.push(CookieBuild { root: call, calls: Vec::new() });
            }
            return Some(index);
        }
        match root {
            Expr::Path(p) => self.locals.get(&p.path.get_ident()?.to_string()).copied(),
            Expr::Reference(r) => self.build_of(&r.expr),
            _ => None,
        }
    }
}

impl<'a> Visit<'a> for CookieBuilds<'a, '_> {
    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_local(&mut self, local: &'a syn::Local) {
        visit::visit_local(self, local);
        let ident = match &local.pat {
            syn::Pat::Ident(p) => &p.ident,
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(p) => &p.ident,
                _ => return,
            },
            _ => return,
        };
        let Some(init) = &local.init else { return };
        let (root, _) = method_chain(&init.expr);
        match self.build_of(root) {
            Some(index) => {
                self.locals.insert(ident.to_string(), index);
            }
            None => {
                self.locals.remove(&ident.to_string());
            }
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::MethodCall(call) if !self.attributed.contains(&(call as *const _ as usize)) => {
                if REMOVERS.contains(&call.method.to_string().as_str()) {
                    for arg in &call.args {
                        if let Some(index) = self.build_of(method_chain(arg).0) {
                            self.removed.insert(index);
                        }
                    }
                }
                let (root, calls) = method_chain(expr);
                if let Some(index) = self.build_of(root) {
                    for link in &calls {
                        self.attributed.insert(*link as *const _ as usize);
                    }
                    self.builds[index].calls.extend(calls);
                }
            }
            Expr::Call(_) => {
                self.build_of(expr);
            }
            _ => {}
        }
        visit::visit_expr(self, expr);
    }
}

impl InsecureCookie {
    fn rust_flag(&self, arg: Option<&Expr>, fn_id: Option<usize>, model: &RustModel) -> Flag {
        let Some(arg) = arg else { return Flag::Set };
        match rust_bool(arg).or_else(|| model.bool_value(arg, fn_id)) {
            Some(false) => Flag::Off,
            Some(true) => Flag::Set,
            // `set_secure(None)` unsets it.
            None if matches!(arg, Expr::Path(p) if p.path.is_ident("None")) => Flag::Missing,
            None => Flag::Set,
        }
    }

    fn check_cookie_builds(&self, sig: &syn::Signature, block: &syn::Block, fn_id: Option<usize>, model: &RustModel, cx: &mut Context<'_>) {
        // This runs for every function: one look at the body's text (or at an imported cookie
        // type, which an alias could hide) comes before walking it.
        let body = block_span(cx.file, block);
        let named_here = cx.file.text.get(body.start..body.end).is_some_and(|text| text.contains("Cookie"));
        if !named_here && !model.imports_path_ending_with(&["Cookie", "CookieBuilder"]) {
            return;
        }
        // A function that returns a builder leaves the flags to its caller's chain.
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            if tight_tokens(ty).contains("CookieBuilder") {
                return;
            }
        }
        let mut builds = CookieBuilds {
            model,
            builds: Vec::new(),
            by_root: HashMap::new(),
            attributed: HashSet::new(),
            removed: HashSet::new(),
            locals: HashMap::new(),
        };
        builds.visit_block(block);
        for (index, build) in builds.builds.iter().enumerate() {
            if builds.removed.contains(&index) {
                continue;
            }
            let (name, value) = match build.root.args.iter().collect::<Vec<_>>().as_slice() {
                [Expr::Tuple(pair)] if pair.elems.len() == 2 => (&pair.elems[0], &pair.elems[1]),
                [name, value] => (*name, *value),
                // `Cookie::build("token")`: a name alone, for removal.
                _ => continue,
            };
            let Some(name) = model.string_value(name, fn_id).filter(|n| is_auth_cookie_name(n)) else { continue };
            if model.string_value(value, fn_id).is_some_and(|v| v.is_empty()) {
                continue;
            }
            let (mut http_only, mut secure, mut same_site_none, mut removal) = (Flag::Missing, Flag::Missing, false, false);
            for call in &build.calls {
                let arg = call.args.first();
                match call.method.to_string().as_str() {
                    "secure" | "set_secure" => secure = self.rust_flag(arg, fn_id, model),
                    "http_only" | "set_http_only" => http_only = self.rust_flag(arg, fn_id, model),
                    "same_site" | "set_same_site" => {
                        same_site_none = arg.is_some_and(|a| {
                            let text = tight_tokens(a);
                            last_segment(a).as_deref() == Some("None") && text.contains("::") || text.ends_with("SameSite::None)")
                        })
                    }
                    "max_age" | "set_max_age" => {
                        let text = arg.map(tight_tokens).unwrap_or_default();
                        removal |= text.contains("ZERO") || text.contains("(0)") || text.starts_with("0.");
                    }
                    "expires" | "set_expires" => removal |= arg.is_some_and(|a| tight_tokens(a).contains("UNIX_EPOCH")),
                    "make_removal" => removal = true,
                    _ => {}
                }
            }
            let found = problems(http_only, secure, same_site_none, true);
            if removal || found.is_empty() {
                continue;
            }
            let span = Span::new(rust_span(cx.file, &build.root.func).start, rust_span(cx.file, build.root).end);
            cx.report(span, format!("session cookie `{name}` is built {}", found.join(" and "))).help = Some(HELP.into());
        }
    }

    /// actix-session `.cookie_secure(false)`, tower-sessions `.with_secure(false)`.
    fn check_session_layer(&self, call: &syn::ExprMethodCall, fn_id: Option<usize>, model: &RustModel, cx: &mut Context<'_>) {
        const SWITCHES: [&str; 4] = ["cookie_secure", "cookie_http_only", "with_secure", "with_http_only"];
        if !SWITCHES.iter().any(|switch| call.method == switch) {
            return;
        }
        let method = call.method.to_string();
        let (library, flag) = match method.as_str() {
            "cookie_secure" => ("actix-session", "Secure"),
            "cookie_http_only" => ("actix-session", "HttpOnly"),
            "with_secure" | "with_http_only" if cx.file.text.contains("tower_sessions") => {
                ("tower-sessions", if method == "with_secure" { "Secure" } else { "HttpOnly" })
            }
            _ => return,
        };
        if self.rust_flag(call.args.first(), fn_id, model) != Flag::Off {
            return;
        }
        let what = if flag == "Secure" { "sent over plain HTTP" } else { "readable by page scripts" };
        let span = Span::new(rust_span(cx.file, &call.method).start, rust_span(cx.file, call).end);
        let literal = matches!(call.args.first(), Some(Expr::Lit(l)) if matches!(&l.lit, syn::Lit::Bool(b) if !b.value));
        let file = cx.file;
        let finding = cx.report(span, format!("`{method}(false)` turns `{flag}` off for the {library} session cookie, so it is {what}"));
        finding.help = Some(HELP.into());
        if let (true, Some(argument)) = (literal, call.args.first()) {
            let edit = Edit::replace(file, rust_span(file, argument), "true");
            // A Secure session cookie is not sent back over plain HTTP: a service reached that
            // way (or a development setup) loses its sessions.
            let applicability = if flag == "Secure" { Applicability::Unsafe } else { Applicability::Safe };
            finding.with_fix(format!("`{method}(true)`"), applicability, vec![edit]);
        }
    }
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
        let Some(callee) = node.field("function") else { return };
        match model.qualified_name(callee).as_deref() {
            Some(module @ ("express-session" | "cookie-session" | "koa-session")) => self.check_session(module, node, model, cx),
            _ if callee.kind() == "member_expression" => self.check_set_cookie(node, callee, model, cx),
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
