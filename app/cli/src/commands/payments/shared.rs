//! What the pay commands share: loading and naming accounts, hints on refusals, JSON shapes.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use depin_client::depin_registry::state::Device;
use depin_client::payments::{self, Machine, Session as PaySession};
use depin_client::{fractional, ClientError, Cluster, Keypair, Pubkey};
use serde_json::{json, Value};

use crate::output::amount_json;
use crate::tx::{Outcome, Session};

use super::*;

/// A device record by the ways DEVICE may name it.
pub(super) async fn load_device(session: &Session, arg: &DeviceArg) -> Result<(Pubkey, Device)> {
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
pub(super) struct Control {
    pub(super) controller: Pubkey,
    pub(super) asset_mint: Option<Pubkey>,
}

pub(super) async fn control_of(session: &Session, device: &Device) -> Result<Control> {
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

pub(super) async fn load_tariff(session: &Session, record: &Pubkey) -> Result<payments::Tariff> {
    payments::tariff_optional(session.cluster()?, record)
        .await?
        .ok_or_else(|| {
            anyhow!(
                "device {record} has no tariff: its controller sets one with `depin pay tariff set \
                 {record} --unit wh --price N --min-deposit N --max-session 1h --mint MINT`"
            )
        })
}

pub(super) async fn load_session(session: &Session, address: &Pubkey) -> Result<PaySession> {
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
pub(super) fn keypair_file(path: &str, flag: &str) -> Result<Keypair> {
    if !Path::new(path).exists() {
        bail!("{flag} {path}: no such keypair file");
    }
    crate::config::read_keypair(Path::new(path), &crate::config::Source::Flag)
        .with_context(|| format!("{flag} {path}"))
}

/// The program error's name when `error` is a failed transaction.
pub(super) fn program_error_name(error: &anyhow::Error) -> Option<String> {
    error
        .downcast_ref::<ClientError>()
        .and_then(ClientError::error_name)
        .map(str::to_string)
}

/// Adds what to do about a refusal the payments program named.
pub(super) fn with_hint(
    error: anyhow::Error,
    hint: impl FnOnce(&str) -> Option<String>,
) -> anyhow::Error {
    match program_error_name(&error).as_deref().and_then(hint) {
        Some(hint) => anyhow!("{error:#}\n{hint}"),
        None => error,
    }
}

/// Sends through `session.execute` and adds `hint` to a refusal.
pub(super) async fn execute(
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

pub(super) fn tariff_json(
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

pub(super) fn session_json(address: &Pubkey, s: &PaySession, decimals: u8, now: i64) -> Value {
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
pub(super) fn relative(when: i64, now: i64) -> String {
    if when >= now {
        format!("in {} s", when - now)
    } else {
        format!("{} s ago", now - when)
    }
}
