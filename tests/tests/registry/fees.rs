//! set_onboarding_fee and the fee register_device collects.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_spl::token::spl_token::error::TokenError;
use depin_client::registry::{self, permission};
use depin_client::{token, ClientError, Keypair, Pubkey, Sent, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_tests::*;

async fn register_with(
    env: &Env,
    maker: &Keypair,
    fee: Option<registry::FeePayment>,
) -> (Keypair, Result<Sent, ClientError>) {
    let (key, device) = Env::new_device(&env.admin.pubkey());
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &device, fee);
    let result = env.send(&[ix], &[&key, maker]).await;
    (key, result)
}

/// Replaces one optional account of `ix` with the program id (Anchor's "None").
fn omit(ix: depin_client::Instruction, account: &Pubkey) -> depin_client::Instruction {
    substitute(ix, account, &depin_registry::ID)
}

// ---- set_onboarding_fee ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_stores_mint_treasury_and_amount() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 0).await;
    let network = registry::network(&env.cluster, &env.network).await.unwrap();
    assert_eq!(network.fee_mint, fee.mint);
    assert_eq!(network.fee_treasury, fee.treasury);
    assert_eq!(network.onboarding_fee, 250);

    // Changing the amount and treasury.
    let treasury2 = token::create_token_account(&env.cluster, &fee.mint, &Keypair::new().pubkey())
        .await
        .unwrap();
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((fee.mint, treasury2)),
        u64::MAX,
    );
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let network = registry::network(&env.cluster, &env.network).await.unwrap();
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
    let network = registry::network(&env.cluster, &env.network).await.unwrap();
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
    let network = registry::network(&env.cluster, &env.network).await.unwrap();
    assert_eq!(
        (network.fee_mint, network.fee_treasury),
        (Pubkey::default(), Pubkey::default())
    );

    // Onboarding is free again: no fee accounts needed, no tokens move.
    let maker = env.maker(5).await;
    let (key, result) = register_with(&env, &maker, None).await;
    result.unwrap();
    assert!(
        env.exists(&pda::device(&env.network, &key.pubkey()).0)
            .await
    );
    assert_eq!(env.balance(&fee.source).await, 1_000);
    assert_eq!(env.balance(&fee.treasury).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_needs_both_fee_accounts() {
    let env = Env::new().await;
    let mint = token::create_mint(&env.cluster, &env.admin.pubkey(), 6)
        .await
        .unwrap();
    let treasury = token::create_token_account(&env.cluster, &mint, &env.admin.pubkey())
        .await
        .unwrap();
    let admin = env.admin.pubkey();

    let ix = registry::set_onboarding_fee(&admin, &env.network, None, 10);
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        RegistryError::FeeAccountsMissing,
    );
    let only_mint = omit(
        registry::set_onboarding_fee(&admin, &env.network, Some((mint, treasury)), 10),
        &treasury,
    );
    assert_error(
        env.send(&[only_mint], &[&env.admin]).await,
        RegistryError::FeeAccountsMissing,
    );
    let only_treasury = omit(
        registry::set_onboarding_fee(&admin, &env.network, Some((mint, treasury)), 10),
        &mint,
    );
    assert_error(
        env.send(&[only_treasury], &[&env.admin]).await,
        RegistryError::FeeAccountsMissing,
    );

    let network = registry::network(&env.cluster, &env.network).await.unwrap();
    assert_eq!(network.onboarding_fee, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_rejects_a_treasury_of_another_mint() {
    let env = Env::new().await;
    let mint = token::create_mint(&env.cluster, &env.admin.pubkey(), 6)
        .await
        .unwrap();
    let other_mint = token::create_mint(&env.cluster, &env.admin.pubkey(), 6)
        .await
        .unwrap();
    let wrong_treasury =
        token::create_token_account(&env.cluster, &other_mint, &env.admin.pubkey())
            .await
            .unwrap();
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((mint, wrong_treasury)),
        10,
    );
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        RegistryError::FeeAccountMismatch,
    );

    // A mint where the treasury token account belongs, and vice versa.
    // (Anchor cannot unpack the foreign layout.)
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((mint, other_mint)),
        10,
    );
    assert_instruction_error(
        env.send(&[ix], &[&env.admin]).await,
        0,
        InstructionError::InvalidAccountData,
    );
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((wrong_treasury, wrong_treasury)),
        10,
    );
    assert_instruction_error(
        env.send(&[ix], &[&env.admin]).await,
        0,
        InstructionError::InvalidAccountData,
    );
    // A system account as the mint.
    let fake = env.wallet().await.pubkey();
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((fake, wrong_treasury)),
        10,
    );
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );

    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .onboarding_fee,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_onboarding_fee_requires_signature_and_treasury_permission() {
    let env = Env::new().await;
    let mint = token::create_mint(&env.cluster, &env.admin.pubkey(), 6)
        .await
        .unwrap();
    let treasury = token::create_token_account(&env.cluster, &mint, &env.admin.pubkey())
        .await
        .unwrap();
    let ix =
        |by: &Pubkey| registry::set_onboarding_fee(by, &env.network, Some((mint, treasury)), 10);

    let unsigned = unsign(ix(&env.admin.pubkey()), &env.admin.pubkey());
    assert_error(
        env.send(&[unsigned], &[]).await,
        AnchorError::AccountNotSigner,
    );

    let almost = env.member(permission::ALL & !permission::TREASURY).await;
    assert_error(
        env.send(&[ix(&almost.pubkey())], &[&almost]).await,
        RegistryError::MissingPermission,
    );

    let other = env.other_network().await;
    let foreign = substitute(
        ix(&other.admin.pubkey()),
        &pda::member(&env.network, &other.admin.pubkey()).0,
        &pda::member(&other.network, &other.admin.pubkey()).0,
    );
    assert_error(
        env.send(&[foreign], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    let stranger = env.wallet().await;
    let borrowed = substitute(
        ix(&stranger.pubkey()),
        &pda::member(&env.network, &stranger.pubkey()).0,
        &pda::member(&env.network, &env.admin.pubkey()).0,
    );
    assert_error(
        env.send(&[borrowed], &[&stranger]).await,
        RegistryError::MissingPermission,
    );
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .onboarding_fee,
        0
    );

    // TREASURY alone is enough.
    let treasurer = env.member(permission::TREASURY).await;
    env.send(&[ix(&treasurer.pubkey())], &[&treasurer])
        .await
        .unwrap();
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .onboarding_fee,
        10
    );
}

// ---- the fee at onboarding ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_onboarding_moves_the_fee_to_the_treasury() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 1_000).await;
    let maker = env.maker(10).await;
    let supply = token::mint_supply(&env.cluster, &fee.mint).await.unwrap();

    let (first, result) = register_with(&env, &maker, Some(fee.payment())).await;
    result.unwrap();
    assert_eq!(env.balance(&fee.treasury).await, 250);
    assert_eq!(env.balance(&fee.source).await, 750);
    let (second, result) = register_with(&env, &maker, Some(fee.payment())).await;
    result.unwrap();
    assert_eq!(env.balance(&fee.treasury).await, 500);
    assert_eq!(env.balance(&fee.source).await, 500);
    // Tokens moved, none were minted or burned.
    assert_eq!(
        token::mint_supply(&env.cluster, &fee.mint).await.unwrap(),
        supply
    );

    for key in [&first, &second] {
        let device = registry::device(&env.cluster, &env.network, &key.pubkey())
            .await
            .unwrap();
        assert_eq!(device.owner, env.admin.pubkey());
    }
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .device_count,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fee_needs_every_fee_account() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 1_000).await;
    let maker = env.maker(10).await;
    let (key, result) = register_with(&env, &maker, None).await;
    assert_error(result, RegistryError::FeeAccountsMissing);
    assert!(
        !env.exists(&pda::device(&env.network, &key.pubkey()).0)
            .await
    );

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
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .device_count,
        0
    );
    assert_eq!(
        registry::maker(&env.cluster, &env.network, &maker.pubkey())
            .await
            .unwrap()
            .devices_onboarded,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fee_goes_only_to_the_configured_treasury_in_the_configured_mint() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 1_000).await;
    let maker = env.maker(10).await;

    // Another token account of the right mint (owned by the payer) as treasury.
    let own_account = token::create_token_account(&env.cluster, &fee.mint, &env.payer())
        .await
        .unwrap();
    let wrong_treasury = registry::FeePayment {
        treasury: own_account,
        ..fee.payment()
    };
    let (_, result) = register_with(&env, &maker, Some(wrong_treasury)).await;
    assert_error(result, RegistryError::FeeAccountMismatch);

    // Paying in a worthless mint of one's own, to one's own account.
    let cheap_mint = token::create_mint(&env.cluster, &env.admin.pubkey(), 6)
        .await
        .unwrap();
    let cheap_source = token::create_token_account(&env.cluster, &cheap_mint, &env.payer())
        .await
        .unwrap();
    let cheap_treasury = token::create_token_account(&env.cluster, &cheap_mint, &env.payer())
        .await
        .unwrap();
    token::mint_to(&env.cluster, &cheap_mint, &cheap_source, &env.admin, 1_000)
        .await
        .unwrap();
    let cheap = registry::FeePayment {
        mint: cheap_mint,
        source: cheap_source,
        treasury: cheap_treasury,
        token_program: token::TOKEN_PROGRAM_ID,
    };
    let (_, result) = register_with(&env, &maker, Some(cheap)).await;
    assert_error(result, RegistryError::FeeAccountMismatch);
    // The cheap mint with the real treasury.
    let cheap_mint_real_treasury = registry::FeePayment {
        treasury: fee.treasury,
        ..cheap
    };
    let (_, result) = register_with(&env, &maker, Some(cheap_mint_real_treasury)).await;
    assert_error(result, RegistryError::FeeAccountMismatch);

    assert_eq!(env.balance(&fee.treasury).await, 0);
    assert_eq!(env.balance(&fee.source).await, 1_000);
    assert_eq!(env.balance(&own_account).await, 0);
    assert_eq!(env.balance(&cheap_source).await, 1_000);
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .device_count,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_fee_registers_nothing() {
    let env = Env::new().await;
    let fee = env.set_fee(250, 249).await;
    let maker = env.maker(10).await;
    let (key, result) = register_with(&env, &maker, Some(fee.payment())).await;
    assert_error(result, TokenError::InsufficientFunds as u32);
    assert!(
        !env.exists(&pda::device(&env.network, &key.pubkey()).0)
            .await
    );
    assert_eq!(env.balance(&fee.source).await, 249);
    assert_eq!(env.balance(&fee.treasury).await, 0);
    assert_eq!(
        registry::maker(&env.cluster, &env.network, &maker.pubkey())
            .await
            .unwrap()
            .devices_onboarded,
        0
    );

    // A source the payer does not own cannot be drawn from.
    let someone = Keypair::new().pubkey();
    let foreign_source = token::create_token_account(&env.cluster, &fee.mint, &someone)
        .await
        .unwrap();
    token::mint_to(&env.cluster, &fee.mint, &foreign_source, &env.admin, 1_000)
        .await
        .unwrap();
    let stolen = registry::FeePayment {
        source: foreign_source,
        ..fee.payment()
    };
    let (key, result) = register_with(&env, &maker, Some(stolen)).await;
    assert_error(result, TokenError::OwnerMismatch as u32);
    assert!(
        !env.exists(&pda::device(&env.network, &key.pubkey()).0)
            .await
    );
    assert_eq!(env.balance(&foreign_source).await, 1_000);
    assert_eq!(env.balance(&fee.treasury).await, 0);
}
