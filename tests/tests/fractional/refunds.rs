//! refund: only after a failure, exactly what was paid, shares burned,
//! once, by the buyer, from its own holding; revenue earned meanwhile stays.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::fractional::{self, OfferingState};
use depin_fractional::errors::FractionalError;
use depin_revenue::errors::RevenueError;
use depin_tests::*;

use crate::fixture::{Investor, Market, USDC};

/// Offering `id` of 800 shares at 10 USDC with a soft cap of 500, bought
/// by `buyers` (investor, shares) and closed as failed at its deadline.
async fn failed_offering(m: &Market, id: u16, buyers: &[(&Investor, u64)]) {
    m.offer(id, 800, 10 * USDC, 500, 0, false).await;
    for (investor, shares) in buyers {
        m.buy(investor, id, *shares).await.unwrap();
    }
    m.reach_deadline(id).await;
    m.close(id).await.unwrap();
    assert_eq!(m.offering(id).await.state, OfferingState::Failed);
}

/// The buyer's accounts a refund touches.
fn refund_accounts(m: &Market, buyer: &Investor, id: u16) -> [depin_client::Pubkey; 4] {
    [
        buyer.usdc,
        buyer.shares,
        m.purchase_address(id, &buyer.key()),
        m.keys.holding(&buyer.key()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_is_only_for_failed_offerings() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 50, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 60).await.unwrap();
    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    // While open.
    assert_error(m.refund(&a, 0).await, FractionalError::NotFailed);
    before.assert_unchanged(&m.env).await;
    // After a success.
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    assert_error(m.refund(&a, 0).await, FractionalError::NotFailed);
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.balance(&a.usdc).await, 940 * USDC);
    assert_eq!(m.holding(&a.key()).await.unwrap().shares, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_returns_exactly_what_was_paid_and_burns_the_shares() {
    let m = Market::new().await;
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    // a buys in two steps: the refund covers both.
    m.offer(0, 800, 10 * USDC, 500, 0, false).await;
    m.buy(&a, 0, 200).await.unwrap();
    m.buy(&b, 0, 150).await.unwrap();
    m.buy(&a, 0, 100).await.unwrap();
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    assert_eq!(m.balance(&m.escrow(0)).await, 4_500 * USDC);
    assert_eq!(m.supply().await, 450);

    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    assert_eq!(m.balance(&m.escrow(0)).await, 1_500 * USDC);
    assert_eq!(m.supply().await, 150);
    assert_eq!(m.balance(&m.keys.share_vault).await, 150);
    // Burned, not parked in the asset's own share account.
    assert_eq!(m.balance(&m.keys.asset_shares).await, 0);
    let holding = m.holding(&a.key()).await.unwrap();
    assert_eq!((holding.shares, holding.pending), (0, 0));
    let purchase = m.purchase(0, &a.key()).await.unwrap();
    assert_eq!(
        (purchase.shares, purchase.paid, purchase.refunded),
        (300, 3_000 * USDC, true)
    );
    let offering = m.offering(0).await;
    assert_eq!(
        (
            offering.state,
            offering.sold,
            offering.raised,
            offering.refunded
        ),
        (OfferingState::Failed, 450, 4_500 * USDC, 3_000 * USDC)
    );
    assert_eq!(m.asset().await.issued, 150);
    assert_eq!(m.pool().await.total_weight, 150);

    m.refund(&b, 0).await.unwrap();
    assert_eq!(m.balance(&b.usdc).await, 5_000 * USDC);
    // Every buyer refunded: the escrow is empty, no share is left.
    assert_eq!(m.balance(&m.escrow(0)).await, 0);
    assert_eq!(m.supply().await, 0);
    assert_eq!(m.balance(&m.keys.share_vault).await, 0);
    assert_eq!(m.offering(0).await.refunded, 4_500 * USDC);
    let asset = m.asset().await;
    assert_eq!(
        (asset.issued, asset.reserved, asset.open_offering),
        (0, 0, false)
    );
    assert_eq!(m.pool().await.total_weight, 0);
    assert_eq!(m.balance(&m.owner_usdc).await, 0);
    assert_eq!(m.balance(&m.fee_account).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunding_twice_is_refused() {
    let m = Market::new().await;
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    failed_offering(&m, 0, &[(&a, 100), (&b, 100)]).await;
    m.refund(&a, 0).await.unwrap();
    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    assert_error(m.refund(&a, 0).await, FractionalError::AlreadyRefunded);
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    // b's money is still there for b.
    assert_eq!(m.balance(&m.escrow(0)).await, 1_000 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_purchase_is_refused() {
    let m = Market::new().await;
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    let c = m.investor(0, false).await;
    failed_offering(&m, 0, &[(&a, 300), (&b, 100)]).await;
    let mut watched = refund_accounts(&m, &a, 0).to_vec();
    watched.extend(refund_accounts(&m, &b, 0));
    watched.extend(refund_accounts(&m, &c, 0));
    let before = m.snapshot(0, &watched).await;
    let a_purchase = m.purchase_address(0, &a.key());

    // b (a buyer too) presents a's purchase with its own holding.
    let ix = substitute(
        m.refund_ix(&b, 0),
        &m.purchase_address(0, &b.key()),
        &a_purchase,
    );
    assert_error(
        m.env.send(&[ix], &[&b.wallet]).await,
        FractionalError::WrongAccount,
    );
    // c (who bought nothing) presents a's purchase and a's holding.
    let ix = substitute(
        m.refund_ix(&c, 0),
        &m.purchase_address(0, &c.key()),
        &a_purchase,
    );
    let ix = substitute(ix, &m.keys.holding(&c.key()), &m.keys.holding(&a.key()));
    assert_error(
        m.env.send(&[ix], &[&c.wallet]).await,
        FractionalError::WrongAccount,
    );
    // c has no purchase (nor holding) of its own.
    assert_error(m.refund(&c, 0).await, AnchorError::AccountNotInitialized);
    // a's refund into b's account without a's signature.
    let ix = fractional::refund(&a.key(), &m.keys, 0, &b.usdc);
    assert_requires_signature(&m.env, ix, &a.key()).await;
    before.assert_unchanged(&m.env).await;

    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_holding_is_refused() {
    let m = Market::new().await;
    // c holds 200 shares of a successful offering.
    let c = m.investor(5_000 * USDC, false).await;
    m.offer(0, 200, 10 * USDC, 200, 0, false).await;
    m.buy(&c, 0, 200).await.unwrap();
    m.close(0).await.unwrap();
    // a and b buy in the next offering, which fails.
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    failed_offering(&m, 1, &[(&a, 100), (&b, 100)]).await;

    let mut watched = refund_accounts(&m, &a, 1).to_vec();
    watched.extend([m.keys.holding(&b.key()), m.keys.holding(&c.key())]);
    let before = m.snapshot(1, &watched).await;
    // a's refund taking the shares out of c's or b's holding instead of
    // its own: a would be paid back and keep its shares earning, c would
    // lose shares it paid for, b could no longer refund.
    for victim in [&c, &b] {
        let ix = substitute(
            m.refund_ix(&a, 1),
            &m.keys.holding(&a.key()),
            &m.keys.holding(&victim.key()),
        );
        assert_error(
            m.env.send(&[ix], &[&a.wallet]).await,
            FractionalError::WrongAccount,
        );
    }
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.holding(&c.key()).await.unwrap().shares, 200);
    assert_eq!(m.holding(&b.key()).await.unwrap().shares, 100);

    m.refund(&a, 1).await.unwrap();
    m.refund(&b, 1).await.unwrap();
    assert_eq!(m.holding(&a.key()).await.unwrap().shares, 0);
    assert_eq!(m.holding(&c.key()).await.unwrap().shares, 200);
    assert_eq!(m.supply().await, 200);
    assert_eq!(m.asset().await.issued, 200);
    assert_eq!(m.balance(&m.escrow(1)).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawn_shares_must_be_deposited_back_before_a_refund() {
    let m = Market::new().await;
    let a = m.investor(5_000 * USDC, false).await;
    failed_offering(&m, 0, &[(&a, 100)]).await;
    m.withdraw(&a, 40).await.unwrap();
    assert_eq!(m.balance(&a.shares).await, 40);
    assert_eq!(m.holding(&a.key()).await.unwrap().shares, 60);

    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    // The refund takes back every share bought; 40 are not in the holding.
    assert_error(m.refund(&a, 0).await, RevenueError::InsufficientShares);
    before.assert_unchanged(&m.env).await;

    m.deposit_shares(&a, 40).await.unwrap();
    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    assert_eq!(m.balance(&a.shares).await, 0);
    assert_eq!(m.holding(&a.key()).await.unwrap().shares, 0);
    assert_eq!(m.supply().await, 0);
    assert_eq!(m.asset().await.issued, 0);
    assert_eq!(m.balance(&m.escrow(0)).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revenue_earned_before_the_refund_stays_claimable() {
    let m = Market::new().await;
    let operator = m.investor(1_000 * USDC, false).await;
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    m.offer(0, 800, 10 * USDC, 500, 0, false).await;
    m.buy(&a, 0, 100).await.unwrap();
    m.buy(&b, 0, 300).await.unwrap();
    m.deposit_revenue(&operator, 40 * USDC).await.unwrap();
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();

    m.refund(&a, 0).await.unwrap();
    // Its shares are gone; what they earned is settled into pending.
    let holding = m.holding(&a.key()).await.unwrap();
    assert_eq!((holding.shares, holding.pending), (0, 10 * USDC));
    assert_eq!(m.position(&a.key()).await, (0, 10 * USDC));
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);

    // Later revenue is b's alone.
    m.deposit_revenue(&operator, 30 * USDC).await.unwrap();
    assert_eq!(m.position(&a.key()).await, (0, 10 * USDC));
    assert_eq!(m.position(&b.key()).await, (300, 60 * USDC));
    m.claim(&a).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_010 * USDC);
    assert_eq!(m.position(&a.key()).await, (0, 0));
    assert_error(m.claim(&a).await, RevenueError::NothingToClaim);

    m.refund(&b, 0).await.unwrap();
    m.claim(&b).await.unwrap();
    assert_eq!(m.balance(&b.usdc).await, 5_060 * USDC);
    assert_eq!(m.balance(&m.keys.revenue_vault).await, 0);
    let pool = m.pool().await;
    assert_eq!(
        (pool.total_deposited, pool.total_claimed, pool.total_weight),
        (70 * USDC, 70 * USDC, 0)
    );
}
