//! set_tariff and set_tariff_paused: who controls a device's price list,
//! for which devices, and what a change reaches.

use depin_client::payments::{MeterUnit, TariffTerms};
use depin_client::{fractional, Signer};
use depin_tests::*;

use crate::fixture::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sets_a_tariff_then_changes_it() {
    let p = Pay::bare().await;
    let s = &p.station;
    let tariff_address = depin_client::payments::tariff_address(&s.device);
    assert!(p.tariff_optional(s).await.is_none());
    let payer_before = p.lamports(&p.payer()).await;
    p.set_tariff(s, terms()).await.unwrap();

    let tariff = p.tariff(s).await;
    assert_eq!(tariff.device, s.device);
    assert_eq!(tariff.network, p.m.env.network);
    assert_eq!(tariff.registration, p.registration(s).await);
    assert_eq!(tariff.payment_mint, p.m.usdc);
    assert_eq!(tariff.terms(), terms());
    assert!(!tariff.paused);
    assert_eq!(
        tariff.bump,
        depin_client::depin_payments::pda::tariff(&s.device).1
    );
    // The payer paid the tariff's rent (and the fee).
    let rent = p.lamports(&tariff_address).await;
    assert!(rent > 0);
    assert!(payer_before - p.lamports(&p.payer()).await >= rent);

    // New terms, in another mint and unit: the same account, updated.
    let eur = p.m.env.mint().await;
    let by_the_minute = TariffTerms {
        unit: MeterUnit::Second,
        price_per_unit: 3,
        min_deposit: 7,
        max_session_secs: 60,
        operator_cut_bps: 5_000,
    };
    let ix = depin_client::payments::set_tariff(
        &p.payer(),
        &s.controller.pubkey(),
        &p.m.env.network,
        &s.device,
        &s.owner_account,
        &eur,
        by_the_minute,
    );
    p.send(&[ix], &[&s.controller]).await.unwrap();
    let tariff = p.tariff(s).await;
    assert_eq!(tariff.terms(), by_the_minute);
    assert_eq!(tariff.payment_mint, eur);
    assert_eq!(p.lamports(&tariff_address).await, rent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_never_reaches_an_open_session() {
    let p = Pay::new().await;
    let s = &p.station;
    let before = p.open(s, 1, DEPOSIT).await;
    p.set_tariff(
        s,
        TariffTerms {
            price_per_unit: 2 * PRICE,
            operator_cut_bps: 0,
            max_session_secs: 600,
            ..terms()
        },
    )
    .await
    .unwrap();
    let after = p.open(s, 2, DEPOSIT).await;
    let (old, new) = (p.session(&before).await, p.session(&after).await);
    assert_eq!((old.price_per_unit, old.operator_cut_bps), (PRICE, CUT_BPS));
    assert_eq!(old.deadline - old.opened_at, i64::from(SESSION_SECS));
    assert_eq!((new.price_per_unit, new.operator_cut_bps), (2 * PRICE, 0));
    assert_eq!(new.deadline - new.opened_at, 600);

    // The open session is charged at its own price.
    p.advance(HOUR).await;
    p.read(s, &before, 4_000, 1, false).await.unwrap();
    assert_eq!(p.session(&before).await.settled, cost(4_000));
    assert_eq!(p.balance(&p.escrow(&before)).await, DEPOSIT - cost(4_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_asset_authority_sets_a_tokenized_devices_tariff() {
    let p = Pay::bare().await;
    let b = &p.battery;
    // The asset (a PDA) is the device's owner; its authority controls it.
    assert_eq!(
        p.m.env.device_state(&b.key.pubkey()).await.owner,
        p.m.keys.asset
    );
    p.set_tariff(b, terms()).await.unwrap();
    let tariff = p.tariff(b).await;
    assert_eq!(
        (tariff.device, tariff.payment_mint, tariff.terms()),
        (b.device, p.m.usdc, terms())
    );

    // After the asset changes hands, only the new authority controls it.
    let manager = p.m.env.wallet().await;
    let ix = fractional::transfer_asset(
        &b.controller.pubkey(),
        &p.m.env.network,
        &p.m.keys,
        &manager.pubkey(),
    );
    p.send(&[ix], &[&b.controller]).await.unwrap();
    let cheaper = TariffTerms {
        price_per_unit: 1,
        ..terms()
    };
    let ix = p.set_tariff_ix(b, &b.controller.pubkey(), cheaper);
    assert_error(
        p.send(&[ix], &[&b.controller]).await,
        PaymentsError::NotDeviceController,
    );
    let ix = p.set_tariff_ix(b, &manager.pubkey(), cheaper);
    p.send(&[ix], &[&manager]).await.unwrap();
    assert_eq!(p.tariff(b).await.price_per_unit, 1);
    let ix = p.pause_ix(b, &manager.pubkey(), true);
    p.send(&[ix], &[&manager]).await.unwrap();
    assert!(p.tariff(b).await.paused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokenized_device_charges_in_its_pools_mint() {
    let p = Pay::bare().await;
    let b = &p.battery;
    let eur = p.m.env.mint().await;
    let ix = depin_client::payments::set_tariff(
        &p.payer(),
        &b.controller.pubkey(),
        &p.m.env.network,
        &b.device,
        &b.owner_account,
        &eur,
        terms(),
    );
    assert_error(
        p.send(&[ix], &[&b.controller]).await,
        PaymentsError::WrongPaymentMint,
    );
    assert!(p.tariff_optional(b).await.is_none());
    // The share mint is no payment mint either.
    let ix = depin_client::payments::set_tariff(
        &p.payer(),
        &b.controller.pubkey(),
        &p.m.env.network,
        &b.device,
        &b.owner_account,
        &p.m.keys.share_mint,
        terms(),
    );
    assert_error(
        p.send(&[ix], &[&b.controller]).await,
        PaymentsError::WrongPaymentMint,
    );
    assert!(p.tariff_optional(b).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_controller_sets_or_pauses_a_tariff() {
    let p = Pay::new().await;
    let (s, b) = (&p.station, &p.battery);
    let stranger = p.m.env.wallet().await;
    let operator = p.m.env.wallet().await;
    p.set_operator(s, &operator.pubkey()).await;
    let before = snapshot(
        &p.m.env,
        &[
            depin_client::payments::tariff_address(&s.device),
            depin_client::payments::tariff_address(&b.device),
        ],
    )
    .await;
    let cheap = TariffTerms {
        price_per_unit: 1,
        ..terms()
    };
    // A stranger, the device's operator, its own key, the network admin;
    // for the tokenized battery also its previous owner's neighbour, the host.
    for (station, signer) in [
        (s, &stranger),
        (s, &operator),
        (s, &s.key),
        (s, &p.m.env.admin),
        (b, &stranger),
        (b, &s.controller),
        (b, &b.key),
    ] {
        let ix = p.set_tariff_ix(station, &signer.pubkey(), cheap);
        assert_error(
            p.send(&[ix], &[signer]).await,
            PaymentsError::NotDeviceController,
        );
        let ix = p.pause_ix(station, &signer.pubkey(), true);
        assert_error(
            p.send(&[ix], &[signer]).await,
            PaymentsError::NotDeviceController,
        );
    }
    before.assert_unchanged(&p.m.env).await;

    // The controller's key without its signature.
    let ix = p.set_tariff_ix(s, &s.controller.pubkey(), cheap);
    assert_requires_signature(&p.m.env, ix, &s.controller.pubkey()).await;
    let ix = p.pause_ix(b, &b.controller.pubkey(), true);
    assert_requires_signature(&p.m.env, ix, &b.controller.pubkey()).await;
    before.assert_unchanged(&p.m.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_owner_account_must_be_the_devices() {
    let p = Pay::new().await;
    let (s, b) = (&p.station, &p.battery);
    let stranger = p.m.env.wallet().await;
    // A stranger names itself as the owner of the host's station.
    let ix = substitute(
        p.set_tariff_ix(s, &stranger.pubkey(), terms()),
        &s.owner_account,
        &stranger.pubkey(),
    );
    assert_error(
        p.send(&[ix], &[&stranger]).await,
        PaymentsError::WrongAccount,
    );
    let ix = substitute(
        p.pause_ix(s, &stranger.pubkey(), true),
        &s.owner_account,
        &stranger.pubkey(),
    );
    assert_error(
        p.send(&[ix], &[&stranger]).await,
        PaymentsError::WrongAccount,
    );
    // The tokenized battery's authority passes its wallet instead of the
    // asset (as if it still owned the device outright).
    let ix = substitute(
        p.set_tariff_ix(b, &b.controller.pubkey(), terms()),
        &b.owner_account,
        &b.controller.pubkey(),
    );
    assert_error(
        p.send(&[ix], &[&b.controller]).await,
        PaymentsError::WrongAccount,
    );
    // Another asset (of the same owner's second battery) in its place.
    let other = p.m.second_asset().await;
    let ix = substitute(
        p.pause_ix(b, &b.controller.pubkey(), true),
        &b.owner_account,
        &other.asset,
    );
    assert_error(
        p.send(&[ix], &[&b.controller]).await,
        PaymentsError::WrongAccount,
    );
    // A tariff of another device with this device's controller.
    let ix = substitute(
        p.pause_ix(s, &s.controller.pubkey(), true),
        &depin_client::payments::tariff_address(&s.device),
        &depin_client::payments::tariff_address(&b.device),
    );
    assert_error(
        p.send(&[ix], &[&s.controller]).await,
        PaymentsError::WrongAccount,
    );
    assert!(!p.tariff(s).await.paused && !p.tariff(b).await.paused);
    assert_eq!(p.tariff(s).await.terms(), terms());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_active_devices_of_unpaused_networks_get_a_tariff() {
    let p = Pay::bare().await;
    let s = &p.station;
    p.suspend(s).await;
    assert_error(
        p.set_tariff(s, terms()).await,
        PaymentsError::DeviceNotActive,
    );
    p.resume(s).await;
    p.m.env.set_paused(true).await;
    assert_error(p.set_tariff(s, terms()).await, PaymentsError::NetworkPaused);
    p.m.env.set_paused(false).await;
    assert!(p.tariff_optional(s).await.is_none());
    p.set_tariff(s, terms()).await.unwrap();
    p.retire(s).await;
    assert_error(
        p.set_tariff(s, terms()).await,
        PaymentsError::DeviceNotActive,
    );
    assert_eq!(p.tariff(s).await.terms(), terms());

    // The device of another network with this network's account.
    let t = p.new_station().await;
    let other = p.m.env.other_network().await;
    let ix = substitute(
        p.set_tariff_ix(&t, &t.controller.pubkey(), terms()),
        &p.m.env.network,
        &other.network,
    );
    assert_error(
        p.send(&[ix], &[&t.controller]).await,
        PaymentsError::WrongAccount,
    );
    assert!(p.tariff_optional(&t).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tariff_terms_must_be_in_range() {
    let p = Pay::bare().await;
    let s = &p.station;
    let bad = [
        TariffTerms {
            price_per_unit: 0,
            ..terms()
        },
        TariffTerms {
            min_deposit: 0,
            ..terms()
        },
        TariffTerms {
            max_session_secs: 59,
            ..terms()
        },
        TariffTerms {
            max_session_secs: 30 * 86_400 + 1,
            ..terms()
        },
        TariffTerms {
            operator_cut_bps: 5_001,
            ..terms()
        },
    ];
    for terms in bad {
        assert_error(p.set_tariff(s, terms).await, PaymentsError::InvalidTariff);
    }
    assert!(p.tariff_optional(s).await.is_none());
    // The bounds themselves are accepted.
    for edge in [
        TariffTerms {
            price_per_unit: 1,
            min_deposit: 1,
            max_session_secs: 60,
            operator_cut_bps: 5_000,
            unit: MeterUnit::Megabyte,
        },
        TariffTerms {
            price_per_unit: u64::MAX,
            min_deposit: u64::MAX,
            max_session_secs: 30 * 86_400,
            operator_cut_bps: 0,
            unit: MeterUnit::Second,
        },
    ] {
        p.set_tariff(s, edge).await.unwrap();
        assert_eq!(p.tariff(s).await.terms(), edge);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_tariff_opens_nothing_but_lets_open_sessions_run() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 1, DEPOSIT).await;
    p.pause(s, true).await.unwrap();
    assert!(p.tariff(s).await.paused);
    let before = snapshot(&p.m.env, &[p.customer_usdc, p.session_address(s, 2)]).await;
    assert_error(p.try_open(s, 2, DEPOSIT).await, PaymentsError::TariffPaused);
    before.assert_unchanged(&p.m.env).await;
    // Setting new terms does not resume it.
    p.set_tariff(s, terms()).await.unwrap();
    assert!(p.tariff(s).await.paused);

    // The open session settles and ends as usual.
    p.advance(HOUR).await;
    p.read(s, &session, 4_000, 1, true).await.unwrap();
    assert_eq!(
        p.balance(&p.customer_usdc).await,
        CUSTOMER_USDC - cost(4_000)
    );

    p.pause(s, false).await.unwrap();
    assert!(!p.tariff(s).await.paused);
    p.open(s, 2, DEPOSIT).await;
    assert_eq!(
        p.balance(&p.customer_usdc).await,
        CUSTOMER_USDC - cost(4_000) - DEPOSIT
    );
    // Pausing twice or resuming an unpaused tariff is harmless.
    p.pause(s, false).await.unwrap();
    p.pause(s, true).await.unwrap();
    p.pause(s, true).await.unwrap();
    assert!(p.tariff(s).await.paused);
}
