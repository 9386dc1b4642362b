//! `create_pool`: a network admin opens the network's one stake pool in the
//! network's token, with a principal vault and a reward vault owned by the
//! pool PDA, a treasury for slashed stake, and checked parameters.

use anchor_spl::token::TokenAccount;
use depin_client::staking::{self, PoolParams, BPS, DAY};
use depin_client::{fetch, token, Cluster, Signer};
use depin_registry::state::permission;
use depin_staking::errors::StakingError;
use depin_staking::pda;
use depin_tests::*;

use crate::fixture::{self, assert_staking_error, params, Unopened};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pool_records_params_vaults_and_empty_books() {
    let setup = Unopened::new().await;
    let env = &setup.env;
    let now = env.cluster.unix_timestamp().await.unwrap();
    let ix = setup.create_ix(&env.admin.pubkey(), params());
    env.send(&[ix], &[&env.admin]).await.unwrap();

    let (pool_address, pool_bump) = pda::pool(&env.network);
    let (stake_vault, stake_vault_bump) = pda::stake_vault(&pool_address);
    let (reward_vault, reward_vault_bump) = pda::reward_vault(&pool_address);
    let pool = staking::pool(&env.cluster, &env.network).await.unwrap();
    assert_eq!(pool.network, env.network);
    assert_eq!(pool.mint, env.reward_mint);
    assert_eq!(pool.stake_vault, stake_vault);
    assert_eq!(pool.reward_vault, reward_vault);
    assert_eq!(pool.treasury, setup.treasury);
    assert_eq!(
        (pool.bump, pool.stake_vault_bump, pool.reward_vault_bump),
        (pool_bump, stake_vault_bump, reward_vault_bump)
    );
    assert_eq!(pool.params, params());
    assert_eq!(
        (
            pool.total_staked,
            pool.total_rewards_funded,
            pool.total_rewards_paid,
            pool.total_slashed,
            pool.stream_remaining,
        ),
        (0, 0, 0, 0, 0)
    );
    assert_eq!(
        (
            pool.reward_per_weight,
            pool.dust,
            pool.total_weight,
            pool.boost_weight,
            pool.stream_rate_per_second,
            pool.stream_carry,
        ),
        (0, 0, 0, 0, 0, 0)
    );
    // No lock ends pending; every day up to today is done.
    assert_eq!(pool.boost_end_days, [0; 256]);
    assert_eq!(pool.last_applied_day, now.div_euclid(DAY));
    // The account stays well under 10 KiB.
    let size = env
        .cluster
        .get_account(&pool_address)
        .await
        .unwrap()
        .unwrap()
        .data
        .len();
    assert_eq!(
        size,
        8 + <depin_staking::state::StakePool as anchor_lang::Space>::INIT_SPACE
    );
    assert!(size < 10 * 1024, "{size} bytes");
    assert_eq!(
        (pool.stream_period_end, pool.stream_last_update),
        (now, now)
    );

    // Both vaults: empty token accounts of the network token, owned by the
    // pool PDA (only the program can move their tokens).
    for vault in [stake_vault, reward_vault] {
        let account: TokenAccount = fetch(&env.cluster, &vault).await.unwrap();
        assert_eq!(account.mint, env.reward_mint);
        assert_eq!(account.owner, pool_address);
        assert_eq!(account.amount, 0);
        assert_eq!(account.delegate, None.into());
        let raw = env.cluster.get_account(&vault).await.unwrap().unwrap();
        assert_eq!(raw.owner, token::TOKEN_PROGRAM_ID);
    }
    assert_eq!(
        env.cluster
            .get_account(&pool_address)
            .await
            .unwrap()
            .unwrap()
            .owner,
        depin_staking::ID
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pool_requires_the_admin_permission() {
    let setup = Unopened::new().await;
    let env = &setup.env;
    let pool = staking::pool_address(&env.network);
    fixture::assert_requires_permission(
        env,
        |authority| setup.create_ix(authority, params()),
        permission::ADMIN,
    )
    .await;
    assert!(!env.exists(&pool).await);
    assert!(!env.exists(&pda::stake_vault(&pool).0).await);
    assert!(!env.exists(&pda::reward_vault(&pool).0).await);

    // A member holding only ADMIN may.
    let admin = env.member(permission::ADMIN).await;
    let ix = setup.create_ix(&admin.pubkey(), params());
    env.send(&[ix], &[&admin]).await.unwrap();
    let state = staking::pool(&env.cluster, &env.network).await.unwrap();
    assert_eq!((state.network, state.params), (env.network, params()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pool_requires_the_networks_token() {
    let setup = Unopened::new().await;
    let env = &setup.env;
    let other_mint = env.mint().await;
    let other_treasury = env.token_account(&other_mint, &env.admin.pubkey()).await;
    let ix = staking::create_pool(
        &env.payer(),
        &env.admin.pubkey(),
        &env.network,
        &other_mint,
        &other_treasury,
        params(),
    );
    assert_staking_error(
        env.send(&[ix], &[&env.admin]).await,
        StakingError::WrongMint,
    );
    let pool = staking::pool_address(&env.network);
    assert!(!env.exists(&pool).await);
    assert!(!env.exists(&pda::stake_vault(&pool).0).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pool_refuses_a_treasury_of_another_mint() {
    let setup = Unopened::new().await;
    let env = &setup.env;
    let other_mint = env.mint().await;
    let foreign_treasury = env.token_account(&other_mint, &env.admin.pubkey()).await;
    let ix = staking::create_pool(
        &env.payer(),
        &env.admin.pubkey(),
        &env.network,
        &env.reward_mint,
        &foreign_treasury,
        params(),
    );
    assert_staking_error(
        env.send(&[ix], &[&env.admin]).await,
        StakingError::InvalidTreasury,
    );
    assert!(!env.exists(&staking::pool_address(&env.network)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pool_refuses_params_out_of_range() {
    let setup = Unopened::new().await;
    let env = &setup.env;
    let ok = params();
    let out_of_range = [
        // max lockup: 1 day .. 4 years
        PoolParams {
            max_lockup_secs: DAY - 1,
            ..ok.clone()
        },
        PoolParams {
            max_lockup_secs: 4 * 365 * DAY + 1,
            ..ok.clone()
        },
        PoolParams {
            max_lockup_secs: -DAY,
            ..ok.clone()
        },
        // multiplier: 1x .. 10x
        PoolParams {
            max_multiplier_bps: BPS - 1,
            ..ok.clone()
        },
        PoolParams {
            max_multiplier_bps: 10 * BPS + 1,
            ..ok.clone()
        },
        PoolParams {
            max_multiplier_bps: 0,
            ..ok.clone()
        },
        // cooldown: 0 .. 1 year
        PoolParams {
            cooldown_secs: -1,
            ..ok.clone()
        },
        PoolParams {
            cooldown_secs: 365 * DAY + 1,
            ..ok.clone()
        },
    ];
    for bad in out_of_range {
        let ix = setup.create_ix(&env.admin.pubkey(), bad.clone());
        assert_staking_error(
            env.send(&[ix], &[&env.admin]).await,
            StakingError::InvalidParams,
        );
        assert!(
            !env.exists(&staking::pool_address(&env.network)).await,
            "{bad:?} opened a pool"
        );
    }

    // The edges themselves are accepted (one pool per network, so each in
    // a network of its own).
    let edges = [
        PoolParams {
            max_lockup_secs: DAY,
            max_multiplier_bps: BPS,
            cooldown_secs: 0,
        },
        PoolParams {
            max_lockup_secs: 4 * 365 * DAY,
            max_multiplier_bps: 10 * BPS,
            cooldown_secs: 365 * DAY,
        },
    ];
    for edge in edges {
        let other = env.other_network().await;
        let treasury = env
            .token_account(&env.reward_mint, &other.admin.pubkey())
            .await;
        let ix = staking::create_pool(
            &env.payer(),
            &other.admin.pubkey(),
            &other.network,
            &env.reward_mint,
            &treasury,
            edge.clone(),
        );
        env.send(&[ix], &[&other.admin]).await.unwrap();
        let pool = staking::pool(&env.cluster, &other.network).await.unwrap();
        assert_eq!(pool.params, edge);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pool_twice_fails_and_leaves_the_pool_alone() {
    let setup = Unopened::new().await;
    let different = PoolParams {
        cooldown_secs: DAY,
        ..params()
    };
    let again = setup.create_ix(&setup.env.admin.pubkey(), different);
    let s = setup.open().await;
    s.fund(1_000, DAY).await;
    let before = s.snapshot(&[]).await;
    assert_already_in_use(s.env.send(&[again], &[&s.env.admin]).await);
    before.assert_unchanged(&s.env).await;
    let pool = s.state().await;
    assert_eq!((pool.params, pool.total_rewards_funded), (params(), 1_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_network_gets_its_own_pool() {
    let s = fixture::Staking::new().await;
    let other = s.other_pool().await;
    assert_ne!(other.pool, s.pool);
    let state = staking::pool(&s.env.cluster, &other.network).await.unwrap();
    assert_eq!(
        (state.network, state.mint, state.treasury),
        (other.network, s.env.reward_mint, other.treasury)
    );
    let ours = s.state().await;
    assert_eq!((ours.network, ours.treasury), (s.env.network, s.treasury));
}
