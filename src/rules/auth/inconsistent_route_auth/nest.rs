//! NestJS: the routes of a controller, and the guards of the routes, the controller and the app.

use super::*;

/// Decorators that mark a route public under a global or class guard: `@Public()`,
/// `@SkipAuth()`, `@AllowAnonymous()`, `@Unprotected()` (nest-keycloak-connect).
pub(super) fn is_public_decorator_name(name: &str) -> bool {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    has("public")
        || has("anonymous")
        || has("unprotected")
        || has("unauthenticated")
        || words.concat().contains("noauth")
        || (has("skip") && words.iter().any(|w| w.starts_with("auth") || w == "jwt" || w == "guard" || w == "guards"))
}

/// The decorators of a class or class member, wherever tree-sitter puts them: as the node's
/// `decorator` children, as siblings before it in a class body (comments between them skipped),
/// or on the `export` statement.
fn decorators_of(node: Node<'_>) -> Vec<Node<'_>> {
    let mut decorators: Vec<Node<'_>> = children_by_field(node, "decorator").collect();
    let mut previous = node.prev_named_sibling();
    while let Some(sibling) = previous.filter(|p| matches!(p.kind(), "decorator" | "comment")) {
        if sibling.kind() == "decorator" {
            decorators.push(sibling);
        }
        previous = sibling.prev_named_sibling();
    }
    if let Some(export) = node.parent().filter(|p| p.kind() == "export_statement") {
        decorators.extend(children_by_field(export, "decorator"));
    }
    decorators
}

/// `@Name(args)` or `@Name` → the name (`Post`, `UseGuards`) and the call's arguments, if any.
fn decorator_parts<'n>(decorator: Node<'n>, model: &TsModel<'n>) -> Option<(&'n str, Vec<Node<'n>>)> {
    let expression = decorator.named_child(0)?;
    match expression.kind() {
        "call_expression" => {
            let callee = expression.field("function")?;
            let name = model.text(callee.field("property").unwrap_or(callee));
            Some((name, call_arguments(expression)))
        }
        "identifier" => Some((model.text(expression), Vec::new())),
        "member_expression" => Some((model.text(expression.field("property")?), Vec::new())),
        _ => None,
    }
}

/// What a set of decorators says about a route's or class's authentication.
#[derive(Default)]
struct NestAuth {
    /// The enforcing decorator as written (`@UseGuards(JwtAuthGuard)`, `@Auth()`), with its span.
    guard: Option<(String, Span)>,
    public: bool,
}

impl InconsistentRouteAuth {
    fn nest_auth(&self, decorators: &[Node<'_>], model: &TsModel<'_>) -> NestAuth {
        let mut auth = NestAuth::default();
        for decorator in decorators {
            let Some((name, arguments)) = decorator_parts(*decorator, model) else { continue };
            let shown = || (crate::rules::shorten(model.text(*decorator), 60), span_of(*decorator));
            if is_public_decorator_name(name) || self.public_decorators.iter().any(|p| p.trim_start_matches('@') == name) {
                auth.public = true;
            } else if model.knowledge.decorator_mounts(crate::models::Language::Typescript, name) {
                if arguments.iter().any(|a| self.is_auth_guard(*a, model)) {
                    auth.guard.get_or_insert_with(shown);
                }
            } else if !name.starts_with("Api") && is_auth_name(&self.auth_middleware, name) {
                // A composed decorator (`@Auth(Role.Admin)`, `@Authenticated()`); `@ApiBearerAuth()`
                // only documents the API.
                auth.guard.get_or_insert_with(shown);
            }
        }
        auth
    }

    pub(super) fn check_nest_controller(&self, class: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let class_decorators = decorators_of(class);
        let is_controller = |name: &str| {
            model.knowledge.route_decorator(crate::models::Language::Typescript, name).is_some_and(|r| r.role == RouteRole::Controller)
        };
        let Some(controller) = class_decorators.iter().find_map(|d| decorator_parts(*d, model).filter(|(name, _)| is_controller(name)))
        else {
            return;
        };
        let class_auth = self.nest_auth(&class_decorators, model);
        if class_auth.guard.is_some() || class_auth.public {
            return;
        }
        // `@Controller("orders")` or `@Controller({ path: "orders", version: "1" })`.
        let prefix = controller
            .1
            .first()
            .and_then(|a| match model.object_literal(*a) {
                Some(object) => match model.property(object, "path") {
                    crate::lang::typescript::Property::Found(path) => model.string_value(path),
                    _ => None,
                },
                None => model.string_value(*a),
            })
            .unwrap_or_default();
        let Some(body) = class.field("body") else { return };

        struct NestRoute<'n> {
            /// The route decorator, as written (`Post`), and the HTTP method it registers.
            decorator: &'n str,
            method: String,
            path: String,
            span: Span,
            auth: NestAuth,
            name: Node<'n>,
        }
        let mut routes: Vec<NestRoute<'_>> = Vec::new();
        for member in named_children(body).filter(|m| m.kind() == "method_definition") {
            let decorators = decorators_of(member);
            let Some((decorator, method, path, span)) = decorators.iter().find_map(|d| {
                let (name, arguments) = decorator_parts(*d, model)?;
                let http_method = model.knowledge.decorator_registers(crate::models::Language::Typescript, name)?;
                if !STATE_CHANGING.contains(&http_method.to_ascii_lowercase().as_str()) {
                    return None;
                }
                let path = arguments.first().and_then(|a| model.string_value(*a)).unwrap_or_default();
                Some((name, http_method, path, span_of(*d)))
            }) else {
                continue;
            };
            let Some(name) = member.field("name") else { continue };
            routes.push(NestRoute {
                decorator,
                method,
                path: format!("{prefix}/{path}"),
                span,
                auth: self.nest_auth(&decorators, model),
                name,
            });
        }
        let guarded: Vec<&NestRoute<'_>> = routes.iter().filter(|r| r.auth.guard.is_some()).collect();
        let unguarded: Vec<&NestRoute<'_>> = routes
            .iter()
            .filter(|r| r.auth.guard.is_none() && !r.auth.public)
            .filter(|r| !self.is_public_route(&r.method, &r.path) && !is_public_handler_name(model.text(r.name)))
            .collect();
        if guarded.is_empty() {
            return;
        }
        for route in unguarded {
            let Some(sibling) = guarded.iter().min_by_key(|g| g.span.start.abs_diff(route.span.start)) else { continue };
            let Some((guard, guard_span)) = &sibling.auth.guard else { continue };
            let message = format!(
                "`{}` (`@{}`) has no guard, while `{}` in the same controller is guarded by `{guard}` and no global guard is registered",
                model.text(route.name),
                route.decorator,
                model.text(sibling.name),
            );
            let file = cx.file;
            cx.report(route.span, message)
                .with_help(NEST_HELP)
                .with_related(file, *guard_span, "a sibling route that changes state is guarded here")
                .withdrawn_by(Fact::NestGlobalGuard);
        }
    }

    /// `app.useGlobalGuards(..)` and `{ provide: APP_GUARD, useClass: JwtAuthGuard }` authenticate
    /// the whole app when the guard is named like authentication ([`Self::is_auth_guard`]):
    /// ghostfolio's global `ImpersonationWriteGuard` only blocks writes while impersonating.
    pub(super) fn record_global_guard(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        match node.kind() {
            "call_expression" => {
                let Some(callee) = node.field("function") else { return };
                let is_global = callee.field("property").is_some_and(|p| model.text(p) == "useGlobalGuards");
                if is_global && call_arguments(node).iter().any(|a| self.is_auth_guard(*a, model)) {
                    cx.fact(Fact::NestGlobalGuard);
                }
            }
            "pair" => {
                let is_app_guard = node.field("key").is_some_and(|k| model.text(k) == "provide")
                    && node.field("value").is_some_and(|v| model.text(v) == "APP_GUARD");
                let Some(provider) = node.parent().filter(|_| is_app_guard) else { return };
                let guard = ["useClass", "useExisting", "useFactory"].iter().find_map(|key| match model.property(provider, key) {
                    crate::lang::typescript::Property::Found(value) => Some(value),
                    _ => None,
                });
                if guard.is_some_and(|guard| self.is_auth_guard(guard, model)) {
                    cx.fact(Fact::NestGlobalGuard);
                }
            }
            _ => {}
        }
    }

    /// Whether a Nest guard (`JwtAuthGuard`, `AuthGuard("jwt")`, `new RolesGuard(r)`) authenticates:
    /// as the models say of the class it names (`[[guards]]`: `@nestjs/passport`'s `AuthGuard`
    /// does, `@nestjs/throttler`'s `ThrottlerGuard` does not), else by its name.
    pub(super) fn is_auth_guard(&self, guard: Node<'_>, model: &TsModel<'_>) -> bool {
        let guard = model.unwrap_expression(guard);
        let class = match guard.kind() {
            "new_expression" => guard.field("constructor"),
            "call_expression" => guard.field("function"),
            _ => Some(guard),
        };
        match class.and_then(|class| model.guard_of_function(class)) {
            Some(entry) => entry.role == GuardRole::Middleware,
            None => self.is_auth_guard_name(model.text(guard)),
        }
    }

    /// Whether a Nest guard, as written, is named like authentication or an authorization that
    /// needs a signed-in user. Guards that only limit the rate or do something else
    /// (`CustomThrottlerGuard`, `ImpersonationWriteGuard`) are not; more names with the
    /// `auth-middleware` option.
    pub(super) fn is_auth_guard_name(&self, guard: &str) -> bool {
        if is_rate_limit_guard(guard) {
            return false;
        }
        let name = guard.trim_start_matches("new ").split(['(', '<']).next().unwrap_or(guard).trim();
        let words = words(name);
        is_auth_name(&self.auth_middleware, name)
            || words.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "role"
                        | "roles"
                        | "permission"
                        | "permissions"
                        | "access"
                        | "acl"
                        | "policy"
                        | "policies"
                        | "casl"
                        | "ability"
                        | "keycloak"
                        | "clerk"
                        | "firebase"
                        | "supabase"
                        | "passport"
                        | "user"
                        | "users"
                        | "login"
                        | "session"
                        | "token"
                        | "apikey"
                        | "admin"
                        | "owner"
                        | "local"
                )
            })
            || (words.iter().any(|w| w == "api") && words.iter().any(|w| w == "key"))
    }
}
