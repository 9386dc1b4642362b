//! Reading the runtime's log lines: `Program <id> invoke [<depth>]`,
//! `Program <id> failed: <reason>`, `Program log: ...`.

use std::str::FromStr;

use anchor_lang::prelude::Pubkey;

/// `(program, rest)` of a runtime line `Program <id> <rest>`.
fn program_line(line: &str) -> Option<(Pubkey, &str)> {
    let (id, rest) = line.strip_prefix("Program ")?.split_once(' ')?;
    Some((Pubkey::from_str(id).ok()?, rest))
}

fn is_top_level_invoke(line: &str) -> bool {
    program_line(line).is_some_and(|(_, rest)| rest == "invoke [1]")
}

/// The program of the `index`-th top-level instruction, counted from the
/// `invoke [1]` lines (every instruction logs one, compute budget included).
pub fn top_level_program(logs: &[String], index: usize) -> Option<Pubkey> {
    logs.iter()
        .filter_map(|line| program_line(line).filter(|(_, rest)| *rest == "invoke [1]"))
        .nth(index)
        .map(|(program, _)| program)
}

/// The first program to report `failed:`: the innermost one, which raised
/// the error (callers then fail with the same error).
pub fn innermost_failing_program(logs: &[String]) -> Option<Pubkey> {
    logs.iter().find_map(|line| {
        program_line(line)
            .filter(|(_, rest)| rest.starts_with("failed: "))
            .map(|(program, _)| program)
    })
}

/// The log lines of the last top-level instruction (the failing one, since
/// execution stops there), or every line when none is marked.
pub fn last_top_level_invocation(logs: &[String]) -> &[String] {
    let start = logs
        .iter()
        .rposition(|line| is_top_level_invoke(line))
        .unwrap_or(0);
    &logs[start..]
}
