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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_refund_account_does_not_strand_the_deposit() {
    let p = Pay::new().await;
    let session = p.open(&p.station, 1, DEPOSIT).await;
    // The customer empties and closes the account the deposit came from.
    let customer = p.customer.pubkey();
    let (_, parking) = p.usdc_wallet(0).await;
    let left = p.balance(&p.customer_usdc).await;
    let empty = token::transfer(&p.customer_usdc, &parking, &customer, left);
    let close = spl_close(&p.customer_usdc, &customer);
    p.send(&[empty, close], &[&p.customer]).await.unwrap();
    assert!(!p.exists(&p.customer_usdc).await);
    reach_deadline(&p, &session).await;
    p.advance(1).await;
    let keys = p.keys(&session).await;
    let before = p.snapshot(&session, &[]).await;

    // Refused without another account of the customer's, and with someone else's.
    assert_error(
        p.send(&[payments::reclaim(&session, &keys)], &[]).await,
        PaymentsError::WrongPayoutAccount,
    );
    let (_, strangers) = p.usdc_wallet(0).await;
    assert_error(
        p.send(
            &[payments::reclaim_to(&session, &keys, Some(strangers))],
            &[],
        )
        .await,
        PaymentsError::WrongPayoutAccount,
    );
    before.assert_unchanged(&p.m.env).await;

    // The client plans the customer's associated account instead.
    let (instructions, refunded_to) =
        payments::reclaim_instructions(p.cluster(), &p.payer(), &session)
            .await
            .unwrap();
    assert_eq!(refunded_to, token::associated_address(&customer, &p.m.usdc));
    p.send(&instructions, &[]).await.unwrap();
    assert_eq!(p.balance(&refunded_to).await, DEPOSIT);
    assert_eq!(p.balance(&strangers).await, 0);
    assert!(!p.exists(&session).await && !p.exists(&p.escrow(&session)).await);
}

/// SPL Token's close_account of an empty account, rent to its owner.
fn spl_close(
    account: &depin_client::Pubkey,
    owner: &depin_client::Pubkey,
) -> depin_client::Instruction {
    anchor_spl::token::spl_token::instruction::close_account(
        &token::TOKEN_PROGRAM_ID,
        account,
        owner,
        owner,
        &[],
    )
    .unwrap()
}
