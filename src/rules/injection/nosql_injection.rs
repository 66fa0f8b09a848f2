//! `nosql-injection`: request values used in MongoDB query filters without a cast. A JSON body or
//! a query string like `?email[$ne]=x` turns a value into an operator object, so
//! `{ email: req.body.email }` matches every user; `$where` runs JavaScript on the server.

use crate::diagnostic::{Fact, Level};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Capability, Language, SinkKind};
use crate::rules::{check_option_names, shorten, Context, Rule, RuleEntry, RuleOptions};
use crate::taint::Origin;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "nosql-injection", build };

struct NosqlInjection;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(NosqlInjection))
}

/// Methods only strings have, whose result is a string (`slice` and `concat` are arrays' too).
const STRING_METHODS: &[&str] = &[
    "toString",
    "toLowerCase",
    "toUpperCase",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "trim",
    "trimStart",
    "trimEnd",
    "normalize",
    "padStart",
    "padEnd",
    "substring",
    "substr",
    "replace",
    "replaceAll",
    "charAt",
    "repeat",
];

const HELP: &str = "cast filter values to the expected type (`String(req.body.email)`) or validate the body with a schema first; app-wide, set `mongoose.set(\"sanitizeFilter\", true)` or mount `express-mongo-sanitize`";

impl NosqlInjection {
    /// A request source that can carry an operator object: Express/Koa/Fastify data. NestJS
    /// `@Body()` DTOs are typed (and validated when a `ValidationPipe` runs), so they are not.
    /// Route parameters (`req.params.id`, `ctx.params.slug`) are strings cut out of the path:
    /// they cannot carry an operator object.
    fn untyped_request(origin: &Origin) -> Option<&crate::taint::Flow> {
        origin.flow().filter(|flow| !flow.source_text.starts_with('@') && !flow.is_route_parameter())
    }

    /// A value forced to a string or number: `String(x)`, `` `${x}` ``, `x.toString()`, `+x`,
    /// the result of a string method (`email.toLowerCase()`: an object has none, so the request
    /// fails before the query), also held in a local (`const normalized = email.trim()`).
    fn is_cast(node: Node<'_>, model: &TsModel<'_>) -> bool {
        let node = model.unwrap_expression(node);
        let node = if node.kind() == "identifier" { model.unwrap_expression(model.resolve(node)) } else { node };
        match node.kind() {
            "template_string" | "unary_expression" | "number" | "string" => true,
            "call_expression" => {
                let callee = node.field("function").map(|c| model.text(c)).unwrap_or("");
                let method = callee.rsplit_once('.').map_or("", |(_, method)| method);
                matches!(callee, "String" | "Number" | "parseInt" | "parseFloat" | "Boolean")
                    || STRING_METHODS.contains(&method)
                    || callee.starts_with("mongoose.Types.ObjectId")
                    || callee.ends_with("ObjectId")
            }
            "new_expression" => true,
            _ => false,
        }
    }

    fn check_filter(&self, filter: Node<'_>, model: &TsModel<'_>, sink: &str, cx: &mut Context<'_>) {
        let filter = model.unwrap_expression(filter);
        let object = model.resolve(filter);
        if object.kind() != "object" {
            // `User.find(req.query)`: the client writes the whole filter.
            if Self::is_cast(filter, model) {
                return;
            }
            let origin = model.origin(filter);
            if let Some(flow) = Self::untyped_request(&origin) {
                let file = cx.file;
                let finding = cx.report(
                    span_of(filter),
                    format!("request data (`{}`) is the whole query filter of {sink}", shorten(&flow.source_text, 40)),
                );
                finding.help = Some(HELP.into());
                finding.with_flow(file, flow).withdrawn_by(Fact::MongoFiltersSanitized);
            } else {
                Self::record_for_callers(&origin, span_of(filter), "the whole query filter", sink, cx);
            }
            return;
        }
        for member in named_children(object) {
            let (key, value) = match member.kind() {
                "pair" => (
                    member.field("key").map(|k| model.string_literal(k).unwrap_or_else(|| model.text(k).to_string())),
                    member.field("value"),
                ),
                "shorthand_property_identifier" => (Some(model.text(member).to_string()), Some(member)),
                _ => continue,
            };
            let (Some(key), Some(value)) = (key, value) else { continue };
            if key.starts_with('$') || Self::is_cast(value, model) {
                continue;
            }
            let origin = model.origin(value);
            if let Some(flow) = Self::untyped_request(&origin) {
                let file = cx.file;
                let finding = cx.report(
                    span_of(value),
                    format!("request data (`{}`) is used uncast as the `{key}` filter of {sink}; an object like `{{\"$ne\": null}}` matches every document", shorten(&flow.source_text, 40)),
                );
                finding.help = Some(HELP.into());
                finding.with_flow(file, flow).withdrawn_by(Fact::MongoFiltersSanitized);
            } else {
                Self::record_for_callers(&origin, span_of(value), &format!("the uncast `{key}` filter value"), sink, cx);
            }
        }
    }
}

impl NosqlInjection {
    /// A filter made of a function's parameters (`UsersService.find(email)` building
    /// `{ email }`): the project pass reports it where a caller in another file (or function)
    /// passes request data, unless that data was parsed into a declared type.
    fn record_for_callers(origin: &Origin, span: crate::source::Span, what: &str, sink: &str, cx: &mut Context<'_>) {
        if cx.in_test || cx.file.is_tooling {
            return;
        }
        let report = crate::flows::SinkReport {
            withdrawn_by: vec![Fact::MongoFiltersSanitized],
            untyped_sources_only: true,
            ..super::sink_report(cx, span, what, sink, HELP)
        };
        match origin {
            Origin::Parameter(parameters) => cx.summary.add_sink(cx.file, &report, parameters),
            Origin::Returned(results) => cx.summary.add_returned_sink(cx.file, &report, results),
            _ => {}
        }
    }
}

impl NosqlInjection {
    /// `{ $where: <run-time string> }` anywhere: the filter may be built by a helper and passed
    /// on, but the key only means one thing.
    fn check_where(&self, pair: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(key) = pair.field("key") else { return };
        let key = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
        let Some(value) = pair.field("value") else { return };
        if key != "$where" || cx.in_test || matches!(model.unwrap_expression(value).kind(), "function_expression" | "arrow_function") {
            return;
        }
        let origin = model.origin(value);
        let level = match &origin {
            Origin::Constant | Origin::Safe => return,
            Origin::Request(_) => cx.level,
            Origin::Dynamic | Origin::Parameter(_) | Origin::Returned(_) => Level::Warning,
        };
        let file = cx.file;
        let finding = cx.report_capped(level, span_of(value), "`$where` runs a JavaScript string built at run time on the database server");
        finding.help = Some("replace `$where` with query operators (`$expr`, `$gt`, ...)".into());
        if let Some(flow) = origin.flow() {
            finding.with_flow(file, flow);
        }
    }
}

impl Rule for NosqlInjection {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["program", "call_expression", "pair"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "pair" => return self.check_where(node, model, cx),
            // express-mongo-sanitize, mongo-sanitize: the models' `[[packages]]` that provide
            // `nosql-sanitizing`, asked once per file.
            "program" => {
                if model.imports_providing(Capability::NosqlSanitizing) {
                    cx.fact(Fact::MongoFiltersSanitized);
                }
                return;
            }
            _ => {}
        }
        let Some(callee) = node.field("function") else { return };
        // App-wide sanitising, wherever it is in the project, answers every finding: a setting
        // the models' `[[packages]]` say switches it on (`mongoose.set("sanitizeFilter", true)`).
        // Read without collecting the arguments: this runs for every call of the file.
        let setting_call =
            node.field("arguments").filter(|a| a.named_child_count() == 2).and_then(|a| a.named_child(0).zip(a.named_child(1)));
        if let Some((key, value)) = setting_call {
            let setting = model.string_value(key);
            let switched = setting.zip(model.qualified_name(callee)).and_then(|(setting, function)| {
                model.knowledge.switched_on(Language::Typescript, &function, &setting).map(|provides| provides.to_vec())
            });
            if let Some(provides) = switched {
                if provides.contains(&Capability::NosqlSanitizing) && model.bool_value(value) == Some(true) {
                    cx.fact(Fact::MongoFiltersSanitized);
                }
                return;
            }
        }
        if cx.in_test {
            return;
        }
        // A filter of a MongoDB driver or mongoose (`Model.findById(id)` is not one: it takes an
        // id that mongoose casts to an ObjectId).
        let sinks = model.sinks(node, SinkKind::Nosql);
        let Some(sink) = sinks.first() else { return };
        let Some(filter) = node.field("arguments").and_then(|a| a.named_child(sink.arguments[0])) else { return };
        let sink = super::sink_name(callee, model);
        self.check_filter(filter, model, &sink, cx);
    }
}
