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

    fn check_ts_bcrypt(&self, function: &str, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let arguments = arguments(call);
        let cost_at = if function.starts_with("genSalt") { 0 } else { 1 };
        let Some(cost) = arguments.get(cost_at).copied() else { return };
        if let Some(rounds) = Self::ts_number(cost, model, 0) {
            if rounds < BCRYPT_MIN_COST {
                cx.report(span_of(cost), format!("bcrypt cost {rounds} is below the minimum of {BCRYPT_MIN_COST}")).help =
                    Some(HELP.into());
            }
        } else if cost_at == 1 && model.string_value(cost).is_some_and(|s| s.starts_with("$2")) {
            cx.report(span_of(cost), CONSTANT_SALT).help = Some(HELP.into());
        }
    }

    /// node-argon2 `hash(pw, { type, memoryCost, timeCost, salt })` and @node-rs/argon2
    /// `hash(pw, { algorithm, memoryCost, timeCost })`.
    fn check_ts_argon2(&self, rs_binding: bool, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let Some(options) = arguments(call).get(1).and_then(|o| model.object_literal(*o)) else { return };
        for key in ["type", "algorithm"] {
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
        // The libraries' defaults stand in for what is not written.
        let (default_memory, default_passes) = if rs_binding { (19456, 2) } else { (65536, 3) };
        let mut known = false;
        let mut parameter = |key: &str, default: u64| match model.property(options, key) {
            Property::Found(value) => {
                known = true;
                Self::ts_number(value, model, 0).map(|n| (n, Some(value)))
            }
            Property::Missing => Some((default, None)),
            Property::Unknown => None,
        };
        let (Some((memory, memory_at)), Some((passes, passes_at))) =
            (parameter("memoryCost", default_memory), parameter("timeCost", default_passes))
        else {
            return;
        };
        if known && argon2_weak(memory, passes) {
            let at = memory_at.or(passes_at).unwrap_or(options);
            let at = at.parent().filter(|p| p.kind() == "pair").unwrap_or(at);
            cx.report(span_of(at), argon2_message(memory, passes)).help = Some(HELP.into());
        }
        if let Property::Found(salt) = model.property(options, "salt") {
            if Self::ts_constant_salt(salt, model) {
                cx.report(span_of(salt), CONSTANT_SALT).help = Some(HELP.into());
            }
        }
    }

    /// `crypto.pbkdf2(Sync)(password, salt, iterations, keylen, digest)`.
    fn check_ts_pbkdf2(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let arguments = arguments(call);
        if Self::ts_input_is_key(arguments.first().copied(), model) {
            return;
        }
        if let Some(iterations) = arguments.get(2).copied() {
            let digest = arguments.get(4).and_then(|d| model.string_value(*d)).unwrap_or_default();
            let (minimum, name) = pbkdf2_minimum(&digest);
            if let Some(count) = Self::ts_number(iterations, model, 0).filter(|n| *n < minimum) {
                cx.report(span_of(iterations), format!("{name} with {count} iterations is below the {minimum} that OWASP recommends"))
                    .help = Some(HELP.into());
            }
        }
        if let Some(salt) = arguments.get(1).copied().filter(|s| Self::ts_constant_salt(*s, model)) {
            cx.report(span_of(salt), CONSTANT_SALT).help = Some(HELP.into());
        }
    }

    /// `crypto.scrypt(Sync)(password, salt, keylen, { N | cost })`.
    fn check_ts_scrypt(&self, call: Node<'_>, model: &TsModel<'_>, cx: &mut Context<'_>) {
        let arguments = arguments(call);
        if Self::ts_input_is_key(arguments.first().copied(), model) {
            return;
        }
        if let Some(options) = arguments.get(3).and_then(|o| model.object_literal(*o)) {
            for key in ["N", "cost"] {
                let Property::Found(value) = model.property(options, key) else { continue };
                if let Some(n) = Self::ts_number(value, model, 0).filter(|n| *n < SCRYPT_MIN_N) {
                    cx.report(span_of(value), format!("scrypt N = {n} is below the minimum of 2^15 ({SCRYPT_MIN_N})")).help =
                        Some(HELP.into());
                }
            }
        }
        if let Some(salt) = arguments.get(1).copied().filter(|s| Self::ts_constant_salt(*s, model)) {
            cx.report(span_of(salt), CONSTANT_SALT).help = Some(HELP.into());
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

    fn check_rust_call(&self, call: &syn::ExprCall, fn_id: Option<usize>, model: &RustModel, cx: &mut Context<'_>) {
        let Some(path) = model.call_path(call) else { return };
        let args: Vec<&Expr> = call.args.iter().collect();
        let report = |cx: &mut Context<'_>, at: &Expr, message: String| {
            cx.report(rust_span(cx.file, at), message).help = Some(HELP.into());
        };
        let last_two = crate::rules::short_path(&path);
        match last_two.as_str() {
            // bcrypt::hash(pw, cost), hash_with_result, hash_with_salt(pw, cost, salt).
            "bcrypt::hash" | "bcrypt::hash_with_result" | "bcrypt::hash_with_salt" | "bcrypt::non_truncating_hash" => {
                if let Some(cost) = args.get(1).and_then(|c| Self::rust_number(c, 0)).filter(|c| *c < BCRYPT_MIN_COST) {
                    report(cx, args[1], format!("bcrypt cost {cost} is below the minimum of {BCRYPT_MIN_COST}"));
                }
                if let Some(salt) = args.get(2).filter(|s| last_two == "bcrypt::hash_with_salt" && Self::rust_constant_salt(s)) {
                    report(cx, salt, CONSTANT_SALT.into());
                }
            }
            "Argon2::new" | "Argon2::new_with_secret" => {
                let variant = args.iter().find_map(|a| {
                    let text = tokens(a);
                    ["Argon2i", "Argon2d"].into_iter().find(|v| path_names(&text, v)).map(|v| (a, v))
                });
                if let Some((at, variant)) = variant {
                    report(cx, at, format!("{variant} is used for password hashing; OWASP recommends Argon2id, which resists both side-channel and GPU attacks"));
                }
            }
            "Params::new"
                if path.starts_with("scrypt::")
                    || (!path.starts_with("argon2::") && model.imports_crate("scrypt") && !model.imports_crate("argon2")) =>
            {
                if let Some(log_n) = args.first().and_then(|a| Self::rust_number(a, 0)).filter(|n| *n < 15) {
                    report(cx, args[0], format!("scrypt log2(N) = {log_n} (N = {}) is below the minimum of 2^15", 1u64 << log_n));
                }
            }
            "Params::new" if path.starts_with("argon2::") || model.imports_crate("argon2") => {
                let (Some(memory), Some(passes)) =
                    (args.first().and_then(|a| Self::rust_number(a, 0)), args.get(1).and_then(|a| Self::rust_number(a, 0)))
                else {
                    return;
                };
                if argon2_weak(memory, passes) {
                    cx.report(rust_span(cx.file, call), argon2_message(memory, passes)).help = Some(HELP.into());
                }
            }
            // pbkdf2 crate: pbkdf2_hmac::<Sha256>(pw, salt, rounds, out), pbkdf2::<Hmac<Sha256>>(..).
            _ if ["pbkdf2_hmac", "pbkdf2_hmac_array", "pbkdf2", "pbkdf2_array"]
                .iter()
                .any(|f| path.ends_with(&format!("pbkdf2::{f}")) || path == *f) =>
            {
                if Self::rust_input_is_key(args.first().copied(), model, fn_id) {
                    return;
                }
                let (minimum, name) = pbkdf2_minimum(&tokens(&call.func));
                if let Some(rounds) = args.get(2).and_then(|r| Self::rust_number(r, 0)).filter(|r| *r < minimum) {
                    report(cx, args[2], format!("{name} with {rounds} iterations is below the {minimum} that OWASP recommends"));
                }
                if let Some(salt) = args.get(1).filter(|s| Self::rust_constant_salt(s)) {
                    report(cx, salt, CONSTANT_SALT.into());
                }
            }
            // ring: pbkdf2::derive(PBKDF2_HMAC_SHA256, iterations, salt, secret, out).
            "pbkdf2::derive" => {
                if Self::rust_input_is_key(args.get(3).copied(), model, fn_id) {
                    return;
                }
                let (minimum, name) = pbkdf2_minimum(&args.first().map(tokens).unwrap_or_default());
                if let Some(rounds) = args.get(1).and_then(|r| Self::rust_number(r, 0)).filter(|r| *r < minimum) {
                    report(cx, args[1], format!("{name} with {rounds} iterations is below the {minimum} that OWASP recommends"));
                }
                if let Some(salt) = args.get(2).filter(|s| Self::rust_constant_salt(s)) {
                    report(cx, salt, CONSTANT_SALT.into());
                }
            }
            // password-hash: SaltString::from_b64("literal"), SaltString::encode_b64(b"literal").
            "SaltString::from_b64" | "SaltString::encode_b64" | "SaltString::new" | "Salt::from_b64" | "Salt::new" => {
                if let Some(salt) = args.first().filter(|s| Self::rust_constant_salt(s) || model.string_value(s, fn_id).is_some()) {
                    report(cx, salt, CONSTANT_SALT.into());
                }
            }
            _ => {}
        }
    }

    /// argon2 `ParamsBuilder::new().m_cost(1024)`: memory below every OWASP row, whatever the passes.
    fn check_rust_method(&self, call: &syn::ExprMethodCall, model: &RustModel, cx: &mut Context<'_>) {
        if call.method != "m_cost" || !model.imports_crate("argon2") {
            return;
        }
        if let Some(memory) = call.args.first().and_then(|a| Self::rust_number(a, 0)).filter(|m| *m < ARGON2_MIN_MEMORY_KIB) {
            cx.report(
                rust_span(cx.file, &call.args[0]),
                format!("Argon2 with {memory} KiB of memory is below OWASP's minimum (7168 KiB even with 5 passes)"),
            )
            .help = Some(HELP.into());
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
        let Some(callee) = node.field("function") else { return };
        let Some(name) = model.qualified_name(callee) else { return };
        let name = name.strip_prefix("node:").unwrap_or(&name);
        let Some((module, function)) = name.rsplit_once('.') else { return };
        match (module, function) {
            ("bcrypt" | "bcryptjs" | "bcrypt-nodejs" | "@node-rs/bcrypt", "hash" | "hashSync" | "genSalt" | "genSaltSync") => {
                self.check_ts_bcrypt(function, node, model, cx)
            }
            ("argon2", "hash") => self.check_ts_argon2(false, node, model, cx),
            ("@node-rs/argon2", "hash" | "hashSync") => self.check_ts_argon2(true, node, model, cx),
            ("crypto", "pbkdf2" | "pbkdf2Sync") => self.check_ts_pbkdf2(node, model, cx),
            ("crypto", "scrypt" | "scryptSync") => self.check_ts_scrypt(node, model, cx),
            _ => {}
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if cx.in_test || node.site.in_test {
            return;
        }
        match node.syntax {
            RustSyntax::Call(call) => self.check_rust_call(call, node.site.fn_id, model, cx),
            RustSyntax::MethodCall(call) => self.check_rust_method(call, model, cx),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("100_000"), Some(100_000));
        assert_eq!(parse_number("0x8000"), Some(32768));
        assert_eq!(parse_number("1e5"), Some(100_000));
        assert_eq!(parse_number("32768n"), Some(32768));
        assert_eq!(parse_number("1.5"), None);
    }

    #[test]
    fn argon2_minimums_follow_owasp_rows() {
        for (memory, passes) in [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5), (65536, 3)] {
            assert!(!argon2_weak(memory, passes), "{memory}×{passes}");
        }
        for (memory, passes) in [(15000, 2), (4096, 10), (19456, 1), (1024, 3)] {
            assert!(argon2_weak(memory, passes), "{memory}×{passes}");
        }
    }

    #[test]
    fn key_material_names() {
        assert!(names_key_material("ENCRYPTION_KEY"));
        assert!(names_key_material("masterSecret"));
        assert!(!names_key_material("password"));
        assert!(!names_key_material("input"));
    }
}
