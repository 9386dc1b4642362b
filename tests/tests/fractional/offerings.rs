//! create_offering (authority, terms, shares left, one at a time, ids,
//! market) and cancel_offering.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_spl::token::TokenAccount;
use depin_client::fractional::{self, OfferingState, OfferingTerms};
use depin_client::{fetch, Signer};
use depin_fractional::errors::FractionalError;
use depin_tests::*;

use crate::fixture::{Market, FEE_BPS, TOTAL_SHARES, USDC, WEEK};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authority_opens_an_offering_with_an_empty_escrow() {
    let m = Market::new().await;
    let terms = m.terms(800, 10 * USDC, 500, 400, true).await;
    let deadline = terms.deadline;
    m.try_offer(0, terms).await.unwrap();

    let (address, bump) = depin_fractional::pda::offering(&m.keys.asset, 0);
    assert_eq!(address, m.keys.offering(0));
    let offering = m.offering(0).await;
    assert_eq!(offering.asset, m.keys.asset);
    assert_eq!(offering.id, 0);
    assert_eq!(offering.payment_mint, m.usdc);
    assert_eq!(offering.escrow, m.escrow(0));
    assert_eq!(
        (
            offering.price_per_share,
            offering.shares_for_sale,
            offering.soft_cap,
            offering.deadline,
            offering.per_investor_cap,
            offering.allowlist_required
        ),
        (10 * USDC, 800, 500, deadline, 400, true)
    );
    assert_eq!(offering.fee_bps, FEE_BPS);
    assert_eq!(offering.fee_recipient, m.fee_recipient.pubkey());
    assert_eq!(offering.rent_payer, m.env.payer());
    assert_eq!(offering.state, OfferingState::Open);
    assert_eq!(
        (
            offering.sold,
            offering.raised,
            offering.refunded,
            offering.open_purchases,
            offering.delivered
        ),
        (0, 0, 0, 0, 0)
    );
    assert_eq!(
        (
            offering.revenue_per_share,
            offering.revenue_dust,
            offering.revenue_seen
        ),
        (0, 0, 0)
    );
    // Sold shares will wait (and earn) in the offering's own holding.
    let holding = m.offering_holding(0).await.unwrap();
    assert_eq!(
        (holding.pool, holding.owner, holding.shares, holding.pending),
        (m.keys.revenue_pool, address, 0, 0)
    );
    assert_eq!(offering.bump, bump);
    assert_eq!(
        offering.escrow_bump,
        depin_fractional::pda::escrow(&address).1
    );

    let escrow: TokenAccount = fetch(&m.env.cluster, &m.escrow(0)).await.unwrap();
    assert_eq!(
        (escrow.mint, escrow.owner, escrow.amount),
        (m.usdc, address, 0)
    );

    let asset = m.asset().await;
    assert_eq!(
        (
            asset.issued,
            asset.reserved,
            asset.offering_count,
            asset.open_offering
        ),
        (0, 800, 1, true)
    );
    // Nothing is minted before a sale.
    assert_eq!(m.supply().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_asset_authority_opens_an_offering() {
    let m = Market::new().await;
    let before = m.snapshot(0, &[]).await;
    let terms = m.terms(100, USDC, 0, 0, false).await;
    for stranger in [m.env.wallet().await, m.env.admin.insecure_clone()] {
        let ix = m.offer_ix_by(&stranger.pubkey(), 0, terms.clone(), &m.env.network);
        assert_error(
            m.env.send(&[ix], &[&stranger]).await,
            FractionalError::NotAssetAuthority,
        );
    }
    let ix = m.offer_ix(0, terms);
    assert_requires_signature(&m.env, ix, &m.owner.pubkey()).await;
    before.assert_unchanged(&m.env).await;
    assert!(!m.env.exists(&m.keys.offering(0)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_terms_are_refused() {
    let m = Market::new().await;
    let now = m.now().await;
    let valid = m.terms(100, USDC, 50, 0, false).await;
    let invalid = [
        OfferingTerms {
            price_per_share: 0,
            ..valid.clone()
        },
        OfferingTerms {
            shares_for_sale: 0,
            soft_cap: 0,
            ..valid.clone()
        },
        OfferingTerms {
            soft_cap: 101,
            ..valid.clone()
        },
        OfferingTerms {
            deadline: now - 1,
            ..valid.clone()
        },
        // A deadline of right now is already over.
        OfferingTerms {
            deadline: now,
            ..valid.clone()
        },
        OfferingTerms {
            deadline: 0,
            ..valid.clone()
        },
    ];
    let before = m.snapshot(0, &[]).await;
    for terms in invalid {
        assert_error(
            m.try_offer(0, terms.clone()).await,
            FractionalError::InvalidTerms,
        );
    }
    before.assert_unchanged(&m.env).await;

    // The edges that are allowed: soft cap = shares, deadline 1 s ahead.
    let edge = OfferingTerms {
        soft_cap: 100,
        deadline: now + 1,
        ..valid
    };
    m.try_offer(0, edge).await.unwrap();
    let offering = m.offering(0).await;
    assert_eq!((offering.soft_cap, offering.deadline), (100, now + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offering_more_than_the_unissued_shares_is_refused() {
    let m = Market::new().await;
    let terms = m.terms(TOTAL_SHARES + 1, USDC, 0, 0, false).await;
    assert_error(
        m.try_offer(0, terms).await,
        FractionalError::NotEnoughShares,
    );
    let terms = m.terms(u64::MAX, USDC, 0, 0, false).await;
    assert_error(
        m.try_offer(0, terms).await,
        FractionalError::NotEnoughShares,
    );
    assert_eq!(m.asset().await.offering_count, 0);

    // 700 issued through a sold-out offering: 300 are left.
    m.offer(0, 700, USDC, 700, 0, false).await;
    let buyer = m.investor(700 * USDC, false).await;
    m.buy(&buyer, 0, 700).await.unwrap();
    m.close(0).await.unwrap();
    assert_eq!(m.asset().await.issued, 700);
    let before = m.snapshot(1, &[]).await;
    let terms = m.terms(301, USDC, 0, 0, false).await;
    assert_error(
        m.try_offer(1, terms).await,
        FractionalError::NotEnoughShares,
    );
    before.assert_unchanged(&m.env).await;
    let terms = m.terms(300, USDC, 0, 0, false).await;
    m.try_offer(1, terms).await.unwrap();
    let asset = m.asset().await;
    assert_eq!(
        (asset.issued, asset.reserved, asset.offering_count),
        (700, 300, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_offering_at_a_time() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 0, 0, false).await;
    let before = m.snapshot(1, &[m.keys.offering(0)]).await;
    // The next id is 1 (the asset's offering count).
    let terms = m.terms(100, USDC, 0, 0, false).await;
    assert_error(
        m.try_offer(1, terms.clone()).await,
        FractionalError::OfferingAlreadyOpen,
    );
    // Id 0 is not the next one (and is taken).
    assert_error(m.try_offer(0, terms).await, AnchorError::ConstraintSeeds);
    before.assert_unchanged(&m.env).await;
    let asset = m.asset().await;
    assert_eq!(
        (asset.reserved, asset.offering_count, asset.open_offering),
        (100, 1, true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_offering_id_follows_a_cancel_and_a_close() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 0, 0, false).await;
    m.cancel(0).await.unwrap();
    // Id 0 again is not the next one.
    let terms = m.terms(100, USDC, 0, 0, false).await;
    assert_error(m.try_offer(0, terms).await, AnchorError::ConstraintSeeds);

    m.offer(1, 200, USDC, 200, 0, false).await;
    let buyer = m.investor(200 * USDC, false).await;
    m.buy(&buyer, 1, 200).await.unwrap();
    m.close(1).await.unwrap();

    m.offer(2, 300, 2 * USDC, 0, 0, false).await;
    // The cancelled one is closed; the successful one waits for its delivery.
    assert!(m.offering_record(0).await.is_none());
    let states = [m.offering(1).await.state, m.offering(2).await.state];
    assert_eq!(states, [OfferingState::Succeeded, OfferingState::Open]);
    assert_eq!(m.offering(2).await.id, 2);
    let asset = m.asset().await;
    assert_eq!(
        (
            asset.issued,
            asset.reserved,
            asset.offering_count,
            asset.open_offering
        ),
        (200, 300, 3, true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn market_of_another_network_is_refused() {
    let m = Market::new().await;
    let other = m.env.other_network().await;
    let ix = fractional::configure_market(
        &m.env.payer(),
        &other.admin.pubkey(),
        &other.network,
        0,
        &other.admin.pubkey(),
    );
    m.env.send(&[ix], &[&other.admin]).await.unwrap();

    let before = m.snapshot(0, &[]).await;
    let terms = m.terms(100, USDC, 0, 0, false).await;
    // Another network's market is not at this asset's market address.
    let ix = substitute(
        m.offer_ix(0, terms.clone()),
        &m.market_address(),
        &fractional::market_address(&other.network),
    );
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    // Nor is the other network the asset's.
    let ix = m.offer_ix_by(&m.owner.pubkey(), 0, terms, &other.network);
    assert_error(
        m.env.send(&[ix], &[&m.owner]).await,
        FractionalError::WrongAccount,
    );
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_fee_cannot_be_left_out() {
    let m = Market::new().await;
    // The market account is required at its fixed address: passing any
    // other account (here a fresh wallet) to dodge the 2.5% fee fails.
    let terms = m.terms(100, USDC, 0, 0, false).await;
    let dodge = substitute(
        m.offer_ix(0, terms.clone()),
        &m.market_address(),
        &m.env.wallet().await.pubkey(),
    );
    assert_error(
        m.env.send(&[dodge], &[&m.owner]).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    m.try_offer(0, terms).await.unwrap();
    assert_eq!(m.offering(0).await.fee_bps, FEE_BPS);
    assert_eq!(m.market_state().await.fee_bps, FEE_BPS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_without_market_settings_charges_no_fee() {
    let m = Market::new().await;
    let other = m.env.other_network().await;
    let maker = m.env.maker_in(&other.network, &other.admin, 1).await;
    let owner = m.env.wallet().await;
    let device_key = m
        .env
        .device_in(&other.network, &maker, &owner.pubkey())
        .await;
    let device = depin_registry::pda::device(&other.network, &device_key.pubkey()).0;
    let ix = fractional::create_asset(
        &m.env.payer(),
        &owner.pubkey(),
        &other.network,
        &device,
        &m.usdc,
        100,
    );
    m.env.send(&[ix], &[&owner]).await.unwrap();
    let keys = fractional::AssetKeys::of_device(&device);
    let terms = m.terms(100, USDC, 0, 0, false).await;
    let ix = fractional::create_offering(
        &m.env.payer(),
        &owner.pubkey(),
        &other.network,
        &keys,
        0,
        &m.usdc,
        terms,
    );
    m.env.send(&[ix], &[&owner]).await.unwrap();
    assert_eq!(
        fractional::offering(&m.env.cluster, &keys, 0)
            .await
            .unwrap()
            .fee_bps,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_before_any_sale_releases_the_reservation() {
    let m = Market::new().await;
    let payer_before = m.env.lamports(&m.env.payer()).await;
    m.offer(0, 600, USDC, 0, 0, false).await;
    // Two transactions signed by the payer and the owner.
    let fees_paid = 4 * 5_000;
    m.cancel(0).await.unwrap();
    // Offering, escrow and holding close; their rent is back with the payer,
    // who also created the owner's (empty) holding on the way.
    assert!(m.offering_record(0).await.is_none());
    assert!(!m.exists(&m.escrow(0)).await);
    assert!(m.offering_holding(0).await.is_none());
    let owner_holding_rent = m.env.lamports(&m.keys.holding(&m.owner.pubkey())).await;
    assert_eq!(
        m.env.lamports(&m.env.payer()).await,
        payer_before - fees_paid - owner_holding_rent
    );
    let asset = m.asset().await;
    assert_eq!(
        (
            asset.issued,
            asset.reserved,
            asset.offering_count,
            asset.open_offering
        ),
        (0, 0, 1, false)
    );

    // Nobody buys from it, it is not cancelled (or closed) twice: it is gone.
    let buyer = m.investor(10 * USDC, false).await;
    let before = m.snapshot(0, &[buyer.usdc]).await;
    assert_error(
        m.buy(&buyer, 0, 1).await,
        AnchorError::AccountNotInitialized,
    );
    assert_error(m.cancel(0).await, AnchorError::AccountNotInitialized);
    m.advance(WEEK).await;
    assert_error(m.close(0).await, AnchorError::AccountNotInitialized);
    before.assert_unchanged(&m.env).await;

    // All 1,000 shares can be offered again.
    m.offer(1, TOTAL_SHARES, USDC, 0, 0, false).await;
    assert_eq!(m.asset().await.reserved, TOTAL_SHARES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_after_a_sale_is_refused() {
    let m = Market::new().await;
    m.offer(0, 600, USDC, 0, 0, false).await;
    let buyer = m.investor(10 * USDC, false).await;
    m.buy(&buyer, 0, 1).await.unwrap();
    let before = m.snapshot(0, &[buyer.usdc]).await;
    assert_error(m.cancel(0).await, FractionalError::AlreadySold);
    before.assert_unchanged(&m.env).await;
    let offering = m.offering(0).await;
    assert_eq!((offering.state, offering.sold), (OfferingState::Open, 1));
    assert_eq!(m.balance(&m.escrow(0)).await, USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_asset_authority_cancels() {
    let m = Market::new().await;
    m.offer(0, 600, USDC, 0, 0, false).await;
    let before = m.snapshot(0, &[]).await;
    for stranger in [m.env.wallet().await, m.env.admin.insecure_clone()] {
        let ix = m.cancel_ix(&stranger.pubkey(), 0);
        assert_error(
            m.env.send(&[ix], &[&stranger]).await,
            FractionalError::NotAssetAuthority,
        );
    }
    let ix = m.cancel_ix(&m.owner.pubkey(), 0);
    assert_requires_signature(&m.env, ix, &m.owner.pubkey()).await;
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.offering(0).await.state, OfferingState::Open);
}
