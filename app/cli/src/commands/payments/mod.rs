//! `depin pay ...`: metered payment sessions. A device's controller (its
//! owner, or the asset's authority when tokenized) sets a tariff; a
//! customer opens a session with a deposit in escrow; the device signs
//! cumulative meter readings, which anyone submits; each settlement splits
//! the charge between the network's market fee, the device operator's cut
//! and the machine (its revenue pool when tokenized); a final reading or,
//! after the deadline, a reclaim refunds the rest.
//!
//! A DEVICE is its record's address (`depin device show` prints it) or the
//! address of its asset when tokenized; with `--network` it is the device's
//! own key. A SESSION is the session's address (printed by `session open`
//! and `session list`). Token amounts on the command line (`--price`,
//! `--min-deposit`, `--deposit`) are in the payment mint's base units.
//!
//! JSON shapes (token amounts are `{"amount", "ui_amount", "decimals"}`):
//! - tariff (`tariff show`): `{"address", "device", "network",
//!   "payment_mint", "unit": "wh"|"s"|"mb", "price_per_unit": AMOUNT,
//!   "min_deposit": AMOUNT, "max_session_secs", "operator_cut_bps",
//!   "paused", "stale", "controller", "tokenized", "market_fee_bps"}`;
//!   `tariff set` prints the same (without `stale`, `market_fee_bps`) plus
//!   `"created"`; `tariff pause|resume`: `{"address", "device", "paused"}`;
//! - session (`session show`, each of `session list`): `{"address",
//!   "device", "customer", "id", "payment_mint", "escrow", "refund_account",
//!   "fee_account"|null, "rent_payer", "unit", "price_per_unit": AMOUNT,
//!   "fee_bps", "operator_cut_bps", "deposit": AMOUNT, "settled": AMOUNT,
//!   "remaining": AMOUNT, "units", "sequence", "opened_at", "deadline",
//!   "expired"}`; `session list`: `{"customer"|"device", "sessions":
//!   [SESSION]}`;
//! - `session open`: `{"session", "device", "customer", "id", "deposit":
//!   AMOUNT, "source", "payment_mint", "unit", "price_per_unit": AMOUNT,
//!   "fee_bps", "operator_cut_bps", "deadline"}` (`deadline` read from the
//!   transaction's event; the expected one with --dry-run);
//! - `reading sign`: the signed reading, `{"device", "device_key",
//!   "registration", "session", "units", "sequence", "final", "signature"}`
//!   (what `reading submit` reads);
//! - `reading submit`, `settle`, `close`: `{"session", "device", "units",
//!   "sequence", "final", "amount": AMOUNT, "fee": AMOUNT, "operator":
//!   AMOUNT, "machine": AMOUNT, "to_revenue_pool", "settled": AMOUNT,
//!   "remaining": AMOUNT, "refunded": AMOUNT|null}` (`amount` is what this
//!   reading charged and how it split, read from the transaction's events;
//!   the program's own arithmetic on the session with --dry-run; `refunded`
//!   when the reading was final);
//! - `reclaim`: `{"session", "refunded": AMOUNT, "refund_account",
//!   "rent_payer"}`.
//!
//! Commands that send add `"transaction"` (see `tx`).

mod reading;
mod sessions;
mod shared;
mod tariff;
#[cfg(test)]
mod tests;

use std::io::Read;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use depin_client::device_signer::SignedReading;
use depin_client::payments::{self, MeterReading, MeterUnit};
use depin_client::Pubkey;

use super::network::NetworkRef;
use crate::tx::{Session, TxArgs};

use reading::{reclaim, settle, sign};
use sessions::sessions;
use shared::*;
use tariff::tariff;

/// What a tariff charges for, as the command line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    /// Energy delivered, per watt-hour.
    Wh,
    /// Service time, per second.
    S,
    /// Data moved, per megabyte.
    Mb,
}

impl From<UnitArg> for MeterUnit {
    fn from(unit: UnitArg) -> Self {
        match unit {
            UnitArg::Wh => MeterUnit::WattHour,
            UnitArg::S => MeterUnit::Second,
            UnitArg::Mb => MeterUnit::Megabyte,
        }
    }
}

pub fn unit_name(unit: MeterUnit) -> &'static str {
    match unit {
        MeterUnit::WattHour => "wh",
        MeterUnit::Second => "s",
        MeterUnit::Megabyte => "mb",
    }
}

/// The unit as people write it, for display output.
fn unit_label(unit: MeterUnit) -> &'static str {
    match unit {
        MeterUnit::WattHour => "Wh",
        MeterUnit::Second => "s",
        MeterUnit::Megabyte => "MB",
    }
}

/// A device: its record's or its asset's address, or its device key with --network.
#[derive(Args, Clone, Debug)]
pub struct DeviceArg {
    /// The device record's address (or its asset's); the device's own key with --network.
    pub device: Pubkey,
    /// DEVICE is the device's own key in this network (its id or address).
    #[arg(long)]
    pub network: Option<NetworkRef>,
}

#[derive(Args, Clone, Debug)]
pub struct ControllerArg {
    /// The device's controller: its owner, or the asset's authority when tokenized
    /// (a keypair file, or a public key when signing offline) [default: -k]
    #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
    pub controller: Option<String>,
}

#[derive(Subcommand)]
pub enum PayCommand {
    /// A device's price list: set (controller), show, pause, resume.
    #[command(subcommand)]
    Tariff(TariffCommand),
    /// A customer's prepaid sessions at a device: open, show, list.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Meter readings signed by the device: sign (device side), submit (anyone).
    #[command(subcommand)]
    Reading(ReadingCommand),
    /// Signs a cumulative reading with the device's keypair and settles it in one go.
    Settle {
        session: Pubkey,
        /// The device's keypair file (its registered device key), which signs the reading.
        #[arg(long, value_name = "KEYPAIR")]
        device_keypair: String,
        /// The session's cumulative meter reading (units since it opened).
        #[arg(long)]
        units: u64,
        /// The reading's sequence [default: the last settled one + 1]
        #[arg(long)]
        sequence: Option<u64>,
        /// The reading ends the session: the rest of the deposit goes back to the customer.
        #[arg(long = "final")]
        is_final: bool,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Ends a session with the device's final reading; the rest of the deposit goes back.
    Close {
        session: Pubkey,
        /// The device's keypair file, which signs the final reading.
        #[arg(long, value_name = "KEYPAIR")]
        device_keypair: String,
        /// The final cumulative reading [default: the units already settled]
        #[arg(long)]
        units: Option<u64>,
        /// The reading's sequence [default: the last settled one + 1]
        #[arg(long)]
        sequence: Option<u64>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Ends a session past its deadline (anyone): the unsettled deposit goes back to the
    /// customer, both rents to their payer.
    Reclaim {
        session: Pubkey,
        #[command(flatten)]
        tx: TxArgs,
    },
}

#[derive(Subcommand)]
pub enum TariffCommand {
    /// Sets (or creates) a device's tariff (its controller). Open sessions keep their terms.
    Set {
        #[command(flatten)]
        device: DeviceArg,
        /// The payment mint [default: the asset's payment mint when tokenized; required otherwise]
        #[arg(long, value_name = "MINT")]
        mint: Option<Pubkey>,
        /// What is metered: wh (energy), s (time), mb (data).
        #[arg(long, value_enum)]
        unit: UnitArg,
        /// Price of one unit, in base units of the payment mint.
        #[arg(long, value_name = "BASE_UNITS")]
        price: u64,
        /// Smallest deposit a session may open with, in base units.
        #[arg(long, value_name = "BASE_UNITS")]
        min_deposit: u64,
        /// Longest a session runs: seconds, or 90s, 30m, 12h, 7d (60 s to 30 days).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        max_session: u32,
        /// The operator's cut of every charge, in basis points (at most 5000), paid
        /// when the device has an operator.
        #[arg(long, value_name = "BPS", default_value_t = 0)]
        operator_cut: u16,
        #[command(flatten)]
        controller: ControllerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows a device's tariff.
    Show {
        #[command(flatten)]
        device: DeviceArg,
    },
    /// Stops new sessions at the device (its controller); open sessions run on.
    Pause {
        #[command(flatten)]
        device: DeviceArg,
        #[command(flatten)]
        controller: ControllerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Accepts new sessions again (its controller).
    Resume {
        #[command(flatten)]
        device: DeviceArg,
        #[command(flatten)]
        controller: ControllerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
}

#[derive(Subcommand)]
pub enum SessionCommand {
    /// Opens a session at a device: the deposit moves into the session's escrow.
    Open {
        #[command(flatten)]
        device: DeviceArg,
        /// Moved into escrow now, in base units of the tariff's mint: the most the
        /// session can charge (at least the tariff's minimum).
        #[arg(long, value_name = "BASE_UNITS")]
        deposit: u64,
        /// The session's id, unique per device and customer [default: a fresh one, from the clock]
        #[arg(long)]
        id: Option<u64>,
        /// The customer's token account that pays (and gets the rest back)
        /// [default: its account of the tariff's mint]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        from: Option<Pubkey>,
        /// The customer (a keypair file, or a public key when signing offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        customer: Option<String>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows a session.
    Show { session: Pubkey },
    /// Lists open sessions of a customer [default: the keypair's], or at a device.
    List {
        #[arg(long, value_name = "PUBKEY", conflicts_with = "device")]
        customer: Option<Pubkey>,
        /// Sessions at this device (its record's address).
        #[arg(long, value_name = "DEVICE")]
        device: Option<Pubkey>,
    },
}

#[derive(Subcommand)]
pub enum ReadingCommand {
    /// Signs a cumulative reading with the device's keypair and prints it as JSON
    /// (what a device sends; anyone submits it with `depin pay reading submit`).
    Sign {
        session: Pubkey,
        /// The device's keypair file (its registered device key).
        #[arg(long, value_name = "KEYPAIR")]
        device_keypair: String,
        /// The session's cumulative meter reading (units since it opened).
        #[arg(long)]
        units: u64,
        /// Strictly increasing per session [default: the last settled one + 1]
        #[arg(long)]
        sequence: Option<u64>,
        /// The reading ends the session.
        #[arg(long = "final")]
        is_final: bool,
    },
    /// Settles a signed reading (any fee payer): a JSON file, or - for stdin.
    Submit {
        #[arg(value_name = "FILE|-")]
        reading: String,
        #[command(flatten)]
        tx: TxArgs,
    },
}

impl PayCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        match self {
            PayCommand::Tariff(TariffCommand::Set { tx, .. })
            | PayCommand::Tariff(TariffCommand::Pause { tx, .. })
            | PayCommand::Tariff(TariffCommand::Resume { tx, .. })
            | PayCommand::Session(SessionCommand::Open { tx, .. })
            | PayCommand::Reading(ReadingCommand::Submit { tx, .. })
            | PayCommand::Settle { tx, .. }
            | PayCommand::Close { tx, .. }
            | PayCommand::Reclaim { tx, .. } => tx.clone(),
            PayCommand::Tariff(TariffCommand::Show { .. })
            | PayCommand::Session(SessionCommand::Show { .. })
            | PayCommand::Session(SessionCommand::List { .. })
            | PayCommand::Reading(ReadingCommand::Sign { .. }) => TxArgs::default(),
        }
    }
}

/// Seconds, or a number with s, m, h or d.
pub fn parse_duration(text: &str) -> Result<u32, String> {
    let error = || format!("{text:?} is not a duration: seconds, or e.g. 90s, 30m, 12h, 7d");
    let (digits, scale) = match text.char_indices().last() {
        Some((i, 's')) => (&text[..i], 1u64),
        Some((i, 'm')) => (&text[..i], 60),
        Some((i, 'h')) => (&text[..i], 3_600),
        Some((i, 'd')) => (&text[..i], 86_400),
        _ => (text, 1),
    };
    let count: u64 = digits.parse().map_err(|_| error())?;
    count
        .checked_mul(scale)
        .and_then(|secs| u32::try_from(secs).ok())
        .ok_or_else(|| format!("{text:?} is too long"))
}

pub async fn run(session: &Session, command: PayCommand) -> Result<()> {
    match command {
        PayCommand::Tariff(command) => tariff(session, command).await,
        PayCommand::Session(command) => sessions(session, command).await,
        PayCommand::Reading(ReadingCommand::Sign {
            session: address,
            device_keypair,
            units,
            sequence,
            is_final,
        }) => {
            let stored = load_session(session, &address).await?;
            let reading = MeterReading {
                units,
                sequence: sequence.unwrap_or(stored.sequence + 1),
                is_final,
            };
            let signed = sign(session, &address, &device_keypair, reading).await?;
            // The signed reading is the output in every format: it is what
            // `reading submit` reads back.
            let json = serde_json::to_value(signed)?;
            match session.output {
                crate::output::OutputFormat::JsonCompact => println!("{json}"),
                _ => println!("{}", serde_json::to_string_pretty(&json)?),
            }
            Ok(())
        }
        PayCommand::Reading(ReadingCommand::Submit { reading, .. }) => {
            let text = if reading == "-" {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading the signed reading from stdin")?;
                text
            } else {
                std::fs::read_to_string(&reading)
                    .with_context(|| format!("reading the signed reading {reading}"))?
            };
            let signed: SignedReading = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{reading} is not a signed reading (the JSON `depin pay reading sign` prints)"
                )
            })?;
            if !signed.verify() {
                bail!(
                    "the reading's signature does not verify against its device key {}: it was \
                     altered after signing, or signed by another key",
                    signed.target.device_key
                );
            }
            load_session(session, &signed.target.session).await?;
            let target =
                payments::reading_target(session.cluster()?, &signed.target.session).await?;
            if target.device_key != signed.target.device_key {
                bail!(
                    "the reading was signed by {}, but the session's device key is {}: the \
                     device must sign with its registered key",
                    signed.target.device_key,
                    target.device_key
                );
            }
            settle(session, signed).await
        }
        PayCommand::Settle {
            session: address,
            device_keypair,
            units,
            sequence,
            is_final,
            ..
        } => {
            let stored = load_session(session, &address).await?;
            let reading = MeterReading {
                units,
                sequence: sequence.unwrap_or(stored.sequence + 1),
                is_final,
            };
            let signed = sign(session, &address, &device_keypair, reading).await?;
            settle(session, signed).await
        }
        PayCommand::Close {
            session: address,
            device_keypair,
            units,
            sequence,
            ..
        } => {
            let stored = load_session(session, &address).await?;
            let reading = MeterReading {
                units: units.unwrap_or(stored.units),
                sequence: sequence.unwrap_or(stored.sequence + 1),
                is_final: true,
            };
            let signed = sign(session, &address, &device_keypair, reading).await?;
            settle(session, signed).await
        }
        PayCommand::Reclaim {
            session: address, ..
        } => reclaim(session, &address).await,
    }
}
