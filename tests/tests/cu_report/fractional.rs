//! The fractional and revenue programs: a battery tokenized and sold, its
//! purchases delivered, its revenue paid out, a failed offering refunded,
//! one cancelled, the asset handed over and retired. The revenue program's
//! `create_pool`, `open_holding`, `issuer_credit`, `issuer_transfer` and
//! `issuer_dissolve` run inside the fractional instructions (CPI).

use depin_client::fractional::{self, AssetKeys, OfferingTerms};
use depin_client::{registry, revenue, token, Cluster, Signer};
use depin_tests::*;

use crate::report::{fixed_key, register_fixed, Budget, Measured, Recorder};

pub const BUDGETS: &[Budget] = &[
    ("configure_market", 12200, "MarketConfigured"),
    ("set_allowlist", 14200, "AllowlistSet"),
    ("create_asset", 74000, "AssetCreated"),
    ("create_offering", 40600, "OfferingCreated"),
    ("buy", 50500, "SharesBought"),
    ("close_offering", 50100, "OfferingClosed"),
    ("deliver_purchase", 58800, "PurchaseDelivered"),
    ("refund", 14800, "Refunded"),
    ("retain_shares", 34800, "SharesRetained"),
    ("cancel_offering", 35800, "OfferingCancelled"),
    ("set_asset_operator", 10500, "AssetOperatorSet"),
    ("transfer_asset", 11600, "AssetAuthorityTransferred"),
    ("retire_asset", 11400, "AssetRetired"),
    ("deposit_revenue", 6200, "RevenueDeposited"),
    ("claim_revenue", 7800, "RevenueClaimed"),
    ("withdraw_shares", 7600, "SharesWithdrawn"),
    ("deposit_shares", 13100, "SharesDeposited"),
];

const USDC: u64 = 1_000_000;

pub async fn measure(rows: &mut Vec<Measured>) {
    let env = Env::with_admin(fixed_key(71)).await;
    let (admin, network, payer) = (env.admin.pubkey(), env.network, env.payer());
    let maker = fixed_key(72);
    let args = registry::ApproveMakerArgs {
        maker_authority: maker.pubkey(),
        name: "Acme".into(),
        quota: 10,
    };
    env.send(
        &[registry::approve_maker(&payer, &admin, &network, args)],
        &[&env.admin],
    )
    .await
    .unwrap();
    let owner = fixed_key(73);
    env.cluster.airdrop(&owner.pubkey(), SOL).await.unwrap();
    let (_, battery) = register_fixed(&env, &maker, &owner.pubkey(), 74).await;
    let (_, spare) = register_fixed(&env, &maker, &owner.pubkey(), 75).await;
    let usdc = token::create_mint_at(&env.cluster, &fixed_key(76), &admin, 6)
        .await
        .unwrap();
    let fee_account = token::create_token_account(&env.cluster, &usdc, &admin)
        .await
        .unwrap();
    let owner_usdc = token::create_token_account(&env.cluster, &usdc, &owner.pubkey())
        .await
        .unwrap();
    let mut r = Recorder::new(&env, "fractional + revenue", rows);

    let ix = fractional::configure_market(&payer, &admin, &network, 250, &admin);
    r.run("configure_market", "2.5% fee", &[ix], &[&env.admin])
        .await;
    let ix = fractional::create_asset(&payer, &owner.pubkey(), &network, &battery, &usdc, 1_000);
    r.run(
        "create_asset",
        "share mint + revenue pool (CPI create_pool)",
        &[ix],
        &[&owner],
    )
    .await;
    let keys = AssetKeys::of_device(&battery);
    let ix = fractional::retain_shares(&payer, &owner.pubkey(), &network, &keys, 100);
    r.run(
        "retain_shares",
        "owner keeps 100 (mint + CPI credit)",
        &[ix],
        &[&owner],
    )
    .await;
    let now = env.cluster.unix_timestamp().await.unwrap();
    let terms = |shares, soft_cap| OfferingTerms {
        price_per_share: 10 * USDC,
        shares_for_sale: shares,
        soft_cap,
        deadline: now + 86_400,
        per_investor_cap: 0,
        allowlist_required: true,
    };
    let ix = fractional::create_offering(
        &payer,
        &owner.pubkey(),
        &network,
        &keys,
        0,
        &usdc,
        terms(800, 500),
    );
    r.run(
        "create_offering",
        "escrow + offering holding (CPI open_holding)",
        &[ix],
        &[&owner],
    )
    .await;

    let mut investors = vec![];
    for seed in [77, 78] {
        let wallet = fixed_key(seed);
        let usdc_account = token::create_token_account(&env.cluster, &usdc, &wallet.pubkey())
            .await
            .unwrap();
        token::mint_to(
            &env.cluster,
            &usdc,
            &usdc_account,
            &env.admin,
            10_000 * USDC,
        )
        .await
        .unwrap();
        let shares = token::create_token_account(&env.cluster, &keys.share_mint, &wallet.pubkey())
            .await
            .unwrap();
        env.cluster.airdrop(&wallet.pubkey(), SOL).await.unwrap();
        let ix = fractional::set_allowlist(&payer, &admin, &network, &wallet.pubkey(), true);
        r.run("set_allowlist", "", &[ix], &[&env.admin]).await;
        investors.push((wallet, usdc_account, shares));
    }
    let (a, a_usdc, a_shares) = &investors[0];
    let (b, b_usdc, _) = &investors[1];
    let ix = fractional::buy(&a.pubkey(), &keys, 0, &network, true, a_usdc, 300);
    r.run(
        "buy",
        "first buy: purchase created, mint + CPI credit",
        &[ix],
        &[a],
    )
    .await;
    let ix = revenue::deposit_revenue(&b.pubkey(), &keys.share_mint, b_usdc, 40 * USDC);
    r.run("deposit_revenue", "during the sale", &[ix], &[b])
        .await;
    let ix = fractional::buy(&a.pubkey(), &keys, 0, &network, true, a_usdc, 100);
    r.run(
        "buy",
        "a later buy: the offering's revenue split first",
        &[ix],
        &[a],
    )
    .await;
    let ix = fractional::buy(&b.pubkey(), &keys, 0, &network, true, b_usdc, 200);
    env.send(&[ix], &[b]).await.unwrap();

    env.cluster.advance_clock(86_400).await.unwrap();
    let parties = fractional::parties(&env.cluster, &keys, 0).await.unwrap();
    let ix = fractional::close_offering(
        &payer,
        &network,
        &keys,
        0,
        &parties,
        &owner_usdc,
        Some(fee_account),
    );
    r.run(
        "close_offering",
        "success: fee, proceeds, escrow closed, 200 unsold retained",
        &[ix],
        &[],
    )
    .await;
    assert_eq!(
        token::balance(&env.cluster, &fee_account).await.unwrap(),
        150 * USDC
    );
    let ix = fractional::deliver_purchase(&payer, &keys, 0, &a.pubkey(), &parties);
    r.run(
        "deliver_purchase",
        "holding created, CPI transfer, purchase closed",
        &[ix],
        &[],
    )
    .await;
    let ix = fractional::deliver_purchase(&payer, &keys, 0, &b.pubkey(), &parties);
    r.run(
        "deliver_purchase",
        "the last: offering holding dissolved, offering closed",
        &[ix],
        &[],
    )
    .await;

    let ix = revenue::deposit_revenue(&b.pubkey(), &keys.share_mint, b_usdc, 800 * USDC);
    r.run("deposit_revenue", "a month of revenue", &[ix], &[b])
        .await;
    let ix = revenue::claim_revenue(&a.pubkey(), &keys.share_mint, a_usdc);
    r.run("claim_revenue", "", &[ix], &[a]).await;
    let ix = revenue::withdraw_shares(&a.pubkey(), &keys.share_mint, a_shares, 100);
    r.run("withdraw_shares", "", &[ix], &[a]).await;
    let ix = revenue::deposit_shares(&payer, &a.pubkey(), &keys.share_mint, a_shares, 100);
    r.run("deposit_shares", "", &[ix], &[a]).await;

    // A second asset: an offering that fails (refund), then one cancelled.
    let ix = fractional::create_asset(&payer, &owner.pubkey(), &network, &spare, &usdc, 100);
    env.send(&[ix], &[&owner]).await.unwrap();
    let spare_keys = AssetKeys::of_device(&spare);
    let now = env.cluster.unix_timestamp().await.unwrap();
    let failing = OfferingTerms {
        deadline: now + 86_400,
        allowlist_required: false,
        ..terms(100, 90)
    };
    let ix = fractional::create_offering(
        &payer,
        &owner.pubkey(),
        &network,
        &spare_keys,
        0,
        &usdc,
        failing,
    );
    env.send(&[ix], &[&owner]).await.unwrap();
    let ix = fractional::buy(&a.pubkey(), &spare_keys, 0, &network, false, a_usdc, 10);
    env.send(&[ix], &[a]).await.unwrap();
    env.cluster.advance_clock(86_400).await.unwrap();
    let parties = fractional::parties(&env.cluster, &spare_keys, 0)
        .await
        .unwrap();
    let ix = fractional::close_offering(
        &payer,
        &network,
        &spare_keys,
        0,
        &parties,
        &owner_usdc,
        None,
    );
    r.run(
        "close_offering",
        "failure: CPI dissolve (revenue back, shares burned)",
        &[ix],
        &[],
    )
    .await;
    let ix = fractional::refund(&spare_keys, 0, &a.pubkey(), a_usdc, &payer);
    r.run("refund", "the last: escrow and offering closed", &[ix], &[])
        .await;
    let now = env.cluster.unix_timestamp().await.unwrap();
    let later = OfferingTerms {
        deadline: now + 86_400,
        allowlist_required: false,
        ..terms(50, 10)
    };
    let ix = fractional::create_offering(
        &payer,
        &owner.pubkey(),
        &network,
        &spare_keys,
        1,
        &usdc,
        later,
    );
    env.send(&[ix], &[&owner]).await.unwrap();
    let parties = fractional::parties(&env.cluster, &spare_keys, 1)
        .await
        .unwrap();
    let ix = fractional::cancel_offering(&payer, &spare_keys, 1, &parties);
    r.run(
        "cancel_offering",
        "escrow, holding and offering closed",
        &[ix],
        &[&owner],
    )
    .await;

    // Management of the spare asset: an operator, a new manager, retirement.
    let operator = fixed_key(79);
    let ix =
        fractional::set_asset_operator(&owner.pubkey(), &network, &spare_keys, &operator.pubkey());
    r.run("set_asset_operator", "CPI registry", &[ix], &[&owner])
        .await;
    let successor = fixed_key(80);
    env.cluster.airdrop(&successor.pubkey(), SOL).await.unwrap();
    let ix =
        fractional::transfer_asset(&owner.pubkey(), &network, &spare_keys, &successor.pubkey());
    r.run(
        "transfer_asset",
        "operator cleared (CPI registry)",
        &[ix],
        &[&owner],
    )
    .await;
    let ix = fractional::retire_asset(&successor.pubkey(), &network, &spare_keys);
    r.run("retire_asset", "CPI registry retire", &[ix], &[&successor])
        .await;
}
