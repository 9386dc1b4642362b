//! set_onboarding_fee and the fee register_device collects.

use anchor_spl::token::spl_token::error::TokenError;
use depin_client::registry::{self, permission};
use depin_client::{token, Keypair, Pubkey, Signer};
use depin_registry::errors::RegistryError;
use depin_tests::*;

/// Replaces one optional account of `ix` with the program id (Anchor's "None").
fn omit(ix: depin_client::Instruction, account: &Pubkey) -> depin_client::Instruction {
    substitute(ix, account, &depin_registry::ID)
}

// ---- set_onboarding_fee ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_stores_mint_treasury_and_amount() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 0).await;
    let network = env.network_state().await;
    assert_eq!(network.fee_mint, fee.mint);
    assert_eq!(network.fee_treasury, fee.treasury);
    assert_eq!(network.onboarding_fee, 250);

    // Changing the amount and treasury.
    let treasury2 = env.token_account(&fee.mint, &Keypair::new().pubkey()).await;
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((fee.mint, treasury2)),
        u64::MAX,
    );
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let network = env.network_state().await;
    assert_eq!(
        (
            network.fee_mint,
            network.fee_treasury,
            network.onboarding_fee
        ),
        (fee.mint, treasury2, u64::MAX)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_fee_turns_fees_off_without_accounts() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 1_000).await;
    let ix = registry::set_onboarding_fee(&env.admin.pubkey(), &env.network, None, 0);
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let network = env.network_state().await;
    assert_eq!(network.fee_mint, Pubkey::default());
    assert_eq!(network.fee_treasury, Pubkey::default());
    assert_eq!(network.onboarding_fee, 0);

    // Zero with accounts given also clears them.
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((fee.mint, fee.treasury)),
        0,
    );
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let network = env.network_state().await;
    assert_eq!(
        (network.fee_mint, network.fee_treasury),
        (Pubkey::default(), Pubkey::default())
    );

    // Onboarding is free again: no fee accounts needed, no tokens move.
    let maker = env.maker(5).await;
    let (key, result) = env.try_device(&maker, None).await;
    result.unwrap();
    assert!(env.device_exists(&key.pubkey()).await);
    assert_eq!(env.balance(&fee.source).await, 1_000);
    assert_eq!(env.balance(&fee.treasury).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_needs_both_fee_accounts() {
    let env = Env::new().await;
    let mint = env.mint().await;
    let treasury = env.token_account(&mint, &env.admin.pubkey()).await;
    let admin = env.admin.pubkey();

    let none = registry::set_onboarding_fee(&admin, &env.network, None, 10);
    let both = registry::set_onboarding_fee(&admin, &env.network, Some((mint, treasury)), 10);
    let only_mint = omit(both.clone(), &treasury);
    let only_treasury = omit(both, &mint);
    for ix in [none, only_mint, only_treasury] {
        assert_error(
            env.send(&[ix], &[&env.admin]).await,
            RegistryError::FeeAccountsMissing,
        );
    }

    let network = env.network_state().await;
    assert_eq!(network.onboarding_fee, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_rejects_a_treasury_of_another_mint() {
    let env = Env::new().await;
    let mint = env.mint().await;
    let other_mint = env.mint().await;
    let wrong_treasury = env.token_account(&other_mint, &env.admin.pubkey()).await;
    let admin = env.admin.pubkey();
    let ix = |mint, treasury| {
        registry::set_onboarding_fee(&admin, &env.network, Some((mint, treasury)), 10)
    };
    assert_error(
        env.send(&[ix(mint, wrong_treasury)], &[&env.admin]).await,
        RegistryError::FeeAccountMismatch,
    );

    // A mint where the treasury token account belongs, and vice versa.
    // (Anchor cannot unpack the foreign layout.)
    for (mint, treasury) in [(mint, other_mint), (wrong_treasury, wrong_treasury)] {
        assert_instruction_error(
            env.send(&[ix(mint, treasury)], &[&env.admin]).await,
            0,
            InstructionError::InvalidAccountData,
        );
    }
    // A system account as the mint.
    assert_rejects_fake(&env, &ix(mint, wrong_treasury), &mint, &[&env.admin]).await;

    assert_eq!(env.network_state().await.onboarding_fee, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_requires_signature_and_treasury_permission() {
    let env = Env::new().await;
    let mint = env.mint().await;
    let treasury = env.token_account(&mint, &env.admin.pubkey()).await;
    let ix =
        |by: &Pubkey| registry::set_onboarding_fee(by, &env.network, Some((mint, treasury)), 10);

    let (stranger, admin) = (env.wallet().await, env.admin.pubkey());
    assert_requires_signature(&env, ix(&admin), &admin).await;
    assert_requires_permission(&env, ix, permission::TREASURY, &stranger, &admin).await;
    assert_eq!(env.network_state().await.onboarding_fee, 0);

    // TREASURY alone is enough.
    let treasurer = env.member(permission::TREASURY).await;
    env.send(&[ix(&treasurer.pubkey())], &[&treasurer])
        .await
        .unwrap();
    assert_eq!(env.network_state().await.onboarding_fee, 10);
}

// ---- the fee at onboarding ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_onboarding_moves_the_fee_to_the_treasury() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 1_000).await;
    let maker = env.maker(10).await;
    let supply = token::mint_supply(&env.cluster, &fee.mint).await.unwrap();

    let (first, result) = env.try_device(&maker, Some(fee.payment())).await;
    result.unwrap();
    assert_eq!(env.balance(&fee.treasury).await, 250);
    assert_eq!(env.balance(&fee.source).await, 750);
    let (second, result) = env.try_device(&maker, Some(fee.payment())).await;
    result.unwrap();
    assert_eq!(env.balance(&fee.treasury).await, 500);
    assert_eq!(env.balance(&fee.source).await, 500);
    // Tokens moved, none were minted or burned.
    assert_eq!(
        token::mint_supply(&env.cluster, &fee.mint).await.unwrap(),
        supply
    );

    for key in [&first, &second] {
        let device = env.device_state(&key.pubkey()).await;
        assert_eq!(device.owner, env.admin.pubkey());
    }
    assert_eq!(env.network_state().await.device_count, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fee_needs_every_fee_account() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 1_000).await;
    let maker = env.maker(10).await;
    let (key, result) = env.try_device(&maker, None).await;
    assert_error(result, RegistryError::FeeAccountsMissing);
    assert!(!env.device_exists(&key.pubkey()).await);

    let (key, device) = Env::new_device(&env.admin.pubkey());
    let full = registry::register_device(
        &env.payer(),
        &env.network,
        &maker.pubkey(),
        &device,
        Some(fee.payment()),
    );
    for missing in [fee.mint, fee.source, fee.treasury, token::TOKEN_PROGRAM_ID] {
        let ix = omit(full.clone(), &missing);
        assert_error(
            env.send(&[ix], &[&key, &maker]).await,
            RegistryError::FeeAccountsMissing,
        );
    }
    assert_eq!(env.balance(&fee.treasury).await, 0);
    assert_eq!(env.balance(&fee.source).await, 1_000);
    assert_eq!(env.network_state().await.device_count, 0);
    assert_eq!(env.maker_state(&maker.pubkey()).await.devices_onboarded, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fee_goes_only_to_the_configured_treasury_in_the_configured_mint() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 1_000).await;
    let maker = env.maker(10).await;

    // Another token account of the right mint (owned by the payer) as treasury.
    let own_account = env.token_account(&fee.mint, &env.payer()).await;
    let wrong_treasury = registry::FeePayment {
        treasury: own_account,
        ..fee.payment()
    };
    let (_, result) = env.try_device(&maker, Some(wrong_treasury)).await;
    assert_error(result, RegistryError::FeeAccountMismatch);

    // Paying in a worthless mint of one's own, to one's own account.
    let cheap_mint = env.mint().await;
    let cheap_source = env.token_account(&cheap_mint, &env.payer()).await;
    let cheap_treasury = env.token_account(&cheap_mint, &env.payer()).await;
    token::mint_to(&env.cluster, &cheap_mint, &cheap_source, &env.admin, 1_000)
        .await
        .unwrap();
    let cheap = registry::FeePayment {
        mint: cheap_mint,
        source: cheap_source,
        treasury: cheap_treasury,
        token_program: token::TOKEN_PROGRAM_ID,
    };
    let (_, result) = env.try_device(&maker, Some(cheap)).await;
    assert_error(result, RegistryError::FeeAccountMismatch);
    // The cheap mint with the real treasury.
    let cheap_mint_real_treasury = registry::FeePayment {
        treasury: fee.treasury,
        ..cheap
    };
    let (_, result) = env.try_device(&maker, Some(cheap_mint_real_treasury)).await;
    assert_error(result, RegistryError::FeeAccountMismatch);

    assert_eq!(env.balance(&fee.treasury).await, 0);
    assert_eq!(env.balance(&fee.source).await, 1_000);
    assert_eq!(env.balance(&own_account).await, 0);
    assert_eq!(env.balance(&cheap_source).await, 1_000);
    assert_eq!(env.network_state().await.device_count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_fee_registers_nothing() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 249).await;
    let maker = env.maker(10).await;
    let (key, result) = env.try_device(&maker, Some(fee.payment())).await;
    assert_error(result, TokenError::InsufficientFunds as u32);
    assert!(!env.device_exists(&key.pubkey()).await);
    assert_eq!(env.balance(&fee.source).await, 249);
    assert_eq!(env.balance(&fee.treasury).await, 0);
    assert_eq!(env.maker_state(&maker.pubkey()).await.devices_onboarded, 0);

    // A source the payer does not own cannot be drawn from.
    let someone = Keypair::new().pubkey();
    let foreign_source = env.token_account(&fee.mint, &someone).await;
    token::mint_to(&env.cluster, &fee.mint, &foreign_source, &env.admin, 1_000)
        .await
        .unwrap();
    let stolen = registry::FeePayment {
        source: foreign_source,
        ..fee.payment()
    };
    let (key, result) = env.try_device(&maker, Some(stolen)).await;
    assert_error(result, TokenError::OwnerMismatch as u32);
    assert!(!env.device_exists(&key.pubkey()).await);
    assert_eq!(env.balance(&foreign_source).await, 1_000);
    assert_eq!(env.balance(&fee.treasury).await, 0);
}
