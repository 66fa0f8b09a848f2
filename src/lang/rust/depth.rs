//! A bound on how deeply parsing and visiting a Rust file recurse, read from its tokens before
//! `syn` sees them. `syn`'s parser, its visitors and the drop of its trees recurse once per level
//! of nesting, and nesting needs no brackets: `!!!!x`, `a + a + a`, `a.b.c`, `x?`, `|x| |x| x`,
//! `else if` chains and `Vec<Vec<T>>` nest as deep as they are long. A file whose bound is over
//! [`MAX_NESTING`](crate::lang::MAX_NESTING) is not parsed, so no input can overflow the stack.
//!
//! The bound: a group's depth is the largest, over the stretches of tokens between separators
//! inside it, of the operators, nesting keywords and groups in the stretch, plus the deepest
//! group in it. Separators are `;`, `,` (except inside `<..>` generics and `|..|` closure
//! parameters, where a comma separates nothing) and the end of a `{..}` block that no operator or
//! `else` continues. Identifiers and literals add nothing, so long argument lists and data tables
//! stay shallow.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Keywords that open a nested expression, type or pattern.
const NESTING_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "do", "dyn", "else", "fn", "for", "if", "impl", "in", "let", "loop", "match", "move",
    "mut", "ref", "return", "static", "try", "unsafe", "where", "while", "yield", "become",
];

/// One stretch of tokens being read inside one group.
#[derive(Default)]
struct Frame {
    /// Operators, keywords and groups so far in the current stretch.
    count: usize,
    /// The deepest group so far in the current stretch.
    deepest_group: usize,
    /// The deepest stretch of this group so far.
    max: usize,
    /// Unclosed `<` of generics (and, harmlessly, of comparisons).
    angles: usize,
    /// Between the `|`s of closure parameters.
    in_params: bool,
    /// The previous token ends an operand (an identifier, literal or group): a `|` after it is an
    /// operator, not closure parameters.
    after_operand: bool,
    /// The previous token closed a `{..}` group.
    after_block: bool,
    /// The previous token, when it is a punctuation character joined to this one (`-` of `->`).
    previous_joint: Option<char>,
    /// Inside `#[..]` or `#![..]` before its brackets: attributes (doc comments among them) nest
    /// nothing around them, so only what is inside their brackets counts.
    attribute: bool,
}

impl Frame {
    fn end_stretch(&mut self) {
        self.max = self.max.max(self.count + self.deepest_group);
        self.count = 0;
        self.deepest_group = 0;
        self.angles = 0;
        self.in_params = false;
    }

    fn separates(&self) -> bool {
        self.angles == 0 && !self.in_params
    }
}

/// The nesting bound of a token stream (0 for a stream of identifiers and literals).
pub fn nesting_bound(tokens: TokenStream) -> usize {
    // Iterative: the streams come from hostile files too.
    let mut stack: Vec<(Tokens, Frame)> = vec![(tokens.into_iter().peekable(), Frame::default())];
    loop {
        let (tokens, frame) = stack.last_mut().expect("the outermost stream stays on the stack");
        let Some(token) = tokens.next() else {
            let (_, mut finished) = stack.pop().expect("a stream is on the stack");
            finished.end_stretch();
            match stack.last_mut() {
                Some((_, parent)) => parent.deepest_group = parent.deepest_group.max(finished.max + 1),
                None => return finished.max,
            }
            continue;
        };
        if std::mem::take(&mut frame.after_block) {
            // A block statement or item ends here unless something continues the expression.
            let continues = match &token {
                TokenTree::Ident(ident) => ident == "else" || ident == "as",
                TokenTree::Punct(punct) => punct.as_char() != '#',
                TokenTree::Group(_) => true,
                TokenTree::Literal(_) => false,
            };
            if !continues && frame.separates() {
                frame.end_stretch();
            }
        }
        let previous_joint = frame.previous_joint.take();
        let attribute = std::mem::take(&mut frame.attribute);
        match token {
            TokenTree::Group(group) if attribute && group.delimiter() == Delimiter::Bracket => {
                frame.after_operand = false;
                stack.push((group.stream().into_iter().peekable(), Frame::default()));
            }
            TokenTree::Group(group) => {
                frame.count += 1;
                frame.after_operand = true;
                frame.after_block = group.delimiter() == Delimiter::Brace;
                stack.push((group.stream().into_iter().peekable(), Frame::default()));
            }
            TokenTree::Punct(punct) if punct.as_char() == '#' || (attribute && punct.as_char() == '!') => frame.attribute = true,
            TokenTree::Ident(ident) => {
                let keyword = NESTING_KEYWORDS.iter().any(|k| ident == k);
                frame.count += usize::from(keyword);
                frame.after_operand = !keyword;
            }
            TokenTree::Literal(_) => frame.after_operand = true,
            TokenTree::Punct(punct) => {
                let c = punct.as_char();
                let joint = punct.spacing() == Spacing::Joint;
                let joined_to =
                    |next: Option<&TokenTree>, second: char| joint && matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == second);
                match c {
                    ';' => frame.end_stretch(),
                    ',' if frame.separates() => frame.end_stretch(),
                    ',' => {}
                    _ => frame.count += 1,
                }
                match c {
                    // `<=` compares.
                    '<' if !joined_to(tokens.peek(), '=') => frame.angles += 1,
                    // `->` and `=>` close nothing; `>=` compares.
                    '>' if !matches!(previous_joint, Some('-' | '=')) && !joined_to(tokens.peek(), '=') => {
                        frame.angles = frame.angles.saturating_sub(1);
                    }
                    '|' if frame.in_params => frame.in_params = false,
                    // `a || b`, `a |= b`: an operator; its second half is read with it.
                    '|' if frame.after_operand && (joined_to(tokens.peek(), '|') || joined_to(tokens.peek(), '=')) => {
                        tokens.next();
                        frame.count += 1;
                    }
                    // `a | b`
                    '|' if frame.after_operand => {}
                    '|' => frame.in_params = true,
                    _ => {}
                }
                frame.after_operand = c == '?';
                frame.previous_joint = joint.then_some(c);
            }
        }
    }
}

type Tokens = std::iter::Peekable<proc_macro2::token_stream::IntoIter>;
