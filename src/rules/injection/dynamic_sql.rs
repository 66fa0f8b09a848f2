//! `dynamic-sql` (audit): SQL text built from run-time values that are not traced to a request (a
//! function's parameter, the result of a call the taint view cannot see into) and run as raw SQL.
//! The sinks and the walk are `sql-injection`'s; this rule reports what that one leaves out. Such
//! a query is one refactor away from taking request data, but most are built from constants and
//! checked values archlint cannot follow, so it is opt-in.

use super::sql_injection::SqlInjection;
use super::Reports;
use crate::rules::{check_option_names, Rule, RuleEntry, RuleOptions};

pub const ENTRY: RuleEntry = RuleEntry { id: "dynamic-sql", build };

fn build(options: &RuleOptions) -> Result<Box<dyn Rule>, String> {
    check_option_names(options, ENTRY.id)?;
    Ok(Box::new(SqlInjection::reporting(ENTRY.id, Reports::NonConstant)))
}
