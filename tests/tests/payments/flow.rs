use crate::fixture::*;
use depin_client::Signer;
use depin_tests::market::USDC;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_from_deposit_to_refund() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 1, DEPOSIT).await;
    assert_eq!(p.balance(&p.escrow(&session)).await, DEPOSIT);
    p.advance(HOUR).await;
    p.read(s, &session, 4_000, 1, false).await.unwrap();
    assert_eq!(p.balance(&s.payout).await, USDC - bps(USDC, 250));
    p.read(s, &session, 6_000, 2, true).await.unwrap();
    assert_eq!(
        p.balance(&p.customer_usdc).await,
        CUSTOMER_USDC - cost(6_000)
    );
    assert!(!p.exists(&session).await);
    let _ = p.customer.pubkey();
}
