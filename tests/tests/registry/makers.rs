//! approve_maker, set_maker_quota, revoke_maker, and how makers gate onboarding.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::registry::{self, permission, ApproveMakerArgs};
use depin_client::{ClientError, Keypair, Pubkey, Sent, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_tests::*;

fn maker_args(authority: &Pubkey, name: &str, quota: u32) -> ApproveMakerArgs {
    ApproveMakerArgs {
        maker_authority: *authority,
        name: name.into(),
        quota,
    }
}

async fn approve(env: &Env, by: &Keypair, args: ApproveMakerArgs) -> Result<Sent, ClientError> {
    let ix = registry::approve_maker(&env.payer(), &by.pubkey(), &env.network, args);
    env.send(&[ix], &[by]).await
}

// ---- approve_maker ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_maker_creates_the_maker_with_sequential_ids() {
    let env = Env::new().await;
    let first = Keypair::new().pubkey();
    approve(&env, &env.admin, maker_args(&first, "Acme Batteries", 100))
        .await
        .unwrap();

    let maker = env.maker_state(&first).await;
    assert_eq!(maker.network, env.network);
    assert_eq!(maker.authority, first);
    assert_eq!(maker.maker_id, 0);
    assert_eq!(maker.quota, 100);
    assert_eq!(maker.devices_onboarded, 0);
    assert!(maker.active);
    assert_eq!(maker.bump, pda::maker(&env.network, &first).1);
    assert_eq!(&maker.name[..14], b"Acme Batteries");
    assert!(maker.name[14..].iter().all(|b| *b == 0));
    assert_eq!(env.network_state().await.maker_count, 1);

    let second = Keypair::new().pubkey();
    approve(&env, &env.admin, maker_args(&second, "Volt", u32::MAX))
        .await
        .unwrap();
    let maker = env.maker_state(&second).await;
    assert_eq!(maker.maker_id, 1);
    assert_eq!(maker.quota, u32::MAX);
    assert_eq!(env.network_state().await.maker_count, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maker_manager_alone_may_approve() {
    let env = Env::new().await;
    let manager = env.member(permission::MAKER_MANAGER).await;
    let authority = Keypair::new().pubkey();
    approve(&env, &manager, maker_args(&authority, "m", 1))
        .await
        .unwrap();
    assert!(env.maker_state(&authority).await.active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_maker_twice_for_the_same_authority_fails() {
    let env = Env::new().await;
    let authority = Keypair::new().pubkey();
    approve(&env, &env.admin, maker_args(&authority, "first", 5))
        .await
        .unwrap();
    assert_already_in_use(approve(&env, &env.admin, maker_args(&authority, "second", 9)).await);
    let maker = env.maker_state(&authority).await;
    assert_eq!((maker.quota, maker.maker_id), (5, 0));
    assert_eq!(&maker.name[..5], b"first");
    assert_eq!(env.network_state().await.maker_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_authority_can_be_a_maker_in_two_networks() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let authority = Keypair::new().pubkey();
    approve(&env, &env.admin, maker_args(&authority, "m", 5))
        .await
        .unwrap();
    let ix = registry::approve_maker(
        &env.payer(),
        &other.admin.pubkey(),
        &other.network,
        maker_args(&authority, "m", 7),
    );
    env.send(&[ix], &[&other.admin]).await.unwrap();
    let here = env.maker_state(&authority).await;
    let there = env.maker_state_in(&other.network, &authority).await;
    assert_eq!((here.network, here.quota), (env.network, 5));
    assert_eq!(
        (there.network, there.quota, there.maker_id),
        (other.network, 7, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_maker_validates_the_name() {
    let env = Env::new().await;
    let authority = Keypair::new().pubkey();
    for bad in ["", &"m".repeat(33)] {
        assert_error(
            approve(&env, &env.admin, maker_args(&authority, bad, 1)).await,
            RegistryError::InvalidName,
        );
    }
    assert!(!env.exists(&pda::maker(&env.network, &authority).0).await);
    approve(&env, &env.admin, maker_args(&authority, &"m".repeat(32), 1))
        .await
        .unwrap();
    assert_eq!(env.maker_state(&authority).await.name, [b'm'; 32]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_maker_rejects_the_default_key_as_authority() {
    let env = Env::new().await;
    let nobody = Pubkey::default();
    assert_error(
        approve(&env, &env.admin, maker_args(&nobody, "m", 1)).await,
        RegistryError::InvalidMakerAuthority,
    );
    assert!(!env.exists(&pda::maker(&env.network, &nobody).0).await);
    let network = env.network_state().await;
    assert_eq!(network.maker_count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_maker_requires_signature_and_maker_manager() {
    let env = Env::new().await;
    let authority = Keypair::new().pubkey();
    let ix = |by: &Pubkey| {
        registry::approve_maker(
            &env.payer(),
            by,
            &env.network,
            maker_args(&authority, "m", 1),
        )
    };
    let (stranger, admin) = (env.wallet().await, env.admin.pubkey());
    assert_requires_signature(&env, ix(&admin), &admin).await;
    assert_requires_permission(&env, ix, permission::MAKER_MANAGER, &stranger, &admin).await;

    assert!(!env.exists(&pda::maker(&env.network, &authority).0).await);
    assert_eq!(env.network_state().await.maker_count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_maker_rejects_fake_and_cosplaying_accounts() {
    let env = Env::new().await;
    let admin = env.admin.pubkey();
    let existing = env.maker(1).await;
    let authority = Keypair::new().pubkey();
    let ix = registry::approve_maker(
        &env.payer(),
        &admin,
        &env.network,
        maker_args(&authority, "m", 1),
    );

    // A Maker record where the Member record is expected.
    let maker_record = pda::maker(&env.network, &existing.pubkey()).0;
    let member = pda::member(&env.network, &admin).0;
    assert_rejects_cosplay(&env, &ix, &member, &maker_record, &[&env.admin]).await;
    // A system-owned account as the network.
    assert_rejects_fake(&env, &ix, &env.network, &[&env.admin]).await;
    assert_eq!(env.network_state().await.maker_count, 1);
}

// ---- set_maker_quota ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_maker_quota_raises_and_lowers_down_to_onboarded() {
    let env = Env::new().await;
    let maker = env.maker(3).await;
    env.device(&maker, &env.admin.pubkey()).await;
    env.device(&maker, &env.admin.pubkey()).await;
    let set = |quota| {
        registry::set_maker_quota(&env.admin.pubkey(), &env.network, &maker.pubkey(), quota)
    };

    env.send(&[set(u32::MAX)], &[&env.admin]).await.unwrap();
    assert_eq!(env.maker_state(&maker.pubkey()).await.quota, u32::MAX);

    // Down to exactly the devices already onboarded is fine...
    env.send(&[set(2)], &[&env.admin]).await.unwrap();
    let state = env.maker_state(&maker.pubkey()).await;
    assert_eq!((state.quota, state.devices_onboarded), (2, 2));
    // ...below it is not.
    assert_error(
        env.send(&[set(1)], &[&env.admin]).await,
        RegistryError::QuotaBelowOnboarded,
    );
    assert_error(
        env.send(&[set(0)], &[&env.admin]).await,
        RegistryError::QuotaBelowOnboarded,
    );
    let state = env.maker_state(&maker.pubkey()).await;
    assert_eq!(state.quota, 2);
    assert!(state.active);
    assert_eq!(state.maker_id, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_maker_quota_requires_signature_and_maker_manager() {
    let env = Env::new().await;
    let maker = env.maker(3).await;
    let ix = |by: &Pubkey| registry::set_maker_quota(by, &env.network, &maker.pubkey(), 10);

    let (stranger, admin) = (env.wallet().await, env.admin.pubkey());
    assert_requires_signature(&env, ix(&admin), &admin).await;
    assert_requires_permission(&env, ix, permission::MAKER_MANAGER, &stranger, &admin).await;

    let manager = env.member(permission::MAKER_MANAGER).await;
    env.send(&[ix(&manager.pubkey())], &[&manager])
        .await
        .unwrap();
    assert_eq!(env.maker_state(&maker.pubkey()).await.quota, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_maker_quota_rejects_a_maker_of_another_network() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let foreign_maker = env.maker_in(&other.network, &other.admin, 3).await;
    let ix = registry::set_maker_quota(
        &env.admin.pubkey(),
        &env.network,
        &foreign_maker.pubkey(),
        1_000,
    );
    let ix = env.cross_network(ix, pda::maker, &foreign_maker.pubkey(), &other.network);
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        RegistryError::MakerNetworkMismatch,
    );
    assert_eq!(
        env.maker_state_in(&other.network, &foreign_maker.pubkey())
            .await
            .quota,
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_maker_quota_rejects_fake_and_cosplaying_makers() {
    let env = Env::new().await;
    let maker = env.maker(3).await;
    let maker_record = pda::maker(&env.network, &maker.pubkey()).0;
    let ix = registry::set_maker_quota(&env.admin.pubkey(), &env.network, &maker.pubkey(), 10);

    let device = pda::device(
        &env.network,
        &env.device(&maker, &env.admin.pubkey()).await.pubkey(),
    )
    .0;
    assert_rejects_substitutes(&env, &ix, &maker_record, &device, &[&env.admin]).await;
    // A member record as the maker (same owner, other type).
    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    assert_rejects_cosplay(&env, &ix, &maker_record, &member, &[&env.admin]).await;
    assert_eq!(env.maker_state(&maker.pubkey()).await.quota, 3);
}

// ---- revoke_maker ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_maker_stops_onboarding_and_keeps_devices() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let device = env.device(&maker, &env.admin.pubkey()).await;

    let ix = registry::revoke_maker(&env.admin.pubkey(), &env.network, &maker.pubkey());
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let state = env.maker_state(&maker.pubkey()).await;
    assert!(!state.active);
    assert_eq!(
        (state.quota, state.devices_onboarded, state.maker_id),
        (10, 1, 0)
    );

    let (key, result) = env.try_device(&maker, None).await;
    assert_error(result, RegistryError::MakerRevoked);
    assert!(!env.device_exists(&key.pubkey()).await);

    // Devices it already onboarded stay registered and usable.
    let stored = env.device_state(&device.pubkey()).await;
    assert_eq!(stored.maker_id, 0);
    let ix = registry::update_device(
        &env.admin.pubkey(),
        &env.network,
        &device.pubkey(),
        registry::UpdateDeviceArgs {
            location: None,
            capacity: Some(1),
        },
    );
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let network = env.network_state().await;
    assert_eq!((network.device_count, network.maker_count), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_maker_twice_fails() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let ix = registry::revoke_maker(&env.admin.pubkey(), &env.network, &maker.pubkey());
    env.send(std::slice::from_ref(&ix), &[&env.admin])
        .await
        .unwrap();
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        RegistryError::MakerRevoked,
    );
    assert!(!env.maker_state(&maker.pubkey()).await.active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_maker_requires_signature_and_maker_manager() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let ix = |by: &Pubkey| registry::revoke_maker(by, &env.network, &maker.pubkey());

    let (stranger, admin) = (env.wallet().await, env.admin.pubkey());
    assert_requires_signature(&env, ix(&admin), &admin).await;
    assert_requires_permission(&env, ix, permission::MAKER_MANAGER, &stranger, &admin).await;

    // Its own maker authority cannot revoke it either (no member record).
    assert_error(
        env.send(&[ix(&maker.pubkey())], &[&maker]).await,
        AnchorError::AccountNotInitialized,
    );

    assert!(env.maker_state(&maker.pubkey()).await.active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_maker_rejects_a_maker_of_another_network() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let foreign_maker = env.maker_in(&other.network, &other.admin, 3).await;
    let ix = registry::revoke_maker(&env.admin.pubkey(), &env.network, &foreign_maker.pubkey());
    let ix = env.cross_network(ix, pda::maker, &foreign_maker.pubkey(), &other.network);
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        RegistryError::MakerNetworkMismatch,
    );
    assert!(
        env.maker_state_in(&other.network, &foreign_maker.pubkey())
            .await
            .active
    );
}

// ---- quotas at onboarding ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_quota_maker_cannot_onboard() {
    let env = Env::new().await;
    let maker = env.maker(0).await;
    let (key, result) = env.try_device(&maker, None).await;
    assert_error(result, RegistryError::MakerQuotaExceeded);
    assert!(!env.device_exists(&key.pubkey()).await);
    assert_eq!(env.maker_state(&maker.pubkey()).await.devices_onboarded, 0);
    assert_eq!(env.network_state().await.device_count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_stops_at_the_quota_until_it_is_raised() {
    let env = Env::new().await;
    let maker = env.maker(2).await;
    env.try_device(&maker, None).await.1.unwrap();
    env.try_device(&maker, None).await.1.unwrap();
    let (_, result) = env.try_device(&maker, None).await;
    assert_error(result, RegistryError::MakerQuotaExceeded);
    let state = env.maker_state(&maker.pubkey()).await;
    assert_eq!((state.devices_onboarded, state.quota), (2, 2));
    assert_eq!(env.network_state().await.device_count, 2);

    let ix = registry::set_maker_quota(&env.admin.pubkey(), &env.network, &maker.pubkey(), 3);
    env.send(&[ix], &[&env.admin]).await.unwrap();
    env.try_device(&maker, None).await.1.unwrap();
    assert_eq!(env.maker_state(&maker.pubkey()).await.devices_onboarded, 3);
    assert_eq!(env.network_state().await.device_count, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_u32_max_quota_maker_onboards() {
    let env = Env::new().await;
    let maker = env.maker(u32::MAX).await;
    env.try_device(&maker, None).await.1.unwrap();
    let state = env.maker_state(&maker.pubkey()).await;
    assert_eq!((state.devices_onboarded, state.quota), (1, u32::MAX));
}
