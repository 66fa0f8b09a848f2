//! `insecure-cookie` in Rust: cookie builders the models describe (the `cookie` crate's, followed
//! through a function, with their setters), and session layers whose flags a call switches off
//! (actix-session, tower-sessions).

use super::super::{is_auth_cookie_name, last_segment, rust_bool, tight_tokens};
use super::{problems, Flag, InsecureCookie, HELP};
use crate::diagnostic::{Applicability, Edit};
use crate::lang::rust::{block_span, method_chain, span_of as rust_span, RustModel};
use crate::models::{Cookie, CookieAttribute, CookieFlag, CookieRole, Language};
use crate::rules::Context;
use crate::source::Span;
use std::collections::{HashMap, HashSet};
use syn::visit::{self, Visit};
use syn::Expr;

/// One `Cookie::build(..)`/`Cookie::new(..)` and every builder or setter call made on it.
struct CookieBuild<'a, 'm> {
    root: &'a syn::ExprCall,
    /// The model entry of the builder.
    entry: &'m Cookie,
    calls: Vec<&'a syn::ExprMethodCall>,
}

struct CookieBuilds<'a, 'm> {
    model: &'m RustModel<'m>,
    fn_id: Option<usize>,
    builds: Vec<CookieBuild<'a, 'm>>,
    /// Build index by the address of its root call.
    by_root: HashMap<usize, usize>,
    /// Method calls already attributed to a build (inner links of a chain already seen whole).
    attributed: HashSet<usize>,
    /// Builds handed to a remover (`jar.remove(Cookie::build("token"))`).
    removed: HashSet<usize>,
    /// Local variables holding a build.
    locals: HashMap<String, usize>,
}

impl<'a, 'm> CookieBuilds<'a, 'm> {
    /// A call the models say starts a cookie builder, with its entry.
    fn cookie_constructor(&self, expr: &'a Expr) -> Option<(&'a syn::ExprCall, &'m Cookie)> {
        let Expr::Call(call) = expr else { return None };
        let entry = self.model.cookie(&self.model.call_parts(call))?;
        (entry.role == CookieRole::Build).then_some((call, entry))
    }

    /// The build a chain root refers to: a constructor (recorded on first sight) or a local
    /// holding one.
    fn build_of(&mut self, root: &'a Expr) -> Option<usize> {
        if let Some((call, entry)) = self.cookie_constructor(root) {
            let address = call as *const syn::ExprCall as usize;
            let next = self.builds.len();
            let index = *self.by_root.entry(address).or_insert(next);
            if index == next {
                self.builds.push(CookieBuild { root: call, entry, calls: Vec::new() });
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
                let parts = self.model.method_call_parts(call, self.fn_id);
                if self.model.cookie(&parts).is_some_and(|entry| entry.role == CookieRole::Remove) {
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

    pub(super) fn check_cookie_builds(
        &self,
        sig: &syn::Signature,
        block: &syn::Block,
        fn_id: Option<usize>,
        model: &RustModel,
        cx: &mut Context<'_>,
    ) {
        // This runs for every function: one look at the body's text (or at an imported cookie
        // type, which an alias could hide) comes before walking it.
        let knowledge = model.knowledge();
        let types = knowledge.cookie_types(Language::Rust);
        let body = block_span(cx.file, block);
        let named_here = cx.file.text.get(body.start..body.end).is_some_and(|text| types.iter().any(|ty| text.contains(ty.as_str())));
        let type_names: Vec<&str> = types.iter().map(String::as_str).collect();
        if !named_here && !model.imports_path_ending_with(&type_names) {
            return;
        }
        // A function that returns a builder leaves the flags to its caller's chain.
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            let returned = tight_tokens(ty);
            if knowledge.cookie_builder_types(Language::Rust).iter().any(|builder| returned.contains(builder.as_str())) {
                return;
            }
        }
        let mut builds = CookieBuilds {
            model,
            fn_id,
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
            let entry = build.entry;
            let sets = |call: &syn::ExprMethodCall, attribute| entry.attribute_methods(attribute).iter().any(|m| call.method == m);
            for call in &build.calls {
                let arg = call.args.first();
                if sets(call, CookieAttribute::Secure) {
                    secure = self.rust_flag(arg, fn_id, model);
                } else if sets(call, CookieAttribute::HttpOnly) {
                    http_only = self.rust_flag(arg, fn_id, model);
                } else if sets(call, CookieAttribute::SameSite) {
                    same_site_none = arg.is_some_and(|a| {
                        let text = tight_tokens(a);
                        last_segment(a).as_deref() == Some("None") && text.contains("::") || text.ends_with("SameSite::None)")
                    });
                } else if sets(call, CookieAttribute::MaxAge) {
                    let text = arg.map(tight_tokens).unwrap_or_default();
                    removal |= text.contains("ZERO") || text.contains("(0)") || text.starts_with("0.");
                } else if sets(call, CookieAttribute::Expires) {
                    removal |= arg.is_some_and(|a| tight_tokens(a).contains("UNIX_EPOCH"));
                } else if entry.parameters.removal_methods.iter().any(|m| call.method == m) {
                    removal = true;
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

    /// A call the models say switches a session layer's cookie flag, given `false`: actix-session
    /// `.cookie_secure(false)`, tower-sessions `.with_secure(false)`.
    pub(super) fn check_session_layer(&self, call: &syn::ExprMethodCall, fn_id: Option<usize>, model: &RustModel, cx: &mut Context<'_>) {
        let Some(entry) = model.cookie(&model.method_call_parts(call, fn_id)) else { return };
        let Some(flag) = entry.parameters.flag.filter(|_| entry.role == CookieRole::Switch) else { return };
        let method = call.method.to_string();
        let library = entry.library();
        let flag = if flag == CookieFlag::Secure { "Secure" } else { "HttpOnly" };
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
