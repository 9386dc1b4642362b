use depin_client::registry;
use depin_client::{token, Signer};
use depin_tests::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_fee_moves_real_tokens() {
    let env = Env::new().await;
    let fee_mint = token::create_mint(&env.cluster, &env.admin.pubkey(), 6)
        .await
        .unwrap();
    let treasury = token::create_token_account(&env.cluster, &fee_mint, &env.admin.pubkey())
        .await
        .unwrap();
    let ix = registry::set_onboarding_fee(
        &env.admin.pubkey(),
        &env.network,
        Some((fee_mint, treasury)),
        250,
    );
    env.send(&[ix], &[&env.admin]).await.unwrap();

    let payer_fee_account = token::create_token_account(&env.cluster, &fee_mint, &env.payer())
        .await
        .unwrap();
    token::mint_to(
        &env.cluster,
        &fee_mint,
        &payer_fee_account,
        &env.admin,
        1_000,
    )
    .await
    .unwrap();

    let maker = env.maker(10).await;
    let owner = env.wallet().await;
    let (key, device) = Env::new_device(&owner.pubkey());
    let fee = registry::FeePayment {
        mint: fee_mint,
        source: payer_fee_account,
        treasury,
        token_program: token::TOKEN_PROGRAM_ID,
    };
    let ix = registry::register_device(
        &env.payer(),
        &env.network,
        &maker.pubkey(),
        &device,
        Some(fee),
    );
    env.send(&[ix], &[&key, &maker]).await.unwrap();

    assert_eq!(token::balance(&env.cluster, &treasury).await.unwrap(), 250);
    assert_eq!(
        token::balance(&env.cluster, &payer_fee_account)
            .await
            .unwrap(),
        750
    );
    let stored = registry::device(&env.cluster, &env.network, &key.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.owner, owner.pubkey());
    assert_eq!(stored.location, SF_CELL);
}
