//! Opening a pool: `create_distributor`, `fund`, `create_ledger_page`.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::Space;
use anchor_spl::token::{spl_token, TokenAccount};
use depin_client::rewards::{self, CreateDistributorArgs, Guards, ProposalStatus, RewardTree};
use depin_client::{token, Cluster, Pubkey, Signer};
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_rewards::pda;
use depin_rewards::state::{
    ClaimLedger, Distributor, OutflowBreaker, RootProposal, LEDGER_PAGE_SIZE,
};
use depin_tests::*;

use crate::fixture::{self, args_of, Pool, FUNDING};

fn create_ix(
    pool: &Pool,
    authority: &Pubkey,
    pool_id: u16,
    expires_at: i64,
) -> depin_client::Instruction {
    rewards::create_distributor(
        &pool.env.payer(),
        authority,
        &pool.env.network,
        &pool.mint,
        &pool.treasury,
        CreateDistributorArgs {
            pool_id,
            expires_at,
            guards: Guards::SINGLE_ORACLE,
        },
    )
}

fn distributor_address(pool: &Pool, pool_id: u16) -> Pubkey {
    pda::distributor(&pool.env.network, &pool.mint, pool_id).0
}

// ---- create_distributor ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_stores_its_fields_a_vault_and_a_root_proposal() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    let payer = env.wallet().await;
    let payer_before = env.lamports(&payer.pubkey()).await;
    let expires_at = pool.now().await + 86_400;
    let guards = Guards {
        required_approvals: 3,
        challenge_period_secs: 7_200,
        outflow_limit: 50_000,
        outflow_period_secs: 86_400,
    };
    let ix = rewards::create_distributor(
        &payer.pubkey(),
        &env.admin.pubkey(),
        &env.network,
        &pool.mint,
        &pool.treasury,
        CreateDistributorArgs {
            pool_id: 7,
            expires_at,
            guards,
        },
    );
    env.send(&[ix], &[&env.admin, &payer]).await.unwrap();

    let (address, bump) = pda::distributor(&env.network, &pool.mint, 7);
    let (vault, vault_bump) = pda::vault(&address);
    let d = pool.state_of(&address).await;
    assert_eq!(
        (d.network, d.mint, d.vault, d.treasury),
        (env.network, pool.mint, vault, pool.treasury)
    );
    assert_eq!((d.pool_id, d.bump, d.vault_bump), (7, bump, vault_bump));
    assert!(!d.is_paused() && !d.is_clawed_back());
    assert_eq!((d.root, d.epoch, d.recipient_count), ([0; 32], 0, 0));
    assert_eq!(
        (d.cumulative_total, d.total_claimed, d.total_funded),
        (0, 0, 0)
    );
    assert_eq!((d.ledger_pages, d.expires_at), (0, expires_at));
    assert_eq!(
        d.breaker,
        OutflowBreaker {
            limit: 50_000,
            period_secs: 86_400,
            window_start: 0,
            window_outflow: 0,
            _padding: [0; 4],
        }
    );

    // The root proposal: the approval rules, nothing proposed yet.
    let (proposal_address, proposal_bump) = pda::root_proposal(&address);
    let p = rewards::root_proposal(&env.cluster, &address)
        .await
        .unwrap();
    assert_eq!((p.distributor, p.bump), (address, proposal_bump));
    assert_eq!((p.required_approvals, p.challenge_period_secs), (3, 7_200));
    assert_eq!((p.sequence, p.status), (0, ProposalStatus::Empty));
    assert_eq!((p.approval_count, p.approved_at), (0, 0));
    assert_eq!(
        rewards::guards(&env.cluster, &address).await.unwrap(),
        guards
    );

    // The vault: an empty token account of the mint whose owner (transfer
    // authority) is the distributor PDA, with nobody else able to move it.
    let vault_state: TokenAccount = depin_client::fetch(&env.cluster, &vault).await.unwrap();
    assert_eq!(vault_state.mint, pool.mint);
    assert_eq!(vault_state.owner, address);
    assert_eq!(vault_state.amount, 0);
    assert!(vault_state.delegate.is_none() && vault_state.close_authority.is_none());
    let vault_account = env.cluster.get_account(&vault).await.unwrap().unwrap();
    assert_eq!(vault_account.owner, spl_token::ID);

    // The payer paid exactly the three accounts' rent (the fee payer paid
    // fees).
    let distributor_rent = env
        .cluster
        .minimum_balance(Distributor::SIZE)
        .await
        .unwrap();
    let vault_rent = env.cluster.minimum_balance(165).await.unwrap();
    let proposal_rent = env
        .cluster
        .minimum_balance(8 + RootProposal::INIT_SPACE)
        .await
        .unwrap();
    assert_eq!(env.lamports(&address).await, distributor_rent);
    assert_eq!(vault_account.lamports, vault_rent);
    assert_eq!(env.lamports(&proposal_address).await, proposal_rent);
    assert_eq!(
        payer_before - env.lamports(&payer.pubkey()).await,
        distributor_rent + vault_rent + proposal_rent
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_requires_the_treasury_permission() {
    let pool = Pool::new(0).await;
    fixture::assert_requires_permission(
        &pool.env,
        |authority| create_ix(&pool, authority, 3, 0),
        permission::TREASURY,
    )
    .await;
    let address = distributor_address(&pool, 3);
    assert!(!pool.env.exists(&address).await);
    assert!(!pool.env.exists(&pda::vault(&address).0).await);

    // A member holding only the treasury permission may.
    let treasurer = pool.env.member(permission::TREASURY).await;
    let ix = create_ix(&pool, &treasurer.pubkey(), 3, 0);
    pool.env.send(&[ix], &[&treasurer]).await.unwrap();
    assert_eq!(pool.state_of(&address).await.pool_id, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_refuses_to_act_across_networks() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    let other = env.other_network().await;
    let admin = env.admin.pubkey();

    // This network's admin opening a pool in the other network, presenting
    // its record of this one.
    let ix = rewards::create_distributor(
        &env.payer(),
        &admin,
        &other.network,
        &pool.mint,
        &pool.treasury,
        CreateDistributorArgs {
            pool_id: 0,
            expires_at: 0,
            guards: Guards::SINGLE_ORACLE,
        },
    );
    let ix = substitute(
        ix,
        &fixture::member_record(&other.network, &admin),
        &fixture::member_record(&env.network, &admin),
    );
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        depin_registry::errors::RegistryError::MemberNetworkMismatch,
    );
    let foreign = pda::distributor(&other.network, &pool.mint, 0).0;
    assert!(!env.exists(&foreign).await);

    // The other network's admin opens its own pool of the same mint: a
    // separate distributor, leaving this network's alone.
    let before = pool.snapshot(&[]).await;
    let ix = rewards::create_distributor(
        &env.payer(),
        &other.admin.pubkey(),
        &other.network,
        &pool.mint,
        &pool.treasury,
        CreateDistributorArgs {
            pool_id: 0,
            expires_at: 0,
            guards: Guards::SINGLE_ORACLE,
        },
    );
    env.send(&[ix], &[&other.admin]).await.unwrap();
    let d = pool.state_of(&foreign).await;
    assert_eq!(
        (d.network, d.mint, d.pool_id),
        (other.network, pool.mint, 0)
    );
    assert_ne!(foreign, pool.distributor);
    pool.assert_unchanged(&before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_requires_the_authority_signature() {
    let pool = Pool::new(0).await;
    let admin = pool.env.admin.pubkey();
    let ix = unsign(create_ix(&pool, &admin, 4, 0), &admin);
    assert_error(
        pool.env.send(&[ix], &[]).await,
        AnchorError::AccountNotSigner,
    );
    assert!(!pool.env.exists(&distributor_address(&pool, 4)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_rejects_a_treasury_of_another_mint_or_no_token_account() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    let admin = env.admin.pubkey();
    let other_mint_account = pool.account_of(&env.reward_mint, &admin).await;
    let ix = substitute(
        create_ix(&pool, &admin, 2, 0),
        &pool.treasury,
        &other_mint_account,
    );
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        RewardsError::InvalidTreasury,
    );

    let wallet = env.wallet().await.pubkey();
    let ix = substitute(create_ix(&pool, &admin, 2, 0), &pool.treasury, &wallet);
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    assert!(!env.exists(&distributor_address(&pool, 2)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_rejects_an_expiry_in_the_past() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    let admin = env.admin.pubkey();
    let now = pool.now().await;
    for expires_at in [now - 1, now, 1] {
        let ix = create_ix(&pool, &admin, 5, expires_at);
        assert_error(
            env.send(&[ix], &[&env.admin]).await,
            RewardsError::InvalidExpiry,
        );
    }
    assert!(!env.exists(&distributor_address(&pool, 5)).await);

    let ix = create_ix(&pool, &admin, 5, now + 60);
    env.send(&[ix], &[&env.admin]).await.unwrap();
    assert_eq!(
        pool.state_of(&distributor_address(&pool, 5))
            .await
            .expires_at,
        now + 60
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_twice_for_one_pool_id_fails_but_another_pool_id_works() {
    let pool = Pool::new(500).await;
    let env = &pool.env;
    let admin = env.admin.pubkey();
    let before = pool.snapshot(&[]).await;
    let later = pool.now().await + 1_000;
    assert_already_in_use(
        env.send(&[create_ix(&pool, &admin, 0, later)], &[&env.admin])
            .await,
    );
    pool.assert_unchanged(&before).await;
    let d = pool.state().await;
    assert_eq!((d.expires_at, d.total_funded, d.ledger_pages), (0, 500, 1));

    env.send(&[create_ix(&pool, &admin, 1, later)], &[&env.admin])
        .await
        .unwrap();
    let second = distributor_address(&pool, 1);
    let d = pool.state_of(&second).await;
    assert_ne!(second, pool.distributor);
    assert_ne!(d.vault, pool.vault);
    assert_eq!((d.pool_id, d.expires_at, d.total_funded), (1, later, 0));
    assert_eq!(pool.balance(&d.vault).await, 0);
    assert_eq!(pool.balance(&pool.vault).await, 500);
}

// ---- fund ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_moves_tokens_into_the_vault_and_counts_them() {
    let pool = Pool::new(0).await;
    pool.fund(300).await;
    assert_eq!(pool.balance(&pool.vault).await, 300);
    assert_eq!(pool.balance(&pool.funding).await, FUNDING - 300);
    assert_eq!(pool.state().await.total_funded, 300);

    // Anyone may fund, from any account of the mint it controls.
    let (stranger, stranger_tokens) = pool.recipient().await;
    token::mint_to(
        &pool.env.cluster,
        &pool.mint,
        &stranger_tokens,
        &pool.env.admin,
        250,
    )
    .await
    .unwrap();
    let ix = rewards::fund(&stranger.pubkey(), &pool.distributor, &stranger_tokens, 200);
    pool.env.send(&[ix], &[&stranger]).await.unwrap();
    assert_eq!(
        pool.balances(&[pool.vault, stranger_tokens]).await,
        [500, 50]
    );
    let d = pool.state().await;
    assert_eq!((d.total_funded, d.total_claimed, d.epoch), (500, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rejects_a_zero_amount() {
    let pool = Pool::new(100).await;
    let before = pool.snapshot(&[pool.funding]).await;
    assert_error(pool.try_fund(0).await, RewardsError::ZeroAmount);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.state().await.total_funded, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rejects_a_vault_that_is_not_the_distributors() {
    let pool = Pool::new(100).await;
    // A token account of the right mint, even one the distributor owns.
    let decoy = pool.token_account(&pool.distributor).await;
    for wrong in [pool.treasury, decoy] {
        let ix = substitute(pool.fund_ix(50), &pool.vault, &wrong);
        let before = pool.snapshot(&[pool.funding, wrong]).await;
        assert_error(
            pool.env.send(&[ix], &[&pool.env.admin]).await,
            RewardsError::WrongVault,
        );
        pool.assert_unchanged(&before).await;
    }
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury, decoy]).await,
        [100, 0, 0]
    );
    assert_eq!(pool.state().await.total_funded, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_requires_the_funders_signature_and_a_source_of_the_mint() {
    let pool = Pool::new(100).await;
    let env = &pool.env;
    let admin = env.admin.pubkey();
    let before = pool.snapshot(&[pool.funding]).await;
    assert_error(
        env.send(&[unsign(pool.fund_ix(10), &admin)], &[]).await,
        AnchorError::AccountNotSigner,
    );
    pool.assert_unchanged(&before).await;

    // A source of another mint: the token program refuses the transfer.
    let foreign = pool.account_of(&env.reward_mint, &admin).await;
    token::mint_to(&env.cluster, &env.reward_mint, &foreign, &env.admin, 10)
        .await
        .unwrap();
    let ix = rewards::fund(&admin, &pool.distributor, &foreign, 10);
    let before = pool.snapshot(&[foreign]).await;
    assert_fails(env.send(&[ix], &[&env.admin]).await);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.state().await.total_funded, 100);
    assert_eq!(pool.balances(&[pool.vault, foreign]).await, [100, 10]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_after_the_clawback_fails() {
    let pool = Pool::expiring_in(400, 600).await;
    pool.expire().await;
    // Between expiry and clawback funding is still taken (and clawed back).
    pool.fund(100).await;
    let ix = rewards::clawback(&pool.distributor, &pool.treasury);
    pool.env.send(&[ix], &[]).await.unwrap();
    assert_eq!(pool.balances(&[pool.vault, pool.treasury]).await, [0, 500]);

    let before = pool.snapshot(&[pool.funding]).await;
    assert_error(pool.try_fund(50).await, RewardsError::AlreadyClawedBack);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balance(&pool.funding).await, FUNDING - 500);
    assert_eq!(pool.state().await.total_funded, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_refuses_a_total_funded_overflow() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    token::mint_to(
        &env.cluster,
        &pool.mint,
        &pool.funding,
        &env.admin,
        u64::MAX - FUNDING,
    )
    .await
    .unwrap();
    pool.fund(u64::MAX).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();

    // Alice funds back 1 of her tokens: total_funded would pass u64::MAX.
    let ix = rewards::fund(&alice.pubkey(), &pool.distributor, &alice_tokens, 1);
    let before = pool.snapshot(&[alice_tokens]).await;
    assert_error(env.send(&[ix], &[&alice]).await, RewardsError::Overflow);
    pool.assert_unchanged(&before).await;
    let d = pool.state().await;
    assert_eq!((d.total_funded, d.total_claimed), (u64::MAX, 100));
    assert_eq!(
        pool.balances(&[pool.vault, alice_tokens]).await,
        [u64::MAX - 100, 100]
    );
}

// ---- create_ledger_page ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_ledger_page_charges_its_rent_to_the_payer() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    let payer = env.wallet().await;
    let payer_before = env.lamports(&payer.pubkey()).await;
    let ix = pool.add_page_ix(&payer.pubkey(), &pool.oracle.pubkey(), 1);
    env.send(&[ix], &[&pool.oracle, &payer]).await.unwrap();

    let rent = env
        .cluster
        .minimum_balance(ClaimLedger::SIZE)
        .await
        .unwrap();
    assert_eq!(payer_before - env.lamports(&payer.pubkey()).await, rent);
    let (address, bump) = pda::ledger(&pool.distributor, 1);
    let account = env.cluster.get_account(&address).await.unwrap().unwrap();
    assert_eq!(account.lamports, rent);
    assert_eq!(account.owner, depin_rewards::ID);
    assert_eq!(account.data.len(), ClaimLedger::SIZE);
    let ledger = pool.ledger(1).await;
    assert_eq!(
        (ledger.distributor, ledger.page, ledger.bump),
        (pool.distributor, 1, bump)
    );
    assert!(ledger.claimed.iter().all(|c| *c == 0));
    assert_eq!(ledger.claimed.len(), LEDGER_PAGE_SIZE);
    assert_eq!(pool.state().await.ledger_pages, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_ledger_page_requires_the_oracle_permission() {
    let pool = Pool::new(0).await;
    let payer = pool.env.payer();
    fixture::assert_requires_permission(
        &pool.env,
        |authority| pool.add_page_ix(&payer, authority, 1),
        permission::ORACLE,
    )
    .await;
    assert!(!pool.env.exists(&pool.page_address(1)).await);
    assert_eq!(pool.state().await.ledger_pages, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_pages_must_be_created_in_order() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    let oracle = pool.oracle.pubkey();
    let ix = pool.add_page_ix(&env.payer(), &oracle, 2);
    assert_error(
        env.send(&[ix], &[&pool.oracle]).await,
        RewardsError::LedgerPageOutOfOrder,
    );
    assert!(!env.exists(&pool.page_address(2)).await);

    let before = pool.snapshot(&[]).await;
    let ix = pool.add_page_ix(&env.payer(), &oracle, 0);
    assert_already_in_use(env.send(&[ix], &[&pool.oracle]).await);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.state().await.ledger_pages, 1);

    pool.add_page(1).await;
    pool.add_page(2).await;
    assert_eq!(pool.state().await.ledger_pages, 3);
    assert_eq!(pool.ledger(2).await.page, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_root_needs_a_ledger_page_for_every_1024_recipients() {
    let pool = Pool::new(5_000).await;
    let (last, last_tokens) = pool.recipient().await;
    let mut entries: Vec<(Pubkey, u64)> = (0..LEDGER_PAGE_SIZE)
        .map(|_| (Pubkey::new_unique(), 1))
        .collect();
    // Exactly one page's worth fits.
    let full = RewardTree::new(pool.distributor, entries.clone());
    pool.post(&full, 1).await;
    assert_eq!(pool.state().await.recipient_count, 1024);

    entries.push((last.pubkey(), 7));
    let grown = RewardTree::new(pool.distributor, entries);
    let before = pool.snapshot(&[]).await;
    assert_error(pool.try_post(&grown, 2).await, RewardsError::LedgerTooSmall);
    pool.assert_unchanged(&before).await;

    pool.add_page(1).await;
    pool.post(&grown, 2).await;
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.recipient_count, d.cumulative_total, d.root),
        (2, 1025, 1031, grown.root())
    );

    // Leaf 1024 lives in slot 0 of page 1.
    let args = args_of(&grown, &last.pubkey());
    assert_eq!(args.index, 1024);
    pool.claim(&last, &last_tokens, &grown).await.unwrap();
    assert_eq!(pool.balance(&last_tokens).await, 7);
    assert_eq!(pool.claimed(1024).await, 7);
    assert_eq!(pool.ledger(1).await.claimed[0], 7);
    assert_eq!(pool.ledger(0).await.claimed[0], 0);
}
