//! `insecure-cookie` in TypeScript and JavaScript: calls the models say set a cookie
//! (`res.cookie(..)`, Fastify's `setCookie`, Koa's `ctx.cookies.set`) and session middleware
//! (express-session, cookie-session, koa-session).

use super::super::{call_arguments, is_auth_cookie_name};
use super::{cookie_fix, problems, Flag, InsecureCookie, HELP};
use crate::diagnostic::{Applicability, Edit};
use crate::lang::typescript::model::{span_of, Property};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Cookie, CookieFlag};
use crate::rules::helpers::{add_to_object, remove_property, string_quote};
use crate::rules::Context;
use tree_sitter::Node;

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

    /// A call the models say sets a cookie: `res.cookie("token", value, { ... })`,
    /// `reply.setCookie("sid", value, { ... })`, Koa `ctx.cookies.set("sid", value, { ... })`.
    pub(super) fn check_set_cookie(&self, cookie: &Cookie, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        if !cookie.parameters.receivers.is_empty() {
            let receiver = callee.field("object").and_then(|o| model.member_path(o));
            if !receiver.is_some_and(|r| cookie.accepts_receiver(&r)) {
                return;
            }
        }
        let p = &cookie.parameters;
        let options_index = p.options_argument.unwrap_or(2);
        let arguments = call_arguments(call);
        let (Some(name), Some(value)) = (arguments.get(p.name_argument.unwrap_or(0)), arguments.get(p.value_argument.unwrap_or(1))) else {
            return;
        };
        let Some(name) = model.string_value(*name).filter(|n| is_auth_cookie_name(n)) else { return };
        // `res.cookie("token", "", { expires: new Date(0) })` deletes the cookie.
        if model.string_value(*value).is_some_and(|v| v.is_empty()) {
            return;
        }
        let (http_only, secure, same_site_none) = match arguments.get(options_index) {
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
        // A flag the library turns on unless told not to (the `cookies` package behind Koa sets
        // `HttpOnly`, and `Secure` whenever the request came over HTTPS) is weakened only by an
        // explicit `false`.
        let explicit = |flag, default_on| if default_on && flag != Flag::Off { Flag::Set } else { flag };
        let http_only = explicit(http_only, cookie.on_by_default(CookieFlag::HttpOnly));
        let secure = explicit(secure, cookie.on_by_default(CookieFlag::Secure));
        let found = problems(http_only, secure, same_site_none, false);
        if found.is_empty() {
            return;
        }
        let options = arguments.get(options_index).copied();
        let fix = cookie_fix(call, options, options_index, (http_only, secure), cookie, model, cx.file);
        let finding = cx.report(span_of(callee), format!("auth cookie `{name}` is set {}", found.join(" and ")));
        finding.help = Some(HELP.into());
        if let Some(edits) = fix {
            let description = if !cookie.parameters.on_by_default.is_empty() {
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
    pub(super) fn check_session(&self, session: &Cookie, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(options) = call_arguments(call).first().and_then(|o| model.object_literal(*o)) else { return };
        let module = session.library();
        let quote = string_quote(call, model);
        // What a fix sets `secure` to: "auto" (Secure on HTTPS requests) where the library takes it.
        let secure_value = if session.parameters.secure_auto { format!("{quote}auto{quote}") } else { "true".to_string() };
        // A library that leaves `secure` off unless told (express-session; the `cookies` package
        // behind Koa and cookie-session turns it on for HTTPS requests) is told nothing here.
        let secure_off_by_default = !session.on_by_default(CookieFlag::Secure);
        let cookie = match &session.parameters.cookie_option {
            Some(key) => match model.property(options, key) {
                Property::Found(cookie) => model.object_literal(cookie),
                Property::Missing if secure_off_by_default => {
                    let fix = add_to_object(options, &format!("{key}: {{ secure: {secure_value} }}"), model, cx.file);
                    self.report_missing_secure(session, call, fix, cx);
                    return;
                }
                _ => None,
            },
            None => Some(options),
        };
        let Some(cookie) = cookie else { return };
        if secure_off_by_default && matches!(model.property(cookie, "secure"), Property::Missing) {
            let fix = add_to_object(cookie, &format!("secure: {secure_value}"), model, cx.file);
            self.report_missing_secure(session, call, fix, cx);
        }
        for (key, what) in [("secure", "sent over plain HTTP"), ("httpOnly", "readable by page scripts")] {
            let Property::Found(value) = model.property(cookie, key) else { continue };
            if model.bool_value(value) == Some(false) {
                let pair = value.parent().filter(|p| p.kind() == "pair");
                // A `secure: false` of a library that turns Secure on for HTTPS requests is taken
                // out, which restores that default.
                let fix = match (key, pair) {
                    _ if value.kind() != "false" => None,
                    ("secure", Some(pair)) if !secure_off_by_default => {
                        remove_property(pair, cx.file).map(|edit| ("remove `secure: false`".to_string(), edit))
                    }
                    ("secure", _) => {
                        Some((format!("set `secure: {secure_value}`"), Edit::replace(cx.file, span_of(value), secure_value.as_str())))
                    }
                    _ => Some(("set `httpOnly: true`".to_string(), Edit::replace(cx.file, span_of(value), "true"))),
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
    fn report_missing_secure(&self, session: &Cookie, call: Node<'_>, fix: Edit, cx: &mut Context<'_>) {
        let module = session.library();
        let span = call.field("function").map(span_of).unwrap_or_else(|| span_of(call));
        let finding = cx.report_capped(
            crate::diagnostic::Level::Warning,
            span,
            format!("the `{module}` session cookie has no `secure` option, and {module} sends it over plain HTTP by default"),
        );
        let p = &session.parameters;
        let secure = match &p.cookie_option {
            Some(key) => format!("`{key}: {{ secure: true }}`"),
            None => "`secure: true`".to_string(),
        };
        let auto = if p.secure_auto { ", or `secure: \"auto\"`" } else { "" };
        finding.help = Some(format!("set {secure} (with `app.set(\"trust proxy\", 1)` behind a TLS proxy){auto}"));
        let description = if p.secure_auto {
            "set the cookie's `secure: \"auto\"` (Secure on HTTPS requests)"
        } else {
            "set the cookie's `secure: true`"
        };
        finding.with_fix(description, Applicability::Safe, vec![fix]);
    }
}

/// `{ maxAge: 0 }`, `{ expires: new Date(0) }`: options that delete the cookie.
fn is_expired(options: Node<'_>, model: &TsModel<'_>) -> bool {
    let max_age_zero = matches!(model.property(options, "maxAge"), Property::Found(v) if model.text(model.resolve(v)) == "0");
    let expires_epoch = matches!(model.property(options, "expires"), Property::Found(v) if model.text(v).replace(' ', "") == "newDate(0)");
    max_age_zero || expires_epoch
}

// ----- Rust -----
