//! Rust: passwords stored or compared as they came.

use super::*;

impl PlaintextPassword {
    pub(super) fn rust_request_password(
        &self,
        expr: &Expr,
        site: &Site,
        model: &RustModel,
        file: &crate::source::SourceFile,
    ) -> Option<Flow> {
        if !rust_value_name(expr, model, site.fn_id).is_some_and(|name| names_password(&name)) {
            return None;
        }
        match model.origin(expr, site, file) {
            Origin::Request(flow) => Some(flow),
            _ => None,
        }
    }

    pub(super) fn check_rust_fn(&self, block: &syn::Block, site: &Site, model: &RustModel, cx: &mut Context<'_>) {
        let mut exprs = Vec::new();
        for_each_expr_in(Walk::Block(block), &mut |expr| {
            if matches!(expr, Expr::Binary(_) | Expr::MethodCall(_) | Expr::Macro(_) | Expr::Struct(_)) {
                exprs.push(expr);
            }
        });
        for expr in exprs {
            match expr {
                Expr::Binary(binary) if matches!(binary.op, BinOp::Eq(_) | BinOp::Ne(_)) => {
                    self.check_rust_comparison(binary, site, model, cx)
                }
                Expr::MethodCall(call) => self.check_rust_method(call, site, model, cx),
                Expr::Macro(mac) => self.check_rust_query_macro(&mac.mac, site, model, cx),
                Expr::Struct(init) => self.check_rust_active_model(init, site, model, cx),
                _ => {}
            }
        }
    }

    /// `user.password == body.password`.
    pub(super) fn check_rust_comparison(&self, binary: &syn::ExprBinary, site: &Site, model: &RustModel, cx: &mut Context<'_>) {
        let (left, right) = (&*binary.left, &*binary.right);
        let named = |e: &Expr| !matches!(e, Expr::Lit(_)) && rust_value_name(e, model, site.fn_id).is_some_and(|n| names_password(&n));
        if !named(left)
            || !named(right)
            || model.string_value(left, site.fn_id).is_some()
            || model.string_value(right, site.fn_id).is_some()
        {
            return;
        }
        let (stored, flow) = match (model.origin(left, site, cx.file), model.origin(right, site, cx.file)) {
            (Origin::Request(_), Origin::Request(_)) => return,
            (Origin::Request(flow), _) => (right, flow),
            (_, Origin::Request(flow)) => (left, flow),
            _ => return,
        };
        let stored = tidy_tokens(&stored.to_token_stream().to_string());
        self.report(cx, rust_span(cx.file, binary), comparison_message(&stored, &flow), &flow, false);
    }

    /// sqlx `query("INSERT .. password ..").bind(&body.password)` and diesel
    /// `users::password.eq(&body.password)`.
    pub(super) fn check_rust_method(&self, call: &syn::ExprMethodCall, site: &Site, model: &RustModel, cx: &mut Context<'_>) {
        let Some(argument) = call.args.first() else { return };
        let what = match call.method.to_string().as_str() {
            "bind" => {
                let (root, _) = method_chain(&call.receiver);
                let Expr::Call(query) = root else { return };
                let is_query =
                    model.call_path(query).is_some_and(|p| p.ends_with("query") || p.ends_with("query_as") || p.ends_with("query_scalar"));
                let Some(sql) = query.args.first().and_then(|s| model.string_value(s, site.fn_id)) else { return };
                if !is_query || !sql.to_ascii_lowercase().contains("pass") {
                    return;
                }
                if sql.trim_start().to_ascii_lowercase().starts_with("select") {
                    Use::LookedUp
                } else {
                    Use::Stored
                }
            }
            // diesel: a column named like a password set or filtered to the request value.
            "eq" if rust_value_name(&call.receiver, model, site.fn_id).is_some_and(|n| names_password(&n))
                && matches!(&*call.receiver, Expr::Path(_)) =>
            {
                Use::Stored
            }
            _ => return,
        };
        if let Some(flow) = self.rust_request_password(argument, site, model, cx.file) {
            self.report(cx, rust_span(cx.file, argument), use_message(what, &flow), &flow, false);
        }
    }

    /// `sqlx::query!("INSERT INTO users (name, password) VALUES ($1, $2)", body.name, body.password)`.
    pub(super) fn check_rust_query_macro(&self, mac: &syn::Macro, site: &Site, model: &RustModel, cx: &mut Context<'_>) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        if !matches!(name.as_str(), "query" | "query_as" | "query_scalar") {
            return;
        }
        let Ok(arguments) = mac.parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated) else { return };
        let Some(sql) = arguments.iter().find_map(|a| match a {
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        }) else {
            return;
        };
        let lower = sql.to_ascii_lowercase();
        if !lower.contains("pass") {
            return;
        }
        let what = if lower.trim_start().starts_with("select") { Use::LookedUp } else { Use::Stored };
        for argument in &arguments {
            if let Some(flow) = self.rust_request_password(argument, site, model, cx.file) {
                self.report(cx, rust_span(cx.file, argument), use_message(what, &flow), &flow, false);
            }
        }
    }

    /// sea-orm `user::ActiveModel { password: Set(body.password), .. }`.
    pub(super) fn check_rust_active_model(&self, init: &syn::ExprStruct, site: &Site, model: &RustModel, cx: &mut Context<'_>) {
        for field in &init.fields {
            let syn::Member::Named(name) = &field.member else { continue };
            if !names_password(&name.to_string()) {
                continue;
            }
            let Expr::Call(set) = &field.expr else { continue };
            let callee = tight_tokens(&set.func);
            if !(callee == "Set" || callee.ends_with("::Set")) {
                continue;
            }
            let Some(value) = set.args.first() else { continue };
            if let Origin::Request(flow) = model.origin(value, site, cx.file) {
                self.report(cx, rust_span(cx.file, &field.expr), use_message(Use::Stored, &flow), &flow, false);
            }
        }
    }
}
