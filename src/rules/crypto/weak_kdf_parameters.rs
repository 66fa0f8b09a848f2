//! `weak-kdf-parameters`: a password-hashing function called with a work factor below current
//! guidance (bcrypt cost, Argon2 memory and passes, PBKDF2 iterations, scrypt N), the Argon2
//! variants not meant for passwords, or a constant salt. Each makes a leaked hash table cheaper
//! to crack; a constant salt lets one precomputed table crack every hash at once.
//!
//! Only parameters written as literals are judged: a value from configuration or a parameter
//! cannot be evaluated, and library defaults are left to the library.

use super::weak_password_hash::names_password;
use crate::lang::rust::model::path_names;
use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{span_of, Property};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::models::{Kdf, KdfAlgorithm};
use crate::rules::helpers::words;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use syn::Expr;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "weak-kdf-parameters", build };

struct WeakKdfParameters;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(WeakKdfParameters))
}

const HELP: &str = "use OWASP's minimums: argon2id with 19 MiB and 2 passes (or an equivalent), bcrypt cost 10 or more, PBKDF2-HMAC-SHA256 with 600,000 iterations, scrypt N of 2^15 or more; a fresh random salt for every hash (the libraries make one when none is given)";

/// bcrypt's minimum cost factor (OWASP: 10 or more).
const BCRYPT_MIN_COST: u64 = 10;
/// OWASP's Argon2id rows trade memory (KiB) for passes: 47104×1, 19456×2, 12288×3, 9216×4,
/// 7168×5. Below the smallest memory, or below the smallest product, is below every row.
const ARGON2_MIN_MEMORY_KIB: u64 = 7168;
const ARGON2_MIN_WORK: u64 = 7168 * 5;
/// scrypt's minimum N (2^15).
const SCRYPT_MIN_N: u64 = 1 << 15;

/// OWASP's PBKDF2 iteration minimums by the HMAC's hash.
fn pbkdf2_minimum(hash: &str) -> (u64, &'static str) {
    let hash = hash.to_ascii_lowercase().replace(['-', '_'], "");
    if hash.contains("sha512") {
        (210_000, "PBKDF2-HMAC-SHA512")
    } else if hash.contains("sha256") {
        (600_000, "PBKDF2-HMAC-SHA256")
    } else if hash.contains("sha1") {
        (1_300_000, "PBKDF2-HMAC-SHA1")
    } else {
        // Unknown hash: the most lenient minimum, so the finding holds whatever it is.
        (210_000, "PBKDF2")
    }
}

/// Whether the Argon2 memory (KiB) and passes fall below every OWASP row.
fn argon2_weak(memory: u64, passes: u64) -> bool {
    memory < ARGON2_MIN_MEMORY_KIB || memory.saturating_mul(passes) < ARGON2_MIN_WORK
}

fn argon2_message(memory: u64, passes: u64) -> String {
    let passes = if passes == 1 { "1 pass".to_string() } else { format!("{passes} passes") };
    format!(
        "Argon2 with {memory} KiB of memory and {passes} is below OWASP's minimum (19456 KiB with 2 passes, or an equivalent trade-off)"
    )
}

const CONSTANT_SALT: &str = "a constant salt gives equal passwords equal hashes, so one precomputed table cracks every hash at once";

/// Whether a general-purpose KDF's input is named like a key rather than a password
/// (`crypto.scryptSync(process.env.ENCRYPTION_KEY, "salt", 32)`): a high-entropy secret needs no
/// work factor, so its iterations and salt are not judged.
fn names_key_material(name: &str) -> bool {
    !names_password(name)
        && words(name).iter().any(|w| matches!(w.as_str(), "key" | "secret" | "token" | "seed" | "ikm" | "entropy" | "master"))
}

// ----- TypeScript -----

impl WeakKdfParameters {
    /// A number written in the code: a literal (`100_000`, `0x10`, `1e5`), a constant bound to
    /// one, `2 ** 15`, `1 << 15`, `a * b`.
    fn ts_number(node: Node<'_>, model: &TsModel<'_>, depth: usize) -> Option<u64> {
        if depth > 6 {
            return None;
        }
        let node = model.resolve(node);
        match node.kind() {
            "number" => parse_number(model.text(node)),
            "binary_expression" => {
                let left = Self::ts_number(node.field("left")?, model, depth + 1)?;
                let right = Self::ts_number(node.field("right")?, model, depth + 1)?;
                match model.text(node.field("operator")?) {
                    "**" => left.checked_pow(u32::try_from(right).ok()?),
                    "<<" => left.checked_shl(u32::try_from(right).ok()?),
                    "*" => left.checked_mul(right),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A salt written in the code: a string, a template without substitutions, `Buffer.from("..")`,
    /// or a constant bound to one.
    fn ts_constant_salt(node: Node<'_>, model: &TsModel<'_>) -> bool {
        let resolved = model.resolve(node);
        if model.string_value(resolved).is_some() {
            return true;
        }
        if resolved.kind() != "call_expression" {
            return false;
        }
        let is_buffer_from = resolved.field("function").is_some_and(|f| model.text(f) == "Buffer.from");
        is_buffer_from && arguments(resolved).first().is_some_and(|a| model.string_value(*a).is_some())
    }

    fn ts_input_is_key(node: Option<Node<'_>>, model: &TsModel<'_>) -> bool {
        node.and_then(|n| crate::rules::auth::ts_value_name(n, model)).is_some_and(|name| names_key_material(&name))
    }

    /// A call the models say hashes a password or derives a key (`models/password-hashers.toml`,
    /// `models/node-crypto.toml`), judged by the parameters its entry points at.
    fn check_ts_kdf(&self, call: Node<'_>, kdf: &Kdf, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let arguments = arguments(call);
        let argument = |index: Option<usize>| index.and_then(|i| arguments.get(i).copied());
        if Self::ts_input_is_key(argument(kdf.parameters.input_argument), model) {
            return;
        }
        let options = argument(kdf.parameters.options_argument).and_then(|o| model.object_literal(o));
        let report = |cx: &mut Context<'_>, at: Node<'_>, message: String| cx.report(span_of(at), message).help = Some(HELP.into());
        match kdf.algorithm {
            KdfAlgorithm::Bcrypt => {
                let Some(cost) = argument(kdf.parameters.cost_argument) else { return };
                if let Some(rounds) = Self::ts_number(cost, model, 0) {
                    if rounds < BCRYPT_MIN_COST {
                        report(cx, cost, format!("bcrypt cost {rounds} is below the minimum of {BCRYPT_MIN_COST}"));
                    }
                } else if model.string_value(cost).is_some_and(|s| s.starts_with("$2")) {
                    // `bcrypt.hash(pw, "$2b$10$…")`: a salt written in the code.
                    report(cx, cost, CONSTANT_SALT.into());
                }
            }
            KdfAlgorithm::Argon2 => {
                let Some(options) = options else { return };
                self.check_ts_argon2(kdf, options, model, cx);
            }
            KdfAlgorithm::Pbkdf2 => {
                if let Some(iterations) = argument(kdf.parameters.iterations_argument) {
                    let digest = argument(kdf.parameters.digest_argument).and_then(|d| model.string_value(d)).unwrap_or_default();
                    let (minimum, name) = pbkdf2_minimum(&digest);
                    if let Some(count) = Self::ts_number(iterations, model, 0).filter(|n| *n < minimum) {
                        report(cx, iterations, format!("{name} with {count} iterations is below the {minimum} that OWASP recommends"));
                    }
                }
            }
            KdfAlgorithm::Scrypt => {
                let written = argument(kdf.parameters.cost_argument).into_iter().chain(options.into_iter().flat_map(|options| {
                    kdf.parameters.cost_options.iter().filter_map(move |key| match model.property(options, key) {
                        Property::Found(value) => Some(value),
                        _ => None,
                    })
                }));
                for value in written {
                    if let Some(n) = Self::ts_number(value, model, 0).filter(|n| *n < SCRYPT_MIN_N) {
                        report(cx, value, format!("scrypt N = {n} is below the minimum of 2^15 ({SCRYPT_MIN_N})"));
                    }
                }
            }
            KdfAlgorithm::Salt => {}
        }
        let salt = argument(kdf.parameters.salt_argument).or_else(|| match (options, &kdf.parameters.salt_option) {
            (Some(options), Some(key)) => match model.property(options, key) {
                Property::Found(value) => Some(value),
                _ => None,
            },
            _ => None,
        });
        if let Some(salt) = salt.filter(|s| Self::ts_constant_salt(*s, model)) {
            report(cx, salt, CONSTANT_SALT.into());
        }
    }

    /// node-argon2 `hash(pw, { type, memoryCost, timeCost, salt })` and @node-rs/argon2
    /// `hash(pw, { algorithm, memoryCost, timeCost })`: the variant, and memory and passes
    /// (the library's defaults standing in for what is not written).
    fn check_ts_argon2(&self, kdf: &Kdf, options: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        for key in &kdf.parameters.variant_options {
            if let Property::Found(value) = model.property(options, key) {
                let text = model.qualified_name(value).unwrap_or_else(|| model.text(value).to_string());
                let variant = match Self::ts_number(value, model, 0) {
                    // node-argon2: 0 = argon2d, 1 = argon2i; @node-rs/argon2: 0 = Argon2d, 1 = Argon2i.
                    Some(0) => Some("argon2d"),
                    Some(1) => Some("argon2i"),
                    _ if text.to_ascii_lowercase().ends_with("argon2i") => Some("argon2i"),
                    _ if text.to_ascii_lowercase().ends_with("argon2d") => Some("argon2d"),
                    _ => None,
                };
                if let Some(variant) = variant {
                    cx.report(span_of(value), format!("{variant} is used for password hashing; OWASP recommends argon2id, which resists both side-channel and GPU attacks")).help =
                        Some(HELP.into());
                }
            }
        }
        let (Some(memory_key), Some(passes_key)) = (&kdf.parameters.memory_option, &kdf.parameters.passes_option) else { return };
        let mut known = false;
        let mut parameter = |key: &str, default: Option<u64>| match model.property(options, key) {
            Property::Found(value) => {
                known = true;
                Self::ts_number(value, model, 0).map(|n| (n, Some(value)))
            }
            Property::Missing => default.map(|d| (d, None)),
            Property::Unknown => None,
        };
        let (Some((memory, memory_at)), Some((passes, passes_at))) =
            (parameter(memory_key, kdf.parameters.default_memory), parameter(passes_key, kdf.parameters.default_passes))
        else {
            return;
        };
        if known && argon2_weak(memory, passes) {
            let at = memory_at.or(passes_at).unwrap_or(options);
            let at = at.parent().filter(|p| p.kind() == "pair").unwrap_or(at);
            cx.report(span_of(at), argon2_message(memory, passes)).help = Some(HELP.into());
        }
    }
}

fn arguments(call: Node<'_>) -> Vec<Node<'_>> {
    crate::rules::auth::call_arguments(call)
}

/// A JavaScript number literal as an integer: `100_000`, `0x8000`, `1e5`, `32768n`.
fn parse_number(text: &str) -> Option<u64> {
    let digits = text.replace('_', "");
    let digits = digits.strip_suffix('n').unwrap_or(&digits);
    if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok();
    }
    if let Ok(n) = digits.parse::<u64>() {
        return Some(n);
    }
    digits.parse::<f64>().ok().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e18).map(|f| f as u64)
}

// ----- Rust -----

impl WeakKdfParameters {
    /// An integer written in the code: a literal, `1 << 15`, `a * b`, through parentheses,
    /// references and `NonZeroU32::new(..)`/`.unwrap()`.
    fn rust_number(expr: &Expr, depth: usize) -> Option<u64> {
        if depth > 6 {
            return None;
        }
        match expr {
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. }) => int.base10_parse::<u64>().ok(),
            Expr::Paren(p) => Self::rust_number(&p.expr, depth + 1),
            Expr::Reference(r) => Self::rust_number(&r.expr, depth + 1),
            Expr::Binary(binary) => {
                let left = Self::rust_number(&binary.left, depth + 1)?;
                let right = Self::rust_number(&binary.right, depth + 1)?;
                match binary.op {
                    syn::BinOp::Shl(_) => left.checked_shl(u32::try_from(right).ok()?),
                    syn::BinOp::Mul(_) => left.checked_mul(right),
                    _ => None,
                }
            }
            Expr::Call(call) if call.args.len() == 1 && tokens(&call.func).ends_with("::new") => {
                Self::rust_number(&call.args[0], depth + 1)
            }
            Expr::MethodCall(call) if matches!(call.method.to_string().as_str(), "unwrap" | "expect") => {
                Self::rust_number(&call.receiver, depth + 1)
            }
            Expr::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "nonzero") => {
                syn::parse2::<Expr>(m.mac.tokens.clone()).ok().and_then(|e| Self::rust_number(&e, depth + 1))
            }
            _ => None,
        }
    }

    /// A salt written in the code: a string or byte-string literal (also `.as_bytes()`), an array
    /// literal (`[0u8; 16]`, `[1, 2, 3]`).
    fn rust_constant_salt(expr: &Expr) -> bool {
        match expr {
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(_) | syn::Lit::ByteStr(_), .. }) | Expr::Array(_) | Expr::Repeat(_) => true,
            Expr::Reference(r) => Self::rust_constant_salt(&r.expr),
            Expr::Unary(u) => Self::rust_constant_salt(&u.expr),
            Expr::Paren(p) => Self::rust_constant_salt(&p.expr),
            Expr::MethodCall(call) if call.method == "as_bytes" => Self::rust_constant_salt(&call.receiver),
            _ => false,
        }
    }

    fn rust_input_is_key(expr: Option<&Expr>, model: &RustModel, fn_id: Option<usize>) -> bool {
        expr.and_then(|e| crate::rules::auth::rust_value_name(e, model, fn_id)).is_some_and(|name| names_key_material(&name))
    }

    /// A call the models say hashes a password or derives a key (`models/password-hash-crates.toml`),
    /// judged by the parameters its entry points at.
    fn check_rust_kdf(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        let fn_id = node.site.fn_id;
        let parts = match node.syntax {
            RustSyntax::Call(call) => model.call_parts(call),
            RustSyntax::MethodCall(call) => model.method_call_parts(call, fn_id),
            _ => return,
        };
        let Some(kdf) = model.kdf(&parts) else { return };
        // The arguments and the span only for hashing calls: this runs for every call.
        let (args, whole): (Vec<&Expr>, _) = match node.syntax {
            RustSyntax::Call(call) => (call.args.iter().collect(), rust_span(cx.file, call)),
            RustSyntax::MethodCall(call) => (call.args.iter().collect(), rust_span(cx.file, call)),
            _ => return,
        };
        // The call as written, for the hash in `pbkdf2_hmac::<Sha256>`: printed only when asked.
        let callee = || match node.syntax {
            RustSyntax::Call(call) => tokens(&call.func),
            RustSyntax::MethodCall(call) => call.method.to_string(),
            _ => String::new(),
        };
        let argument = |index: Option<usize>| index.and_then(|i| args.get(i).copied());
        if Self::rust_input_is_key(argument(kdf.parameters.input_argument), model, fn_id) {
            return;
        }
        let report = |cx: &mut Context<'_>, at: &Expr, message: String| {
            cx.report(rust_span(cx.file, at), message).help = Some(HELP.into());
        };
        match kdf.algorithm {
            KdfAlgorithm::Bcrypt => {
                if let Some(cost) = argument(kdf.parameters.cost_argument) {
                    if let Some(rounds) = Self::rust_number(cost, 0).filter(|c| *c < BCRYPT_MIN_COST) {
                        report(cx, cost, format!("bcrypt cost {rounds} is below the minimum of {BCRYPT_MIN_COST}"));
                    }
                }
            }
            KdfAlgorithm::Argon2 => {
                if let Some(variant_at) = argument(kdf.parameters.variant_argument) {
                    let text = tokens(variant_at);
                    if let Some(variant) = ["Argon2i", "Argon2d"].into_iter().find(|v| path_names(&text, v)) {
                        report(cx, variant_at, format!("{variant} is used for password hashing; OWASP recommends Argon2id, which resists both side-channel and GPU attacks"));
                    }
                }
                let memory = argument(kdf.parameters.memory_argument).and_then(|a| Self::rust_number(a, 0));
                match (memory, kdf.parameters.passes_argument) {
                    (Some(memory), Some(_)) => {
                        let Some(passes) = argument(kdf.parameters.passes_argument).and_then(|a| Self::rust_number(a, 0)) else { return };
                        if argon2_weak(memory, passes) {
                            cx.report(whole, argon2_message(memory, passes)).help = Some(HELP.into());
                        }
                    }
                    // `.m_cost(1024)`: memory below every OWASP row, whatever the passes.
                    (Some(memory), None) if memory < ARGON2_MIN_MEMORY_KIB => {
                        let at = argument(kdf.parameters.memory_argument).expect("the memory was read from it");
                        report(
                            cx,
                            at,
                            format!("Argon2 with {memory} KiB of memory is below OWASP's minimum (7168 KiB even with 5 passes)"),
                        );
                    }
                    _ => {}
                }
            }
            KdfAlgorithm::Pbkdf2 => {
                let digest = argument(kdf.parameters.digest_argument).map(tokens).unwrap_or_else(callee);
                let (minimum, name) = pbkdf2_minimum(&digest);
                if let Some(at) = argument(kdf.parameters.iterations_argument) {
                    if let Some(rounds) = Self::rust_number(at, 0).filter(|r| *r < minimum) {
                        report(cx, at, format!("{name} with {rounds} iterations is below the {minimum} that OWASP recommends"));
                    }
                }
            }
            KdfAlgorithm::Scrypt => {
                if let Some(at) = argument(kdf.parameters.cost_argument) {
                    match Self::rust_number(at, 0) {
                        Some(log_n) if kdf.parameters.log_cost && log_n < 15 => {
                            report(cx, at, format!("scrypt log2(N) = {log_n} (N = {}) is below the minimum of 2^15", 1u64 << log_n))
                        }
                        Some(n) if !kdf.parameters.log_cost && n < SCRYPT_MIN_N => {
                            report(cx, at, format!("scrypt N = {n} is below the minimum of 2^15 ({SCRYPT_MIN_N})"))
                        }
                        _ => {}
                    }
                }
            }
            KdfAlgorithm::Salt => {
                // `SaltString::from_b64("literal")`: also through a constant holding the string.
                if let Some(salt) =
                    argument(kdf.parameters.salt_argument).filter(|s| Self::rust_constant_salt(s) || model.string_value(s, fn_id).is_some())
                {
                    report(cx, salt, CONSTANT_SALT.into());
                }
                return;
            }
        }
        if let Some(salt) = argument(kdf.parameters.salt_argument).filter(|s| Self::rust_constant_salt(s)) {
            report(cx, salt, CONSTANT_SALT.into());
        }
    }
}

fn tokens(expr: &impl ToTokens) -> String {
    expr.to_token_stream().to_string().replace(' ', "")
}

impl Rule for WeakKdfParameters {
    fn id(&self) -> &'static str {
        ENTRY.id
    }

    fn ts_kinds(&self) -> &'static [&'static str] {
        &["call_expression"]
    }

    fn check_ts(&self, node: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        if cx.in_test {
            return;
        }
        if let Some(kdf) = model.kdf(node) {
            self.check_ts_kdf(node, kdf, model, cx);
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test || node.site.in_test {
            return;
        }
        self.check_rust_kdf(node, model, cx);
    }
}
