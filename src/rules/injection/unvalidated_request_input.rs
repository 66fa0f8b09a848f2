//! `unvalidated-request-input`: an Express or Koa handler that hands a request value to the
//! database, the file system, a child process or another service without any validation step:
//! no schema parse in the handler, no validator middleware on its route, no validator mounted
//! for the whole app. The value may be a number where a string was meant, an array, a string of
//! a megabyte or an object; the sink takes it as it is.
//!
//! The specific injection rules own the dangerous forms of these sinks (SQL text, a filter of a
//! MongoDB query, a path, a URL, a shell command, a redirect, the whole body into a model); this
//! rule reports the rest: single fields written to or looked up in the database
//! (`User.create({ email: req.body.email })`), values bound into SQL, the data of outbound
//! requests and files, and the arguments of a program.
//!
//! One language and one concern (a handler's values and the checks before its sinks), so the
//! file is not split like the rules that read two languages or several frameworks.

use super::mass_assignment::{is_whole_body, NOT_MODELS};
use super::ssrf::DESTINATION_KEYS;
use super::{is_data_receiver, sink_name};
use crate::diagnostic::Fact;
use crate::lang::typescript::model::{descendants, is_function_like, named_children, span_of, Framework};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Capability, QueryRole, SinkKind, ValidatorRole};
use crate::rules::helpers::words;
use crate::rules::{check_option_names, shorten, Context, Rule, RuleEntry, RuleOptions};
use crate::taint::{Flow, Origin};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "unvalidated-request-input", build };

struct UnvalidatedRequestInput;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(UnvalidatedRequestInput))
}

const HELP: &str = "validate the input first: parse it with a schema (zod `parse`, joi/yup `validate`, ajv), put a validator middleware on the route (celebrate, express-validator with `validationResult`), or convert and check single values (`Number(x)` with a range check, an allowlist)";

/// Leading words of a data-access object's methods that write or look up records.
const DAO_VERBS: &[&str] = &["add", "create", "insert", "update", "save", "upsert", "delete", "remove", "set", "find", "get"];
/// Driver methods that take SQL text and then the values bound to its placeholders.
const BOUND_QUERY_METHODS: &[&str] = &["query", "execute"];
/// Receivers of `query`/`execute` that are database connections.
const CONNECTION_WORDS: &[&str] = &["pool", "db", "client", "connection", "conn", "sequelize", "knex", "database", "mysql", "pg"];
/// Whether a call names a validation step: a validator of the models (`schema.parse(..)`,
/// `validationResult(req)`), or anything that says `validat`, `sanitiz`/`sanitis` or `schema`
/// (`validateUser(req.body)`, `validator.isEmail(x)`), or a `valid`/`invalid` predicate
/// (`isValidEmail(x)`). A validator's receivers that only parse
/// text (`JSON.parse`, `url.parse`) check nothing.
fn is_validation_call(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(callee) = call.field("function") else { return false };
    let (name, receiver) = match callee.kind() {
        "member_expression" => {
            (callee.field("property").map(|p| model.text(p)).unwrap_or(""), callee.field("object").map(|o| model.text(o)).unwrap_or(""))
        }
        "identifier" => (model.text(callee), ""),
        _ => return false,
    };
    if let Some(validator) = model.validator(call) {
        if validator.excludes_receiver(receiver) {
            return false;
        }
        if validator.role == ValidatorRole::Check {
            return true;
        }
    }
    let names = |text: &str| {
        let lower = text.to_ascii_lowercase();
        ["validat", "sanitiz", "sanitis", "schema"].iter().any(|word| lower.contains(word))
    };
    // A predicate that tests the value it is handed: `isValidEmail(x)`, `isInvalid(x)`,
    // `validUuid(x)`; not a record's own check (`user.isTokenValid()`) nor a list of invalid things.
    let tests_a_value = name.to_ascii_lowercase().contains("valid")
        && call.field("arguments").is_some_and(|a| a.named_child_count() > 0)
        && words(name).iter().any(|word| word == "valid" || word == "invalid");
    names(name) || tests_a_value || (!receiver.contains('(') && names(receiver))
}

/// Whether a middleware argument of a route registration validates: a validator middleware of
/// the models (`celebrate({..})`, express-validator's `body("email").isEmail()`), an array of
/// those, or a name that says so (`validate(schema)`, `validateSignup`, `userSchema`,
/// `OpenApiValidator.middleware(..)`). Only names count, not the options passed
/// (`rateLimit({ validate: false })`).
fn is_validator_middleware(argument: Node<'_>, model: &TsModel<'_>) -> bool {
    let argument = model.unwrap_expression(argument);
    match argument.kind() {
        "array" => named_children(argument).any(|element| is_validator_middleware(element, model)),
        "identifier" => {
            names_validator(model.text(argument))
                || model.validator_of_function(argument).is_some_and(|v| v.role == ValidatorRole::Middleware)
        }
        "member_expression" => {
            argument.field("property").is_some_and(|p| names_validator(model.text(p)))
                || argument.field("object").is_some_and(|o| is_validator_middleware(o, model))
        }
        "call_expression" => argument.field("function").is_some_and(|callee| is_validator_middleware(callee, model)),
        _ => false,
    }
}

fn names_validator(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["validat", "schema", "celebrate", "openapi"].iter().any(|word| lower.contains(word))
}

/// The field a request source names directly in the body: `UserId` in `req.body.UserId`.
fn body_field(source: &str) -> Option<&str> {
    let (_, field) = source.split_once(".body.")?;
    field.chars().all(|c| c.is_alphanumeric() || c == '_').then_some(field)
}

/// The route registration a handler is the last argument of, with the arguments before it:
/// `router.post("/x", auth, validate(schema), (req, res) => ..)`.
/// `None` when the handler is not registered where it is written (a controller wrapped in
/// `catchAsync(..)`, exported and routed elsewhere).
fn registration_middleware<'t>(function: Node<'t>, model: &TsModel<'t>) -> Option<Vec<Node<'t>>> {
    let arguments = function.parent().filter(|p| p.kind() == "arguments")?;
    let call = arguments.parent().filter(|p| p.kind() == "call_expression")?;
    let method = call.field("function")?.field("property").map(|p| model.text(p))?;
    model.routing(method).http_method().is_some().then(|| named_children(arguments).take_while(|a| *a != function).collect())
}

/// A database, HTTP-client, file or process call, with the arguments whose values are checked.
struct Sink<'t> {
    call: Node<'t>,
    name: String,
    /// The arguments that carry values (SQL text, paths and URLs are the other rules').
    values: Vec<Node<'t>>,
    /// Keys of an options object that are not data (`url` of an HTTP client).
    skip_keys: &'static [&'static str],
    /// Whether the sink is the database, where a route parameter (always a string, matched by
    /// the route's pattern) is a bound value: at worst nothing is found.
    database: bool,
}

impl UnvalidatedRequestInput {
    /// The sink a call is, if any, and which of its arguments carry values.
    fn sink<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<Sink<'t>> {
        let callee = call.field("function").or_else(|| call.field("constructor"))?;
        let arguments: Vec<Node<'t>> = named_children(call.field("arguments")?).collect();
        let name = sink_name(callee, model);
        if call.kind() == "new_expression" {
            // `new User({ email: req.body.email })`: a mongoose document or an entity.
            let constructor = model.text(callee);
            let is_model =
                callee.kind() == "identifier" && constructor.starts_with(char::is_uppercase) && !NOT_MODELS.contains(&constructor);
            let object = arguments.first().filter(|a| model.resolve(**a).kind() == "object")?;
            return is_model.then(|| Sink {
                call,
                name: format!("`new {constructor}`"),
                values: vec![*object],
                skip_keys: &[],
                database: true,
            });
        }
        if model.qualified_name(callee).is_some() {
            if model.sinks(call, SinkKind::Url).iter().any(|sink| !sink.callee.is_method()) {
                // The URL (or a config's `url`/`baseURL`) is `ssrf`'s; the data and options are ours.
                let first_is_config = arguments.first().is_some_and(|a| model.resolve(*a).kind() == "object");
                let values = if first_is_config { arguments } else { arguments.into_iter().skip(1).collect() };
                return Some(Sink { call, name, values, skip_keys: DESTINATION_KEYS, database: false });
            }
            // What the call stores or hands on, as the models' `data-argument` says: a file's
            // content (`fs.writeFile(p, data)`), a program's argument list (`execFile(cmd, args)`).
            // With its `when-option` set (`{ shell: true }`) it is a command line:
            // `command-injection`'s.
            let data_sink = SinkKind::ALL.into_iter().flat_map(|kind| model.sinks(call, kind)).find(|s| s.data_argument.is_some());
            if let Some(sink) = data_sink {
                let shell = sink.when_option.as_deref().is_some_and(|key| super::option_set(model, &arguments, 1, key));
                if !shell {
                    let index = sink.data_argument.unwrap_or(1);
                    return Some(Sink {
                        call,
                        name,
                        values: arguments.into_iter().skip(index).take(1).collect(),
                        skip_keys: &[],
                        database: false,
                    });
                }
            }
        }
        if callee.kind() != "member_expression" {
            return None;
        }
        let method = model.text(callee.field("property")?);
        let receiver = model.unwrap_expression(callee.field("object")?);
        if let Some(entity) = Self::saved_entity(method, receiver, &arguments, model) {
            let values = Self::fields_set_before(entity, call, model);
            return (!values.is_empty()).then_some(Sink { call, name, values, skip_keys: &[], database: true });
        }
        if BOUND_QUERY_METHODS.contains(&method) {
            let root = model.text(receiver).split(['.', '(']).next().unwrap_or("").to_ascii_lowercase();
            let is_connection = CONNECTION_WORDS.iter().any(|w| root.contains(w)) || root == "this";
            // The SQL text is `sql-injection`'s; the bound values come after it.
            return is_connection.then(|| Sink {
                call,
                name,
                values: arguments.into_iter().skip(1).collect(),
                skip_keys: &[],
                database: true,
            });
        }
        // Writes and lookups the models know (`findById(id)`/`findByPk(id)` cast their key and
        // are not among them); the MongoDB filters are `nosql-injection`'s.
        let persistence =
            model.queries(call).into_iter().find(|q| matches!(q.role, QueryRole::Write | QueryRole::Lookup)).map(|q| q.callee.is_method());
        if persistence.is_none() && Self::is_dao_call(method, receiver, model) {
            return Some(Sink { call, name, values: arguments, skip_keys: &[], database: true });
        }
        // A method of any receiver counts on a data receiver; a method of a type the models name
        // on what they matched.
        match persistence {
            None => return None,
            Some(true) if !is_data_receiver(receiver, model) => return None,
            _ => {}
        }
        let mongo_filter = !model.sinks(call, SinkKind::Nosql).is_empty();
        let values = arguments.into_iter().skip(usize::from(mongo_filter)).collect();
        Some(Sink { call, name, values, skip_keys: &[], database: true })
    }

    /// A data-access object's own method (not a write or lookup the models know, which the caller
    /// checked first): `userDAO.addUser(..)`, `profile.updateUser(..)` where
    /// `const profile = new ProfileDAO(db)`, `this.orderRepository.updateStatus(..)`.
    fn is_dao_call(method: &str, receiver: Node<'_>, model: &TsModel<'_>) -> bool {
        let verb = words(method).into_iter().next().unwrap_or_default();
        if !DAO_VERBS.contains(&verb.as_str()) {
            return false;
        }
        let constructed = match receiver.kind() {
            "identifier" => model.binding(receiver).and_then(|b| b.value).map(|v| model.unwrap_expression(v)),
            _ => None,
        };
        let class =
            constructed.filter(|v| v.kind() == "new_expression").and_then(|v| v.field("constructor")).map(|c| model.text(c)).unwrap_or("");
        [model.text(receiver), class].iter().any(|text| words(text).iter().any(|w| matches!(w.as_str(), "dao" | "repository" | "repo")))
    }

    /// The record a save writes: `product` in `product.save()` (a mongoose document, a
    /// Sequelize instance) or in `this.repo.save(product)` (TypeORM).
    fn saved_entity<'t>(method: &str, receiver: Node<'t>, arguments: &[Node<'t>], model: &TsModel<'t>) -> Option<&'t str> {
        if !matches!(method, "save" | "persist") {
            return None;
        }
        match arguments {
            [] if receiver.kind() == "identifier" => Some(model.text(receiver)),
            [entity] if entity.kind() == "identifier" && is_data_receiver(receiver, model) => Some(model.text(*entity)),
            _ => None,
        }
    }

    /// The values assigned to fields of `entity` before `save` in the function around it:
    /// `product.name = req.body.name; await product.save()`.
    fn fields_set_before<'t>(entity: &str, save: Node<'t>, model: &TsModel<'t>) -> Vec<Node<'t>> {
        // The field assignments may sit in the callback that loaded the entity, or around it.
        let scope = Self::handler_scope(save, model);
        descendants(scope)
            .take_while(|n| n.start_byte() < save.start_byte())
            .filter(|n| n.kind() == "assignment_expression")
            .filter(|n| {
                n.field("left")
                    .is_some_and(|left| left.kind() == "member_expression" && left.field("object").is_some_and(|o| model.text(o) == entity))
            })
            .filter_map(|n| n.field("right"))
            .collect()
    }

    /// The function around `node` that takes the request (`(req, res) => ..`), or the outermost
    /// function around it: the handler whose callbacks load and save an entity.
    fn handler_scope<'t>(node: Node<'t>, model: &TsModel<'t>) -> Node<'t> {
        let mut scope = node;
        let mut current = node.parent();
        while let Some(parent) = current {
            if is_function_like(parent.kind()) {
                scope = parent;
                let parameters = parent.field("parameters").and_then(|p| p.named_child(0));
                let first = parameters.map(|p| model.text(p.field("pattern").unwrap_or(p))).unwrap_or("");
                if matches!(first, "req" | "request" | "ctx" | "context") {
                    break;
                }
            }
            current = parent.parent();
        }
        scope
    }

    /// The request values an argument carries, field by field: object literals (and the
    /// objects nested in them, like `{ where: { id } }`) are taken apart; the whole body and
    /// text being built (SQL, paths) are other rules'. A value found in an object built before
    /// the call is reported at the argument that passes it.
    fn request_values<'t>(&self, node: Node<'t>, sink: &Sink<'t>, model: &TsModel<'t>, depth: usize, found: &mut Vec<(Node<'t>, Flow)>) {
        let mut values = Vec::new();
        self.field_values(node, sink, model, depth, &mut values);
        let call = span_of(sink.call);
        for (value, flow) in values {
            let inside = span_of(value).start >= call.start && span_of(value).end <= call.end;
            let at = if inside { value } else { node };
            if !found.iter().any(|(seen, _)| *seen == at) {
                found.push((at, flow));
            }
        }
    }

    fn field_values<'t>(&self, node: Node<'t>, sink: &Sink<'t>, model: &TsModel<'t>, depth: usize, found: &mut Vec<(Node<'t>, Flow)>) {
        let node = model.unwrap_expression(node);
        if is_whole_body(node, model) || is_function_like(node.kind()) {
            return;
        }
        let resolved = model.resolve(node);
        match resolved.kind() {
            "object" if depth < 3 => {
                for member in named_children(resolved) {
                    let value = match member.kind() {
                        "pair" => {
                            let key = member.field("key").map(|k| model.text(k).trim_matches(['"', '\'']));
                            if key.is_some_and(|k| sink.skip_keys.contains(&k)) {
                                continue;
                            }
                            member.field("value")
                        }
                        "shorthand_property_identifier" => Some(member),
                        "spread_element" => member.named_child(0),
                        _ => None,
                    };
                    if let Some(value) = value {
                        self.field_values(value, sink, model, depth + 1, found);
                    }
                }
            }
            "array" if depth < 3 => {
                for element in named_children(resolved) {
                    self.field_values(element, sink, model, depth + 1, found);
                }
            }
            // Text built by interpolation is SQL, a path or a URL: the injection rules judge it.
            "template_string" | "binary_expression" => {}
            _ => {
                let Origin::Request(flow) = model.origin(node) else { return };
                // Uploads (`req.file`, `req.files`) are checked by the upload middleware's
                // filters and limits; a route parameter read as it is into the database is a
                // bound string (`JSON.parse(req.params.id)` is not).
                let source = flow.source_text.split_once('.').map_or("", |(_, path)| path);
                let upload = source == "file" || source == "files" || source.starts_with("file.") || source.starts_with("files");
                let path_parameter = sink.database && source.starts_with("params") && node.kind() != "call_expression";
                if !flow.source_text.starts_with('@') && !upload && !path_parameter {
                    found.push((node, flow));
                }
            }
        }
    }

    /// The handler function around `at` that receives `request` (the root of the source,
    /// `req` in `req.body.email`), innermost first.
    fn handler_of<'t>(at: Node<'t>, request: &str, model: &TsModel<'t>) -> Option<Node<'t>> {
        let mut current = at.parent();
        while let Some(node) = current {
            if is_function_like(node.kind()) {
                let parameters = node.field("parameters").or_else(|| node.field("parameter"));
                let declares = parameters.is_some_and(|p| {
                    let params: Vec<Node<'_>> = if p.kind() == "formal_parameters" { named_children(p).collect() } else { vec![p] };
                    params.iter().any(|param| model.text(param.field("pattern").unwrap_or(*param)) == request)
                });
                if declares {
                    return Some(node);
                }
            }
            current = node.parent();
        }
        None
    }

    /// Whether the handler validates somewhere in its body: a schema call, a validator, a
    /// `typeof` check.
    fn validates(handler: Node<'_>, model: &TsModel<'_>) -> bool {
        descendants(handler).any(|n| match n.kind() {
            "call_expression" => is_validation_call(n, model),
            "unary_expression" => n.field("operator").is_some_and(|o| model.text(o) == "typeof"),
            _ => false,
        })
    }

    /// `req.body.UserId = <server value>` in a middleware (a function that takes and calls
    /// `next`): that field is the server's, whatever the client sent.
    fn record_server_field(&self, assignment: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (Some(left), Some(right)) = (assignment.field("left"), assignment.field("right")) else { return };
        let Some(field) = model.request_source(left).and_then(|flow| body_field(&flow.source_text).map(str::to_string)) else { return };
        if model.origin(right).is_request() {
            return;
        }
        let mut current = assignment.parent();
        while let Some(node) = current {
            if is_function_like(node.kind()) {
                let calls_next = descendants(node)
                    .any(|n| n.kind() == "call_expression" && n.field("function").is_some_and(|f| model.text(f) == "next"));
                if calls_next {
                    cx.fact(Fact::RequestBodyFieldSetByServer(field));
                }
                return;
            }
            current = node.parent();
        }
    }

    /// Facts for the project pass: a validator mounted app-wide, or on some route.
    fn record_middleware(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function").filter(|c| c.kind() == "member_expression") else { return };
        let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
        let Some(arguments) = call.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let routing = model.routing(method);
        match method {
            _ if routing.mount().is_some_and(|mount| !mount.parameters.hook_argument) => {
                // `app.use(expressValidator())` (express-validator 5) only adds methods to `req`.
                let mounted =
                    arguments.iter().any(|a| !model.text(*a).starts_with("expressValidator") && is_validator_middleware(*a, model));
                if mounted {
                    cx.fact(Fact::AppValidationMiddleware);
                    cx.fact(Fact::RouteValidationMiddleware);
                }
            }
            _ if routing.http_method().is_some() => {
                let middleware = arguments.iter().skip(1).take(arguments.len().saturating_sub(2));
                if middleware.into_iter().any(|a| is_validator_middleware(*a, model)) {
                    cx.fact(Fact::RouteValidationMiddleware);
                }
            }
            _ => {}
        }
    }
}

impl Rule for UnvalidatedRequestInput {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression", "assignment_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "call_expression" => self.record_middleware(node, model, cx),
            "assignment_expression" => return self.record_server_field(node, model, cx),
            _ => {}
        }
        let in_scripts = cx.file.rel_path.split(['/', '\\']).any(|part| part == "scripts");
        // Fastify validates requests against the route's schema (a `[[packages]]` that provides
        // `route-schemas`): `missing-input-validation` checks those routes have one.
        if cx.in_test || in_scripts || model.imports_providing(Capability::RouteSchemas) {
            return;
        }
        let Some(sink) = Self::sink(node, model) else { return };
        let mut found = Vec::new();
        for value in &sink.values {
            self.request_values(*value, &sink, model, 0, &mut found);
        }
        let Some((first, flow)) = found.first() else { return };
        let request = flow.source_text.split(['.', '[', '(']).next().unwrap_or("");
        let Some(handler) = Self::handler_of(sink.call, request, model) else { return };
        let registered = model.handler_at(handler.start_byte()).filter(|h| h.span == span_of(handler));
        if registered.is_some_and(|h| matches!(h.framework, Framework::Fastify | Framework::NestJs))
            || Self::validates(handler, model)
            || model.is_trpc_resolver_with_input(handler)
        {
            return;
        }
        let middleware = registration_middleware(handler, model);
        if middleware.as_ref().is_some_and(|m| m.iter().any(|a| is_validator_middleware(*a, model))) {
            return;
        }
        let more = match found.len() {
            1 => String::new(),
            2 => " (and 1 more request value)".to_string(),
            n => format!(" (and {} more request values)", n - 1),
        };
        let message = format!(
            "request data (`{}`){more} reaches {} with no validation step in the handler or its route",
            shorten(&flow.source_text, 40),
            sink.name
        );
        let file = cx.file;
        let finding = cx.report(span_of(*first), message);
        finding.help = Some(HELP.into());
        // A handler registered right here (a route's last argument, a tRPC procedure's resolver)
        // has its middleware in view; one written apart from its route may be behind a validator
        // registered elsewhere.
        let in_view = middleware.is_some() || model.is_trpc_resolver(handler);
        let answered_by = if in_view { Fact::AppValidationMiddleware } else { Fact::RouteValidationMiddleware };
        finding.with_flow(file, flow).withdrawn_by(answered_by);
        // Every value is one body field that some middleware may set itself (`req.body.UserId`).
        if let Some(field) =
            body_field(&flow.source_text).filter(|f| found.iter().all(|(_, other)| body_field(&other.source_text) == Some(*f)))
        {
            finding.withdrawn_by(Fact::RequestBodyFieldSetByServer(field.to_string()));
        }
    }
}
