//! `depin revenue ...`: a tokenized machine's revenue. Anyone deposits
//! revenue (in the asset's payment mint); share holders earn it pro rata
//! from their holding and claim it; shares move between the holding
//! (earning) and the wallet (tradable).
//!
//! ASSET is the asset's address or its device record's address. Revenue
//! amounts are in the payment token's UI units (`2.5`); shares are whole.
//!
//! JSON shapes (token amounts are `{"amount", "ui_amount", "decimals"}`):
//! - `deposit`: `{"asset", "depositor", "amount": AMOUNT, "source"}`;
//! - `claim`: `{"asset", "owner", "claimed": AMOUNT, "destination"}`
//!   (`claimed` is what was claimable when the transaction was built);
//! - `withdraw-shares`: `{"asset", "owner", "shares", "destination"}`;
//!   `deposit-shares`: `{"asset", "owner", "shares", "source"}`;
//! - `holding`: `{"asset", "owner", "holding", "exists", "shares",
//!   "wallet_shares", "total_shares", "percent_of_machine", "claimable":
//!   AMOUNT, "pool": {"address", "total_deposited": AMOUNT,
//!   "total_claimed": AMOUNT, "shares_earning"}}`.
//!
//! Commands that send add `"transaction"` (see `tx`).

use anyhow::{anyhow, Result};
use clap::Subcommand;
use depin_client::fractional;
use depin_client::{revenue, token, Pubkey};
use serde_json::json;

use super::fractional::{decimals, load_asset, paying_account, receiving, signer};
use super::network::object_human;
use crate::output::{amount_json, parse_ui_amount, ui_amount};
use crate::tx::{Session, TxArgs};

#[derive(Subcommand)]
pub enum RevenueCommand {
    /// Pays revenue into the asset's pool, shared pro rata by the shares earning now.
    Deposit {
        asset: Pubkey,
        /// In the payment token's units, e.g. 10 or 2.5.
        amount: String,
        /// Who pays (a keypair file, or a public key offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        depositor: Option<String>,
        /// The token account that pays [default: the depositor's account of the payment mint]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        from: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Claims the revenue the owner's shares earned.
    Claim {
        asset: Pubkey,
        /// The holder (a keypair file, or a public key offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        owner: Option<String>,
        /// The token account to pay into [default: the owner's account of the payment
        /// mint, created if it has none]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        to: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Takes shares out of the holding into a wallet account (to trade them; they stop earning).
    WithdrawShares {
        asset: Pubkey,
        shares: u64,
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        owner: Option<String>,
        /// The share token account to receive [default: the owner's, created if needed]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        to: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Puts shares from a wallet account into the holding, where they earn.
    DepositShares {
        asset: Pubkey,
        shares: u64,
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        owner: Option<String>,
        /// The share token account that pays [default: the owner's]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        from: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows a holder's shares and claimable revenue in an asset.
    Holding {
        asset: Pubkey,
        /// The holder [default: the keypair's address].
        owner: Option<Pubkey>,
    },
}

impl RevenueCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        match self {
            RevenueCommand::Deposit { tx, .. }
            | RevenueCommand::Claim { tx, .. }
            | RevenueCommand::WithdrawShares { tx, .. }
            | RevenueCommand::DepositShares { tx, .. } => tx.clone(),
            RevenueCommand::Holding { .. } => TxArgs::default(),
        }
    }
}

pub async fn run(session: &Session, command: RevenueCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        RevenueCommand::Deposit {
            asset,
            amount,
            depositor,
            from,
            ..
        } => {
            let (keys, stored) = load_asset(session, &asset).await?;
            let decimals = decimals(session, &stored.payment_mint).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let depositor = signer(session, depositor.as_deref(), "--depositor")?;
            let what = format!("a deposit of {}", ui_amount(amount, decimals));
            let source = paying_account(
                session,
                &depositor.pubkey(),
                &stored.payment_mint,
                from,
                amount,
                &what,
            )
            .await?;
            let ix =
                revenue::deposit_revenue(&depositor.pubkey(), &keys.share_mint, &source, amount);
            let summary = json!({
                "asset": keys.asset.to_string(),
                "depositor": depositor.pubkey().to_string(),
                "amount": amount_json(amount, decimals),
                "source": source.to_string(),
            });
            session
                .run(&[ix], &[&depositor], summary, || {
                    format!(
                        "Deposited {} of revenue into asset {}",
                        ui_amount(amount, decimals),
                        keys.asset
                    )
                })
                .await?;
            Ok(())
        }
        RevenueCommand::Claim {
            asset, owner, to, ..
        } => {
            let (keys, stored) = load_asset(session, &asset).await?;
            let owner = signer(session, owner.as_deref(), "--owner")?;
            let cluster = session.cluster()?;
            if revenue::holding(cluster, &keys.share_mint, &owner.pubkey())
                .await?
                .is_none()
            {
                return Err(anyhow!(
                    "{} has no holding in asset {}: nothing earns revenue for it (buy shares, or \
                     `depin revenue deposit-shares`)",
                    owner.pubkey(),
                    keys.asset
                ));
            }
            let (_, claimable) =
                revenue::position(cluster, &keys.share_mint, &owner.pubkey()).await?;
            let decimals = decimals(session, &stored.payment_mint).await?;
            let (destination, mut ixs) =
                receiving(session, &owner.pubkey(), &stored.payment_mint, to).await?;
            ixs.push(revenue::claim_revenue(
                &owner.pubkey(),
                &keys.share_mint,
                &destination,
            ));
            let summary = json!({
                "asset": keys.asset.to_string(),
                "owner": owner.pubkey().to_string(),
                "claimed": amount_json(claimable, decimals),
                "destination": destination.to_string(),
            });
            session
                .run(&ixs, &[&owner], summary, || {
                    format!(
                        "Claimed {} of revenue into {destination}",
                        ui_amount(claimable, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        RevenueCommand::WithdrawShares {
            asset,
            shares,
            owner,
            to,
            ..
        } => {
            let (keys, _) = load_asset(session, &asset).await?;
            let owner = signer(session, owner.as_deref(), "--owner")?;
            let (destination, mut ixs) =
                receiving(session, &owner.pubkey(), &keys.share_mint, to).await?;
            ixs.push(revenue::withdraw_shares(
                &owner.pubkey(),
                &keys.share_mint,
                &destination,
                shares,
            ));
            let summary = json!({
                "asset": keys.asset.to_string(),
                "owner": owner.pubkey().to_string(),
                "shares": shares,
                "destination": destination.to_string(),
            });
            session
                .run(&ixs, &[&owner], summary, || {
                    format!(
                        "Withdrew {shares} shares of asset {} to {destination}",
                        keys.asset
                    )
                })
                .await?;
            Ok(())
        }
        RevenueCommand::DepositShares {
            asset,
            shares,
            owner,
            from,
            ..
        } => {
            let (keys, _) = load_asset(session, &asset).await?;
            let owner = signer(session, owner.as_deref(), "--owner")?;
            let what = format!("depositing {shares} shares");
            let source = paying_account(
                session,
                &owner.pubkey(),
                &keys.share_mint,
                from,
                shares,
                &what,
            )
            .await?;
            let ix =
                revenue::deposit_shares(&payer, &owner.pubkey(), &keys.share_mint, &source, shares);
            let summary = json!({
                "asset": keys.asset.to_string(),
                "owner": owner.pubkey().to_string(),
                "shares": shares,
                "source": source.to_string(),
            });
            session
                .run(&[ix], &[&owner], summary, || {
                    format!(
                        "Deposited {shares} shares of asset {} into the holding",
                        keys.asset
                    )
                })
                .await?;
            Ok(())
        }
        RevenueCommand::Holding { asset, owner } => {
            let owner = match owner {
                Some(owner) => owner,
                None => session.fee_payer.pubkey(),
            };
            let (keys, stored) = load_asset(session, &asset).await?;
            let cluster = session.cluster()?;
            let decimals = decimals(session, &stored.payment_mint).await?;
            let holding = revenue::holding(cluster, &keys.share_mint, &owner).await?;
            let (shares, claimable) = revenue::position(cluster, &keys.share_mint, &owner).await?;
            let wallet_shares: u64 = token::accounts_of(cluster, &owner, Some(&keys.share_mint))
                .await?
                .iter()
                .map(|(_, a)| a.amount)
                .sum();
            let pool = revenue::pool(cluster, &keys.share_mint).await?;
            let json = json!({
                "asset": keys.asset.to_string(),
                "owner": owner.to_string(),
                "holding": revenue::holding_address(&keys.share_mint, &owner).to_string(),
                "exists": holding.is_some(),
                "shares": shares,
                "wallet_shares": wallet_shares,
                "total_shares": stored.total_shares,
                "percent_of_machine": fractional::percent(shares + wallet_shares, stored.total_shares),
                "claimable": amount_json(claimable, decimals),
                "pool": {
                    "address": keys.revenue_pool.to_string(),
                    "total_deposited": amount_json(pool.total_deposited, decimals),
                    "total_claimed": amount_json(pool.total_claimed, decimals),
                    "shares_earning": u64::try_from(pool.total_weight).unwrap_or(u64::MAX),
                },
            });
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
    }
}
