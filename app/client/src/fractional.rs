//! Fractional ownership: builders and readers, including an investor's
//! portfolio across assets.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin_fractional::state::{Asset, Offering};
use depin_fractional::{accounts as accs, instruction as ixs, pda};
use depin_revenue::state::{Holding as RevenueHolding, RevenuePool};
use solana_instruction::Instruction;

pub use depin_fractional::instructions::OfferingTerms;
pub use depin_fractional::state::{OfferingState, Purchase};

use crate::cluster::{fetch, fetch_optional, Cluster};
use crate::error::ClientError;
use crate::revenue;
use crate::token::TOKEN_PROGRAM_ID;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: depin_fractional::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The addresses one asset (one device) brings.
#[derive(Debug, Clone, Copy)]
pub struct AssetKeys {
    /// The device record the asset tokenizes (and holds in the registry).
    pub device: Pubkey,
    pub asset: Pubkey,
    pub share_mint: Pubkey,
    pub asset_shares: Pubkey,
    pub revenue_pool: Pubkey,
    pub share_vault: Pubkey,
    pub revenue_vault: Pubkey,
}

impl AssetKeys {
    pub fn of_device(device: &Pubkey) -> Self {
        let asset = pda::asset(device).0;
        let share_mint = pda::share_mint(&asset).0;
        let revenue_pool = revenue::pool_address(&share_mint);
        AssetKeys {
            device: *device,
            asset,
            share_mint,
            asset_shares: pda::asset_shares(&asset).0,
            revenue_pool,
            share_vault: depin_revenue::pda::share_vault(&revenue_pool).0,
            revenue_vault: depin_revenue::pda::revenue_vault(&revenue_pool).0,
        }
    }

    pub fn offering(&self, id: u16) -> Pubkey {
        pda::offering(&self.asset, id).0
    }

    pub fn escrow(&self, id: u16) -> Pubkey {
        pda::escrow(&self.offering(id)).0
    }

    pub fn purchase(&self, id: u16, buyer: &Pubkey) -> Pubkey {
        pda::purchase(&self.offering(id), buyer).0
    }

    pub fn holding(&self, owner: &Pubkey) -> Pubkey {
        depin_revenue::pda::holding(&self.revenue_pool, owner).0
    }

    /// Where offering `id` keeps its sold shares until its outcome.
    pub fn offering_holding(&self, id: u16) -> Pubkey {
        self.holding(&self.offering(id))
    }
}

/// Who an offering's closing steps pay: the asset's authority (proceeds,
/// fallback revenue) and the offering's rent payer (read them with
/// [`asset`] and [`offering`]).
#[derive(Debug, Clone, Copy)]
pub struct OfferingParties {
    pub authority: Pubkey,
    pub rent_payer: Pubkey,
}

/// `authority` needs the treasury permission.
pub fn configure_market(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    fee_bps: u16,
    fee_recipient: &Pubkey,
) -> Instruction {
    build(
        accs::ConfigureMarket {
            payer: *payer,
            authority: *authority,
            member: depin_registry::pda::member(network, authority).0,
            network: *network,
            market: pda::market(network).0,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::ConfigureMarket {
            fee_bps,
            fee_recipient: *fee_recipient,
        },
    )
}

/// `authority` needs the compliance permission.
pub fn set_allowlist(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    investor: &Pubkey,
    allowed: bool,
) -> Instruction {
    build(
        accs::SetAllowlist {
            payer: *payer,
            authority: *authority,
            member: depin_registry::pda::member(network, authority).0,
            network: *network,
            entry: pda::allow_entry(network, investor).0,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::SetAllowlist {
            investor: *investor,
            allowed,
        },
    )
}

/// `owner` is the device's registered owner; `device` its account address.
/// The device record passes to the asset, which `owner` then manages.
pub fn create_asset(
    payer: &Pubkey,
    owner: &Pubkey,
    network: &Pubkey,
    device: &Pubkey,
    payment_mint: &Pubkey,
    total_shares: u64,
) -> Instruction {
    let keys = AssetKeys::of_device(device);
    build(
        accs::CreateAsset {
            payer: *payer,
            owner: *owner,
            network: *network,
            device: *device,
            asset: keys.asset,
            share_mint: keys.share_mint,
            asset_shares: keys.asset_shares,
            payment_mint: *payment_mint,
            revenue_pool: keys.revenue_pool,
            share_vault: keys.share_vault,
            revenue_vault: keys.revenue_vault,
            registry_program: depin_registry::ID,
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreateAsset { total_shares },
    )
}

/// Offering number `id` (the asset's `offering_count`) in `network` (whose
/// market settings, if any, set the fee); `payer` gets its rent back when
/// the offering is settled.
pub fn create_offering(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    keys: &AssetKeys,
    id: u16,
    payment_mint: &Pubkey,
    terms: OfferingTerms,
) -> Instruction {
    let offering = keys.offering(id);
    build(
        accs::CreateOffering {
            payer: *payer,
            authority: *authority,
            network: *network,
            device: keys.device,
            asset: keys.asset,
            offering,
            escrow: keys.escrow(id),
            payment_mint: *payment_mint,
            market: pda::market(network).0,
            revenue_pool: keys.revenue_pool,
            offering_holding: keys.offering_holding(id),
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreateOffering { terms },
    )
}

/// `allowlisted = true` passes the buyer's allowlist entry in `network`.
pub fn buy(
    buyer: &Pubkey,
    keys: &AssetKeys,
    id: u16,
    network: &Pubkey,
    allowlisted: bool,
    payment_source: &Pubkey,
    shares: u64,
) -> Instruction {
    build(
        accs::Buy {
            buyer: *buyer,
            network: *network,
            device: keys.device,
            asset: keys.asset,
            offering: keys.offering(id),
            purchase: keys.purchase(id, buyer),
            allow_entry: allowlisted.then(|| pda::allow_entry(network, buyer).0),
            share_mint: keys.share_mint,
            payment_source: *payment_source,
            escrow: keys.escrow(id),
            revenue_pool: keys.revenue_pool,
            offering_holding: keys.offering_holding(id),
            share_vault: keys.share_vault,
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::Buy { shares },
    )
}

/// The accounts that wind offering `id` down (shared by close, delivery
/// and cancel).
fn closer(keys: &AssetKeys, id: u16, parties: &OfferingParties) -> accs::OfferingCloser {
    accs::OfferingCloser {
        offering_holding: keys.offering_holding(id),
        authority_holding: keys.holding(&parties.authority),
        share_vault: keys.share_vault,
        asset_shares: keys.asset_shares,
        rent_payer: parties.rent_payer,
        revenue_program: depin_revenue::ID,
        token_program: TOKEN_PROGRAM_ID,
        system_program: SYSTEM_PROGRAM,
    }
}

/// Anyone closes offering `id`. `proceeds` is the authority's account in the
/// payment mint; `fee_account` the fee recipient's (needed when the
/// offering has a fee and succeeds).
pub fn close_offering(
    payer: &Pubkey,
    network: &Pubkey,
    keys: &AssetKeys,
    id: u16,
    parties: &OfferingParties,
    proceeds: &Pubkey,
    fee_account: Option<Pubkey>,
) -> Instruction {
    build(
        accs::CloseOffering {
            payer: *payer,
            network: *network,
            device: keys.device,
            asset: keys.asset,
            offering: keys.offering(id),
            escrow: keys.escrow(id),
            proceeds: *proceeds,
            fee_account,
            share_mint: keys.share_mint,
            revenue_pool: keys.revenue_pool,
            closer: closer(keys, id, parties),
        },
        ixs::CloseOffering {},
    )
}

/// Anyone delivers `buyer`'s purchase of a successful offering `id` to its
/// holding (`payer` pays the holding's rent if it is new).
pub fn deliver_purchase(
    payer: &Pubkey,
    keys: &AssetKeys,
    id: u16,
    buyer: &Pubkey,
    parties: &OfferingParties,
) -> Instruction {
    build(
        accs::DeliverPurchase {
            payer: *payer,
            buyer: *buyer,
            asset: keys.asset,
            offering: keys.offering(id),
            purchase: keys.purchase(id, buyer),
            revenue_pool: keys.revenue_pool,
            buyer_holding: keys.holding(buyer),
            share_mint: keys.share_mint,
            closer: closer(keys, id, parties),
        },
        ixs::DeliverPurchase {},
    )
}

/// Anyone refunds `buyer` (a buyer of failed offering `id`) into its own
/// payment account `destination`.
pub fn refund(
    keys: &AssetKeys,
    id: u16,
    buyer: &Pubkey,
    destination: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    build(
        accs::Refund {
            buyer: *buyer,
            asset: keys.asset,
            offering: keys.offering(id),
            purchase: keys.purchase(id, buyer),
            escrow: keys.escrow(id),
            destination: *destination,
            rent_payer: *rent_payer,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Refund {},
    )
}

/// The authority keeps `shares` unissued shares, earning in its holding.
pub fn retain_shares(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    keys: &AssetKeys,
    shares: u64,
) -> Instruction {
    build(
        accs::RetainShares {
            payer: *payer,
            authority: *authority,
            network: *network,
            device: keys.device,
            asset: keys.asset,
            share_mint: keys.share_mint,
            revenue_pool: keys.revenue_pool,
            holding: keys.holding(authority),
            share_vault: keys.share_vault,
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::RetainShares { shares },
    )
}

pub fn cancel_offering(
    payer: &Pubkey,
    keys: &AssetKeys,
    id: u16,
    parties: &OfferingParties,
) -> Instruction {
    build(
        accs::CancelOffering {
            payer: *payer,
            authority: parties.authority,
            asset: keys.asset,
            offering: keys.offering(id),
            escrow: keys.escrow(id),
            share_mint: keys.share_mint,
            revenue_pool: keys.revenue_pool,
            closer: closer(keys, id, parties),
        },
        ixs::CancelOffering {},
    )
}

/// The authority retires the machine (the device with it).
pub fn retire_asset(authority: &Pubkey, network: &Pubkey, keys: &AssetKeys) -> Instruction {
    build(
        accs::RetireAsset {
            authority: *authority,
            network: *network,
            device: keys.device,
            asset: keys.asset,
            registry_program: depin_registry::ID,
        },
        ixs::RetireAsset {},
    )
}

/// The authority hands the asset's management to `new_authority`.
pub fn transfer_asset(
    authority: &Pubkey,
    network: &Pubkey,
    keys: &AssetKeys,
    new_authority: &Pubkey,
) -> Instruction {
    build(
        accs::TransferAsset {
            authority: *authority,
            network: *network,
            device: keys.device,
            asset: keys.asset,
            registry_program: depin_registry::ID,
        },
        ixs::TransferAsset {
            new_authority: *new_authority,
        },
    )
}

/// The authority sets (or clears, with `Pubkey::default()`) the device's operator.
pub fn set_asset_operator(
    authority: &Pubkey,
    network: &Pubkey,
    keys: &AssetKeys,
    operator: &Pubkey,
) -> Instruction {
    build(
        accs::SetAssetOperator {
            authority: *authority,
            network: *network,
            device: keys.device,
            asset: keys.asset,
            registry_program: depin_registry::ID,
        },
        ixs::SetAssetOperator {
            operator: *operator,
        },
    )
}

pub fn market_address(network: &Pubkey) -> Pubkey {
    pda::market(network).0
}

// ---- readers ----

pub async fn asset(cluster: &impl Cluster, keys: &AssetKeys) -> Result<Asset, ClientError> {
    fetch(cluster, &keys.asset).await
}

pub async fn offering(
    cluster: &impl Cluster,
    keys: &AssetKeys,
    id: u16,
) -> Result<Offering, ClientError> {
    fetch(cluster, &keys.offering(id)).await
}

/// The parties of offering `id`'s closing steps, read from the chain.
pub async fn parties(
    cluster: &impl Cluster,
    keys: &AssetKeys,
    id: u16,
) -> Result<OfferingParties, ClientError> {
    let asset = asset(cluster, keys).await?;
    let offering = offering(cluster, keys, id).await?;
    Ok(OfferingParties {
        authority: asset.authority,
        rent_payer: offering.rent_payer,
    })
}

/// A buyer's purchase in offering `id` before its delivery: (shares,
/// revenue they earned so far), computed with the program's own code on
/// copies of the accounts; `None` once delivered, refunded, or never made.
pub async fn purchase_position(
    cluster: &impl Cluster,
    keys: &AssetKeys,
    id: u16,
    buyer: &Pubkey,
) -> Result<Option<(u64, u64)>, ClientError> {
    let Some(mut purchase) = fetch_optional::<Purchase>(cluster, &keys.purchase(id, buyer)).await?
    else {
        return Ok(None);
    };
    let mut offering = offering(cluster, keys, id).await?;
    if let Some(holding) =
        fetch_optional::<RevenueHolding>(cluster, &keys.offering_holding(id)).await?
    {
        let pool: RevenuePool = fetch(cluster, &keys.revenue_pool).await?;
        let math =
            |e: anchor_lang::error::Error| ClientError::Cluster(format!("purchase revenue: {e}"));
        let claimable = pool.claimable(&holding).map_err(math)?;
        offering.sync_revenue(claimable).map_err(math)?;
        offering.settle_purchase(&mut purchase).map_err(math)?;
    }
    Ok(Some((purchase.shares, purchase.revenue)))
}

/// One line of an investor's portfolio.
#[derive(Debug, Clone)]
pub struct Holding {
    pub asset: Pubkey,
    pub share_mint: Pubkey,
    /// Shares earning in the revenue pool.
    pub earning_shares: u64,
    /// Shares in the investor's wallet (not earning until deposited).
    pub wallet_shares: u64,
    pub total_shares: u64,
    pub claimable_revenue: u64,
}

/// An investor's shares and claimable revenue in each of `devices`' assets;
/// `wallet_accounts` are its share token accounts (any mint).
pub async fn portfolio(
    cluster: &impl Cluster,
    investor: &Pubkey,
    devices: &[Pubkey],
    wallet_accounts: &[Pubkey],
) -> Result<Vec<Holding>, ClientError> {
    let mut wallet = vec![];
    for account in wallet_accounts {
        if let Some(data) = cluster.get_account(account).await? {
            if let Some(decoded) = crate::token::decode_account(&data.data) {
                wallet.push((decoded.mint, decoded.amount));
            }
        }
    }
    let mut lines = vec![];
    for device in devices {
        let keys = AssetKeys::of_device(device);
        let asset = asset(cluster, &keys).await?;
        let (earning_shares, claimable_revenue) =
            revenue::position(cluster, &keys.share_mint, investor).await?;
        let wallet_shares = wallet
            .iter()
            .filter(|(m, _)| *m == keys.share_mint)
            .map(|(_, a)| a)
            .sum();
        lines.push(Holding {
            asset: keys.asset,
            share_mint: keys.share_mint,
            earning_shares,
            wallet_shares,
            total_shares: asset.total_shares,
            claimable_revenue,
        });
    }
    Ok(lines)
}
