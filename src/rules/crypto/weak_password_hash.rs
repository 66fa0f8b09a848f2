//! `weak-password-hash`: a password hashed with a fast digest (MD5, SHA-1, SHA-2, HMAC). Those
//! are built to be fast: a GPU computes billions per second, so a leaked table of such hashes
//! falls to dictionary and brute-force attacks within hours. Passwords need a slow, salted
//! password-hashing function.

use crate::lang::rust::{span_of as rust_span, RustKind, RustModel, RustNode, RustSyntax};
use crate::lang::typescript::model::{descendants, named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::TsModel;
use crate::rules::helpers::words;
use crate::rules::{check_option_names, Context, Rule, RuleEntry, RuleOptions};
use quote::ToTokens;
use tree_sitter::Node;

pub const ENTRY: RuleEntry = RuleEntry { id: "weak-password-hash", build };

struct WeakPasswordHash;

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(WeakPasswordHash))
}

const HELP: &str =
    "hash passwords with argon2id (or scrypt, or bcrypt with cost ≥ 10) through a maintained library; keep fast digests for checksums";

/// Whether a name or expression text names a password in clear (`password`, `newPwd`,
/// `req.body.passwd`), not something derived from one (`passwordHash`, `passwordResetToken`).
pub(crate) fn names_password(text: &str) -> bool {
    let words = words(text);
    words.iter().enumerate().any(|(i, word)| {
        matches!(word.as_str(), "password" | "passwd" | "pwd" | "passphrase" | "pass")
            && !words.get(i + 1).is_some_and(|next| {
                matches!(next.as_str(), "hash" | "hashed" | "digest" | "reset" | "token" | "length" | "len" | "policy" | "field")
            })
    })
}

/// Fast digests by the names `createHash` and friends take.
fn is_fast_digest(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('-', "");
    matches!(lower.as_str(), "md4" | "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512" | "sha3256" | "sha3512" | "ripemd160")
}

impl WeakPasswordHash {
    /// The hashed data in a TS digest chain: `createHash("sha256").update(password)` → `password`.
    fn ts_digest_input<'t>(call: Node<'t>, model: &TsModel<'t>) -> Option<(String, Node<'t>)> {
        let callee = call.field("function")?;
        let arguments: Vec<Node<'t>> = named_children(call.field("arguments")?).collect();
        let name = model.qualified_name(callee).unwrap_or_default();
        let name = name.strip_prefix("node:").unwrap_or(&name).to_string();
        // crypto-js `CryptoJS.SHA256(pw)`, `md5(pw)`, `sha1(pw)`, `js-sha256`.
        let direct = [
            "crypto-js.MD5",
            "crypto-js.SHA1",
            "crypto-js.SHA256",
            "crypto-js.SHA512",
            "crypto-js.HmacSHA256",
            "md5",
            "sha1",
            "js-sha256",
            "js-sha512",
            "js-md5",
        ];
        if let Some(algorithm) = direct.iter().find(|d| name == **d || name.starts_with(&format!("{d}."))) {
            return Some((algorithm.rsplit(['.', '-']).next().unwrap_or(algorithm).to_uppercase(), *arguments.first()?));
        }
        // `crypto.createHash(alg).update(data)`: this call is the `update`.
        if callee.kind() != "member_expression" || callee.field("property").map(|p| model.text(p)) != Some("update") {
            return None;
        }
        let object = model.unwrap_expression(callee.field("object")?);
        let object = model.resolve(object);
        if object.kind() != "call_expression" {
            return None;
        }
        let factory = model.qualified_name(object.field("function")?)?;
        let factory = factory.strip_prefix("node:").unwrap_or(&factory);
        if factory != "crypto.createHash" && factory != "crypto.createHmac" {
            return None;
        }
        let algorithm = model.string_value(object.field("arguments")?.named_child(0)?)?;
        (is_fast_digest(&algorithm)).then(|| {
            (if factory.ends_with("Hmac") { format!("HMAC-{}", algorithm.to_uppercase()) } else { algorithm.to_uppercase() }, arguments[0])
        })
    }

    /// Whether the hashed data is a password: by its own name, or by the variable it was read into.
    fn ts_is_password(input: Node<'_>, model: &TsModel<'_>) -> bool {
        let input = model.unwrap_expression(input);
        if names_password(model.text(input)) {
            return true;
        }
        // `` `${salt}${password}` ``, `salt + password`
        descendants(input).any(|n| matches!(n.kind(), "identifier" | "property_identifier") && names_password(model.text(n)))
    }
}

impl Rule for WeakPasswordHash {
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
        let Some((algorithm, input)) = Self::ts_digest_input(node, model) else { return };
        if Self::ts_is_password(input, model) {
            cx.report(span_of(input), format!("a password is hashed with {algorithm}, a fast digest that is cheap to brute-force")).help =
                Some(HELP.into());
        }
    }

    fn rust_kinds(&self) -> &'static [RustKind] {
        &[RustKind::Call, RustKind::MethodCall]
    }

    fn check_rust(&self, node: &RustNode<'_>, model: &RustModel, cx: &mut Context<'_>) {
        if node.site.in_test || cx.in_test {
            return;
        }
        let (algorithm, input) = match node.syntax {
            // `md5::compute(pw)`, `Sha256::digest(pw)`, `ring::digest::digest(&SHA256, pw)`, `sha1_smol::Sha1::from(pw)`.
            RustSyntax::Call(call) => {
                let Some(path) = model.call_path(call) else { return };
                let segments: Vec<&str> = path.split("::").collect();
                let algorithm = if path.ends_with("md5::compute") {
                    "MD5".to_string()
                } else if path.ends_with("::digest") && segments.iter().rev().nth(1).is_some_and(|t| is_fast_digest(t)) {
                    segments[segments.len() - 2].to_uppercase()
                } else if path.ends_with("ring::digest::digest") {
                    "SHA-2".to_string()
                } else {
                    return;
                };
                let input = if path.ends_with("ring::digest::digest") { call.args.iter().nth(1) } else { call.args.first() };
                let Some(input) = input else { return };
                (algorithm, input)
            }
            // `hasher.update(password)` on a `Sha256::new()` / `Md5::new()` / `Hmac::<Sha256>` value.
            RustSyntax::MethodCall(call) if (call.method == "update" || call.method == "chain_update") && call.args.len() == 1 => {
                let root = crate::rules::injection::rust_receiver_root(model, &node.site, &call.receiver);
                let text = root.to_token_stream().to_string().replace(' ', "");
                let Some(algorithm) = ["Sha1", "Sha224", "Sha256", "Sha384", "Sha512", "Md5", "Sha3_256", "Sha3_512"]
                    .iter()
                    .find(|t| text.contains(&format!("{t}::")) || text.contains(&format!("{t}>")))
                else {
                    return;
                };
                let algorithm = if text.contains("Hmac") { format!("HMAC-{}", algorithm.to_uppercase()) } else { algorithm.to_uppercase() };
                (algorithm, &call.args[0])
            }
            _ => return,
        };
        if names_password(&input.to_token_stream().to_string().replace(' ', "")) {
            cx.report(
                rust_span(cx.file, input),
                format!("a password is hashed with {algorithm}, a fast digest that is cheap to brute-force"),
            )
            .help = Some(HELP.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_names() {
        assert!(names_password("password"));
        assert!(names_password("req.body.newPassword"));
        assert!(names_password("user_pwd.as_bytes()"));
        assert!(!names_password("passwordHash"));
        assert!(!names_password("password_reset_token"));
        assert!(!names_password("fileContents"));
        assert!(!names_password("passport"));
    }
}
