//! `graphql-without-query-limits`: a GraphQL server that accepts queries of any depth and
//! complexity. One nested query (`author { posts { author { posts { … } } } }`) makes the server
//! resolve an exponential number of fields; a few such requests hold every worker.

use super::graphql::{is_limit_package, server};
use crate::diagnostic::Fact;
use crate::lang::rust::{method_chain, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::span_of;
use crate::lang::typescript::{Property, TsModel};
use crate::models::Language;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "graphql-without-query-limits", build };

struct GraphqlWithoutQueryLimits;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(GraphqlWithoutQueryLimits))
}

/// Whether an options object limits queries: an option the models name (validation rules,
/// where depth and complexity rules go; Mercurius's `queryDepth`), or a plugin named for a limit
/// (`useDepthLimit`, GraphQL Armor).
fn options_limit(options: Node<'_>, limit_options: &[String], model: &TsModel<'_>) -> bool {
    if limit_options.iter().any(|key| !matches!(model.property(options, key), Property::Missing)) {
        return true;
    }
    match model.property(options, "plugins") {
        Property::Found(plugins) => {
            let text = model.text(plugins).to_ascii_lowercase();
            ["depth", "complexity", "cost", "armor"].iter().any(|word| text.contains(word))
        }
        Property::Unknown => true,
        Property::Missing => false,
    }
}

impl Rule for GraphqlWithoutQueryLimits {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if node.kind() == "program" {
            if model.import_specifiers().iter().any(|module| is_limit_package(module)) {
                cx.fact(Fact::GraphqlQueryLimits);
            }
            return;
        }
        if cx.in_test {
            return;
        }
        let Some(server) = server(node, model) else { return };
        // Options the code does not show (built elsewhere, spread in) may set limits.
        let Some(options) = server.options else { return };
        if options_limit(options, &server.model.parameters.limit_options, model) {
            return;
        }
        let finding = cx.report(
            span_of(server.callee),
            format!("this {} server accepts queries of any depth and complexity", server.model.parameters.library),
        );
        finding.help = Some(
            "add a depth and a complexity limit (`validationRules: [depthLimit(10), createComplexityLimitRule(1000)]`, Mercurius `queryDepth`, GraphQL Armor for Yoga)"
                .into(),
        );
        finding.withdrawn_by(Fact::GraphqlQueryLimits);
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall, RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        // Asked of every call and function of every Rust file: the shapes first, the crate last.
        let async_graphql = || model.imports_crate("async_graphql") || cx.file.text.contains("async_graphql::");
        match node.syntax {
            // A limit set anywhere: a builder handed out by one function may be limited in another.
            RustSyntax::MethodCall(call) if is_limit(model, &call.method) && async_graphql() => {
                cx.fact(Fact::GraphqlBuilderLimited);
            }
            // `Schema::build(..)…finish()`, also through a variable holding the builder.
            RustSyntax::MethodCall(call) if call.method == "finish" && !node.site.in_test && !cx.in_test => {
                let Some(build) = unlimited_build(model, node, call) else { return };
                if async_graphql() {
                    cx.report(rust_span(cx.file, &build.func), "this async-graphql schema accepts queries of any depth and complexity")
                        .help = Some(
                        "call `.limit_depth(10)` and `.limit_complexity(1000)` (or limits fit for the schema) before `.finish()`".into(),
                    );
                }
            }
            // `Schema::new(query, mutation, subscription)`: no builder, so no limits.
            RustSyntax::Call(call) if !node.site.in_test && !cx.in_test => {
                let named_new = matches!(&*call.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "new"));
                let unlimited = || model.graphql(&model.call_parts(call)).is_some_and(|g| g.parameters.unlimited);
                if named_new && unlimited() && async_graphql() {
                    cx.report(rust_span(cx.file, &call.func), "this async-graphql schema accepts queries of any depth and complexity")
                        .help = Some("build it with `Schema::build(..).limit_depth(10).limit_complexity(1000).finish()`".into());
                }
            }
            // `fn schema_builder() -> SchemaBuilder { Schema::build(..) }`: the builder leaves the
            // function unfinished, so its limits (if any) are set elsewhere in the project.
            RustSyntax::Fn { sig, block, .. } if !node.site.in_test && !cx.in_test => {
                if matches!(sig.output, syn::ReturnType::Default) {
                    return;
                }
                for value in crate::lang::rust::taint::returned_values(block) {
                    let (root, calls) = method_chain(value);
                    let syn::Expr::Call(build) = root else { continue };
                    if !starts_builder(model, build)
                        || calls.iter().any(|c| c.method == "finish" || is_limit(model, &c.method))
                        || !async_graphql()
                    {
                        continue;
                    }
                    let finding = cx.report(
                        rust_span(cx.file, &build.func),
                        "this async-graphql schema builder is handed out without a depth or complexity limit, and nothing in the code it is built with sets one",
                    );
                    finding.help =
                        Some("call `.limit_depth(10)` and `.limit_complexity(1000)` on the builder before handing it out".into());
                    finding.withdrawn_by(Fact::GraphqlBuilderLimited);
                }
            }
            _ => {}
        }
    }
}

/// The `Schema::build(..)` call a `.finish()` finishes (in its chain, or held in a variable)
/// when no limit is set on the way.
fn unlimited_build<'a>(model: &'a RustModel<'_>, node: &RustNode<'a>, call: &'a syn::ExprMethodCall) -> Option<&'a syn::ExprCall> {
    let (mut root, calls) = method_chain(&call.receiver);
    let limited = |methods: &[&syn::ExprMethodCall]| methods.iter().any(|c| is_limit(model, &c.method));
    if limited(&calls) {
        return None;
    }
    if let syn::Expr::Path(path) = root {
        let local = model.local_of(node.site.fn_id, path)?;
        if local.methods.iter().any(|m| model.knowledge().graphql_limit_method(Language::Rust, m)) {
            return None;
        }
        let (init_root, init_calls) = method_chain(local.init?);
        if limited(&init_calls) {
            return None;
        }
        root = init_root;
    }
    let syn::Expr::Call(build) = root else { return None };
    starts_builder(model, build).then_some(build)
}

/// Whether the models say this call starts a schema builder that limits can be set on
/// (async-graphql's `Schema::build(..)`, a `[[graphql]]` entry with `limit-methods`).
fn starts_builder(model: &RustModel<'_>, call: &syn::ExprCall) -> bool {
    model.graphql(&model.call_parts(call)).is_some_and(|g| !g.parameters.limit_methods.is_empty())
}

/// Whether a method bounds a schema builder's queries (`limit_depth`, `limit_complexity`).
fn is_limit(model: &RustModel<'_>, method: &syn::Ident) -> bool {
    model.knowledge().graphql_limit_method(Language::Rust, &method.to_string())
}
