//! `--output`: human text by default, or JSON (pretty or compact) whose
//! shape each command documents and keeps stable. JSON goes to stdout and
//! nothing else does in JSON mode; progress goes to stderr on a terminal.

use std::io::IsTerminal;

use clap::ValueEnum;
use serde_json::Value;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables and sentences.
    #[default]
    Display,
    /// Pretty-printed JSON.
    Json,
    /// JSON on one line.
    JsonCompact,
}

impl OutputFormat {
    pub fn is_json(self) -> bool {
        self != OutputFormat::Display
    }

    /// Prints the result: `json` in a JSON mode, else `human()`.
    pub fn print(self, json: &Value, human: impl FnOnce() -> String) {
        match self {
            OutputFormat::Display => println!("{}", human()),
            OutputFormat::Json => println!(
                "{}",
                serde_json::to_string_pretty(json).expect("JSON values serialize")
            ),
            OutputFormat::JsonCompact => println!("{json}"),
        }
    }

    /// A line for a person (stdout in display mode; nothing in JSON mode,
    /// whose stdout is the JSON alone).
    pub fn say(self, line: impl AsRef<str>) {
        if !self.is_json() {
            println!("{}", line.as_ref());
        }
    }

    /// Progress bars only for a person at a terminal.
    pub fn wants_progress(self) -> bool {
        !self.is_json() && std::io::stderr().is_terminal()
    }
}

/// Lamports as SOL with all nine decimals (exact, for people).
pub fn sol(lamports: u64) -> String {
    format!(
        "{}.{:09}",
        lamports / 1_000_000_000,
        lamports % 1_000_000_000
    )
}

/// Signed lamports as SOL (a refund shows as negative).
pub fn sol_signed(lamports: i128) -> String {
    let sign = if lamports < 0 { "-" } else { "" };
    let abs = lamports.unsigned_abs();
    format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sol_exactly() {
        assert_eq!(sol(18_500_000_001), "18.500000001");
        assert_eq!(sol(5_000), "0.000005000");
        assert_eq!(sol_signed(-5_000), "-0.000005000");
    }
}
