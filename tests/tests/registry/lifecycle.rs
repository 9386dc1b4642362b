//! suspend_device, resume_device, retire_device, close_device.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::registry::{self, permission};
use depin_client::{Cluster, Keypair, Pubkey, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_registry::state::{Device, DeviceStatus};
use depin_tests::*;

/// A registered device and a member holding DEVICE_MANAGER only.
struct Fixture {
    base: DeviceFixture,
    manager: Keypair,
}

async fn fixture() -> Fixture {
    let base = DeviceFixture::new().await;
    let manager = base.env.member(permission::DEVICE_MANAGER).await;
    Fixture { base, manager }
}

impl std::ops::Deref for Fixture {
    type Target = DeviceFixture;

    fn deref(&self) -> &DeviceFixture {
        &self.base
    }
}

impl Fixture {
    async fn status(&self) -> DeviceStatus {
        self.stored().await.status
    }
}

// ---- suspend_device / resume_device ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_manager_suspends_and_resumes() {
    let f = fixture().await;
    f.suspend(&f.manager).await.unwrap();
    let device = f.stored().await;
    assert_eq!(device.status, DeviceStatus::Suspended);
    assert_eq!(
        (device.owner, device.location, device.capacity),
        (f.owner.pubkey(), SF_CELL, 13_500)
    );

    f.resume(&f.manager).await.unwrap();
    assert_eq!(f.status().await, DeviceStatus::Active);
    // The network creator (every permission) may do it too.
    f.suspend(&f.env.admin).await.unwrap();
    assert_eq!(f.status().await, DeviceStatus::Suspended);
    f.resume(&f.env.admin).await.unwrap();
    assert_eq!(f.status().await, DeviceStatus::Active);
    assert_eq!(f.env.network_state().await.device_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_and_resume_need_the_right_status() {
    let f = fixture().await;
    assert_error(
        f.resume(&f.manager).await,
        RegistryError::DeviceNotSuspended,
    );
    f.suspend(&f.manager).await.unwrap();
    assert_error(f.suspend(&f.manager).await, RegistryError::DeviceNotActive);
    assert_eq!(f.status().await, DeviceStatus::Suspended);

    // A suspended device can still be retired by its owner; then neither works.
    f.retire(&f.owner).await.unwrap();
    assert_eq!(f.status().await, DeviceStatus::Retired);
    assert_error(
        f.resume(&f.manager).await,
        RegistryError::DeviceNotSuspended,
    );
    assert_error(f.suspend(&f.manager).await, RegistryError::DeviceNotActive);
    assert_eq!(f.status().await, DeviceStatus::Retired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_requires_signature_and_device_manager() {
    let f = fixture().await;
    let env = &f.env;
    let suspend = |by: &Pubkey| registry::suspend_device(by, &env.network, &f.key(), 1);
    let manager = f.manager.pubkey();
    assert_requires_signature(env, suspend(&manager), &manager).await;

    // The owner presenting the manager's record.
    assert_requires_permission(env, suspend, permission::DEVICE_MANAGER, &f.owner, &manager).await;
    // The owner and the maker hold no role.
    assert_error(
        f.suspend(&f.owner).await,
        AnchorError::AccountNotInitialized,
    );
    assert_error(
        f.suspend(&f.maker).await,
        AnchorError::AccountNotInitialized,
    );

    assert_eq!(f.status().await, DeviceStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_requires_signature_and_device_manager() {
    let f = fixture().await;
    let env = &f.env;
    f.suspend(&f.manager).await.unwrap();
    let resume = |by: &Pubkey| registry::resume_device(by, &env.network, &f.key());
    let manager = f.manager.pubkey();
    assert_requires_signature(env, resume(&manager), &manager).await;

    // The owner presenting the manager's record.
    assert_requires_permission(env, resume, permission::DEVICE_MANAGER, &f.owner, &manager).await;
    assert_error(f.resume(&f.owner).await, AnchorError::AccountNotInitialized);

    assert_eq!(f.status().await, DeviceStatus::Suspended);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_and_resume_reject_foreign_fake_and_cosplaying_accounts() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;

    // This network's device manager cannot touch the other network's device.
    let foreign = foreign.pubkey();
    let ix = registry::suspend_device(&f.manager.pubkey(), &env.network, &foreign, 1);
    assert_rejects_foreign_device(env, ix, &foreign, &other, &[&f.manager]).await;
    let ix = registry::suspend_device(&other.admin.pubkey(), &other.network, &foreign, 1);
    env.send(&[ix], &[&other.admin]).await.unwrap();
    let ix = registry::resume_device(&f.manager.pubkey(), &env.network, &foreign);
    assert_rejects_foreign_device(env, ix, &foreign, &other, &[&f.manager]).await;
    let stored = env.device_state_in(&other.network, &foreign).await;
    assert_eq!(stored.status, DeviceStatus::Suspended);

    let member = pda::member(&env.network, &f.manager.pubkey()).0;
    let suspend = registry::suspend_device(&f.manager.pubkey(), &env.network, &f.key(), 1);
    let signers = [&f.manager];
    // A Device record where the Member record is expected.
    assert_rejects_cosplay(env, &suspend, &member, &f.address(), &signers).await;
    // A system-owned account and a Member record where the Device is expected.
    assert_rejects_substitutes(env, &suspend, &f.address(), &member, &signers).await;
    // A system-owned account as the network.
    let resume = registry::resume_device(&f.manager.pubkey(), &env.network, &f.key());
    assert_rejects_fake(env, &resume, &env.network, &signers).await;
    assert_eq!(f.status().await, DeviceStatus::Active);
}

// ---- retire_device ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_retires_a_device_once() {
    let f = fixture().await;
    f.retire(&f.owner).await.unwrap();
    let device = f.stored().await;
    assert_eq!(device.status, DeviceStatus::Retired);
    assert_eq!(
        (device.owner, device.location, device.capacity),
        (f.owner.pubkey(), SF_CELL, 13_500)
    );
    // Retired devices still count until closed.
    assert_eq!(f.env.network_state().await.device_count, 1);
    assert_error(f.retire(&f.owner).await, RegistryError::DeviceRetired);
    assert_eq!(f.status().await, DeviceStatus::Retired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_retires() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    f.set_operator(&f.owner, &operator.pubkey()).await.unwrap();

    assert_error(f.retire(&operator).await, RegistryError::NotDeviceOwner);
    assert_error(f.retire(&f.manager).await, RegistryError::NotDeviceOwner);
    assert_error(f.retire(&f.env.admin).await, RegistryError::NotDeviceOwner);
    let ix = registry::retire_device(&f.owner.pubkey(), &f.env.network, &f.key());
    assert_requires_signature(&f.env, ix, &f.owner.pubkey()).await;
    assert_eq!(f.status().await, DeviceStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retire_rejects_foreign_and_fake_devices() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;
    let foreign = foreign.pubkey();
    let ix = registry::retire_device(&f.owner.pubkey(), &env.network, &foreign);
    assert_rejects_foreign_device(env, ix, &foreign, &other, &[&f.owner]).await;
    let stored = env.device_state_in(&other.network, &foreign).await;
    assert_eq!(stored.status, DeviceStatus::Active);

    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    let retire = registry::retire_device(&f.owner.pubkey(), &env.network, &f.key());
    assert_rejects_substitutes(env, &retire, &f.address(), &member, &[&f.owner]).await;
    assert_eq!(f.status().await, DeviceStatus::Active);
}

// ---- close_device ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_retired_device_refunds_rent_to_the_owner() {
    let f = fixture().await;
    f.retire(&f.owner).await.unwrap();
    let rent = f.env.lamports(&f.address()).await;
    assert_eq!(
        rent,
        f.env.cluster.minimum_balance(Device::SIZE).await.unwrap()
    );
    let owner_before = f.env.lamports(&f.owner.pubkey()).await;

    f.close(&f.owner).await.unwrap();

    // The cluster payer pays the fee, so the owner's delta is exactly the rent.
    assert_eq!(f.env.lamports(&f.owner.pubkey()).await - owner_before, rent);
    assert!(!f.env.exists(&f.address()).await);
    assert_eq!(f.env.lamports(&f.address()).await, 0);
    assert_eq!(f.env.network_state().await.device_count, 0);
    // The maker's lifetime count does not go down.
    let maker = f.env.maker_state(&f.maker.pubkey()).await;
    assert_eq!(maker.devices_onboarded, 1);

    // Closing again finds no account.
    assert_error(f.close(&f.owner).await, AnchorError::AccountNotInitialized);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_retired_devices_close() {
    let f = fixture().await;
    assert_error(f.close(&f.owner).await, RegistryError::DeviceNotRetired);
    f.suspend(&f.manager).await.unwrap();
    assert_error(f.close(&f.owner).await, RegistryError::DeviceNotRetired);
    assert!(f.env.exists(&f.address()).await);
    assert_eq!(f.env.network_state().await.device_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_closes() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    f.set_operator(&f.owner, &operator.pubkey()).await.unwrap();
    f.retire(&f.owner).await.unwrap();
    let rent = f.env.lamports(&f.address()).await;

    let stranger = f.env.wallet().await;
    let stranger_before = f.env.lamports(&stranger.pubkey()).await;
    assert_error(f.close(&stranger).await, RegistryError::NotDeviceOwner);
    assert_error(f.close(&operator).await, RegistryError::NotDeviceOwner);
    assert_error(f.close(&f.env.admin).await, RegistryError::NotDeviceOwner);
    let ix = registry::close_device(&f.owner.pubkey(), &f.env.network, &f.key());
    assert_requires_signature(&f.env, ix, &f.owner.pubkey()).await;

    assert_eq!(f.env.lamports(&stranger.pubkey()).await, stranger_before);
    assert_eq!(f.env.lamports(&f.address()).await, rent);
    assert_eq!(f.env.network_state().await.device_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_rejects_foreign_and_fake_devices() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;
    let foreign = foreign.pubkey();
    let ix = registry::retire_device(&f.owner.pubkey(), &other.network, &foreign);
    env.send(&[ix], &[&f.owner]).await.unwrap();

    // Closing the other network's device against this network would
    // decrement the wrong counter.
    let ix = registry::close_device(&f.owner.pubkey(), &env.network, &foreign);
    assert_rejects_foreign_device(env, ix, &foreign, &other, &[&f.owner]).await;
    assert!(env.exists(&pda::device(&other.network, &foreign).0).await);
    assert_eq!(env.network_state().await.device_count, 1);
    assert_eq!(env.network_state_at(&other.network).await.device_count, 1);

    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    let close = registry::close_device(&f.owner.pubkey(), &env.network, &f.key());
    assert_rejects_substitutes(env, &close, &f.address(), &member, &[&f.owner]).await;
    assert_rejects_fake(env, &close, &env.network, &[&f.owner]).await;
    assert!(env.exists(&member).await);

    // The right network closes it.
    let ix = registry::close_device(&f.owner.pubkey(), &other.network, &foreign);
    env.send(&[ix], &[&f.owner]).await.unwrap();
    assert_eq!(env.network_state_at(&other.network).await.device_count, 0);
    assert_eq!(env.network_state().await.device_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_device_key_can_be_registered_again_from_scratch() {
    let f = fixture().await;
    let env = &f.env;
    let target = f.attestation_target().await;
    for nonce in [1, 2, 3] {
        let signed =
            registry::Attestation::work_report(nonce, [nonce as u8; 32]).sign(&target, &f.device);
        env.send(&signed, &[]).await.unwrap();
    }
    f.set_operator(&f.owner, &Keypair::new().pubkey())
        .await
        .unwrap();
    assert_eq!(f.stored().await.attestation_nonce, 3);
    f.retire(&f.owner).await.unwrap();
    f.close(&f.owner).await.unwrap();

    let new_owner = env.wallet().await;
    let second_maker = env.maker(5).await;
    let (_, mut new) = Env::new_device(&new_owner.pubkey());
    new.device_key = f.key();
    new.location = 0;
    new.capacity = 1;
    env.register(&second_maker, &f.device, &new).await.unwrap();

    let device = f.stored().await;
    assert_eq!(device.attestation_nonce, 0);
    assert_eq!(device.status, DeviceStatus::Active);
    assert_eq!(device.owner, new_owner.pubkey());
    assert_eq!(device.operator, Pubkey::default());
    assert_eq!(device.maker_id, 1);
    assert_eq!((device.location, device.capacity), (0, 1));
    assert_eq!(env.network_state().await.device_count, 1);
    for maker in [&f.maker, &second_maker] {
        assert_eq!(env.maker_state(&maker.pubkey()).await.devices_onboarded, 1);
    }
    // A new registration: nonces restart, and signatures name it.
    assert_eq!(device.registration, target.registration + 1);
    let target = f.attestation_target().await;
    let signed = registry::Attestation::location(1, SF_CELL).sign(&target, &f.device);
    env.send(&signed, &[]).await.unwrap();
    assert_eq!(f.stored().await.attestation_nonce, 1);
}
