//! NestJS: `@Body()`/`@Query()` parameters that no pipe can check, DTO classes without
//! validators, `ValidationPipe`s that let undeclared properties through, and apps with no global
//! validation at all. Which decorators a pipe checks, how an app installs it and which options
//! make it strict are the models' `[[validators]] role = "pipe"` entries.

use super::MissingInputValidation;
use crate::diagnostic::{Fact, Level};
use crate::lang::typescript::model::{children_by_field, decorator_name, descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::{Language, Validator};
use crate::rules::Context;
use tree_sitter::Node;

/// Types that say nothing about the shape of a body.
const UNTYPED: &[&str] = &["any", "object", "unknown", "Object", "{}"];

impl MissingInputValidation {
    /// Controller parameters whose decorator a validation pipe checks (`@Body()`, `@Query()`).
    pub(super) fn check_nest_parameter(&self, parameter: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        for decorator in children_by_field(parameter, "decorator") {
            let Some((name, arguments)) = decorator_name(model, decorator) else { continue };
            let Some(pipe) = pipes(model).find(|pipe| names(&pipe.parameters.parameter_decorators).any(|d| d == name)) else {
                continue;
            };
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
            if is_class && !Self::controller_uses_pipes(parameter, pipe, model) {
                cx.fact(Fact::NestDtoParameters);
                // The class is usually declared in a DTO file: the project pass keeps this only
                // if some file declares a class of this name whose properties carry no validators.
                cx.report(
                    span_of(parameter),
                    format!("`@{name}()` takes `{type_text}`, whose properties carry no class-validator decorators, so the `{}` checks nothing in it", class_name(pipe)),
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

    /// A pipe's route decorator (`@UsePipes(...)`) on the method or its controller class.
    fn controller_uses_pipes(parameter: Node<'_>, pipe: &Validator, model: &TsModel<'_>) -> bool {
        let mut current = parameter.parent();
        while let Some(node) = current {
            if matches!(node.kind(), "method_definition" | "class_declaration" | "class") {
                let mut decorators: Vec<Node<'_>> = children_by_field(node, "decorator").collect();
                let mut previous = node.prev_named_sibling();
                while let Some(decorator) = previous.filter(|p| p.kind() == "decorator") {
                    decorators.push(decorator);
                    previous = decorator.prev_named_sibling();
                }
                let installs = |decorator: &Node<'_>| {
                    decorator_name(model, *decorator).is_some_and(|(name, _)| names(&pipe.parameters.route_decorators).any(|d| d == name))
                };
                if decorators.iter().any(installs) {
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
        let Some(pipe) = model.validation_pipe(new).filter(|pipe| !pipe.parameters.strict_options.is_empty()) else { return };
        if cx.in_test {
            return;
        }
        let options = new.field("arguments").and_then(|a| a.named_child(0));
        if options.is_some_and(|options| strips_unknown_properties(options, pipe, model)) {
            return;
        }
        let strict = first_strict_option(pipe);
        cx.report_capped(
            Level::Note,
            span_of(new),
            format!(
                "this `{}` has no `{strict}: true`: properties the DTO does not declare pass through to the handler (mass assignment)",
                class_name(pipe)
            ),
        )
        .with_help(strict_help(pipe));
    }

    /// `app.useGlobalPipes(..)` (a fact), and `NestFactory.create(..)` of an app that never sets one.
    pub(super) fn check_nest_call(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function") else { return };
        let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
        if pipes(model).any(|pipe| names(&pipe.parameters.global_methods).any(|m| m == method)) {
            cx.fact(Fact::NestGlobalValidation);
            return;
        }
        if cx.in_test {
            return;
        }
        // `NestFactory.create(AppModule)`: an app of a framework some pipe must be installed in.
        let Some(server) = model.server(call) else { return };
        let Some(pipe) = pipes(model).find(|pipe| pipe.parameters.framework.as_ref().is_some_and(|f| *f.get_ref() == server.framework))
        else {
            return;
        };
        let class = class_name(pipe);
        let finding = cx.report(
            call_span(call),
            format!("this {} app has no global `{class}`, so the DTOs its controllers take are never validated", server.framework),
        );
        finding.help = Some(install_help(pipe));
        finding.withdrawn_by(Fact::NestGlobalValidation).requires(Fact::NestDtoParameters);
    }

    /// `{ provide: APP_PIPE, useClass: ValidationPipe }`: a global pipe, with the default
    /// options when it is constructed by class.
    pub(super) fn check_app_pipe(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        // `provide: APP_PIPE`: the token is distinctive, whatever the key.
        let Some(token) = node.field("value").map(|v| model.text(v)) else { return };
        if !pipes(model).any(|pipe| names(&pipe.parameters.global_providers).any(|p| p == token)) {
            return;
        }
        cx.fact(Fact::NestGlobalValidation);
        // `useClass: ValidationPipe` constructs it with the default options: none strict.
        let use_class = node.parent().map(|provider| model.property(provider, "useClass"));
        let Some(Property::Found(class)) = use_class else { return };
        let Some(pipe) = model.qualified_name(class).and_then(|name| model.validation_pipe_named(&name)) else { return };
        if pipe.parameters.strict_options.is_empty() || cx.in_test {
            return;
        }
        cx.report_capped(
            Level::Note,
            span_of(class),
            format!(
                "`{token}` uses `{}` with its default options, which have no `{}: true`: properties the DTO does not declare pass through to the handler (mass assignment)",
                class_name(pipe),
                first_strict_option(pipe)
            ),
        )
        .with_help(strict_help(pipe));
    }
}

/// The validation pipes the models know (NestJS's `ValidationPipe`, a project's own).
fn pipes<'t>(model: &TsModel<'t>) -> impl Iterator<Item = &'t Validator> {
    model.knowledge.validation_pipes(Language::Typescript)
}

fn names(names: &[toml::Spanned<String>]) -> impl Iterator<Item = &str> {
    names.iter().map(|n| n.get_ref().as_str())
}

/// The pipe's class as written in code (`ValidationPipe`).
fn class_name(pipe: &Validator) -> &str {
    pipe.callee.written.rsplit('.').next().unwrap_or(&pipe.callee.written)
}

fn first_strict_option(pipe: &Validator) -> &str {
    names(&pipe.parameters.strict_options).next().unwrap_or("whitelist")
}

/// `pass `{ whitelist: true }` (and `forbidNonWhitelisted: true` ..)`, from the pipe's options.
fn strict_help(pipe: &Validator) -> String {
    let mut options = names(&pipe.parameters.strict_options);
    let first = options.next().unwrap_or("whitelist");
    match options.next() {
        Some(second) => {
            format!("pass `{{ {first}: true }}` (and `{second}: true` to reject such requests instead of stripping the properties)")
        }
        None => format!("pass `{{ {first}: true }}`"),
    }
}

/// `add `app.useGlobalPipes(new ValidationPipe({ whitelist: true, .. }))` (or an `APP_PIPE` provider)`.
fn install_help(pipe: &Validator) -> String {
    let class = class_name(pipe);
    let options: Vec<String> = names(&pipe.parameters.strict_options).map(|o| format!("{o}: true")).collect();
    let constructed = if options.is_empty() { format!("new {class}()") } else { format!("new {class}({{ {} }})", options.join(", ")) };
    let method = names(&pipe.parameters.global_methods).next();
    let provider = names(&pipe.parameters.global_providers).next();
    match (method, provider) {
        (Some(method), Some(provider)) => format!("add `app.{method}({constructed})` (or an `{provider}` provider)"),
        (Some(method), None) => format!("add `app.{method}({constructed})`"),
        (None, Some(provider)) => format!("add an `{provider}` provider using `{constructed}`"),
        (None, None) => format!("validate every controller parameter with `{constructed}`"),
    }
}

/// Whether the pipe's options set one of its strict options to anything but `false`, or cannot
/// be read (a spread, options built by a call).
fn strips_unknown_properties(options: Node<'_>, pipe: &Validator, model: &TsModel<'_>) -> bool {
    let Some(object) = model.object_literal(options) else { return true };
    names(&pipe.parameters.strict_options).any(|key| match model.property(object, key) {
        Property::Found(value) => model.bool_value(value) != Some(false),
        Property::Unknown => true,
        Property::Missing => false,
    })
}

/// `NestFactory.create(AppModule)`: the call's head, not the awaited whole.
fn call_span(call: Node<'_>) -> crate::source::Span {
    call.field("function").map(span_of).unwrap_or_else(|| span_of(call))
}
