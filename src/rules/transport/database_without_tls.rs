//! `database-without-tls`: a connection to a database on another machine with TLS switched off,
//! so passwords, queries and rows cross the network in clear text.
//!
//! Only connections whose host is written in the code are judged: a host or URL that comes from
//! the environment or configuration may be local in one deployment and remote in another, and
//! local hosts (`localhost`, private addresses, single-label container names such as `postgres`
//! or `db`) never leave the machine or its private network.

use crate::lang::rust::{method_chain, span_of as rust_span, LitParent, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::models::{ConnectionKind, DatabaseOptions, Language};
use crate::rules::helpers::{is_local_host, parse_url};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use crate::source::Span;
use quote::ToTokens;
use syn::Expr;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "database-without-tls", build };

struct DatabaseWithoutTls;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(DatabaseWithoutTls))
}

const HELP: &str =
    "require TLS (`sslmode=verify-full`, `ssl: { ca }`, `tls: true`, a TLS connector) for databases reached over the network";

/// URL schemes of database servers: the servers' own connection-string formats, shared by every
/// driver (what each driver calls its options is in the models' `[[connections]]`).
const DB_SCHEMES: &[&str] =
    &["postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "mssql", "sqlserver", "cockroachdb", "tidb"];

/// Whether a connection setting switches TLS off: `sslmode=disable`, `ssl=false`, `tls=false`, ...
fn disables_tls(key: &str, value: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let value = value.to_ascii_lowercase();
    match key.as_str() {
        "sslmode" | "ssl_mode" | "ssl-mode" => value == "disable" || value == "disabled",
        "ssl" | "tls" | "usessl" | "encrypt" => value == "false" || value == "0",
        _ => false,
    }
}

/// A remote host written out in full: not local, not assembled at run time, and not a
/// placeholder for the reader to fill in (`your-db-host.com`).
fn remote_host(host: &str) -> Option<String> {
    let lower = host.to_ascii_lowercase();
    let unknown = host.is_empty() || host.contains(['$', '{', '}', '%', '<', '*']);
    let placeholder = lower.starts_with("your") || lower.contains("example") || lower.contains("placeholder");
    (!unknown && !placeholder && !is_local_host(host)).then(|| host.to_string())
}

/// The host a connection string names: a database URL, or libpq's `host=… user=…` form.
fn connection_host(text: &str) -> Option<String> {
    if let Some(url) = parse_url(text) {
        // A replica set lists several hosts (`mongodb://m1.acme.io,m2.acme.io/app`): name the first.
        let first = url.host.split(',').next().unwrap_or(url.host);
        return DB_SCHEMES.contains(&url.scheme.to_ascii_lowercase().as_str()).then(|| first.to_string());
    }
    key_values(text).find(|(key, _)| key.eq_ignore_ascii_case("host")).map(|(_, host)| host.to_string())
}

/// `host=db.acme.io port=5432 sslmode=disable` → its pairs; nothing for other text.
fn key_values(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let is_libpq = text.split_whitespace().all(|part| part.contains('=')) && text.contains("host=");
    text.split_whitespace().filter(move |_| is_libpq).filter_map(|part| part.split_once('='))
}

/// A connection string that switches TLS off for a remote database: the setting and the host.
fn plaintext_connection(text: &str) -> Option<(String, String)> {
    let host = remote_host(&connection_host(text)?)?;
    let setting = match parse_url(text) {
        Some(_) => {
            let query = text.split_once('?')?.1.split('#').next().unwrap_or("");
            query.split('&').filter_map(|pair| pair.split_once('=')).find(|(key, value)| disables_tls(key, value))?
        }
        None => key_values(text).find(|(key, value)| disables_tls(key, value))?,
    };
    Some((format!("{}={}", setting.0, setting.1), host))
}

fn message(setting: &str, host: &str) -> String {
    format!("`{setting}` connects to the database at `{host}` without TLS: credentials and data cross the network in clear text")
}

// ----- TypeScript -----

/// What a chain of option objects says about where the connection goes.
enum Target {
    Remote(String),
    /// No host, a local one, or one computed at run time.
    NotKnownRemote,
}

impl DatabaseWithoutTls {
    fn check_ts_string(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let text = match node.kind() {
            "string" => model.string_literal(node),
            // `postgres://${user}:${password}@db.acme.io/app?sslmode=disable`: the host is still literal.
            _ => Some(template_with_holes(node, model)),
        };
        let Some((setting, host)) = text.as_deref().and_then(plaintext_connection) else { return };
        // A pattern compared with or searched for, not a connection.
        let compared = node.parent().is_some_and(|p| {
            p.kind() == "binary_expression" || (p.kind() == "arguments" && p.parent().is_some_and(|call| is_matching_call(call, model)))
        });
        if !compared {
            cx.report(span_of(node), message(&setting, &host)).help = Some(HELP.into());
        }
    }

    /// `ssl: false` in connection options whose host is a literal remote one. The option names
    /// are those of the models' database connections, whichever driver the options are for.
    fn check_ts_option(&self, pair: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else { return };
        let key = model.string_literal(key).unwrap_or_else(|| model.text(key).to_string());
        let options = model.knowledge.database_options(Language::Typescript);
        if !options.tls_options.contains(&key) {
            return;
        }
        let shown = match (model.bool_value(value), model.string_value(value)) {
            (Some(false), _) => "false".to_string(),
            (_, Some(mode)) if disables_tls(&key, &mode) => format!("\"{mode}\""),
            _ => return,
        };
        // The object holding the key, and up to two enclosing option objects
        // (`dialectOptions: { ssl: false }`, `options: { encrypt: false }` beside the host).
        let mut objects = Vec::new();
        let mut current = pair.parent().filter(|p| p.kind() == "object");
        while let Some(object) = current.filter(|_| objects.len() < 3) {
            objects.push(object);
            current = object.parent().filter(|p| p.kind() == "pair").and_then(|p| p.parent()).filter(|o| o.kind() == "object");
        }
        let Some(&outermost) = objects.last() else { return };
        let call = enclosing_call(outermost);
        let Target::Remote(host) = target_of(&objects, call, options, model) else { return };
        // A call the models say opens a database connection (`new Pool(..)`, `mysql.createPool(..)`,
        // `[[connections]]` with `kind = "database"`), or options that name a database.
        let opens_database = call.is_some_and(|c| model.connections(c).iter().any(|c| c.kind == ConnectionKind::Database));
        if opens_database || objects.iter().any(|object| names_a_database(*object, options, model)) {
            cx.report(span_of(pair), message(&format!("{key}: {shown}"), &host)).help = Some(HELP.into());
        }
    }
}

/// A template literal's text with each `${…}` replaced by `$`, which no host may contain.
fn template_with_holes(template: Node<'_>, model: &TsModel<'_>) -> String {
    let mut text = String::new();
    let mut at = template.start_byte() + 1;
    for substitution in named_children(template).filter(|c| c.kind() == "template_substitution") {
        text.push_str(model.src.get(at..substitution.start_byte()).unwrap_or(""));
        text.push('$');
        at = substitution.end_byte();
    }
    text.push_str(model.src.get(at..template.end_byte().saturating_sub(1)).unwrap_or(""));
    text
}

fn is_matching_call(call: Node<'_>, model: &TsModel<'_>) -> bool {
    let name = call.field("function").and_then(|f| f.field("property")).map(|p| model.text(p));
    matches!(name, Some("includes" | "startsWith" | "endsWith" | "match" | "test" | "replace" | "indexOf" | "search"))
}

/// The call or `new` whose argument list holds this object directly.
fn enclosing_call(object: Node<'_>) -> Option<Node<'_>> {
    let arguments = object.parent().filter(|p| p.kind() == "arguments")?;
    arguments.parent().filter(|c| matches!(c.kind(), "call_expression" | "new_expression"))
}

/// Where the options point: a host or URL key in the objects (innermost first), else a
/// connection URL passed beside them (`new Sequelize("postgres://…", { dialectOptions })`).
fn target_of(objects: &[Node<'_>], call: Option<Node<'_>>, options: &DatabaseOptions, model: &TsModel<'_>) -> Target {
    let known = |host: Option<String>| match host.and_then(|h| remote_host(&h)) {
        Some(host) => Target::Remote(host),
        None => Target::NotKnownRemote,
    };
    for object in objects {
        for key in &options.host_options {
            if let Property::Found(value) = model.property(*object, key) {
                return known(model.string_value(value));
            }
        }
        for key in &options.url_options {
            if let Property::Found(value) = model.property(*object, key) {
                return known(model.string_value(value).and_then(|url| connection_host(&url)));
            }
        }
    }
    let Some(arguments) = call.and_then(|c| c.field("arguments")) else { return Target::NotKnownRemote };
    let url = named_children(arguments).filter_map(|argument| model.string_value(argument)).find_map(|text| connection_host(&text));
    known(url)
}

/// Options that describe a database: a key only database options have (`database`), or a
/// dialect option naming a database server (`dialect: "postgres"`, Knex's `client: "pg"`).
fn names_a_database(object: Node<'_>, options: &DatabaseOptions, model: &TsModel<'_>) -> bool {
    let has = |key: &str| matches!(model.property(object, key), Property::Found(_));
    if options.database_options.iter().any(|key| has(key)) {
        return true;
    }
    options.dialects.iter().any(|(key, dialect)| match model.property(object, key) {
        Property::Found(value) => model.string_value(value).is_some_and(|name| name.eq_ignore_ascii_case(dialect)),
        _ => false,
    })
}

// ----- Rust -----

/// A value the models say means no TLS when handed to a connect call (`NoTls`,
/// `tokio_postgres::NoTls`).
fn is_no_tls(expr: &Expr, model: &RustModel) -> bool {
    matches!(expr, Expr::Path(path) if path.path.segments.last().is_some_and(|s| model.knowledge().is_plaintext_connector(&s.ident.to_string())))
}

/// An enum variant the models say switches TLS off (`PgSslMode::Disable`,
/// `MySqlSslMode::Disabled`, tokio-postgres `SslMode::Disable`).
fn is_ssl_mode_disabled(expr: &Expr, model: &RustModel) -> bool {
    let Expr::Path(path) = expr else { return false };
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [.., mode, variant] => model.knowledge().is_plaintext_mode(mode, variant),
        _ => false,
    }
}

/// Whether a builder method names the host a database connection goes to (the models'
/// `host-methods`: `PgConnectOptions::host`).
fn is_host_method(call: &syn::ExprMethodCall, model: &RustModel) -> bool {
    model.knowledge().database_options(Language::Rust).host_options.contains(&call.method.to_string())
}

/// The host a builder chain is given: `.host("db.acme.io")`, or the connection string it was
/// parsed from (`PgConnectOptions::from_str("postgres://…")`, `"host=…".parse::<Config>()`).
fn chain_host(root: &Expr, calls: &[&syn::ExprMethodCall], model: &RustModel, fn_id: Option<usize>) -> Option<String> {
    let from_host_call = calls
        .iter()
        .filter(|call| is_host_method(call, model))
        .find_map(|call| call.args.first().and_then(|a| model.string_value(a, fn_id)));
    let from_root = || match root {
        Expr::Call(call) => call.args.iter().find_map(|a| model.string_value(a, fn_id)).and_then(|t| connection_host(&t)),
        other => model.string_value(other, fn_id).and_then(|t| connection_host(&t)),
    };
    from_host_call.or_else(from_root)
}

impl DatabaseWithoutTls {
    fn check_rust_string(&self, node: &RustNode<'_>, lit: &syn::LitStr, cx: &mut Context<'_>) {
        let compared = match &node.site.parent {
            LitParent::Comparison => true,
            LitParent::Method(method) => matches!(method.as_ref(), "contains" | "starts_with" | "ends_with" | "find" | "replace"),
            _ => false,
        };
        if compared {
            return;
        }
        if let Some((setting, host)) = plaintext_connection(&lit.value()) {
            cx.report(rust_span(cx.file, lit), message(&setting, &host)).help = Some(HELP.into());
        }
    }

    /// `connect("host=db.acme.io …", NoTls)`, `Config::new().host("db.acme.io").connect(NoTls)`.
    fn check_no_tls(&self, args: &[&Expr], chain_target: Option<String>, model: &RustModel, node: &RustNode<'_>, cx: &mut Context<'_>) {
        let Some(no_tls) = args.iter().find(|a| is_no_tls(a, model)) else { return };
        let from_args = || args.iter().find_map(|a| model.string_value(a, node.site.fn_id)).and_then(|t| connection_host(&t));
        let Some(host) = chain_target.or_else(from_args).and_then(|h| remote_host(&h)) else { return };
        cx.report(
            rust_span(cx.file, *no_tls),
            format!("`NoTls` connects to the database at `{host}` without TLS: credentials and data cross the network in clear text"),
        )
        .help = Some(HELP.into());
    }
}

impl Rule for DatabaseWithoutTls {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["string", "template_string", "pair"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        match node.kind() {
            "pair" => self.check_ts_option(node, model, cx),
            _ => self.check_ts_string(node, model, cx),
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Str, RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::Str(lit) => self.check_rust_string(node, lit, cx),
            RustSyntax::Call(call) => {
                let args: Vec<&Expr> = call.args.iter().collect();
                self.check_no_tls(&args, None, model, node, cx);
            }
            RustSyntax::MethodCall(call) => {
                // A method handed a mode that switches TLS off (`ssl_mode(PgSslMode::Disable)`).
                let disabled_mode = |c: &syn::ExprMethodCall| c.args.first().is_some_and(|a| is_ssl_mode_disabled(a, model));
                if !(disabled_mode(call) || is_host_method(call, model) || call.args.iter().any(|a| is_no_tls(a, model))) {
                    return;
                }
                let (root, inner) = method_chain(&call.receiver);
                let fn_id = node.site.fn_id;
                let args: Vec<&Expr> = call.args.iter().collect();
                self.check_no_tls(&args, chain_host(root, &inner, model, fn_id), model, node, cx);
                // `.host("db.acme.io").ssl_mode(PgSslMode::Disable)`, in either order: reported
                // when the later of the two calls is visited, at the `ssl_mode` argument.
                let mode = if disabled_mode(call) {
                    chain_host(root, &inner, model, fn_id).map(|host| (call, host))
                } else if is_host_method(call, model) {
                    let host = call.args.first().and_then(|a| model.string_value(a, fn_id));
                    inner.iter().find(|c| disabled_mode(c)).and_then(|c| Some((*c, host?)))
                } else {
                    None
                };
                let Some((mode_call, host)) = mode else { return };
                let Some(host) = remote_host(&host) else { return };
                let argument = &mode_call.args[0];
                let span: Span = rust_span(cx.file, argument);
                let shown = crate::rules::tidy_tokens(&argument.to_token_stream().to_string());
                cx.report(span, message(&format!("{}({shown})", mode_call.method), &host)).help = Some(HELP.into());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings() {
        let found = |text: &str| plaintext_connection(text).map(|(setting, host)| format!("{setting} {host}"));
        assert_eq!(found("postgres://app:pw@db.acme.io:5432/app?sslmode=disable").as_deref(), Some("sslmode=disable db.acme.io"));
        assert_eq!(found("mongodb://m1.acme.io,m2.acme.io/app?replicaSet=rs0&tls=false").as_deref(), Some("tls=false m1.acme.io"));
        assert_eq!(found("host=db.acme.io user=app sslmode=disable").as_deref(), Some("sslmode=disable db.acme.io"));
        assert_eq!(found("postgres://app@localhost/app?sslmode=disable"), None, "local");
        assert_eq!(found("postgres://app@postgres:5432/app?sslmode=disable"), None, "a container name");
        assert_eq!(found("postgres://app@db.acme.io/app?sslmode=require"), None);
        assert_eq!(found("https://db.acme.io/?ssl=false"), None, "not a database URL");
        assert_eq!(found("postgres://app@$/app?sslmode=disable"), None, "host built at run time");
    }

    #[test]
    fn ssl_modes() {
        let model = RustModel::default();
        let parse = |s: &str| is_ssl_mode_disabled(&syn::parse_str::<Expr>(s).unwrap(), &model);
        assert!(parse("PgSslMode::Disable"));
        assert!(parse("sqlx::mysql::MySqlSslMode::Disabled"));
        assert!(!parse("PgSslMode::Require"));
        assert!(!parse("Mode::Disable"));
    }
}
