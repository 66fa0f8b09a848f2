//! `missing-security-headers`: a web app served without the response headers that make browsers
//! refuse MIME sniffing, framing and HTTP downgrades. Project-level: helmet (or an equivalent, or
//! the headers set by hand) mounted anywhere in the code it is built with answers every app, since where the
//! middleware is mounted is a matter of code layout the rule does not follow.

use crate::diagnostic::Fact;
use crate::lang::typescript::model::{descendants, named_children, program_of, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::{Capability, Protection};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "missing-security-headers", build };

struct MissingSecurityHeaders;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(MissingSecurityHeaders))
}

/// Headers whose presence shows that the app sets security headers by hand.
const SECURITY_HEADERS: &[&str] = &["content-security-policy", "strict-transport-security", "x-content-type-options"];

const HELP: &str = "mount `helmet()` (`koa-helmet`, `@fastify/helmet`) before the routes, or turn the rule off when a gateway or CDN in front of the app sets these headers";

/// The framework of an app the call creates: a server entry of the models that mounts
/// middleware (`express()`, `new Koa()`, `NestFactory.create(..)`).
fn app_framework<'m>(call: Node<'_>, model: &TsModel<'m>) -> Option<&'m str> {
    let callee = call.field("function").or_else(|| call.field("constructor"))?;
    // `require("fastify")({ logger: true })`
    let server = if callee.kind() == "call_expression" && callee.field("function").is_some_and(|f| model.text(f) == "require") {
        let module = callee.field("arguments").and_then(|a| a.named_child(0)).and_then(|m| model.string_literal(m))?;
        model.server_named(&module)
    } else {
        model.server(call)
    };
    server.filter(|s| s.parameters.mounts_middleware).map(|s| s.framework.as_str())
}

/// Where the created app is kept: `const app = express()`, `this.app = express()`.
fn app_binding(call: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let mut node = call;
    while let Some(parent) = node.parent().filter(|p| matches!(p.kind(), "await_expression" | "parenthesized_expression" | "as_expression"))
    {
        node = parent;
    }
    let parent = node.parent()?;
    match parent.kind() {
        "variable_declarator" => model.member_path(parent.field("name")?),
        "assignment_expression" => model.member_path(parent.field("left")?),
        // `class Server { private app = express(); }` is used as `this.app`.
        "public_field_definition" | "field_definition" => Some(format!("this.{}", model.text(parent.field("name")?))),
        _ => None,
    }
}

/// Whether the app answers HTTP requests from this file: it is listened on, handed to
/// `createServer`, called as a request handler, or exported or returned for a server elsewhere.
/// An app built only to run loaders in a command-line script is not.
fn is_served(call: Node<'_>, model: &TsModel<'_>) -> bool {
    // `export default express()`, `module.exports = express()`, `return express()`, `() => express()`.
    let direct = call.parent().is_some_and(|p| match p.kind() {
        "export_statement" | "return_statement" | "arrow_function" => true,
        "assignment_expression" => p.field("left").is_some_and(|l| model.text(l).starts_with("module.exports")),
        _ => false,
    });
    if direct {
        return true;
    }
    let Some(app) = app_binding(call, model) else { return false };
    // `export const app = express()`
    let exported_declaration =
        call.parent().and_then(|d| d.parent()).and_then(|d| d.parent()).is_some_and(|s| s.kind() == "export_statement");
    if exported_declaration {
        return true;
    }
    let root = program_of(call);
    let names_app = |node: Node<'_>| match node.kind() {
        // `module.exports = { app }`
        "shorthand_property_identifier" => model.text(node) == app,
        _ => model.member_path(model.unwrap_expression(node)).is_some_and(|path| path == app),
    };
    descendants(root).any(|node| match node.kind() {
        // `new http.Server(app)`
        "new_expression" => {
            let handed_over = node.field("arguments").is_some_and(|a| named_children(a).any(names_app));
            handed_over && node.field("constructor").is_some_and(|c| is_server_factory(c, model))
        }
        "call_expression" => {
            let Some(callee) = node.field("function") else { return false };
            let arguments: Vec<Node<'_>> = node.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
            // `app.listen(..)`, `app(req, res)`
            let listened = callee.kind() == "member_expression"
                && callee.field("property").is_some_and(|p| model.text(p) == "listen")
                && callee.field("object").is_some_and(names_app);
            let handled = names_app(callee);
            // `http.createServer(app)`, `https.createServer(options, app)`, `serverless(app)`
            let handed_to_server = is_server_factory(callee, model) && arguments.iter().any(|a| names_app(*a));
            listened || handled || handed_to_server
        }
        "return_statement" | "export_statement" => named_children(node).any(names_app),
        "assignment_expression" => {
            let exports =
                node.field("left").is_some_and(|l| model.text(l).starts_with("module.exports") || model.text(l).starts_with("exports."));
            exports && node.field("right").is_some_and(|r| names_app(r) || descendants(r).any(names_app))
        }
        "export_specifier" => node.field("name").is_some_and(|n| model.text(n) == app),
        _ => false,
    })
}

/// Functions and classes that serve an app handed to them (`http.createServer(app)`,
/// `new http.Server(app)`, `serverless(app)`);
/// other calls that take the app (`loaders({ expressApp: app })`, `configure(app)`) only set it up.
fn is_server_factory(callee: Node<'_>, model: &TsModel<'_>) -> bool {
    let name = match callee.kind() {
        "member_expression" => callee.field("property").map(|p| model.text(p)).unwrap_or(""),
        _ => model.text(callee),
    };
    matches!(name, "createServer" | "createSecureServer" | "Server" | "serverless")
}

/// A call that sets one of the security headers by hand: `res.setHeader("X-Content-Type-Options", ..)`,
/// `ctx.set({ "Strict-Transport-Security": .. })`, `reply.header(..)`, `res.writeHead(200, {..})`.
fn sets_header_by_hand(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(callee) = call.field("function").filter(|c| c.kind() == "member_expression") else { return false };
    let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
    if !matches!(method, "setHeader" | "set" | "header" | "headers" | "append" | "writeHead" | "setHeaders") {
        return false;
    }
    let is_security_header = |name: &str| SECURITY_HEADERS.contains(&name.to_ascii_lowercase().as_str());
    let Some(arguments) = call.field("arguments") else { return false };
    named_children(arguments).any(|argument| {
        if let Some(name) = model.string_value(argument) {
            return is_security_header(&name);
        }
        model.object_literal(argument).is_some_and(|object| {
            named_children(object).filter_map(|pair| pair.field("key")).any(|key| {
                let name = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
                is_security_header(&name)
            })
        })
    })
}

/// What switching a protection off costs any app; `None` for the content security policy,
/// whose absence alone is common and sound for a JSON API (no documents for a policy to
/// protect), and for framing, which matters only when no CSP `frame-ancestors` (on in helmet's
/// default policy) takes its place.
fn consequence(protection: Protection) -> Option<&'static str> {
    match protection {
        Protection::Hsts => Some("browsers are not told to refuse plain HTTP, so the first request can be downgraded"),
        Protection::NoSniff => Some("browsers may sniff responses into executable types"),
        Protection::Framing | Protection::ContentSecurityPolicy => None,
    }
}

impl MissingSecurityHeaders {
    /// `helmet({ hsts: false })`, `fastify.register(helmet, { noSniff: false })`: options of a
    /// security-header middleware (the models' `options-off`) that switch a protection off.
    fn check_helmet_options(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        let Some(arguments) = call.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let (switches, options) = if let Some(switches) = model.header_switches(callee) {
            (switches, arguments.first())
        } else if model.text(callee).ends_with(".register") {
            let Some(switches) = arguments.first().and_then(|a| model.header_switches(*a)) else { return };
            (switches, arguments.get(1))
        } else {
            return;
        };
        let Some(options) = options.and_then(|o| model.object_literal(*o)) else { return };
        let is_off = |key: &str| matches!(model.property(options, key), Property::Found(v) if model.bool_value(v) == Some(false));
        let csp_off = switches.iter().any(|(key, protection)| *protection == Protection::ContentSecurityPolicy && is_off(key));
        for pair in named_children(options).filter(|p| p.kind() == "pair") {
            let Some(key) = pair.field("key").map(|k| model.string_literal(k).unwrap_or_else(|| model.text(k).to_string())) else {
                continue;
            };
            let Some(&protection) = switches.get(&key) else { continue };
            if !is_off(&key) {
                continue;
            }
            let consequence = match consequence(protection) {
                Some(consequence) => consequence,
                None if csp_off && protection == Protection::Framing => {
                    "with the content security policy off too, any site can frame these pages (clickjacking)"
                }
                None => continue,
            };
            cx.report(span_of(pair), format!("`{key}: false` switches off a helmet protection: {consequence}")).help = Some(
                "keep the protection on; switch off only what the app demonstrably needs (often `contentSecurityPolicy` for a JSON API)"
                    .into(),
            );
        }
    }
}

impl Rule for MissingSecurityHeaders {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "program" => {
                // helmet or a package that sets its headers (`models/security-headers.toml`).
                if model.imports_providing(Capability::SecurityHeaders) {
                    cx.fact(Fact::SecurityHeadersSet);
                }
                return;
            }
            "call_expression" if sets_header_by_hand(node, model) => cx.fact(Fact::SecurityHeadersSet),
            _ => {}
        }
        if cx.in_test {
            return;
        }
        if node.kind() == "call_expression" {
            self.check_helmet_options(node, model, cx);
        }
        let Some(framework) = app_framework(node, model) else { return };
        if is_served(node, model) {
            cx.report(
                span_of(node),
                format!("this {framework} app sends no security headers: no helmet or equivalent is mounted anywhere in the code it is built with"),
            )
            .with_help(HELP)
            .withdrawn_by(Fact::SecurityHeadersSet);
        }
    }
}
