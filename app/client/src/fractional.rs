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

// ---- lookups for the CLI and other tools ----

/// Where the fields that listings filter on sit in each account (after the
/// 8-byte Anchor discriminator); pinned by the tests below.
pub mod offsets {
    pub const ASSET_NETWORK: usize = 8;
    pub const ASSET_DEVICE: usize = 40;
    pub const ASSET_AUTHORITY: usize = 72;
    pub const OFFERING_ASSET: usize = 8;
    pub const PURCHASE_OFFERING: usize = 8;
    pub const PURCHASE_BUYER: usize = 40;
    /// The registry's `Device.owner` (after `device_key`).
    pub const DEVICE_OWNER: usize = 40;
}

fn memcmp(offset: usize, key: &Pubkey) -> crate::AccountFilter {
    crate::AccountFilter::Memcmp {
        offset,
        bytes: key.to_bytes().to_vec(),
    }
}

/// An asset named by its own address or by its device record's address
/// (the two are told apart by the account's owner program).
pub async fn resolve_asset(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<(AssetKeys, Asset), ClientError> {
    let account = cluster
        .get_account(address)
        .await?
        .ok_or(ClientError::AccountNotFound(*address))?;
    let device = if account.owner == depin_registry::ID {
        *address
    } else {
        let asset: Asset =
            anchor_lang::AccountDeserialize::try_deserialize(&mut account.data.as_slice())
                .map_err(|e| ClientError::Decode {
                    address: *address,
                    expected: "Asset (or a device record)",
                    reason: e.to_string(),
                })?;
        asset.device
    };
    let keys = AssetKeys::of_device(&device);
    let asset = fetch(cluster, &keys.asset).await?;
    Ok((keys, asset))
}

/// An offering by its address, with its asset.
pub async fn resolve_offering(
    cluster: &impl Cluster,
    offering: &Pubkey,
) -> Result<(AssetKeys, Asset, Offering), ClientError> {
    let stored: Offering = fetch(cluster, offering).await?;
    let (keys, asset) = resolve_asset(cluster, &stored.asset).await?;
    Ok((keys, asset, stored))
}

/// Everything that closes the offering at `offering` (anyone may, once it
/// can finish): the instructions creating the proceeds and fee accounts its
/// asset's authority and the fee recipient lack (`payer` pays their rent),
/// then `close_offering`. `proceeds` overrides the authority's account.
pub async fn close_offering_instructions(
    cluster: &impl Cluster,
    payer: &Pubkey,
    offering: &Pubkey,
    proceeds: Option<Pubkey>,
) -> Result<OfferingClose, ClientError> {
    let (keys, asset, stored) = resolve_offering(cluster, offering).await?;
    let mint = stored.payment_mint;
    let mut instructions = vec![];
    let proceeds = match proceeds {
        Some(address) => address,
        None => {
            let (address, create) =
                crate::token::receiving_account(cluster, payer, &asset.authority, &mint).await?;
            instructions.extend(create);
            address
        }
    };
    let fee_account = if stored.fee_bps > 0 {
        let (address, create) =
            crate::token::receiving_account(cluster, payer, &stored.fee_recipient, &mint).await?;
        instructions.extend(create);
        Some(address)
    } else {
        None
    };
    let parties = OfferingParties {
        authority: asset.authority,
        rent_payer: stored.rent_payer,
    };
    instructions.push(close_offering(
        payer,
        &asset.network,
        &keys,
        stored.id,
        &parties,
        &proceeds,
        fee_account,
    ));
    Ok(OfferingClose {
        instructions,
        proceeds,
        fee_account,
    })
}

/// [`close_offering_instructions`]' result.
#[derive(Debug, Clone)]
pub struct OfferingClose {
    /// To send in order, in one transaction.
    pub instructions: Vec<Instruction>,
    /// Receives the proceeds of a success.
    pub proceeds: Pubkey,
    /// Receives the market fee, when the offering has one.
    pub fee_account: Option<Pubkey>,
}

/// What `shares` cost in offering `offering` (payment mint base units);
/// `None` on overflow. The program charges exactly this.
pub fn purchase_cost(offering: &Offering, shares: u64) -> Option<u64> {
    shares.checked_mul(offering.price_per_share)
}

/// The network's market settings (fee), if it configured any.
pub async fn market(
    cluster: &impl Cluster,
    network: &Pubkey,
) -> Result<Option<depin_fractional::state::MarketConfig>, ClientError> {
    fetch_optional(cluster, &market_address(network)).await
}

/// `investor`'s allowlist entry in `network`, if any.
pub async fn allow_entry(
    cluster: &impl Cluster,
    network: &Pubkey,
    investor: &Pubkey,
) -> Result<Option<depin_fractional::state::AllowEntry>, ClientError> {
    fetch_optional(cluster, &pda::allow_entry(network, investor).0).await
}

/// Every asset, of `network` and/or managed by `authority` when given.
pub async fn assets(
    cluster: &impl Cluster,
    network: Option<&Pubkey>,
    authority: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, Asset)>, ClientError> {
    let mut filters = vec![];
    if let Some(network) = network {
        filters.push(memcmp(offsets::ASSET_NETWORK, network));
    }
    if let Some(authority) = authority {
        filters.push(memcmp(offsets::ASSET_AUTHORITY, authority));
    }
    let mut all = crate::fetch_all::<Asset>(cluster, &depin_fractional::ID, &filters).await?;
    all.sort_by_key(|(address, _)| *address);
    Ok(all)
}

/// Every offering, of `asset` when given, by asset then id.
pub async fn offerings(
    cluster: &impl Cluster,
    asset: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, Offering)>, ClientError> {
    let filters: Vec<_> = asset
        .map(|asset| memcmp(offsets::OFFERING_ASSET, asset))
        .into_iter()
        .collect();
    let mut all = crate::fetch_all::<Offering>(cluster, &depin_fractional::ID, &filters).await?;
    all.sort_by_key(|(_, o)| (o.asset, o.id));
    Ok(all)
}

/// The open purchase records of `offering` (not yet delivered or refunded).
pub async fn purchases(
    cluster: &impl Cluster,
    offering: &Pubkey,
) -> Result<Vec<(Pubkey, Purchase)>, ClientError> {
    let filters = [memcmp(offsets::PURCHASE_OFFERING, offering)];
    let mut all = crate::fetch_all::<Purchase>(cluster, &depin_fractional::ID, &filters).await?;
    all.sort_by_key(|(_, p)| p.buyer);
    Ok(all)
}

/// `buyer`'s open purchase records in every offering.
pub async fn purchases_of(
    cluster: &impl Cluster,
    buyer: &Pubkey,
) -> Result<Vec<(Pubkey, Purchase)>, ClientError> {
    let filters = [memcmp(offsets::PURCHASE_BUYER, buyer)];
    crate::fetch_all::<Purchase>(cluster, &depin_fractional::ID, &filters).await
}

/// `part` of `total` in percent, as an exact-enough decimal string with
/// four decimals, rounded down ("37.5000"); "0.0000" when `total` is 0.
pub fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0.0000".into();
    }
    let scaled = u128::from(part) * 1_000_000 / u128::from(total);
    format!("{}.{:04}", scaled / 10_000, scaled % 10_000)
}

/// One machine in an investor's portfolio.
#[derive(Debug, Clone)]
pub struct PortfolioLine {
    pub asset: Pubkey,
    pub device: Pubkey,
    pub network: Pubkey,
    pub share_mint: Pubkey,
    pub payment_mint: Pubkey,
    pub total_shares: u64,
    /// Shares earning in the owner's holding.
    pub earning_shares: u64,
    /// Shares in the owner's wallet (earning nothing until deposited).
    pub wallet_shares: u64,
    /// Shares bought in offerings not yet delivered (earning for the buyer
    /// in the offering's holding; refunded if the offering fails).
    pub purchased_shares: u64,
    /// Revenue claimable now from the holding.
    pub claimable: u64,
    /// Revenue earned by undelivered purchases (arrives with delivery).
    pub purchase_revenue: u64,
}

impl PortfolioLine {
    pub fn shares(&self) -> u64 {
        self.earning_shares
            .saturating_add(self.wallet_shares)
            .saturating_add(self.purchased_shares)
    }

    /// The owner's part of the machine, in percent ([`percent`]).
    pub fn percent_of_machine(&self) -> String {
        percent(self.shares(), self.total_shares)
    }
}

/// Everything `owner` holds of tokenized machines: holdings in revenue
/// pools, share tokens in its wallet and undelivered purchases, one line
/// per asset (found with `getProgramAccounts` filters on the owner fields,
/// so it needs an RPC cluster), sorted by asset.
pub async fn investor_portfolio(
    cluster: &impl Cluster,
    owner: &Pubkey,
) -> Result<Vec<PortfolioLine>, ClientError> {
    use std::collections::BTreeMap;
    let mut lines: BTreeMap<Pubkey, PortfolioLine> = BTreeMap::new();
    fn line<'a>(
        lines: &'a mut BTreeMap<Pubkey, PortfolioLine>,
        key: Pubkey,
        asset: &Asset,
    ) -> &'a mut PortfolioLine {
        lines.entry(key).or_insert_with(|| PortfolioLine {
            asset: key,
            device: asset.device,
            network: asset.network,
            share_mint: asset.share_mint,
            payment_mint: asset.payment_mint,
            total_shares: asset.total_shares,
            earning_shares: 0,
            wallet_shares: 0,
            purchased_shares: 0,
            claimable: 0,
            purchase_revenue: 0,
        })
    }
    // Holdings in revenue pools (the asset is the pool's issuer).
    for (_, holding) in revenue::holdings_of(cluster, owner).await? {
        let pool: RevenuePool = fetch(cluster, &holding.pool).await?;
        let Some(asset) = fetch_optional::<Asset>(cluster, &pool.issuer).await? else {
            continue;
        };
        let claimable = pool
            .claimable(&holding)
            .map_err(|e| ClientError::Cluster(format!("claimable revenue: {e}")))?;
        let entry = line(&mut lines, pool.issuer, &asset);
        entry.earning_shares = entry.earning_shares.saturating_add(holding.shares);
        entry.claimable = entry.claimable.saturating_add(claimable);
    }
    // Undelivered purchases.
    for (_, purchase) in purchases_of(cluster, owner).await? {
        let (keys, asset, offering) = resolve_offering(cluster, &purchase.offering).await?;
        if let Some((shares, revenue)) =
            purchase_position(cluster, &keys, offering.id, owner).await?
        {
            let entry = line(&mut lines, keys.asset, &asset);
            entry.purchased_shares = entry.purchased_shares.saturating_add(shares);
            entry.purchase_revenue = entry.purchase_revenue.saturating_add(revenue);
        }
    }
    // Share tokens in the wallet: mints whose revenue pool exists.
    let wallet = crate::token::accounts_of(cluster, owner, None).await?;
    let pools: Vec<Pubkey> = wallet
        .iter()
        .map(|(_, account)| revenue::pool_address(&account.mint))
        .collect();
    let stored = cluster.get_multiple_accounts(&pools).await?;
    for ((_, account), pool) in wallet.iter().zip(stored) {
        let Some(pool) = pool.filter(|p| p.owner == depin_revenue::ID) else {
            continue;
        };
        let Ok(pool) = <RevenuePool as anchor_lang::AccountDeserialize>::try_deserialize(
            &mut pool.data.as_slice(),
        ) else {
            continue;
        };
        let Some(asset) = fetch_optional::<Asset>(cluster, &pool.issuer).await? else {
            continue;
        };
        let entry = line(&mut lines, pool.issuer, &asset);
        entry.wallet_shares = entry.wallet_shares.saturating_add(account.amount);
    }
    Ok(lines.into_values().collect())
}

/// A device `owner` controls: registered to it directly, or tokenized into
/// an asset it manages.
#[derive(Clone)]
pub struct OwnedDevice {
    pub address: Pubkey,
    pub device: depin_registry::state::Device,
    /// The asset holding the record when the device is tokenized.
    pub asset: Option<Pubkey>,
}

/// The devices `owner` owns in the registry and those of the assets it
/// manages (`getProgramAccounts` on the owner fields), sorted by address.
pub async fn owned_devices(
    cluster: &impl Cluster,
    owner: &Pubkey,
) -> Result<Vec<OwnedDevice>, ClientError> {
    use depin_registry::state::Device;
    let filters = [memcmp(offsets::DEVICE_OWNER, owner)];
    let mut out: Vec<OwnedDevice> =
        crate::fetch_all::<Device>(cluster, &depin_registry::ID, &filters)
            .await?
            .into_iter()
            .map(|(address, device)| OwnedDevice {
                address,
                device,
                asset: None,
            })
            .collect();
    for (asset_key, asset) in assets(cluster, None, Some(owner)).await? {
        let device: Device = fetch(cluster, &asset.device).await?;
        out.push(OwnedDevice {
            address: asset.device,
            device,
            asset: Some(asset_key),
        });
    }
    out.sort_by_key(|d| d.address);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;

    fn bytes_of(account: &impl AccountSerialize) -> Vec<u8> {
        let mut data = vec![];
        account.try_serialize(&mut data).unwrap();
        data
    }

    fn at(data: &[u8], offset: usize) -> Pubkey {
        Pubkey::try_from(&data[offset..offset + 32]).unwrap()
    }

    #[test]
    fn filter_offsets_match_the_account_layouts() {
        let [network, device, authority, asset, offering, buyer, owner] =
            std::array::from_fn(|_| Pubkey::new_unique());
        let stored = Asset {
            network,
            device,
            authority,
            share_mint: Pubkey::new_unique(),
            revenue_pool: Pubkey::new_unique(),
            payment_mint: Pubkey::new_unique(),
            total_shares: 1,
            issued: 0,
            reserved: 0,
            offering_count: 0,
            open_offering: false,
            retired: false,
            bump: 0,
            share_mint_bump: 0,
        };
        let data = bytes_of(&stored);
        assert_eq!(at(&data, offsets::ASSET_NETWORK), network);
        assert_eq!(at(&data, offsets::ASSET_DEVICE), device);
        assert_eq!(at(&data, offsets::ASSET_AUTHORITY), authority);

        let stored = Purchase {
            offering,
            buyer,
            shares: 1,
            paid: 1,
            index_snapshot: 0,
            revenue: 0,
            bump: 0,
        };
        let data = bytes_of(&stored);
        assert_eq!(at(&data, offsets::PURCHASE_OFFERING), offering);
        assert_eq!(at(&data, offsets::PURCHASE_BUYER), buyer);

        let stored = Offering {
            asset,
            id: 0,
            payment_mint: Pubkey::new_unique(),
            escrow: Pubkey::new_unique(),
            price_per_share: 1,
            shares_for_sale: 1,
            sold: 0,
            soft_cap: 0,
            deadline: 0,
            per_investor_cap: 0,
            allowlist_required: false,
            fee_bps: 0,
            fee_recipient: Pubkey::new_unique(),
            rent_payer: Pubkey::new_unique(),
            state: OfferingState::Open,
            raised: 0,
            refunded: 0,
            open_purchases: 0,
            delivered: 0,
            revenue_per_share: 0,
            revenue_dust: 0,
            revenue_seen: 0,
            bump: 0,
            escrow_bump: 0,
        };
        assert_eq!(at(&bytes_of(&stored), offsets::OFFERING_ASSET), asset);

        let stored = depin_registry::state::Device {
            device_key: Pubkey::new_unique(),
            owner,
            operator: Pubkey::new_unique(),
            network_id: 0,
            maker_id: 0,
            location: 0,
            capacity: 0,
            registered_at: 0,
            registration: 0,
            attestation_nonce: 0,
            kind: depin_registry::state::DeviceKind::Battery,
            status: depin_registry::state::DeviceStatus::Active,
            bump: 0,
        };
        assert_eq!(at(&bytes_of(&stored), offsets::DEVICE_OWNER), owner);
    }

    #[test]
    fn percent_rounds_down_with_four_decimals() {
        assert_eq!(percent(60, 100), "60.0000");
        assert_eq!(percent(1, 3), "33.3333");
        assert_eq!(percent(2, 3), "66.6666");
        assert_eq!(percent(0, 0), "0.0000");
        assert_eq!(percent(u64::MAX, u64::MAX), "100.0000");
    }
}
