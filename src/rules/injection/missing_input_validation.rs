//! `missing-input-validation`: request input that reaches the application with no validation
//! step at the boundary. Checked where archlint can be sure a validator was meant to run:
//! NestJS apps whose DTOs are never validated (no global `ValidationPipe`), DTO classes with no
//! validation decorators (declared in another file: a project fact), `ValidationPipe`s that let
//! undeclared properties through (no `whitelist`), untyped NestJS bodies, Fastify routes that read a body or query without a schema, and Rust DTOs that derive
//! `Validate` in one file while the handler that receives them, in another, never calls it, and
//! Rust handlers that read fields out of an untyped JSON payload (`Json<Value>`, `Json<HashMap<..>>`).

use crate::diagnostic::{Fact, Level};
use crate::lang::rust::{block_span, span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{children_by_field, decorator_call, descendants, is_function_like, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "missing-input-validation", build };

struct MissingInputValidation;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(MissingInputValidation))
}

/// Types that say nothing about the shape of a body.
const UNTYPED: &[&str] = &["any", "object", "unknown", "Object", "{}"];

impl MissingInputValidation {
    /// NestJS `@Body()`/`@Query()` parameters.
    fn check_nest_parameter(&self, parameter: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
    /// validation decorator on any of them. Classes that extend another inherit its decorators
    /// (`extends PartialType(CreateUserDto)`) and are left out.
    fn check_class(&self, class: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(name) = class.field("name").map(|n| model.text(n)) else { return };
        let extends = named_children(class).any(|c| c.kind() == "class_heritage" && model.text(c).trim_start().starts_with("extends"));
        let Some(body) = class.field("body").filter(|_| !extends && !cx.in_test) else { return };
        let fields: Vec<Node<'_>> = named_children(body).filter(|m| m.kind() == "public_field_definition").collect();
        let validated = fields.iter().flat_map(|field| children_by_field(*field, "decorator")).any(|decorator| {
            let expression = decorator.named_child(0);
            let callee = expression.map(|e| if e.kind() == "call_expression" { e.field("function").unwrap_or(e) } else { e });
            let name = callee.map(|c| model.text(c)).unwrap_or("");
            !NON_VALIDATING_DECORATORS.contains(&name.rsplit('.').next().unwrap_or(name))
        });
        if !fields.is_empty() && !validated {
            cx.fact(Fact::NestDtoWithoutValidators(name.to_string()));
        }
    }

    /// `new ValidationPipe(options)` without `whitelist: true`: properties the DTO does not
    /// declare reach the handler, and from there an entity (`repo.save({ ...dto })`).
    fn check_validation_pipe(&self, new: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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

    fn check_call(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
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
            return;
        }
        self.check_fastify_route(call, callee, method, model, cx);
    }

    /// `fastify.post("/x", handler)` whose handler reads `request.body` with no `schema.body`.
    fn check_fastify_route(&self, call: Node<'_>, callee: Node<'_>, method: &str, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if !model.imports_module("fastify") || cx.in_test || !matches!(method, "post" | "put" | "patch" | "get" | "delete" | "route") {
            return;
        }
        let Some(arguments) = call.field("arguments") else { return };
        let arguments: Vec<Node<'_>> = named_children(arguments).collect();
        let options = arguments.iter().map(|a| model.resolve(*a)).find(|a| a.kind() == "object");
        let handler = arguments.iter().rev().copied().find(|a| is_function_like(a.kind())).or_else(|| {
            options.and_then(|o| match model.property(o, "handler") {
                Property::Found(handler) if is_function_like(handler.kind()) => Some(handler),
                _ => None,
            })
        });
        let Some(handler) = handler else { return };
        let Some(request) = handler.field("parameters").and_then(|p| p.named_child(0)) else { return };
        let request = model.text(request.field("pattern").unwrap_or(request));
        let reads =
            |part: &str| descendants(handler).any(|n| n.kind() == "member_expression" && model.text(n) == format!("{request}.{part}"));
        let schema = options.and_then(|o| match model.property(o, "schema") {
            Property::Found(schema) => Some(model.resolve(schema)),
            _ => None,
        });
        let has = |key: &str| match schema {
            Some(schema) if schema.kind() == "object" => !matches!(model.property(schema, key), Property::Missing),
            Some(_) => true,
            None => false,
        };
        // `schema.parse(request.body)`, `parseSchema({ schema, value: request.body })`: a validation step in
        // the handler itself (zod, valibot, a project's helper around them); `JSON.parse` is none.
        let validated_in_handler = |part: &str| {
            let value = format!("{request}.{part}");
            descendants(handler).filter(|n| n.kind() == "call_expression").any(|call| {
                // Directly or inside an options object: `parseSchema({ schema, value: req.body })`.
                let passes_value = call.field("arguments").is_some_and(|a| descendants(a).any(|arg| model.text(arg) == value));
                let callee = call.field("function").map(|f| model.text(f)).unwrap_or("");
                let last = callee.rsplit('.').next().unwrap_or(callee).to_ascii_lowercase();
                passes_value
                    && !callee.starts_with("JSON.")
                    && (last.contains("parse") || last.contains("validat") || last.contains("schema") || last == "assert")
            })
        };
        let missing: Vec<&str> = [("body", "body"), ("query", "querystring")]
            .into_iter()
            .filter(|(part, key)| reads(part) && !has(key) && !validated_in_handler(part))
            .map(|(_, key)| key)
            .collect();
        if !missing.is_empty() {
            let shown = model.text(callee);
            cx.report(
                span_of(callee),
                format!(
                    "`{shown}` route reads the request {} with no `schema.{}` to validate it",
                    missing.join(" and "),
                    missing.join("`/`schema.")
                ),
            )
            .help = Some(
                "declare a JSON schema for the route (`{ schema: { body: {...} } }`), or use a type provider such as TypeBox or zod".into(),
            );
        }
    }

    /// A Rust handler taking a DTO that derives `Validate` (anywhere in the code it is built with) and never calling `.validate()`.
    fn check_rust_handler(&self, block: &syn::Block, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let Some(handler) = node.site.fn_id.and_then(|id| model.handlers().iter().find(|h| h.fn_id == id)) else { return };
        if node.site.in_test {
            return;
        }
        // The body's source text: printing its tokens again cost more than the rest of the rule.
        let span = block_span(cx.file, block);
        if cx.file.text.get(span.start..span.end).unwrap_or("").contains("validate") {
            return;
        }
        let RustSyntax::Fn { sig, .. } = node.syntax else { return };
        for param in &handler.request_params {
            let Some(payload) = &param.payload else { continue };
            if !matches!(param.extractor.as_str(), "Json" | "Form" | "Query") {
                continue;
            }
            let input = sig.inputs.iter().find(|input| input.to_token_stream().to_string().replace(' ', "").starts_with(&param.pattern));
            // `actix_web_validator::Json<T>`, `Valid<Json<T>>`: the extractor validates before the handler runs.
            let extractor_path = match input {
                Some(syn::FnArg::Typed(typed)) => match &*typed.ty {
                    syn::Type::Path(path) => Some(model.resolve_path(&path.path)),
                    _ => None,
                },
                _ => None,
            };
            if extractor_path.is_some_and(|path| model.knowledge().is_validating_extractor(&path)) {
                continue;
            }
            let span = input.map(|input| rust_span(cx.file, input)).unwrap_or_else(|| rust_span(cx.file, &sig.ident));
            let finding = cx.report_capped(
                Level::Warning,
                span,
                format!("`{payload}` derives `Validate`, but `{}` never calls `.validate()` on it", handler.name),
            );
            finding.help = Some("call `payload.validate()?` first, or extract with a validating wrapper (`Valid<Json<T>>`, `ValidatedJson<T>`, `Garde<Json<T>>`)".into());
            finding.requires(Fact::ValidatedStruct(payload.clone())).withdrawn_by(Fact::ValidatedInHelper(payload.clone()));
        }
    }
}

/// The class-validator pipe of NestJS, as imported.
const NEST_VALIDATION_PIPE: &str = "@nestjs/common.ValidationPipe";

const WHITELIST_HELP: &str =
    "pass `{ whitelist: true }` (and `forbidNonWhitelisted: true` to reject such requests instead of stripping the properties)";

/// Property decorators that document, map or persist a property without checking its value:
/// swagger, class-transformer, TypeORM, Mongoose and GraphQL ones.
const NON_VALIDATING_DECORATORS: &[&str] = &[
    "ApiProperty",
    "ApiPropertyOptional",
    "ApiHideProperty",
    "ApiResponseProperty",
    "Expose",
    "Exclude",
    "Transform",
    "Type",
    "Column",
    "PrimaryColumn",
    "PrimaryGeneratedColumn",
    "CreateDateColumn",
    "UpdateDateColumn",
    "DeleteDateColumn",
    "ManyToOne",
    "OneToMany",
    "OneToOne",
    "ManyToMany",
    "JoinColumn",
    "JoinTable",
    "Index",
    "Prop",
    "Field",
    "HideField",
];

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

/// Payload types that declare no shape: `Json<Value>`, `Query<HashMap<String, String>>`.
const UNTYPED_PAYLOADS: &[&str] = &["Value", "HashMap", "BTreeMap", "Map", "IndexMap"];

/// Methods that read a field out of an untyped payload.
const FIELD_READS: &[&str] = &["get", "get_mut", "pointer", "pointer_mut", "remove"];

impl MissingInputValidation {
    /// A Rust handler that extracts an untyped JSON payload (`Json<Value>`, `Json<HashMap<..>>`) and then
    /// reads fields out of it: it relies on a shape that nothing declares or checks. A payload
    /// that is only forwarded or logged (a proxy) is not reported.
    fn check_untyped_rust_payload(&self, block: &syn::Block, model: &RustModel<'_>, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let Some(handler) = node.site.fn_id.and_then(|id| model.handlers().iter().find(|h| h.fn_id == id)) else { return };
        let RustSyntax::Fn { sig, .. } = node.syntax else { return };
        if node.site.in_test || cx.in_test {
            return;
        }
        for param in &handler.request_params {
            let Some(payload) = param.payload.as_deref().filter(|p| UNTYPED_PAYLOADS.contains(p)) else { continue };
            // A query string or form is a flat map of strings: reading `q.get("name")` is what a
            // struct of `Option<String>` would give. JSON can nest and change type under the reader.
            if param.extractor != "Json" {
                continue;
            }
            let Some(name) = bound_name(&param.pattern) else { continue };
            let mut first_read: Option<&syn::Expr> = None;
            crate::rules::auth::for_each_expr_in(crate::rules::auth::Walk::Block(block), &mut |expr| {
                if first_read.is_some() {
                    return;
                }
                let reads = match expr {
                    syn::Expr::Index(index) => names_payload(&index.expr, &name),
                    syn::Expr::MethodCall(call) => {
                        FIELD_READS.contains(&call.method.to_string().as_str())
                            && names_payload(&call.receiver, &name)
                            && call.args.first().is_some_and(|a| matches!(a, syn::Expr::Lit(_)))
                    }
                    _ => false,
                };
                if reads {
                    first_read = Some(expr);
                }
            });
            let Some(read) = first_read else { continue };
            let span = sig
                .inputs
                .iter()
                .find(|input| input.to_token_stream().to_string().replace(' ', "").starts_with(&param.pattern))
                .map(|input| rust_span(cx.file, input))
                .unwrap_or_else(|| rust_span(cx.file, &sig.ident));
            let read_span = rust_span(cx.file, read);
            let read_text = crate::rules::shorten(cx.file.slice(read_span), 40);
            let file = cx.file;
            let message = format!(
                "`{}` takes `{}<{payload}>` and reads fields out of it (`{read_text}`): its shape is neither declared nor validated",
                handler.name, param.extractor
            );
            cx.report_capped(Level::Warning, span, message)
                .with_help("deserialise into a struct (`Json<NewUser>`, with `#[serde(deny_unknown_fields)]`) and validate it (`validator`/`garde`)")
                .with_related(file, read_span, "a field is read here");
        }
    }
}

/// The variable a request parameter pattern binds: `Json(body)` → `body`, `mut q` → `q`.
fn bound_name(pattern: &str) -> Option<String> {
    let inner = match (pattern.find('('), pattern.rfind(')')) {
        (Some(open), Some(close)) if open < close => &pattern[open + 1..close],
        _ => pattern,
    };
    let name = inner.trim().trim_start_matches("mut ").trim_start_matches("mut").trim();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then(|| name.to_string())
}

/// `body`, `body.0`, `&body`, `(body)`: the payload itself.
fn names_payload(expr: &syn::Expr, name: &str) -> bool {
    match expr {
        syn::Expr::Path(path) => path.path.is_ident(name),
        syn::Expr::Field(field) => matches!(&field.member, syn::Member::Unnamed(i) if i.index == 0) && names_payload(&field.base, name),
        syn::Expr::Reference(reference) => names_payload(&reference.expr, name),
        syn::Expr::Paren(paren) => names_payload(&paren.expr, name),
        _ => false,
    }
}

/// `NestFactory.create(AppModule)`: the call's head, not the awaited whole.
fn call_span(call: Node<'_>) -> crate::source::Span {
    call.field("function").map(span_of).unwrap_or_else(|| span_of(call))
}

impl Rule for MissingInputValidation {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["required_parameter", "optional_parameter", "call_expression", "pair", "new_expression", "class_declaration"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "call_expression" => self.check_call(node, model, cx),
            "new_expression" => self.check_validation_pipe(node, model, cx),
            "class_declaration" => self.check_class(node, model, cx),
            // `{ provide: APP_PIPE, useClass: ValidationPipe }`
            "pair" => {
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
            _ => self.check_nest_parameter(node, model, cx),
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Struct, RustKind::Fn]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        match node.syntax {
            RustSyntax::Struct(item) => {
                let derives_validate = item.attrs.iter().any(|attr| {
                    attr.path().is_ident("derive")
                        && attr.to_token_stream().to_string().split(|c: char| !c.is_alphanumeric()).any(|w| w == "Validate")
                });
                // A struct whose fields carry no rule (`#[validate(..)]`, `#[garde(..)]`) has nothing
                // for `.validate()` to check: not calling it loses nothing.
                let has_rules = item
                    .fields
                    .iter()
                    .any(|field| field.attrs.iter().any(|attr| attr.path().is_ident("validate") || attr.path().is_ident("garde")));
                if derives_validate && has_rules {
                    cx.fact(Fact::ValidatedStruct(item.ident.to_string()));
                }
            }
            RustSyntax::Fn { sig, block, .. } => {
                // `fn step(data: SomeData) { data.validate()?; … }`: the handler may delegate.
                let is_handler = node.site.fn_id.is_some_and(|id| model.handlers().iter().any(|h| h.fn_id == id));
                // The body's source text, not its tokens printed again: this runs for every function.
                let span = block_span(cx.file, block);
                let body = cx.file.text.get(span.start..span.end).unwrap_or("");
                if !is_handler && body.contains("validate") {
                    for input in &sig.inputs {
                        let syn::FnArg::Typed(typed) = input else { continue };
                        for word in typed.ty.to_token_stream().to_string().split(|c: char| !c.is_alphanumeric() && c != '_') {
                            if word.starts_with(char::is_uppercase) {
                                cx.fact(Fact::ValidatedInHelper(word.to_string()));
                            }
                        }
                    }
                }
                self.check_rust_handler(block, model, node, cx);
                self.check_untyped_rust_payload(block, model, node, cx);
            }
            _ => {}
        }
    }
}
