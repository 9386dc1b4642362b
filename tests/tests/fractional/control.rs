//! Control of a tokenized machine follows the registry (issue 8, item 1):
//! tokenizing hands the device record to the asset, so it changes only
//! through the asset's rules (retire, transfer of management, operator);
//! nothing is sold or issued while the machine is out of service; a retired
//! machine's open offering fails and its holders keep earning.

use depin_client::fractional::{self, OfferingState};
use depin_client::registry::{self, UpdateDeviceArgs};
use depin_client::{Keypair, Pubkey, Signer};
use depin_fractional::errors::FractionalError;
use depin_registry::errors::RegistryError;
use depin_registry::state::{permission, DeviceStatus};
use depin_tests::*;

use crate::fixture::{Investor, Market, USDC, WEEK};

/// The attack of issue 8, item 1: the owner tokenizes, then sells the
/// device in the registry and keeps selling shares of it. Now the registry
/// refuses the transfer (the asset holds the record), and a handover of the
/// asset moves the offerings and their proceeds to the new manager.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_former_owner_cannot_move_the_record_or_keep_selling_the_machine() {
    let m = Market::new().await;
    let buyer_of_device = m.env.wallet().await;
    let before = m.snapshot(0, &[]).await;
    for ix in m.registry_owner_ixs(&m.owner.pubkey(), &buyer_of_device.pubkey()) {
        assert_error(
            m.env.send(&[ix], &[&m.owner]).await,
            RegistryError::NotDeviceOwner,
        );
    }
    before.assert_unchanged(&m.env).await;

    // The asset changes hands the asset's way.
    let ix = m.transfer_asset_ix(&m.owner.pubkey(), &buyer_of_device.pubkey());
    m.env.send(&[ix], &[&m.owner]).await.unwrap();
    assert_eq!(m.asset().await.authority, buyer_of_device.pubkey());

    // The seller can no longer offer, retain, cancel, retire or hand it on.
    let terms = m.terms(600, USDC, 600, 0, false).await;
    let ix = m.offer_ix(0, terms.clone());
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::NotAssetAuthority,
    );
    let ix = m.retain_ix(&m.owner.pubkey(), 10);
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::NotAssetAuthority,
    );
    for ix in [
        m.retire_ix(&m.owner.pubkey()),
        m.transfer_asset_ix(&m.owner.pubkey(), &m.owner.pubkey()),
        m.operator_ix(&m.owner.pubkey(), &m.owner.pubkey()),
    ] {
        assert_error(
            m.env.send(&[ix], &[&m.owner]).await,
            FractionalError::NotAssetAuthority,
        );
    }

    // The new manager sells 600 shares and collects the proceeds.
    let ix = m.offer_ix_by(&buyer_of_device.pubkey(), 0, terms, &m.env.network);
    m.env.send(&[ix], &[&buyer_of_device]).await.unwrap();
    let investor = m.investor(600 * USDC, false).await;
    m.buy(&investor, 0, 600).await.unwrap();
    let sellers = m.owner_usdc;
    let new_managers = m
        .env
        .token_account(&m.usdc, &buyer_of_device.pubkey())
        .await;
    let parties = fractional::OfferingParties {
        authority: buyer_of_device.pubkey(),
        rent_payer: m.env.payer(),
    };
    let close = |proceeds: &Pubkey| {
        fractional::close_offering(
            &m.env.payer(),
            &m.env.network,
            &m.keys,
            0,
            &parties,
            proceeds,
            m.fee(),
        )
    };
    assert_error(
        m.env.send(&[close(&sellers)], &[]).await,
        FractionalError::WrongProceedsAccount,
    );
    m.env.send(&[close(&new_managers)], &[]).await.unwrap();
    assert_eq!(m.balance(&new_managers).await, 585 * USDC);
    assert_eq!(m.balance(&sellers).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retiring_the_machine_fails_its_open_offering_and_holders_keep_earning() {
    let m = Market::new().await;
    let holder = m.investor(0, false).await;
    m.give_retained_shares(&holder, 100).await;
    m.offer(0, 500, USDC, 100, 0, false).await;
    let buyer = m.investor(300 * USDC, false).await;
    m.buy(&buyer, 0, 300).await.unwrap();

    // Only the manager retires it.
    let stranger = m.env.wallet().await;
    let before = m.snapshot(0, &[]).await;
    let ix = m.retire_ix(&stranger.pubkey());
    assert_error(
        m.env.send(&[ix], &[&stranger]).await,
        FractionalError::NotAssetAuthority,
    );
    assert_requires_signature(&m.env, m.retire_ix(&m.owner.pubkey()), &m.owner.pubkey()).await;
    before.assert_unchanged(&m.env).await;

    let ix = m.retire_ix(&m.owner.pubkey());
    m.env.send(&[ix], &[&m.owner]).await.unwrap();
    assert_eq!(
        m.env.device_state(&m.device_key).await.status,
        DeviceStatus::Retired
    );
    assert!(m.asset().await.retired);
    let ix = m.retire_ix(&m.owner.pubkey());
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::AssetRetired,
    );

    // Nothing more is sold or issued...
    let late = m.investor(10 * USDC, false).await;
    let before = m.snapshot(0, &[late.usdc]).await;
    assert_error(m.buy(&late, 0, 1).await, FractionalError::AssetRetired);
    assert_error(m.retain(1).await, FractionalError::AssetRetired);
    before.assert_unchanged(&m.env).await;
    // ...the open offering closes at once, as failed, well before its
    // deadline, and its buyer is refunded in full.
    m.close(0).await.unwrap();
    assert_eq!(m.offering(0).await.state, OfferingState::Failed);
    m.refund(&buyer, 0).await.unwrap();
    assert_eq!(m.balance(&buyer.usdc).await, 300 * USDC);
    let terms = m.terms(100, USDC, 0, 0, false).await;
    assert_error(m.try_offer(1, terms).await, FractionalError::AssetRetired);

    // The holder keeps its shares and keeps earning the machine's last revenue.
    let operator = m.investor(50 * USDC, false).await;
    m.deposit_revenue(&operator, 50 * USDC).await.unwrap();
    m.claim(&holder).await.unwrap();
    assert_eq!(m.balance(&holder.usdc).await, 50 * USDC);
    m.withdraw(&holder, 100).await.unwrap();
    assert_eq!(m.balance(&holder.shares).await, 100);

    // The record is never closed, so its key cannot be registered again
    // (to escape the asset or to tokenize the machine twice).
    let ix = registry::close_device(&m.owner.pubkey(), &m.env.network, &m.device_key);
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        RegistryError::NotDeviceOwner,
    );
    assert!(m.env.exists(&m.device).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_runs_the_machine_but_never_acts_for_the_asset() {
    let m = Market::new().await;
    let operator = m.env.wallet().await;
    let stranger = m.env.wallet().await;
    let ix = m.operator_ix(&stranger.pubkey(), &stranger.pubkey());
    assert_error(
        m.env.send(&[ix], &[&stranger]).await,
        FractionalError::NotAssetAuthority,
    );
    assert_requires_signature(
        &m.env,
        m.operator_ix(&m.owner.pubkey(), &operator.pubkey()),
        &m.owner.pubkey(),
    )
    .await;
    let ix = m.operator_ix(&m.owner.pubkey(), &operator.pubkey());
    m.env.send(&[ix], &[&m.owner]).await.unwrap();
    assert_eq!(
        m.env.device_state(&m.device_key).await.operator,
        operator.pubkey()
    );

    // The operator updates the device...
    let update = || {
        registry::update_device(
            &operator.pubkey(),
            &m.env.network,
            &m.device_key,
            UpdateDeviceArgs {
                location: Some(SF_CELL_RES5),
                capacity: None,
            },
        )
    };
    m.env.send(&[update()], &[&operator]).await.unwrap();
    // ...but cannot offer, retire, hand over, or move the record.
    let before = m.snapshot(0, &[]).await;
    let terms = m.terms(100, USDC, 0, 0, false).await;
    let ix = m.offer_ix_by(&operator.pubkey(), 0, terms, &m.env.network);
    assert_error(
        m.env.send(&[ix], &[&operator]).await,
        FractionalError::NotAssetAuthority,
    );
    for ix in [
        m.retire_ix(&operator.pubkey()),
        m.transfer_asset_ix(&operator.pubkey(), &operator.pubkey()),
    ] {
        assert_error(
            m.env.send(&[ix], &[&operator]).await,
            FractionalError::NotAssetAuthority,
        );
    }
    for ix in m.registry_owner_ixs(&operator.pubkey(), &operator.pubkey()) {
        assert_error(
            m.env.send(&[ix], &[&operator]).await,
            RegistryError::NotDeviceOwner,
        );
    }
    before.assert_unchanged(&m.env).await;

    // Handing the asset over clears the operator the old manager chose.
    let successor = m.env.wallet().await;
    let ix = m.transfer_asset_ix(&m.owner.pubkey(), &successor.pubkey());
    m.env.send(&[ix], &[&m.owner]).await.unwrap();
    assert_eq!(
        m.env.device_state(&m.device_key).await.operator,
        Pubkey::default()
    );
    assert_error(
        m.env.send(&[update()], &[&operator]).await,
        RegistryError::NotDeviceOwnerOrOperator,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handing_the_asset_over_needs_a_new_manager() {
    let m = Market::new().await;
    let before = m.snapshot(0, &[]).await;
    for to in [m.owner.pubkey(), Pubkey::default()] {
        let ix = m.transfer_asset_ix(&m.owner.pubkey(), &to);
        assert_error(
            m.env.send(&[ix], &[&m.owner]).await,
            FractionalError::AuthorityUnchanged,
        );
    }
    let successor = Keypair::new().pubkey();
    let ix = m.transfer_asset_ix(&m.owner.pubkey(), &successor);
    assert_requires_signature(&m.env, ix, &m.owner.pubkey()).await;
    // Not while the network is paused.
    m.env.set_paused(true).await;
    let ix = m.transfer_asset_ix(&m.owner.pubkey(), &successor);
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::NetworkPaused,
    );
    before.assert_unchanged(&m.env).await;
}

/// Suspends (or resumes) the fixture's battery by the admin (device manager).
async fn suspend(m: &Market, suspended: bool) {
    let admin = m.env.admin.pubkey();
    let ix = if suspended {
        registry::suspend_device(&admin, &m.env.network, &m.device_key, 1)
    } else {
        registry::resume_device(&admin, &m.env.network, &m.device_key)
    };
    m.env.send(&[ix], &[&m.env.admin]).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_sold_or_issued_for_a_suspended_machine() {
    let m = Market::new().await;
    assert!(
        m.env
            .member_state(&m.env.admin.pubkey())
            .await
            .unwrap()
            .permissions
            & permission::DEVICE_MANAGER
            != 0
    );
    m.offer(0, 100, USDC, 100, 0, false).await;
    let a = m.investor(200 * USDC, false).await;
    m.buy(&a, 0, 60).await.unwrap();
    suspend(&m, true).await;

    let before = m.snapshot(0, &[a.usdc]).await;
    assert_error(m.buy(&a, 0, 40).await, FractionalError::DeviceNotActive);
    assert_error(m.retain(1).await, FractionalError::DeviceNotActive);
    before.assert_unchanged(&m.env).await;
    // Resumed, it sells out; suspended again, a sold-out offering waits for
    // its deadline (the suspension may be lifted by then)...
    suspend(&m, false).await;
    m.buy(&a, 0, 40).await.unwrap();
    suspend(&m, true).await;
    let before = m.snapshot(0, &[a.usdc]).await;
    assert_error(m.close(0).await, FractionalError::TooEarlyToClose);
    before.assert_unchanged(&m.env).await;
    // ...and fails if the machine is still out of service then.
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    assert_eq!(m.offering(0).await.state, OfferingState::Failed);
    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 200 * USDC);

    let terms = m.terms(100, USDC, 0, 0, false).await;
    assert_error(
        m.try_offer(1, terms.clone()).await,
        FractionalError::DeviceNotActive,
    );
    suspend(&m, false).await;
    m.try_offer(1, terms).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_sold_or_issued_in_a_paused_network() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 50, 0, false).await;
    let a = m.investor(200 * USDC, false).await;
    m.buy(&a, 0, 60).await.unwrap();
    m.env.set_paused(true).await;
    let before = m.snapshot(0, &[a.usdc]).await;
    assert_error(m.buy(&a, 0, 1).await, FractionalError::NetworkPaused);
    assert_error(m.retain(1).await, FractionalError::NetworkPaused);
    before.assert_unchanged(&m.env).await;
    // Paused at the deadline: the offering fails, the buyer is refunded
    // (refunds need no unpaused network).
    m.advance(WEEK).await;
    m.close(0).await.unwrap();
    assert_eq!(m.offering(0).await.state, OfferingState::Failed);
    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 200 * USDC);
    let terms = m.terms(100, USDC, 0, 0, false).await;
    assert_error(m.try_offer(1, terms).await, FractionalError::NetworkPaused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_device_or_network_is_refused() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 0, 0, false).await;
    let a: Investor = m.investor(100 * USDC, false).await;
    // An active device of the same network, not the asset's.
    let (_, other_device) = m.new_device(&m.owner.pubkey()).await;
    let other = m.env.other_network().await;
    let before = m.snapshot(0, &[a.usdc]).await;
    let ix = substitute(m.buy_ix(&a, 0, 1), &m.device, &other_device);
    assert_error(
        m.env.send(&[ix], &[&a.wallet]).await,
        FractionalError::WrongAccount,
    );
    let ix = substitute(m.buy_ix(&a, 0, 1), &m.env.network, &other.network);
    assert_error(
        m.env.send(&[ix], &[&a.wallet]).await,
        FractionalError::WrongAccount,
    );
    let ix = substitute(m.retain_ix(&m.owner.pubkey(), 1), &m.device, &other_device);
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::WrongAccount,
    );
    // Retiring presented with another device (the asset names its own).
    let ix = substitute(m.retire_ix(&m.owner.pubkey()), &m.device, &other_device);
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::WrongAccount,
    );
    before.assert_unchanged(&m.env).await;
    assert_eq!(
        m.env.device_state(&m.device_key).await.status,
        DeviceStatus::Active
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offerings_sell_only_in_the_pools_payment_mint() {
    let m = Market::new().await;
    let other_mint = m.env.mint().await;
    let terms = m.terms(100, USDC, 0, 0, false).await;
    let ix = fractional::create_offering(
        &m.env.payer(),
        &m.owner.pubkey(),
        &m.env.network,
        &m.keys,
        0,
        &other_mint,
        terms,
    );
    let before = m.snapshot(0, &[]).await;
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::WrongPaymentMint,
    );
    before.assert_unchanged(&m.env).await;
}
