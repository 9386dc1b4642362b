//! `depin device ...`: what makers and device owners run: register (the
//! device's own key signs, the maker's authority co-signs, possibly on
//! different machines: `--sign-only` / `--signer`), show, list, update,
//! transfer, operator, suspend/resume (device-manager), retire, close, and
//! attestations signed by the device key.
//!
//! A device is named by its network (id or address) and its device key
//! (the machine's own ed25519 public key). Locations are H3 cell indexes in
//! hex, as H3 tools print them (`8928308280fffff`, `0x` optional).
//!
//! JSON of a device (show, list): `{"address", "device_key", "network",
//! "network_id", "owner", "operator" (null when unset), "maker_id", "kind",
//! "status" ("active" | "suspended" | "retired"), "location" (hex, null when
//! unknown), "capacity", "registered_at", "registration",
//! "attestation_nonce"}`; `list`: `{"network", "devices": [DEVICE]}` by
//! registration. Commands that send print `{"address", "network",
//! "device_key", ...}` plus what they changed, and `"transaction"` (see
//! `tx`): register adds `"owner", "maker_authority", "kind", "location",
//! "capacity", "fee": {"mint", "source", "treasury", "amount", "ui_amount",
//! "decimals"} | null`; update `"location", "capacity"` (null: unchanged);
//! transfer `"from", "to"`; operator `"operator"` (null: cleared); suspend
//! `"status", "reason"`; resume/retire `"status"`; close `"rent_lamports",
//! "rent_to"`; attest `"nonce", "kind" ("location" | "work-report"),
//! "location" | "work_report"` (hex).

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use depin_client::depin_registry::pda;
use depin_client::depin_registry::state::{Device, DeviceKind, DeviceStatus};
use depin_client::registry::{
    self, Attestation, AttestationTarget, FeePayment, NewDevice, UpdateDeviceArgs,
};
use depin_client::{ClientError, Cluster, Pubkey};
use serde_json::{json, Value};

use super::maker::{check_network, load_network};
use super::network::{object_human, NetworkRef};
use crate::output::{amount_json, ui_amount};
use crate::table::Table;
use crate::tx::{Session, SignerSource, TxArgs};

/// What a device is, as the command line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Battery,
    SolarInverter,
    Hotspot,
    Sensor,
    EvCharger,
    Other,
}

impl From<KindArg> for DeviceKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Battery => DeviceKind::Battery,
            KindArg::SolarInverter => DeviceKind::SolarInverter,
            KindArg::Hotspot => DeviceKind::Hotspot,
            KindArg::Sensor => DeviceKind::Sensor,
            KindArg::EvCharger => DeviceKind::EvCharger,
            KindArg::Other => DeviceKind::Other,
        }
    }
}

pub fn kind_name(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Battery => "battery",
        DeviceKind::SolarInverter => "solar-inverter",
        DeviceKind::Hotspot => "hotspot",
        DeviceKind::Sensor => "sensor",
        DeviceKind::EvCharger => "ev-charger",
        DeviceKind::Other => "other",
    }
}

pub fn status_name(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Active => "active",
        DeviceStatus::Suspended => "suspended",
        DeviceStatus::Retired => "retired",
    }
}

/// An H3 cell index in hex (`8928308280fffff` or `0x8928308280fffff`);
/// `0` means unknown.
pub fn parse_h3(text: &str) -> Result<u64, String> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let cell = u64::from_str_radix(digits, 16)
        .map_err(|_| format!("{text:?} is not an H3 cell index in hex (e.g. 8928308280fffff)"))?;
    if Device::check_location(cell).is_err() {
        return Err(format!(
            "{text:?} is not a valid H3 cell index (give it in hex, e.g. 8928308280fffff)"
        ));
    }
    Ok(cell)
}

/// A 32-byte hash in hex (64 digits).
pub fn parse_hash(text: &str) -> Result<[u8; 32], String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let error = || format!("{text:?} is not a 32-byte hash in hex (64 hex digits)");
    if digits.len() != 64 || !digits.is_ascii() {
        return Err(error());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|_| error())?;
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn location_json(cell: u64) -> Value {
    if cell == 0 {
        Value::Null
    } else {
        json!(format!("{cell:x}"))
    }
}

#[derive(Args)]
pub struct OwnerArg {
    /// The device's owner (a keypair file, or a public key when signing offline) [default: -k]
    #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
    pub owner: Option<String>,
}

#[derive(Args)]
pub struct ManagerArg {
    /// A member with the device-manager role (a keypair file, or a public key when signing offline) [default: -k]
    #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
    pub authority: Option<String>,
}

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// Registers a device: its own key signs, the maker's authority co-signs, the fee payer
    /// pays the rent and the network's onboarding fee (from its token account of the fee mint).
    ///
    /// On two machines: the device side runs `--sign-only --blockhash H --maker-authority
    /// MAKER_PUBKEY --fee-payer PAYER_PUBKEY` and passes on the printed `--signer`; the maker
    /// side runs the same command with `--device-key DEVICE_PUBKEY --blockhash H --signer
    /// DEVICE=SIGNATURE` (both sides need the same arguments, --owner included).
    Register {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's own key: a keypair file, or its public key when it signs elsewhere.
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        device_key: String,
        /// The approved maker's authority: a keypair file, or its public key when it signs elsewhere.
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        maker_authority: String,
        /// Who owns the device [default: the fee payer].
        #[arg(long, value_name = "PUBKEY")]
        owner: Option<Pubkey>,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// H3 cell index in hex, e.g. 8928308280fffff (0: unknown).
        #[arg(long, value_name = "H3CELL", value_parser = parse_h3)]
        location: u64,
        /// Kind-specific capacity (Wh for batteries, W for inverters, ...).
        #[arg(long)]
        capacity: u32,
        /// The fee payer's token account the onboarding fee is taken from
        /// [default: its associated token account of the fee mint, else any it owns].
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        fee_account: Option<Pubkey>,
        /// With --sign-only on a network that charges a fee (offline, the network cannot be
        /// read): the fee mint, as `depin network show` prints it.
        #[arg(long, value_name = "MINT", requires_all = ["fee_treasury", "fee_account"])]
        fee_mint: Option<Pubkey>,
        /// With --fee-mint: the network's fee treasury.
        #[arg(long, value_name = "TOKEN_ACCOUNT", requires = "fee_mint")]
        fee_treasury: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows a device.
    Show {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
    },
    /// Lists a network's devices, optionally of one owner and/or one maker.
    List {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// Only devices owned by this key.
        #[arg(long, value_name = "PUBKEY")]
        owner: Option<Pubkey>,
        /// Only devices onboarded by the maker with this authority.
        #[arg(long, value_name = "MAKER_AUTHORITY")]
        maker: Option<Pubkey>,
    },
    /// Changes a device's location and/or capacity (owner or operator).
    Update {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        /// H3 cell index in hex.
        #[arg(long, value_name = "H3CELL", value_parser = parse_h3)]
        location: Option<u64>,
        #[arg(long)]
        capacity: Option<u32>,
        /// The device's owner or operator (a keypair file, or a public key when signing offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        authority: Option<String>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Hands a device to a new owner (owner); any operator is cleared.
    Transfer {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        new_owner: Pubkey,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Sets or clears (--clear) the device's operator, who may update it (owner).
    Operator {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        #[arg(required_unless_present = "clear")]
        operator: Option<Pubkey>,
        /// Removes the operator.
        #[arg(long, conflicts_with = "operator")]
        clear: bool,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Suspends a device: it stops attesting and earning until resumed (device-manager).
    Suspend {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        /// A network-defined reason code, recorded in the event.
        #[arg(long, default_value_t = 0)]
        reason: u16,
        #[command(flatten)]
        authority: ManagerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Resumes a suspended device (device-manager).
    Resume {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        #[command(flatten)]
        authority: ManagerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Takes a device out of service for good (owner); close it afterwards for the rent.
    Retire {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Closes a retired device; its rent goes to the owner (owner).
    Close {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Records an attestation signed by the device key: a location or a work report's hash.
    Attest {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The device's key (the machine's own public key).
        device_key: Pubkey,
        /// The device's keypair file, which signs the attestation.
        #[arg(long = "device-key", value_name = "KEYPAIR")]
        device_keypair: String,
        /// Asserts the device's location (H3 cell index in hex).
        #[arg(long, value_name = "H3CELL", value_parser = parse_h3,
              required_unless_present = "work_report", conflicts_with = "work_report")]
        location: Option<u64>,
        /// Commits the 32-byte hash (hex) of an off-chain work report.
        #[arg(long, value_name = "HASH_HEX", value_parser = parse_hash)]
        work_report: Option<[u8; 32]>,
        /// Must exceed the last accepted nonce [default: the next one, read from the device].
        #[arg(long)]
        nonce: Option<u32>,
        #[command(flatten)]
        tx: TxArgs,
    },
}

impl DeviceCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        match self {
            DeviceCommand::Register { tx, .. }
            | DeviceCommand::Update { tx, .. }
            | DeviceCommand::Transfer { tx, .. }
            | DeviceCommand::Operator { tx, .. }
            | DeviceCommand::Suspend { tx, .. }
            | DeviceCommand::Resume { tx, .. }
            | DeviceCommand::Retire { tx, .. }
            | DeviceCommand::Close { tx, .. }
            | DeviceCommand::Attest { tx, .. } => tx.clone(),
            DeviceCommand::Show { .. } | DeviceCommand::List { .. } => TxArgs::default(),
        }
    }
}

/// Reads a device, or says it is not registered and how to find one.
async fn load_device(
    session: &Session,
    network: &NetworkRef,
    device_key: &Pubkey,
) -> Result<Device> {
    load_network(session, network).await?;
    match registry::device(session.cluster()?, &network.0, device_key).await {
        Ok(device) => Ok(device),
        Err(ClientError::AccountNotFound(_)) => Err(anyhow!(
            "network {} has no device with key {device_key}: `depin device list {}` shows its devices",
            network.0,
            network.0
        )),
        Err(error) => Err(error.into()),
    }
}

/// Checks the device exists when the cluster is at hand (not offline).
async fn check_device(
    session: &Session,
    network: &NetworkRef,
    device_key: &Pubkey,
) -> Result<Option<Device>> {
    if session.tx.sign_only {
        return Ok(None);
    }
    load_device(session, network, device_key).await.map(Some)
}

/// The summary every sending command starts from.
fn base_json(network: &NetworkRef, device_key: &Pubkey) -> Value {
    json!({
        "address": pda::device(&network.0, device_key).0.to_string(),
        "network": network.0.to_string(),
        "device_key": device_key.to_string(),
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base
}

pub async fn run(session: &Session, command: DeviceCommand) -> Result<()> {
    match command {
        DeviceCommand::Register {
            network,
            device_key,
            maker_authority,
            owner,
            kind,
            location,
            capacity,
            fee_account,
            fee_mint,
            fee_treasury,
            ..
        } => {
            let device = SignerSource::parse(&device_key, "--device-key")?;
            let maker = SignerSource::parse(&maker_authority, "--maker-authority")?;
            let payer = session.fee_payer.pubkey();
            let owner = owner.unwrap_or(payer);
            let flagged_fee = fee_mint.map(|mint| FeePayment {
                mint,
                source: fee_account.expect("clap requires --fee-account with --fee-mint"),
                treasury: fee_treasury.expect("clap requires --fee-treasury with --fee-mint"),
                token_program: depin_client::token::TOKEN_PROGRAM_ID,
            });
            let (fee, fee_json) = match check_network(session, &network).await? {
                None => (flagged_fee, Value::Null),
                Some(stored) => {
                    let cluster = session.cluster()?;
                    if registry::maker(cluster, &network.0, &maker.pubkey())
                        .await
                        .is_err()
                    {
                        bail!(
                            "{} is not an approved maker of network {}: its maker-manager approves \
                             it with `depin maker approve {} {}`",
                            maker.pubkey(),
                            network.0,
                            network.0,
                            maker.pubkey()
                        );
                    }
                    let address = pda::device(&network.0, &device.pubkey()).0;
                    if cluster.get_account(&address).await?.is_some() {
                        bail!(
                            "device {} is already registered in network {} (at {address})",
                            device.pubkey(),
                            network.0
                        );
                    }
                    let fee = registry::onboarding_fee(cluster, &stored, &payer, fee_account)
                        .await
                        .with_context(|| {
                            format!(
                                "network {} charges an onboarding fee, paid by the fee payer {payer}",
                                network.0
                            )
                        })?;
                    match fee {
                        None => (None, Value::Null),
                        Some(fee) => {
                            if let Some(flagged) = flagged_fee {
                                if (flagged.mint, flagged.treasury)
                                    != (fee.payment.mint, fee.payment.treasury)
                                {
                                    bail!(
                                        "--fee-mint/--fee-treasury do not match the network's fee \
                                         (mint {}, treasury {})",
                                        fee.payment.mint,
                                        fee.payment.treasury
                                    );
                                }
                            }
                            if fee.source_balance < fee.amount {
                                bail!(
                                    "the onboarding fee is {} but the fee payer's token account {} \
                                     holds {}: fund it (mint {})",
                                    ui_amount(fee.amount, fee.decimals),
                                    fee.payment.source,
                                    ui_amount(fee.source_balance, fee.decimals),
                                    fee.payment.mint
                                );
                            }
                            let json = with(
                                json!({
                                    "mint": fee.payment.mint.to_string(),
                                    "source": fee.payment.source.to_string(),
                                    "treasury": fee.payment.treasury.to_string(),
                                }),
                                amount_json(fee.amount, fee.decimals),
                            );
                            (Some(fee.payment), json)
                        }
                    }
                }
            };
            let new = NewDevice {
                device_key: device.pubkey(),
                owner,
                kind: kind.into(),
                location,
                capacity,
            };
            let ix = registry::register_device(&payer, &network.0, &maker.pubkey(), &new, fee);
            let summary = with(
                base_json(&network, &new.device_key),
                json!({
                    "owner": owner.to_string(),
                    "maker_authority": maker.pubkey().to_string(),
                    "kind": kind_name(new.kind),
                    "location": location_json(location),
                    "capacity": capacity,
                    "fee": fee_json,
                }),
            );
            let address = pda::device(&network.0, &new.device_key).0;
            session
                .run(&[ix], &[&device, &maker], summary, || {
                    format!(
                        "Device {} registered at {address}, owner {owner}",
                        new.device_key
                    )
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Show {
            network,
            device_key,
        } => {
            let device = load_device(session, &network, &device_key).await?;
            let address = pda::device(&network.0, &device_key).0;
            let json = device_json(&address, &network.0, &device);
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        DeviceCommand::List {
            network,
            owner,
            maker,
        } => {
            let stored = load_network(session, &network).await?;
            let cluster = session.cluster()?;
            let maker_id = match maker {
                None => None,
                Some(authority) => match registry::maker(cluster, &network.0, &authority).await {
                    Ok(maker) => Some(maker.maker_id),
                    Err(ClientError::AccountNotFound(_)) => bail!(
                        "network {} has no maker with authority {authority}: `depin maker list {}`",
                        network.0,
                        network.0
                    ),
                    Err(error) => return Err(error.into()),
                },
            };
            let mut devices =
                registry::devices(cluster, stored.network_id, owner.as_ref(), maker_id).await?;
            devices.sort_by_key(|(_, d)| d.registration);
            let devices: Vec<Value> = devices
                .iter()
                .map(|(address, d)| device_json(address, &network.0, d))
                .collect();
            let json = json!({ "network": network.0.to_string(), "devices": devices });
            session.output.print(&json, || {
                let mut table = Table::new(&[
                    "device key",
                    "owner",
                    "kind",
                    "status",
                    "location",
                    "capacity",
                ]);
                for d in &devices {
                    let text = |key: &str| match &d[key] {
                        Value::String(s) => s.clone(),
                        Value::Null => "-".into(),
                        other => other.to_string(),
                    };
                    table.row(vec![
                        text("device_key"),
                        text("owner"),
                        text("kind"),
                        text("status"),
                        text("location"),
                        text("capacity"),
                    ]);
                }
                format!("{} device(s)\n{}", devices.len(), table.render())
            });
            Ok(())
        }
        DeviceCommand::Update {
            network,
            device_key,
            location,
            capacity,
            authority,
            ..
        } => {
            if location.is_none() && capacity.is_none() {
                bail!("nothing to update: give --location and/or --capacity");
            }
            check_device(session, &network, &device_key).await?;
            let signer = session.signer(authority.as_deref(), "--authority")?;
            let ix = registry::update_device(
                &signer.pubkey(),
                &network.0,
                &device_key,
                UpdateDeviceArgs { location, capacity },
            );
            let summary = with(
                base_json(&network, &device_key),
                json!({ "location": location.map(location_json), "capacity": capacity }),
            );
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Device {device_key} updated")
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Transfer {
            network,
            device_key,
            new_owner,
            owner,
            ..
        } => {
            let signer = session.signer(owner.owner.as_deref(), "--owner")?;
            let from = check_device(session, &network, &device_key)
                .await?
                .map(|d| d.owner)
                .unwrap_or(signer.pubkey());
            let ix =
                registry::transfer_device(&signer.pubkey(), &network.0, &device_key, &new_owner);
            let summary = with(
                base_json(&network, &device_key),
                json!({ "from": from.to_string(), "to": new_owner.to_string() }),
            );
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Device {device_key} transferred from {from} to {new_owner}")
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Operator {
            network,
            device_key,
            operator,
            owner,
            ..
        } => {
            check_device(session, &network, &device_key).await?;
            let signer = session.signer(owner.owner.as_deref(), "--owner")?;
            let operator_key = operator.unwrap_or_default();
            let ix = registry::set_device_operator(
                &signer.pubkey(),
                &network.0,
                &device_key,
                &operator_key,
            );
            let summary = with(
                base_json(&network, &device_key),
                json!({ "operator": operator.map(|o| o.to_string()) }),
            );
            session
                .run(&[ix], &[&signer], summary, || match operator {
                    Some(operator) => format!("Device {device_key}: operator {operator}"),
                    None => format!("Device {device_key}: operator cleared"),
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Suspend {
            network,
            device_key,
            reason,
            authority,
            ..
        } => {
            check_device(session, &network, &device_key).await?;
            let signer = session.signer(authority.authority.as_deref(), "--authority")?;
            let ix = registry::suspend_device(&signer.pubkey(), &network.0, &device_key, reason);
            let summary = with(
                base_json(&network, &device_key),
                json!({ "status": "suspended", "reason": reason }),
            );
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Device {device_key} suspended (reason {reason})")
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Resume {
            network,
            device_key,
            authority,
            ..
        } => {
            check_device(session, &network, &device_key).await?;
            let signer = session.signer(authority.authority.as_deref(), "--authority")?;
            let ix = registry::resume_device(&signer.pubkey(), &network.0, &device_key);
            let summary = with(
                base_json(&network, &device_key),
                json!({ "status": "active" }),
            );
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Device {device_key} resumed")
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Retire {
            network,
            device_key,
            owner,
            ..
        } => {
            check_device(session, &network, &device_key).await?;
            let signer = session.signer(owner.owner.as_deref(), "--owner")?;
            let ix = registry::retire_device(&signer.pubkey(), &network.0, &device_key);
            let summary = with(
                base_json(&network, &device_key),
                json!({ "status": "retired" }),
            );
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "Device {device_key} retired; `depin device close {} {device_key}` returns its rent",
                        network.0
                    )
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Close {
            network,
            device_key,
            owner,
            ..
        } => {
            let signer = session.signer(owner.owner.as_deref(), "--owner")?;
            let rent = match check_device(session, &network, &device_key).await? {
                None => None,
                Some(_) => {
                    let address = pda::device(&network.0, &device_key).0;
                    session
                        .cluster()?
                        .get_account(&address)
                        .await?
                        .map(|a| a.lamports)
                }
            };
            let ix = registry::close_device(&signer.pubkey(), &network.0, &device_key);
            let rent_to = signer.pubkey();
            let summary = with(
                base_json(&network, &device_key),
                json!({ "rent_lamports": rent, "rent_to": rent_to.to_string() }),
            );
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "Device {device_key} closed; {} SOL of rent to {rent_to}",
                        rent.map(crate::output::sol).unwrap_or_else(|| "its".into())
                    )
                })
                .await?;
            Ok(())
        }
        DeviceCommand::Attest {
            network,
            device_key,
            device_keypair,
            location,
            work_report,
            nonce,
            ..
        } => {
            let source = SignerSource::parse(&device_keypair, "--device-key")?;
            let keypair = source.require_keypair("--device-key")?;
            if source.pubkey() != device_key {
                bail!(
                    "--device-key {device_keypair} is the key {}, not the device {device_key}",
                    source.pubkey()
                );
            }
            let device = load_device(session, &network, &device_key).await?;
            let nonce = match nonce {
                Some(nonce) => nonce,
                None => device
                    .attestation_nonce
                    .checked_add(1)
                    .ok_or_else(|| anyhow!("the device has used every attestation nonce"))?,
            };
            let (attestation, detail) = match (location, work_report) {
                (Some(0), _) => bail!("--location 0 asserts nothing: give the device's H3 cell"),
                (Some(cell), _) => (
                    Attestation::location(nonce, cell),
                    json!({ "kind": "location", "location": location_json(cell) }),
                ),
                (None, Some(hash)) => (
                    Attestation::work_report(nonce, hash),
                    json!({ "kind": "work-report", "work_report": hex(&hash) }),
                ),
                (None, None) => bail!("give --location or --work-report"),
            };
            let target = AttestationTarget {
                network: network.0,
                device_key,
                registration: device.registration,
            };
            let ixs = attestation.sign(&target, keypair);
            let summary = with(
                with(base_json(&network, &device_key), json!({ "nonce": nonce })),
                detail,
            );
            session
                .run(&ixs, &[], summary, || {
                    format!("Device {device_key}: attestation {nonce} recorded")
                })
                .await?;
            Ok(())
        }
    }
}

pub fn device_json(address: &Pubkey, network: &Pubkey, d: &Device) -> Value {
    json!({
        "address": address.to_string(),
        "device_key": d.device_key.to_string(),
        "network": network.to_string(),
        "network_id": d.network_id,
        "owner": d.owner.to_string(),
        "operator": (d.operator != Pubkey::default()).then(|| d.operator.to_string()),
        "maker_id": d.maker_id,
        "kind": kind_name(d.kind),
        "status": status_name(d.status),
        "location": location_json(d.location),
        "capacity": d.capacity,
        "registered_at": d.registered_at,
        "registration": d.registration,
        "attestation_nonce": d.attestation_nonce,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h3_cells_and_hashes_parse_from_hex() {
        assert_eq!(parse_h3("8928308280fffff").unwrap(), 0x8928308280fffff);
        assert_eq!(parse_h3("0x8928308280fffff").unwrap(), 0x8928308280fffff);
        assert_eq!(parse_h3("0").unwrap(), 0);
        assert!(parse_h3("zz").unwrap_err().contains("hex"));
        assert!(parse_h3("1234").unwrap_err().contains("not a valid H3"));
        let hash = parse_hash(&"ab".repeat(32)).unwrap();
        assert_eq!(hash, [0xab; 32]);
        assert_eq!(hex(&hash), "ab".repeat(32));
        assert!(parse_hash("abcd").is_err());
        assert!(parse_hash(&"zz".repeat(32)).is_err());
        assert_eq!(location_json(0), Value::Null);
        assert_eq!(location_json(0x8928308280fffff), json!("8928308280fffff"));
    }
}
