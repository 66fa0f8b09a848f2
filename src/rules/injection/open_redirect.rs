//! `open-redirect`: request data as the target of a redirect. The site's own links then send
//! users to any site the attacker names, which makes phishing pages look trustworthy and leaks
//! OAuth codes and tokens carried in redirects.

use super::{constant_prefix, fixes_origin, report_origin, report_rust_origin, rust_constant_prefix};
use crate::lang::rust::{RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::SinkKind;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "open-redirect", build };

struct OpenRedirect;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(OpenRedirect))
}

const HELP: &str =
    "redirect only to paths of this site (check `target.startsWith('/') && !target.startsWith('//')`) or to targets from an allowlist";

/// Whether the target starts with a fixed local path (`/account/…`, not `//host`) or a fixed
/// origin with a path.
fn fixed_prefix(target: Node<'_>, model: &TsModel<'_>) -> bool {
    let prefix = constant_prefix(target, model, 0);
    let local = prefix.starts_with('/') && !prefix.starts_with("//") && !prefix.starts_with("/\\") && prefix.len() > 1;
    local || fixes_origin(&prefix) || model.host_fixed_by_leading_value(target)
}

impl OpenRedirect {
    /// `format!("{}{next}", base_path())`, `format!("{PREFIX}{next}")`: the target starts with a
    /// value the server computes (a function call or a constant, not request data), which fixes
    /// the start of the target like a literal `/prefix` does: a site-relative path, as the TS side
    /// treats a fixed origin.
    fn after_server_value(
        target: &syn::Expr,
        model: &RustModel<'_>,
        node: &RustNode<'_>,
        file: &crate::source::SourceFile,
        depth: usize,
    ) -> bool {
        if depth > 4 {
            return false;
        }
        let target = match target {
            syn::Expr::Reference(r) => &*r.expr,
            other => other,
        };
        let syn::Expr::Macro(format) = (match target {
            syn::Expr::Path(path) => match model.local_of(node.site.fn_id, path).and_then(|local| local.init) {
                Some(init) => return Self::after_server_value(init, model, node, file, depth + 1),
                None => return false,
            },
            other => other,
        }) else {
            return false;
        };
        if !format.mac.path.is_ident("format") {
            return false;
        }
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let Ok(args) = syn::parse::Parser::parse2(parser, format.mac.tokens.clone()) else { return false };
        let args: Vec<&syn::Expr> = args.iter().collect();
        let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })) = args.first() else { return false };
        let text = text.value();
        let Some(first) = text.strip_prefix('{').and_then(|rest| rest.split(['}', ':']).next()) else { return false };
        let named = |name: &str| {
            args.iter().find_map(|arg| match arg {
                syn::Expr::Assign(assign) if matches!(&*assign.left, syn::Expr::Path(p) if p.path.is_ident(name)) => {
                    Some((*assign.right).clone())
                }
                _ => None,
            })
        };
        let leading = match first {
            "" => args.get(1).map(|e| (*e).clone()),
            index if index.chars().all(|c| c.is_ascii_digit()) => {
                index.parse::<usize>().ok().and_then(|i| args.get(i + 1)).map(|e| (*e).clone())
            }
            // An inline capture: a local bound before the `format!`, or a constant.
            name => named(name).or_else(|| {
                let local = model.local(node.site.fn_id, name, crate::lang::rust::model::start_point(&format.mac));
                match local.and_then(|local| local.init) {
                    Some(init) => Some(init.clone()),
                    None => syn::parse_str::<syn::Expr>(name).ok(),
                }
            }),
        };
        let Some(leading) = leading else { return false };
        Self::is_server_value(&leading, model, node, file, depth + 1)
    }

    /// A call, a field or a constant that does not carry request data; a known string only if it is a
    /// local path or a fixed origin (an empty prefix fixes nothing).
    fn is_server_value(
        value: &syn::Expr,
        model: &RustModel<'_>,
        node: &RustNode<'_>,
        file: &crate::source::SourceFile,
        depth: usize,
    ) -> bool {
        if depth > 6 {
            return false;
        }
        if let Some(text) = model.string_value(value, node.site.fn_id) {
            return (text.starts_with('/') && !text.starts_with("//") && text.len() > 1) || fixes_origin(&text);
        }
        match value {
            syn::Expr::Reference(r) => Self::is_server_value(&r.expr, model, node, file, depth + 1),
            syn::Expr::Path(path) => match model.local_of(node.site.fn_id, path).and_then(|local| local.init) {
                Some(init) => Self::is_server_value(init, model, node, file, depth + 1),
                None => false,
            },
            // `base_path()`, `config.base_url()`, `Config::get().issuer`.
            syn::Expr::Call(_) | syn::Expr::MethodCall(_) | syn::Expr::Field(_) => !model.origin(value, &node.site, file).is_request(),
            _ => false,
        }
    }
}

impl Rule for OpenRedirect {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let (target, sink) = match node.syntax {
            RustSyntax::Call(call) => {
                let sinks = model.sinks(&model.call_parts(call), SinkKind::Redirect);
                let Some(sink) = sinks.first() else { return };
                (call.args.iter().nth(sink.arguments[0]), format!("`{}`", sink.callee.written))
            }
            // actix-web `HttpResponse::Found().append_header((header::LOCATION, target))`.
            RustSyntax::MethodCall(call) if call.method == "append_header" || call.method == "insert_header" => {
                let Some(syn::Expr::Tuple(pair)) = call.args.first() else { return };
                let is_location = pair.elems.first().is_some_and(|name| {
                    let name = name.to_token_stream().to_string();
                    name.ends_with("LOCATION") || name.to_ascii_lowercase().contains("\"location\"")
                });
                if !is_location {
                    return;
                }
                (pair.elems.iter().nth(1), "the `Location` header".to_string())
            }
            _ => return,
        };
        let Some(target) = target else { return };
        let fixed = rust_constant_prefix(target, model, &node.site, 0)
            .is_some_and(|prefix| (prefix.starts_with('/') && !prefix.starts_with("//") && prefix.len() > 1) || fixes_origin(&prefix));
        if fixed || Self::after_server_value(target, model, node, cx.file, 0) {
            return;
        }
        report_rust_origin(cx, model, &node.site, target, "the redirect target", &sink, None, HELP, SinkKind::Redirect);
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if model.sinks(node, SinkKind::Redirect).is_empty() {
            return;
        }
        let Some(callee) = node.field("function") else { return };
        let Some(arguments) = node.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        // `res.redirect(url)`, `res.redirect(301, url)`, `reply.redirect(url)`, `ctx.redirect(url, alt)`.
        let target = match arguments.as_slice() {
            [only] => *only,
            [first, second] if first.kind() == "number" => *second,
            [first, _] => *first,
            _ => return,
        };
        if fixed_prefix(target, model) {
            return;
        }
        let shown = super::sink_name(callee, model);
        report_origin(cx, span_of(target), &model.origin_for(target, Some(SinkKind::Redirect)), "the redirect target", &shown, None, HELP);
    }
}
