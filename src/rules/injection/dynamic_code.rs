//! `dynamic-code` (audit): strings built from run-time values that are not traced to a request (a
//! helper's parameter, the result of a call the taint view cannot see into) and evaluated as
//! JavaScript. The sinks and the walk are `code-injection`'s; this rule reports what that one
//! leaves out. Such code is one refactor away from evaluating request data, but on real services
//! most of it evaluates constants every caller passes, so it is opt-in.

use super::code_injection::CodeInjection;
use super::Reports;
use crate::rules::{check_option_names, Rule, RuleEntry, RuleOptions};

pub const ENTRY: RuleEntry = RuleEntry { id: "dynamic-code", build };

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(CodeInjection::reporting(ENTRY.id, Reports::NonConstant)))
}
