//! Source text as messages show it: shortened, Rust tokens tidied, paths cut to their last
//! segments. Shared by the front-ends (flows name their source) and the rules.

/// Source text for a message: whitespace collapsed, cut to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let mut cut: String = collapsed.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Rust tokens printed the way people write them: `user_id . parse ()` → `user_id.parse()`.
pub fn tidy_tokens(tokens: &str) -> String {
    let mut text = tokens.to_string();
    for (spaced, tight) in [
        (" . ", "."),
        (" ()", "()"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" :: ", "::"),
        (":: ", "::"),
        (" ,", ","),
        ("& ", "&"),
        (" ?", "?"),
        (" !", "!"),
    ] {
        text = text.replace(spaced, tight);
    }
    text
}

/// The last two segments of a Rust path, as people name a function: `sqlx::query` from
/// `sqlx::query`, `Redirect::to` from `axum::response::Redirect::to`.
pub fn short_path(path: &str) -> String {
    let mut segments: Vec<&str> = path.rsplit("::").take(2).collect();
    segments.reverse();
    segments.join("::")
}

/// Whether a URL prefix fixes the scheme, the host and the start of the path (`https://host/`).
pub fn fixes_origin(prefix: &str) -> bool {
    prefix.split_once("://").is_some_and(|(_, rest)| rest.find('/').is_some_and(|slash| slash > 0))
}

/// The package an import specifier names: `@acme/db/queries` → `@acme/db`, `lodash/get` →
/// `lodash`.
pub fn package_name(specifier: &str) -> &str {
    let mut slashes = specifier.match_indices('/').map(|(at, _)| at);
    let end = if specifier.starts_with('@') { slashes.nth(1) } else { slashes.next() };
    &specifier[..end.unwrap_or(specifier.len())]
}

#[cfg(test)]
mod tests {
    #[test]
    fn package_names_of_specifiers() {
        assert_eq!(super::package_name("@acme/db/orders"), "@acme/db");
        assert_eq!(super::package_name("@acme/db"), "@acme/db");
        assert_eq!(super::package_name("lodash/get"), "lodash");
        assert_eq!(super::package_name("express"), "express");
    }
}
