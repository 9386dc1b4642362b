use depin_client::fractional::{self, OfferingState};
use depin_client::{revenue, token, Signer};

use crate::fixture::{Market, USDC};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokenize_sell_earn_trade_earn() {
    let m = Market::new().await;
    // 800 of 1,000 shares at 10 USDC, soft cap 500, at most 400 each, allowlist on.
    m.offer(0, 800, 10 * USDC, 500, 400, true).await;
    let a = m.investor(4_000 * USDC, true).await;
    let b = m.investor(4_000 * USDC, true).await;
    let c = m.investor(4_000 * USDC, true).await;
    m.buy(&a, 0, 300).await.unwrap();
    m.buy(&b, 0, 200).await.unwrap();
    m.buy(&c, 0, 100).await.unwrap();
    assert_eq!(
        m.balance(&depin_fractional::pda::escrow(&m.keys.offering(0)).0)
            .await,
        6_000 * USDC
    );

    // Deadline passes: 600 sold >= soft cap 500: success.
    m.env.cluster.advance_clock(7 * 86_400).await.unwrap();
    let parties = fractional::parties(&m.env.cluster, &m.keys, 0)
        .await
        .unwrap();
    let ix = fractional::close_offering(
        &m.env.payer(),
        &m.env.network,
        &m.keys,
        0,
        &parties,
        &m.owner_usdc,
        Some(m.fee_account),
    );
    m.env.send(&[ix], &[]).await.unwrap();
    let offering = fractional::offering(&m.env.cluster, &m.keys, 0)
        .await
        .unwrap();
    assert_eq!(offering.state, OfferingState::Succeeded);
    assert_eq!(m.balance(&m.fee_account).await, 150 * USDC); // 2.5% of 6,000
    assert_eq!(m.balance(&m.owner_usdc).await, 5_850 * USDC);
    // The 200 unsold shares are retained by the owner, earning.
    assert_eq!(
        revenue::position(&m.env.cluster, &m.keys.share_mint, &m.owner.pubkey())
            .await
            .unwrap()
            .0,
        200
    );
    let asset = fractional::asset(&m.env.cluster, &m.keys).await.unwrap();
    assert_eq!(
        (asset.issued, asset.reserved, asset.open_offering),
        (800, 0, false)
    );
    // The crank delivers the three purchases to the buyers' holdings.
    let deliveries: Vec<_> = [&a, &b, &c]
        .iter()
        .map(|buyer| {
            fractional::deliver_purchase(&m.env.payer(), &m.keys, 0, &buyer.key(), &parties)
        })
        .collect();
    m.env.send(&deliveries, &[]).await.unwrap();
    assert!(m.offering_record(0).await.is_none());
    assert_eq!(
        token::mint_supply(&m.env.cluster, &m.keys.share_mint)
            .await
            .unwrap(),
        800
    );

    // A month of revenue: 800 USDC over 800 earning shares.
    let operator_usdc = m.investor(10_000 * USDC, false).await;
    let ix = revenue::deposit_revenue(
        &operator_usdc.wallet.pubkey(),
        &m.keys.share_mint,
        &operator_usdc.usdc,
        800 * USDC,
    );
    m.env.send(&[ix], &[&operator_usdc.wallet]).await.unwrap();
    let ix = revenue::claim_revenue(&a.wallet.pubkey(), &m.keys.share_mint, &a.usdc);
    m.env.send(&[ix], &[&a.wallet]).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await, 1_000 * USDC + 300 * USDC);

    // a sells 100 shares to c: withdraw, SPL transfer, c deposits.
    let ix = revenue::withdraw_shares(&a.wallet.pubkey(), &m.keys.share_mint, &a.shares, 100);
    m.env.send(&[ix], &[&a.wallet]).await.unwrap();
    let ix = anchor_spl::token::spl_token::instruction::transfer(
        &token::TOKEN_PROGRAM_ID,
        &a.shares,
        &c.shares,
        &a.wallet.pubkey(),
        &[],
        100,
    )
    .unwrap();
    m.env.send(&[ix], &[&a.wallet]).await.unwrap();
    let ix = revenue::deposit_shares(
        &m.env.payer(),
        &c.wallet.pubkey(),
        &m.keys.share_mint,
        &c.shares,
        100,
    );
    m.env.send(&[ix], &[&c.wallet]).await.unwrap();

    // Another month: a has 200, c has 200 earning.
    let ix = revenue::deposit_revenue(
        &operator_usdc.wallet.pubkey(),
        &m.keys.share_mint,
        &operator_usdc.usdc,
        800 * USDC,
    );
    m.env.send(&[ix], &[&operator_usdc.wallet]).await.unwrap();
    let (a_shares, a_claimable) =
        revenue::position(&m.env.cluster, &m.keys.share_mint, &a.wallet.pubkey())
            .await
            .unwrap();
    let (c_shares, c_claimable) =
        revenue::position(&m.env.cluster, &m.keys.share_mint, &c.wallet.pubkey())
            .await
            .unwrap();
    assert_eq!((a_shares, a_claimable), (200, 200 * USDC));
    // c: 100 USDC from month 1 (100 shares) + 200 from month 2.
    assert_eq!((c_shares, c_claimable), (200, 300 * USDC));
    let pool = revenue::pool(&m.env.cluster, &m.keys.share_mint)
        .await
        .unwrap();
    assert_eq!(
        (pool.total_deposited, pool.total_claimed),
        (1_600 * USDC, 300 * USDC)
    );
}
