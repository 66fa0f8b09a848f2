//! `mass-assignment`: the whole request body written into a model. The client then sets fields
//! the form never showed: `role`, `isAdmin`, `balance`, `ownerId`.

use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::QueryRole;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "mass-assignment", build };

struct MassAssignment;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(MassAssignment))
}

const HELP: &str = "pick the fields the client may set (`const { name, email } = req.body`) or parse the body with a schema that strips unknown keys before saving";

/// Receivers that are not persistence: HTTP responses, caches, loggers.
const NOT_PERSISTENCE: &[&str] =
    &["res", "reply", "ctx", "response", "cache", "redis", "logger", "log", "console", "emitter", "events", "queue"];
/// Constructors that are not models.
pub(crate) const NOT_MODELS: &[&str] =
    &["Error", "URL", "Date", "Map", "Set", "Promise", "Response", "Request", "Headers", "Buffer", "Blob", "FormData"];

/// The request body itself, through local bindings: `req.body`, `ctx.request.body`,
/// `request.body`, or `const data = req.body`.
pub(crate) fn is_whole_body(node: Node<'_>, model: &TsModel<'_>) -> bool {
    let node = model.resolve(node);
    if node.kind() != "member_expression" {
        return false;
    }
    let Some(flow) = model.request_source(node) else { return false };
    let text = flow.source_text.replace(['?', ' '], "");
    text.ends_with(".body") && text.matches('.').count() <= 2 && !text.contains("body.")
}

impl MassAssignment {
    /// The argument carries the whole body: the body, `{ ...req.body }`, or `{ data: req.body }` (Prisma).
    fn carries_body(node: Node<'_>, model: &TsModel<'_>, depth: usize) -> bool {
        if is_whole_body(node, model) {
            return true;
        }
        let object = model.resolve(node);
        if object.kind() != "object" || depth > 2 {
            return false;
        }
        let spread = named_children(object)
            .any(|member| member.kind() == "spread_element" && member.named_child(0).is_some_and(|inner| is_whole_body(inner, model)));
        spread
            || ["data", "create", "update", "values"].iter().any(|key| match model.property(object, key) {
                Property::Found(value) => Self::carries_body(value, model, depth + 1),
                _ => false,
            })
    }

    fn report(&self, at: Node<'_>, sink: &str, cx: &mut Context<'_>) {
        cx.report(span_of(at), format!("the whole request body is written by {sink}, so a client can set any field")).help =
            Some(HELP.into());
    }
}

impl Rule for MassAssignment {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        let Some(arguments) = node.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        if node.kind() == "new_expression" {
            // `new User(req.body)` (mongoose documents, TypeORM entities with constructors).
            let Some(constructor) = node.field("constructor").filter(|c| c.kind() == "identifier") else { return };
            let name = model.text(constructor);
            if name.starts_with(char::is_uppercase) && !NOT_MODELS.contains(&name) {
                if let Some(body) = arguments.first().filter(|a| Self::carries_body(**a, model, 0)) {
                    self.report(*body, &format!("`new {name}`"), cx);
                }
            }
            return;
        }
        let Some(callee) = node.field("function").filter(|c| c.kind() == "member_expression") else { return };
        let receiver = callee.field("object").map(|o| model.text(o)).unwrap_or("");
        // Named only when something is reported (this runs for every call).
        let sink = || super::sink_name(callee, model);
        if model.qualified_name(callee).as_deref() == Some("Object.assign") {
            // `Object.assign(user, req.body)`: the target is usually an entity about to be saved.
            if let Some(body) = arguments.iter().skip(1).find(|a| Self::carries_body(**a, model, 0)) {
                self.report(*body, &sink(), cx);
            }
            return;
        }
        let receiver_root = receiver.split(['.', '(']).next().unwrap_or("");
        // A write the models know; a method of any receiver only on what may be persistence.
        let Some(write) = model.queries(node).into_iter().find(|q| q.role == QueryRole::Write) else { return };
        if write.callee.is_method() && NOT_PERSISTENCE.contains(&receiver_root) {
            return;
        }
        if let Some(body) = arguments.iter().find(|a| Self::carries_body(**a, model, 0)) {
            self.report(*body, &sink(), cx);
        }
    }
}
