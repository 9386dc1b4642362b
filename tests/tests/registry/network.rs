//! initialize_platform, create_network, update_network, set_network_paused.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::local::LocalCluster;
use depin_client::registry::{self, permission, CreateNetworkArgs, UpdateNetworkArgs};
use depin_client::{Cluster, Keypair, Pubkey, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_registry::state::{MAX_EPOCH_SECS, MIN_EPOCH_SECS};
use depin_tests::*;

fn network_args(name: &str, epoch_length_secs: u32) -> CreateNetworkArgs {
    CreateNetworkArgs {
        name: name.into(),
        epoch_length_secs,
        min_operator_bond: 5,
    }
}

/// Sends `update_network` with `by` signing.
async fn update(
    env: &Env,
    by: &Keypair,
    args: UpdateNetworkArgs,
) -> Result<depin_client::Sent, depin_client::ClientError> {
    let ix = registry::update_network(&by.pubkey(), &env.network, args);
    env.send(&[ix], &[by]).await
}

/// Sends `create_network` for the next id with `creator` signing.
async fn create(
    env: &Env,
    creator: &Keypair,
    args: CreateNetworkArgs,
) -> Result<depin_client::Sent, depin_client::ClientError> {
    let id = registry::next_network_id(&env.cluster).await.unwrap();
    let ix = registry::create_network(&env.payer(), &creator.pubkey(), id, &env.reward_mint, args);
    env.send(&[ix], &[creator]).await
}

// ---- initialize_platform ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_platform_creates_the_id_counter() {
    let cluster = LocalCluster::start().await;
    assert!(registry::platform(&cluster).await.unwrap().is_none());
    let payer = cluster.payer().pubkey();
    cluster
        .send(&[registry::initialize_platform(&payer)], &[])
        .await
        .unwrap();

    let (address, bump) = pda::platform();
    let platform = registry::platform(&cluster).await.unwrap().unwrap();
    assert_eq!(platform.network_count, 0);
    assert_eq!(platform.bump, bump);
    let account = cluster.get_account(&address).await.unwrap().unwrap();
    assert_eq!(account.owner, depin_registry::ID);
    assert_eq!(
        account.lamports,
        cluster.minimum_balance(account.data.len()).await.unwrap()
    );
    assert_eq!(registry::next_network_id(&cluster).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_platform_twice_fails() {
    let env = Env::new().await;
    let before = registry::platform(&env.cluster).await.unwrap().unwrap();
    assert_eq!(before.network_count, env.network_id + 1);

    let result = env
        .send(&[registry::initialize_platform(&env.payer())], &[])
        .await;
    assert_already_in_use(result);
    // Another payer cannot reset it either.
    let other = env.wallet().await;
    let result = env
        .send(&[registry::initialize_platform(&other.pubkey())], &[&other])
        .await;
    assert_already_in_use(result);

    let after = registry::platform(&env.cluster).await.unwrap().unwrap();
    assert_eq!(after.network_count, before.network_count);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_platform_requires_payer_signature() {
    let cluster = LocalCluster::start().await;
    let payer = Keypair::new();
    cluster.airdrop(&payer.pubkey(), SOL).await.unwrap();
    let ix = unsign(
        registry::initialize_platform(&payer.pubkey()),
        &payer.pubkey(),
    );
    assert_error(
        cluster.send(&[ix], &[]).await,
        AnchorError::AccountNotSigner,
    );
    assert!(registry::platform(&cluster).await.unwrap().is_none());
}

// ---- create_network ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_network_stores_config_and_creator_member() {
    let env = Env::new().await;
    let now = env.cluster.unix_timestamp().await.unwrap();
    let (_, bump) = pda::network(env.network_id);

    let network = env.network_state().await;
    assert_eq!(network.network_id, env.network_id);
    assert_eq!(network.name(), "solar-berlin");
    assert_eq!(&network.name[..12], b"solar-berlin");
    assert!(network.name[12..].iter().all(|b| *b == 0));
    assert_eq!(network.creator, env.admin.pubkey());
    assert_eq!(network.reward_mint, env.reward_mint);
    assert_eq!(network.fee_mint, Default::default());
    assert_eq!(network.fee_treasury, Default::default());
    assert_eq!(network.onboarding_fee, 0);
    assert_eq!(network.epoch_length_secs, 86_400);
    assert_eq!(network.min_operator_bond, 1_000);
    assert_eq!(network.maker_count, 0);
    assert_eq!(network.device_count, 0);
    assert_eq!(network.admin_count, 1);
    assert!(!network.paused);
    assert_eq!(network.bump, bump);
    assert!(
        network.created_at > 0 && network.created_at <= now,
        "created_at {}",
        network.created_at
    );

    let member = env.member_state(&env.admin.pubkey()).await.unwrap();
    assert_eq!(member.network, env.network);
    assert_eq!(member.authority, env.admin.pubkey());
    assert_eq!(member.permissions, permission::ALL);
    assert_eq!(
        member.bump,
        pda::member(&env.network, &env.admin.pubkey()).1
    );

    let platform = registry::platform(&env.cluster).await.unwrap().unwrap();
    assert_eq!(platform.network_count, env.network_id + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_network_hands_out_sequential_ids() {
    let env = Env::new().await;
    let other = env.other_network().await;
    assert_eq!(other.network_id, env.network_id + 1);
    assert_eq!(other.network, pda::network(other.network_id).0);

    let network = env.network_state_at(&other.network).await;
    assert_eq!(network.network_id, other.network_id);
    assert_eq!(network.creator, other.admin.pubkey());
    assert_eq!(network.name(), "wind-hamburg");
    assert_eq!(network.admin_count, 1);
    // Each creator holds roles only in its own network.
    let own = env
        .member_state_in(&other.network, &other.admin.pubkey())
        .await
        .unwrap();
    assert_eq!(own.permissions, permission::ALL);
    assert!(env
        .member_state_in(&other.network, &env.admin.pubkey())
        .await
        .is_none());
    assert!(env.member_state(&other.admin.pubkey()).await.is_none());
    assert_eq!(
        registry::next_network_id(&env.cluster).await.unwrap(),
        other.network_id + 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_network_with_a_used_id_fails_seeds() {
    let env = Env::new().await;
    let creator = env.wallet().await;
    // The network PDA must come from the platform's current counter.
    let ix = registry::create_network(
        &env.payer(),
        &creator.pubkey(),
        env.network_id,
        &env.reward_mint,
        network_args("x", 3_600),
    );
    assert_error(
        env.send(&[ix], &[&creator]).await,
        AnchorError::ConstraintSeeds,
    );
    let ix = registry::create_network(
        &env.payer(),
        &creator.pubkey(),
        env.network_id + 2,
        &env.reward_mint,
        network_args("x", 3_600),
    );
    assert_error(
        env.send(&[ix], &[&creator]).await,
        AnchorError::ConstraintSeeds,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_network_requires_creator_signature() {
    let env = Env::new().await;
    let creator = env.wallet().await;
    let id = registry::next_network_id(&env.cluster).await.unwrap();
    let ix = registry::create_network(
        &env.payer(),
        &creator.pubkey(),
        id,
        &env.reward_mint,
        network_args("x", 3_600),
    );
    assert_requires_signature(&env, ix, &creator.pubkey()).await;
    assert_eq!(registry::next_network_id(&env.cluster).await.unwrap(), id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_network_validates_the_name() {
    let env = Env::new().await;
    let creator = env.wallet().await;
    for bad in ["", &"a".repeat(33), "nul\0inside"] {
        assert_error(
            create(&env, &creator, network_args(bad, 3_600)).await,
            RegistryError::InvalidName,
        );
    }
    // 32 bytes (multi-byte UTF-8 counts bytes) is the longest accepted name.
    let longest = "ü".repeat(16);
    assert_eq!(longest.len(), 32);
    let id = registry::next_network_id(&env.cluster).await.unwrap();
    create(&env, &creator, network_args(&longest, 3_600))
        .await
        .unwrap();
    let network = env.network_state_at(&pda::network(id).0).await;
    assert_eq!(network.name(), longest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_network_validates_the_epoch_length() {
    let env = Env::new().await;
    let creator = env.wallet().await;
    for bad in [0, MIN_EPOCH_SECS - 1, MAX_EPOCH_SECS + 1, u32::MAX] {
        assert_error(
            create(&env, &creator, network_args("x", bad)).await,
            RegistryError::InvalidEpochLength,
        );
    }
    for good in [MIN_EPOCH_SECS, MAX_EPOCH_SECS] {
        let id = registry::next_network_id(&env.cluster).await.unwrap();
        let creator = env.wallet().await;
        create(&env, &creator, network_args("x", good))
            .await
            .unwrap();
        let network = env.network_state_at(&pda::network(id).0).await;
        assert_eq!(network.epoch_length_secs, good);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_network_requires_a_real_reward_mint() {
    let env = Env::new().await;
    let creator = env.wallet().await;
    let id = registry::next_network_id(&env.cluster).await.unwrap();
    let not_a_mint = env.wallet().await.pubkey();
    let ix = registry::create_network(
        &env.payer(),
        &creator.pubkey(),
        id,
        &not_a_mint,
        network_args("x", 3_600),
    );
    assert_error(
        env.send(&[ix], &[&creator]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    // A token account is owned by the token program but is not a mint.
    let token_account = env.token_account(&env.reward_mint, &creator.pubkey()).await;
    let ix = registry::create_network(
        &env.payer(),
        &creator.pubkey(),
        id,
        &token_account,
        network_args("x", 3_600),
    );
    assert_instruction_error(
        env.send(&[ix], &[&creator]).await,
        0,
        InstructionError::InvalidAccountData,
    );
    assert_eq!(registry::next_network_id(&env.cluster).await.unwrap(), id);
}

// ---- update_network ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_network_changes_only_the_given_fields() {
    let env = Env::new().await;
    let args = UpdateNetworkArgs {
        epoch_length_secs: Some(7_200),
        min_operator_bond: None,
    };
    update(&env, &env.admin, args).await.unwrap();
    let network = env.network_state().await;
    assert_eq!(
        (network.epoch_length_secs, network.min_operator_bond),
        (7_200, 1_000)
    );

    let args = UpdateNetworkArgs {
        epoch_length_secs: None,
        min_operator_bond: Some(0),
    };
    update(&env, &env.admin, args).await.unwrap();
    let network = env.network_state().await;
    assert_eq!(
        (network.epoch_length_secs, network.min_operator_bond),
        (7_200, 0)
    );

    let args = UpdateNetworkArgs {
        epoch_length_secs: Some(MAX_EPOCH_SECS),
        min_operator_bond: Some(u64::MAX),
    };
    update(&env, &env.admin, args).await.unwrap();
    let network = env.network_state().await;
    assert_eq!(
        (network.epoch_length_secs, network.min_operator_bond),
        (MAX_EPOCH_SECS, u64::MAX)
    );
    // Nothing else moved.
    assert_eq!(network.name(), "solar-berlin");
    assert_eq!(network.admin_count, 1);
    assert!(!network.paused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_network_rejects_bad_input() {
    let env = Env::new().await;
    assert_error(
        update(&env, &env.admin, UpdateNetworkArgs::default()).await,
        RegistryError::NothingToUpdate,
    );
    for bad in [0, MIN_EPOCH_SECS - 1, MAX_EPOCH_SECS + 1] {
        let args = UpdateNetworkArgs {
            epoch_length_secs: Some(bad),
            min_operator_bond: Some(1),
        };
        assert_error(
            update(&env, &env.admin, args).await,
            RegistryError::InvalidEpochLength,
        );
    }
    let network = env.network_state().await;
    assert_eq!(
        (network.epoch_length_secs, network.min_operator_bond),
        (86_400, 1_000)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_network_requires_admin_signature() {
    let env = Env::new().await;
    let args = UpdateNetworkArgs {
        epoch_length_secs: Some(600),
        min_operator_bond: None,
    };
    let ix = registry::update_network(&env.admin.pubkey(), &env.network, args);
    assert_requires_signature(&env, ix, &env.admin.pubkey()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_network_requires_the_admin_permission() {
    let env = Env::new().await;
    let args = || UpdateNetworkArgs {
        epoch_length_secs: Some(600),
        min_operator_bond: None,
    };
    // Every other bit is not enough; nor is the admin of another network
    // with its own member record, or a stranger presenting the real admin's.
    let ix = |by: &Pubkey| registry::update_network(by, &env.network, args());
    let (stranger, admin) = (env.wallet().await, env.admin.pubkey());
    assert_requires_permission(&env, ix, permission::ADMIN, &stranger, &admin).await;

    // A stranger without any record at all.
    assert_error(
        update(&env, &stranger, args()).await,
        AnchorError::AccountNotInitialized,
    );

    let network = env.network_state().await;
    assert_eq!(network.epoch_length_secs, 86_400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_network_rejects_fake_and_cosplaying_accounts() {
    let env = Env::new().await;
    let admin = env.admin.pubkey();
    let args = UpdateNetworkArgs {
        epoch_length_secs: Some(600),
        min_operator_bond: None,
    };
    let admin_member = pda::member(&env.network, &admin).0;
    let ix = registry::update_network(&admin, &env.network, args);
    let signers = [&env.admin];

    // A system-owned account, and the admin's Member record (type cosplay),
    // as the network.
    assert_rejects_substitutes(&env, &ix, &env.network, &admin_member, &signers).await;

    // A Device where the Member record is expected (type cosplay).
    let maker = env.maker(5).await;
    let device_key = env.device(&maker, &admin).await.pubkey();
    let device = pda::device(&env.network, &device_key).0;
    assert_rejects_cosplay(&env, &ix, &admin_member, &device, &signers).await;
    // A token account (owned by another program) as the member.
    let token_account = env.token_account(&env.reward_mint, &admin).await;
    let ix = substitute(ix, &admin_member, &token_account);
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );

    let network = env.network_state().await;
    assert_eq!(network.epoch_length_secs, 86_400);
}

// ---- set_network_paused ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_network() {
    let env = Env::new().await;
    env.set_paused(true).await;
    let network = env.network_state().await;
    assert!(network.paused);
    assert_eq!(network.epoch_length_secs, 86_400);

    env.set_paused(false).await;
    assert!(!env.network_state().await.paused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_state_must_change() {
    let env = Env::new().await;
    let admin = env.admin.pubkey();
    let resume = registry::set_network_paused(&admin, &env.network, false);
    assert_error(
        env.send(&[resume], &[&env.admin]).await,
        RegistryError::PauseStateUnchanged,
    );

    let pause = registry::set_network_paused(&admin, &env.network, true);
    env.send(std::slice::from_ref(&pause), &[&env.admin])
        .await
        .unwrap();
    // The identical instruction again really reaches the program (fresh blockhash).
    assert_error(
        env.send(&[pause], &[&env.admin]).await,
        RegistryError::PauseStateUnchanged,
    );
    assert!(env.network_state().await.paused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_requires_signature_and_admin_permission() {
    let env = Env::new().await;
    let admin = env.admin.pubkey();
    let pause = |by: &Pubkey| registry::set_network_paused(by, &env.network, true);
    assert_requires_signature(&env, pause(&admin), &admin).await;

    let stranger = env.wallet().await;
    let other = assert_requires_permission(&env, pause, permission::ADMIN, &stranger, &admin).await;

    // Pausing one network leaves the other alone, and a fake network fails.
    assert_rejects_fake(&env, &pause(&admin), &env.network, &[&env.admin]).await;
    assert!(!env.network_state().await.paused);
    assert!(!env.network_state_at(&other.network).await.paused);
}
