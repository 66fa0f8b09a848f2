//! `insecure-cookie` in TypeScript and JavaScript: `res.cookie(..)`, Fastify's `setCookie`,
//! Koa's `ctx.cookies.set`, and session middleware (express-session, cookie-session, koa-session).

use super::super::{call_arguments, is_auth_cookie_name};
use super::{cookie_fix, problems, Flag, InsecureCookie, HELP};
use crate::diagnostic::{Applicability, Edit};
use crate::lang::typescript::model::{span_of, Property};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::helpers::{add_to_object, remove_property, string_quote};
use crate::rules::Context;
use tree_sitter::Node;

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
    pub(super) fn check_set_cookie(&self, call: Node<'_>, callee: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
    pub(super) fn check_session(&self, module: &str, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
