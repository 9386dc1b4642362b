//! register_device, update_device, transfer_device, set_device_operator, and
//! what a paused network still allows.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::registry::{self, UpdateDeviceArgs};
use depin_client::{ClientError, Cluster, Keypair, Pubkey, Sent, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_registry::state::{Device, DeviceKind, DeviceStatus};
use depin_tests::*;

/// An H3 index with a stray digit past its resolution.
const BAD_CELL: u64 = 0x8928308280ffffe;

struct Fixture {
    env: Env,
    maker: Keypair,
    owner: Keypair,
    device: Keypair,
}

async fn fixture() -> Fixture {
    let env = Env::new().await;
    let maker = env.maker(100).await;
    let owner = env.wallet().await;
    let device = env.device(&maker, &owner.pubkey()).await;
    Fixture {
        env,
        maker,
        owner,
        device,
    }
}

impl Fixture {
    async fn stored(&self) -> Device {
        registry::device(&self.env.cluster, &self.env.network, &self.device.pubkey())
            .await
            .unwrap()
    }

    fn key(&self) -> Pubkey {
        self.device.pubkey()
    }

    async fn update(&self, signer: &Keypair, args: UpdateDeviceArgs) -> Result<Sent, ClientError> {
        let ix = registry::update_device(&signer.pubkey(), &self.env.network, &self.key(), args);
        self.env.send(&[ix], &[signer]).await
    }

    async fn transfer(&self, signer: &Keypair, to: &Pubkey) -> Result<Sent, ClientError> {
        let ix = registry::transfer_device(&signer.pubkey(), &self.env.network, &self.key(), to);
        self.env.send(&[ix], &[signer]).await
    }

    async fn set_operator(&self, signer: &Keypair, operator: &Pubkey) -> Result<Sent, ClientError> {
        let ix = registry::set_device_operator(
            &signer.pubkey(),
            &self.env.network,
            &self.key(),
            operator,
        );
        self.env.send(&[ix], &[signer]).await
    }

    async fn retire(&self, signer: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::retire_device(&signer.pubkey(), &self.env.network, &self.key());
        self.env.send(&[ix], &[signer]).await
    }

    /// A device of a second network (same cluster), owned by `self.owner`.
    async fn foreign_device(&self) -> (OtherNetwork, Keypair) {
        let other = self.env.other_network().await;
        let maker = self.env.maker_in(&other.network, &other.admin, 5).await;
        let device = self
            .env
            .device_in(&other.network, &maker, &self.owner.pubkey())
            .await;
        (other, device)
    }
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
    let ix = registry::register_device(
        &env.payer(),
        &env.network,
        &second_maker.pubkey(),
        &new,
        None,
    );
    env.send(&[ix], &[&key, &second_maker]).await.unwrap();
    let after = env.cluster.unix_timestamp().await.unwrap();

    let (address, bump) = pda::device(&env.network, &key.pubkey());
    let device = registry::device(&env.cluster, &env.network, &key.pubkey())
        .await
        .unwrap();
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

    let network = registry::network(&env.cluster, &env.network).await.unwrap();
    assert_eq!(network.device_count, 1);
    assert_eq!((network.registrations, device.registration), (1, 1));
    assert_eq!(network.maker_count, 3);
    let counted = registry::maker(&env.cluster, &env.network, &second_maker.pubkey())
        .await
        .unwrap();
    assert_eq!(counted.devices_onboarded, 1);
    let untouched = registry::maker(&env.cluster, &env.network, &maker.pubkey())
        .await
        .unwrap();
    assert_eq!(untouched.devices_onboarded, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_accepts_an_unknown_location() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let (key, mut new) = Env::new_device(&env.admin.pubkey());
    new.location = 0;
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);
    env.send(&[ix], &[&key, &maker]).await.unwrap();
    assert_eq!(
        registry::device(&env.cluster, &env.network, &key.pubkey())
            .await
            .unwrap()
            .location,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_rejects_bad_input() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    for bad in [BAD_CELL, 1, u64::MAX] {
        let (key, mut new) = Env::new_device(&env.admin.pubkey());
        new.location = bad;
        let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);
        assert_error(
            env.send(&[ix], &[&key, &maker]).await,
            RegistryError::InvalidLocation,
        );
    }
    let (key, new) = Env::new_device(&Pubkey::default());
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);
    assert_error(
        env.send(&[ix], &[&key, &maker]).await,
        RegistryError::InvalidNewOwner,
    );
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
    assert!(
        !env.exists(&pda::device(&env.network, &key.pubkey()).0)
            .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_the_same_device_twice_fails() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);
    env.send(std::slice::from_ref(&ix), &[&key, &maker])
        .await
        .unwrap();
    assert_already_in_use(env.send(&[ix], &[&key, &maker]).await);
    // Another owner cannot take the key over either.
    let mut hijack = new.clone();
    hijack.owner = Keypair::new().pubkey();
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &hijack, None);
    assert_already_in_use(env.send(&[ix], &[&key, &maker]).await);

    assert_eq!(
        registry::device(&env.cluster, &env.network, &key.pubkey())
            .await
            .unwrap()
            .owner,
        env.admin.pubkey()
    );
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .device_count,
        1
    );
    assert_eq!(
        registry::maker(&env.cluster, &env.network, &maker.pubkey())
            .await
            .unwrap()
            .devices_onboarded,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_device_key_can_join_two_networks() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let maker = env.maker(10).await;
    let other_maker = env.maker_in(&other.network, &other.admin, 10).await;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    let ix = registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);
    env.send(&[ix], &[&key, &maker]).await.unwrap();
    let ix = registry::register_device(
        &env.payer(),
        &other.network,
        &other_maker.pubkey(),
        &new,
        None,
    );
    env.send(&[ix], &[&key, &other_maker]).await.unwrap();
    let here = registry::device(&env.cluster, &env.network, &key.pubkey())
        .await
        .unwrap();
    let there = registry::device(&env.cluster, &other.network, &key.pubkey())
        .await
        .unwrap();
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
    let ix = substitute(
        ix,
        &pda::maker(&env.network, &foreign_maker.pubkey()).0,
        &pda::maker(&other.network, &foreign_maker.pubkey()).0,
    );
    assert_error(
        env.send(&[ix], &[&key, &foreign_maker]).await,
        RegistryError::MakerNetworkMismatch,
    );
    assert_eq!(
        registry::maker(&env.cluster, &other.network, &foreign_maker.pubkey())
            .await
            .unwrap()
            .devices_onboarded,
        0
    );
    assert!(
        !env.exists(&pda::device(&env.network, &key.pubkey()).0)
            .await
    );
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
    let ix = registry::register_device(&env.payer(), &env.network, &impostor.pubkey(), &new, None);
    assert_error(
        env.send(&[ix], &[&key, &impostor]).await,
        AnchorError::AccountNotInitialized,
    );
    assert_eq!(
        registry::maker(&env.cluster, &env.network, &approved.pubkey())
            .await
            .unwrap()
            .devices_onboarded,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_device_rejects_fake_and_cosplaying_accounts() {
    let env = Env::new().await;
    let maker = env.maker(10).await;
    let maker_record = pda::maker(&env.network, &maker.pubkey()).0;
    let (key, new) = Env::new_device(&env.admin.pubkey());
    let ix = || registry::register_device(&env.payer(), &env.network, &maker.pubkey(), &new, None);

    let fake = env.wallet().await.pubkey();
    let fake_network = substitute(ix(), &env.network, &fake);
    assert_error(
        env.send(&[fake_network], &[&key, &maker]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    // A member record passed as the maker.
    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    let cosplay = substitute(ix(), &maker_record, &member);
    assert_error(
        env.send(&[cosplay], &[&key, &maker]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    // The maker record passed as the network.
    let cosplay = substitute(ix(), &env.network, &maker_record);
    assert_error(
        env.send(&[cosplay], &[&key, &maker]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    // A device address not derived from the signing device key.
    let elsewhere = substitute(
        ix(),
        &pda::device(&env.network, &key.pubkey()).0,
        &Keypair::new().pubkey(),
    );
    assert_error(
        env.send(&[elsewhere], &[&key, &maker]).await,
        AnchorError::ConstraintSeeds,
    );
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .device_count,
        0
    );
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
    let ix = unsign(ix, &f.owner.pubkey());
    assert_error(f.env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);

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
    let (other, foreign) = f.foreign_device().await;
    let ix = registry::update_device(
        &f.owner.pubkey(),
        &f.env.network,
        &foreign.pubkey(),
        capacity(1),
    );
    let ix = substitute(
        ix,
        &pda::device(&f.env.network, &foreign.pubkey()).0,
        &pda::device(&other.network, &foreign.pubkey()).0,
    );
    assert_error(
        f.env.send(&[ix], &[&f.owner]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    let stored = registry::device(&f.env.cluster, &other.network, &foreign.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.capacity, 13_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_device_rejects_fake_and_cosplaying_accounts() {
    let f = fixture().await;
    let device = pda::device(&f.env.network, &f.key()).0;
    let ix = || registry::update_device(&f.owner.pubkey(), &f.env.network, &f.key(), capacity(1));

    let fake = f.env.wallet().await.pubkey();
    assert_error(
        f.env
            .send(&[substitute(ix(), &device, &fake)], &[&f.owner])
            .await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    assert_error(
        f.env
            .send(
                &[substitute(ix(), &device, &Keypair::new().pubkey())],
                &[&f.owner],
            )
            .await,
        AnchorError::AccountNotInitialized,
    );
    let member = pda::member(&f.env.network, &f.env.admin.pubkey()).0;
    assert_error(
        f.env
            .send(&[substitute(ix(), &device, &member)], &[&f.owner])
            .await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    assert_error(
        f.env
            .send(&[substitute(ix(), &f.env.network, &fake)], &[&f.owner])
            .await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    // The device passed as the network too.
    assert_error(
        f.env
            .send(&[substitute(ix(), &f.env.network, &device)], &[&f.owner])
            .await,
        AnchorError::AccountDiscriminatorMismatch,
    );
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
    let ix = unsign(ix, &f.owner.pubkey());
    assert_error(f.env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);

    let device = f.stored().await;
    assert_eq!(
        (device.owner, device.operator),
        (f.owner.pubkey(), operator.pubkey())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_rejects_retired_and_foreign_devices() {
    let f = fixture().await;
    let (other, foreign) = f.foreign_device().await;
    let new_owner = Keypair::new().pubkey();
    let ix = registry::transfer_device(
        &f.owner.pubkey(),
        &f.env.network,
        &foreign.pubkey(),
        &new_owner,
    );
    let ix = substitute(
        ix,
        &pda::device(&f.env.network, &foreign.pubkey()).0,
        &pda::device(&other.network, &foreign.pubkey()).0,
    );
    assert_error(
        f.env.send(&[ix], &[&f.owner]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    let stored = registry::device(&f.env.cluster, &other.network, &foreign.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.owner, f.owner.pubkey());

    let fake = f.env.wallet().await.pubkey();
    let ix = registry::transfer_device(&f.owner.pubkey(), &f.env.network, &f.key(), &new_owner);
    let ix = substitute(ix, &pda::device(&f.env.network, &f.key()).0, &fake);
    assert_error(
        f.env.send(&[ix], &[&f.owner]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );

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
    let ix = unsign(ix, &f.owner.pubkey());
    assert_error(f.env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);
    assert_eq!(f.stored().await.operator, operator.pubkey());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_operator_rejects_retired_and_foreign_devices() {
    let f = fixture().await;
    let operator = Keypair::new().pubkey();
    let (other, foreign) = f.foreign_device().await;
    let ix = registry::set_device_operator(
        &f.owner.pubkey(),
        &f.env.network,
        &foreign.pubkey(),
        &operator,
    );
    let ix = substitute(
        ix,
        &pda::device(&f.env.network, &foreign.pubkey()).0,
        &pda::device(&other.network, &foreign.pubkey()).0,
    );
    assert_error(
        f.env.send(&[ix], &[&f.owner]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    let stored = registry::device(&f.env.cluster, &other.network, &foreign.pubkey())
        .await
        .unwrap();
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
    let target = registry::attestation_target(&env.cluster, &env.network, &f.device.pubkey())
        .await
        .unwrap();
    let signed = registry::Attestation::location(1, SF_CELL_RES5).sign(&target, &f.device);
    let ix = registry::set_network_paused(&env.admin.pubkey(), &env.network, true);
    env.send(&[ix], &[&env.admin]).await.unwrap();

    let (key, new) = Env::new_device(&f.owner.pubkey());
    let ix = registry::register_device(&env.payer(), &env.network, &f.maker.pubkey(), &new, None);
    assert_error(
        env.send(&[ix], &[&key, &f.maker]).await,
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
    assert!(
        !env.exists(&pda::device(&env.network, &key.pubkey()).0)
            .await
    );

    // Retiring and closing stay open while paused.
    f.retire(&f.owner).await.unwrap();
    assert_eq!(f.stored().await.status, DeviceStatus::Retired);
    let ix = registry::close_device(&f.owner.pubkey(), &env.network, &f.key());
    env.send(&[ix], &[&f.owner]).await.unwrap();
    assert!(!env.exists(&pda::device(&env.network, &f.key()).0).await);
    let network = registry::network(&env.cluster, &env.network).await.unwrap();
    assert_eq!(network.device_count, 0);
    assert!(network.paused);

    // Unpaused, onboarding works again.
    let ix = registry::set_network_paused(&env.admin.pubkey(), &env.network, false);
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let ix = registry::register_device(&env.payer(), &env.network, &f.maker.pubkey(), &new, None);
    env.send(&[ix], &[&key, &f.maker]).await.unwrap();
    assert_eq!(
        registry::network(&env.cluster, &env.network)
            .await
            .unwrap()
            .device_count,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_one_network_leaves_the_other_running() {
    let f = fixture().await;
    let (other, foreign) = f.foreign_device().await;
    let ix = registry::set_network_paused(&f.env.admin.pubkey(), &f.env.network, true);
    f.env.send(&[ix], &[&f.env.admin]).await.unwrap();
    let ix = registry::update_device(
        &f.owner.pubkey(),
        &other.network,
        &foreign.pubkey(),
        capacity(5),
    );
    f.env.send(&[ix], &[&f.owner]).await.unwrap();
    assert_eq!(
        registry::device(&f.env.cluster, &other.network, &foreign.pubkey())
            .await
            .unwrap()
            .capacity,
        5
    );
    assert_error(
        f.update(&f.owner, capacity(5)).await,
        RegistryError::NetworkPaused,
    );
}
