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

/// A token amount in base units as a decimal string with the mint's
/// `decimals` (exact: "1.5", "0.000001", "12").
pub fn ui_amount(amount: u64, decimals: u8) -> String {
    if decimals == 0 {
        return amount.to_string();
    }
    let digits = format!("{amount:0>width$}", width = usize::from(decimals) + 1);
    let (whole, fraction) = digits.split_at(digits.len() - usize::from(decimals));
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// An amount for JSON: base units (integer) and the decimal string.
pub fn amount_json(amount: u64, decimals: u8) -> serde_json::Value {
    serde_json::json!({ "amount": amount, "ui_amount": ui_amount(amount, decimals), "decimals": decimals })
}

/// "1.5" with `decimals` as base units, exactly; refuses more decimals.
pub fn parse_ui_amount(text: &str, decimals: u8) -> anyhow::Result<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || (whole.is_empty() && fraction.is_empty()) {
        anyhow::bail!("{text:?} is not an amount (e.g. 10 or 2.5)");
    }
    if fraction.len() > usize::from(decimals) {
        anyhow::bail!("{text:?} has more than the mint's {decimals} decimals");
    }
    let scale = 10u64
        .checked_pow(u32::from(decimals))
        .ok_or_else(|| anyhow::anyhow!("{decimals} decimals is too many"))?;
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse()? };
    let fraction: u64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = usize::from(decimals)).parse()?
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(|| anyhow::anyhow!("{text} is too large"))
}

#[cfg(test)]
mod amount_tests {
    use super::*;

    #[test]
    fn amounts_round_trip_exactly() {
        assert_eq!(ui_amount(1_500_000, 6), "1.5");
        assert_eq!(ui_amount(1, 6), "0.000001");
        assert_eq!(ui_amount(12_000_000, 6), "12");
        assert_eq!(ui_amount(42, 0), "42");
        assert_eq!(parse_ui_amount("1.5", 6).unwrap(), 1_500_000);
        assert_eq!(parse_ui_amount("0.000001", 6).unwrap(), 1);
        assert_eq!(parse_ui_amount("7", 0).unwrap(), 7);
        assert!(parse_ui_amount("0.0000001", 6).is_err());
        assert!(parse_ui_amount("1.5", 0).is_err());
        assert!(parse_ui_amount("-1", 6).is_err());
        assert!(parse_ui_amount("18446744073709551616", 0).is_err());
        for amount in [0u64, 1, 999_999, 1_000_000, u64::MAX] {
            assert_eq!(parse_ui_amount(&ui_amount(amount, 6), 6).unwrap(), amount);
        }
    }
}
