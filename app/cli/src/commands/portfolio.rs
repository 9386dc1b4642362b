//! `depin portfolio [OWNER]`: what an address holds across depin, as an
//! investor (shares of tokenized machines and their revenue) and as a
//! device owner (its devices, tokenized or not). Read with
//! `getProgramAccounts` filters on the owner fields (holdings, purchases,
//! token accounts, devices, assets), so it needs an RPC node that serves
//! them (every public one does).
//!
//! JSON: `{"owner", "holdings": [{"asset", "device", "network",
//! "share_mint", "payment_mint", "total_shares", "shares",
//! "earning_shares", "wallet_shares", "purchased_shares",
//! "percent_of_machine", "claimable": AMOUNT, "purchase_revenue": AMOUNT,
//! "received": AMOUNT | null}], "devices": [{"address", "device_key",
//! "network_id", "kind", "status", "asset" | null, "rewards_claimable":
//! null}]}` where AMOUNT is `{"amount", "ui_amount", "decimals"}` in the
//! asset's payment mint. `shares` = earning (in the holding) + wallet +
//! purchased (bought in an offering not yet delivered);
//! `percent_of_machine` is `shares / total_shares` in percent (four
//! decimals, rounded down); `claimable` is claimable now; `received` is
//! what the owner claimed so far (its holding's history; `null` with
//! `--no-history` or when the node has no history). Device rewards are
//! paid through Merkle proofs held by the crank, not readable on chain:
//! `rewards_claimable` stays `null` (claim them with the rewards commands).

use anyhow::Result;
use clap::Args;
use depin_client::depin_registry::state::{DeviceKind, DeviceStatus};
use depin_client::fractional;
use depin_client::rpc::RpcCluster;
use depin_client::{revenue, token, Pubkey};
use serde_json::{json, Value};

use crate::output::{amount_json, OutputFormat};
use crate::table::Table;

#[derive(Args)]
pub struct PortfolioArgs {
    /// Whose portfolio [default: the keypair's address].
    pub owner: Option<Pubkey>,
    /// Skip the revenue received so far (one history lookup per holding).
    #[arg(long)]
    pub no_history: bool,
}

fn kind_name(kind: DeviceKind) -> String {
    format!("{kind:?}").to_lowercase()
}

fn status_name(status: DeviceStatus) -> String {
    format!("{status:?}").to_lowercase()
}

pub async fn run(
    cluster: &RpcCluster,
    owner: &Pubkey,
    args: &PortfolioArgs,
    output: OutputFormat,
) -> Result<()> {
    let lines = fractional::investor_portfolio(cluster, owner).await?;
    let mut holdings = vec![];
    for line in &lines {
        let decimals = token::mint_decimals(cluster, &line.payment_mint).await?;
        let received = if args.no_history {
            None
        } else {
            revenue::revenue_received(cluster, &line.share_mint, owner)
                .await
                .ok()
        };
        holdings.push(json!({
            "asset": line.asset.to_string(),
            "device": line.device.to_string(),
            "network": line.network.to_string(),
            "share_mint": line.share_mint.to_string(),
            "payment_mint": line.payment_mint.to_string(),
            "total_shares": line.total_shares,
            "shares": line.shares(),
            "earning_shares": line.earning_shares,
            "wallet_shares": line.wallet_shares,
            "purchased_shares": line.purchased_shares,
            "percent_of_machine": line.percent_of_machine(),
            "claimable": amount_json(line.claimable, decimals),
            "purchase_revenue": amount_json(line.purchase_revenue, decimals),
            "received": received.map(|r| amount_json(r, decimals)),
        }));
    }
    let devices: Vec<Value> = fractional::owned_devices(cluster, owner)
        .await?
        .iter()
        .map(|d| {
            json!({
                "address": d.address.to_string(),
                "device_key": d.device.device_key.to_string(),
                "network_id": d.device.network_id,
                "kind": kind_name(d.device.kind),
                "status": status_name(d.device.status),
                "asset": d.asset.map(|a| a.to_string()),
                "rewards_claimable": Value::Null,
            })
        })
        .collect();
    let json = json!({ "owner": owner.to_string(), "holdings": holdings, "devices": devices });
    output.print(&json, || human(owner, &lines, &json));
    Ok(())
}

fn human(owner: &Pubkey, lines: &[fractional::PortfolioLine], json: &Value) -> String {
    let mut out = vec![format!("Portfolio of {owner}")];
    if lines.is_empty() {
        out.push("No shares of any machine.".into());
    } else {
        let mut table = Table::new(&[
            "asset",
            "shares",
            "of machine",
            "claimable",
            "received",
            "pending purchase",
        ]);
        for h in json["holdings"].as_array().into_iter().flatten() {
            let ui = |v: &Value| v["ui_amount"].as_str().unwrap_or("-").to_string();
            table.row(vec![
                h["asset"].as_str().unwrap_or("").to_string(),
                format!("{}/{}", h["shares"], h["total_shares"]),
                format!("{}%", h["percent_of_machine"].as_str().unwrap_or("")),
                ui(&h["claimable"]),
                ui(&h["received"]),
                h["purchased_shares"].to_string(),
            ]);
        }
        out.push(table.render());
    }
    let devices = json["devices"].as_array().cloned().unwrap_or_default();
    if devices.is_empty() {
        out.push("No devices.".into());
    } else {
        let mut table = Table::new(&["device", "key", "network", "kind", "status", "asset"]);
        for d in &devices {
            table.row(vec![
                d["address"].as_str().unwrap_or("").to_string(),
                d["device_key"].as_str().unwrap_or("").to_string(),
                d["network_id"].to_string(),
                d["kind"].as_str().unwrap_or("").to_string(),
                d["status"].as_str().unwrap_or("").to_string(),
                d["asset"].as_str().unwrap_or("-").to_string(),
            ]);
        }
        out.push(table.render());
        out.push(
            "Device rewards come with the crank's proofs: claim them with the rewards commands."
                .into(),
        );
    }
    out.join("\n")
}
