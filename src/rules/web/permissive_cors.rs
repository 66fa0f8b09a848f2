//! `permissive-cors`: CORS that lets any origin make credentialed requests. With
//! `Access-Control-Allow-Credentials: true` and an origin policy of "any" (reflected), every
//! website a logged-in user visits can call the API as that user and read the answers.

use crate::diagnostic::Level;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "permissive-cors", build };

struct PermissiveCors;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(PermissiveCors))
}

const HELP: &str = "list the origins that may call the API (`origin: [\"https://app.example.com\"]`, `AllowOrigin::list(..)`), or drop credentials for public endpoints";

impl PermissiveCors {
    /// Whether an `origin` option admits every origin: `true`, `"*"`, a callback that always
    /// calls back with `true`, or a reflecting function.
    fn ts_any_origin(value: Node<'_>, model: &TsModel<'_>) -> bool {
        let value = model.resolve(value);
        if model.bool_value(value) == Some(true) || model.string_value(value).as_deref() == Some("*") {
            return true;
        }
        // `(origin, cb) => cb(null, true)`
        matches!(value.kind(), "arrow_function" | "function_expression")
            && model.text(value).replace(' ', "").contains("(null,true)")
            && !model.text(value).contains("includes")
            && !model.text(value).contains("indexOf")
            && !model.text(value).contains("test(")
    }

    fn check_options(&self, options: Node<'_>, model: &TsModel<'_>, at: Node<'_>, cx: &mut Context<'_>) {
        let options = model.resolve(options);
        if options.kind() != "object" {
            return;
        }
        let any_origin = match model.property(options, "origin") {
            Property::Found(origin) => Self::ts_any_origin(origin, model),
            Property::Missing => true,
            Property::Unknown => false,
        };
        let credentials = matches!(model.property(options, "credentials"), Property::Found(v) if model.bool_value(v) == Some(true));
        if any_origin && credentials {
            cx.report(
                span_of(at),
                "CORS admits every origin and allows credentials: any website can call this API as the signed-in user",
            )
            .help = Some(HELP.into());
        }
    }
}

impl Rule for PermissiveCors {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(callee) = node.field("function") else { return };
        let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        let name = model.qualified_name(callee).unwrap_or_default();
        let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
        match () {
            // `cors({...})` (express/koa), `app.enableCors({...})` (NestJS)
            _ if name == "cors" || name == "@koa/cors" || method == "enableCors" => {
                match arguments.first() {
                    Some(options) => self.check_options(*options, model, callee, cx),
                    // `cors()` / `enableCors()`: `Access-Control-Allow-Origin: *` without credentials.
                    None if name == "cors" => {
                        cx.report_capped(
                            Level::Note,
                            span_of(callee),
                            "`cors()` without options admits every origin (without credentials)",
                        )
                        .help = Some(HELP.into());
                    }
                    None => {}
                }
            }
            // `fastify.register(cors, {...})`
            _ if method == "register" && arguments.len() >= 2 => {
                let plugin = model.qualified_name(arguments[0]).unwrap_or_default();
                if plugin == "@fastify/cors" || plugin == "fastify-cors" {
                    self.check_options(arguments[1], model, callee, cx);
                }
            }
            _ => {}
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::Call(call) => {
                let Some(path) = model.call_path(call) else { return };
                // tower-http `CorsLayer::very_permissive()` mirrors the origin and allows credentials;
                // actix-cors `Cors::permissive()` allows all origins with credentials.
                if path.ends_with("CorsLayer::very_permissive") || (path.ends_with("Cors::permissive") && !path.contains("CorsLayer")) {
                    let short = crate::rules::short_path(&path);
                    cx.report(rust_span(cx.file, &call.func), format!("`{short}()` admits every origin with credentials")).help =
                        Some(HELP.into());
                } else if path.ends_with("CorsLayer::permissive") {
                    cx.report_capped(
                        Level::Note,
                        rust_span(cx.file, &call.func),
                        "`CorsLayer::permissive()` admits every origin (without credentials)",
                    )
                    .help = Some(HELP.into());
                }
            }
            // `.allow_credentials(true)` / `.supports_credentials()` at the end of a chain that admits any origin.
            RustSyntax::MethodCall(call) => {
                let method = call.method.to_string();
                let credentials = (method == "allow_credentials"
                    && call.args.first().is_some_and(|a| a.to_token_stream().to_string() == "true"))
                    || method == "supports_credentials";
                if !credentials {
                    return;
                }
                let chain = call.receiver.to_token_stream().to_string().replace(' ', "");
                let any = chain.contains("allow_any_origin()")
                    || chain.contains("mirror_request()")
                    || chain.contains("allow_origin(Any)")
                    || chain.contains("allow_origin(cors::Any)");
                if any {
                    cx.report(
                        rust_span(cx.file, &call.method),
                        "CORS admits every origin and allows credentials: any website can call this API as the signed-in user",
                    )
                    .help = Some(HELP.into());
                }
            }
            _ => {}
        }
    }
}
