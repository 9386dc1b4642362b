//! close_offering: when it may close, the fee/proceeds split of a success
//! and the shares the authority retains, a failure unwinding the sold
//! shares, the accounts the money goes to, and the rent coming back.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::fractional::{self, OfferingParties, OfferingState};
use depin_client::{Instruction, Pubkey, Signer};
use depin_fractional::errors::FractionalError;
use depin_tests::*;

use crate::fixture::{Market, FEE_BPS, TOTAL_SHARES, USDC, WEEK};

/// Every account a close may pay or credit, for snapshots.
fn payouts(m: &Market) -> [Pubkey; 3] {
    [
        m.owner_usdc,
        m.fee_account,
        m.keys.holding(&m.owner.pubkey()),
    ]
}

/// `ix` with its optional account `account` left out (Anchor reads the
/// program id in an optional account's place as "none").
fn without(mut ix: Instruction, account: &Pubkey) -> Instruction {
    let meta = ix
        .accounts
        .iter_mut()
        .find(|meta| meta.pubkey == *account)
        .expect("not an account of this instruction");
    meta.pubkey = depin_fractional::ID;
    meta.is_writable = false;
    ix
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_before_the_deadline_is_refused_unless_sold_out() {
    let m = Market::new().await;
    m.offer(0, 800, USDC, 500, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 500).await.unwrap();
    // The soft cap is reached, but buyers may still come until the deadline.
    let before = m.snapshot(0, &payouts(&m)).await;
    assert_error(m.close(0).await, FractionalError::TooEarlyToClose);
    m.advance(WEEK - 1).await;
    assert_error(m.close(0).await, FractionalError::TooEarlyToClose);
    before.assert_unchanged(&m.env).await;
    m.advance(1).await;
    m.close(0).await.unwrap();
    assert_eq!(m.offering(0).await.state, OfferingState::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sold_out_offering_closes_before_the_deadline() {
    let m = Market::new().await;
    m.offer(0, 300, 2 * USDC, 300, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    let b = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 200).await.unwrap();
    assert_error(m.close(0).await, FractionalError::TooEarlyToClose);
    m.buy(&b, 0, 100).await.unwrap();
    m.close(0).await.unwrap();
    let offering = m.offering(0).await;
    assert_eq!(
        (offering.state, offering.sold, offering.raised),
        (OfferingState::Succeeded, 300, 600 * USDC)
    );
    // 2.5% of 600 USDC.
    assert_eq!(m.balance(&m.fee_account).await, 15 * USDC);
    assert_eq!(m.balance(&m.owner_usdc).await, 585 * USDC);
    // The emptied escrow is closed.
    assert!(!m.exists(&m.escrow(0)).await);
    // Nothing unsold: the authority retains no shares and has no holding;
    // the sold shares wait in the offering's holding for delivery.
    assert!(m.holding(&m.owner.pubkey()).await.is_none());
    assert_eq!(m.offering_holding(0).await.unwrap().shares, 300);
    let asset = m.asset().await;
    assert_eq!(
        (asset.issued, asset.reserved, asset.open_offering),
        (300, 0, false)
    );
    assert_eq!(m.supply().await, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn success_splits_fee_and_proceeds_exactly_and_retains_the_unsold_shares() {
    let m = Market::new().await;
    // An odd price so the 2.5% fee has a fraction to round away.
    let price = 1_000_003;
    let a = m.investor(1_000 * USDC, false).await;
    let b = m.investor(1_000 * USDC, false).await;
    let payer_before = m.env.lamports(&m.env.payer()).await;
    m.offer(0, 600, price, 50, 0, false).await;
    m.buy(&a, 0, 30).await.unwrap();
    m.buy(&b, 0, 27).await.unwrap();
    let raised = 57 * price;
    assert_eq!(raised, 57_000_171);
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();

    // 57_000_171 × 250 / 10_000 = 1_425_004.275: the fee rounds down.
    let fee = 1_425_004;
    let proceeds = raised - fee;
    assert_eq!(
        u128::from(raised) * u128::from(FEE_BPS) / 10_000,
        u128::from(fee)
    );
    assert_eq!(m.balance(&m.fee_account).await, fee);
    assert_eq!(m.balance(&m.owner_usdc).await, proceeds);
    assert_eq!(fee + proceeds, raised);
    assert!(!m.exists(&m.escrow(0)).await);
    let offering = m.offering(0).await;
    assert_eq!(
        (
            offering.state,
            offering.sold,
            offering.raised,
            offering.refunded
        ),
        (OfferingState::Succeeded, 57, raised, 0)
    );

    // The 543 unsold shares are minted into the owner's holding, earning.
    let holding = m.holding(&m.owner.pubkey()).await.unwrap();
    assert_eq!(
        (holding.pool, holding.owner, holding.shares, holding.pending),
        (m.keys.revenue_pool, m.owner.pubkey(), 543, 0)
    );
    assert_eq!(m.supply().await, 600);
    assert_eq!(m.balance(&m.keys.share_vault).await, 600);
    assert_eq!(m.pool().await.total_weight, 600);
    let asset = m.asset().await;
    assert_eq!(
        (asset.issued, asset.reserved, asset.open_offering),
        (600, 0, false)
    );
    // Buyers get exactly what they bought, delivered by anyone; the last
    // delivery closes the offering and every rent its payer paid comes back
    // (escrow, holding, record: in the end the payer paid the fees and the
    // three new holdings, the owner's and the buyers').
    m.deliver(&a, 0).await.unwrap();
    assert!(m.purchase(0, &a.key()).await.is_none());
    assert!(m.offering_record(0).await.is_some());
    m.deliver(&b, 0).await.unwrap();
    assert_eq!(m.holding(&a.key()).await.unwrap().shares, 30);
    assert_eq!(m.holding(&b.key()).await.unwrap().shares, 27);
    assert!(m.offering_record(0).await.is_none());
    assert!(m.offering_holding(0).await.is_none());
    let holding_rent = m.env.lamports(&m.keys.holding(&m.owner.pubkey())).await;
    let spent = payer_before - m.env.lamports(&m.env.payer()).await;
    assert!(
        spent <= 3 * holding_rent + 20 * 5_000,
        "the payer got its rent back: spent {spent}"
    );

    // Revenue now goes 543 : 30 : 27.
    let operator = m.investor(1_000 * USDC, false).await;
    m.deposit_revenue(&operator, 600 * USDC).await.unwrap();
    assert_eq!(m.position(&m.owner.pubkey()).await, (543, 543 * USDC));
    assert_eq!(m.position(&a.key()).await, (30, 30 * USDC));
    assert_eq!(m.position(&b.key()).await, (27, 27 * USDC));

    // The remaining 400 shares can be offered next.
    m.offer(1, TOTAL_SHARES - 600, USDC, 0, 0, false).await;
    assert_eq!(m.asset().await.reserved, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_under_the_soft_cap_moves_no_money() {
    let m = Market::new().await;
    m.offer(0, 800, 10 * USDC, 500, 0, false).await;
    let a = m.investor(5_000 * USDC, false).await;
    let b = m.investor(5_000 * USDC, false).await;
    m.buy(&a, 0, 300).await.unwrap();
    m.buy(&b, 0, 199).await.unwrap();
    m.reach_deadline(0).await;
    m.close(0).await.unwrap();

    let offering = m.offering(0).await;
    assert_eq!(
        (
            offering.state,
            offering.sold,
            offering.raised,
            offering.refunded
        ),
        (OfferingState::Failed, 499, 4_990 * USDC, 0)
    );
    // The money stays in escrow for the refunds; no fee, no proceeds.
    assert_eq!(m.balance(&m.escrow(0)).await, 4_990 * USDC);
    assert_eq!(m.balance(&m.owner_usdc).await, 0);
    assert_eq!(m.balance(&m.fee_account).await, 0);
    // The sold shares never reached the buyers: they are burned with the
    // offering's holding, which closes.
    assert_eq!(m.supply().await, 0);
    assert_eq!(m.balance(&m.keys.share_vault).await, 0);
    assert!(m.offering_holding(0).await.is_none());
    assert_eq!(m.pool().await.total_weight, 0);
    let asset = m.asset().await;
    assert_eq!(
        (asset.issued, asset.reserved, asset.open_offering),
        (0, 0, false)
    );
    // The buyers get everything back; the last refund closes the escrow
    // and the offering.
    m.refund(&a, 0).await.unwrap();
    m.refund(&b, 0).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 5_000 * USDC);
    assert_eq!(m.balance(&b.usdc).await, 5_000 * USDC);
    assert!(!m.exists(&m.escrow(0)).await);
    assert!(m.offering_record(0).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_twice_is_refused() {
    let m = Market::new().await;
    // One offering that succeeds, one that fails.
    m.offer(0, 100, USDC, 100, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 100).await.unwrap();
    m.close(0).await.unwrap();
    let before = m.snapshot(0, &payouts(&m)).await;
    // Its escrow is paid out and closed.
    assert_error(m.close(0).await, AnchorError::AccountNotInitialized);
    m.advance(WEEK).await;
    assert_error(m.close(0).await, AnchorError::AccountNotInitialized);
    // Nor does anyone buy from a closed offering.
    assert_error(m.buy(&a, 0, 1).await, FractionalError::OfferingNotOpen);
    before.assert_unchanged(&m.env).await;

    m.offer(1, 100, USDC, 100, 0, false).await;
    m.buy(&a, 1, 10).await.unwrap();
    m.reach_deadline(1).await;
    m.close(1).await.unwrap();
    assert_eq!(m.offering(1).await.state, OfferingState::Failed);
    let before = m.snapshot(1, &payouts(&m)).await;
    // Its holding is dissolved.
    assert_error(m.close(1).await, AnchorError::AccountNotInitialized);
    before.assert_unchanged(&m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proceeds_must_go_to_the_asset_authority() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 100, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 100).await.unwrap();

    let stranger = m.env.wallet().await;
    let strangers = m.env.token_account(&m.usdc, &stranger.pubkey()).await;
    let other_mint = m.env.mint().await;
    let owners_other_mint = m.env.token_account(&other_mint, &m.owner.pubkey()).await;
    let before = m
        .snapshot(0, &[m.owner_usdc, m.fee_account, strangers, a.usdc])
        .await;
    let recipients_other = m
        .env
        .token_account(&m.usdc, &m.fee_recipient.pubkey())
        .await;
    // A stranger's USDC account, the buyer's, the fee recipient's, and the
    // owner's account of another mint.
    for proceeds in [strangers, a.usdc, recipients_other, owners_other_mint] {
        let ix = m.close_ix_with(0, &proceeds, m.fee());
        assert_error(
            m.env.send(&[ix], &[]).await,
            FractionalError::WrongProceedsAccount,
        );
    }
    // The fee account itself as the proceeds: Anchor refuses one account
    // in two writable places.
    let ix = m.close_ix_with(0, &m.fee_account, m.fee());
    assert_error(
        m.env.send(&[ix], &[]).await,
        AnchorError::ConstraintDuplicateMutableAccount,
    );
    before.assert_unchanged(&m.env).await;
    m.close(0).await.unwrap();
    assert_eq!(m.balance(&m.owner_usdc).await, 97_500_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_must_go_to_the_market_fee_recipient() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 100, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 100).await.unwrap();

    let stranger = m.env.wallet().await;
    let strangers = m.env.token_account(&m.usdc, &stranger.pubkey()).await;
    let other_mint = m.env.mint().await;
    let recipients_other_mint = m
        .env
        .token_account(&other_mint, &m.fee_recipient.pubkey())
        .await;
    let before = m
        .snapshot(0, &[m.owner_usdc, m.fee_account, strangers])
        .await;
    let owners_other = m.env.token_account(&m.usdc, &m.owner.pubkey()).await;
    // Someone else's account, another of the authority's, the recipient's
    // of another mint.
    for fee_account in [strangers, owners_other, recipients_other_mint] {
        let ix = m.close_ix_with(0, &m.owner_usdc, Some(fee_account));
        assert_error(
            m.env.send(&[ix], &[]).await,
            FractionalError::WrongFeeAccount,
        );
    }
    // The proceeds account as the fee account too.
    let ix = m.close_ix_with(0, &m.owner_usdc, Some(m.owner_usdc));
    assert_error(
        m.env.send(&[ix], &[]).await,
        AnchorError::ConstraintDuplicateMutableAccount,
    );
    // No fee account at all.
    let ix = m.close_ix_with(0, &m.owner_usdc, None);
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongFeeAccount,
    );
    let ix = without(m.close_ix(0), &m.fee_account);
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongFeeAccount,
    );
    before.assert_unchanged(&m.env).await;

    m.close(0).await.unwrap();
    assert_eq!(m.balance(&m.fee_account).await, 2_500_000);
    assert_eq!(m.balance(&strangers).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fee_goes_to_the_recipient_fixed_when_the_offering_opened() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 100, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 100).await.unwrap();
    // The treasury names a new recipient while the offering is open.
    let newcomer = m.env.wallet().await;
    let newcomers = m.env.token_account(&m.usdc, &newcomer.pubkey()).await;
    let ix = depin_client::fractional::configure_market(
        &m.env.payer(),
        &m.env.admin.pubkey(),
        &m.env.network,
        FEE_BPS,
        &newcomer.pubkey(),
    );
    m.env.send(&[ix], &[&m.env.admin]).await.unwrap();
    let before = m
        .snapshot(0, &[m.owner_usdc, m.fee_account, newcomers])
        .await;
    let ix = m.close_ix_with(0, &m.owner_usdc, Some(newcomers));
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongFeeAccount,
    );
    before.assert_unchanged(&m.env).await;
    m.close(0).await.unwrap();
    assert_eq!(m.balance(&m.fee_account).await, 2_500_000);
    assert_eq!(m.balance(&newcomers).await, 0);
    // The next offering uses the new recipient.
    m.offer(1, 100, USDC, 100, 0, false).await;
    assert_eq!(m.offering(1).await.fee_recipient, newcomer.pubkey());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rent_payer_and_offering_holding_cannot_be_substituted() {
    let m = Market::new().await;
    m.offer(0, 100, USDC, 100, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 100).await.unwrap();
    let thief = m.env.wallet().await;
    let before = m.snapshot(0, &payouts(&m)).await;
    // Someone else collecting the rent of what closes.
    let parties = OfferingParties {
        rent_payer: thief.pubkey(),
        ..m.parties()
    };
    let ix = fractional::close_offering(
        &m.env.payer(),
        &m.env.network,
        &m.keys,
        0,
        &parties,
        &m.owner_usdc,
        m.fee(),
    );
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongRentPayer,
    );
    // Another offering's holding (of another asset) in place of this one's.
    let second = m.second_asset().await;
    let ix = substitute(
        m.close_ix(0),
        &m.keys.offering_holding(0),
        &second.offering_holding(0),
    );
    assert_error(m.env.send(&[ix], &[]).await, FractionalError::WrongAccount);
    before.assert_unchanged(&m.env).await;
    m.close(0).await.unwrap();
    // The rent payer's slot in delivery is checked too.
    let ix = fractional::deliver_purchase(&m.env.payer(), &m.keys, 0, &a.key(), &parties);
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongRentPayer,
    );
    m.deliver(&a, 0).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_fee_offering_closes_without_fee_accounts() {
    let m = Market::new().await;
    m.offer_without_fee(0, 200, 3 * USDC, 100).await;
    let a = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 150).await.unwrap();
    m.reach_deadline(0).await;
    let ix = m.close_ix_with(0, &m.owner_usdc, None);
    m.env.send(&[ix], &[]).await.unwrap();
    // Everything raised goes to the authority.
    assert_eq!(m.balance(&m.owner_usdc).await, 450 * USDC);
    assert_eq!(m.balance(&m.fee_account).await, 0);
    assert!(!m.exists(&m.escrow(0)).await);
    assert_eq!(m.holding(&m.owner.pubkey()).await.unwrap().shares, 50);
    assert_eq!(m.offering(0).await.state, OfferingState::Succeeded);

    // Fee accounts passed anyway receive nothing.
    m.offer_without_fee(1, 100, USDC, 100).await;
    m.buy(&a, 1, 100).await.unwrap();
    m.close(1).await.unwrap();
    assert_eq!(m.balance(&m.owner_usdc).await, 550 * USDC);
    assert_eq!(m.balance(&m.fee_account).await, 0);
}
