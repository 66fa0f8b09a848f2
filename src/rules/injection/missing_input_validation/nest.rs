//! NestJS: `@Body()`/`@Query()` parameters that no pipe can check, DTO classes without
//! validators, `ValidationPipe`s that let undeclared properties through, and apps with no global
//! validation at all.

use super::MissingInputValidation;
use crate::diagnostic::{Fact, Level};
use crate::lang::typescript::model::{children_by_field, decorator_call, descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::Context;
use tree_sitter::Node;

/// Types that say nothing about the shape of a body.
const UNTYPED: &[&str] = &["any", "object", "unknown", "Object", "{}"];

impl MissingInputValidation {
    /// NestJS `@Body()`/`@Query()` parameters.
    pub(super) fn check_nest_parameter(&self, parameter: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        for decorator in children_by_field(parameter, "decorator") {
            let Some((name, arguments)) = decorator_call(model, decorator) else { continue };
            if name != "Body" && name != "Query" {
                continue;
            }
            // `@Body(new ZodValidationPipe(schema))`, `@Body('field', ParseIntPipe)`: a pipe validates it.
            let has_pipe = arguments.is_some_and(|a| named_children(a).any(|arg| arg.kind() != "string"));
            if has_pipe || cx.in_test {
                return;
            }
            let annotation = parameter.field("type").and_then(|t| t.named_child(0));
            let type_text = annotation.map(|t| model.text(t).trim()).unwrap_or("");
            let untyped =
                type_text.is_empty() || UNTYPED.contains(&type_text) || type_text.starts_with("Record<") || type_text.starts_with('{');
            // `@Body('name') name: string`: a single field, checked by the DTO rules of the global pipe if any.
            let single_field = arguments.is_some_and(|a| named_children(a).any(|arg| arg.kind() == "string"));
            if untyped && !single_field {
                let what = if type_text.is_empty() { "has no type".to_string() } else { format!("is typed `{type_text}`") };
                let handed_on = Self::calls_handing_on(parameter, model);
                let finding = cx.report(span_of(parameter), format!("`@{name}()` {what}, so no validation pipe can check it"));
                finding.help = Some(
                    "declare a DTO class with class-validator decorators (or pass a schema pipe such as `new ZodValidationPipe(schema)`)"
                        .into(),
                );
                // A service that validates what it is handed answers it (the project pass decides).
                finding.answered_by_validating = handed_on;
                return;
            }
            let is_class = annotation.is_some_and(|t| t.kind() == "type_identifier" && type_text.starts_with(char::is_uppercase));
            if is_class && !Self::controller_uses_pipes(parameter, model) {
                cx.fact(Fact::NestDtoParameters);
                // The class is usually declared in a DTO file: the project pass keeps this only
                // if some file declares a class of this name whose properties carry no validators.
                cx.report(
                    span_of(parameter),
                    format!("`@{name}()` takes `{type_text}`, whose properties carry no class-validator decorators, so the `ValidationPipe` checks nothing in it"),
                )
                .with_help("decorate each property of the DTO (`@IsString()`, `@IsEmail()`, `@Length(1, 100)`, `@ValidateNested()`)")
                .requires(Fact::NestDtoWithoutValidators(type_text.to_string()));
            }
            return;
        }
    }

    /// The calls of the project's functions in the handler that take the parameter itself as an
    /// argument (`this.posts.create(body)`), with its position.
    fn calls_handing_on(parameter: Node<'_>, model: &TsModel<'_>) -> Vec<(crate::taint::Callee, usize)> {
        let Some(name) = parameter.field("pattern").filter(|p| p.kind() == "identifier").map(|p| model.text(p)) else {
            return Vec::new();
        };
        let Some(function) = std::iter::successors(parameter.parent(), |n| n.parent()).find(|n| is_function_like(n.kind())) else {
            return Vec::new();
        };
        let mut calls = Vec::new();
        for call in descendants(function).filter(|n| n.kind() == "call_expression") {
            let Some(arguments) = call.field("arguments").filter(|a| a.kind() == "arguments") else { continue };
            let Some(index) = named_children(arguments).position(|a| a.kind() == "identifier" && model.text(a) == name) else { continue };
            if let Some(callee) = call.field("function").and_then(|f| crate::lang::typescript::calls::callee(model, f)) {
                calls.push((callee, index));
            }
        }
        calls
    }

    /// `@UsePipes(...)` on the method or its controller class.
    fn controller_uses_pipes(parameter: Node<'_>, model: &TsModel<'_>) -> bool {
        let mut current = parameter.parent();
        while let Some(node) = current {
            if matches!(node.kind(), "method_definition" | "class_declaration" | "class") {
                let mut decorators: Vec<Node<'_>> = children_by_field(node, "decorator").collect();
                let mut previous = node.prev_named_sibling();
                while let Some(decorator) = previous.filter(|p| p.kind() == "decorator") {
                    decorators.push(decorator);
                    previous = decorator.prev_named_sibling();
                }
                if decorators.iter().any(|d| model.text(*d).starts_with("@UsePipes")) {
                    return true;
                }
            }
            current = node.parent();
        }
        false
    }

    /// `class UpdateUserDto { @ApiProperty() name: string }`: a class with properties and no
    /// validation decorator on any of them (the models' `not-validating` `[[validators]]` are none). Classes that extend another inherit its decorators
    /// (`extends PartialType(CreateUserDto)`) and are left out.
    pub(super) fn check_class(&self, class: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(name) = class.field("name").map(|n| model.text(n)) else { return };
        let extends = named_children(class).any(|c| c.kind() == "class_heritage" && model.text(c).trim_start().starts_with("extends"));
        let Some(body) = class.field("body").filter(|_| !extends && !cx.in_test) else { return };
        let fields: Vec<Node<'_>> = named_children(body).filter(|m| m.kind() == "public_field_definition").collect();
        let validated = fields.iter().flat_map(|field| children_by_field(*field, "decorator")).any(|decorator| {
            let expression = decorator.named_child(0);
            let callee = expression.map(|e| if e.kind() == "call_expression" { e.field("function").unwrap_or(e) } else { e });
            let name = callee.map(|c| model.text(c)).unwrap_or("");
            !model.knowledge.is_non_validating_decorator(name.rsplit('.').next().unwrap_or(name))
        });
        if !fields.is_empty() && !validated {
            cx.fact(Fact::NestDtoWithoutValidators(name.to_string()));
        }
    }

    /// `new ValidationPipe(options)` without `whitelist: true`: properties the DTO does not
    /// declare reach the handler, and from there an entity (`repo.save({ ...dto })`).
    pub(super) fn check_validation_pipe(&self, new: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let is_pipe = new.field("constructor").and_then(|c| model.qualified_name(c)).is_some_and(|n| n == NEST_VALIDATION_PIPE);
        if !is_pipe || cx.in_test {
            return;
        }
        let options = new.field("arguments").and_then(|a| a.named_child(0));
        if options.is_some_and(|options| strips_unknown_properties(options, model)) {
            return;
        }
        cx.report_capped(
            Level::Note,
            span_of(new),
            "this `ValidationPipe` has no `whitelist: true`: properties the DTO does not declare pass through to the handler (mass assignment)",
        )
        .with_help(WHITELIST_HELP);
    }

    /// `app.useGlobalPipes(..)` (a fact), and `NestFactory.create(..)` of an app that never sets one.
    pub(super) fn check_nest_call(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        let name = model.qualified_name(callee).unwrap_or_default();
        let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
        if method == "useGlobalPipes" {
            cx.fact(Fact::NestGlobalValidation);
            return;
        }
        if name == "@nestjs/core.NestFactory.create" {
            if cx.in_test {
                return;
            }
            let finding = cx.report(
                call_span(call),
                "this NestJS app has no global `ValidationPipe`, so the DTOs its controllers take are never validated",
            );
            finding.help = Some(
                "add `app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))` (or an `APP_PIPE` provider)"
                    .into(),
            );
            finding.withdrawn_by(Fact::NestGlobalValidation).requires(Fact::NestDtoParameters);
        }
    }

    /// `{ provide: APP_PIPE, useClass: ValidationPipe }`: a global pipe, with the default
    /// options when it is constructed by class.
    pub(super) fn check_app_pipe(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let is_app_pipe = node.field("key").is_some_and(|k| model.text(k) == "provide")
            && node.field("value").is_some_and(|v| model.text(v) == "APP_PIPE");
        if !is_app_pipe {
            return;
        }
        cx.fact(Fact::NestGlobalValidation);
        // `useClass: ValidationPipe` constructs it with the default options: no whitelist.
        let use_class = node.parent().map(|provider| model.property(provider, "useClass"));
        if let Some(Property::Found(class)) = use_class {
            if model.qualified_name(class).is_some_and(|n| n == NEST_VALIDATION_PIPE) && !cx.in_test {
                cx.report_capped(
                    Level::Note,
                    span_of(class),
                    "`APP_PIPE` uses `ValidationPipe` with its default options, which have no `whitelist: true`: properties the DTO does not declare pass through to the handler (mass assignment)",
                )
                .with_help(WHITELIST_HELP);
            }
        }
    }
}

/// The class-validator pipe of NestJS, as imported.
const NEST_VALIDATION_PIPE: &str = "@nestjs/common.ValidationPipe";

const WHITELIST_HELP: &str =
    "pass `{ whitelist: true }` (and `forbidNonWhitelisted: true` to reject such requests instead of stripping the properties)";

/// Whether `ValidationPipe` options set `whitelist` or `forbidNonWhitelisted` to anything but
/// `false`, or cannot be read (a spread, options built by a call).
fn strips_unknown_properties(options: Node<'_>, model: &TsModel<'_>) -> bool {
    let Some(object) = model.object_literal(options) else { return true };
    ["whitelist", "forbidNonWhitelisted"].iter().any(|key| match model.property(object, key) {
        Property::Found(value) => model.bool_value(value) != Some(false),
        Property::Unknown => true,
        Property::Missing => false,
    })
}
/// `NestFactory.create(AppModule)`: the call's head, not the awaited whole.
fn call_span(call: Node<'_>) -> crate::source::Span {
    call.field("function").map(span_of).unwrap_or_else(|| span_of(call))
}
