//! Where a syntax node starts and ends, read from the tokens that delimit it.
//!
//! `syn`'s `Spanned::span` prints a node's tokens again to find the first and the last. The model
//! asks where every `let`, `if`, `match` arm and loop body ends; printing each of them re-prints
//! everything nested inside, which cost more than parsing the file. Blocks, statements and most
//! expressions know their first and last tokens; the rest fall back to `Spanned`.

use super::model::SourcePoint;
use proc_macro2::LineColumn;
use syn::spanned::Spanned;
use syn::{Expr, MacroDelimiter};

pub(super) fn point(at: LineColumn) -> SourcePoint {
    (at.line, at.column)
}

pub fn block_start(block: &syn::Block) -> SourcePoint {
    point(block.brace_token.span.open().start())
}

pub fn block_end(block: &syn::Block) -> SourcePoint {
    point(block.brace_token.span.close().end())
}

/// `let pattern = init;`, from `let` to `;` (outer attributes are not part of it).
pub fn local_extent(local: &syn::Local) -> (SourcePoint, SourcePoint) {
    (point(local.let_token.span.start()), point(local.semi_token.span.end()))
}

fn macro_end(mac: &syn::Macro) -> SourcePoint {
    let close = match &mac.delimiter {
        MacroDelimiter::Paren(p) => p.span.close(),
        MacroDelimiter::Brace(b) => b.span.close(),
        MacroDelimiter::Bracket(b) => b.span.close(),
    };
    point(close.end())
}

/// Where an expression starts. Outer attributes (`#[cfg(..)] expr`) are not counted.
pub fn expr_start(expr: &Expr) -> SourcePoint {
    match expr {
        Expr::Block(e) if e.label.is_none() && e.attrs.is_empty() => block_start(&e.block),
        Expr::If(e) if e.attrs.is_empty() => point(e.if_token.span.start()),
        Expr::Match(e) if e.attrs.is_empty() => point(e.match_token.span.start()),
        Expr::Call(e) if e.attrs.is_empty() => expr_start(&e.func),
        Expr::MethodCall(e) if e.attrs.is_empty() => expr_start(&e.receiver),
        Expr::Field(e) if e.attrs.is_empty() => expr_start(&e.base),
        Expr::Await(e) if e.attrs.is_empty() => expr_start(&e.base),
        Expr::Try(e) if e.attrs.is_empty() => expr_start(&e.expr),
        Expr::Index(e) if e.attrs.is_empty() => expr_start(&e.expr),
        Expr::Binary(e) if e.attrs.is_empty() => expr_start(&e.left),
        Expr::Path(e) if e.attrs.is_empty() && e.qself.is_none() => match (&e.path.leading_colon, e.path.segments.first()) {
            (Some(colon), _) => point(colon.spans[0].start()),
            (None, Some(first)) => point(first.ident.span().start()),
            (None, None) => point(expr.span().start()),
        },
        Expr::Lit(e) if e.attrs.is_empty() => point(e.lit.span().start()),
        Expr::Paren(e) if e.attrs.is_empty() => point(e.paren_token.span.open().start()),
        Expr::Tuple(e) if e.attrs.is_empty() => point(e.paren_token.span.open().start()),
        Expr::Array(e) if e.attrs.is_empty() => point(e.bracket_token.span.open().start()),
        Expr::Reference(e) if e.attrs.is_empty() => point(e.and_token.span.start()),
        Expr::Return(e) if e.attrs.is_empty() => point(e.return_token.span.start()),
        _ => point(expr.span().start()),
    }
}

/// Where an expression ends.
pub fn expr_end(expr: &Expr) -> SourcePoint {
    match expr {
        Expr::Block(e) => block_end(&e.block),
        Expr::Unsafe(e) => block_end(&e.block),
        Expr::Async(e) => block_end(&e.block),
        Expr::Loop(e) => block_end(&e.body),
        Expr::While(e) => block_end(&e.body),
        Expr::ForLoop(e) => block_end(&e.body),
        Expr::If(e) => match &e.else_branch {
            Some((_, otherwise)) => expr_end(otherwise),
            None => block_end(&e.then_branch),
        },
        Expr::Match(e) => point(e.brace_token.span.close().end()),
        Expr::Call(e) => point(e.paren_token.span.close().end()),
        Expr::MethodCall(e) => point(e.paren_token.span.close().end()),
        Expr::Macro(e) => macro_end(&e.mac),
        Expr::Paren(e) => point(e.paren_token.span.close().end()),
        Expr::Tuple(e) => point(e.paren_token.span.close().end()),
        Expr::Array(e) => point(e.bracket_token.span.close().end()),
        Expr::Index(e) => point(e.bracket_token.span.close().end()),
        Expr::Struct(e) => point(e.brace_token.span.close().end()),
        Expr::Await(e) => point(e.await_token.span.end()),
        Expr::Try(e) => point(e.question_token.span.end()),
        Expr::Lit(e) => point(e.lit.span().end()),
        Expr::Field(e) => match &e.member {
            syn::Member::Named(name) => point(name.span().end()),
            syn::Member::Unnamed(index) => point(index.span.end()),
        },
        Expr::Path(e) if e.path.segments.last().is_some_and(|s| s.arguments.is_none()) => {
            point(e.path.segments.last().expect("checked").ident.span().end())
        }
        Expr::Reference(e) => expr_end(&e.expr),
        Expr::Unary(e) => expr_end(&e.expr),
        Expr::Binary(e) => expr_end(&e.right),
        Expr::Assign(e) => expr_end(&e.right),
        Expr::Closure(e) => expr_end(&e.body),
        Expr::Return(e) => match &e.expr {
            Some(value) => expr_end(value),
            None => point(e.return_token.span.end()),
        },
        _ => point(expr.span().end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::visit::{self, Visit};

    /// Compares the fast extents with `Spanned` on every block, `let` and expression of a file.
    struct Compare {
        checked: usize,
    }

    impl<'a> Visit<'a> for Compare {
        fn visit_block(&mut self, block: &'a syn::Block) {
            assert_eq!(block_start(block), point(block.span().start()));
            assert_eq!(block_end(block), point(block.span().end()));
            self.checked += 1;
            visit::visit_block(self, block);
        }

        fn visit_local(&mut self, local: &'a syn::Local) {
            assert_eq!(local_extent(local), (point(local.span().start()), point(local.span().end())));
            self.checked += 1;
            visit::visit_local(self, local);
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            let text = quote::ToTokens::to_token_stream(expr).to_string();
            assert_eq!(expr_start(expr), point(expr.span().start()), "start of `{text}`");
            assert_eq!(expr_end(expr), point(expr.span().end()), "end of `{text}`");
            self.checked += 1;
            visit::visit_expr(self, expr);
        }
    }

    #[test]
    fn extents_match_what_spanned_finds() {
        let source = r#"
            async fn handler(q: Query<Params>, db: &Pool) -> Result<Json<Vec<Row>>, Error> {
                let limit: usize = q.limit.unwrap_or(10).min(100);
                let rows = sqlx::query_as::<_, Row>("SELECT * FROM t LIMIT $1").bind(limit as i64).fetch_all(db).await?;
                let first = rows[0].name.clone();
                let total = rows.iter().map(|r| r.size).sum::<u64>() + 1;
                if total > 10 { log::info!("big {}", total); } else if total == 0 { return Err(Error::Empty); } else {}
                match first.as_str() { "a" | "b" => {}, other => { let _ = (other, [1, 2], &total, -1, !true); } }
                for (i, row) in rows.iter().enumerate() { while i > 0 { break; } loop { break; } }
                let closure = move |x: u32| -> u32 { x * 2 };
                let s = Settings { name: String::from("x"), ..Default::default() };
                let t = (s.name, closure(2), std::env::var("X").ok(), unsafe { ptr() }, async { 1 }.await);
                Ok(Json(rows))
            }
        "#;
        let file = syn::parse_file(source).unwrap();
        let mut compare = Compare { checked: 0 };
        compare.visit_file(&file);
        assert!(compare.checked > 100, "{}", compare.checked);
    }

    #[test]
    fn extents_match_on_every_rust_fixture() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut compare = Compare { checked: 0 };
        for rule in std::fs::read_dir(fixtures).unwrap() {
            for file in std::fs::read_dir(rule.unwrap().path()).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if let Ok(file) = syn::parse_file(&text) {
                        compare.visit_file(&file);
                    }
                }
            }
        }
        assert!(compare.checked > 5000, "{}", compare.checked);
    }
}
