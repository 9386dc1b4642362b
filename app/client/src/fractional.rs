//! Fractional ownership: builders and readers, including an investor's
//! portfolio across assets.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin_fractional::state::{Asset, Offering};
use depin_fractional::{accounts as accs, instruction as ixs, pda};
use solana_instruction::Instruction;

pub use depin_fractional::instructions::OfferingTerms;
pub use depin_fractional::state::{OfferingState, Purchase};

use crate::cluster::{fetch, Cluster};
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

    pub fn holding(&self, owner: &Pubkey) -> Pubkey {
        depin_revenue::pda::holding(&self.revenue_pool, owner).0
    }
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

/// `authority` is the device's owner or operator; `device` its account address.
pub fn create_asset(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    device: &Pubkey,
    payment_mint: &Pubkey,
    total_shares: u64,
) -> Instruction {
    let keys = AssetKeys::of_device(device);
    build(
        accs::CreateAsset {
            payer: *payer,
            authority: *authority,
            network: *network,
            device: *device,
            asset: keys.asset,
            share_mint: keys.share_mint,
            asset_shares: keys.asset_shares,
            payment_mint: *payment_mint,
            revenue_pool: keys.revenue_pool,
            share_vault: keys.share_vault,
            revenue_vault: keys.revenue_vault,
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreateAsset { total_shares },
    )
}

/// Offering number `id` (the asset's `offering_count`) in `network` (whose
/// market settings, if any, set the fee).
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
            asset: keys.asset,
            offering,
            escrow: pda::escrow(&offering).0,
            payment_mint: *payment_mint,
            market: pda::market(network).0,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreateOffering { terms },
    )
}

/// `network` is needed for the allowlist entry (`allowlisted = true` passes it).
pub fn buy(
    buyer: &Pubkey,
    keys: &AssetKeys,
    id: u16,
    network: &Pubkey,
    allowlisted: bool,
    payment_source: &Pubkey,
    shares: u64,
) -> Instruction {
    let offering = keys.offering(id);
    build(
        accs::Buy {
            buyer: *buyer,
            asset: keys.asset,
            offering,
            purchase: pda::purchase(&offering, buyer).0,
            allow_entry: allowlisted.then(|| pda::allow_entry(network, buyer).0),
            share_mint: keys.share_mint,
            payment_source: *payment_source,
            escrow: pda::escrow(&offering).0,
            revenue_pool: keys.revenue_pool,
            holding: keys.holding(buyer),
            share_vault: keys.share_vault,
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::Buy { shares },
    )
}

/// Fee accounts: `Some((market, fee_token_account))` when the offering has a fee.
pub fn close_offering(
    payer: &Pubkey,
    keys: &AssetKeys,
    id: u16,
    authority: &Pubkey,
    proceeds: &Pubkey,
    fee: Option<(Pubkey, Pubkey)>,
) -> Instruction {
    let offering = keys.offering(id);
    build(
        accs::CloseOffering {
            payer: *payer,
            asset: keys.asset,
            offering,
            escrow: pda::escrow(&offering).0,
            proceeds: *proceeds,
            market: fee.map(|f| f.0),
            fee_account: fee.map(|f| f.1),
            share_mint: keys.share_mint,
            revenue_pool: keys.revenue_pool,
            holding: keys.holding(authority),
            share_vault: keys.share_vault,
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CloseOffering {},
    )
}

pub fn refund(buyer: &Pubkey, keys: &AssetKeys, id: u16, destination: &Pubkey) -> Instruction {
    let offering = keys.offering(id);
    build(
        accs::Refund {
            buyer: *buyer,
            asset: keys.asset,
            offering,
            purchase: pda::purchase(&offering, buyer).0,
            escrow: pda::escrow(&offering).0,
            destination: *destination,
            share_mint: keys.share_mint,
            asset_shares: keys.asset_shares,
            revenue_pool: keys.revenue_pool,
            holding: keys.holding(buyer),
            share_vault: keys.share_vault,
            revenue_program: depin_revenue::ID,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Refund {},
    )
}

/// The authority keeps `shares` unissued shares, earning in its holding.
pub fn retain_shares(
    payer: &Pubkey,
    authority: &Pubkey,
    keys: &AssetKeys,
    shares: u64,
) -> Instruction {
    build(
        accs::RetainShares {
            payer: *payer,
            authority: *authority,
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

pub fn cancel_offering(authority: &Pubkey, keys: &AssetKeys, id: u16) -> Instruction {
    build(
        accs::CancelOffering {
            authority: *authority,
            asset: keys.asset,
            offering: keys.offering(id),
        },
        ixs::CancelOffering {},
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
