//! Matchers shared by several rules: what a URL's host is, whether a host is local, whether a
//! name or value looks like a credential.

use crate::diagnostic::Edit;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::FieldExt;
use crate::lang::typescript::{Property, TsModel};
use crate::source::{SourceFile, Span};
use regex::{Regex, RegexSet};
use std::sync::OnceLock;
use tree_sitter::Node;

/// A URL found in a string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'s> {
    pub scheme: &'s str,
    pub userinfo: Option<&'s str>,
    pub host: &'s str,
    /// What follows the authority: `/ns/schema/2.1?x#y`, or empty.
    pub rest: &'s str,
}

/// Parses `scheme://[userinfo@]host[:port][/...]` when the whole string is one URL (no
/// whitespace): prose that merely mentions a URL is not a URL the code connects to.
pub fn parse_url(text: &str) -> Option<UrlParts<'_>> {
    if text.is_empty() || text.chars().any(char::is_whitespace) {
        return None;
    }
    let (scheme, rest) = text.split_once("://")?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host)) => (Some(userinfo), host),
        None => (None, authority),
    };
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return None;
    }
    Some(UrlParts { scheme, userinfo, host, rest: &rest[authority_end..] })
}

/// Hosts that never leave the machine, the private network or a cluster, and reserved names
/// that cannot be real destinations.
pub fn is_local_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host == "::1" || host == "0.0.0.0" || host == "::" || host.starts_with("127.") {
        return true;
    }
    // `local.revolt.chat`, `localhost.acme.io`: names for a developer's own machine.
    if host.starts_with("local.") || host.starts_with("localhost.") {
        return true;
    }
    // Single-label hosts are service names (docker-compose, Kubernetes short names).
    if !host.contains('.') && !host.contains(':') {
        return true;
    }
    if let Some(octets) = ipv4(&host) {
        return matches!(octets, [10, ..] | [192, 168, ..] | [169, 254, ..]) || (octets[0] == 172 && (16..=31).contains(&octets[1]));
    }
    const LOCAL_SUFFIXES: &[&str] = &[
        ".localhost",
        ".local",
        ".internal",
        ".localdomain",
        ".lan",
        ".home.arpa",
        ".svc",
        ".cluster.local",
        ".test",
        ".example",
        ".invalid",
        ".docker",
        ".consul",
    ];
    const DOCUMENTATION_DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];
    LOCAL_SUFFIXES.iter().any(|suffix| host.ends_with(suffix))
        || DOCUMENTATION_DOMAINS.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

fn ipv4(host: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = host.split('.');
    for octet in &mut octets {
        *octet = parts.next()?.parse().ok()?;
    }
    parts.next().is_none().then_some(octets)
}

/// Hosts of XML namespaces, schema identifiers and similar URIs that are names, not endpoints.
/// Whether a URL's path names a vocabulary rather than a resource: a namespace, a link relation
/// or a schema (`http://webfinger.net/rel/profile-page`, `http://nodeinfo.diaspora.software/ns/
/// schema/2.1`, `http://ostatus.org/schema/1.0/subscribe`). Such URIs are compared, not fetched.
pub fn is_identifier_uri_path(rest: &str) -> bool {
    if rest.contains('?') {
        return false;
    }
    let path = rest.split('#').next().unwrap_or(rest);
    path.split('/').any(|segment| {
        matches!(
            segment.to_ascii_lowercase().as_str(),
            "ns" | "rel" | "rels" | "schema" | "schemas" | "namespace" | "namespaces" | "xmlns" | "dtd" | "vocab" | "ontology"
        )
    })
}

pub fn is_identifier_uri_host(host: &str) -> bool {
    const HOSTS: &[&str] = &[
        "www.w3.org",
        "w3.org",
        "json-schema.org",
        "xmlns.com",
        "purl.org",
        "schemas.xmlsoap.org",
        "schemas.microsoft.com",
        "schemas.openxmlformats.org",
        "www.opengis.net",
        "ns.adobe.com",
        "schema.org",
        "www.springframework.org",
        "java.sun.com",
        "xml.org",
        "www.xml.org",
        "docs.oasis-open.org",
        "relaxng.org",
        "www.omg.org",
        "ietf.org",
        "www.ietf.org",
        "openid.net",
        "specs.openid.net",
        "ogp.me",
        "rdfs.org",
        "www.iana.org",
        "creativecommons.org",
        "www.apache.org",
    ];
    let host = host.to_ascii_lowercase();
    HOSTS.contains(&host.as_str())
}

/// `allowed-hosts` entries: exact host names or `*.suffix` patterns.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    allowed.iter().any(|pattern| {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(suffix) => host == suffix || host.ends_with(&format!(".{suffix}")),
            None => host == pattern,
        }
    })
}

// ----- secrets -----

/// Splits an identifier into lowercase words: `clientSecret` → [client, secret], `API_KEY` → [api, key].
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary =
            c.is_uppercase() && !current.is_empty() && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a variable, constant or property name denotes a credential value. The last word
/// decides: `dbPassword`, `API_KEY`, `clientSecret` do; `passwordField`, `tokenUrl`,
/// `MAX_PASSWORD_LEN`, `secretName` do not.
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last().map(String::as_str) else { return false };
    let previous = words.len().checked_sub(2).map(|i| words[i].as_str());
    match last {
        "password" | "passwd" | "pwd" | "passphrase" | "secret" | "token" | "apikey" | "credentials" | "credential" => {
            // `resetToken`/`csrfToken` values are generated at run time; a literal is still a secret.
            true
        }
        "key" => matches!(
            previous,
            Some("api" | "secret" | "private" | "access" | "signing" | "encryption" | "master" | "app" | "license" | "client")
        ),
        "pass" => true,
        _ => false,
    }
}

/// Shannon entropy of the string in bits per character.
pub fn entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// Values that stand for "put your secret here", not a secret.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "your",
        "example",
        "placeholder",
        "dummy",
        "sample",
        "xxxx",
        "****",
        "todo",
        "fixme",
        "replace",
        "insert",
        "redacted",
        "<",
        "${",
        "{{",
        "%s",
        "secret_here",
        "not-a-secret",
        "notsecret",
        "test",
        "fake",
        "mock",
        "default",
        "undefined",
        "null",
        "none",
        "password",
        "secret",
        "foobar",
        "lorem",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // A single repeated character, or only punctuation.
    let mut chars = value.chars();
    let first = chars.next();
    first.is_none_or(|f| value.chars().all(|c| c == f)) || !value.chars().any(|c| c.is_alphanumeric())
}

/// A literal value shaped like a credential: no whitespace, long enough, and random-looking.
pub fn looks_like_credential(value: &str) -> bool {
    let length = value.chars().count();
    if length < 8 || value.chars().any(char::is_whitespace) || is_placeholder(value) {
        return false;
    }
    // URLs, paths and dotted identifiers are configuration, not secrets.
    if value.contains("://") || value.starts_with('/') || value.starts_with("./") {
        return false;
    }
    // Lowercase words joined by separators name something (`auth.token.expired`,
    // `session-cookie`, `orders:refresh_token`): translation keys, cookie and queue names.
    let word_list =
        value.chars().all(|c| c.is_ascii_lowercase() || matches!(c, '.' | '-' | '_' | ':')) && value.contains(['.', '-', '_', ':']);
    // `keyword.$0`, `string.quoted.double`: a dotted name with a placeholder (editor token types).
    let dotted_name = value.contains('.')
        && value.split('.').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '$' || c.is_ascii_digit()))
        && value.starts_with(|c: char| c.is_ascii_lowercase());
    // `MEILI_S3_ACCESS_KEY`, `STRIPE_SECRET`: the name of an environment variable holding the secret.
    let env_var_name = value.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') && value.contains('_');
    // `crate::auth::Token`, `@scope/package`, `keys/signing-key.pem`: paths and module names.
    let path_like = value.contains("::")
        || value.starts_with('@')
        || (value.contains('/')
            && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '/' | '-' | '_' | '.')));
    if word_list || dotted_name || env_var_name || path_like {
        return false;
    }
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    let entropy = entropy(value);
    (length >= 12 && entropy >= 3.5 && classes >= 2) || (length >= 8 && classes >= 3 && entropy >= 2.8)
}

/// The length of the shortest value `known_key_format` can recognise.
pub const SHORTEST_KEY_FORMAT: usize = 15;

/// Provider key formats (the Gitleaks/secret-scanning families) that are secrets wherever they
/// appear: the family's name and the matching part of `value` (`token ghp_…` → `ghp_…`).
pub fn known_key_format(value: &str) -> Option<(&'static str, &str)> {
    static PATTERNS: OnceLock<(RegexSet, Vec<(&'static str, Regex)>)> = OnceLock::new();
    // Every format below is at least this long (`xoxa-` and ten characters): most string
    // literals in a code base are shorter and never reach the regexes.
    if value.len() < SHORTEST_KEY_FORMAT {
        return None;
    }
    let (any, patterns) = PATTERNS.get_or_init(|| {
        let patterns: Vec<(&'static str, &'static str)> = vec![
            ("an AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
            ("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
            ("a GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
            ("a Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
            ("a Slack webhook URL", r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]{20,}"),
            ("a Discord webhook URL", r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,}"),
            ("a Stripe live key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b"),
            ("a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
            ("a SendGrid API key", r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b"),
            ("an npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
            ("a private key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----"),
        ];
        // One pass over the value decides whether any format occurs; only then is the one that
        // matched run again for its position.
        let any = RegexSet::new(patterns.iter().map(|(_, pattern)| pattern)).expect("valid secret patterns");
        let compiled = patterns.into_iter().map(|(name, pattern)| (name, Regex::new(pattern).expect("valid secret pattern"))).collect();
        (any, compiled)
    });
    let matched = any.matches(value).into_iter().next()?;
    let (name, regex) = &patterns[matched];
    let found = (*name, regex.find(value)?.as_str());
    // Documented example keys (AKIAIOSFODNN7EXAMPLE) and obvious fakes.
    let upper = value.to_ascii_uppercase();
    if upper.contains("EXAMPLE") || upper.contains("XXXXXXXX") || upper.contains("DUMMY") || upper.contains("FAKE") {
        return None;
    }
    Some(found)
}

/// Shows enough of a secret to find it, never the secret: `sk_l…(32 chars)`. At most four
/// characters, and at most a quarter of a short value (`admin` shows as `a…(5 chars)`).
pub fn mask(value: &str) -> String {
    let length = value.chars().count();
    let prefix: String = value.chars().take(4.min(length / 4)).collect();
    format!("{prefix}…({} chars)", value.chars().count())
}

/// What a TypeScript options argument says about a key.
pub enum Configured {
    Yes,
    No,
    /// The options come from somewhere archlint cannot see (a parameter, a spread, an import).
    Unknown,
}

/// Whether an options object sets any of `keys` (a missing argument sets none).
pub fn ts_options_have(model: &TsModel<'_>, options: Option<Node<'_>>, keys: &[&str]) -> Configured {
    let Some(options) = options else { return Configured::No };
    let Some(object) = model.object_literal(options) else { return Configured::Unknown };
    let mut unknown = false;
    for key in keys {
        match model.property(object, key) {
            Property::Found(_) => return Configured::Yes,
            Property::Unknown => unknown = true,
            Property::Missing => {}
        }
    }
    if unknown {
        Configured::Unknown
    } else {
        Configured::No
    }
}

/// The edits that give a call's options object `property` (`timeout: 10_000`, or several as
/// `httpOnly: true, secure: true`): a
/// new first property of an object literal written at the call (keeping its layout), a new
/// options object when the call has none at `index`. `None` when the options are built
/// elsewhere (a variable, a spread) and the edit is not this rule's to guess.
pub fn add_to_options(call: Node<'_>, index: usize, property: &str, model: &TsModel<'_>, file: &SourceFile) -> Option<Vec<Edit>> {
    let arguments = call.field("arguments")?;
    let present: Vec<Node<'_>> = named_children(arguments).filter(|a| a.kind() != "comment").collect();
    match present.get(index) {
        Some(options) if options.kind() == "object" => Some(vec![add_to_object(*options, property, model, file)]),
        Some(_) => None,
        // The options come after the arguments there are (`axios.get(url)`, `fetch(url)`).
        None if present.len() == index => {
            let close = arguments.end_byte() - 1;
            let separator = if present.is_empty() { "" } else { ", " };
            Some(vec![Edit::insert(file, close, format!("{separator}{{ {property} }}"))])
        }
        None => None,
    }
}

/// The edit that makes `property` the first property of the object literal `object`, keeping its
/// layout: on a line of its own, indented like the others, in an object written one per line.
pub fn add_to_object(object: Node<'_>, property: &str, model: &TsModel<'_>, file: &SourceFile) -> Edit {
    let members: Vec<Node<'_>> = named_children(object).filter(|m| m.kind() != "comment").collect();
    let Some(first) = members.first() else {
        return Edit::replace(file, span_of(object), format!("{{ {property} }}"));
    };
    if model.text(object).contains('\n') {
        // `{\n    baseURL,\n }`: a line of its own, indented like the first property.
        let line_start = file.text[..first.start_byte()].rfind('\n').map_or(0, |i| i + 1);
        let indent: String = file.text[line_start..first.start_byte()].chars().take_while(|c| c.is_whitespace()).collect();
        Edit::insert(file, first.start_byte(), format!("{property},\n{indent}"))
    } else {
        Edit::insert(file, first.start_byte(), format!("{property}, "))
    }
}

/// The edit that takes the property `pair` out of its object literal with its comma: its whole
/// line when it has one to itself, otherwise up to the next property (or from the previous one).
pub fn remove_property(pair: Node<'_>, file: &SourceFile) -> Option<Edit> {
    let object = pair.parent()?;
    let members: Vec<Node<'_>> = named_children(object).filter(|m| m.kind() != "comment").collect();
    let at = members.iter().position(|m| m.id() == pair.id())?;
    let line_start = file.text[..pair.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    let line_end = file.text[pair.end_byte()..].find('\n').map_or(file.text.len(), |i| pair.end_byte() + i);
    let before = &file.text[line_start..pair.start_byte()];
    let after = file.text[pair.end_byte()..line_end].trim();
    if before.trim().is_empty() && (after.is_empty() || after == ",") {
        return Some(Edit::replace(file, Span::new(line_start, (line_end + 1).min(file.text.len())), ""));
    }
    let span = match (members.get(at + 1), at.checked_sub(1).map(|i| members[i])) {
        (Some(next), _) => Span::new(pair.start_byte(), next.start_byte()),
        (None, Some(previous)) => Span::new(previous.end_byte(), pair.end_byte()),
        (None, None) => span_of(pair),
    };
    Some(Edit::replace(file, span, ""))
}

/// `"` or `'`: the quote the file's first string literal uses, for strings a fix writes.
pub fn string_quote(node: Node<'_>, model: &TsModel<'_>) -> char {
    let root = std::iter::successors(Some(node), |n| n.parent()).last().unwrap_or(node);
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(next) = stack.pop() {
        if next.kind() == "string" {
            return model.text(next).chars().next().filter(|q| *q == '\'').unwrap_or('"');
        }
        let children: Vec<Node<'_>> = next.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    '"'
}

/// `10_000`, the way a timeout reads in code.
pub fn millis(ms: u64) -> String {
    let digits = ms.to_string();
    if digits.len() <= 3 {
        return digits;
    }
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('_');
        }
        grouped.push(digit);
    }
    grouped
}

/// `std::time::Duration::from_secs(10)` for a timeout in milliseconds.
pub fn duration(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("std::time::Duration::from_secs({})", ms / 1000)
    } else {
        format!("std::time::Duration::from_millis({ms})")
    }
}

/// Calls (`.timeout(..)`) put before the method call `call` of a builder chain (its
/// `.build()`): each on a line of its own when the chain is written one call per line, inline
/// otherwise.
pub fn calls_before(file: &SourceFile, call: &syn::ExprMethodCall, inserted: &[&str]) -> Edit {
    let dot = crate::lang::rust::span_of(file, &call.dot_token).start;
    let line_start = file.text[..dot].rfind('\n').map_or(0, |i| i + 1);
    let before = &file.text[line_start..dot];
    if !before.is_empty() && before.chars().all(char::is_whitespace) {
        Edit::insert(file, dot, inserted.iter().map(|call| format!("{call}\n{before}")).collect::<String>())
    } else {
        Edit::insert(file, dot, inserted.concat())
    }
}

/// The edit that imports the whole of `module` as `local`, written as the file already imports
/// (`import * as local from "module";` beside its imports, `const local = require("module");`
/// beside its `require`s, or first after a shebang and directives such as `"use strict"`). The
/// same edit for every fix of the file that needs it, so they share it. `None` for a JavaScript
/// file that neither imports nor requires anything (which form works there is the package's).
pub fn import_module_edit(root: Node<'_>, local: &str, module: &str, model: &TsModel<'_>, file: &SourceFile) -> Option<Edit> {
    let statements: Vec<Node<'_>> = named_children(root).collect();
    let last_import = statements.iter().rev().find(|s| s.kind() == "import_statement");
    let last_require = statements
        .iter()
        .rev()
        .find(|s| matches!(s.kind(), "lexical_declaration" | "variable_declaration") && model.text(**s).contains("require("));
    let extension = file.rel_path.rsplit('.').next().unwrap_or("");
    let esm = match (last_import, last_require) {
        (Some(_), _) => true,
        (None, Some(_)) => false,
        (None, None) if matches!(extension, "ts" | "tsx" | "mts" | "mjs") => true,
        (None, None) if extension == "cjs" || extension == "cts" => false,
        (None, None) => return None,
    };
    let line = if esm { format!("import * as {local} from \"{module}\";") } else { format!("const {local} = require(\"{module}\");") };
    if let Some(last) = if esm { last_import } else { last_require } {
        return Some(Edit::insert(file, last.end_byte(), format!("\n{line}")));
    }
    // Before the first statement that is not a directive (`"use strict"`, `"use server"`).
    let directives = statements.iter().take_while(|s| {
        s.kind() == "hash_bang_line" || (s.kind() == "expression_statement" && s.named_child(0).is_some_and(|e| e.kind() == "string"))
    });
    match directives.last() {
        Some(last) => Some(Edit::insert(file, last.end_byte(), format!("\n{line}"))),
        None => Some(Edit::insert(file, 0, format!("{line}\n"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let url = parse_url("http://user:pw@api.example.io:8080/x?y").unwrap();
        assert_eq!((url.scheme, url.userinfo, url.host), ("http", Some("user:pw"), "api.example.io"));
        assert_eq!(parse_url("http://[::1]:3000").unwrap().host, "::1");
        assert!(parse_url("http://").is_none());
        assert!(parse_url("see http://a.com for details").is_none());
    }

    #[test]
    fn local_hosts() {
        for host in [
            "localhost",
            "127.0.0.1",
            "api.localhost",
            "redis",
            "db.internal",
            "svc.ns.svc.cluster.local",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "www.example.com",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in ["api.stripe.com", "172.32.0.1", "8.8.8.8", "example.co"] {
            assert!(!is_local_host(host), "{host}");
        }
    }

    #[test]
    fn allowed_hosts() {
        let allowed = vec!["legacy-gw.corp.acme.net".to_string(), "*.oob.acme.net".to_string()];
        assert!(host_allowed("legacy-gw.corp.acme.net", &allowed));
        assert!(host_allowed("Switch-1.OOB.acme.net", &allowed));
        assert!(host_allowed("oob.acme.net", &allowed));
        assert!(!host_allowed("gw.corp.acme.net", &allowed));
        assert!(!host_allowed("evil-oob.acme.net", &allowed));
    }

    #[test]
    fn secret_names() {
        for name in
            ["password", "dbPassword", "DB_PASSWORD", "clientSecret", "API_KEY", "apiKey", "accessToken", "private_key", "jwtSecret"]
        {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "passwordField",
            "tokenUrl",
            "MAX_PASSWORD_LEN",
            "PASSWORD_MIN_LENGTH",
            "secretName",
            "key",
            "primaryKey",
            "sortKey",
            "tokenType",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn credential_shapes() {
        assert!(looks_like_credential("f9Kq2LxV8zR1mT4w"));
        assert!(looks_like_credential("S3cure!Pa55"));
        assert!(!looks_like_credential("changeme"));
        assert!(!looks_like_credential("your-api-key-here"));
        assert!(!looks_like_credential("Please enter a password"));
        assert!(!looks_like_credential("password"));
        assert!(!looks_like_credential("aaaaaaaaaaaaaaaa"));
        assert!(!looks_like_credential("user_password"));
        assert!(!looks_like_credential("auth.token.expired"));
        assert!(!looks_like_credential("BILLING_S3_ACCESS_KEY"));
        assert!(!looks_like_credential("crate::auth::ApiToken"));
        assert!(!looks_like_credential("@acme/secret-store"));
        assert!(!looks_like_credential("keys/signing-key.pem"));
        assert!(looks_like_credential("Zq8/Lm4+Xv2Rw9Kc"));
        assert!(!looks_like_credential("orders:refresh-token"));
    }

    #[test]
    fn key_formats() {
        assert_eq!(known_key_format("AKIAQWERTYUIOPASDFGH"), Some(("an AWS access key id", "AKIAQWERTYUIOPASDFGH")));
        assert_eq!(known_key_format("Bearer glpat-abcdefghij0123456789").map(|(_, key)| key), Some("glpat-abcdefghij0123456789"));
        assert_eq!(known_key_format("AKIAIOSFODNN7EXAMPLE"), None);
        assert!(known_key_format("sk_test_abcdefghijklmnopqrstuv").is_none());
        assert!(known_key_format("-----BEGIN RSA PRIVATE KEY-----\nabc").is_some());
        // The length gate sits exactly at the shortest format (a Slack token).
        assert_eq!("xoxb-0123456789".len(), SHORTEST_KEY_FORMAT);
        assert_eq!(known_key_format("xoxb-0123456789").map(|(kind, _)| kind), Some("a Slack token"));
        assert!(known_key_format("xoxb-012345678").is_none());
    }

    #[test]
    fn masking_never_shows_the_secret() {
        assert_eq!(mask("sk_live_abcdefghijklmnop"), "sk_l…(24 chars)");
        assert_eq!(mask("Hq7vN2pXk9Lm"), "Hq7…(12 chars)");
        assert_eq!(mask("admin"), "a…(5 chars)");
        assert_eq!(mask("abc"), "…(3 chars)");
    }
}
