//! `cache-without-expiry`: cache writes that never expire and in-process caches with no bound.
//! A Redis key written without `EX`/`PX` stays until someone deletes it: a cache grows until
//! Redis hits `maxmemory` (then evicts at random or refuses writes) and serves stale data
//! forever. An in-process cache with neither a size nor a time bound is a memory leak.

use crate::lang::rust::model::method_chain;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::calls::field_type;
use crate::lang::typescript::model::{descendants, enclosing_function, named_children, program_of, span_of};
use crate::lang::typescript::{FieldExt, Property, TsModel};
use crate::models::{ConnectionKind, KeyValueCommands, Language};
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use syn::visit::Visit;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "cache-without-expiry", build };

struct CacheWithoutExpiry;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(CacheWithoutExpiry))
}

/// `SET` options that give the key an expiry, or keep the one it has.
const EXPIRY_OPTIONS: &[&str] = &["ex", "px", "exat", "pxat", "keepttl", "expiration"];
/// Redis commands that expire or remove a key, as `redis::cmd("..")` names them. (The client
/// methods that do are the models' `expiring-methods`.)
const EXPIRING_COMMANDS: &[&str] = &["expire", "pexpire", "expireat", "pexpireat", "del", "unlink", "getdel"];
/// Receivers whose name says they wrap the client: their own `set` may well set a TTL.
const WRAPPER_SUFFIXES: &[&str] =
    &["service", "manager", "helper", "util", "utils", "repository", "provider", "wrapper", "module", "store", "cache"];

const REDIS_HELP: &str = "give the key a lifetime: `set(key, value, \"EX\", seconds)` (ioredis), `set(key, value, { EX: seconds })` (node-redis), `set_ex(key, value, seconds)` (redis-rs), or an `expire` on the key right after";
const MEMORY_HELP: &str =
    "bound the cache: a maximum size (`max`, `max_capacity`, `size = ..`) or a time to live (`ttl`, `stdTTL`, `time_to_live`, `time = ..`)";

fn redis_message(command: &str) -> String {
    format!(
        "Redis `{command}` without an expiry, and nothing in this function expires or deletes the key: the key stays until someone deletes it, so a cache grows until Redis runs out of memory (then evicts at random or refuses writes) and serves stale data forever"
    )
}

/// Whether a TypeScript receiver is a Redis client: named like one (`redis`, `this.redisClient`,
/// not `redisService`), bound in this file to a Redis client, declared with a Redis client type,
/// or a `multi()`/`pipeline()` of one.
fn ts_is_redis(receiver: Node<'_>, model: &TsModel<'_>) -> bool {
    let receiver = model.unwrap_expression(receiver);
    if receiver.kind() == "call_expression" {
        let Some(callee) = receiver.field("function") else { return false };
        let batches = callee.kind() == "member_expression"
            && callee.field("property").is_some_and(|p| matches!(model.text(p), "multi" | "pipeline" | "batch"));
        if batches {
            return callee.field("object").is_some_and(|o| ts_is_redis(o, model));
        }
        return model.connections(receiver).iter().any(|c| c.kind == ConnectionKind::Cache);
    }
    let Some(path) = model.member_path(receiver) else { return false };
    let name = path.rsplit('.').next().unwrap_or(&path).to_ascii_lowercase();
    if name.contains("redis") {
        return !WRAPPER_SUFFIXES.iter().any(|suffix| name.ends_with(suffix));
    }
    // A type the models name for a key-value store client (`Redis`, `RedisClientType`).
    let client_types = &model.knowledge.key_value_commands(Language::Typescript).client_types;
    let is_redis_type = |ty: &str| {
        let ty = ty.trim();
        client_types.contains(ty.rsplit('.').next().unwrap_or(ty))
    };
    match receiver.kind() {
        "identifier" => {
            let Some(binding) = model.binding(receiver) else { return false };
            let declared_type = binding.name_node.parent().and_then(|d| d.field("type")).map(|t| model.text(t).trim_start_matches(':'));
            if declared_type.is_some_and(is_redis_type) {
                return true;
            }
            let value = binding.value.map(|v| model.unwrap_expression(v));
            value.is_some_and(|v| matches!(v.kind(), "call_expression" | "new_expression") && ts_makes_redis_client(v, model))
        }
        "member_expression" => {
            let this_field = receiver.field("object").is_some_and(|o| o.kind() == "this");
            let field = receiver.field("property").map(|p| model.text(p)).unwrap_or("");
            this_field && field_type(model, receiver, field).is_some_and(|ty| is_redis_type(&ty))
        }
        _ => false,
    }
}

fn ts_makes_redis_client(call: Node<'_>, model: &TsModel<'_>) -> bool {
    model.connections(call).iter().any(|c| c.kind == ConnectionKind::Cache)
}

/// `set(key, value, ...)`: whether the options after the value give an expiry (`"EX", 60`,
/// `{ EX: 60 }`), and whether they can be read at all (a variable may hold `"EX"`).
enum Expiry {
    Given,
    Missing,
    Unknown,
}

fn ts_set_expiry(arguments: &[Node<'_>], model: &TsModel<'_>) -> Expiry {
    for argument in arguments.iter().skip(2) {
        let argument = model.unwrap_expression(*argument);
        if let Some(text) = model.string_literal(argument) {
            if EXPIRY_OPTIONS.contains(&text.to_ascii_lowercase().as_str()) {
                return Expiry::Given;
            }
            continue;
        }
        match argument.kind() {
            "number" | "arrow_function" | "function_expression" | "function" => continue,
            "object" => {
                let keys_expiry = named_children(argument).any(|member| {
                    let key = match member.kind() {
                        "pair" => member.field("key").map(|k| model.string_literal(k).unwrap_or_else(|| model.text(k).to_string())),
                        "shorthand_property_identifier" => Some(model.text(member).to_string()),
                        _ => None,
                    };
                    key.is_some_and(|k| EXPIRY_OPTIONS.contains(&k.to_ascii_lowercase().as_str()))
                });
                if keys_expiry || named_children(argument).any(|m| m.kind() == "spread_element") {
                    return if keys_expiry { Expiry::Given } else { Expiry::Unknown };
                }
            }
            _ => return Expiry::Unknown,
        }
    }
    Expiry::Missing
}

/// Whether the function around `node` (or the program) expires or deletes a key anywhere.
fn ts_function_expires(node: Node<'_>, model: &TsModel<'_>) -> bool {
    let scope = enclosing_function(node).unwrap_or_else(|| program_of(node));
    let expiring = &model.knowledge.key_value_commands(Language::Typescript).expiring_methods;
    descendants(scope).any(|call| {
        call.kind() == "call_expression"
            && call
                .field("function")
                .filter(|f| f.kind() == "member_expression")
                .and_then(|f| f.field("property"))
                .is_some_and(|p| expiring.contains(model.text(p)))
    })
}

impl CacheWithoutExpiry {
    fn check_ts_redis_write(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(callee) = call.field("function").filter(|f| f.kind() == "member_expression") else { return };
        let Some(command) = callee.field("property").map(|p| model.text(p)) else { return };
        if !model.knowledge.key_value_commands(Language::Typescript).writes_without_expiry.contains(command) {
            return;
        }
        let arguments: Vec<Node<'_>> = call.field("arguments").map(|a| named_children(a).collect()).unwrap_or_default();
        let is_set = command == "set";
        if (is_set && arguments.len() < 2) || arguments.is_empty() {
            return;
        }
        if !callee.field("object").is_some_and(|o| ts_is_redis(o, model)) {
            return;
        }
        if is_set && !matches!(ts_set_expiry(&arguments, model), Expiry::Missing) {
            return;
        }
        if ts_function_expires(call, model) {
            return;
        }
        cx.report(span_of(callee.field("property").unwrap_or(callee)), redis_message(command)).with_help(REDIS_HELP);
    }

    /// An in-process cache the models describe, made without any of its bounds: `new NodeCache()`
    /// without `stdTTL` or `maxKeys`, `new LRUCache()` without `max`, `maxSize` or `ttl`
    /// (lru-cache before version 7 has no default bound).
    fn check_ts_memory_cache(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(cache) = model.cache(node) else { return };
        let parameters = &cache.parameters;
        let first = node.field("arguments").and_then(|a| a.named_child(0));
        let bounded = match first.map(|a| model.resolve(a)) {
            None => false,
            Some(options) if options.kind() == "object" => parameters.bound_options.iter().any(|key| match model.property(options, key) {
                Property::Found(value) => model.text(value).trim() != "0",
                Property::Unknown => true,
                Property::Missing => false,
            }),
            // `new LRU(500)` (a size), or options the file does not show.
            Some(_) => true,
        };
        if !parameters.unbounded && bounded {
            return;
        }
        // node-cache: a TTL given with each `cache.set(key, value, ttl)` bounds the entries too.
        let holder = node.parent().filter(|p| p.kind() == "variable_declarator").and_then(|d| d.field("name")).map(|n| model.text(n));
        if let (Some(method), Some(index), Some(holder)) = (&parameters.entry_ttl_method, parameters.entry_ttl_argument, holder) {
            let root = program_of(node);
            let ttl_per_entry = descendants(root).any(|call| {
                let callee = call.field("function").filter(|f| call.kind() == "call_expression" && f.kind() == "member_expression");
                callee.is_some_and(|callee| {
                    callee.field("property").is_some_and(|p| model.text(p) == method)
                        && callee.field("object").is_some_and(|o| model.text(o).rsplit('.').next() == Some(holder))
                        && call.field("arguments").is_some_and(|a| a.named_child_count() > index)
                })
            });
            if ttl_per_entry {
                return;
            }
        }
        cx.report(
            span_of(node),
            format!("this in-process cache (`{}`) has neither a size bound nor a time to live: it keeps every entry for the life of the process, a memory leak that ends in an out-of-memory restart", parameters.what),
        )
        .with_help(MEMORY_HELP);
    }
}

/// What a Rust function does with Redis keys: its writes without expiry and whether it expires
/// or deletes any key. Nested functions are their own.
struct RustRedisUse<'a> {
    /// The models' key-value store methods (redis-rs's `set`, `expire`, ...).
    commands: &'a KeyValueCommands,
    writes: Vec<(&'a syn::Ident, String)>,
    raw_sets: Vec<&'a syn::ExprCall>,
    expires: bool,
}

impl<'a> Visit<'a> for RustRedisUse<'a> {
    fn visit_item_fn(&mut self, _: &'a syn::ItemFn) {}
    fn visit_impl_item_fn(&mut self, _: &'a syn::ImplItemFn) {}

    fn visit_expr_method_call(&mut self, call: &'a syn::ExprMethodCall) {
        let method = call.method.to_string();
        if self.commands.expiring_methods.contains(&method) {
            self.expires = true;
        }
        if self.commands.writes_without_expiry.contains(&method) && (method != "set" || call.args.len() == 2) {
            self.writes.push((&call.method, method.clone()));
        }
        // `redis::cmd("SET").arg(k).arg(v).query_async(..)`: the options are `arg`s of the chain.
        if matches!(method.as_str(), "query" | "query_async" | "exec" | "exec_async") {
            let (root, chain) = method_chain(&call.receiver);
            if let syn::Expr::Call(root) = root {
                let is_cmd = matches!(&*root.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "cmd"));
                let command = root.args.first().and_then(string_literal).map(|c| c.to_ascii_lowercase());
                let options: Vec<String> = chain
                    .iter()
                    .filter(|c| c.method == "arg")
                    .filter_map(|c| c.args.first().and_then(string_literal))
                    .map(|a| a.to_ascii_lowercase())
                    .collect();
                if is_cmd && command.as_deref() == Some("set") && !options.iter().any(|o| EXPIRY_OPTIONS.contains(&o.as_str())) {
                    self.raw_sets.push(root);
                }
                if is_cmd && command.as_deref().is_some_and(|c| EXPIRING_COMMANDS.contains(&c)) {
                    self.expires = true;
                }
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

fn string_literal(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
        _ => None,
    }
}

/// Whether the file brings redis-rs's command traits into scope (`use redis::AsyncCommands`),
/// without which `.set(k, v)` is not a Redis command.
fn uses_redis_commands(model: &RustModel) -> bool {
    model.use_paths().iter().any(|path| path.contains("redis") && path.rsplit("::").next().is_some_and(|last| last.ends_with("Commands")))
}

impl CacheWithoutExpiry {
    fn check_rust_fn(&self, block: &syn::Block, model: &RustModel, cx: &mut Context<'_>) {
        if !uses_redis_commands(model) && !cx.file.text.contains("cmd(\"SET\")") {
            return;
        }
        let commands = model.knowledge().key_value_commands(Language::Rust);
        let mut usage = RustRedisUse { commands, writes: Vec::new(), raw_sets: Vec::new(), expires: false };
        usage.visit_block(block);
        if usage.expires {
            return;
        }
        for (method, command) in &usage.writes {
            if uses_redis_commands(model) {
                cx.report(rust_span(cx.file, *method), redis_message(command)).with_help(REDIS_HELP);
            }
        }
        for call in &usage.raw_sets {
            cx.report(rust_span(cx.file, *call), redis_message("SET")).with_help(REDIS_HELP);
        }
    }

    /// `#[cached]` with neither `size` nor `time` (an unbounded cache), moka builders without a
    /// capacity or time to live, `LruCache::unbounded()`.
    fn check_rust_memory_cache(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        match node.syntax {
            // A caching attribute the models name (`#[cached]`), with none of its bounds.
            RustSyntax::Fn { attrs, .. } => {
                for attr in attrs {
                    let Some(name) = attr.path().segments.last().map(|s| s.ident.to_string()) else { continue };
                    let Some((module, cache)) = model.knowledge().cache_attribute(&name) else { continue };
                    let written = attr.path().to_token_stream().to_string().replace(' ', "");
                    if module.is_some_and(|krate| !model.imports_crate(krate) && !written.starts_with(&format!("{krate}::"))) {
                        continue;
                    }
                    let bounded = match &attr.meta {
                        syn::Meta::List(list) => list.tokens.clone().into_iter().any(
                            |token| matches!(token, proc_macro2::TokenTree::Ident(ident) if cache.bound_options.iter().any(|k| ident == k)),
                        ),
                        _ => false,
                    };
                    if !bounded {
                        let bounds = cache.bound_options.iter().take(2).map(|o| format!("`{o}`")).collect::<Vec<_>>().join(" or ");
                        cx.report(
                            rust_span(cx.file, attr),
                            format!("{} without {bounds} keeps every result it has seen for the life of the process: a memory leak keyed by the function's arguments", cache.what),
                        )
                        .with_help(MEMORY_HELP);
                    }
                }
            }
            // A cache builder the models describe (moka's `Cache::builder()`), built with none of
            // its bounds in the chain.
            RustSyntax::MethodCall(call) if call.method == "build" => {
                let (root, chain) = method_chain(&call.receiver);
                let syn::Expr::Call(root) = root else { return };
                let parts = model.call_parts(root);
                let Some(cache) = model.cache(&parts) else { return };
                let parameters = &cache.parameters;
                if parameters.bound_methods.is_empty() {
                    return;
                }
                let bounded = chain.iter().any(|c| parameters.bound_methods.iter().any(|m| c.method == m));
                // Entries removed by hand (`invalidate`, `remove`): a concurrent map that tracks
                // live things, not a cache that only grows.
                let removes_entries = parameters.removal_methods.iter().any(|m| cx.file.text.contains(&format!(".{m}(")));
                if !bounded && !removes_entries {
                    let bounds = parameters.bound_methods.iter().take(2).map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" nor ");
                    cx.report(
                        rust_span(cx.file, &call.method),
                        format!("this {} has neither {bounds}: it keeps every entry for the life of the process", parameters.what),
                    )
                    .with_help(MEMORY_HELP);
                }
            }
            // `LruCache::unbounded()`: a cache the models say has no bound at all.
            RustSyntax::Call(call) => {
                let parts = model.call_parts(call);
                if !model.cache(&parts).is_some_and(|c| c.parameters.unbounded) {
                    return;
                }
                let short = crate::rules::short_path(&model.call_path(call).unwrap_or_default());
                cx.report(
                    rust_span(cx.file, &call.func),
                    format!("`{short}()` never evicts: it keeps every entry for the life of the process"),
                )
                .with_help(MEMORY_HELP);
            }
            _ => {}
        }
    }
}

impl Rule for CacheWithoutExpiry {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn service_only(&self) -> bool {
        true
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression", "new_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        if node.kind() == "call_expression" {
            self.check_ts_redis_write(node, model, cx);
        }
        // `new LRUCache(..)`, and caches made by a call (`createCache(..)`).
        self.check_ts_memory_cache(node, model, cx);
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Fn, RustKind::MethodCall, RustKind::Call]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        if let RustSyntax::Fn { block, .. } = node.syntax {
            self.check_rust_fn(block, model, cx);
        }
        self.check_rust_memory_cache(node, model, cx);
    }
}
