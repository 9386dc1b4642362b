//! buy: what moves on a purchase (payment to escrow, shares into the
//! offering's holding, earning at once), the offering's terms (deadline,
//! caps, allowlist), and substituted accounts.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_spl::token::spl_token::error::TokenError;
use depin_client::fractional::{self, OfferingState};
use depin_client::{token, Pubkey, Signer};
use depin_fractional::errors::FractionalError;
use depin_revenue::errors::RevenueError;
use depin_tests::*;

use crate::fixture::{Investor, Market, USDC, WEEK};

/// The buyer's accounts a purchase touches, for snapshots.
fn buyer_accounts(m: &Market, buyer: &Investor, id: u16) -> [Pubkey; 4] {
    [
        buyer.usdc,
        buyer.shares,
        m.purchase_address(id, &buyer.key()),
        m.keys.holding(&buyer.key()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_pays_into_escrow_and_credits_the_offerings_holding() {
    let m = Market::new().await;
    m.offer(0, 800, 10 * USDC, 500, 400, false).await;
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;

    m.buy(&a, 0, 150).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 3_500 * USDC);
    assert_eq!(m.balance(&m.escrow(0)).await, 1_500 * USDC);
    // Minted straight into the pool's vault and credited to the offering's
    // holding (earning there), not to the buyer's wallet or holding: the
    // buyer gets them when the offering succeeds.
    assert_eq!(m.balance(&m.keys.share_vault).await, 150);
    assert_eq!(m.balance(&a.shares).await, 0);
    assert_eq!(m.supply().await, 150);
    let purchase = m.purchase(0, &a.key()).await.unwrap();
    assert_eq!(
        (
            purchase.offering,
            purchase.buyer,
            purchase.shares,
            purchase.paid,
            purchase.revenue,
            purchase.bump
        ),
        (
            m.keys.offering(0),
            a.key(),
            150,
            1_500 * USDC,
            0,
            depin_fractional::pda::purchase(&m.keys.offering(0), &a.key()).1
        )
    );
    let holding = m.offering_holding(0).await.unwrap();
    assert_eq!(
        (holding.pool, holding.owner, holding.shares, holding.pending),
        (m.keys.revenue_pool, m.keys.offering(0), 150, 0)
    );
    assert!(m.holding(&a.key()).await.is_none());

    // A second purchase adds to the same records.
    m.buy(&a, 0, 50).await.unwrap();
    m.buy(&b, 0, 100).await.unwrap();
    let purchase = m.purchase(0, &a.key()).await.unwrap();
    assert_eq!((purchase.shares, purchase.paid), (200, 2_000 * USDC));
    assert_eq!(m.purchase(0, &b.key()).await.unwrap().shares, 100);
    assert_eq!(m.offering_holding(0).await.unwrap().shares, 300);
    assert_eq!(m.balance(&a.usdc).await, 3_000 * USDC);
    assert_eq!(m.balance(&b.usdc).await, 4_000 * USDC);
    assert_eq!(m.balance(&m.escrow(0)).await, 3_000 * USDC);
    assert_eq!(m.balance(&m.keys.share_vault).await, 300);
    assert_eq!(m.supply().await, 300);

    let offering = m.offering(0).await;
    assert_eq!(
        (
            offering.sold,
            offering.raised,
            offering.state,
            offering.open_purchases
        ),
        (300, 3_000 * USDC, OfferingState::Open, 2)
    );
    let asset = m.asset().await;
    assert_eq!(
        (asset.issued, asset.reserved, asset.open_offering),
        (300, 500, true)
    );
    let pool = m.pool().await;
    assert_eq!((pool.total_weight, pool.total_deposited), (300, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buying_at_or_after_the_deadline_is_refused() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let buyer = m.investor(100 * USDC, false).await;
    m.advance(WEEK - 1).await;
    m.buy(&buyer, 0, 1).await.unwrap();
    m.advance(1).await;
    let before = m.snapshot(0, &buyer_accounts(&m, &buyer, 0)).await;
    assert_error(m.buy(&buyer, 0, 1).await, FractionalError::DeadlinePassed);
    m.advance(WEEK).await;
    assert_error(m.buy(&buyer, 0, 1).await, FractionalError::DeadlinePassed);
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.offering(0).await.sold, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_investor_cap_counts_every_purchase() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 100, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    let b = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 40).await.unwrap();
    m.buy(&a, 0, 40).await.unwrap();
    let before = m.snapshot(0, &buyer_accounts(&m, &a, 0)).await;
    assert_error(m.buy(&a, 0, 21).await, FractionalError::InvestorCapExceeded);
    before.assert_unchanged(&m.env).await;
    // Exactly up to the cap, then not one more.
    m.buy(&a, 0, 20).await.unwrap();
    assert_error(m.buy(&a, 0, 1).await, FractionalError::InvestorCapExceeded);
    // The cap is per investor: another still buys its 100.
    assert_error(
        m.buy(&b, 0, 101).await,
        FractionalError::InvestorCapExceeded,
    );
    m.buy(&b, 0, 100).await.unwrap();
    assert_eq!(m.purchase(0, &a.key()).await.unwrap().shares, 100);
    assert_eq!(m.purchase(0, &b.key()).await.unwrap().shares, 100);
    assert_eq!(m.offering(0).await.sold, 200);
    assert_eq!(m.balance(&a.usdc).await, 900 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buying_more_than_remains_is_refused() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 0, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    let b = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 70).await.unwrap();
    let before = m.snapshot(0, &buyer_accounts(&m, &b, 0)).await;
    assert_error(m.buy(&b, 0, 31).await, FractionalError::SoldOut);
    assert_error(m.buy(&b, 0, u64::MAX).await, FractionalError::Overflow);
    before.assert_unchanged(&m.env).await;
    m.buy(&b, 0, 30).await.unwrap();
    assert_error(m.buy(&a, 0, 1).await, FractionalError::SoldOut);
    let offering = m.offering(0).await;
    assert_eq!((offering.sold, offering.raised), (100, 100 * USDC));
    // The 900 shares not offered stay unissued.
    let asset = m.asset().await;
    assert_eq!((asset.issued, asset.reserved), (100, 0));
    assert_eq!(m.supply().await, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_shares_are_refused() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 0, 0, false).await;
    let a = m.investor(10 * USDC, false).await;
    let before = m.snapshot(0, &buyer_accounts(&m, &a, 0)).await;
    assert_error(m.buy(&a, 0, 0).await, FractionalError::ZeroAmount);
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn investor_not_on_the_allowlist_is_refused() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, true).await;
    let outsider = m.investor(100 * USDC, false).await;
    let before = m.snapshot(0, &buyer_accounts(&m, &outsider, 0)).await;
    // No entry given at all.
    assert_error(
        m.buy(&outsider, 0, 1).await,
        FractionalError::NotAllowlisted,
    );
    // Its entry's address, but compliance never created it.
    let ix = fractional::buy(
        &outsider.key(),
        &m.keys,
        0,
        &m.env.network,
        true,
        &outsider.usdc,
        1,
    );
    assert_error(
        m.env.send(&[ix], &[&outsider.wallet]).await,
        AnchorError::AccountNotInitialized,
    );
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disallowed_allowlist_entry_is_refused() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, true).await;
    let investor = m.investor(100 * USDC, true).await;
    m.allow(&investor.key(), false).await;
    let before = m.snapshot(0, &buyer_accounts(&m, &investor, 0)).await;
    assert_error(
        m.buy(&investor, 0, 1).await,
        FractionalError::NotAllowlisted,
    );
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_investors_allowlist_entry_is_refused() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, true).await;
    let cleared = m.investor(100 * USDC, true).await;
    let outsider = m.investor(100 * USDC, false).await;
    let ix = fractional::buy(
        &outsider.key(),
        &m.keys,
        0,
        &m.env.network,
        false,
        &outsider.usdc,
        1,
    );
    // Put the cleared investor's entry in the (empty) allow_entry slot.
    let mut ix = ix;
    let slot = ix
        .accounts
        .iter()
        .position(|meta| meta.pubkey == depin_fractional::ID)
        .expect("an absent optional account is the program id");
    ix.accounts[slot].pubkey = m.allow_entry_address(&cleared.key());
    let before = m.snapshot(0, &buyer_accounts(&m, &outsider, 0)).await;
    assert_error(
        m.env.send(&[ix], &[&outsider.wallet]).await,
        FractionalError::NotAllowlisted,
    );
    before.assert_unchanged(&m.env).await;

    // An entry of another network for the same investor does not count either.
    let other = m.env.other_network().await;
    let ix = fractional::set_allowlist(
        &m.env.payer(),
        &other.admin.pubkey(),
        &other.network,
        &outsider.key(),
        true,
    );
    m.env.send(&[ix], &[&other.admin]).await.unwrap();
    let ix = fractional::buy(
        &outsider.key(),
        &m.keys,
        0,
        &m.env.network,
        true,
        &outsider.usdc,
        1,
    );
    let ix = substitute(
        ix,
        &m.allow_entry_address(&outsider.key()),
        &depin_fractional::pda::allow_entry(&other.network, &outsider.key()).0,
    );
    assert_error(
        m.env.send(&[ix], &[&outsider.wallet]).await,
        FractionalError::NotAllowlisted,
    );
    before.assert_unchanged(&m.env).await;

    // The cleared investor itself buys.
    m.buy(&cleared, 0, 1).await.unwrap();
    assert_eq!(m.offering(0).await.sold, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offering_without_allowlist_needs_no_entry() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let anyone = m.investor(100 * USDC, false).await;
    assert!(m.allow_entry(&anyone.key()).await.is_none());
    m.buy(&anyone, 0, 7).await.unwrap();
    assert_eq!(m.purchase(0, &anyone.key()).await.unwrap().shares, 7);
    assert_eq!(m.offering_holding(0).await.unwrap().shares, 7);
    // A disallowed entry does not matter either.
    m.allow(&anyone.key(), false).await;
    let mut listed = anyone;
    listed.allowlisted = true;
    m.buy(&listed, 0, 3).await.unwrap();
    assert_eq!(m.purchase(0, &listed.key()).await.unwrap().shares, 10);
    assert_eq!(m.balance(&listed.usdc).await, 90 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_with_another_mint_fails_and_changes_nothing() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let buyer = m.investor(0, false).await;
    let fake_mint = m.env.mint().await;
    let fake = m.env.token_account(&fake_mint, &buyer.key()).await;
    token::mint_to(&m.env.cluster, &fake_mint, &fake, &m.env.admin, 100 * USDC)
        .await
        .unwrap();
    let ix = fractional::buy(&buyer.key(), &m.keys, 0, &m.env.network, false, &fake, 10);
    let mut watched = buyer_accounts(&m, &buyer, 0).to_vec();
    watched.push(fake);
    let before = m.snapshot(0, &watched).await;
    // The token program refuses a transfer between two mints.
    assert_error(
        m.env.send(&[ix], &[&buyer.wallet]).await,
        TokenError::MintMismatch as u32,
    );
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.balance(&fake).await, 100 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_from_someone_elses_account_fails() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let victim = m.investor(100 * USDC, false).await;
    let thief = m.investor(0, false).await;
    let ix = fractional::buy(
        &thief.key(),
        &m.keys,
        0,
        &m.env.network,
        false,
        &victim.usdc,
        10,
    );
    let before = m
        .snapshot(0, &[victim.usdc, m.purchase_address(0, &thief.key())])
        .await;
    assert_error(
        m.env.send(&[ix], &[&thief.wallet]).await,
        TokenError::OwnerMismatch as u32,
    );
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn substituted_escrow_is_refused() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let buyer = m.investor(100 * USDC, false).await;
    // The buyer's own USDC account (or another offering's escrow) posing as
    // the escrow.
    let own = m.env.token_account(&m.usdc, &buyer.key()).await;
    let ix = substitute(m.buy_ix(&buyer, 0, 10), &m.escrow(0), &own);
    let mut watched = buyer_accounts(&m, &buyer, 0).to_vec();
    watched.push(own);
    let before = m.snapshot(0, &watched).await;
    assert_error(
        m.env.send(&[ix], &[&buyer.wallet]).await,
        FractionalError::WrongAccount,
    );
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_of_another_asset_are_refused() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let other = m.second_asset().await;
    let buyer = m.investor(100 * USDC, false).await;
    let mut watched = buyer_accounts(&m, &buyer, 0).to_vec();
    watched.extend([other.revenue_pool, other.share_vault, other.share_mint]);
    let before = m.snapshot(0, &watched).await;
    let ix = || m.buy_ix(&buyer, 0, 10);

    // Another asset's revenue pool (the asset records its own).
    let wrong_pool = substitute(ix(), &m.keys.revenue_pool, &other.revenue_pool);
    assert_error(
        m.env.send(&[wrong_pool], &[&buyer.wallet]).await,
        FractionalError::WrongAccount,
    );
    // Another asset's share mint.
    let wrong_mint = substitute(ix(), &m.keys.share_mint, &other.share_mint);
    assert_error(
        m.env.send(&[wrong_mint], &[&buyer.wallet]).await,
        FractionalError::WrongAccount,
    );
    // The other asset with this asset's offering.
    let wrong_asset = substitute(ix(), &m.keys.asset, &other.asset);
    assert_error(
        m.env.send(&[wrong_asset], &[&buyer.wallet]).await,
        FractionalError::WrongAccount,
    );
    // Another pool's share vault: the shares (of this mint) cannot be minted there.
    let wrong_vault = substitute(ix(), &m.keys.share_vault, &other.share_vault);
    assert_error(
        m.env.send(&[wrong_vault], &[&buyer.wallet]).await,
        TokenError::MintMismatch as u32,
    );
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_vault_or_holding_not_the_offerings_is_refused() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let buyer = m.investor(100 * USDC, false).await;
    let other = m.investor(100 * USDC, false).await;
    // `other` holds 5 shares of its own.
    m.give_retained_shares(&other, 5).await;
    let second = m.second_asset().await;
    let mut watched = buyer_accounts(&m, &buyer, 0).to_vec();
    watched.extend([other.shares, m.keys.holding(&other.key())]);
    let before = m.snapshot(0, &watched).await;

    // The buyer's own share account posing as the vault: the shares would
    // be minted to its wallet and credited too. The pool knows its vault.
    let ix = substitute(m.buy_ix(&buyer, 0, 10), &m.keys.share_vault, &buyer.shares);
    assert_error(
        m.env.send(&[ix], &[&buyer.wallet]).await,
        RevenueError::WrongPool,
    );
    // Credited to an investor's holding instead of the offering's (shares
    // that would be the buyer's before the offering's outcome).
    let ix = substitute(
        m.buy_ix(&buyer, 0, 10),
        &m.keys.offering_holding(0),
        &m.keys.holding(&other.key()),
    );
    assert_error(
        m.env.send(&[ix], &[&buyer.wallet]).await,
        FractionalError::WrongAccount,
    );
    // Another asset's offering holding.
    let ix = substitute(
        m.buy_ix(&buyer, 0, 10),
        &m.keys.offering_holding(0),
        &second.offering_holding(0),
    );
    assert_error(
        m.env.send(&[ix], &[&buyer.wallet]).await,
        FractionalError::WrongAccount,
    );
    // A look-alike account the revenue program does not own.
    let ix = substitute(
        m.buy_ix(&buyer, 0, 10),
        &m.keys.offering_holding(0),
        &buyer.usdc,
    );
    assert_error(
        m.env.send(&[ix], &[&buyer.wallet]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.holding(&other.key()).await.unwrap().shares, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyer_earns_revenue_from_the_moment_it_buys() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 0, 0, false).await;
    let operator = m.investor(10_000 * USDC, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    let b = m.investor(1_000 * USDC, false).await;

    m.buy(&a, 0, 300).await.unwrap();
    m.deposit_revenue(&operator, 30 * USDC).await.unwrap();
    // a is the only holder: all of it, held in the offering for a.
    assert_eq!(
        m.purchase_position(0, &a.key()).await,
        Some((300, 30 * USDC))
    );

    m.buy(&b, 0, 100).await.unwrap();
    // b earned nothing of what came before.
    assert_eq!(m.purchase_position(0, &b.key()).await, Some((100, 0)));
    m.deposit_revenue(&operator, 40 * USDC).await.unwrap();
    // 300 : 100 of 40 USDC.
    assert_eq!(
        m.purchase_position(0, &a.key()).await,
        Some((300, 60 * USDC))
    );
    assert_eq!(
        m.purchase_position(0, &b.key()).await,
        Some((100, 10 * USDC))
    );

    // Buying more settles what a earned at 300 shares first.
    m.buy(&a, 0, 100).await.unwrap();
    let purchase = m.purchase(0, &a.key()).await.unwrap();
    assert_eq!((purchase.shares, purchase.revenue), (400, 60 * USDC));
    m.deposit_revenue(&operator, 50 * USDC).await.unwrap();
    assert_eq!(
        m.purchase_position(0, &a.key()).await,
        Some((400, 100 * USDC))
    );
    assert_eq!(
        m.purchase_position(0, &b.key()).await,
        Some((100, 20 * USDC))
    );
    let pool = m.pool().await;
    assert_eq!((pool.total_weight, pool.total_deposited), (500, 120 * USDC));
    assert_eq!(m.balance(&m.keys.revenue_vault).await, 120 * USDC);
    // Nothing is claimable before the outcome: no holding of their own yet.
    assert!(m.holding(&a.key()).await.is_none());

    // The offering succeeds: delivery moves shares and revenue to holdings.
    m.reach_deadline(0).await;
    assert_eq!(
        m.close_and_settle(0, &[&a, &b]).await,
        Some(OfferingState::Succeeded)
    );
    assert_eq!(m.position(&a.key()).await, (400, 100 * USDC));
    assert_eq!(m.position(&b.key()).await, (100, 20 * USDC));
    m.claim(&a).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 600 * USDC + 100 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn price_times_shares_overflow_is_refused() {
    let m = Market::new().await;
    m.offer(0, 800, u64::MAX / 2, 0, 0, false).await;
    let buyer = m.investor(u64::MAX / 2, false).await;
    // One share is affordable; three overflow a u64.
    let before = m.snapshot(0, &buyer_accounts(&m, &buyer, 0)).await;
    assert_error(m.buy(&buyer, 0, 3).await, FractionalError::Overflow);
    before.assert_unchanged(&m.env).await;
    m.buy(&buyer, 0, 1).await.unwrap();
    assert_eq!(m.balance(&buyer.usdc).await, 0);
    assert_eq!(m.offering(0).await.raised, u64::MAX / 2);
    // Another buyer's share still fits in `raised`.
    let rich = m.investor(u64::MAX / 2, false).await;
    m.buy(&rich, 0, 1).await.unwrap();
    assert_eq!(m.offering(0).await.raised, u64::MAX - 1);
    // Raised itself would overflow (checked before any payment).
    let third = m.investor(0, false).await;
    let before = m.snapshot(0, &buyer_accounts(&m, &third, 0)).await;
    assert_error(m.buy(&third, 0, 1).await, FractionalError::Overflow);
    before.assert_unchanged(&m.env).await;
}
