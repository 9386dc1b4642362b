//! settle: a device-signed cumulative reading charges the new units and
//! splits the charge at once between the market fee, the operator's cut and
//! the machine (its owner, its revenue pool's holders, or its manager while
//! no share earns); a final reading refunds the rest and closes the session.

use depin_client::payments::{self, SettlementAccounts};
use depin_client::{fractional, revenue, token, Signer};
use depin_tests::assert_error;
use depin_tests::market::{FEE_BPS, USDC};

use crate::fixture::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_readings_pay_as_they_go_and_the_final_one_refunds_the_rest() {
    let p = Pay::new().await;
    let s = &p.station;
    let renter = p.m.env.wallet().await;
    let renter_before = p.lamports(&renter.pubkey()).await;
    let session = p.open_paid_by(s, 1, DEPOSIT, &renter).await;
    let rents = p.rents(&session).await;
    assert_eq!(p.lamports(&renter.pubkey()).await, renter_before - rents);
    let escrow = p.escrow(&session);

    // One hour in: 4 kWh = 1 USDC; 2.5% to the market, the rest to the host.
    p.advance(HOUR).await;
    p.read(s, &session, 4_000, 1, false).await.unwrap();
    assert_eq!(p.balance(&p.fee_account).await, 25_000);
    assert_eq!(p.balance(&s.payout).await, 975_000);
    assert_eq!(p.balance(&escrow).await, DEPOSIT - USDC);
    let stored = p.session(&session).await;
    assert_eq!(
        (stored.settled, stored.units, stored.sequence),
        (USDC, 4_000, 1)
    );

    // Sequences may skip; only the new units are charged.
    p.read(s, &session, 8_000, 5, false).await.unwrap();
    assert_eq!(p.balance(&p.fee_account).await, 50_000);
    assert_eq!(p.balance(&s.payout).await, 1_950_000);
    assert_eq!(p.balance(&escrow).await, DEPOSIT - 2 * USDC);
    let stored = p.session(&session).await;
    assert_eq!(
        (stored.settled, stored.units, stored.sequence),
        (2 * USDC, 8_000, 5)
    );

    // The final reading: 2,001 Wh more = 500,250; the fee rounds down
    // (12,506.25 -> 12,506), the host gets the rest.
    p.read(s, &session, 10_001, 6, true).await.unwrap();
    let charged = cost(10_001);
    assert_eq!(charged, 2_500_250);
    assert_eq!(p.balance(&p.fee_account).await, 50_000 + 12_506);
    assert_eq!(p.balance(&s.payout).await, 1_950_000 + (500_250 - 12_506));
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC - charged);
    // Escrow and session are gone, both rents back with the renter.
    assert!(!p.exists(&escrow).await);
    assert!(p.session_optional(&session).await.is_none());
    assert_eq!(p.lamports(&renter.pubkey()).await, renter_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_submits_a_reading_and_the_device_needs_no_sol() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    assert_eq!(p.lamports(&s.key.pubkey()).await, 0);
    let signed = p.sign(s, &session, 4_000, 1, false).await;
    assert!(signed.verify());
    let accounts = p.accounts(&session).await;
    let [check, settle] = payments::settle_instructions(&accounts, &signed);
    // Nobody but the transaction's fee payer signs.
    assert!(check.accounts.is_empty());
    assert!(settle.accounts.iter().all(|meta| !meta.is_signer));
    // Sent and paid for by the cluster's payer alone.
    p.send(&[check, settle], &[]).await.unwrap();
    assert_eq!(p.session(&session).await.settled, USDC);
    assert_eq!(p.balance(&s.payout).await, USDC - bps(USDC, FEE_BPS));
    assert_eq!(p.lamports(&s.key.pubkey()).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_takes_its_cut_from_each_settlement() {
    let p = Pay::new().await;
    let s = &p.station;
    let operator = p.m.env.wallet().await;
    p.set_operator(s, &operator.pubkey()).await;
    let operator_usdc = token::associated_address(&operator.pubkey(), &p.m.usdc);
    assert!(!p.exists(&operator_usdc).await);
    let session = p.open(s, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    // The client creates the operator's account in the same transaction.
    let accounts = p.accounts(&session).await;
    assert_eq!(accounts.operator_account, Some(operator_usdc));
    p.read(s, &session, 4_000, 1, false).await.unwrap();
    // 1 USDC: 2.5% fee, 10% operator, 87.5% host.
    assert_eq!(p.balance(&p.fee_account).await, 25_000);
    assert_eq!(p.balance(&operator_usdc).await, 100_000);
    assert_eq!(p.balance(&s.payout).await, 875_000);

    // An odd amount: 3 Wh = 750; fee 18 (18.75), operator 75, host 657.
    p.read(s, &session, 4_003, 2, false).await.unwrap();
    assert_eq!(p.balance(&p.fee_account).await, 25_018);
    assert_eq!(p.balance(&operator_usdc).await, 100_075);
    assert_eq!(p.balance(&s.payout).await, 875_657);

    // The operator changes: the new one is paid from the next settlement.
    let successor = p.m.env.wallet().await;
    p.set_operator(s, &successor.pubkey()).await;
    p.read(s, &session, 8_003, 3, false).await.unwrap();
    let successor_usdc = token::associated_address(&successor.pubkey(), &p.m.usdc);
    assert_eq!(p.balance(&successor_usdc).await, 100_000);
    assert_eq!(p.balance(&operator_usdc).await, 100_075);

    // Without an operator its cut stays with the machine.
    p.set_operator(s, &depin_client::Pubkey::default()).await;
    let accounts = p.accounts(&session).await;
    assert_eq!(accounts.operator_account, None);
    p.read(s, &session, 12_003, 4, true).await.unwrap();
    assert_eq!(p.balance(&s.payout).await, 875_657 + 875_000 + 975_000);
    assert_eq!(p.balance(&p.fee_account).await, 25_018 + 2 * 25_000);
    let charged = cost(12_003);
    assert_eq!(
        p.balance(&p.fee_account).await
            + p.balance(&operator_usdc).await
            + p.balance(&successor_usdc).await
            + p.balance(&s.payout).await,
        charged
    );
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC - charged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokenized_batterys_holders_earn_at_once() {
    let p = Pay::new().await;
    let b = &p.battery;
    let (a, holder_b) = p.holders().await;
    let manager = p.m.owner.pubkey();
    let vault_before = p.balance(&p.m.keys.revenue_vault).await;
    let deposited_before = p.m.pool().await.total_deposited;
    assert_eq!(p.m.position(&a.key()).await, (300, 0));

    let session = p.open(b, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    let accounts = p.accounts(&session).await;
    assert_eq!(
        accounts.revenue,
        Some((p.m.keys.revenue_pool, p.m.keys.revenue_vault))
    );
    assert_eq!(accounts.machine_account, None);
    // 4,001 Wh = 1,000,250: fee 25,006, the holders 975,244.
    p.read(b, &session, 4_001, 1, false).await.unwrap();
    let machine = 1_000_250 - 25_006;
    assert_eq!(p.balance(&p.fee_account).await, 25_006);
    assert_eq!(
        p.balance(&p.m.keys.revenue_vault).await,
        vault_before + machine
    );
    assert_eq!(p.m.pool().await.total_deposited, deposited_before + machine);
    // Pro rata to the 300 and 100 shares earning, rounded down (the dust
    // stays in the pool); the 600 unissued shares earn nothing.
    let (_, claimable_a) = p.m.position(&a.key()).await;
    let (_, claimable_b) = p.m.position(&holder_b.key()).await;
    assert_eq!(p.m.position(&manager).await, (0, 0));
    assert_eq!(claimable_a, machine * 3 / 4);
    assert_eq!(claimable_b, machine / 4);
    let paid = claimable_a + claimable_b;
    assert!(paid <= machine && machine - paid < 2);
    // Nothing reached the manager's wallet: the pool took the machine's part.
    assert!(!p.exists(&b.payout).await);

    // A holder claims it.
    let before = p.balance(&a.usdc).await;
    p.m.claim(&a).await.unwrap();
    assert_eq!(p.balance(&a.usdc).await - before, claimable_a);

    // The final reading pays the pool too and refunds the customer.
    p.read(b, &session, 8_001, 2, true).await.unwrap();
    assert_eq!(
        p.m.pool().await.total_deposited,
        deposited_before + machine + (USDC - 25_000)
    );
    assert_eq!(
        p.balance(&p.customer_usdc).await,
        CUSTOMER_USDC - cost(8_001)
    );
    assert!(!p.exists(&session).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokenized_batterys_operator_takes_its_cut_before_the_holders() {
    let p = Pay::new().await;
    let b = &p.battery;
    p.holders().await;
    let operator = p.m.env.wallet().await;
    let ix = fractional::set_asset_operator(
        &b.controller.pubkey(),
        &p.m.env.network,
        &p.m.keys,
        &operator.pubkey(),
    );
    p.send(&[ix], &[&b.controller]).await.unwrap();
    let deposited = p.m.pool().await.total_deposited;
    let session = p.open(b, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    p.read(b, &session, 4_000, 1, false).await.unwrap();
    let operator_usdc = token::associated_address(&operator.pubkey(), &p.m.usdc);
    assert_eq!(p.balance(&operator_usdc).await, 100_000);
    assert_eq!(p.balance(&p.fee_account).await, 25_000);
    assert_eq!(p.m.pool().await.total_deposited, deposited + 875_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_earning_shares_the_manager_is_paid() {
    let p = Pay::new().await;
    let b = &p.battery;
    assert_eq!(p.m.pool().await.total_weight, 0);
    let session = p.open(b, 1, DEPOSIT).await;
    p.advance(HOUR).await;
    let accounts = p.accounts(&session).await;
    assert_eq!(accounts.machine_account, Some(b.payout));
    p.read(b, &session, 4_000, 1, false).await.unwrap();
    assert_eq!(p.balance(&b.payout).await, 975_000);
    assert_eq!(p.balance(&p.fee_account).await, 25_000);
    let pool = p.m.pool().await;
    assert_eq!((pool.total_deposited, pool.total_weight), (0, 0));
    assert_eq!(p.balance(&p.m.keys.revenue_vault).await, 0);

    // Once shares earn, the same session pays the holders instead.
    let (a, _) = p.holders().await;
    let accounts = p.accounts(&session).await;
    assert_eq!(accounts.machine_account, None);
    p.read(b, &session, 8_000, 2, false).await.unwrap();
    assert_eq!(p.balance(&b.payout).await, 975_000);
    assert_eq!(p.m.pool().await.total_deposited, 975_000);
    assert_eq!(p.m.position(&a.key()).await, (300, 975_000 * 3 / 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_final_reading_may_repeat_the_last_units_or_end_at_zero() {
    let p = Pay::new().await;
    let s = &p.station;
    // Ended before any energy flowed: everything back.
    let renter = p.m.env.wallet().await;
    let renter_before = p.lamports(&renter.pubkey()).await;
    let empty = p.open_paid_by(s, 1, DEPOSIT, &renter).await;
    p.read(s, &empty, 0, 1, true).await.unwrap();
    assert!(!p.exists(&empty).await && !p.exists(&p.escrow(&empty)).await);
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC);
    assert_eq!(p.lamports(&renter.pubkey()).await, renter_before);
    assert_eq!(p.balance(&s.payout).await, 0);

    // A final reading repeating the last one charges nothing more.
    let session = p.open(s, 2, DEPOSIT).await;
    p.advance(HOUR).await;
    p.read(s, &session, 4_000, 1, false).await.unwrap();
    p.read(s, &session, 4_000, 2, true).await.unwrap();
    assert_eq!(p.balance(&s.payout).await, 975_000);
    assert_eq!(p.balance(&p.customer_usdc).await, CUSTOMER_USDC - USDC);
    assert!(!p.exists(&session).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deposit_caps_the_charge() {
    let p = Pay::new().await;
    let s = &p.station;
    // 1 USDC buys 4,000 Wh; the device reports 5,000.
    let session = p.open(s, 1, MIN_DEPOSIT).await;
    p.advance(HOUR).await;
    p.read(s, &session, 5_000, 1, false).await.unwrap();
    let stored = p.session(&session).await;
    assert_eq!((stored.settled, stored.units), (MIN_DEPOSIT, 5_000));
    assert_eq!(p.balance(&p.escrow(&session)).await, 0);
    assert_eq!(p.balance(&s.payout).await, 975_000);
    // More units once it is all charged: refused unless final.
    let before = p.snapshot(&session, &[]).await;
    assert_error(
        p.read(s, &session, 6_000, 2, false).await,
        PaymentsError::DepositExhausted,
    );
    before.assert_unchanged(&p.m.env).await;
    p.read(s, &session, 6_000, 2, true).await.unwrap();
    assert!(!p.exists(&session).await);
    assert_eq!(
        p.balance(&p.customer_usdc).await,
        CUSTOMER_USDC - MIN_DEPOSIT
    );
    assert_eq!(p.balance(&s.payout).await, 975_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_final_close_sweeps_tokens_sent_to_the_escrow() {
    let p = Pay::new().await;
    let s = &p.station;
    let session = p.open(s, 1, DEPOSIT).await;
    let escrow = p.escrow(&session);
    // Someone sends 3 USDC to the escrow (by mistake, or to block its close).
    let (donor, donor_usdc) = p.usdc_wallet(3 * USDC).await;
    let ix = token::transfer(&donor_usdc, &escrow, &donor.pubkey(), 3 * USDC);
    p.send(&[ix], &[&donor]).await.unwrap();
    assert_eq!(p.balance(&escrow).await, DEPOSIT + 3 * USDC);
    p.advance(HOUR).await;
    // Partial settlements charge the deposit only.
    p.read(s, &session, 4_000, 1, false).await.unwrap();
    assert_eq!(p.balance(&escrow).await, DEPOSIT + 2 * USDC);
    // The close refunds everything left, the donation included.
    p.read(s, &session, 4_000, 2, true).await.unwrap();
    assert!(!p.exists(&escrow).await);
    assert_eq!(
        p.balance(&p.customer_usdc).await,
        CUSTOMER_USDC - USDC + 3 * USDC
    );
    assert_eq!(p.balance(&s.payout).await, 975_000);
}

/// The accounts the client reads follow the device: its operator, the
/// owner's account, the revenue pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reads_what_a_settlement_pays() {
    let p = Pay::new().await;
    let (s, b) = (&p.station, &p.battery);
    let session = p.open(s, 1, DEPOSIT).await;
    let keys = p.keys(&session).await;
    assert_eq!(
        p.accounts(&session).await,
        SettlementAccounts {
            session,
            stored: keys,
            device: s.device,
            device_owner: s.owner_account,
            fee_account: Some(p.fee_account),
            operator_account: None,
            machine_account: Some(s.payout),
            revenue: None,
        }
    );
    let tokenized = p.open(b, 1, DEPOSIT).await;
    let accounts = p.accounts(&tokenized).await;
    assert_eq!(accounts.device_owner, p.m.keys.asset);
    assert_eq!(
        accounts.revenue,
        Some((p.m.keys.revenue_pool, p.m.keys.revenue_vault))
    );
    assert_eq!(
        revenue::pool_address(&p.m.keys.share_mint),
        p.m.keys.revenue_pool
    );
}

/// A session opened before its device was tokenized, in a mint other than
/// the revenue pool's: the pool cannot take it, so the machine's manager is
/// paid (what the owner would have been) rather than the session sticking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_opened_before_tokenizing_pays_the_manager_in_its_mint() {
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
    let customer_eur = p.m.env.token_account(&eur, &p.customer.pubkey()).await;
    token::mint_to(p.cluster(), &eur, &customer_eur, &p.m.env.admin, DEPOSIT)
        .await
        .unwrap();
    let plan = payments::open_session_instructions(
        p.cluster(),
        &p.payer(),
        &p.customer.pubkey(),
        &s.device,
        payments::OpenSessionArgs {
            id: 1,
            deposit: DEPOSIT,
        },
        Some(customer_eur),
    )
    .await
    .unwrap();
    p.send(&plan.instructions, &[&p.customer]).await.unwrap();
    let session = plan.session;

    let (keys, investor) = p.tokenize_and_sell(s, 100).await;
    p.advance(HOUR).await;
    let accounts = p.accounts(&session).await;
    let hosts_eur = token::associated_address(&s.controller.pubkey(), &eur);
    assert_eq!(accounts.machine_account, Some(hosts_eur));
    assert_eq!(accounts.device_owner, keys.asset);
    p.read(s, &session, 4_000, 1, true).await.unwrap();
    assert_eq!(p.balance(&hosts_eur).await, 975_000);
    let fee_eur = token::associated_address(&p.m.fee_recipient.pubkey(), &eur);
    assert_eq!(p.balance(&fee_eur).await, 25_000);
    assert_eq!(p.balance(&customer_eur).await, DEPOSIT - USDC);
    let pool = revenue::pool(p.cluster(), &keys.share_mint).await.unwrap();
    assert_eq!(pool.total_deposited, 0);
    assert_eq!(
        fractional::purchase_position(p.cluster(), &keys, 0, &investor.key())
            .await
            .unwrap(),
        Some((100, 0))
    );
}
