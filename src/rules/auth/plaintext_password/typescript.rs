//! TypeScript: passwords stored, compared or sent as they came, and the hashing that answers them.

use super::*;
use crate::models::QueryRole;

/// Keys under which ORMs nest the record or the filter (`prisma.user.create({ data: { .. } })`).
pub(super) const NESTING_KEYS: &[&str] = &["data", "values", "where", "$set", "set", "create", "update", "filter", "attributes"];
/// Markers of an ORM hook or setter that rewrites the password before it is saved.
pub(super) const HASHING_HOOKS: &[&str] = &[
    // Mongoose middleware (`schema.pre("save", ..)`, typed `schema.pre<Doc>("save", ..)`),
    // Bookshelf `this.on("saving", ..)`.
    ".pre(",
    ".pre<",
    "on('saving'",
    "on(\"saving\"",
    "@BeforeInsert",
    "@BeforeUpdate",
    "@BeforeCreate",
    "beforeCreate",
    "beforeSave",
    "beforeUpdate",
    "beforeBulkCreate",
    "beforeValidate",
    "setDataValue(",
    "$beforeInsert",
    "$beforeUpdate",
    "$use(",
    "$extends(",
];

impl PlaintextPassword {
    /// Password-named keys of an object literal (and of its nesting keys) whose value is request
    /// data: the pair and the flow.
    pub(super) fn ts_request_passwords<'t>(&self, object: Node<'t>, model: &TsModel<'t>, depth: usize, found: &mut Vec<(Node<'t>, Flow)>) {
        for member in named_children(object) {
            let (key, value) = match member.kind() {
                "pair" => match (member.field("key"), member.field("value")) {
                    (Some(key), Some(value)) => (model.string_literal(key).unwrap_or_else(|| model.text(key).to_string()), value),
                    _ => continue,
                },
                "shorthand_property_identifier" => (model.text(member).to_string(), member),
                _ => continue,
            };
            if NESTING_KEYS.contains(&key.as_str()) && depth < 2 {
                if let Some(nested) = model.object_literal(value) {
                    self.ts_request_passwords(nested, model, depth + 1, found);
                }
                continue;
            }
            if !names_password(&key) {
                continue;
            }
            if let Origin::Request(flow) = model.origin(value) {
                found.push((member, flow));
            }
        }
    }

    /// `User.create({ password: req.body.password })`, `repo.findOne({ where: { password } })`,
    /// `db.query("INSERT INTO users (email, password) VALUES (?, ?)", [email, req.body.password])`.
    pub(super) fn check_ts_call(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function").filter(|c| c.kind() == "member_expression") else { return };
        let method = callee.field("property").map(|p| model.text(p)).unwrap_or("");
        let arguments = call_arguments(call);
        if matches!(method, "query" | "execute" | "run" | "all" | "raw" | "exec") {
            self.check_ts_sql(&arguments, model, cx);
            return;
        }
        // What the models say the call does with the database (`[[queries]]`): a write stores
        // the record it is given, a lookup filters by it.
        let roles: Vec<QueryRole> = model.queries(call).iter().map(|q| q.role).collect();
        let what = if roles.contains(&QueryRole::Write) {
            Use::Stored
        } else if roles.contains(&QueryRole::Lookup) {
            Use::LookedUp
        } else {
            return;
        };
        let Some(receiver) = callee.field("object") else { return };
        if !is_data_receiver(model.unwrap_expression(receiver), model) {
            return;
        }
        let mut found = Vec::new();
        for argument in &arguments {
            if let Some(object) = model.object_literal(*argument) {
                self.ts_request_passwords(object, model, 0, &mut found);
            }
        }
        let reported = !found.is_empty();
        // A write through the project's own data layer (`models.users.create(..)`,
        // `this.usersService.update(id, ..)`) stores what that layer's method makes of it.
        let through_member = matches!(what, Use::Stored) && model.unwrap_expression(receiver).kind() == "member_expression";
        let layer = model.text(receiver).rsplit('.').next().filter(|_| through_member).map(layer_name);
        for (at, flow) in found {
            let Some(finding) = self.report(cx, span_of(at), use_message(what, &flow), &flow, true) else { continue };
            // The argument holding the password, written there or bound to a local first.
            let index = arguments.iter().position(|a| {
                let holder = model.object_literal(*a).unwrap_or(*a);
                holder.start_byte() <= at.start_byte() && at.end_byte() <= holder.end_byte()
            });
            if let (Some(layer), Some(index)) = (&layer, index) {
                finding.withdrawn_by(Fact::PasswordHashedBy(format!("{layer}.{method}#{index}")));
            }
        }
        if !reported && matches!(what, Use::Stored) {
            self.check_dto_store(call, &arguments, model, cx);
        }
    }

    /// Records each method of a class that hashes the password of a parameter it is handed
    /// (`create(data) { const { password, ...rest } = data; rest.passhash = await hash(password) }`):
    /// a write through that method elsewhere stores a hash ([`Fact::PasswordHashedBy`]).
    pub(super) fn record_hashing_methods(&self, class: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else { return };
        if cx.in_test {
            return;
        }
        let layer = layer_name(model.text(name));
        for member in named_children(body).filter(|m| m.kind() == "method_definition") {
            let Some(method) = member.field("name").map(|n| model.text(n)) else { continue };
            let own = |function: &str| function == method || function.ends_with(&format!(".{method}"));
            for call in crate::lang::typescript::model::descendants(member).filter(|n| n.kind() == "call_expression") {
                // Most calls take no password: the names are read before the callee and the origin.
                let passwords: Vec<Node<'_>> = call_arguments(call)
                    .into_iter()
                    .filter(|argument| model.text(*argument).rsplit('.').next().is_some_and(names_password))
                    .collect();
                if passwords.is_empty() || !is_hash_call(call, model) {
                    continue;
                }
                for argument in passwords {
                    let Origin::Parameter(parameters) = model.origin(argument) else { continue };
                    for parameter in parameters.iter().filter(|p| own(&p.function)) {
                        cx.fact(Fact::PasswordHashedBy(format!("{layer}.{method}#{}", parameter.index)));
                    }
                }
            }
        }
    }

    /// A NestJS service storing the DTO it was handed (`create(dto: CreateUserDto)`): its
    /// `password` as it came (`{ password: dto.password }`), or the whole DTO (`{ ...dto }`,
    /// `repo.save(dto)`) when some DTO class of that name has a password field. Not when the
    /// function hashes anything: the hash is then what is stored, or the DTO's field is
    /// overwritten with it first.
    pub(super) fn check_dto_store(&self, call: Node<'_>, arguments: &[Node<'_>], model: &TsModel<'_>, cx: &mut Context<'_>) {
        let mut found = Vec::new();
        for argument in arguments {
            match model.object_literal(*argument) {
                Some(object) => dto_passwords(object, model, 0, &mut found),
                None => found.extend(dto_type(*argument, model).map(|ty| DtoPassword { at: *argument, whole_dto: Some(ty) })),
            }
        }
        if found.is_empty() || hashes_in_function(call, model) {
            return;
        }
        let method = method_name(call, model);
        for DtoPassword { at, whole_dto } in found {
            let span = span_of(at);
            if cx.reported_at(span) {
                continue;
            }
            let shown = if at.kind() == "pair" { at.field("value").unwrap_or(at) } else { at };
            let text = shorten(model.text(shown), 40);
            let finding = match &whole_dto {
                Some(ty) => {
                    let finding = cx.report(span, format!("the `{ty}` (`{text}`) is stored as it came, with its password unhashed"));
                    finding.requires(Fact::DtoWithPassword(ty.clone()));
                    finding
                }
                None => cx.report(span, format!("a password from the request DTO (`{text}`) is stored without hashing")),
            };
            finding.help = Some(HELP.into());
            finding.withdrawn_by(Fact::PasswordHashedOnSave);
            // The DTO is a parameter: a caller that hashed first may hand it over.
            if let Some(method) = &method {
                finding.withdrawn_by(Fact::PasswordHashedBeforeCall(method.clone()));
            }
        }
    }

    /// `const hash = await bcrypt.hash(dto.password, 12); return this.usersService.create({ ..,
    /// password: hash })`: the service method receives a hashed password, so what it stores as
    /// it came is a hash.
    pub(super) fn note_hashed_before_call(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function").filter(|c| c.kind() == "member_expression") else { return };
        let (Some(receiver), Some(method)) = (callee.field("object"), callee.field("property")) else { return };
        if !model.text(receiver).to_ascii_lowercase().contains("service") {
            return;
        }
        let passes_password = call_arguments(call).iter().any(|a| model.text(*a).to_ascii_lowercase().contains("password"));
        if passes_password && hashes_in_function(call, model) {
            cx.fact(Fact::PasswordHashedBeforeCall(model.text(method).to_string()));
        }
    }

    /// `new User({ email, password: req.body.password }).save()`, or the same record bound to a
    /// local that the function saves (`const user = new User({ .. }); await user.save()`).
    pub(super) fn check_ts_new(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(constructor) = node.field("constructor") else { return };
        if !model.text(constructor).starts_with(char::is_uppercase) {
            return;
        }
        let arguments = call_arguments(node);
        let Some(object) = arguments.first().and_then(|a| model.object_literal(*a)) else { return };
        if !is_saved(node, model) {
            return;
        }
        let mut found = Vec::new();
        self.ts_request_passwords(object, model, 0, &mut found);
        let reported = !found.is_empty();
        for (at, flow) in found {
            self.report(cx, span_of(at), use_message(Use::Stored, &flow), &flow, true);
        }
        if !reported {
            self.check_dto_store(node, &arguments, model, cx);
        }
    }

    /// A SQL call whose text names a password column and whose parameters carry the request
    /// password (`[email, req.body.password]`).
    pub(super) fn check_ts_sql(&self, arguments: &[Node<'_>], model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(sql) = arguments.first().and_then(|a| model.string_value(*a)) else { return };
        let lower = sql.to_ascii_lowercase();
        if !lower.contains("pass") {
            return;
        }
        let what = if lower.trim_start().starts_with("select") { Use::LookedUp } else { Use::Stored };
        for parameters in arguments.iter().skip(1).filter(|a| a.kind() == "array") {
            for element in named_children(*parameters) {
                if !ts_value_name(element, model).is_some_and(|name| names_password(&name)) {
                    continue;
                }
                if let Origin::Request(flow) = model.origin(element) {
                    self.report(cx, span_of(element), use_message(what, &flow), &flow, true);
                }
            }
        }
    }

    /// `user.password = req.body.password` in a function that then saves (`user.save()`).
    pub(super) fn check_ts_assignment(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
        if left.kind() != "member_expression" || !ts_value_name(left, model).is_some_and(|n| names_password(&n)) {
            return;
        }
        let Origin::Request(flow) = model.origin(right) else { return };
        // `req.body.password = ...` rewrites the request, not a record.
        if model.request_source(left).is_some() {
            return;
        }
        let function = enclosing_function(node);
        let after = model.src.get(node.end_byte()..function.end_byte()).unwrap_or("");
        if ![".save(", ".update(", ".persist(", ".flush(", ".upsert(", ".$save("].iter().any(|s| after.contains(s)) {
            return;
        }
        self.report(cx, span_of(node), use_message(Use::Stored, &flow), &flow, true);
    }

    /// `user.password === req.body.password`: the request password against a stored one.
    pub(super) fn check_ts_comparison(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(operator) = node.field("operator").map(|o| model.text(o)) else { return };
        if !matches!(operator, "===" | "!==" | "==" | "!=") {
            return;
        }
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
        let named = |n: Node<'_>| {
            let n = model.unwrap_expression(n);
            matches!(n.kind(), "identifier" | "member_expression" | "subscript_expression")
                && ts_value_name(n, model).is_some_and(|name| names_password(&name))
        };
        if !named(left) || !named(right) {
            return;
        }
        let (stored, flow) = match (model.origin(left), model.origin(right)) {
            (Origin::Request(_), Origin::Request(_)) => return,
            (Origin::Request(flow), _) => (right, flow),
            (_, Origin::Request(flow)) => (left, flow),
            _ => return,
        };
        // A literal, or an operator's password from the environment: configuration, not a user store.
        if model.string_value(stored).is_some() || model.qualified_name(stored).is_some_and(|name| name.starts_with("process.env.")) {
            return;
        }
        self.report(cx, span_of(node), comparison_message(model.text(stored), &flow), &flow, false);
    }

    /// Reports at the rule's level. Stored and looked-up passwords are withdrawn when the project
    /// hashes passwords in an ORM hook or setter (the record's `password` is rewritten on save).
    pub(super) fn report<'c>(
        &self,
        cx: &'c mut Context<'_>,
        span: Span,
        message: String,
        flow: &Flow,
        hook_may_hash: bool,
    ) -> Option<&'c mut crate::diagnostic::Finding> {
        if cx.reported_at(span) {
            return None;
        }
        let file = cx.file;
        let finding = cx.report(span, message);
        finding.help = Some(HELP.into());
        finding.with_flow(file, flow);
        if hook_may_hash {
            finding.withdrawn_by(Fact::PasswordHashedOnSave);
        }
        Some(finding)
    }
}

/// A DTO's password about to be stored: `dto.password` itself, or a whole DTO (spread or passed
/// as it is) of the named class, which stores a password only if that class has one.
pub(super) struct DtoPassword<'t> {
    at: Node<'t>,
    whole_dto: Option<String>,
}

/// The DTO class of a parameter of the enclosing function (`dto: CreateUserDto`), when `node` is
/// that parameter.
pub(super) fn dto_type(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let node = model.unwrap_expression(node);
    if node.kind() != "identifier" {
        return None;
    }
    let name = model.text(node);
    let parameters = enclosing_function(node).field("parameters")?;
    named_children(parameters).find_map(|parameter| {
        let pattern = parameter.field("pattern").filter(|p| model.text(*p) == name)?;
        let ty = parameter.field("type")?;
        let ty = model.text(ty).trim_start_matches(':').trim();
        let is_dto = (ty.ends_with("Dto") || ty.ends_with("DTO")) && ty.chars().all(|c| c.is_alphanumeric() || c == '_');
        (is_dto && pattern.kind() == "identifier").then(|| ty.to_string())
    })
}

/// DTO passwords in an object literal and in its nesting keys (`{ data: { ...dto } }`).
pub(super) fn dto_passwords<'t>(object: Node<'t>, model: &TsModel<'t>, depth: usize, found: &mut Vec<DtoPassword<'t>>) {
    let mut spreads = Vec::new();
    let mut sets_password = false;
    for member in named_children(object) {
        match member.kind() {
            "pair" => {
                let (Some(key), Some(value)) = (member.field("key"), member.field("value")) else { continue };
                let key = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
                if NESTING_KEYS.contains(&key.as_str()) && depth < 2 {
                    match model.object_literal(value) {
                        Some(nested) => dto_passwords(nested, model, depth + 1, found),
                        None => spreads.extend(dto_type(value, model).map(|ty| DtoPassword { at: value, whole_dto: Some(ty) })),
                    }
                    continue;
                }
                if !names_password(&key) {
                    continue;
                }
                sets_password = true;
                let value = model.unwrap_expression(value);
                let from_dto = value.kind() == "member_expression"
                    && value.field("property").is_some_and(|p| names_password(model.text(p)))
                    && value.field("object").is_some_and(|o| dto_type(o, model).is_some());
                if from_dto {
                    found.push(DtoPassword { at: member, whole_dto: None });
                }
            }
            "spread_element" => {
                let Some(spread) = member.named_child(0) else { continue };
                spreads.extend(dto_type(spread, model).map(|ty| DtoPassword { at: member, whole_dto: Some(ty) }));
            }
            _ => {}
        }
    }
    // `{ ...dto, password: hashed }`: the password is replaced (a DTO password under the key was
    // reported above).
    if !sets_password {
        found.extend(spreads);
    }
}

/// The name of the method a node is in (`create` for `async create(dto: CreateUserDto) { .. }`).
pub(super) fn method_name(node: Node<'_>, model: &TsModel<'_>) -> Option<String> {
    let function = enclosing_function(node);
    if function.kind() != "method_definition" {
        return None;
    }
    function.field("name").map(|n| model.text(n).to_string())
}

/// Whether the function around `node` calls a hash or key-derivation function: one the models
/// name (`[[hashers]]`: bcrypt, argon2, `crypto.scrypt`, a project's own `vault.seal`), or any
/// call whose text says so (`this.hashService.make(..)`, `hashPassword(..)`).
pub(super) fn hashes_in_function(node: Node<'_>, model: &TsModel<'_>) -> bool {
    let function = enclosing_function(node);
    let lower = model.text(function).to_ascii_lowercase();
    ["hash", "bcrypt", "argon2", "scrypt", "pbkdf2"].iter().any(|h| lower.contains(h))
        || crate::lang::typescript::model::descendants(function).any(|n| n.kind() == "call_expression" && model.hashes(n))
}

/// Whether a `new Model(..)` record is saved: `.save()` on it, or on the local it is bound to
/// later in the same function.
pub(super) fn is_saved(new: Node<'_>, model: &TsModel<'_>) -> bool {
    let mut node = new;
    while let Some(parent) = node.parent().filter(|p| p.kind() == "parenthesized_expression") {
        node = parent;
    }
    let Some(parent) = node.parent() else { return false };
    match parent.kind() {
        "member_expression" => parent.field("property").is_some_and(|p| model.text(p) == "save"),
        "variable_declarator" => {
            let Some(name) = parent.field("name").filter(|n| n.kind() == "identifier").map(|n| model.text(n)) else { return false };
            let function = enclosing_function(new);
            let after = model.src.get(parent.end_byte()..function.end_byte()).unwrap_or("");
            after.contains(&format!("{name}.save("))
        }
        _ => false,
    }
}

/// A call that hashes: one the models name (`bcrypt.hash`, argon2, scrypt) or one named for it
/// (`passhash.getPasshash(..)`, `this.hashPassword(..)`).
fn is_hash_call(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let callee = call.field("function").map(|f| model.text(f).to_ascii_lowercase()).unwrap_or_default();
    model.hashes(call) || (callee.contains("hash") && !callee.contains("hashmap"))
}

/// How a data layer is known on both sides of a call: `Users`, `users`, `UserService`,
/// `usersRepository`, `userModel` → `user`.
pub(super) fn layer_name(name: &str) -> String {
    let mut lower = name.to_ascii_lowercase();
    for suffix in ["repository", "repo", "service", "model", "dao", "store"] {
        if let Some(stripped) = lower.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            lower = stripped.to_string();
            break;
        }
    }
    match lower.strip_suffix('s') {
        Some(singular) if !singular.is_empty() && !singular.ends_with('s') => singular.to_string(),
        _ => lower,
    }
}
