//! register_device, update_device, transfer_device, set_device_operator, and
//! what a paused network still allows.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::registry::{self, UpdateDeviceArgs};
use depin_client::{Cluster, Keypair, Pubkey, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_registry::state::{Device, DeviceKind, DeviceStatus};
use depin_tests::*;

/// An H3 index with a stray digit past its resolution.
const BAD_CELL: u64 = 0x8928308280ffffe;

async fn fixture() -> DeviceFixture {
    DeviceFixture::new().await
}

fn location(cell: u64) -> UpdateDeviceArgs {
    UpdateDeviceArgs {
        location: Some(cell),
        capacity: None,
    }
}

fn capacity(value: u32) -> UpdateDeviceArgs {
    UpdateDeviceArgs {
        location: None,
        capacity: Some(value),
    }
}

// ---- register_device ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_stores_every_field_and_counts() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let _earlier_maker = env.maker(10).await;
    let second_maker = env.maker(10).await;
    let owner = env.wallet().await;
    let before = env.cluster.unix_timestamp().await.unwrap();
    let payer_before = env.lamports(&env.payer()).await;

    let key = Keypair::new();
    let new = registry::NewDevice {
        device_key: key.pubkey(),
        owner: owner.pubkey(),
        kind: DeviceKind::SolarInverter,
        location: SF_CELL_RES5,
        capacity: 9_000,
    };
    env.register(&second_maker, &key, &new).await.unwrap();
    let after = env.cluster.unix_timestamp().await.unwrap();

    let (address, bump) = pda::device(&env.network, &key.pubkey());
    let device = env.device_state(&key.pubkey()).await;
    assert_eq!(device.device_key, key.pubkey());
    assert_eq!(device.owner, owner.pubkey());
    assert_eq!(device.operator, Pubkey::default());
    assert_eq!(device.network_id, env.network_id);
    assert_eq!(device.maker_id, 2);
    assert_eq!(device.location, SF_CELL_RES5);
    assert_eq!(device.capacity, 9_000);
    assert!(
        (before..=after).contains(&i64::from(device.registered_at)),
        "registered_at {}",
        device.registered_at
    );
    assert_eq!(device.attestation_nonce, 0);
    assert_eq!(device.kind, DeviceKind::SolarInverter);
    assert_eq!(device.status, DeviceStatus::Active);
    assert_eq!(device.bump, bump);

    let account = env.cluster.get_account(&address).await.unwrap().unwrap();
    assert_eq!(account.owner, depin_registry::ID);
    assert_eq!(account.data.len(), Device::SIZE);
    let rent = env.cluster.minimum_balance(Device::SIZE).await.unwrap();
    assert_eq!(account.lamports, rent);
    // The payer paid the rent (plus the fee of one transaction with 3 signatures).
    let paid = payer_before - env.lamports(&env.payer()).await;
    assert!(
        paid >= rent && paid <= rent + 3 * 5_000,
        "payer paid {paid}, rent {rent}"
    );

    let network = env.network_state().await;
    assert_eq!(network.device_count, 1);
    assert_eq!((network.registrations, device.registration), (1, 1));
    assert_eq!(network.maker_count, 3);
    let counted = env.maker_state(&second_maker.pubkey()).await;
    assert_eq!(counted.devices_onboarded, 1);
    let untouched = env.maker_state(&maker.pubkey()).await;
    assert_eq!(untouched.devices_onboarded, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_accepts_an_unknown_location() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let (key, mut new) = Env::new_device(&env.admin.pubkey());
    new.location = 0;
    env.register(&maker, &key, &new).await.unwrap();
    assert_eq!(env.device_state(&key.pubkey()).await.location, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_rejects_bad_input() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    for bad in [BAD_CELL, 1, u64::MAX] {
        let (key, mut new) = Env::new_device(&env.admin.pubkey());
        new.location = bad;
        assert_error(
            env.register(&maker, &key, &new).await,
            RegistryError::InvalidLocation,
        );
    }
    let (key, new) = Env::new_device(&Pubkey::default());
    assert_error(
        env.register(&maker, &key, &new).await,
        RegistryError::InvalidNewOwner,
    );
    assert_eq!(env.network_state().await.device_count, 0);
    assert_eq!(env.maker_state(&maker.pubkey()).await.devices_onboarded, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_requires_device_and_maker_signatures() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);

    let no_device = unsign(ix.clone(), &key.pubkey());
    assert_error(
        env.send(&[no_device], &[&maker]).await,
        AnchorError::AccountNotSigner,
    );
    let no_maker = unsign(ix, &maker.pubkey());
    assert_error(
        env.send(&[no_maker], &[&key]).await,
        AnchorError::AccountNotSigner,
    );
    assert!(!env.device_exists(&key.pubkey()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_the_same_device_twice_fails() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    env.register(&maker, &key, &new).await.unwrap();
    assert_already_in_use(env.register(&maker, &key, &new).await);
    // Another owner cannot take the key over either.
    let mut hijack = new.clone();
    hijack.owner = Keypair::new().pubkey();
    assert_already_in_use(env.register(&maker, &key, &hijack).await);

    assert_eq!(
        env.device_state(&key.pubkey()).await.owner,
        env.admin.pubkey()
    );
    assert_eq!(env.network_state().await.device_count, 1);
    assert_eq!(env.maker_state(&maker.pubkey()).await.devices_onboarded, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_device_key_can_join_two_networks() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let maker = env.maker(10).await;
    let other_maker = env.maker_in(&other.network, &other.admin, 10).await;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    env.register(&maker, &key, &new).await.unwrap();
    env.register_in(&other.network, &other_maker, &key, &new, None)
        .await
        .unwrap();
    let here = env.device_state(&key.pubkey()).await;
    let there = env.device_state_in(&other.network, &key.pubkey()).await;
    assert_eq!(
        (here.network_id, there.network_id),
        (env.network_id, other.network_id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_rejects_a_maker_of_another_network() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let foreign_maker = env.maker_in(&other.network, &other.admin, 10).await;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    let ix = registry::register_device(
        &env.payer(),
        &env.network,
        &foreign_maker.pubkey(),
        &new,
        None,
    );
    let ix = env.cross_network(ix, pda::maker, &foreign_maker.pubkey(), &other.network);
    assert_error(
        env.send(&[ix], &[&key, &foreign_maker]).await,
        RegistryError::MakerNetworkMismatch,
    );
    let stored = env
        .maker_state_in(&other.network, &foreign_maker.pubkey())
        .await;
    assert_eq!(stored.devices_onboarded, 0);
    assert!(!env.device_exists(&key.pubkey()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_rejects_another_makers_record() {
    let env = Env::new().await;
    let approved = env.maker(10).await;
    let impostor = Keypair::new();
    let (key, new) = Env::new_device(&env.admin.pubkey());
    // The impostor signs as maker authority but presents the approved maker's record.
    let ix = registry::register_device(&env.payer(), &env.network, &impostor.pubkey(), &new, None);
    let ix = substitute(
        ix,
        &pda::maker(&env.network, &impostor.pubkey()).0,
        &pda::maker(&env.network, &approved.pubkey()).0,
    );
    assert_error(
        env.send(&[ix], &[&key, &impostor]).await,
        RegistryError::MissingPermission,
    );
    // Without any maker record at all.
    assert_error(
        env.register(&impostor, &key, &new).await,
        AnchorError::AccountNotInitialized,
    );
    assert_eq!(
        env.maker_state(&approved.pubkey()).await.devices_onboarded,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_rejects_fake_and_cosplaying_accounts() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let maker_record = pda::maker(&env.network, &maker.pubkey()).0;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);
    let signers = [&key, &maker];

    // A system-owned account, and the maker record, passed as the network.
    assert_rejects_substitutes(&env, &ix, &env.network, &maker_record, &signers).await;
    // A member record passed as the maker.
    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    assert_rejects_cosplay(&env, &ix, &maker_record, &member, &signers).await;
    // A device address not derived from the signing device key.
    let elsewhere = substitute(
        ix,
        &pda::device(&env.network, &key.pubkey()).0,
        &Keypair::new().pubkey(),
    );
    assert_error(
        env.send(&[elsewhere], &signers).await,
        AnchorError::ConstraintSeeds,
    );
    assert_eq!(env.network_state().await.device_count, 0);
}

// ---- update_device ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_updates_location_and_capacity_separately() {
    let f = fixture().await;
    f.update(&f.owner, location(SF_CELL_RES5)).await.unwrap();
    let device = f.stored().await;
    assert_eq!((device.location, device.capacity), (SF_CELL_RES5, 13_500));

    f.update(&f.owner, capacity(20_000)).await.unwrap();
    let device = f.stored().await;
    assert_eq!((device.location, device.capacity), (SF_CELL_RES5, 20_000));

    let both = UpdateDeviceArgs {
        location: Some(0),
        capacity: Some(0),
    };
    f.update(&f.owner, both).await.unwrap();
    let device = f.stored().await;
    assert_eq!((device.location, device.capacity), (0, 0));
    assert_eq!(device.owner, f.owner.pubkey());
    assert_eq!(device.status, DeviceStatus::Active);
    assert_eq!(device.attestation_nonce, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_device_rejects_bad_input() {
    let f = fixture().await;
    assert_error(
        f.update(&f.owner, UpdateDeviceArgs::default()).await,
        RegistryError::NothingToUpdate,
    );
    for bad in [BAD_CELL, 1, u64::MAX] {
        let args = UpdateDeviceArgs {
            location: Some(bad),
            capacity: Some(1),
        };
        assert_error(
            f.update(&f.owner, args).await,
            RegistryError::InvalidLocation,
        );
    }
    let device = f.stored().await;
    assert_eq!((device.location, device.capacity), (SF_CELL, 13_500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_device_requires_owner_or_operator() {
    let f = fixture().await;
    let ix = registry::update_device(&f.owner.pubkey(), &f.env.network, &f.key(), capacity(1));
    assert_requires_signature(&f.env, ix, &f.owner.pubkey()).await;

    let stranger = f.env.wallet().await;
    assert_error(
        f.update(&stranger, capacity(1)).await,
        RegistryError::NotDeviceOwnerOrOperator,
    );
    // Neither the maker nor a network admin may touch it.
    assert_error(
        f.update(&f.maker, capacity(1)).await,
        RegistryError::NotDeviceOwnerOrOperator,
    );
    assert_error(
        f.update(&f.env.admin, capacity(1)).await,
        RegistryError::NotDeviceOwnerOrOperator,
    );
    // The device key itself is not the owner.
    assert_error(
        f.update(&f.device, capacity(1)).await,
        RegistryError::NotDeviceOwnerOrOperator,
    );
    assert_eq!(f.stored().await.capacity, 13_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_updates_the_device() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    f.set_operator(&f.owner, &operator.pubkey()).await.unwrap();
    f.update(
        &operator,
        UpdateDeviceArgs {
            location: Some(SF_CELL_RES5),
            capacity: Some(7),
        },
    )
    .await
    .unwrap();
    let device = f.stored().await;
    assert_eq!((device.location, device.capacity), (SF_CELL_RES5, 7));
    assert_eq!(device.owner, f.owner.pubkey());
    assert_eq!(device.operator, operator.pubkey());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_device_rejects_a_device_of_another_network() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;
    let foreign = foreign.pubkey();
    let ix = registry::update_device(&f.owner.pubkey(), &env.network, &foreign, capacity(1));
    assert_rejects_foreign_device(env, ix, &foreign, &other, &[&f.owner]).await;
    let stored = env.device_state_in(&other.network, &foreign).await;
    assert_eq!(stored.capacity, 13_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_device_rejects_fake_and_cosplaying_accounts() {
    let f = fixture().await;
    let env = &f.env;
    let ix = registry::update_device(&f.owner.pubkey(), &env.network, &f.key(), capacity(1));
    let member = pda::member(&env.network, &env.admin.pubkey()).0;

    assert_rejects_substitutes(env, &ix, &f.address(), &member, &[&f.owner]).await;
    let nowhere = substitute(ix.clone(), &f.address(), &Keypair::new().pubkey());
    assert_error(
        env.send(&[nowhere], &[&f.owner]).await,
        AnchorError::AccountNotInitialized,
    );
    // A system-owned account, and the device, passed as the network.
    assert_rejects_substitutes(env, &ix, &env.network, &f.address(), &[&f.owner]).await;
    assert_eq!(f.stored().await.capacity, 13_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_device_rejects_a_retired_device() {
    let f = fixture().await;
    f.retire(&f.owner).await.unwrap();
    assert_error(
        f.update(&f.owner, capacity(1)).await,
        RegistryError::DeviceRetired,
    );
    assert_eq!(f.stored().await.capacity, 13_500);
}

// ---- transfer_device ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_moves_ownership_and_clears_the_operator() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    f.set_operator(&f.owner, &operator.pubkey()).await.unwrap();
    let new_owner = f.env.wallet().await;
    f.transfer(&f.owner, &new_owner.pubkey()).await.unwrap();

    let device = f.stored().await;
    assert_eq!(device.owner, new_owner.pubkey());
    assert_eq!(device.operator, Pubkey::default());
    assert_eq!(device.status, DeviceStatus::Active);
    assert_eq!((device.location, device.capacity), (SF_CELL, 13_500));
    assert_eq!(device.device_key, f.key());

    // The old owner and the old operator lost control.
    assert_error(
        f.update(&f.owner, capacity(1)).await,
        RegistryError::NotDeviceOwnerOrOperator,
    );
    assert_error(
        f.update(&operator, capacity(1)).await,
        RegistryError::NotDeviceOwnerOrOperator,
    );
    assert_error(
        f.transfer(&f.owner, &f.owner.pubkey()).await,
        RegistryError::NotDeviceOwner,
    );
    assert_error(
        f.set_operator(&f.owner, &operator.pubkey()).await,
        RegistryError::NotDeviceOwner,
    );
    assert_error(f.retire(&f.owner).await, RegistryError::NotDeviceOwner);

    // The new owner has it.
    f.update(&new_owner, capacity(2)).await.unwrap();
    f.transfer(&new_owner, &f.owner.pubkey()).await.unwrap();
    assert_eq!(f.stored().await.owner, f.owner.pubkey());
    assert_eq!(f.stored().await.capacity, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_rejects_self_and_the_default_key() {
    let f = fixture().await;
    assert_error(
        f.transfer(&f.owner, &f.owner.pubkey()).await,
        RegistryError::InvalidNewOwner,
    );
    assert_error(
        f.transfer(&f.owner, &Pubkey::default()).await,
        RegistryError::InvalidNewOwner,
    );
    assert_eq!(f.stored().await.owner, f.owner.pubkey());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_and_strangers_cannot_transfer() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    f.set_operator(&f.owner, &operator.pubkey()).await.unwrap();
    assert_error(
        f.transfer(&operator, &operator.pubkey()).await,
        RegistryError::NotDeviceOwner,
    );
    let stranger = f.env.wallet().await;
    assert_error(
        f.transfer(&stranger, &stranger.pubkey()).await,
        RegistryError::NotDeviceOwner,
    );
    assert_error(
        f.transfer(&f.env.admin, &stranger.pubkey()).await,
        RegistryError::NotDeviceOwner,
    );

    let ix = registry::transfer_device(
        &f.owner.pubkey(),
        &f.env.network,
        &f.key(),
        &stranger.pubkey(),
    );
    assert_requires_signature(&f.env, ix, &f.owner.pubkey()).await;

    let device = f.stored().await;
    assert_eq!(
        (device.owner, device.operator),
        (f.owner.pubkey(), operator.pubkey())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_rejects_retired_and_foreign_devices() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;
    let foreign = foreign.pubkey();
    let new_owner = Keypair::new().pubkey();
    let ix = registry::transfer_device(&f.owner.pubkey(), &env.network, &foreign, &new_owner);
    assert_rejects_foreign_device(env, ix, &foreign, &other, &[&f.owner]).await;
    let stored = env.device_state_in(&other.network, &foreign).await;
    assert_eq!(stored.owner, f.owner.pubkey());

    let ix = registry::transfer_device(&f.owner.pubkey(), &env.network, &f.key(), &new_owner);
    assert_rejects_fake(env, &ix, &f.address(), &[&f.owner]).await;

    f.retire(&f.owner).await.unwrap();
    assert_error(
        f.transfer(&f.owner, &new_owner).await,
        RegistryError::DeviceRetired,
    );
    assert_eq!(f.stored().await.owner, f.owner.pubkey());
}

// ---- set_device_operator ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_sets_changes_and_clears_the_operator() {
    let f = fixture().await;
    let first = Keypair::new().pubkey();
    let second = Keypair::new().pubkey();
    f.set_operator(&f.owner, &first).await.unwrap();
    assert_eq!(f.stored().await.operator, first);
    f.set_operator(&f.owner, &second).await.unwrap();
    assert_eq!(f.stored().await.operator, second);
    f.set_operator(&f.owner, &Pubkey::default()).await.unwrap();
    let device = f.stored().await;
    assert_eq!(device.operator, Pubkey::default());
    assert_eq!(device.owner, f.owner.pubkey());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_operator_must_change_it() {
    let f = fixture().await;
    // Clearing an unset operator is no change.
    assert_error(
        f.set_operator(&f.owner, &Pubkey::default()).await,
        RegistryError::OperatorUnchanged,
    );
    let operator = Keypair::new().pubkey();
    f.set_operator(&f.owner, &operator).await.unwrap();
    assert_error(
        f.set_operator(&f.owner, &operator).await,
        RegistryError::OperatorUnchanged,
    );
    assert_eq!(f.stored().await.operator, operator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_sets_the_operator() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    f.set_operator(&f.owner, &operator.pubkey()).await.unwrap();
    let other = Keypair::new().pubkey();
    // The operator cannot replace itself or clear itself.
    assert_error(
        f.set_operator(&operator, &other).await,
        RegistryError::NotDeviceOwner,
    );
    assert_error(
        f.set_operator(&operator, &Pubkey::default()).await,
        RegistryError::NotDeviceOwner,
    );
    let stranger = f.env.wallet().await;
    assert_error(
        f.set_operator(&stranger, &stranger.pubkey()).await,
        RegistryError::NotDeviceOwner,
    );

    let ix = registry::set_device_operator(&f.owner.pubkey(), &f.env.network, &f.key(), &other);
    assert_requires_signature(&f.env, ix, &f.owner.pubkey()).await;
    assert_eq!(f.stored().await.operator, operator.pubkey());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_operator_rejects_retired_and_foreign_devices() {
    let f = fixture().await;
    let env = &f.env;
    let operator = Keypair::new().pubkey();
    let (other, foreign) = f.foreign_device().await;
    let foreign = foreign.pubkey();
    let ix = registry::set_device_operator(&f.owner.pubkey(), &env.network, &foreign, &operator);
    assert_rejects_foreign_device(env, ix, &foreign, &other, &[&f.owner]).await;
    let stored = env.device_state_in(&other.network, &foreign).await;
    assert_eq!(stored.operator, Pubkey::default());

    f.retire(&f.owner).await.unwrap();
    assert_error(
        f.set_operator(&f.owner, &operator).await,
        RegistryError::DeviceRetired,
    );
    assert_eq!(f.stored().await.operator, Pubkey::default());
}

// ---- a paused network ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_network_blocks_device_changes_but_owners_can_leave() {
    let f = fixture().await;
    let env = &f.env;
    let target = f.attestation_target().await;
    let signed = registry::Attestation::location(1, SF_CELL_RES5).sign(&target, &f.device);
    env.set_paused(true).await;

    let (key, new) = Env::new_device(&f.owner.pubkey());
    assert_error(
        env.register(&f.maker, &key, &new).await,
        RegistryError::NetworkPaused,
    );
    assert_error(
        f.update(&f.owner, capacity(1)).await,
        RegistryError::NetworkPaused,
    );
    assert_error(
        f.transfer(&f.owner, &Keypair::new().pubkey()).await,
        RegistryError::NetworkPaused,
    );
    assert_error(
        f.set_operator(&f.owner, &Keypair::new().pubkey()).await,
        RegistryError::NetworkPaused,
    );
    assert_error(env.send(&signed, &[]).await, RegistryError::NetworkPaused);

    let device = f.stored().await;
    assert_eq!(
        (device.capacity, device.owner, device.operator),
        (13_500, f.owner.pubkey(), Pubkey::default())
    );
    assert_eq!((device.location, device.attestation_nonce), (SF_CELL, 0));
    assert!(!env.device_exists(&key.pubkey()).await);

    // Retiring and closing stay open while paused.
    f.retire(&f.owner).await.unwrap();
    assert_eq!(f.stored().await.status, DeviceStatus::Retired);
    f.close(&f.owner).await.unwrap();
    assert!(!env.exists(&f.address()).await);
    let network = env.network_state().await;
    assert_eq!(network.device_count, 0);
    assert!(network.paused);

    // Unpaused, onboarding works again.
    env.set_paused(false).await;
    env.register(&f.maker, &key, &new).await.unwrap();
    assert_eq!(env.network_state().await.device_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_one_network_leaves_the_other_running() {
    let f = fixture().await;
    let (other, foreign) = f.foreign_device().await;
    f.env.set_paused(true).await;
    let ix = registry::update_device(
        &f.owner.pubkey(),
        &other.network,
        &foreign.pubkey(),
        capacity(5),
    );
    f.env.send(&[ix], &[&f.owner]).await.unwrap();
    let stored = f
        .env
        .device_state_in(&other.network, &foreign.pubkey())
        .await;
    assert_eq!(stored.capacity, 5);
    assert_error(
        f.update(&f.owner, capacity(5)).await,
        RegistryError::NetworkPaused,
    );
}
