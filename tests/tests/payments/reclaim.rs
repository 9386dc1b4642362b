//! reclaim: after its deadline anyone ends a session; whatever the device
//! did not settle goes back to the customer and both rents to their payer.

use depin_client::payments::{self, SessionKeys};
use depin_client::{token, Signer};
use depin_tests::market::USDC;
use depin_tests::*;

use crate::fixture::*;

/// Moves the clock to `session`'s deadline.
async fn reach_deadline(p: &Pay, session: &depin_client::Pubkey) {
    let deadline = p.session(session).await.deadline;
    let now = p.now().await;
    p.advance(deadline - now).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_reclaimed_before_the_deadline() {
    let p = Pay::new().await;
    let session = p.open(&p.station, 1, DEPOSIT).await;
    let before = p.snapshot(&session, &[]).await;
    assert_error(p.reclaim(&session).await, PaymentsError::SessionNotExpired);
    // Not even at the deadline itself (a reading may still settle then).
    reach_deadline(&p, &session).await;
    assert_error(p.reclaim(&session).await, PaymentsError::SessionNotExpired);
    before.assert_unchanged(&p.m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unused_session_is_refunded_in_full() {
    let p = Pay::new().await;
    let renter = p.m.env.wallet().await;
    let renter_before = p.lamports(&renter.pubkey()).await;
    let session = p.open_paid_by(&p.station, 1, DEPOSIT, &renter).await;
    assert!(p.lamports(&renter.pubkey()).await < renter_before);
    reach_deadline(&p, &session).await;
    p.advance(1).await;
    // Anyone sends it: only the cluster's payer signs.
    let ix = payments::reclaim(&session, &p.keys(&session).await);
    assert!(ix.accounts.iter().all(|meta| !meta.is_signer));
    p.send(&[ix], &[]).await.unwrap();
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC);
    assert!(!p.exists(&session).await);
    assert!(!p.exists(&p.escrow(&session)).await);
    assert_eq!(p.lamports(&renter.pubkey()).await, renter_before);
    assert_eq!(p.balance(&p.station.payout).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partly_settled_session_refunds_the_rest() {
    let p = Pay::new().await;
    let s = &p.station;
    let renter = p.m.env.wallet().await;
    let renter_before = p.lamports(&renter.pubkey()).await;
    let session = p.open_paid_by(s, 1, DEPOSIT, &renter).await;
    p.advance(HOUR).await;
    p.read(s, &session, 4_000, 1, false).await.unwrap();
    p.read(s, &session, 6_000, 2, false).await.unwrap();
    // Someone sends the escrow 1 USDC: it goes back with the rest.
    let (donor, donor_usdc) = p.usdc_wallet(USDC).await;
    let escrow = p.escrow(&session);
    let ix = token::transfer(&donor_usdc, &escrow, &donor.pubkey(), USDC);
    p.send(&[ix], &[&donor]).await.unwrap();
    reach_deadline(&p, &session).await;
    p.advance(1).await;
    p.reclaim(&session).await.unwrap();
    let charged = cost(6_000);
    assert_eq!(
        p.balance(&p.customer_usdc).await,
        CUSTOMER_USDC - charged + USDC
    );
    assert_eq!(
        p.balance(&s.payout).await + p.balance(&p.fee_account).await,
        charged
    );
    assert!(!p.exists(&session).await && !p.exists(&escrow).await);
    assert_eq!(p.lamports(&renter.pubkey()).await, renter_before);

    // Ended: no reclaim or reading again.
    let keys = SessionKeys {
        escrow,
        refund_account: p.customer_usdc,
        rent_payer: renter.pubkey(),
    };
    assert_error(
        p.send(&[payments::reclaim(&session, &keys)], &[]).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    // The client finds no session to sign a reading for.
    assert_fails(payments::reading_target(p.cluster(), &session).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refund_and_the_rents_go_only_where_the_session_says() {
    let p = Pay::new().await;
    let session = p.open(&p.station, 1, DEPOSIT).await;
    let other = p.open(&p.station, 2, DEPOSIT).await;
    reach_deadline(&p, &session).await;
    p.advance(1).await;
    let (thief, thiefs_usdc) = p.usdc_wallet(0).await;
    let keys = p.keys(&session).await;
    let before = p.snapshot(&session, &[other, thiefs_usdc]).await;
    for wrong in [
        SessionKeys {
            refund_account: thiefs_usdc,
            ..keys
        },
        SessionKeys {
            rent_payer: thief.pubkey(),
            ..keys
        },
        SessionKeys {
            escrow: p.escrow(&other),
            ..keys
        },
    ] {
        assert_error(
            p.send(&[payments::reclaim(&session, &wrong)], &[]).await,
            PaymentsError::WrongAccount,
        );
    }
    before.assert_unchanged(&p.m.env).await;
    p.reclaim(&session).await.unwrap();
    p.reclaim(&other).await.unwrap();
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC);
    assert_eq!(p.balance(&thiefs_usdc).await, 0);
}
