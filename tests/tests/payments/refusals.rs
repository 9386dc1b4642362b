//! What settle refuses: readings the device did not sign for this session,
//! replays, readings that do not add units or add more than the device can
//! deliver, readings after the deadline or once the deposit is charged,
//! payout accounts that are not the payees', and a settle without the
//! Ed25519 check right before it. Each refusal leaves every account as it
//! was.

use depin_client::device_signer::{sign_reading, ReadingTarget};
use depin_client::payments::{self, MeterReading, SettlementAccounts};
use depin_client::{token, Instruction, Keypair, Pubkey, Signer};
use depin_registry::attestation::{ed25519_instruction_data, ED25519_PROGRAM_ID};
use depin_tests::market::USDC;
use depin_tests::*;

use crate::fixture::*;

/// The Ed25519 precompile's "invalid signature" (`PrecompileError` code).
const PRECOMPILE_INVALID_SIGNATURE: u32 = 2;

/// A session at the station (which has an operator) one hour in, with a
/// first reading settled.
async fn running() -> (Pay, Pubkey, Keypair) {
    let p = Pay::new().await;
    let operator = p.m.env.wallet().await;
    p.set_operator(&p.station, &operator.pubkey()).await;
    associated_account(&p.m, &operator.pubkey()).await;
    let session = p.open(&p.station, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    p.read(&p.station, &session, 1_000, 1, false).await.unwrap();
    (p, session, operator)
}

/// An Ed25519 check of `message` signed by `signer`.
fn ed25519(signer: &Keypair, message: &[u8]) -> Instruction {
    let signature = signer.sign_message(message);
    Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data: ed25519_instruction_data(&signer.pubkey().to_bytes(), signature.as_array(), message),
    }
}

fn reading(units: u64, sequence: u64, is_final: bool) -> MeterReading {
    MeterReading {
        units,
        sequence,
        is_final,
    }
}

/// Asserts that `result` failed with `error` and nothing moved.
async fn refused<T: std::fmt::Debug>(
    p: &Pay,
    before: &Snapshot,
    result: Result<T, depin_client::ClientError>,
    error: PaymentsError,
) {
    assert_error(result, error);
    before.assert_unchanged(&p.m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reading_signed_by_another_key_is_refused() {
    let (p, session, operator) = running().await;
    let s = &p.station;
    let before = p.snapshot(&session, &[]).await;
    let accounts = p.accounts(&session).await;
    let signed = p.sign(s, &session, 2_000, 2, false).await;
    let [_, settle] = payments::settle_instructions(&accounts, &signed);
    // A valid Ed25519 proof over the right message, by another key: an
    // impostor's, the owner's, the operator's, the other battery's.
    for impostor in [&Keypair::new(), &s.controller, &operator, &p.battery.key] {
        let forged = [ed25519(impostor, &signed.message()), settle.clone()];
        refused(
            &p,
            &before,
            p.send(&forged, &[]).await,
            PaymentsError::ReadingSignerMismatch,
        )
        .await;
    }
    // The device's key named, an impostor's signature: the precompile fails.
    let impostor = Keypair::new();
    let mut forged = signed;
    forged.signature = impostor.sign_message(&signed.message());
    assert!(!forged.verify());
    assert_instruction_error(
        p.settle_with(&accounts, &forged).await,
        0,
        InstructionError::Custom(PRECOMPILE_INVALID_SIGNATURE),
    );
    before.assert_unchanged(&p.m.env).await;
    // The device key signed someone else's reading (what `sign_reading`
    // warns about): a key other than the target's.
    let by_owner = sign_reading(&signed.target, signed.reading, &s.controller);
    assert!(!by_owner.verify());
    assert_fails(p.settle_with(&accounts, &by_owner).await);
    before.assert_unchanged(&p.m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signed_message_must_be_this_reading_of_this_session() {
    let (p, session, _) = running().await;
    let s = &p.station;
    // The customer's second session at the same device.
    let other_session = p.open(s, 2, DEPOSIT).await;
    p.advance(60).await;
    let before = p.snapshot(&session, &[other_session]).await;
    let accounts = p.accounts(&session).await;
    let target = p.target(&session).await;
    let wrong_targets = [
        // Another session of the same device and customer.
        p.target(&other_session).await,
        // Another device (the tokenized battery) named in the message.
        ReadingTarget {
            device: p.battery.device,
            ..target
        },
        // Another registration of the device.
        ReadingTarget {
            registration: target.registration + 1,
            ..target
        },
        // Another opening of a session at this address.
        ReadingTarget {
            opened_at: target.opened_at - 1,
            ..target
        },
    ];
    for wrong in wrong_targets {
        // A real signature by the device's key, settled on this session.
        let signed = sign_reading(&wrong, reading(2_000, 2, false), &s.key);
        assert!(signed.verify());
        refused(
            &p,
            &before,
            p.settle_with(&accounts, &signed).await,
            PaymentsError::ReadingMessageMismatch,
        )
        .await;
    }
    // Signed one reading, claimed another (more units, final, later sequence).
    let signed = p.sign(s, &session, 2_000, 2, false).await;
    let [check, _] = payments::settle_instructions(&accounts, &signed);
    for claimed in [
        reading(3_000, 2, false),
        reading(2_000, 2, true),
        reading(2_000, 3, false),
    ] {
        let claim = sign_reading(&target, claimed, &s.key);
        let [_, settle] = payments::settle_instructions(&accounts, &claim);
        refused(
            &p,
            &before,
            p.send(&[check.clone(), settle], &[]).await,
            PaymentsError::ReadingMessageMismatch,
        )
        .await;
    }
    // The station's key signing for the tokenized battery's session.
    let battery_session = p.open(&p.battery, 1, DEPOSIT).await;
    p.advance(60).await;
    let target = ReadingTarget {
        device_key: s.key.pubkey(),
        ..p.target(&battery_session).await
    };
    let signed = sign_reading(&target, reading(10, 1, false), &s.key);
    let battery_before = p.snapshot(&battery_session, &[]).await;
    refused(
        &p,
        &battery_before,
        p.settle(&signed).await,
        PaymentsError::ReadingSignerMismatch,
    )
    .await;
    // The right reading then settles.
    p.read(s, &session, 2_000, 2, false).await.unwrap();
    assert_eq!(p.session(&session).await.units, 2_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reading_settles_once() {
    let (p, session, _) = running().await;
    let s = &p.station;
    let signed = p.sign(s, &session, 2_000, 2, false).await;
    let accounts = p.accounts(&session).await;
    p.settle_with(&accounts, &signed).await.unwrap();
    let paid = p.balance(&s.payout).await;
    let before = p.snapshot(&session, &[]).await;
    // The same instructions again (a new transaction, fresh blockhash).
    refused(
        &p,
        &before,
        p.settle_with(&accounts, &signed).await,
        PaymentsError::ReadingReplayed,
    )
    .await;
    // The same or a lower sequence with more units.
    for sequence in [2, 1, 0] {
        refused(
            &p,
            &before,
            p.read(s, &session, 3_000, sequence, false).await,
            PaymentsError::ReadingReplayed,
        )
        .await;
    }
    // Nor may a final reading reuse a sequence.
    refused(
        &p,
        &before,
        p.read(s, &session, 3_000, 2, true).await,
        PaymentsError::ReadingReplayed,
    )
    .await;
    assert_eq!(p.balance(&s.payout).await, paid);
    let stored = p.session(&session).await;
    assert_eq!((stored.units, stored.sequence), (2_000, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_reading_needs_a_sequence_above_zero() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    let before = p.snapshot(&session, &[]).await;
    refused(
        &p,
        &before,
        p.read(s, &session, 100, 0, false).await,
        PaymentsError::ReadingReplayed,
    )
    .await;
    p.read(s, &session, 100, 1, false).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readings_must_add_units() {
    let (p, session, _) = running().await;
    let s = &p.station;
    let before = p.snapshot(&session, &[]).await;
    for (units, is_final) in [(1_000, false), (999, false), (0, false), (999, true)] {
        refused(
            &p,
            &before,
            p.read(s, &session, units, 2, is_final).await,
            PaymentsError::ReadingNotIncreasing,
        )
        .await;
    }
    // A final reading may repeat the last units.
    p.read(s, &session, 1_000, 2, true).await.unwrap();
    assert!(!p.exists(&session).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_the_device_can_deliver_is_refused() {
    let p = Pay::new().await;
    let s = &p.station;
    // A deposit large enough for any reading here.
    let session = p.open(s, 1, 50 * USDC).await;
    let before = p.snapshot(&session, &[]).await;
    // Nothing can have flowed at the moment of opening.
    refused(
        &p,
        &before,
        p.read(s, &session, 1, 1, false).await,
        PaymentsError::ImplausibleReading,
    )
    .await;
    // One hour: 1.35 x 13,500 Wh = 18,225 Wh at most.
    p.advance(HOUR).await;
    assert_eq!(max_wh(HOUR), 18_225);
    refused(
        &p,
        &before,
        p.read(s, &session, 18_226, 1, false).await,
        PaymentsError::ImplausibleReading,
    )
    .await;
    refused(
        &p,
        &before,
        p.read(s, &session, 18_226, 1, true).await,
        PaymentsError::ImplausibleReading,
    )
    .await;
    p.read(s, &session, 18_225, 1, false).await.unwrap();
    // The bound grows with the session's age, not since the last reading.
    p.advance(HOUR).await;
    refused(
        &p,
        &p.snapshot(&session, &[]).await,
        p.read(s, &session, max_wh(2 * HOUR) + 1, 2, false).await,
        PaymentsError::ImplausibleReading,
    )
    .await;
    p.read(s, &session, max_wh(2 * HOUR), 2, false)
        .await
        .unwrap();
    assert_eq!(p.session(&session).await.settled, cost(36_450));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_settles_after_the_deadline() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 1, DEPOSIT).await;
    let deadline = p.session(&session).await.deadline;
    let now = p.now().await;
    // At the deadline a reading still settles.
    p.advance(deadline - now).await;
    p.read(s, &session, 4_000, 1, false).await.unwrap();
    p.advance(1).await;
    let before = p.snapshot(&session, &[]).await;
    refused(
        &p,
        &before,
        p.read(s, &session, 5_000, 2, false).await,
        PaymentsError::SessionExpired,
    )
    .await;
    refused(
        &p,
        &before,
        p.read(s, &session, 5_000, 2, true).await,
        PaymentsError::SessionExpired,
    )
    .await;
    // Only a reclaim ends it now.
    p.reclaim(&session).await.unwrap();
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC - USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payouts_go_only_to_the_payees_accounts() {
    let (p, session, operator) = running().await;
    let s = &p.station;
    let operator_usdc = token::associated_address(&operator.pubkey(), &p.m.usdc);
    let (_, strangers_usdc) = p.usdc_wallet(0).await;
    let eur = p.m.env.mint().await;
    let operators_eur = p.m.env.token_account(&eur, &operator.pubkey()).await;
    let hosts_eur = p.m.env.token_account(&eur, &s.controller.pubkey()).await;
    let before = p.snapshot(&session, &[operator_usdc, strangers_usdc]).await;
    let signed = p.sign(s, &session, 2_000, 2, false).await;
    let good = p.accounts(&session).await;
    let cases: Vec<(SettlementAccounts, PaymentsError)> = vec![
        (
            SettlementAccounts {
                operator_account: Some(strangers_usdc),
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                operator_account: Some(operators_eur),
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                operator_account: Some(s.payout),
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                operator_account: None,
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                machine_account: Some(strangers_usdc),
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                machine_account: Some(hosts_eur),
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                machine_account: Some(operator_usdc),
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                // The host's wallet itself, not a token account.
                machine_account: Some(s.controller.pubkey()),
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                machine_account: None,
                ..good
            },
            PaymentsError::WrongPayoutAccount,
        ),
        (
            SettlementAccounts {
                fee_account: Some(strangers_usdc),
                ..good
            },
            PaymentsError::WrongFeeAccount,
        ),
        (
            SettlementAccounts {
                fee_account: Some(p.m.fee_account),
                ..good
            },
            PaymentsError::WrongFeeAccount,
        ),
        (
            SettlementAccounts {
                fee_account: None,
                ..good
            },
            PaymentsError::WrongFeeAccount,
        ),
    ];
    for (accounts, error) in cases {
        refused(&p, &before, p.settle_with(&accounts, &signed).await, error).await;
    }
    p.settle_with(&good, &signed).await.unwrap();
    assert_eq!(
        p.balance(&operator_usdc).await,
        2 * bps(cost(1_000), CUT_BPS)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_device_and_pool_accounts_must_be_the_sessions() {
    let (p, session, _) = running().await;
    let s = &p.station;
    let other_session = p.open(s, 2, DEPOSIT).await;
    let stranger = p.m.env.wallet().await;
    let before = p.snapshot(&session, &[other_session]).await;
    let signed = p.sign(s, &session, 2_000, 2, false).await;
    let good = p.accounts(&session).await;
    let other_keys = p.keys(&other_session).await;
    let t = p.new_station().await;
    let cases = [
        SettlementAccounts {
            stored: payments::SessionKeys {
                escrow: other_keys.escrow,
                ..good.stored
            },
            ..good
        },
        SettlementAccounts {
            stored: payments::SessionKeys {
                refund_account: p.fee_account,
                ..good.stored
            },
            ..good
        },
        SettlementAccounts {
            stored: payments::SessionKeys {
                rent_payer: stranger.pubkey(),
                ..good.stored
            },
            ..good
        },
        SettlementAccounts {
            device: t.device,
            device_owner: t.owner_account,
            ..good
        },
        SettlementAccounts {
            device_owner: stranger.pubkey(),
            ..good
        },
    ];
    for accounts in cases {
        refused(
            &p,
            &before,
            p.settle_with(&accounts, &signed).await,
            PaymentsError::WrongAccount,
        )
        .await;
    }
    p.settle_with(&good, &signed).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokenized_batterys_pool_must_be_its_own() {
    let p = Pay::new().await;
    let b = &p.battery;
    p.holders().await;
    // A second asset of the manager, with earning shares of its own.
    let other = p.m.second_asset().await;
    let buyer = p.m.investor(1_000 * USDC, false).await;
    let ix = depin_client::fractional::buy(
        &buyer.key(),
        &other,
        0,
        &p.m.env.network,
        false,
        &buyer.usdc,
        10,
    );
    p.send(&[ix], &[&buyer.wallet]).await.unwrap();
    let session = p.open(b, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    let signed = p.sign(b, &session, 4_000, 1, false).await;
    let good = p.accounts(&session).await;
    let before = p
        .snapshot(&session, &[other.revenue_pool, other.revenue_vault])
        .await;
    refused(
        &p,
        &before,
        p.settle_with(
            &SettlementAccounts {
                revenue: Some((other.revenue_pool, other.revenue_vault)),
                ..good
            },
            &signed,
        )
        .await,
        PaymentsError::WrongAccount,
    )
    .await;
    refused(
        &p,
        &before,
        p.settle_with(
            &SettlementAccounts {
                revenue: None,
                machine_account: Some(b.payout),
                ..good
            },
            &signed,
        )
        .await,
        PaymentsError::WrongAccount,
    )
    .await;
    // The right pool with another pool's vault: the revenue program refuses.
    assert_fails(
        p.settle_with(
            &SettlementAccounts {
                revenue: Some((p.m.keys.revenue_pool, other.revenue_vault)),
                ..good
            },
            &signed,
        )
        .await,
    );
    before.assert_unchanged(&p.m.env).await;
    p.settle_with(&good, &signed).await.unwrap();
    assert_eq!(p.m.pool().await.total_deposited, 975_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settle_needs_the_ed25519_check_right_before_it() {
    let (p, session, _) = running().await;
    let s = &p.station;
    let before = p.snapshot(&session, &[]).await;
    let signed = p.sign(s, &session, 2_000, 2, false).await;
    let accounts = p.accounts(&session).await;
    let [check, settle] = payments::settle_instructions(&accounts, &signed);
    let unrelated = token::transfer(&p.customer_usdc, &p.customer_usdc, &p.customer.pubkey(), 0);
    refused(
        &p,
        &before,
        p.send(std::slice::from_ref(&settle), &[]).await,
        PaymentsError::MissingEd25519Instruction,
    )
    .await;
    // Something else right before it, the check earlier or after.
    let customer: &[&Keypair] = &[&p.customer];
    for (ixs, signers) in [
        (vec![unrelated.clone(), settle.clone()], customer),
        (
            vec![check.clone(), unrelated.clone(), settle.clone()],
            customer,
        ),
        (vec![settle.clone(), check.clone()], &[]),
    ] {
        refused(
            &p,
            &before,
            p.send(&ixs, signers).await,
            PaymentsError::MissingEd25519Instruction,
        )
        .await;
    }
    p.send(&[check, settle], &[]).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_re_registered_device_no_longer_settles_older_sessions() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    let old = p.sign(s, &session, 1_000, 1, false).await;
    p.reregister(s).await;
    let before = p.snapshot(&session, &[]).await;
    refused(
        &p,
        &before,
        p.settle(&old).await,
        PaymentsError::RegistrationChanged,
    )
    .await;
    // Signed against the new registration: still not this session's device.
    let fresh = ReadingTarget {
        registration: p.registration(s).await,
        ..old.target
    };
    let signed = sign_reading(&fresh, old.reading, &s.key);
    refused(
        &p,
        &before,
        p.settle(&signed).await,
        PaymentsError::RegistrationChanged,
    )
    .await;
    // The customer gets everything back after the deadline.
    p.advance(i64::from(SESSION_SECS)).await;
    p.reclaim(&session).await.unwrap();
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC);
}

/// A session id may be used again once its session ended (the account is
/// closed, so the address is free): the readings the device signed for the
/// ended session must not charge the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reading_of_an_ended_session_does_not_charge_its_successor() {
    let p = Pay::new().await;
    let s = &p.station;
    let first = p.open(s, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    let old = p.sign(s, &first, 4_000, 1, false).await;
    p.settle(&old).await.unwrap();
    p.read(s, &first, 4_000, 2, true).await.unwrap();
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC - USDC);

    // The same id again: the same session address.
    let second = p.open(s, 1, DEPOSIT).await;
    assert_eq!(second, first);
    p.advance(HOUR).await;
    let before = p.snapshot(&second, &[]).await;
    refused(
        &p,
        &before,
        p.settle(&old).await,
        PaymentsError::ReadingMessageMismatch,
    )
    .await;
    // Its own readings settle.
    p.read(s, &second, 4_000, 1, true).await.unwrap();
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC - 2 * USDC);
}
