//! open_session: the deposit moves into the session's escrow and the
//! session keeps the terms and the market fee of the moment it opened.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::payments::{self, MeterUnit, Session};
use depin_client::{fetch, token, Pubkey, Signer};
use depin_tests::market::FEE_BPS;
use depin_tests::*;

use crate::fixture::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_moves_the_deposit_into_escrow_and_keeps_the_terms() {
    let p = Pay::new().await;
    let s = &p.station;
    let payer_before = p.lamports(&p.payer()).await;
    assert!(!p.exists(&p.fee_account).await);
    let session = p.open(s, 42, DEPOSIT).await;
    let now = p.now().await;
    assert_eq!(session, p.session_address(s, 42));
    let escrow = p.escrow(&session);
    assert_eq!(p.balance(&escrow).await, DEPOSIT);
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC - DEPOSIT);
    // The escrow is a USDC account the session controls.
    let escrow_account = token::token_account_info(p.cluster(), &escrow)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (escrow_account.mint, escrow_account.owner),
        (p.m.usdc, session)
    );
    // The client created the fee recipient's account the session records.
    assert!(p.exists(&p.fee_account).await);

    let stored = p.session(&session).await;
    let expected = Session {
        device: s.device,
        customer: p.customer.pubkey(),
        id: 42,
        registration: p.registration(s).await,
        payment_mint: p.m.usdc,
        escrow,
        refund_account: p.customer_usdc,
        fee_account: p.fee_account,
        rent_payer: p.payer(),
        unit: MeterUnit::WattHour,
        price_per_unit: PRICE,
        fee_bps: FEE_BPS,
        operator_cut_bps: CUT_BPS,
        deposit: DEPOSIT,
        settled: 0,
        units: 0,
        sequence: 0,
        opened_at: now,
        deadline: now + i64::from(SESSION_SECS),
        bump: depin_client::depin_payments::pda::session(&s.device, &p.customer.pubkey(), 42).1,
        escrow_bump: depin_client::depin_payments::pda::escrow(&session).1,
    };
    assert_eq!(format!("{stored:?}"), format!("{expected:?}"));
    // The payer paid both rents.
    let rents = p.lamports(&session).await + p.lamports(&escrow).await;
    assert!(payer_before - p.lamports(&p.payer()).await >= rents);

    // The same customer opens a second session (another id) at once.
    let second = p.open(s, 43, MIN_DEPOSIT).await;
    assert_eq!(p.balance(&p.escrow(&second)).await, MIN_DEPOSIT);
    assert_eq!(p.balance(&escrow).await, DEPOSIT);
    assert!(
        payments::sessions_of(p.cluster(), &p.customer.pubkey())
            .await
            .is_err(),
        "the in-process bank cannot list sessions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_market_fee_is_kept_as_it_was_at_opening() {
    let p = Pay::new().await;
    let s = &p.station;
    p.set_market_fee(0).await;
    let free = p.open(s, 1, DEPOSIT).await;
    let stored = p.session(&free).await;
    assert_eq!((stored.fee_bps, stored.fee_account), (0, Pubkey::default()));
    // Built by hand without a fee account: accepted while there is no fee.
    let ix = p.open_ix(s, 2, DEPOSIT, None);
    p.send(&[ix], &[&p.customer]).await.unwrap();
    assert_eq!(p.session(&p.session_address(s, 2)).await.fee_bps, 0);

    p.set_market_fee(1_000).await;
    let charged = p.open(s, 3, DEPOSIT).await;
    let stored = p.session(&charged).await;
    assert_eq!((stored.fee_bps, stored.fee_account), (1_000, p.fee_account));

    // The fee rises after opening: each session pays its own.
    p.set_market_fee(250).await;
    p.advance(HOUR).await;
    for session in [free, charged] {
        p.read(s, &session, 4_000, 1, false).await.unwrap();
    }
    assert_eq!(p.balance(&p.fee_account).await, bps(cost(4_000), 1_000));
    assert_eq!(
        p.balance(&s.payout).await,
        cost(4_000) + cost(4_000) - bps(cost(4_000), 1_000)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_without_market_settings_charges_no_fee() {
    let p = Pay::new().await;
    let other = p.m.env.other_network().await;
    let maker = p.m.env.maker_in(&other.network, &other.admin, 5).await;
    let host = p.m.env.wallet().await;
    let key =
        p.m.env
            .device_in(&other.network, &maker, &host.pubkey())
            .await;
    let device = depin_registry::pda::device(&other.network, &key.pubkey()).0;
    let ix = payments::set_tariff(
        &p.payer(),
        &host.pubkey(),
        &other.network,
        &device,
        &host.pubkey(),
        &p.m.usdc,
        terms(),
    );
    p.send(&[ix], &[&host]).await.unwrap();
    let plan = payments::open_session_instructions(
        p.cluster(),
        &p.payer(),
        &p.customer.pubkey(),
        &device,
        payments::OpenSessionArgs {
            id: 1,
            deposit: DEPOSIT,
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(plan.opening.fee_account, None);
    p.send(&plan.instructions, &[&p.customer]).await.unwrap();
    let stored = p.session(&plan.session).await;
    assert_eq!((stored.fee_bps, stored.fee_account), (0, Pubkey::default()));
    assert_eq!(p.balance(&p.escrow(&plan.session)).await, DEPOSIT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_market_fee_needs_the_recipients_account() {
    let p = Pay::new().await;
    let s = &p.station;
    // Create the recipient's account first (the client would).
    associated_account(&p.m, &p.m.fee_recipient.pubkey()).await;
    let stranger = p.m.env.wallet().await;
    let strangers_usdc = associated_account(&p.m, &stranger.pubkey()).await;
    let recipients_eur = {
        let eur = p.m.env.mint().await;
        p.m.env
            .token_account(&eur, &p.m.fee_recipient.pubkey())
            .await
    };
    let before = snapshot(&p.m.env, &[p.customer_usdc, p.session_address(s, 1)]).await;
    for fee in [
        None,
        Some(strangers_usdc),
        Some(recipients_eur),
        Some(p.customer_usdc),
        // Not a token account at all: the recipient's wallet.
        Some(p.m.fee_recipient.pubkey()),
    ] {
        let ix = p.open_ix(s, 1, DEPOSIT, fee);
        assert_error(
            p.send(&[ix], &[&p.customer]).await,
            PaymentsError::WrongFeeAccount,
        );
    }
    before.assert_unchanged(&p.m.env).await;
    // The recipient's other USDC account (not its associated one) is fine.
    let other_account = p.m.fee_account;
    let ix = p.open_ix(s, 1, DEPOSIT, Some(other_account));
    p.send(&[ix], &[&p.customer]).await.unwrap();
    assert_eq!(
        p.session(&p.session_address(s, 1)).await.fee_account,
        other_account
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_market_account_cannot_be_left_out() {
    let p = Pay::new().await;
    let s = &p.station;
    // Another network's (feeless) market address in place of this one's.
    let other = p.m.env.other_network().await;
    let ix = substitute(
        p.open_ix(s, 1, DEPOSIT, None),
        &depin_client::fractional::market_address(&p.m.env.network),
        &depin_client::fractional::market_address(&other.network),
    );
    assert_error(
        p.send(&[ix], &[&p.customer]).await,
        AnchorError::ConstraintSeeds,
    );
    assert!(!p.exists(&p.session_address(s, 1)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deposit_must_reach_the_minimum() {
    let p = Pay::new().await;
    let s = &p.station;
    let before = snapshot(&p.m.env, &[p.customer_usdc, p.session_address(s, 1)]).await;
    assert_error(
        p.try_open(s, 1, MIN_DEPOSIT - 1).await,
        PaymentsError::DepositTooSmall,
    );
    assert_error(p.try_open(s, 1, 0).await, PaymentsError::DepositTooSmall);
    before.assert_unchanged(&p.m.env).await;
    p.open(s, 1, MIN_DEPOSIT).await;
    assert_eq!(
        p.balance(&p.escrow(&p.session_address(s, 1))).await,
        MIN_DEPOSIT
    );
    // More than the customer holds: the token program refuses.
    assert_fails(p.try_open(s, 2, CUSTOMER_USDC).await);
    assert!(!p.exists(&p.session_address(s, 2)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_open_only_at_active_devices_of_unpaused_networks() {
    let p = Pay::new().await;
    let s = &p.station;
    let before = snapshot(&p.m.env, &[p.customer_usdc, p.session_address(s, 1)]).await;
    p.suspend(s).await;
    assert_error(
        p.try_open(s, 1, DEPOSIT).await,
        PaymentsError::DeviceNotActive,
    );
    p.resume(s).await;
    p.m.env.set_paused(true).await;
    assert_error(
        p.try_open(s, 1, DEPOSIT).await,
        PaymentsError::NetworkPaused,
    );
    p.m.env.set_paused(false).await;
    p.retire(s).await;
    assert_error(
        p.try_open(s, 1, DEPOSIT).await,
        PaymentsError::DeviceNotActive,
    );
    before.assert_unchanged(&p.m.env).await;
    // The tokenized battery opens normally.
    let b = &p.battery;
    let session = p.open(b, 1, DEPOSIT).await;
    assert_eq!(p.balance(&p.escrow(&session)).await, DEPOSIT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tariff_from_before_a_re_registration_is_stale() {
    let p = Pay::new().await;
    let s = &p.station;
    let registration = p.registration(s).await;
    p.reregister(s).await;
    assert!(p.registration(s).await > registration);
    assert_eq!(p.tariff(s).await.registration, registration);
    let before = snapshot(&p.m.env, &[p.customer_usdc, p.session_address(s, 1)]).await;
    assert_error(p.try_open(s, 1, DEPOSIT).await, PaymentsError::StaleTariff);
    before.assert_unchanged(&p.m.env).await;
    // The owner sets the tariff again for the new registration.
    p.set_tariff(s, terms()).await.unwrap();
    assert_eq!(p.tariff(s).await.registration, p.registration(s).await);
    let session = p.open(s, 1, DEPOSIT).await;
    assert_eq!(
        p.session(&session).await.registration,
        p.registration(s).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_id_in_use_cannot_open_again() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 7, DEPOSIT).await;
    let before = p.snapshot(&session, &[]).await;
    assert_already_in_use(p.try_open(s, 7, MIN_DEPOSIT).await);
    before.assert_unchanged(&p.m.env).await;
    assert_eq!(p.session(&session).await.deposit, DEPOSIT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_signs_and_pays_from_its_own_account() {
    let p = Pay::new().await;
    let s = &p.station;
    let ix = p.open_ix(s, 1, DEPOSIT, Some(p.fee_account));
    // Create the fee account the hand-built opening names.
    associated_account(&p.m, &p.m.fee_recipient.pubkey()).await;
    assert_requires_signature(&p.m.env, ix, &p.customer.pubkey()).await;

    // A thief opens a session paid from the customer's account.
    let thief = p.m.env.wallet().await;
    let mut opening = p.opening(s, Some(p.fee_account));
    opening.customer = thief.pubkey();
    let ix = payments::open_session(
        &opening,
        payments::OpenSessionArgs {
            id: 1,
            deposit: DEPOSIT,
        },
    );
    assert_fails(p.send(&[ix], &[&thief]).await);
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC);

    // Another device's tariff (other price) for this device.
    let t = p.new_station().await;
    p.set_tariff(
        &t,
        depin_client::payments::TariffTerms {
            price_per_unit: 1,
            ..terms()
        },
    )
    .await
    .unwrap();
    let ix = substitute(
        p.open_ix(s, 1, DEPOSIT, Some(p.fee_account)),
        &payments::tariff_address(&s.device),
        &payments::tariff_address(&t.device),
    );
    assert_error(
        p.send(&[ix], &[&p.customer]).await,
        PaymentsError::WrongAccount,
    );
    // A mint other than the tariff's.
    let eur = p.m.env.mint().await;
    let mut opening = p.opening(s, Some(p.fee_account));
    opening.payment_mint = eur;
    let ix = payments::open_session(
        &opening,
        payments::OpenSessionArgs {
            id: 1,
            deposit: DEPOSIT,
        },
    );
    assert_error(
        p.send(&[ix], &[&p.customer]).await,
        PaymentsError::WrongAccount,
    );
    assert!(!p.exists(&p.session_address(s, 1)).await);
    let tariff: depin_client::payments::Tariff =
        fetch(p.cluster(), &payments::tariff_address(&s.device))
            .await
            .unwrap();
    assert_eq!(tariff.price_per_unit, PRICE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tariff_set_by_a_former_owner_is_stale() {
    let p = Pay::new().await;
    let s = &p.station;
    let buyer = p.m.env.wallet().await;
    let ix = depin_client::registry::transfer_device(
        &s.controller.pubkey(),
        &p.m.env.network,
        &s.key.pubkey(),
        &buyer.pubkey(),
    );
    p.send(&[ix], &[&s.controller]).await.unwrap();
    let before = snapshot(&p.m.env, &[p.customer_usdc, p.session_address(s, 1)]).await;
    assert_error(p.try_open(s, 1, DEPOSIT).await, PaymentsError::StaleTariff);
    before.assert_unchanged(&p.m.env).await;
    // The new owner sets its own terms.
    let ix = payments::set_tariff(
        &p.payer(),
        &buyer.pubkey(),
        &p.m.env.network,
        &s.device,
        &buyer.pubkey(),
        &p.m.usdc,
        terms(),
    );
    p.send(&[ix], &[&buyer]).await.unwrap();
    assert_eq!(p.tariff(s).await.owner, buyer.pubkey());
    p.open(s, 1, DEPOSIT).await;
}

/// Tokenizing hands the device to its asset: a tariff its owner set before
/// (possibly in another mint) must not keep selling the machine's service
/// past the holders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tariff_set_before_tokenizing_is_stale() {
    let p = Pay::bare().await;
    let s = &p.station;
    let eur = p.m.env.mint().await;
    let ix = payments::set_tariff(
        &p.payer(),
        &s.controller.pubkey(),
        &p.m.env.network,
        &s.device,
        &s.owner_account,
        &eur,
        terms(),
    );
    p.send(&[ix], &[&s.controller]).await.unwrap();
    let (keys, _) = p.tokenize_and_sell(s, 100).await;
    assert_eq!(p.tariff(s).await.owner, s.controller.pubkey());
    let mut opening = p.opening(s, Some(p.fee_account));
    opening.payment_mint = eur;
    let ix = payments::open_session(
        &opening,
        payments::OpenSessionArgs {
            id: 1,
            deposit: DEPOSIT,
        },
    );
    assert_error(
        p.send(&[ix], &[&p.customer]).await,
        PaymentsError::StaleTariff,
    );
    // The asset's authority sets it again, in the pool's mint only.
    let tokenized = Station {
        key: s.key.insecure_clone(),
        device: s.device,
        owner_account: keys.asset,
        controller: s.controller.insecure_clone(),
        payout: s.payout,
    };
    let ix = payments::set_tariff(
        &p.payer(),
        &s.controller.pubkey(),
        &p.m.env.network,
        &s.device,
        &keys.asset,
        &eur,
        terms(),
    );
    assert_error(
        p.send(&[ix], &[&s.controller]).await,
        PaymentsError::WrongPaymentMint,
    );
    p.set_tariff(&tokenized, terms()).await.unwrap();
    assert_eq!(p.tariff(s).await.owner, keys.asset);
    let session = p.open(&tokenized, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    p.read(&tokenized, &session, 4_000, 1, false).await.unwrap();
    let pool = depin_client::revenue::pool(p.cluster(), &keys.share_mint)
        .await
        .unwrap();
    assert_eq!(pool.total_deposited, 975_000);
}
