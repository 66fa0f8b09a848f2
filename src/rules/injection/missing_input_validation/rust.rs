//! Rust: handlers that take a DTO deriving `Validate` and never call `.validate()`, and handlers
//! that read fields out of an untyped JSON payload.

use super::MissingInputValidation;
use crate::diagnostic::{Fact, Level};
use crate::lang::rust::{block_span, span_of as rust_span, RustModel, RustNode, RustSyntax};
use crate::rules::Context;
use quote::ToTokens;

impl MissingInputValidation {
    /// Records the facts other files need (DTOs that derive `Validate` with rules, helpers that
    /// validate what they are handed) and checks handlers.
    pub(super) fn check_rust_node(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        match node.syntax {
            RustSyntax::Struct(item) => {
                let derives_validate = item.attrs.iter().any(|attr| {
                    attr.path().is_ident("derive")
                        && attr.to_token_stream().to_string().split(|c: char| !c.is_alphanumeric()).any(|w| w == "Validate")
                });
                // A struct whose fields carry no rule (`#[validate(..)]`, `#[garde(..)]`) has nothing
                // for `.validate()` to check: not calling it loses nothing.
                let has_rules = item
                    .fields
                    .iter()
                    .any(|field| field.attrs.iter().any(|attr| attr.path().is_ident("validate") || attr.path().is_ident("garde")));
                if derives_validate && has_rules {
                    cx.fact(Fact::ValidatedStruct(item.ident.to_string()));
                }
            }
            RustSyntax::Fn { sig, block, .. } => {
                // `fn step(data: SomeData) { data.validate()?; … }`: the handler may delegate.
                let is_handler = node.site.fn_id.is_some_and(|id| model.handlers().iter().any(|h| h.fn_id == id));
                // The body's source text, not its tokens printed again: this runs for every function.
                let span = block_span(cx.file, block);
                let body = cx.file.text.get(span.start..span.end).unwrap_or("");
                if !is_handler && body.contains("validate") {
                    for input in &sig.inputs {
                        let syn::FnArg::Typed(typed) = input else { continue };
                        for word in typed.ty.to_token_stream().to_string().split(|c: char| !c.is_alphanumeric() && c != '_') {
                            if word.starts_with(char::is_uppercase) {
                                cx.fact(Fact::ValidatedInHelper(word.to_string()));
                            }
                        }
                    }
                }
                self.check_rust_handler(block, model, node, cx);
                self.check_untyped_rust_payload(block, model, node, cx);
            }
            _ => {}
        }
    }

    /// A Rust handler taking a DTO that derives `Validate` (anywhere in the code it is built with) and never calling `.validate()`.
    fn check_rust_handler(&self, block: &syn::Block, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let Some(handler) = node.site.fn_id.and_then(|id| model.handlers().iter().find(|h| h.fn_id == id)) else { return };
        if node.site.in_test {
            return;
        }
        // The body's source text: printing its tokens again cost more than the rest of the rule.
        let span = block_span(cx.file, block);
        if cx.file.text.get(span.start..span.end).unwrap_or("").contains("validate") {
            return;
        }
        let RustSyntax::Fn { sig, .. } = node.syntax else { return };
        for param in &handler.request_params {
            let Some(payload) = &param.payload else { continue };
            // Only an extractor that deserialises the body or query into the DTO runs its rules.
            if model.knowledge().payload_format(&param.extractor).is_none() {
                continue;
            }
            let input = sig.inputs.iter().find(|input| input.to_token_stream().to_string().replace(' ', "").starts_with(&param.pattern));
            // `actix_web_validator::Json<T>`, `Valid<Json<T>>`: the extractor validates before the handler runs.
            let extractor_path = match input {
                Some(syn::FnArg::Typed(typed)) => match &*typed.ty {
                    syn::Type::Path(path) => Some(model.resolve_path(&path.path)),
                    _ => None,
                },
                _ => None,
            };
            if extractor_path.is_some_and(|path| model.knowledge().is_validating_extractor(&path)) {
                continue;
            }
            let span = input.map(|input| rust_span(cx.file, input)).unwrap_or_else(|| rust_span(cx.file, &sig.ident));
            let finding = cx.report_capped(
                Level::Warning,
                span,
                format!("`{payload}` derives `Validate`, but `{}` never calls `.validate()` on it", handler.name),
            );
            finding.help = Some("call `payload.validate()?` first, or extract with a validating wrapper (`Valid<Json<T>>`, `ValidatedJson<T>`, `Garde<Json<T>>`)".into());
            finding.requires(Fact::ValidatedStruct(payload.clone())).withdrawn_by(Fact::ValidatedInHelper(payload.clone()));
        }
    }

    /// A Rust handler that extracts an untyped JSON payload (`Json<Value>`, `Json<HashMap<..>>`) and then
    /// reads fields out of it: it relies on a shape that nothing declares or checks. A payload
    /// that is only forwarded or logged (a proxy) is not reported.
    fn check_untyped_rust_payload(&self, block: &syn::Block, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let Some(handler) = node.site.fn_id.and_then(|id| model.handlers().iter().find(|h| h.fn_id == id)) else { return };
        let RustSyntax::Fn { sig, .. } = node.syntax else { return };
        if node.site.in_test || cx.in_test {
            return;
        }
        for param in &handler.request_params {
            // A payload type the models say declares no shape: `Json<Value>`, `Json<HashMap<..>>`.
            let Some(payload) = param.payload.as_deref() else { continue };
            let Some(untyped) = model.knowledge().untyped_payload(payload) else { continue };
            // A query string or form is a flat map of strings: reading `q.get("name")` is what a
            // struct of `Option<String>` would give. JSON can nest and change type under the reader.
            if !model.knowledge().payload_format(&param.extractor).is_some_and(|format| format.nests()) {
                continue;
            }
            let Some(name) = bound_name(&param.pattern) else { continue };
            let mut first_read: Option<&syn::Expr> = None;
            crate::rules::auth::for_each_expr_in(crate::rules::auth::Walk::Block(block), &mut |expr| {
                if first_read.is_some() {
                    return;
                }
                let reads = match expr {
                    syn::Expr::Index(index) => names_payload(&index.expr, &name),
                    syn::Expr::MethodCall(call) => {
                        untyped.field_reads.iter().any(|read| call.method == read)
                            && names_payload(&call.receiver, &name)
                            && call.args.first().is_some_and(|a| matches!(a, syn::Expr::Lit(_)))
                    }
                    _ => false,
                };
                if reads {
                    first_read = Some(expr);
                }
            });
            let Some(read) = first_read else { continue };
            let span = sig
                .inputs
                .iter()
                .find(|input| input.to_token_stream().to_string().replace(' ', "").starts_with(&param.pattern))
                .map(|input| rust_span(cx.file, input))
                .unwrap_or_else(|| rust_span(cx.file, &sig.ident));
            let read_span = rust_span(cx.file, read);
            let read_text = crate::rules::shorten(cx.file.slice(read_span), 40);
            let file = cx.file;
            let message = format!(
                "`{}` takes `{}<{payload}>` and reads fields out of it (`{read_text}`): its shape is neither declared nor validated",
                handler.name, param.extractor
            );
            cx.report_capped(Level::Warning, span, message)
                .with_help("deserialise into a struct (`Json<NewUser>`, with `#[serde(deny_unknown_fields)]`) and validate it (`validator`/`garde`)")
                .with_related(file, read_span, "a field is read here");
        }
    }
}

/// The variable a request parameter pattern binds: `Json(body)` → `body`, `mut q` → `q`.
fn bound_name(pattern: &str) -> Option<String> {
    let inner = match (pattern.find('('), pattern.rfind(')')) {
        (Some(open), Some(close)) if open < close => &pattern[open + 1..close],
        _ => pattern,
    };
    let name = inner.trim().trim_start_matches("mut ").trim_start_matches("mut").trim();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then(|| name.to_string())
}

/// `body`, `body.0`, `&body`, `(body)`: the payload itself.
fn names_payload(expr: &syn::Expr, name: &str) -> bool {
    match expr {
        syn::Expr::Path(path) => path.path.is_ident(name),
        syn::Expr::Field(field) => matches!(&field.member, syn::Member::Unnamed(i) if i.index == 0) && names_payload(&field.base, name),
        syn::Expr::Reference(reference) => names_payload(&reference.expr, name),
        syn::Expr::Paren(paren) => names_payload(&paren.expr, name),
        _ => false,
    }
}
