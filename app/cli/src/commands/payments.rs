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

use std::io::Read;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use depin_client::depin_payments::events::SessionEnd;
use depin_client::depin_payments::state::{
    MAX_OPERATOR_CUT_BPS, MAX_SESSION_SECS, MIN_SESSION_SECS,
};
use depin_client::depin_registry::state::Device;
use depin_client::device_signer::{self, SignedReading};
use depin_client::events::{payments_events, PaymentsEvent};
use depin_client::payments::{
    self, Machine, MeterReading, MeterUnit, OpenSessionArgs, Session as PaySession, Split,
    TariffTerms,
};
use depin_client::{fractional, ClientError, Cluster, Keypair, Pubkey, Sent, Signer};
use serde_json::{json, Value};

use super::fractional::{decimals, paying_account, signer};
use super::network::{object_human, NetworkRef};
use crate::output::{amount_json, ui_amount};
use crate::table::Table;
use crate::tx::{Outcome, Session, TxArgs};

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

/// A device record by the ways DEVICE may name it.
async fn load_device(session: &Session, arg: &DeviceArg) -> Result<(Pubkey, Device)> {
    let cluster = session.cluster()?;
    let address = match arg.network {
        Some(network) => depin_client::depin_registry::pda::device(&network.0, &arg.device).0,
        None => arg.device,
    };
    let not_a_device = || {
        anyhow!(
            "{address} is not a device: give its record's address (`depin device show NETWORK \
             DEVICE_KEY` prints it), its asset's address, or its device key with --network"
        )
    };
    let account = cluster
        .get_account(&address)
        .await?
        .ok_or_else(not_a_device)?;
    let record = if account.owner == depin_client::depin_fractional::ID {
        let (keys, _) = fractional::resolve_asset(cluster, &address)
            .await
            .map_err(|_| not_a_device())?;
        keys.device
    } else if account.owner == depin_client::depin_registry::ID {
        address
    } else {
        return Err(not_a_device());
    };
    let device: Device = depin_client::fetch(cluster, &record)
        .await
        .map_err(|_| not_a_device())?;
    Ok((record, device))
}

/// Who controls a device, and its payment mint when tokenized.
struct Control {
    controller: Pubkey,
    asset_mint: Option<Pubkey>,
}

async fn control_of(session: &Session, device: &Device) -> Result<Control> {
    Ok(
        match payments::machine_of(session.cluster()?, device).await? {
            Machine::Owned { owner } => Control {
                controller: owner,
                asset_mint: None,
            },
            Machine::Tokenized { asset, .. } => Control {
                controller: asset.authority,
                asset_mint: Some(asset.payment_mint),
            },
        },
    )
}

async fn load_tariff(session: &Session, record: &Pubkey) -> Result<payments::Tariff> {
    payments::tariff_optional(session.cluster()?, record)
        .await?
        .ok_or_else(|| {
            anyhow!(
                "device {record} has no tariff: its controller sets one with `depin pay tariff set \
                 {record} --unit wh --price N --min-deposit N --max-session 1h --mint MINT`"
            )
        })
}

async fn load_session(session: &Session, address: &Pubkey) -> Result<PaySession> {
    match payments::session_optional(session.cluster()?, address).await {
        Ok(Some(stored)) => Ok(stored),
        Ok(None) => bail!(
            "session {address} does not exist: it ended (a final reading or a reclaim closes it) \
             or the address is wrong (`depin pay session list` shows open ones)"
        ),
        Err(ClientError::Decode { .. }) => {
            bail!("{address} is not a payment session (`depin pay session list` shows them)")
        }
        Err(error) => Err(error.into()),
    }
}

/// A keypair file given with `flag` (not the -k wording of a missing file).
fn keypair_file(path: &str, flag: &str) -> Result<Keypair> {
    if !Path::new(path).exists() {
        bail!("{flag} {path}: no such keypair file");
    }
    crate::config::read_keypair(Path::new(path), &crate::config::Source::Flag)
        .with_context(|| format!("{flag} {path}"))
}

/// The program error's name when `error` is a failed transaction.
fn program_error_name(error: &anyhow::Error) -> Option<String> {
    error
        .downcast_ref::<ClientError>()
        .and_then(ClientError::error_name)
        .map(str::to_string)
}

/// Adds what to do about a refusal the payments program named.
fn with_hint(error: anyhow::Error, hint: impl FnOnce(&str) -> Option<String>) -> anyhow::Error {
    match program_error_name(&error).as_deref().and_then(hint) {
        Some(hint) => anyhow!("{error:#}\n{hint}"),
        None => error,
    }
}

/// Sends through `session.execute` and adds `hint` to a refusal.
async fn execute(
    session: &Session,
    instructions: &[depin_client::Instruction],
    signers: &[&crate::tx::SignerSource],
    hint: impl FnOnce(&str) -> Option<String>,
) -> Result<Outcome> {
    session
        .execute(instructions, signers)
        .await
        .map_err(|error| with_hint(error, hint))
}

fn tariff_json(
    address: &Pubkey,
    tariff: &payments::Tariff,
    decimals: u8,
    controller: &Pubkey,
    tokenized: bool,
) -> Value {
    json!({
        "address": address.to_string(),
        "device": tariff.device.to_string(),
        "network": tariff.network.to_string(),
        "payment_mint": tariff.payment_mint.to_string(),
        "unit": unit_name(tariff.unit),
        "price_per_unit": amount_json(tariff.price_per_unit, decimals),
        "min_deposit": amount_json(tariff.min_deposit, decimals),
        "max_session_secs": tariff.max_session_secs,
        "operator_cut_bps": tariff.operator_cut_bps,
        "paused": tariff.paused,
        "controller": controller.to_string(),
        "tokenized": tokenized,
    })
}

fn session_json(address: &Pubkey, s: &PaySession, decimals: u8, now: i64) -> Value {
    json!({
        "address": address.to_string(),
        "device": s.device.to_string(),
        "customer": s.customer.to_string(),
        "id": s.id,
        "payment_mint": s.payment_mint.to_string(),
        "escrow": s.escrow.to_string(),
        "refund_account": s.refund_account.to_string(),
        "fee_account": (s.fee_bps > 0).then(|| s.fee_account.to_string()),
        "rent_payer": s.rent_payer.to_string(),
        "unit": unit_name(s.unit),
        "price_per_unit": amount_json(s.price_per_unit, decimals),
        "fee_bps": s.fee_bps,
        "operator_cut_bps": s.operator_cut_bps,
        "deposit": amount_json(s.deposit, decimals),
        "settled": amount_json(s.settled, decimals),
        "remaining": amount_json(s.deposit.saturating_sub(s.settled), decimals),
        "units": s.units,
        "sequence": s.sequence,
        "opened_at": s.opened_at,
        "deadline": s.deadline,
        "expired": now > s.deadline,
    })
}

/// "in 42 s" / "42 s ago" from the cluster's clock.
fn relative(when: i64, now: i64) -> String {
    if when >= now {
        format!("in {} s", when - now)
    } else {
        format!("{} s ago", now - when)
    }
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

async fn tariff(session: &Session, command: TariffCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        TariffCommand::Set {
            device,
            mint,
            unit,
            price,
            min_deposit,
            max_session,
            operator_cut,
            controller,
            ..
        } => {
            let terms = TariffTerms {
                unit: unit.into(),
                price_per_unit: price,
                min_deposit,
                max_session_secs: max_session,
                operator_cut_bps: operator_cut,
            };
            check_terms(&terms)?;
            let (record, stored) = load_device(session, &device).await?;
            let control = control_of(session, &stored).await?;
            let mint = match (mint, control.asset_mint) {
                (Some(mint), Some(asset_mint)) if mint != asset_mint => bail!(
                    "device {record} is tokenized: it charges in its asset's payment mint \
                     {asset_mint} (its holders are paid in it), not {mint}; leave out --mint"
                ),
                (Some(mint), _) => mint,
                (None, Some(asset_mint)) => asset_mint,
                (None, None) => bail!("--mint MINT is required: the token the device charges in"),
            };
            let decimals = decimals(session, &mint).await?;
            let signer = signer(session, controller.controller.as_deref(), "--controller")?;
            let network = depin_client::depin_registry::pda::network(stored.network_id).0;
            let address = payments::tariff_address(&record);
            let created = session.cluster()?.get_account(&address).await?.is_none();
            let ix = payments::set_tariff(
                &payer,
                &signer.pubkey(),
                &network,
                &record,
                &stored.owner,
                &mint,
                terms,
            );
            let tariff = payments::Tariff {
                device: record,
                network,
                registration: stored.registration,
                payment_mint: mint,
                unit: terms.unit,
                price_per_unit: price,
                min_deposit,
                max_session_secs: max_session,
                operator_cut_bps: operator_cut,
                paused: false,
                bump: 0,
            };
            let mut summary = tariff_json(
                &address,
                &tariff,
                decimals,
                &control.controller,
                control.asset_mint.is_some(),
            );
            if !created {
                // Setting keeps the pause as it is.
                let before = payments::tariff(session.cluster()?, &record).await?;
                summary["paused"] = json!(before.paused);
            }
            summary["created"] = json!(created);
            let controller_key = control.controller;
            let outcome = execute(session, &[ix], &[&signer], |name| {
                controller_hint(name, &record, &controller_key, &signer.pubkey())
                    .or_else(|| device_hint(name, &record))
            })
            .await?;
            session.print(&outcome, summary, || {
                format!(
                    "Tariff of device {record}: {} per {} (mint {mint}), deposit at least {}, \
                     sessions up to {max_session} s, operator cut {operator_cut} bps",
                    ui_amount(price, decimals),
                    unit_label(terms.unit),
                    ui_amount(min_deposit, decimals),
                )
            });
            Ok(())
        }
        TariffCommand::Show { device } => {
            let (record, stored) = load_device(session, &device).await?;
            let tariff = load_tariff(session, &record).await?;
            let control = control_of(session, &stored).await?;
            let decimals = decimals(session, &tariff.payment_mint).await?;
            let market = fractional::market(session.cluster()?, &tariff.network).await?;
            let mut json = tariff_json(
                &payments::tariff_address(&record),
                &tariff,
                decimals,
                &control.controller,
                control.asset_mint.is_some(),
            );
            json["stale"] = json!(tariff.registration != stored.registration);
            json["market_fee_bps"] = json!(market.map_or(0, |m| m.fee_bps));
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        TariffCommand::Pause {
            device, controller, ..
        } => set_paused(session, &device, &controller, true).await,
        TariffCommand::Resume {
            device, controller, ..
        } => set_paused(session, &device, &controller, false).await,
    }
}

/// The program's range check, said field by field before sending.
fn check_terms(terms: &TariffTerms) -> Result<()> {
    if terms.price_per_unit == 0 {
        bail!("--price must be above 0 (base units of the payment mint per unit)");
    }
    if terms.min_deposit == 0 {
        bail!("--min-deposit must be above 0");
    }
    if !(MIN_SESSION_SECS..=MAX_SESSION_SECS).contains(&terms.max_session_secs) {
        bail!(
            "--max-session must be between {MIN_SESSION_SECS} s and {MAX_SESSION_SECS} s (30 days), \
             not {} s",
            terms.max_session_secs
        );
    }
    if terms.operator_cut_bps > MAX_OPERATOR_CUT_BPS {
        bail!(
            "--operator-cut is at most {MAX_OPERATOR_CUT_BPS} bps (half of every charge), not {}",
            terms.operator_cut_bps
        );
    }
    Ok(())
}

fn controller_hint(
    name: &str,
    device: &Pubkey,
    controller: &Pubkey,
    signer: &Pubkey,
) -> Option<String> {
    (name == "NotDeviceController").then(|| {
        format!(
            "{signer} does not control device {device}; its controller is {controller} (the \
             owner, or the asset's authority when tokenized): sign with its keypair \
             (--controller or -k)"
        )
    })
}

fn device_hint(name: &str, device: &Pubkey) -> Option<String> {
    match name {
        "DeviceNotActive" => Some(format!(
            "device {device} is suspended or retired: a device-manager resumes a suspended one \
             (`depin device resume`)"
        )),
        "NetworkPaused" => Some(
            "the device's network is paused: its admin lifts it with `depin network unpause`"
                .into(),
        ),
        "StaleTariff" => Some(format!(
            "device {device} was registered again since its tariff was set: its controller sets \
             it anew (`depin pay tariff set {device} ...`)"
        )),
        _ => None,
    }
}

async fn set_paused(
    session: &Session,
    device: &DeviceArg,
    controller: &ControllerArg,
    paused: bool,
) -> Result<()> {
    let (record, stored) = load_device(session, device).await?;
    load_tariff(session, &record).await?;
    let control = control_of(session, &stored).await?;
    let signer = signer(session, controller.controller.as_deref(), "--controller")?;
    let ix = payments::set_tariff_paused(&signer.pubkey(), &record, &stored.owner, paused);
    let address = payments::tariff_address(&record);
    let summary = json!({
        "address": address.to_string(),
        "device": record.to_string(),
        "paused": paused,
    });
    let outcome = execute(session, &[ix], &[&signer], |name| {
        controller_hint(name, &record, &control.controller, &signer.pubkey())
    })
    .await?;
    session.print(&outcome, summary, || {
        if paused {
            format!("Tariff of device {record} paused: no new sessions")
        } else {
            format!("Tariff of device {record} resumed: sessions may open")
        }
    });
    Ok(())
}

async fn sessions(session: &Session, command: SessionCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        SessionCommand::Open {
            device,
            deposit,
            id,
            from,
            customer,
            ..
        } => {
            let (record, _) = load_device(session, &device).await?;
            let tariff = load_tariff(session, &record).await?;
            let cluster = session.cluster()?;
            let decimals = decimals(session, &tariff.payment_mint).await?;
            let customer = signer(session, customer.as_deref(), "--customer")?;
            let id = match id {
                Some(id) => id,
                None => fresh_id(session, &record, &customer.pubkey()).await?,
            };
            let address = payments::session_address(&record, &customer.pubkey(), id);
            if cluster.get_account(&address).await?.is_some() {
                bail!(
                    "{} already has session {id} at device {record} ({address}): choose another \
                     --id, or leave it out for a fresh one",
                    customer.pubkey()
                );
            }
            let what = format!("a session deposit of {}", ui_amount(deposit, decimals));
            let source = paying_account(
                session,
                &customer.pubkey(),
                &tariff.payment_mint,
                from,
                deposit,
                &what,
            )
            .await?;
            let plan = payments::open_session_instructions(
                cluster,
                &payer,
                &customer.pubkey(),
                &record,
                OpenSessionArgs { id, deposit },
                Some(source),
            )
            .await?;
            let market = fractional::market(cluster, &tariff.network).await?;
            let now = cluster.unix_timestamp().await?;
            let expected_deadline = now + i64::from(tariff.max_session_secs);
            let tariff_for_hint = tariff.clone();
            let outcome = execute(session, &plan.instructions, &[&customer], |name| {
                open_hint(name, &record, &tariff_for_hint, decimals)
            })
            .await?;
            let opened = sent_of(&outcome).and_then(|sent| {
                payments_events(&sent.logs)
                    .into_iter()
                    .find_map(|e| match e {
                        PaymentsEvent::SessionOpened(e) => Some(e),
                        _ => None,
                    })
            });
            let deadline = opened.as_ref().map_or(expected_deadline, |e| e.deadline);
            let fee_bps = opened
                .as_ref()
                .map_or(market.map_or(0, |m| m.fee_bps), |e| e.fee_bps);
            let summary = json!({
                "session": address.to_string(),
                "device": record.to_string(),
                "customer": customer.pubkey().to_string(),
                "id": id,
                "deposit": amount_json(deposit, decimals),
                "source": source.to_string(),
                "payment_mint": tariff.payment_mint.to_string(),
                "unit": unit_name(tariff.unit),
                "price_per_unit": amount_json(tariff.price_per_unit, decimals),
                "fee_bps": fee_bps,
                "operator_cut_bps": tariff.operator_cut_bps,
                "deadline": deadline,
            });
            session.print(&outcome, summary, || {
                format!(
                    "Session {address} (id {id}) open at device {record}: deposit {} in escrow, \
                     {} per {}, deadline {deadline} ({})",
                    ui_amount(deposit, decimals),
                    ui_amount(tariff.price_per_unit, decimals),
                    unit_label(tariff.unit),
                    relative(deadline, now)
                )
            });
            Ok(())
        }
        SessionCommand::Show { session: address } => {
            let stored = load_session(session, &address).await?;
            let decimals = decimals(session, &stored.payment_mint).await?;
            let now = session.cluster()?.unix_timestamp().await?;
            let json = session_json(&address, &stored, decimals, now);
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        SessionCommand::List { customer, device } => {
            let cluster = session.cluster()?;
            let (key, found) = match device {
                Some(device) => (
                    json!({ "device": device.to_string() }),
                    depin_client::fetch_all::<PaySession>(
                        cluster,
                        &depin_client::depin_payments::ID,
                        &[depin_client::AccountFilter::Memcmp {
                            offset: payments::offsets::SESSION_DEVICE,
                            bytes: device.to_bytes().to_vec(),
                        }],
                    )
                    .await?,
                ),
                None => {
                    let customer = customer.unwrap_or(payer);
                    (
                        json!({ "customer": customer.to_string() }),
                        payments::sessions_of(cluster, &customer).await?,
                    )
                }
            };
            let now = cluster.unix_timestamp().await?;
            let mut found = found;
            found.sort_by_key(|(_, s)| (s.opened_at, s.id));
            let mut list = vec![];
            for (address, stored) in &found {
                let decimals = decimals(session, &stored.payment_mint).await?;
                list.push(session_json(address, stored, decimals, now));
            }
            let mut json = key;
            json["sessions"] = Value::Array(list.clone());
            session.output.print(&json, || {
                let mut table = Table::new(&[
                    "session", "device", "customer", "deposit", "settled", "units", "deadline",
                ]);
                for s in &list {
                    table.row(vec![
                        text(&s["address"]),
                        text(&s["device"]),
                        text(&s["customer"]),
                        text(&s["deposit"]["ui_amount"]),
                        text(&s["settled"]["ui_amount"]),
                        s["units"].to_string(),
                        format!(
                            "{}{}",
                            s["deadline"],
                            if s["expired"] == true {
                                " (expired)"
                            } else {
                                ""
                            }
                        ),
                    ]);
                }
                table.render()
            });
            Ok(())
        }
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string())
}

/// An unused session id from the clock (milliseconds), moved on while taken.
async fn fresh_id(session: &Session, device: &Pubkey, customer: &Pubkey) -> Result<u64> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    for id in millis..millis + 100 {
        let address = payments::session_address(device, customer, id);
        if session.cluster()?.get_account(&address).await?.is_none() {
            return Ok(id);
        }
    }
    bail!("no free session id near {millis}: pass --id")
}

fn open_hint(
    name: &str,
    device: &Pubkey,
    tariff: &payments::Tariff,
    decimals: u8,
) -> Option<String> {
    match name {
        "TariffPaused" => Some(format!(
            "device {device} takes no new sessions now: its controller resumes them with \
             `depin pay tariff resume {device}`"
        )),
        "DepositTooSmall" => Some(format!(
            "the tariff asks a deposit of at least {} ({} base units): open with --deposit {} or more",
            ui_amount(tariff.min_deposit, decimals),
            tariff.min_deposit,
            tariff.min_deposit
        )),
        other => device_hint(other, device),
    }
}

fn sent_of(outcome: &Outcome) -> Option<&Sent> {
    match outcome {
        Outcome::Sent(sent) => Some(sent),
        _ => None,
    }
}

/// Signs `reading` of the session at `address` with the device keypair,
/// checked to be the device's registered key.
async fn sign(
    session: &Session,
    address: &Pubkey,
    device_keypair: &str,
    reading: MeterReading,
) -> Result<SignedReading> {
    let keypair = keypair_file(device_keypair, "--device-keypair")?;
    let target = payments::reading_target(session.cluster()?, address).await?;
    if keypair.pubkey() != target.device_key {
        bail!(
            "--device-keypair {device_keypair} holds the key {}, but the session's device {} has \
             the key {}: sign with the device's own keypair",
            keypair.pubkey(),
            target.device,
            target.device_key
        );
    }
    Ok(device_signer::sign_reading(&target, reading, &keypair))
}

/// What a settlement charges and refunds, as the program will compute it
/// (for --dry-run and as a fallback when the logs carry no events).
struct Expected {
    split: Split,
    to_revenue_pool: bool,
    settled: u64,
    refunded: Option<u64>,
}

async fn expected(
    session: &Session,
    stored: &PaySession,
    reading: &MeterReading,
) -> Result<Option<Expected>> {
    let cluster = session.cluster()?;
    let device: Device = depin_client::fetch(cluster, &stored.device).await?;
    let now = cluster.unix_timestamp().await?;
    let has_operator = device.operator != Pubkey::default();
    let mut after = stored.clone();
    let Ok(split) = after.settle(reading, &device, now, has_operator) else {
        return Ok(None);
    };
    let to_revenue_pool = split.machine > 0
        && matches!(
            payments::machine_of(cluster, &device).await?,
            Machine::Tokenized { pool, .. } if pool.total_weight > 0
        );
    let refunded = if reading.is_final {
        let escrow = depin_client::token::balance(cluster, &stored.escrow).await?;
        Some(escrow.saturating_sub(split.amount))
    } else {
        None
    };
    Ok(Some(Expected {
        split,
        to_revenue_pool,
        settled: after.settled,
        refunded,
    }))
}

/// Settles a signed reading (creating missing payout accounts first) and
/// prints the split.
async fn settle(session: &Session, signed: SignedReading) -> Result<()> {
    let address = signed.target.session;
    let stored = load_session(session, &address).await?;
    let cluster = session.cluster()?;
    let decimals = decimals(session, &stored.payment_mint).await?;
    let reading = signed.reading;
    let predicted = expected(session, &stored, &reading).await?;
    let instructions =
        payments::settle_reading_instructions(cluster, &session.fee_payer.pubkey(), &signed)
            .await?;
    let now = cluster.unix_timestamp().await?;
    let outcome = execute(session, &instructions, &[], |name| {
        settle_hint(name, &address, &stored, &reading, decimals, now)
    })
    .await?;
    let events = sent_of(&outcome)
        .map(|sent| payments_events(&sent.logs))
        .unwrap_or_default();
    let settled_event = events.iter().find_map(|e| match e {
        PaymentsEvent::SessionSettled(e) => Some(e.clone()),
        _ => None,
    });
    let closed_event = events.iter().find_map(|e| match e {
        PaymentsEvent::SessionClosed(e) if e.end == SessionEnd::Final => Some(e.clone()),
        _ => None,
    });
    let (split, to_revenue_pool, settled, refunded) = match (&settled_event, &predicted) {
        (Some(e), _) => (
            Split {
                amount: e.amount,
                fee: e.fee,
                operator: e.operator,
                machine: e.machine,
            },
            e.to_revenue_pool,
            e.settled,
            closed_event.map(|c| c.refunded),
        ),
        (None, Some(p)) => (p.split, p.to_revenue_pool, p.settled, p.refunded),
        (None, None) => bail!(
            "the settlement's outcome could not be read (no event in the transaction's logs): \
             `depin pay session show {address}`"
        ),
    };
    let remaining = stored.deposit.saturating_sub(settled);
    let summary = json!({
        "session": address.to_string(),
        "device": stored.device.to_string(),
        "units": reading.units,
        "sequence": reading.sequence,
        "final": reading.is_final,
        "amount": amount_json(split.amount, decimals),
        "fee": amount_json(split.fee, decimals),
        "operator": amount_json(split.operator, decimals),
        "machine": amount_json(split.machine, decimals),
        "to_revenue_pool": to_revenue_pool,
        "settled": amount_json(settled, decimals),
        "remaining": amount_json(remaining, decimals),
        "refunded": refunded.map(|r| amount_json(r, decimals)),
    });
    session.print(&outcome, summary, || {
        let machine = if to_revenue_pool {
            "the machine's revenue pool"
        } else {
            "the machine"
        };
        let mut line = format!(
            "Settled {} {} of session {address} (sequence {}): charged {} = fee {} + operator {} \
             + {machine} {}; {} of the deposit of {} settled",
            reading.units,
            unit_label(stored.unit),
            reading.sequence,
            ui_amount(split.amount, decimals),
            ui_amount(split.fee, decimals),
            ui_amount(split.operator, decimals),
            ui_amount(split.machine, decimals),
            ui_amount(settled, decimals),
            ui_amount(stored.deposit, decimals),
        );
        if let Some(refunded) = refunded {
            line.push_str(&format!(
                "\nSession closed: {} refunded to {}",
                ui_amount(refunded, decimals),
                stored.refund_account
            ));
        }
        line
    });
    Ok(())
}

fn settle_hint(
    name: &str,
    address: &Pubkey,
    s: &PaySession,
    reading: &MeterReading,
    decimals: u8,
    now: i64,
) -> Option<String> {
    match name {
        "ReadingReplayed" => Some(format!(
            "session {address} already settled the reading with sequence {}: this one ({}) was \
             submitted before or is older; sign a new reading with --sequence {} or above",
            s.sequence,
            reading.sequence,
            s.sequence + 1
        )),
        "ReadingNotIncreasing" => Some(format!(
            "session {address} has settled {} units: readings are cumulative, so --units must be \
             above {} (a final reading may repeat it: `depin pay close`)",
            s.units, s.units
        )),
        "ImplausibleReading" => Some(format!(
            "{} units in the {} s since the session opened is more than the device's registered \
             capacity allows: wait, or check the meter",
            reading.units,
            now.saturating_sub(s.opened_at)
        )),
        "DepositExhausted" => Some(format!(
            "the whole deposit of {} is charged: end the session with a final reading \
             (`depin pay close {address} --device-keypair FILE`)",
            ui_amount(s.deposit, decimals)
        )),
        "SessionExpired" => Some(format!(
            "session {address} passed its deadline {} ({}): nothing settles now; anyone ends it \
             with `depin pay reclaim {address}`",
            s.deadline,
            relative(s.deadline, now)
        )),
        "RegistrationChanged" => Some(
            "the device was registered again since the session opened: its readings no longer \
             settle; the session ends by `depin pay reclaim` after its deadline"
                .into(),
        ),
        "ReadingSignerMismatch" | "ReadingMessageMismatch" => Some(
            "the reading was not signed by the device's current key for this session: sign it \
             again with `depin pay reading sign`"
                .into(),
        ),
        _ => None,
    }
}

async fn reclaim(session: &Session, address: &Pubkey) -> Result<()> {
    let stored = load_session(session, address).await?;
    let cluster = session.cluster()?;
    let decimals = decimals(session, &stored.payment_mint).await?;
    let escrow = depin_client::token::balance(cluster, &stored.escrow).await?;
    let now = cluster.unix_timestamp().await?;
    let ix = payments::reclaim(address, &payments::SessionKeys::of(&stored));
    let deadline = stored.deadline;
    let outcome = execute(session, &[ix], &[], |name| {
        (name == "SessionNotExpired").then(|| {
            format!(
                "session {address} runs until {deadline} ({} on the cluster's clock): until then \
                 only the device's final reading ends it (`depin pay close`); reclaim after the \
                 deadline",
                relative(deadline, now)
            )
        })
    })
    .await?;
    let refunded = sent_of(&outcome)
        .and_then(|sent| {
            payments_events(&sent.logs)
                .into_iter()
                .find_map(|e| match e {
                    PaymentsEvent::SessionClosed(e) => Some(e.refunded),
                    _ => None,
                })
        })
        .unwrap_or(escrow);
    let summary = json!({
        "session": address.to_string(),
        "refunded": amount_json(refunded, decimals),
        "refund_account": stored.refund_account.to_string(),
        "rent_payer": stored.rent_payer.to_string(),
    });
    session.print(&outcome, summary, || {
        format!(
            "Session {address} reclaimed: {} refunded to {}, rent to {}",
            ui_amount(refunded, decimals),
            stored.refund_account,
            stored.rent_payer
        )
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_seconds_or_suffixed() {
        assert_eq!(parse_duration("60").unwrap(), 60);
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("30m").unwrap(), 1_800);
        assert_eq!(parse_duration("12h").unwrap(), 43_200);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert!(parse_duration("7w").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("100000d").unwrap_err().contains("too long"));
    }

    #[test]
    fn terms_out_of_range_are_named() {
        let terms = TariffTerms {
            unit: MeterUnit::WattHour,
            price_per_unit: 1,
            min_deposit: 1,
            max_session_secs: 60,
            operator_cut_bps: 0,
        };
        assert!(check_terms(&terms).is_ok());
        let short = TariffTerms {
            max_session_secs: 59,
            ..terms
        };
        assert!(check_terms(&short)
            .unwrap_err()
            .to_string()
            .contains("--max-session"));
        let greedy = TariffTerms {
            operator_cut_bps: 5_001,
            ..terms
        };
        assert!(check_terms(&greedy)
            .unwrap_err()
            .to_string()
            .contains("--operator-cut"));
    }
}
