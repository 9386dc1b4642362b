//! `depin pay tariff ...`.

use anyhow::{bail, Result};
use depin_client::depin_payments::state::{
    MAX_OPERATOR_CUT_BPS, MAX_SESSION_SECS, MIN_SESSION_SECS,
};
use depin_client::payments::{self, TariffTerms};
use depin_client::{fractional, Cluster, Pubkey};
use serde_json::json;

use crate::commands::fractional::{decimals, signer};
use crate::commands::network::object_human;
use crate::output::ui_amount;
use crate::tx::Session;

use super::shared::*;
use super::*;

pub(super) async fn tariff(session: &Session, command: TariffCommand) -> Result<()> {
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
                owner: stored.owner,
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
pub(super) fn check_terms(terms: &TariffTerms) -> Result<()> {
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

pub(super) fn controller_hint(
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

pub(super) fn device_hint(name: &str, device: &Pubkey) -> Option<String> {
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

pub(super) async fn set_paused(
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
