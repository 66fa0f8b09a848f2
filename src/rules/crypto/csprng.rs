//! The fix for a secret drawn from `Math.random()`: the same shape of value from Node's CSPRNG.
//! `Math.floor(Math.random() * n)` is `crypto.randomInt(n)` (uniform in `[0, n)`, as before);
//! `Math.random().toString(36).slice(2)` and its kin become hex from `crypto.randomBytes` (as
//! many characters when the slice says how many, 32 otherwise). Unsafe: the characters and the
//! length of a token change, and `node:crypto` is imported when the file has no handle on it.

use crate::diagnostic::Edit;
use crate::lang::typescript::model::{named_children, span_of};
use crate::lang::typescript::{FieldExt, TsModel};
use crate::rules::helpers::import_module_edit;
use crate::source::SourceFile;
use tree_sitter::Node;

/// `randomInt`'s bound must stay below 2⁴⁸.
const MAX_RANDOM_INT: u64 = (1 << 48) - 1;

/// The edits that draw the value `random` (a `Math.random()` call) feeds from `node:crypto`.
pub(super) fn csprng_edits(random: Node<'_>, model: &TsModel<'_>, file: &SourceFile) -> Option<Vec<Edit>> {
    let (local, import) = crypto_handle(random, model, file)?;
    let (span, replacement) = random_int(random, model, &local).or_else(|| random_string(random, model, &local))?;
    let mut edits = vec![Edit::replace(file, span, replacement)];
    edits.extend(import);
    Some(edits)
}

/// The name `node:crypto` goes by in the file, and the import to add when it has none.
fn crypto_handle(random: Node<'_>, model: &TsModel<'_>, file: &SourceFile) -> Option<(String, Option<Edit>)> {
    if let Some(local) = model.module_local("crypto") {
        return Some((local.to_string(), None));
    }
    // `crypto` bound to something else (or Web Crypto's global used on purpose) is not ours to
    // shadow.
    if model.declares("crypto") {
        return None;
    }
    let root = std::iter::successors(Some(random), |n| n.parent()).last()?;
    Some(("crypto".to_string(), Some(import_module_edit(root, "crypto", "node:crypto", model, file)?)))
}

/// `Math.floor(Math.random() * n)` → `crypto.randomInt(n)`, and `Math.floor(a + Math.random() * n)`
/// with an integer `a` → `a + crypto.randomInt(n)`.
fn random_int(random: Node<'_>, model: &TsModel<'_>, crypto: &str) -> Option<(crate::source::Span, String)> {
    let product = random.parent().filter(|p| p.kind() == "binary_expression" && operator(*p, model) == Some("*"))?;
    let bound = [product.field("left")?, product.field("right")?].into_iter().find(|o| o.id() != random.id())?;
    if integer(bound, model).is_some_and(|n| n > MAX_RANDOM_INT) {
        return None;
    }
    let mut argument = product;
    let mut offset = None;
    if let Some(sum) = product.parent().filter(|p| p.kind() == "binary_expression" && operator(*p, model) == Some("+")) {
        let other = [sum.field("left")?, sum.field("right")?].into_iter().find(|o| o.id() != product.id())?;
        offset = Some(integer(other, model).map(|_| model.text(other))?);
        argument = sum;
    }
    let arguments = argument.parent().filter(|p| p.kind() == "arguments")?;
    let floor = arguments.parent()?;
    if named_children(arguments).count() != 1 || model.qualified_name(floor.field("function")?).as_deref() != Some("Math.floor") {
        return None;
    }
    let draw = format!("{crypto}.randomInt({})", model.text(bound));
    Some((span_of(floor), offset.map_or(draw.clone(), |a| format!("{a} + {draw}"))))
}

/// `Math.random().toString(36)`, optionally `.slice(2)`, `.substring(2, 10)` or `.substr(2, 8)`
/// → hex of `crypto.randomBytes`.
fn random_string(random: Node<'_>, model: &TsModel<'_>, crypto: &str) -> Option<(crate::source::Span, String)> {
    let to_string = method_call(random, model)?;
    if to_string.0 != "toString" || to_string.2.len() != 1 {
        return None;
    }
    let mut whole = to_string.1;
    let mut length = None;
    if let Some((method, call, arguments)) = method_call(whole, model) {
        let numbers: Vec<u64> = arguments.iter().map(|a| integer(*a, model)).collect::<Option<_>>()?;
        length = match (method, numbers.as_slice()) {
            ("slice" | "substring" | "substr", [2]) => None,
            ("slice" | "substring", [2, end]) if *end > 2 => Some(end - 2),
            ("substr", [2, count]) if *count > 0 => Some(*count),
            _ => return None,
        };
        whole = call;
    }
    let draw = match length {
        None => format!("{crypto}.randomBytes(16).toString(\"hex\")"),
        Some(n) if n % 2 == 0 => format!("{crypto}.randomBytes({}).toString(\"hex\")", n / 2),
        Some(n) => format!("{crypto}.randomBytes({}).toString(\"hex\").slice(0, {n})", n.div_ceil(2)),
    };
    Some((span_of(whole), draw))
}

/// When `receiver` is the object of a method call `receiver.name(args)`: the name, the call and
/// its arguments.
fn method_call<'t>(receiver: Node<'t>, model: &TsModel<'t>) -> Option<(&'t str, Node<'t>, Vec<Node<'t>>)> {
    let member = receiver.parent().filter(|p| p.kind() == "member_expression")?;
    let call = member.parent().filter(|p| p.kind() == "call_expression")?;
    let name = model.text(member.field("property")?);
    let arguments = named_children(call.field("arguments")?).filter(|a| a.kind() != "comment").collect();
    Some((name, call, arguments))
}

fn operator<'t>(binary: Node<'_>, model: &TsModel<'t>) -> Option<&'t str> {
    binary.field("operator").map(|o| model.text(o))
}

/// A non-negative integer literal (`1_000_000`, `36`).
fn integer(node: Node<'_>, model: &TsModel<'_>) -> Option<u64> {
    (node.kind() == "number").then(|| model.text(node).replace('_', "").parse().ok())?
}
