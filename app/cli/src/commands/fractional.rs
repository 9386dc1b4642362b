//! `depin fractional ...`: tokenized machines. A device owner tokenizes a
//! device, keeps some shares and offers the rest; investors buy; anyone
//! closes the offering and delivers (or refunds) the purchases.
//!
//! An ASSET argument is the asset's address or its device record's address;
//! an OFFERING is the offering's address (printed by `offer` and
//! `offerings`). Amounts of the payment token (`--price`) are in its UI
//! units (`2.5` = 2.5 tokens); share amounts are whole shares.
//!
//! JSON shapes (token amounts are `{"amount", "ui_amount", "decimals"}`):
//! - asset (`show-asset`, each of `assets`): `{"address", "network",
//!   "device", "authority", "share_mint", "revenue_pool", "payment_mint",
//!   "total_shares", "issued", "reserved", "unissued", "offering_count",
//!   "open_offering", "retired"}`;
//! - offering (`show-offering`, each of `offerings`): `{"address", "asset",
//!   "id", "state": "open"|"succeeded"|"failed"|"cancelled", "payment_mint",
//!   "price_per_share": AMOUNT, "shares_for_sale", "sold", "soft_cap",
//!   "deadline", "per_investor_cap", "allowlist_required", "fee_bps",
//!   "fee_recipient", "raised": AMOUNT, "refunded": AMOUNT,
//!   "open_purchases", "delivered"}`; `show-offering` adds `"purchases":
//!   [{"buyer", "shares", "paid": AMOUNT}]`;
//! - `market show`: `{"network", "address", "configured", "fee_bps",
//!   "fee_recipient"}`;
//! - `tokenize`: `{"asset", "device", "network", "authority", "share_mint",
//!   "revenue_pool", "payment_mint", "total_shares"}`; `retain`: `{"asset",
//!   "authority", "shares"}`; `offer`: `{"offering", "asset", "id",
//!   "price_per_share": AMOUNT, "shares_for_sale", "soft_cap", "deadline",
//!   "per_investor_cap", "allowlist_required"}`; `buy`: `{"offering",
//!   "asset", "buyer", "shares", "cost": AMOUNT, "payment_source"}`;
//!   `close`: `{"offering", "proceeds_account", "fee_account", "state"}`
//!   (`state` read back after the send: "succeeded", "failed", or
//!   "settled" when the records closed; null with --dry-run);
//!   `cancel`: `{"offering", "asset"}`; `market set`: `{"network",
//!   "fee_bps", "fee_recipient"}`; `allowlist`: `{"network", "investor",
//!   "allowed"}`; `retire-asset`: `{"asset"}`; `transfer-asset`: `{"asset",
//!   "new_authority"}`; `asset-operator`: `{"asset", "operator"|null}`;
//! - `deliver OFFERING BUYER`: `{"offering", "buyer", "shares"}`; `refund
//!   OFFERING BUYER`: `{"offering", "buyer", "refund": AMOUNT,
//!   "destination"}`; without BUYER both act on every open purchase, one
//!   transaction each: `{"offering", "deliveries"|"refunds": [ENTRY +
//!   {"transaction"}]}` (a plain send only; give BUYER for --dry-run).
//!
//! Commands that send add `"transaction"` (see `tx`).

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use depin_client::depin_fractional::state::{Asset, Offering, OfferingState};
use depin_client::fractional::{self, AssetKeys, OfferingParties, OfferingTerms};
use depin_client::{token, Cluster, Instruction, Pubkey};
use serde_json::{json, Value};

use super::network::{authority, object_human, AuthorityArg, NetworkRef};
use crate::output::{amount_json, parse_ui_amount, ui_amount};
use crate::table::Table;
use crate::tx::{sent_json, Outcome, Session, SignerSource, TxArgs};

#[derive(Subcommand)]
pub enum FractionalCommand {
    /// A network's cut of successful offerings (show, or set: treasury role).
    #[command(subcommand)]
    Market(MarketCommand),
    /// Clears an investor for allowlist-only offerings in a network (compliance role).
    Allowlist {
        network: NetworkRef,
        investor: Pubkey,
        /// Takes the investor off the allowlist instead.
        #[arg(long)]
        remove: bool,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Turns a registered device into shares; the device record passes to the asset,
    /// which the owner then manages.
    Tokenize {
        network: NetworkRef,
        /// The device's own public key (its record's seed).
        device_key: Pubkey,
        /// The mint offerings sell in and revenue is paid in (e.g. USDC).
        #[arg(long, value_name = "MINT")]
        payment_mint: Pubkey,
        /// How many shares the machine is divided into.
        #[arg(long, value_name = "COUNT")]
        shares: u64,
        /// The device's registered owner (a keypair file, or a public key offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        owner: Option<String>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// The asset's authority keeps unissued shares; they earn revenue at once.
    Retain {
        /// The asset's address or its device record's address.
        asset: Pubkey,
        /// Whole shares.
        shares: u64,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Opens an offering of unissued shares (the asset's authority).
    Offer {
        /// The asset's address or its device record's address.
        asset: Pubkey,
        /// Price of one share in the payment token's units, e.g. 1.5.
        #[arg(long)]
        price: String,
        /// Shares for sale.
        #[arg(long, value_name = "COUNT")]
        shares: u64,
        /// Shares that must sell for a success, else every buyer is refunded [default: all]
        #[arg(long, value_name = "COUNT")]
        soft_cap: Option<u64>,
        /// Unix seconds, or a time from now on the cluster's clock: +90s, +30m, +12h, +7d.
        #[arg(long, value_name = "TIME")]
        deadline: String,
        /// Most shares one buyer may take (0 = no cap).
        #[arg(long, default_value_t = 0, value_name = "COUNT")]
        per_investor_cap: u64,
        /// Only investors on the network's allowlist may buy.
        #[arg(long)]
        allowlist: bool,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Buys shares of an open offering; payment goes to its escrow.
    Buy {
        offering: Pubkey,
        /// Whole shares.
        shares: u64,
        /// The buyer (a keypair file, or a public key offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        buyer: Option<String>,
        /// The buyer's token account that pays [default: its account of the payment mint]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        from: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Closes an offering past its deadline or sold out (anyone): pays out or fails it.
    /// Proceeds go to the authority's account of the payment mint and the fee to the
    /// fee recipient's; either is created (associated account, rent from the fee payer)
    /// when it has none.
    Close {
        offering: Pubkey,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Moves a successful offering's purchases to the buyers' holdings (anyone).
    Deliver {
        offering: Pubkey,
        /// One buyer [default: every open purchase, one transaction each].
        buyer: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Refunds the buyers of a failed offering in full (anyone).
    Refund {
        offering: Pubkey,
        /// One buyer [default: every open purchase, one transaction each].
        buyer: Option<Pubkey>,
        /// The buyer's token account to refund into (with BUYER) [default: its account
        /// of the payment mint, created if it has none]
        #[arg(long, value_name = "TOKEN_ACCOUNT", requires = "buyer")]
        to: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Withdraws an offering nobody bought from (the asset's authority).
    Cancel {
        offering: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows an offering and its open purchases.
    ShowOffering { offering: Pubkey },
    /// Lists offerings [default: all].
    Offerings {
        /// Only this asset's (asset or device record address).
        #[arg(long, conflicts_with = "network")]
        asset: Option<Pubkey>,
        /// Only offerings of this network's assets.
        #[arg(long)]
        network: Option<NetworkRef>,
    },
    /// Shows an asset.
    ShowAsset {
        /// The asset's address or its device record's address.
        asset: Pubkey,
    },
    /// Lists assets [default: all].
    Assets {
        #[arg(long)]
        network: Option<NetworkRef>,
        /// Only assets this key manages.
        #[arg(long, value_name = "PUBKEY")]
        authority: Option<Pubkey>,
    },
    /// Retires the machine for good (the asset's authority); holders keep earning.
    RetireAsset {
        asset: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Hands the asset's management and future proceeds to another key.
    TransferAsset {
        asset: Pubkey,
        new_authority: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Sets the device's operator (runs the machine, never acts for the asset); `none` clears it.
    AssetOperator {
        asset: Pubkey,
        #[arg(value_name = "PUBKEY|none")]
        operator: String,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
}

#[derive(Subcommand)]
pub enum MarketCommand {
    /// Shows a network's market settings.
    Show { network: NetworkRef },
    /// Sets the fee on successful offerings (at most 1000 bps = 10%) and its recipient.
    Set {
        network: NetworkRef,
        /// Basis points of what an offering raises.
        #[arg(long)]
        fee_bps: u16,
        /// Owner of the token accounts that receive the fee.
        #[arg(long, value_name = "PUBKEY")]
        fee_recipient: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
}

impl FractionalCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        use FractionalCommand::*;
        match self {
            Market(MarketCommand::Set { tx, .. })
            | Allowlist { tx, .. }
            | Tokenize { tx, .. }
            | Retain { tx, .. }
            | Offer { tx, .. }
            | Buy { tx, .. }
            | Close { tx, .. }
            | Deliver { tx, .. }
            | Refund { tx, .. }
            | Cancel { tx, .. }
            | RetireAsset { tx, .. }
            | TransferAsset { tx, .. }
            | AssetOperator { tx, .. } => tx.clone(),
            Market(MarketCommand::Show { .. })
            | ShowOffering { .. }
            | Offerings { .. }
            | ShowAsset { .. }
            | Assets { .. } => TxArgs::default(),
        }
    }
}

/// `flag`'s signer, else the -k keypair.
pub fn signer(session: &Session, value: Option<&str>, flag: &str) -> Result<SignerSource> {
    SignerSource::or_default(value, flag, &session.settings)
}

/// An asset by its address or its device record's, with a clear error.
pub async fn load_asset(session: &Session, address: &Pubkey) -> Result<(AssetKeys, Asset)> {
    fractional::resolve_asset(session.cluster()?, address)
        .await
        .with_context(|| {
            format!("{address} is not a tokenized asset (nor the device record of one)")
        })
}

async fn load_offering(
    session: &Session,
    address: &Pubkey,
) -> Result<(AssetKeys, Asset, Offering)> {
    fractional::resolve_offering(session.cluster()?, address)
        .await
        .with_context(|| format!("{address} is not an offering (see `depin fractional offerings`)"))
}

pub async fn decimals(session: &Session, mint: &Pubkey) -> Result<u8> {
    token::mint_decimals(session.cluster()?, mint)
        .await
        .with_context(|| format!("reading the mint {mint}"))
}

/// "+7d"-style times relative to `now`, or absolute Unix seconds.
pub fn parse_time(text: &str, now: i64) -> Result<i64> {
    let Some(relative) = text.strip_prefix('+') else {
        return text
            .parse()
            .map_err(|_| anyhow!("{text:?} is neither Unix seconds nor a time like +7d"));
    };
    let (digits, unit) = relative.split_at(relative.len().saturating_sub(1));
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => bail!("{text:?}: a relative time ends in s, m, h or d (e.g. +7d)"),
    };
    let count: i64 = digits
        .parse()
        .map_err(|_| anyhow!("{text:?}: expected a number before the unit (e.g. +7d)"))?;
    count
        .checked_mul(scale)
        .and_then(|secs| now.checked_add(secs))
        .ok_or_else(|| anyhow!("{text:?} is too far away"))
}

pub fn state_name(state: OfferingState) -> &'static str {
    match state {
        OfferingState::Open => "open",
        OfferingState::Succeeded => "succeeded",
        OfferingState::Failed => "failed",
        OfferingState::Cancelled => "cancelled",
    }
}

pub fn asset_json(address: &Pubkey, a: &Asset) -> Value {
    json!({
        "address": address.to_string(),
        "network": a.network.to_string(),
        "device": a.device.to_string(),
        "authority": a.authority.to_string(),
        "share_mint": a.share_mint.to_string(),
        "revenue_pool": a.revenue_pool.to_string(),
        "payment_mint": a.payment_mint.to_string(),
        "total_shares": a.total_shares,
        "issued": a.issued,
        "reserved": a.reserved,
        "unissued": a.total_shares.saturating_sub(a.issued).saturating_sub(a.reserved),
        "offering_count": a.offering_count,
        "open_offering": a.open_offering,
        "retired": a.retired,
    })
}

pub fn offering_json(address: &Pubkey, o: &Offering, decimals: u8) -> Value {
    json!({
        "address": address.to_string(),
        "asset": o.asset.to_string(),
        "id": o.id,
        "state": state_name(o.state),
        "payment_mint": o.payment_mint.to_string(),
        "price_per_share": amount_json(o.price_per_share, decimals),
        "shares_for_sale": o.shares_for_sale,
        "sold": o.sold,
        "soft_cap": o.soft_cap,
        "deadline": o.deadline,
        "per_investor_cap": o.per_investor_cap,
        "allowlist_required": o.allowlist_required,
        "fee_bps": o.fee_bps,
        "fee_recipient": o.fee_recipient.to_string(),
        "raised": amount_json(o.raised, decimals),
        "refunded": amount_json(o.refunded, decimals),
        "open_purchases": o.open_purchases,
        "delivered": o.delivered,
    })
}

/// The owner's token account of `mint` to pay from (`given`, else its
/// default one), checked to hold `needed`: a clear error before sending.
pub async fn paying_account(
    session: &Session,
    owner: &Pubkey,
    mint: &Pubkey,
    given: Option<Pubkey>,
    needed: u64,
    what: &str,
) -> Result<Pubkey> {
    let cluster = session.cluster()?;
    let decimals = decimals(session, mint).await?;
    let (address, account) = match given {
        Some(address) => {
            let stored = cluster
                .get_account(&address)
                .await?
                .ok_or_else(|| anyhow!("the token account {address} does not exist"))?;
            let account = token::decode_account(&stored.data)
                .ok_or_else(|| anyhow!("{address} is not a token account"))?;
            if account.mint != *mint {
                bail!(
                    "{address} holds the mint {}, but {what} is paid in {mint}",
                    account.mint
                );
            }
            (address, account)
        }
        None => token::default_account(cluster, owner, mint)
            .await?
            .ok_or_else(|| {
                anyhow!(
                    "{owner} has no token account of the mint {mint} to pay {what}: create and fund \
                     one (`depin token mint` or `depin token transfer` create it), or name one with --from"
                )
            })?,
    };
    if account.amount < needed {
        bail!(
            "not enough tokens: {address} holds {} of the mint {mint}, and {what} costs {}; \
             fund it with at least {} more, or pay less",
            ui_amount(account.amount, decimals),
            ui_amount(needed, decimals),
            ui_amount(needed - account.amount, decimals)
        );
    }
    Ok(address)
}

/// `owner`'s account of `mint` to receive into, and the instruction that
/// creates it first when it has none (paid by the fee payer).
pub async fn receiving(
    session: &Session,
    owner: &Pubkey,
    mint: &Pubkey,
    given: Option<Pubkey>,
) -> Result<(Pubkey, Vec<Instruction>)> {
    if let Some(address) = given {
        return Ok((address, vec![]));
    }
    let (address, create) =
        token::receiving_account(session.cluster()?, &session.fee_payer.pubkey(), owner, mint)
            .await?;
    Ok((address, create.into_iter().collect()))
}

pub async fn run(session: &Session, command: FractionalCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    use FractionalCommand as C;
    match command {
        C::Market(MarketCommand::Show { network }) => {
            let market = fractional::market(session.cluster()?, &network.0).await?;
            let json = json!({
                "network": network.0.to_string(),
                "address": fractional::market_address(&network.0).to_string(),
                "configured": market.is_some(),
                "fee_bps": market.as_ref().map_or(0, |m| m.fee_bps),
                "fee_recipient": market.as_ref().map(|m| m.fee_recipient.to_string()),
            });
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        C::Market(MarketCommand::Set {
            network,
            fee_bps,
            fee_recipient,
            authority: who,
            ..
        }) => {
            let signer = authority(session, &who)?;
            let ix = fractional::configure_market(
                &payer,
                &signer.pubkey(),
                &network.0,
                fee_bps,
                &fee_recipient,
            );
            let summary = json!({ "network": network.0.to_string(), "fee_bps": fee_bps,
                "fee_recipient": fee_recipient.to_string() });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "Market fee of network {} set to {fee_bps} bps, paid to {fee_recipient}",
                        network.0
                    )
                })
                .await?;
            Ok(())
        }
        C::Allowlist {
            network,
            investor,
            remove,
            authority: who,
            ..
        } => {
            let signer = authority(session, &who)?;
            let ix =
                fractional::set_allowlist(&payer, &signer.pubkey(), &network.0, &investor, !remove);
            let summary = json!({ "network": network.0.to_string(), "investor": investor.to_string(),
                "allowed": !remove });
            session
                .run(&[ix], &[&signer], summary, || {
                    let verb = if remove { "removed from" } else { "added to" };
                    format!("{investor} {verb} the allowlist of network {}", network.0)
                })
                .await?;
            Ok(())
        }
        C::Tokenize {
            network,
            device_key,
            payment_mint,
            shares,
            owner,
            ..
        } => {
            let owner = signer(session, owner.as_deref(), "--owner")?;
            let record = depin_client::depin_registry::pda::device(&network.0, &device_key).0;
            let keys = AssetKeys::of_device(&record);
            let ix = fractional::create_asset(
                &payer,
                &owner.pubkey(),
                &network.0,
                &record,
                &payment_mint,
                shares,
            );
            let summary = json!({
                "asset": keys.asset.to_string(),
                "device": record.to_string(),
                "network": network.0.to_string(),
                "authority": owner.pubkey().to_string(),
                "share_mint": keys.share_mint.to_string(),
                "revenue_pool": keys.revenue_pool.to_string(),
                "payment_mint": payment_mint.to_string(),
                "total_shares": shares,
            });
            session
                .run(&[ix], &[&owner], summary, || {
                    format!(
                        "Device {device_key} tokenized into {shares} shares: asset {}, share mint {}",
                        keys.asset, keys.share_mint
                    )
                })
                .await?;
            Ok(())
        }
        C::Retain {
            asset,
            shares,
            authority: who,
            ..
        } => {
            let (keys, stored) = load_asset(session, &asset).await?;
            let signer = authority(session, &who)?;
            let ix =
                fractional::retain_shares(&payer, &signer.pubkey(), &stored.network, &keys, shares);
            let summary = json!({ "asset": keys.asset.to_string(),
                "authority": signer.pubkey().to_string(), "shares": shares });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "{} keeps {shares} shares of asset {}",
                        signer.pubkey(),
                        keys.asset
                    )
                })
                .await?;
            Ok(())
        }
        C::Offer {
            asset,
            price,
            shares,
            soft_cap,
            deadline,
            per_investor_cap,
            allowlist,
            authority: who,
            ..
        } => {
            let (keys, stored) = load_asset(session, &asset).await?;
            let decimals = decimals(session, &stored.payment_mint).await?;
            let price_per_share =
                parse_ui_amount(&price, decimals).context("--price (payment token units)")?;
            let now = session.cluster()?.unix_timestamp().await?;
            let deadline = parse_time(&deadline, now).context("--deadline")?;
            let signer = authority(session, &who)?;
            let id = stored.offering_count;
            let terms = OfferingTerms {
                price_per_share,
                shares_for_sale: shares,
                soft_cap: soft_cap.unwrap_or(shares),
                deadline,
                per_investor_cap,
                allowlist_required: allowlist,
            };
            let summary = json!({
                "offering": keys.offering(id).to_string(),
                "asset": keys.asset.to_string(),
                "id": id,
                "price_per_share": amount_json(price_per_share, decimals),
                "shares_for_sale": shares,
                "soft_cap": terms.soft_cap,
                "deadline": deadline,
                "per_investor_cap": per_investor_cap,
                "allowlist_required": allowlist,
            });
            let ix = fractional::create_offering(
                &payer,
                &signer.pubkey(),
                &stored.network,
                &keys,
                id,
                &stored.payment_mint,
                terms,
            );
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "Offering {} of asset {}: {shares} shares at {} each, deadline {deadline}",
                        keys.offering(id),
                        keys.asset,
                        ui_amount(price_per_share, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        C::Buy {
            offering,
            shares,
            buyer,
            from,
            ..
        } => {
            let (keys, stored, offer) = load_offering(session, &offering).await?;
            let buyer = signer(session, buyer.as_deref(), "--buyer")?;
            let cost = fractional::purchase_cost(&offer, shares)
                .ok_or_else(|| anyhow!("{shares} shares at this price overflow"))?;
            let decimals = decimals(session, &offer.payment_mint).await?;
            let what = format!(
                "{shares} shares at {} each",
                ui_amount(offer.price_per_share, decimals)
            );
            let source = paying_account(
                session,
                &buyer.pubkey(),
                &offer.payment_mint,
                from,
                cost,
                &what,
            )
            .await?;
            let allowlisted = offer.allowlist_required
                && fractional::allow_entry(session.cluster()?, &stored.network, &buyer.pubkey())
                    .await?
                    .is_some();
            let ix = fractional::buy(
                &buyer.pubkey(),
                &keys,
                offer.id,
                &stored.network,
                allowlisted,
                &source,
                shares,
            );
            let summary = json!({
                "offering": offering.to_string(),
                "asset": keys.asset.to_string(),
                "buyer": buyer.pubkey().to_string(),
                "shares": shares,
                "cost": amount_json(cost, decimals),
                "payment_source": source.to_string(),
            });
            session
                .run(&[ix], &[&buyer], summary, || {
                    format!(
                        "{} bought {what} for {} from offering {offering}",
                        buyer.pubkey(),
                        ui_amount(cost, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        C::Close { offering, .. } => {
            load_offering(session, &offering).await?;
            let fractional::OfferingClose {
                instructions: ixs,
                proceeds,
                fee_account,
            } = fractional::close_offering_instructions(
                session.cluster()?,
                &payer,
                &offering,
                None,
            )
            .await?;
            let outcome = session.execute(&ixs, &[]).await?;
            let state = match &outcome {
                Outcome::Sent(_) => Some(
                    match depin_client::fetch_optional::<Offering>(session.cluster()?, &offering)
                        .await?
                    {
                        Some(after) => state_name(after.state),
                        None => "settled",
                    },
                ),
                _ => None,
            };
            let summary = json!({
                "offering": offering.to_string(),
                "proceeds_account": proceeds.to_string(),
                "fee_account": fee_account.map(|a| a.to_string()),
                "state": state,
            });
            session.print(&outcome, summary, || {
                format!(
                    "Offering {offering} closed: {}",
                    state.unwrap_or("outcome decided when sent")
                )
            });
            Ok(())
        }
        C::Deliver {
            offering, buyer, ..
        } => {
            let (keys, stored, offer) = load_offering(session, &offering).await?;
            if offer.state != OfferingState::Succeeded {
                bail!(
                    "offering {offering} is {}: purchases are delivered after a success \
                     (close it first; a failed offering's buyers get `depin fractional refund`)",
                    state_name(offer.state)
                );
            }
            let parties = OfferingParties {
                authority: stored.authority,
                rent_payer: offer.rent_payer,
            };
            let buyers = buyers(session, &offering, buyer).await?;
            let mut steps = vec![];
            for (buyer, shares, _) in buyers {
                let ix = fractional::deliver_purchase(&payer, &keys, offer.id, &buyer, &parties);
                let entry = json!({ "offering": offering.to_string(), "buyer": buyer.to_string(),
                    "shares": shares });
                let human = format!("Delivered {shares} shares to {buyer}");
                steps.push((vec![ix], entry, human));
            }
            run_steps(session, &offering, "deliveries", steps).await
        }
        C::Refund {
            offering,
            buyer,
            to,
            ..
        } => {
            let (keys, _, offer) = load_offering(session, &offering).await?;
            if offer.state != OfferingState::Failed {
                bail!(
                    "offering {offering} is {}: refunds are for failed offerings \
                     (close it after its deadline first)",
                    state_name(offer.state)
                );
            }
            let decimals = decimals(session, &offer.payment_mint).await?;
            let buyers = buyers(session, &offering, buyer).await?;
            let mut steps = vec![];
            for (buyer, _, paid) in buyers {
                let (destination, mut ixs) =
                    receiving(session, &buyer, &offer.payment_mint, to).await?;
                ixs.push(fractional::refund(
                    &keys,
                    offer.id,
                    &buyer,
                    &destination,
                    &offer.rent_payer,
                ));
                let entry = json!({ "offering": offering.to_string(), "buyer": buyer.to_string(),
                    "refund": amount_json(paid, decimals), "destination": destination.to_string() });
                let human = format!(
                    "Refunded {} to {buyer} ({destination})",
                    ui_amount(paid, decimals)
                );
                steps.push((ixs, entry, human));
            }
            run_steps(session, &offering, "refunds", steps).await
        }
        C::Cancel {
            offering,
            authority: who,
            ..
        } => {
            let (keys, _, offer) = load_offering(session, &offering).await?;
            let signer = authority(session, &who)?;
            // The signer stands as the authority: the program refuses anyone else.
            let parties = OfferingParties {
                authority: signer.pubkey(),
                rent_payer: offer.rent_payer,
            };
            let ix = fractional::cancel_offering(&payer, &keys, offer.id, &parties);
            let summary =
                json!({ "offering": offering.to_string(), "asset": keys.asset.to_string() });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Offering {offering} cancelled")
                })
                .await?;
            Ok(())
        }
        C::ShowOffering { offering } => {
            let (_, _, offer) = load_offering(session, &offering).await?;
            let decimals = decimals(session, &offer.payment_mint).await?;
            let purchases = fractional::purchases(session.cluster()?, &offering).await?;
            let mut json = offering_json(&offering, &offer, decimals);
            json["purchases"] = purchases
                .iter()
                .map(|(_, p)| {
                    json!({ "buyer": p.buyer.to_string(), "shares": p.shares,
                        "paid": amount_json(p.paid, decimals) })
                })
                .collect();
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        C::Offerings { asset, network } => {
            let cluster = session.cluster()?;
            let all = match (asset, network) {
                (Some(asset), _) => {
                    let (keys, _) = load_asset(session, &asset).await?;
                    fractional::offerings(cluster, Some(&keys.asset)).await?
                }
                (None, Some(network)) => {
                    let assets: Vec<Pubkey> = fractional::assets(cluster, Some(&network.0), None)
                        .await?
                        .into_iter()
                        .map(|(address, _)| address)
                        .collect();
                    fractional::offerings(cluster, None)
                        .await?
                        .into_iter()
                        .filter(|(_, o)| assets.contains(&o.asset))
                        .collect()
                }
                (None, None) => fractional::offerings(cluster, None).await?,
            };
            let mut list = vec![];
            for (address, offer) in &all {
                let decimals = decimals(session, &offer.payment_mint).await?;
                list.push(offering_json(address, offer, decimals));
            }
            let json = json!({ "offerings": list });
            session.output.print(&json, || {
                let mut table = Table::new(&[
                    "offering", "asset", "id", "state", "price", "sold", "deadline",
                ]);
                for o in &list {
                    table.row(vec![
                        text(&o["address"]),
                        text(&o["asset"]),
                        o["id"].to_string(),
                        text(&o["state"]),
                        text(&o["price_per_share"]["ui_amount"]),
                        format!("{}/{}", o["sold"], o["shares_for_sale"]),
                        o["deadline"].to_string(),
                    ]);
                }
                table.render()
            });
            Ok(())
        }
        C::ShowAsset { asset } => {
            let (keys, stored) = load_asset(session, &asset).await?;
            let json = asset_json(&keys.asset, &stored);
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        C::Assets { network, authority } => {
            let all = fractional::assets(
                session.cluster()?,
                network.as_ref().map(|n| &n.0),
                authority.as_ref(),
            )
            .await?;
            let list: Vec<Value> = all.iter().map(|(a, s)| asset_json(a, s)).collect();
            let json = json!({ "assets": list });
            session.output.print(&json, || {
                let mut table = Table::new(&[
                    "asset",
                    "device",
                    "authority",
                    "shares",
                    "issued",
                    "retired",
                ]);
                for a in &list {
                    table.row(vec![
                        text(&a["address"]),
                        text(&a["device"]),
                        text(&a["authority"]),
                        a["total_shares"].to_string(),
                        a["issued"].to_string(),
                        a["retired"].to_string(),
                    ]);
                }
                table.render()
            });
            Ok(())
        }
        C::RetireAsset {
            asset,
            authority: who,
            ..
        } => {
            let (keys, stored) = load_asset(session, &asset).await?;
            let signer = authority(session, &who)?;
            let ix = fractional::retire_asset(&signer.pubkey(), &stored.network, &keys);
            let summary = json!({ "asset": keys.asset.to_string() });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Asset {} retired", keys.asset)
                })
                .await?;
            Ok(())
        }
        C::TransferAsset {
            asset,
            new_authority,
            authority: who,
            ..
        } => {
            let (keys, stored) = load_asset(session, &asset).await?;
            let signer = authority(session, &who)?;
            let ix = fractional::transfer_asset(
                &signer.pubkey(),
                &stored.network,
                &keys,
                &new_authority,
            );
            let summary = json!({ "asset": keys.asset.to_string(),
                "new_authority": new_authority.to_string() });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Asset {} now managed by {new_authority}", keys.asset)
                })
                .await?;
            Ok(())
        }
        C::AssetOperator {
            asset,
            operator,
            authority: who,
            ..
        } => {
            let operator = match operator.as_str() {
                "none" => None,
                text => Some(
                    text.parse::<Pubkey>()
                        .map_err(|_| anyhow!("{text:?} is neither a public key nor `none`"))?,
                ),
            };
            let (keys, stored) = load_asset(session, &asset).await?;
            let signer = authority(session, &who)?;
            let ix = fractional::set_asset_operator(
                &signer.pubkey(),
                &stored.network,
                &keys,
                &operator.unwrap_or_default(),
            );
            let summary = json!({ "asset": keys.asset.to_string(),
                "operator": operator.map(|o| o.to_string()) });
            session
                .run(&[ix], &[&signer], summary, || match operator {
                    Some(o) => format!("Operator of asset {} set to {o}", keys.asset),
                    None => format!("Operator of asset {} cleared", keys.asset),
                })
                .await?;
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

/// (buyer, shares, paid) of one buyer's open purchase, or of every one.
async fn buyers(
    session: &Session,
    offering: &Pubkey,
    buyer: Option<Pubkey>,
) -> Result<Vec<(Pubkey, u64, u64)>> {
    let purchases = fractional::purchases(session.cluster()?, offering).await?;
    let all: Vec<(Pubkey, u64, u64)> = purchases
        .iter()
        .map(|(_, p)| (p.buyer, p.shares, p.paid))
        .collect();
    match buyer {
        Some(buyer) => all
            .into_iter()
            .find(|(b, _, _)| *b == buyer)
            .map(|found| vec![found])
            .ok_or_else(|| {
                anyhow!("{buyer} has no open purchase in offering {offering} (delivered, refunded or never made)")
            }),
        None if all.is_empty() => bail!("offering {offering} has no open purchases"),
        None => Ok(all),
    }
}

/// One step: `session.run` with its entry as the summary. Several: a plain
/// send of each, then `{"offering", KEY: [entry + "transaction"]}`.
async fn run_steps(
    session: &Session,
    offering: &Pubkey,
    key: &str,
    mut steps: Vec<(Vec<Instruction>, Value, String)>,
) -> Result<()> {
    if steps.len() == 1 {
        let (ixs, entry, human) = steps.remove(0);
        session.run(&ixs, &[], entry, || human).await?;
        return Ok(());
    }
    if session.tx.dry_run || session.tx.sign_only || session.tx.blockhash.is_some() {
        bail!("--dry-run and offline signing act on one purchase: give BUYER");
    }
    let batches: Vec<Vec<Instruction>> = steps.iter().map(|(ixs, _, _)| ixs.clone()).collect();
    let sent = session.send_each(&batches, &[]).await?;
    let mut done = vec![];
    let mut lines = vec![];
    for ((_, mut entry, human), sent) in steps.into_iter().zip(&sent) {
        entry["transaction"] = sent_json(sent, session.url());
        lines.push(format!("{human}: {}", sent.signature));
        done.push(entry);
    }
    let json = json!({ "offering": offering.to_string(), key: done });
    session.output.print(&json, || lines.join("\n"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_absolute_or_relative_to_the_cluster_clock() {
        assert_eq!(parse_time("1700000000", 5).unwrap(), 1_700_000_000);
        assert_eq!(parse_time("+90s", 1_000).unwrap(), 1_090);
        assert_eq!(parse_time("+30m", 0).unwrap(), 1_800);
        assert_eq!(parse_time("+12h", 0).unwrap(), 43_200);
        assert_eq!(parse_time("+7d", 10).unwrap(), 604_810);
        assert!(parse_time("+7w", 0)
            .unwrap_err()
            .to_string()
            .contains("s, m, h or d"));
        assert!(parse_time("+d", 0).is_err());
        assert!(parse_time("tomorrow", 0).is_err());
        assert!(parse_time(&format!("+{}d", i64::MAX), 0).is_err());
    }
}
