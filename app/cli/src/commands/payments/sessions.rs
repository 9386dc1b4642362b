//! `depin pay session ...`.

use anyhow::{bail, Result};
use depin_client::events::{payments_events, PaymentsEvent};
use depin_client::payments::{self, OpenSessionArgs, Session as PaySession};
use depin_client::{fractional, Cluster, Pubkey, Sent};
use serde_json::{json, Value};

use crate::commands::fractional::{decimals, paying_account, signer};
use crate::commands::network::object_human;
use crate::output::{amount_json, ui_amount};
use crate::table::Table;
use crate::tx::{Outcome, Session};

use super::shared::*;
use super::tariff::*;
use super::*;

pub(super) async fn sessions(session: &Session, command: SessionCommand) -> Result<()> {
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

pub(super) fn text(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string())
}

/// An unused session id from the clock (milliseconds), moved on while taken.
pub(super) async fn fresh_id(session: &Session, device: &Pubkey, customer: &Pubkey) -> Result<u64> {
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

pub(super) fn open_hint(
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

pub(super) fn sent_of(outcome: &Outcome) -> Option<&Sent> {
    match outcome {
        Outcome::Sent(sent) => Some(sent),
        _ => None,
    }
}
