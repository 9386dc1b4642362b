//! refund: only after a failure, exactly what was paid, once, into the
//! buyer's own account, by anyone; the purchase record closes with its rent
//! to the buyer and the last refund closes the escrow and the offering. A
//! failed buyer never keeps revenue: its shares earned inside the offering
//! and that revenue goes back to the pool's other holders.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::fractional::{self, OfferingState};
use depin_client::{Pubkey, Signer};
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
fn refund_accounts(m: &Market, buyer: &Investor, id: u16) -> [Pubkey; 4] {
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
    // After a success (its escrow is paid out and closed).
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    assert_error(m.refund(&a, 0).await, AnchorError::AccountNotInitialized);
    before.assert_unchanged(&m.env).await;
    // A successful purchase is delivered instead.
    m.deliver(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 940 * USDC);
    assert_eq!(m.holding(&a.key()).await.unwrap().shares, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_or_failed_purchases_are_not_delivered() {
    let m = Market::new().await;
    let a = m.investor(5_000 * USDC, false).await;
    m.offer(0, 800, 10 * USDC, 500, 0, false).await;
    m.buy(&a, 0, 100).await.unwrap();
    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    assert_error(m.deliver(&a, 0).await, FractionalError::NotSucceeded);
    before.assert_unchanged(&m.env).await;
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    // The failed offering's holding is dissolved: there is nothing to deliver.
    assert_error(m.deliver(&a, 0).await, AnchorError::AccountNotInitialized);
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_returns_exactly_what_was_paid_and_closes_everything() {
    let m = Market::new().await;
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    let payer_before = m.env.lamports(&m.env.payer()).await;
    // a buys in two steps: the refund covers both.
    m.offer(0, 800, 10 * USDC, 500, 0, false).await;
    m.buy(&a, 0, 200).await.unwrap();
    m.buy(&b, 0, 150).await.unwrap();
    m.buy(&a, 0, 100).await.unwrap();
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    assert_eq!(m.balance(&m.escrow(0)).await, 4_500 * USDC);
    // The sold shares were burned when the offering failed.
    assert_eq!(m.supply().await, 0);

    let a_lamports = m.env.lamports(&a.key()).await;
    let purchase_rent = m.env.lamports(&m.purchase_address(0, &a.key())).await;
    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    assert_eq!(m.balance(&m.escrow(0)).await, 1_500 * USDC);
    // The purchase record is closed, its rent back with a, who signed
    // nothing (anyone may send a refund).
    assert!(m.purchase(0, &a.key()).await.is_none());
    assert_eq!(m.env.lamports(&a.key()).await, a_lamports + purchase_rent);
    assert!(m.holding(&a.key()).await.is_none());
    let offering = m.offering(0).await;
    assert_eq!(
        (
            offering.state,
            offering.sold,
            offering.raised,
            offering.refunded,
            offering.open_purchases
        ),
        (OfferingState::Failed, 450, 4_500 * USDC, 3_000 * USDC, 1)
    );

    m.refund(&b, 0).await.unwrap();
    assert_eq!(m.balance(&b.usdc).await, 5_000 * USDC);
    // Every buyer refunded: escrow and offering closed, rent back to the
    // payer (who paid only fees in the end: no account of its is left).
    assert!(!m.exists(&m.escrow(0)).await);
    assert!(m.offering_record(0).await.is_none());
    let fallback_rent = m.env.lamports(&m.keys.holding(&m.owner.pubkey())).await;
    let spent = payer_before - m.env.lamports(&m.env.payer()).await;
    assert!(spent <= fallback_rent + 20 * 5_000, "spent {spent}");
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
    // Its purchase record is gone.
    assert_error(m.refund(&a, 0).await, AnchorError::AccountNotInitialized);
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    // b's money is still there for b.
    assert_eq!(m.balance(&m.escrow(0)).await, 1_000 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_go_only_to_the_buyer_of_the_purchase() {
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

    // b's refund presenting a's purchase: the purchase names its buyer.
    let ix = substitute(
        m.refund_ix(&b, 0),
        &m.purchase_address(0, &b.key()),
        &a_purchase,
    );
    assert_error(m.env.send(&[ix], &[]).await, FractionalError::WrongAccount);
    // a's purchase paid into c's (or b's) account.
    for thief in [&c, &b] {
        let ix = fractional::refund(&m.keys, 0, &a.key(), &thief.usdc, &m.env.payer());
        assert_error(
            m.env.send(&[ix], &[]).await,
            FractionalError::WrongRefundAccount,
        );
    }
    // a's own account of another mint.
    let other_mint = m.env.mint().await;
    let a_other = m.env.token_account(&other_mint, &a.key()).await;
    let ix = fractional::refund(&m.keys, 0, &a.key(), &a_other, &m.env.payer());
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongRefundAccount,
    );
    // c has no purchase of its own.
    assert_error(m.refund(&c, 0).await, AnchorError::AccountNotInitialized);
    // The rent of what closes goes to the offering's rent payer only.
    let ix = fractional::refund(&m.keys, 0, &a.key(), &a.usdc, &c.key());
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongRentPayer,
    );
    before.assert_unchanged(&m.env).await;

    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_never_touch_holders_of_earlier_offerings() {
    let m = Market::new().await;
    // c holds 200 shares of a successful offering.
    let c = m.investor(5_000 * USDC, false).await;
    m.offer(0, 200, 10 * USDC, 200, 0, false).await;
    m.buy(&c, 0, 200).await.unwrap();
    assert_eq!(
        m.close_and_settle(0, &[&c]).await,
        Some(OfferingState::Succeeded)
    );
    // a and b buy in the next offering, which fails.
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    failed_offering(&m, 1, &[(&a, 100), (&b, 100)]).await;
    m.refund(&a, 1).await.unwrap();
    m.refund(&b, 1).await.unwrap();
    assert!(m.holding(&a.key()).await.is_none());
    assert_eq!(m.holding(&c.key()).await.unwrap().shares, 200);
    assert_eq!(m.supply().await, 200);
    assert_eq!(m.asset().await.issued, 200);
    assert_eq!(m.pool().await.total_weight, 200);
    assert!(!m.exists(&m.escrow(1)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shares_of_an_undecided_offering_cannot_be_withdrawn_or_sold() {
    let m = Market::new().await;
    let a = m.investor(5_000 * USDC, false).await;
    m.offer(0, 800, 10 * USDC, 500, 0, false).await;
    m.buy(&a, 0, 100).await.unwrap();
    // The shares are the offering's until it succeeds: a has no holding to
    // withdraw from, so nothing it could sell and then still refund.
    let before = m.snapshot(0, &refund_accounts(&m, &a, 0)).await;
    assert_error(m.withdraw(&a, 40).await, AnchorError::AccountNotInitialized);
    before.assert_unchanged(&m.env).await;
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    assert_error(m.withdraw(&a, 40).await, AnchorError::AccountNotInitialized);
    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    assert_eq!(m.balance(&a.shares).await, 0);
}

/// The attack of issue 8, item 2: a holder owns 100 shares; the attacker
/// buys 800 of a 900-share offering with a 900-share soft cap; 900 USDC of
/// revenue comes in; the attacker claims what it can, lets the offering
/// fail and takes its refund. Before the fix: +800 USDC, risk free, taken
/// from the holder. Now the attacker ends with exactly what it paid and the
/// holder gets all 900 USDC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_buyer_never_keeps_the_revenue_its_shares_earned() {
    let m = Market::new().await;
    let holder = m.investor(0, false).await;
    m.give_retained_shares(&holder, 100).await;
    let operator = m.investor(900 * USDC, false).await;
    let attacker = m.investor(800 * USDC, false).await;
    m.offer(0, 900, USDC, 900, 0, false).await;
    m.buy(&attacker, 0, 800).await.unwrap();
    m.deposit_revenue(&operator, 900 * USDC).await.unwrap();

    // 800 of the 900 USDC belong to the attacker's shares if the offering
    // succeeds, but they wait inside the offering: nothing to claim.
    assert_eq!(
        m.purchase_position(0, &attacker.key()).await,
        Some((800, 800 * USDC))
    );
    assert_error(m.claim(&attacker).await, AnchorError::AccountNotInitialized);
    assert_eq!(m.position(&holder.key()).await, (100, 100 * USDC));

    // The offering fails: the revenue goes back to the holder.
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    assert_eq!(m.offering(0).await.state, OfferingState::Failed);
    assert_eq!(m.position(&holder.key()).await, (100, 900 * USDC));
    let pool = m.pool().await;
    assert_eq!(
        (pool.total_weight, pool.total_redistributed),
        (100, 800 * USDC)
    );

    m.refund(&attacker, 0).await.unwrap();
    assert_error(m.claim(&attacker).await, AnchorError::AccountNotInitialized);
    assert_eq!(m.balance(&attacker.usdc).await, 800 * USDC);
    m.claim(&holder).await.unwrap();
    assert_eq!(m.balance(&holder.usdc).await, 900 * USDC);
    assert_eq!(m.balance(&m.keys.revenue_vault).await, 0);
    assert_error(m.claim(&holder).await, RevenueError::NothingToClaim);
}

/// A failed offering's revenue with no other holder left goes to the
/// asset's authority (the machine earned it), never to whoever comes next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_offerings_revenue_goes_to_the_authority_when_nobody_else_holds() {
    let m = Market::new().await;
    let operator = m.investor(500 * USDC, false).await;
    let a = m.investor(5_000 * USDC, false).await;
    m.offer(0, 800, 10 * USDC, 500, 0, false).await;
    m.buy(&a, 0, 100).await.unwrap();
    m.deposit_revenue(&operator, 50 * USDC).await.unwrap();
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();
    assert_eq!(m.position(&m.owner.pubkey()).await, (0, 50 * USDC));
    m.refund(&a, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    let owner = m.owner_as_investor().await;
    m.claim(&owner).await.unwrap();
    assert_eq!(m.balance(&m.owner_usdc).await, 50 * USDC);
    assert_eq!(m.balance(&m.keys.revenue_vault).await, 0);
}
