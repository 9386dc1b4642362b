//! create_asset (only the registered owner, of an active device in an
//! unpaused network, once), the revenue pool it opens and the device record
//! it takes over, through CPI; revenue's create_pool sent directly.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_spl::token::{Mint, TokenAccount};
use depin_client::fractional::{self, AssetKeys};
use depin_client::{fetch, registry, token, ClientError, Keypair, Pubkey, Sent, Signer};
use depin_fractional::errors::FractionalError;
use depin_registry::errors::RegistryError;
use depin_revenue::errors::RevenueError;
use depin_tests::*;

use crate::fixture::{create_pool_ix, snapshot, Market, TOTAL_SHARES};

async fn create_asset(
    m: &Market,
    by: &Keypair,
    device: &Pubkey,
    total_shares: u64,
) -> Result<Sent, ClientError> {
    let ix = fractional::create_asset(
        &m.env.payer(),
        &by.pubkey(),
        &m.env.network,
        device,
        &m.usdc,
        total_shares,
    );
    m.env.send(&[ix], &[by]).await
}

/// Every account an asset brings, to show a refused one left none behind.
async fn assert_no_asset(m: &Market, device: &Pubkey) {
    let keys = AssetKeys::of_device(device);
    for address in [
        keys.asset,
        keys.share_mint,
        keys.asset_shares,
        keys.revenue_pool,
        keys.share_vault,
        keys.revenue_vault,
    ] {
        assert!(!m.env.exists(&address).await, "{address} exists");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_owner_tokenizes_a_battery_with_a_revenue_pool() {
    let m = Market::new().await;
    let keys = m.keys;
    let (asset_address, asset_bump) = depin_fractional::pda::asset(&m.device);
    assert_eq!(keys.asset, asset_address);
    let asset = m.asset().await;
    assert_eq!(asset.network, m.env.network);
    assert_eq!(asset.device, m.device);
    assert_eq!(asset.authority, m.owner.pubkey());
    assert_eq!(asset.share_mint, keys.share_mint);
    assert_eq!(asset.revenue_pool, keys.revenue_pool);
    assert_eq!((asset.payment_mint, asset.retired), (m.usdc, false));
    assert_eq!(
        (
            asset.total_shares,
            asset.issued,
            asset.reserved,
            asset.offering_count,
            asset.open_offering
        ),
        (TOTAL_SHARES, 0, 0, 0, false)
    );
    assert_eq!(asset.bump, asset_bump);
    assert_eq!(
        asset.share_mint_bump,
        depin_fractional::pda::share_mint(&keys.asset).1
    );

    // Whole shares, minted only by the asset, none yet.
    let mint: Mint = fetch(&m.env.cluster, &keys.share_mint).await.unwrap();
    assert_eq!(mint.decimals, 0);
    assert_eq!(
        Option::<Pubkey>::from(mint.mint_authority),
        Some(keys.asset)
    );
    assert_eq!(Option::<Pubkey>::from(mint.freeze_authority), None);
    assert_eq!(mint.supply, 0);
    let asset_shares: TokenAccount = fetch(&m.env.cluster, &keys.asset_shares).await.unwrap();
    assert_eq!(
        (asset_shares.mint, asset_shares.owner, asset_shares.amount),
        (keys.share_mint, keys.asset, 0)
    );

    // The pool pays USDC to share holders; the asset is its issuer.
    let pool = m.pool().await;
    assert_eq!(pool.share_mint, keys.share_mint);
    assert_eq!(pool.payment_mint, m.usdc);
    assert_eq!(pool.issuer, keys.asset);
    assert_eq!(pool.share_vault, keys.share_vault);
    assert_eq!(pool.revenue_vault, keys.revenue_vault);
    assert_eq!(pool.bump, depin_revenue::pda::pool(&keys.share_mint).1);
    assert_eq!(
        pool.share_vault_bump,
        depin_revenue::pda::share_vault(&keys.revenue_pool).1
    );
    assert_eq!(
        pool.revenue_vault_bump,
        depin_revenue::pda::revenue_vault(&keys.revenue_pool).1
    );
    assert_eq!(
        (
            pool.total_deposited,
            pool.total_claimed,
            pool.reward_per_weight,
            pool.dust,
            pool.total_weight,
            pool.total_redistributed
        ),
        (0, 0, 0, 0, 0, 0)
    );
    let share_vault: TokenAccount = fetch(&m.env.cluster, &keys.share_vault).await.unwrap();
    assert_eq!(
        (share_vault.mint, share_vault.owner, share_vault.amount),
        (keys.share_mint, keys.revenue_pool, 0)
    );
    let revenue_vault: TokenAccount = fetch(&m.env.cluster, &keys.revenue_vault).await.unwrap();
    assert_eq!(
        (
            revenue_vault.mint,
            revenue_vault.owner,
            revenue_vault.amount
        ),
        (m.usdc, keys.revenue_pool, 0)
    );

    // The device record now belongs to the asset: nobody but the asset's
    // own rules can transfer, retire or close it.
    let device: depin_registry::state::Device = fetch(&m.env.cluster, &m.device).await.unwrap();
    assert_eq!(device.owner, keys.asset);
    assert_eq!(device.status, depin_registry::state::DeviceStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_registered_owner_tokenizes_a_battery() {
    let m = Market::new().await;
    let owner = m.env.wallet().await;
    let (key, device) = m.new_device(&owner.pubkey()).await;
    let stranger = m.env.wallet().await;
    assert_error(
        create_asset(&m, &stranger, &device, 1_000).await,
        FractionalError::NotDeviceOwner,
    );
    // The network's admin holds every role, and still is not the owner.
    assert_error(
        create_asset(&m, &m.env.admin, &device, 1_000).await,
        FractionalError::NotDeviceOwner,
    );
    // Nor is the device's operator: it runs the machine, it does not own it.
    let operator = m.env.wallet().await;
    let ix = registry::set_device_operator(
        &owner.pubkey(),
        &m.env.network,
        &key.pubkey(),
        &operator.pubkey(),
    );
    m.env.send(&[ix], &[&owner]).await.unwrap();
    assert_error(
        create_asset(&m, &operator, &device, 1_000).await,
        FractionalError::NotDeviceOwner,
    );
    assert_no_asset(&m, &device).await;

    // Without the owner's signature.
    let ix = fractional::create_asset(
        &m.env.payer(),
        &owner.pubkey(),
        &m.env.network,
        &device,
        &m.usdc,
        1_000,
    );
    assert_requires_signature(&m.env, ix, &owner.pubkey()).await;
    assert_no_asset(&m, &device).await;

    // The owner: the record passes to the asset, the operator it chose is
    // cleared (as with any transfer), the owner manages the asset.
    create_asset(&m, &owner, &device, 500).await.unwrap();
    let keys = AssetKeys::of_device(&device);
    let asset = fractional::asset(&m.env.cluster, &keys).await.unwrap();
    assert_eq!(
        (
            asset.device,
            asset.authority,
            asset.total_shares,
            asset.issued
        ),
        (device, owner.pubkey(), 500, 0)
    );
    let record = m.env.device_state(&key.pubkey()).await;
    assert_eq!(
        (record.owner, record.operator),
        (keys.asset, Pubkey::default())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_tokenized_in_a_paused_network() {
    let m = Market::new().await;
    let (_, device) = m.new_device(&m.owner.pubkey()).await;
    m.env.set_paused(true).await;
    let before = snapshot(&m.env, &[device]).await;
    assert_error(
        create_asset(&m, &m.owner, &device, 1_000).await,
        FractionalError::NetworkPaused,
    );
    before.assert_unchanged(&m.env).await;
    assert_no_asset(&m, &device).await;
    m.env.set_paused(false).await;
    create_asset(&m, &m.owner, &device, 1_000).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspended_device_cannot_be_tokenized_until_resumed() {
    let m = Market::new().await;
    let owner = m.env.wallet().await;
    let (key, device) = m.new_device(&owner.pubkey()).await;
    let ix = registry::suspend_device(&m.env.admin.pubkey(), &m.env.network, &key.pubkey(), 7);
    m.env.send(&[ix], &[&m.env.admin]).await.unwrap();
    assert_error(
        create_asset(&m, &owner, &device, 1_000).await,
        FractionalError::DeviceNotActive,
    );
    assert_no_asset(&m, &device).await;

    let ix = registry::resume_device(&m.env.admin.pubkey(), &m.env.network, &key.pubkey());
    m.env.send(&[ix], &[&m.env.admin]).await.unwrap();
    create_asset(&m, &owner, &device, 1_000).await.unwrap();
    let keys = AssetKeys::of_device(&device);
    let asset = fractional::asset(&m.env.cluster, &keys).await.unwrap();
    assert_eq!(asset.authority, owner.pubkey());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_of_another_network_is_refused() {
    let m = Market::new().await;
    let other = m.env.other_network().await;
    let maker = m.env.maker_in(&other.network, &other.admin, 5).await;
    let key = m
        .env
        .device_in(&other.network, &maker, &m.owner.pubkey())
        .await;
    let device = depin_registry::pda::device(&other.network, &key.pubkey()).0;
    // Presented as a device of the market's network.
    assert_error(
        create_asset(&m, &m.owner, &device, 1_000).await,
        RegistryError::DeviceNetworkMismatch,
    );
    assert_no_asset(&m, &device).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_tokenized_only_once() {
    let m = Market::new().await;
    let before = snapshot(
        &m.env,
        &[
            m.keys.asset,
            m.keys.share_mint,
            m.keys.revenue_pool,
            m.keys.share_vault,
            m.keys.revenue_vault,
        ],
    )
    .await;
    // Again by its owner, with other terms and another payment mint.
    let other_mint = m.env.mint().await;
    let ix = fractional::create_asset(
        &m.env.payer(),
        &m.owner.pubkey(),
        &m.env.network,
        &m.device,
        &other_mint,
        10,
    );
    assert_already_in_use(m.env.send(&[ix], &[&m.owner]).await);
    assert_already_in_use(create_asset(&m, &m.owner, &m.device, TOTAL_SHARES).await);
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.asset().await.total_shares, TOTAL_SHARES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_shares_are_refused() {
    let m = Market::new().await;
    let (_, device) = m.new_device(&m.owner.pubkey()).await;
    assert_error(
        create_asset(&m, &m.owner, &device, 0).await,
        FractionalError::ZeroAmount,
    );
    assert_no_asset(&m, &device).await;
    create_asset(&m, &m.owner, &device, 1).await.unwrap();
    let keys = AssetKeys::of_device(&device);
    assert_eq!(
        fractional::asset(&m.env.cluster, &keys)
            .await
            .unwrap()
            .total_shares,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pool_directly_needs_the_share_mints_authority() {
    let env = Env::new().await;
    let authority = env.wallet().await;
    let share_mint = token::create_mint(&env.cluster, &authority.pubkey(), 0)
        .await
        .unwrap();
    let payment_mint = env.mint().await;
    let pool = depin_revenue::pda::pool(&share_mint).0;

    let stranger = env.wallet().await;
    let ix = create_pool_ix(&env.payer(), &stranger.pubkey(), &share_mint, &payment_mint);
    assert_error(
        env.send(&[ix], &[&stranger]).await,
        RevenueError::IssuerMustBeMintAuthority,
    );
    // The payer (who pays for the accounts) is not the authority either.
    let ix = create_pool_ix(&env.payer(), &env.payer(), &share_mint, &payment_mint);
    assert_error(
        env.send(&[ix], &[]).await,
        RevenueError::IssuerMustBeMintAuthority,
    );
    // The authority's key without its signature.
    let ix = create_pool_ix(
        &env.payer(),
        &authority.pubkey(),
        &share_mint,
        &payment_mint,
    );
    assert_error(
        env.send(&[unsign(ix, &authority.pubkey())], &[]).await,
        AnchorError::AccountNotSigner,
    );
    assert!(!env.exists(&pool).await);

    let ix = create_pool_ix(
        &env.payer(),
        &authority.pubkey(),
        &share_mint,
        &payment_mint,
    );
    env.send(&[ix], &[&authority]).await.unwrap();
    let stored = depin_client::revenue::pool(&env.cluster, &share_mint)
        .await
        .unwrap();
    assert_eq!(
        (stored.issuer, stored.share_mint, stored.payment_mint),
        (authority.pubkey(), share_mint, payment_mint)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_opens_a_second_pool_for_an_assets_share_mint() {
    let m = Market::new().await;
    let before = snapshot(&m.env, &[m.keys.revenue_pool]).await;
    // Its pool was opened with the asset (whose PDA is the mint's
    // authority): nobody opens another one in its place.
    let stranger = m.env.wallet().await;
    let ix = create_pool_ix(
        &m.env.payer(),
        &stranger.pubkey(),
        &m.keys.share_mint,
        &m.usdc,
    );
    assert_already_in_use(m.env.send(&[ix], &[&stranger]).await);
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.pool().await.issuer, m.keys.asset);
}
