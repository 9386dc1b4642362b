//! configure_market (treasury role, fee ceiling, reconfiguration, the fee
//! an offering keeps) and set_allowlist (compliance role).

use depin_client::fractional::{self, OfferingState};
use depin_client::{Keypair, Signer};
use depin_fractional::errors::FractionalError;
use depin_fractional::state::MAX_FEE_BPS;
use depin_registry::state::permission;
use depin_tests::*;

use crate::fixture::{assert_requires_permission, snapshot, Market, FEE_BPS, USDC};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configure_market_requires_the_treasury_permission() {
    let m = Market::new().await;
    let before = snapshot(&m.env, &[m.market_address()]).await;
    let recipient = Keypair::new().pubkey();
    let network = m.env.network;
    let payer = m.env.payer();
    assert_requires_permission(
        &m.env,
        |authority| fractional::configure_market(&payer, authority, &network, 1_000, &recipient),
        permission::TREASURY,
    )
    .await;
    before.assert_unchanged(&m.env).await;
    let market = m.market_state().await;
    assert_eq!(
        (market.network, market.fee_bps, market.fee_recipient),
        (m.env.network, FEE_BPS, m.fee_recipient.pubkey())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn treasury_member_reconfigures_fee_and_recipient() {
    let m = Market::new().await;
    // As the fixture's admin configured it.
    let market = m.market_state().await;
    assert_eq!(
        (market.network, market.fee_bps, market.fee_recipient),
        (m.env.network, FEE_BPS, m.fee_recipient.pubkey())
    );
    let bump = market.bump;
    assert_eq!(
        bump,
        depin_fractional::pda::market(&m.env.network).1,
        "stored bump"
    );

    let treasury = m.env.member(permission::TREASURY).await;
    let recipient = Keypair::new().pubkey();
    let ix = fractional::configure_market(
        &m.env.payer(),
        &treasury.pubkey(),
        &m.env.network,
        MAX_FEE_BPS,
        &recipient,
    );
    m.env.send(&[ix], &[&treasury]).await.unwrap();
    let market = m.market_state().await;
    assert_eq!(
        (
            market.network,
            market.fee_bps,
            market.fee_recipient,
            market.bump
        ),
        (m.env.network, 1_000, recipient, bump)
    );

    // And back to no fee at all.
    let ix = fractional::configure_market(
        &m.env.payer(),
        &treasury.pubkey(),
        &m.env.network,
        0,
        &recipient,
    );
    m.env.send(&[ix], &[&treasury]).await.unwrap();
    assert_eq!(m.market_state().await.fee_bps, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_above_ten_percent_is_refused() {
    let m = Market::new().await;
    let before = snapshot(&m.env, &[m.market_address()]).await;
    let admin = m.env.admin.pubkey();
    let recipient = Keypair::new().pubkey();
    for fee_bps in [MAX_FEE_BPS + 1, 5_000, 10_000, u16::MAX] {
        let ix = fractional::configure_market(
            &m.env.payer(),
            &admin,
            &m.env.network,
            fee_bps,
            &recipient,
        );
        assert_error(
            m.env.send(&[ix], &[&m.env.admin]).await,
            FractionalError::FeeTooHigh,
        );
    }
    before.assert_unchanged(&m.env).await;

    // Exactly 10% is allowed.
    let ix = fractional::configure_market(
        &m.env.payer(),
        &admin,
        &m.env.network,
        MAX_FEE_BPS,
        &recipient,
    );
    m.env.send(&[ix], &[&m.env.admin]).await.unwrap();
    assert_eq!(m.market_state().await.fee_bps, MAX_FEE_BPS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_first_configuration_creates_no_market() {
    let env = Env::new().await;
    let market = fractional::market_address(&env.network);
    let admin = env.admin.pubkey();
    let ix = fractional::configure_market(&env.payer(), &admin, &env.network, 1_001, &admin);
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        FractionalError::FeeTooHigh,
    );
    assert!(!env.exists(&market).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offerings_keep_the_fee_they_opened_with() {
    let m = Market::new().await;
    m.offer(0, 400, 10 * USDC, 400, 0, false).await;
    let opened = snapshot(&m.env, &[m.keys.offering(0)]).await;
    assert_eq!(m.offering(0).await.fee_bps, FEE_BPS);

    // The treasury raises the fee to 10% and moves it to a new recipient.
    let recipient = m.env.wallet().await;
    let recipient_usdc = m.env.token_account(&m.usdc, &recipient.pubkey()).await;
    let ix = fractional::configure_market(
        &m.env.payer(),
        &m.env.admin.pubkey(),
        &m.env.network,
        MAX_FEE_BPS,
        &recipient.pubkey(),
    );
    m.env.send(&[ix], &[&m.env.admin]).await.unwrap();
    opened.assert_unchanged(&m.env).await;

    let buyer = m.investor(4_000 * USDC, false).await;
    m.buy(&buyer, 0, 400).await.unwrap();
    // The fee goes to the recipient of when the offering opened: the new
    // recipient's account is not its fee account.
    let ix = m.close_ix_with(0, &m.owner_usdc, Some(recipient_usdc));
    assert_error(
        m.env.send(&[ix], &[]).await,
        FractionalError::WrongFeeAccount,
    );
    m.close(0).await.unwrap();
    // 2.5% of 4,000 USDC, the fee the offering opened with, not 10%.
    assert_eq!(m.balance(&m.fee_account).await, 100 * USDC);
    assert_eq!(m.balance(&recipient_usdc).await, 0);
    assert_eq!(m.balance(&m.owner_usdc).await, 3_900 * USDC);
    let offering = m.offering(0).await;
    assert_eq!(
        (offering.state, offering.fee_bps, offering.raised),
        (OfferingState::Succeeded, FEE_BPS, 4_000 * USDC)
    );

    // An offering opened now carries the new fee and recipient.
    m.offer(1, 600, USDC, 0, 0, false).await;
    let next = m.offering(1).await;
    assert_eq!(
        (next.fee_bps, next.fee_recipient),
        (MAX_FEE_BPS, recipient.pubkey())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_allowlist_requires_the_compliance_permission() {
    let m = Market::new().await;
    let investor = Keypair::new().pubkey();
    let entry = m.allow_entry_address(&investor);
    let payer = m.env.payer();
    let network = m.env.network;
    assert_requires_permission(
        &m.env,
        |authority| fractional::set_allowlist(&payer, authority, &network, &investor, true),
        permission::COMPLIANCE,
    )
    .await;
    assert!(!m.env.exists(&entry).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliance_allows_then_disallows_an_investor() {
    let m = Market::new().await;
    m.offer(0, 500, USDC, 0, 0, true).await;
    let mut investor = m.investor(100 * USDC, false).await;
    investor.allowlisted = true;
    assert!(m.allow_entry(&investor.key()).await.is_none());

    m.allow(&investor.key(), true).await;
    let entry = m.allow_entry(&investor.key()).await.unwrap();
    assert_eq!(
        (entry.network, entry.investor, entry.allowed, entry.bump),
        (
            m.env.network,
            investor.key(),
            true,
            depin_fractional::pda::allow_entry(&m.env.network, &investor.key()).1
        )
    );
    m.buy(&investor, 0, 10).await.unwrap();

    m.allow(&investor.key(), false).await;
    let entry = m.allow_entry(&investor.key()).await.unwrap();
    assert_eq!((entry.investor, entry.allowed), (investor.key(), false));
    let before = m
        .snapshot(0, &[investor.usdc, m.purchase_address(0, &investor.key())])
        .await;
    assert_error(
        m.buy(&investor, 0, 10).await,
        FractionalError::NotAllowlisted,
    );
    before.assert_unchanged(&m.env).await;

    // Cleared again, it buys again.
    m.allow(&investor.key(), true).await;
    m.buy(&investor, 0, 5).await.unwrap();
    let purchase = m.purchase(0, &investor.key()).await.unwrap();
    assert_eq!((purchase.shares, purchase.paid), (15, 15 * USDC));
    assert_eq!(m.balance(&investor.usdc).await, 85 * USDC);
}
