//! `graphql-without-query-limits`: a GraphQL server that accepts queries of any depth and
//! complexity. One nested query (`author { posts { author { posts { … } } } }`) makes the server
//! resolve an exponential number of fields; a few such requests hold every worker.

use super::graphql::{is_limit_package, server};
use crate::diagnostic::Fact;
use crate::lang::rust::{method_chain, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::span_of;
use crate::lang::typescript::{Property, TsModel};
use crate::models::{Graphql, Language};
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
        let in_use = |schema: &Graphql| schema.parameters.file_uses.as_deref().is_none_or(|krate| file_uses(model, cx.file, krate));
        // A schema that takes queries of any cost, reported at the call that makes it.
        let report_unlimited = |cx: &mut Context<'_>, at: &syn::Expr, schema: &Graphql, fallback: &str| {
            let library = &schema.parameters.library;
            cx.report(rust_span(cx.file, at), format!("this {library} schema accepts queries of any depth and complexity")).help =
                Some(schema.parameters.help.clone().unwrap_or_else(|| fallback.to_string()));
        };
        match node.syntax {
            // A limit set anywhere: a builder handed out by one function may be limited in another.
            RustSyntax::MethodCall(call) if limits(model, &call.method).any(in_use) => {
                cx.fact(Fact::GraphqlBuilderLimited);
            }
            // `Schema::build(..)…finish()`, also through a variable holding the builder.
            RustSyntax::MethodCall(call) if finishes(model, &call.method) && !node.site.in_test && !cx.in_test => {
                let Some((build, schema)) = unlimited_build(model, node, call) else { return };
                if in_use(schema) {
                    report_unlimited(cx, &build.func, schema, "set the builder's depth and complexity limits before finishing it");
                }
            }
            // `Schema::new(query, mutation, subscription)`: no builder, so no limits.
            RustSyntax::Call(call) if !node.site.in_test && !cx.in_test => {
                let Some(schema) = model.graphql(&model.call_parts(call)).filter(|g| g.parameters.unlimited) else { return };
                if in_use(schema) {
                    report_unlimited(cx, &call.func, schema, "build the schema with its builder and limit depth and complexity");
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
                    let Some(schema) = builder_started(model, build) else { continue };
                    let p = &schema.parameters;
                    let set = |methods: &[String]| calls.iter().any(|c| methods.iter().any(|m| c.method == m));
                    if set(&p.finish_methods) || set(&p.limit_methods) || !in_use(schema) {
                        continue;
                    }
                    let finding = cx.report(
                        rust_span(cx.file, &build.func),
                        format!(
                            "this {} schema builder is handed out without a depth or complexity limit, and nothing in the code it is built with sets one",
                            p.library
                        ),
                    );
                    let limits: Vec<String> = p.limit_methods.iter().map(|m| format!("`.{m}(..)`")).collect();
                    finding.help = Some(format!("call {} on the builder before handing it out", limits.join(" and ")));
                    finding.withdrawn_by(Fact::GraphqlBuilderLimited);
                }
            }
            _ => {}
        }
    }
}

/// Whether the file uses a crate: a `use` of it, or a path through it (`async_graphql::Schema`).
fn file_uses(model: &RustModel<'_>, file: &crate::source::SourceFile, krate: &str) -> bool {
    model.imports_crate(krate) || file.text.contains(&format!("{krate}::"))
}

/// The schema builders one of whose limit methods this is (`limit_depth`).
fn limits<'m>(model: &'m RustModel<'_>, method: &'m syn::Ident) -> impl Iterator<Item = &'m Graphql> + 'm {
    model.knowledge().graphql_builders(Language::Rust).filter(move |b| b.parameters.limit_methods.iter().any(|m| method == m))
}

/// Whether this method finishes some schema builder (`finish`).
fn finishes(model: &RustModel<'_>, method: &syn::Ident) -> bool {
    model.knowledge().graphql_builders(Language::Rust).any(|b| b.parameters.finish_methods.iter().any(|m| method == m))
}

/// The builder call (`Schema::build(..)`) a finishing call finishes (in its chain, or held in a
/// variable), with its entry, when none of the builder's limits is set on the way.
fn unlimited_build<'a, 'm>(
    model: &'m RustModel<'a>,
    node: &RustNode<'a>,
    call: &'a syn::ExprMethodCall,
) -> Option<(&'a syn::ExprCall, &'m Graphql)> {
    let (mut root, calls) = method_chain(&call.receiver);
    let mut methods: Vec<String> = calls.iter().map(|c| c.method.to_string()).collect();
    if let syn::Expr::Path(path) = root {
        let local = model.local_of(node.site.fn_id, path)?;
        methods.extend(local.methods.iter().cloned());
        let (init_root, init_calls) = method_chain(local.init?);
        methods.extend(init_calls.iter().map(|c| c.method.to_string()));
        root = init_root;
    }
    let syn::Expr::Call(build) = root else { return None };
    let schema = builder_started(model, build)?;
    let limited = methods.iter().any(|m| schema.parameters.limit_methods.contains(m));
    let finished_here = schema.parameters.finish_methods.iter().any(|m| call.method == m);
    (!limited && finished_here).then_some((build, schema))
}

/// The entry that says this call starts a schema builder that limits can be set on
/// (async-graphql's `Schema::build(..)`, a `[[graphql]]` entry with `limit-methods`).
fn builder_started<'m>(model: &'m RustModel<'_>, call: &syn::ExprCall) -> Option<&'m Graphql> {
    model.graphql(&model.call_parts(call)).filter(|g| !g.parameters.limit_methods.is_empty())
}
