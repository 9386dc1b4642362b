//! Signing, submitting and settling readings; reclaiming expired sessions.

use anyhow::{bail, Result};
use depin_client::depin_payments::events::SessionEnd;
use depin_client::depin_registry::state::Device;
use depin_client::device_signer::{self, SignedReading};
use depin_client::events::{payments_events, PaymentsEvent};
use depin_client::payments::{self, Machine, MeterReading, Session as PaySession, Split};
use depin_client::{Cluster, Pubkey, Signer};
use serde_json::json;

use crate::commands::fractional::decimals;
use crate::output::{amount_json, ui_amount};
use crate::tx::Session;

use super::sessions::*;
use super::shared::*;
use super::*;

/// Signs `reading` of the session at `address` with the device keypair,
/// checked to be the device's registered key.
pub(super) async fn sign(
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
pub(super) struct Expected {
    split: Split,
    to_revenue_pool: bool,
    settled: u64,
    refunded: Option<u64>,
}

pub(super) async fn expected(
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
pub(super) async fn settle(session: &Session, signed: SignedReading) -> Result<()> {
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

pub(super) fn settle_hint(
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

pub(super) async fn reclaim(session: &Session, address: &Pubkey) -> Result<()> {
    let stored = load_session(session, address).await?;
    let cluster = session.cluster()?;
    let decimals = decimals(session, &stored.payment_mint).await?;
    let escrow = depin_client::token::balance(cluster, &stored.escrow).await?;
    let now = cluster.unix_timestamp().await?;
    let payer = session.fee_payer.pubkey();
    let (instructions, refund_account) =
        payments::reclaim_instructions(cluster, &payer, address).await?;
    let deadline = stored.deadline;
    let outcome = execute(session, &instructions, &[], |name| {
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
        "refund_account": refund_account.to_string(),
        "rent_payer": stored.rent_payer.to_string(),
    });
    session.print(&outcome, summary, || {
        format!(
            "Session {address} reclaimed: {} refunded to {}, rent to {}",
            ui_amount(refunded, decimals),
            refund_account,
            stored.rent_payer
        )
    });
    Ok(())
}
