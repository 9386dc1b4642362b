//! suspend_device, resume_device, retire_device, close_device.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::registry::{self, permission};
use depin_client::{ClientError, Cluster, Keypair, Pubkey, Sent, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_registry::state::{Device, DeviceStatus};
use depin_tests::*;

struct Fixture {
    env: Env,
    maker: Keypair,
    owner: Keypair,
    device: Keypair,
    /// Holds DEVICE_MANAGER only.
    manager: Keypair,
}

async fn fixture() -> Fixture {
    let env = Env::new().await;
    let maker = env.maker(100).await;
    let owner = env.wallet().await;
    let device = env.device(&maker, &owner.pubkey()).await;
    let manager = env.member(permission::DEVICE_MANAGER).await;
    Fixture {
        env,
        maker,
        owner,
        device,
        manager,
    }
}

impl Fixture {
    fn key(&self) -> Pubkey {
        self.device.pubkey()
    }

    fn address(&self) -> Pubkey {
        pda::device(&self.env.network, &self.key()).0
    }

    async fn stored(&self) -> Device {
        registry::device(&self.env.cluster, &self.env.network, &self.key())
            .await
            .unwrap()
    }

    async fn status(&self) -> DeviceStatus {
        self.stored().await.status
    }

    async fn suspend(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::suspend_device(&by.pubkey(), &self.env.network, &self.key(), 7);
        self.env.send(&[ix], &[by]).await
    }

    async fn resume(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::resume_device(&by.pubkey(), &self.env.network, &self.key());
        self.env.send(&[ix], &[by]).await
    }

    async fn retire(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::retire_device(&by.pubkey(), &self.env.network, &self.key());
        self.env.send(&[ix], &[by]).await
    }

    async fn close(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::close_device(&by.pubkey(), &self.env.network, &self.key());
        self.env.send(&[ix], &[by]).await
    }

    async fn device_count(&self) -> u32 {
        registry::network(&self.env.cluster, &self.env.network)
            .await
            .unwrap()
            .device_count
    }

    /// A device of a second network (same cluster) owned by `self.owner`.
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

/// Points `ix` (built for `env.network`) at `device_key`'s device in `other`.
fn at_foreign_device(
    ix: depin_client::Instruction,
    env: &Env,
    other: &OtherNetwork,
    device_key: &Pubkey,
) -> depin_client::Instruction {
    substitute(
        ix,
        &pda::device(&env.network, device_key).0,
        &pda::device(&other.network, device_key).0,
    )
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
    assert_eq!(f.device_count().await, 1);
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
    let ix = registry::suspend_device(&f.manager.pubkey(), &env.network, &f.key(), 1);
    let ix = unsign(ix, &f.manager.pubkey());
    assert_error(env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);

    let almost = env
        .member(permission::ALL & !permission::DEVICE_MANAGER)
        .await;
    assert_error(f.suspend(&almost).await, RegistryError::MissingPermission);
    // The owner and the maker hold no role.
    assert_error(
        f.suspend(&f.owner).await,
        AnchorError::AccountNotInitialized,
    );
    assert_error(
        f.suspend(&f.maker).await,
        AnchorError::AccountNotInitialized,
    );

    let other = env.other_network().await;
    let ix = registry::suspend_device(&other.admin.pubkey(), &env.network, &f.key(), 1);
    let ix = substitute(
        ix,
        &pda::member(&env.network, &other.admin.pubkey()).0,
        &pda::member(&other.network, &other.admin.pubkey()).0,
    );
    assert_error(
        env.send(&[ix], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    let ix = registry::suspend_device(&f.owner.pubkey(), &env.network, &f.key(), 1);
    let ix = substitute(
        ix,
        &pda::member(&env.network, &f.owner.pubkey()).0,
        &pda::member(&env.network, &f.manager.pubkey()).0,
    );
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        RegistryError::MissingPermission,
    );

    assert_eq!(f.status().await, DeviceStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_requires_signature_and_device_manager() {
    let f = fixture().await;
    let env = &f.env;
    f.suspend(&f.manager).await.unwrap();
    let ix = unsign(
        registry::resume_device(&f.manager.pubkey(), &env.network, &f.key()),
        &f.manager.pubkey(),
    );
    assert_error(env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);

    let almost = env
        .member(permission::ALL & !permission::DEVICE_MANAGER)
        .await;
    assert_error(f.resume(&almost).await, RegistryError::MissingPermission);
    assert_error(f.resume(&f.owner).await, AnchorError::AccountNotInitialized);

    let other = env.other_network().await;
    let ix = registry::resume_device(&other.admin.pubkey(), &env.network, &f.key());
    let ix = substitute(
        ix,
        &pda::member(&env.network, &other.admin.pubkey()).0,
        &pda::member(&other.network, &other.admin.pubkey()).0,
    );
    assert_error(
        env.send(&[ix], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    let ix = registry::resume_device(&f.owner.pubkey(), &env.network, &f.key());
    let ix = substitute(
        ix,
        &pda::member(&env.network, &f.owner.pubkey()).0,
        &pda::member(&env.network, &f.manager.pubkey()).0,
    );
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        RegistryError::MissingPermission,
    );

    assert_eq!(f.status().await, DeviceStatus::Suspended);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_and_resume_reject_foreign_fake_and_cosplaying_accounts() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;

    // This network's device manager cannot touch the other network's device.
    let ix = registry::suspend_device(&f.manager.pubkey(), &env.network, &foreign.pubkey(), 1);
    let ix = at_foreign_device(ix, env, &other, &foreign.pubkey());
    assert_error(
        env.send(&[ix], &[&f.manager]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    let ix = registry::suspend_device(&other.admin.pubkey(), &other.network, &foreign.pubkey(), 1);
    env.send(&[ix], &[&other.admin]).await.unwrap();
    let ix = registry::resume_device(&f.manager.pubkey(), &env.network, &foreign.pubkey());
    let ix = at_foreign_device(ix, env, &other, &foreign.pubkey());
    assert_error(
        env.send(&[ix], &[&f.manager]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    let stored = registry::device(&env.cluster, &other.network, &foreign.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.status, DeviceStatus::Suspended);

    // A Device record where the Member record is expected.
    let member = pda::member(&env.network, &f.manager.pubkey()).0;
    let ix = substitute(
        registry::suspend_device(&f.manager.pubkey(), &env.network, &f.key(), 1),
        &member,
        &f.address(),
    );
    assert_error(
        env.send(&[ix], &[&f.manager]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    // A member record where the Device is expected.
    let ix = substitute(
        registry::suspend_device(&f.manager.pubkey(), &env.network, &f.key(), 1),
        &f.address(),
        &member,
    );
    assert_error(
        env.send(&[ix], &[&f.manager]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    // System-owned accounts as device and network.
    let fake = env.wallet().await.pubkey();
    let ix = substitute(
        registry::suspend_device(&f.manager.pubkey(), &env.network, &f.key(), 1),
        &f.address(),
        &fake,
    );
    assert_error(
        env.send(&[ix], &[&f.manager]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    let ix = substitute(
        registry::resume_device(&f.manager.pubkey(), &env.network, &f.key()),
        &env.network,
        &fake,
    );
    assert_error(
        env.send(&[ix], &[&f.manager]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
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
    assert_eq!(f.device_count().await, 1);
    assert_error(f.retire(&f.owner).await, RegistryError::DeviceRetired);
    assert_eq!(f.status().await, DeviceStatus::Retired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_retires() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    let ix = registry::set_device_operator(
        &f.owner.pubkey(),
        &f.env.network,
        &f.key(),
        &operator.pubkey(),
    );
    f.env.send(&[ix], &[&f.owner]).await.unwrap();

    assert_error(f.retire(&operator).await, RegistryError::NotDeviceOwner);
    assert_error(f.retire(&f.manager).await, RegistryError::NotDeviceOwner);
    assert_error(f.retire(&f.env.admin).await, RegistryError::NotDeviceOwner);
    let ix = unsign(
        registry::retire_device(&f.owner.pubkey(), &f.env.network, &f.key()),
        &f.owner.pubkey(),
    );
    assert_error(f.env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);
    assert_eq!(f.status().await, DeviceStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retire_rejects_foreign_and_fake_devices() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;
    let ix = registry::retire_device(&f.owner.pubkey(), &env.network, &foreign.pubkey());
    let ix = at_foreign_device(ix, env, &other, &foreign.pubkey());
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    let stored = registry::device(&env.cluster, &other.network, &foreign.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.status, DeviceStatus::Active);

    let fake = env.wallet().await.pubkey();
    let ix = substitute(
        registry::retire_device(&f.owner.pubkey(), &env.network, &f.key()),
        &f.address(),
        &fake,
    );
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    let ix = substitute(
        registry::retire_device(&f.owner.pubkey(), &env.network, &f.key()),
        &f.address(),
        &member,
    );
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
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
    assert_eq!(f.device_count().await, 0);
    // The maker's lifetime count does not go down.
    let maker = registry::maker(&f.env.cluster, &f.env.network, &f.maker.pubkey())
        .await
        .unwrap();
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
    assert_eq!(f.device_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_closes() {
    let f = fixture().await;
    let operator = f.env.wallet().await;
    let ix = registry::set_device_operator(
        &f.owner.pubkey(),
        &f.env.network,
        &f.key(),
        &operator.pubkey(),
    );
    f.env.send(&[ix], &[&f.owner]).await.unwrap();
    f.retire(&f.owner).await.unwrap();
    let rent = f.env.lamports(&f.address()).await;

    let stranger = f.env.wallet().await;
    let stranger_before = f.env.lamports(&stranger.pubkey()).await;
    assert_error(f.close(&stranger).await, RegistryError::NotDeviceOwner);
    assert_error(f.close(&operator).await, RegistryError::NotDeviceOwner);
    assert_error(f.close(&f.env.admin).await, RegistryError::NotDeviceOwner);
    let ix = unsign(
        registry::close_device(&f.owner.pubkey(), &f.env.network, &f.key()),
        &f.owner.pubkey(),
    );
    assert_error(f.env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);

    assert_eq!(f.env.lamports(&stranger.pubkey()).await, stranger_before);
    assert_eq!(f.env.lamports(&f.address()).await, rent);
    assert_eq!(f.device_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_rejects_foreign_and_fake_devices() {
    let f = fixture().await;
    let env = &f.env;
    let (other, foreign) = f.foreign_device().await;
    let ix = registry::retire_device(&f.owner.pubkey(), &other.network, &foreign.pubkey());
    env.send(&[ix], &[&f.owner]).await.unwrap();

    // Closing the other network's device against this network would
    // decrement the wrong counter.
    let ix = registry::close_device(&f.owner.pubkey(), &env.network, &foreign.pubkey());
    let ix = at_foreign_device(ix, env, &other, &foreign.pubkey());
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    assert!(
        env.exists(&pda::device(&other.network, &foreign.pubkey()).0)
            .await
    );
    assert_eq!(f.device_count().await, 1);
    assert_eq!(
        registry::network(&env.cluster, &other.network)
            .await
            .unwrap()
            .device_count,
        1
    );

    let fake = env.wallet().await.pubkey();
    let ix = substitute(
        registry::close_device(&f.owner.pubkey(), &env.network, &f.key()),
        &f.address(),
        &fake,
    );
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    let ix = substitute(
        registry::close_device(&f.owner.pubkey(), &env.network, &f.key()),
        &f.address(),
        &member,
    );
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    let ix = substitute(
        registry::close_device(&f.owner.pubkey(), &env.network, &f.key()),
        &env.network,
        &fake,
    );
    assert_error(
        env.send(&[ix], &[&f.owner]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    assert!(env.exists(&member).await);

    // The right network closes it.
    let ix = registry::close_device(&f.owner.pubkey(), &other.network, &foreign.pubkey());
    env.send(&[ix], &[&f.owner]).await.unwrap();
    assert_eq!(
        registry::network(&env.cluster, &other.network)
            .await
            .unwrap()
            .device_count,
        0
    );
    assert_eq!(f.device_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_device_key_can_be_registered_again_from_scratch() {
    let f = fixture().await;
    let env = &f.env;
    let target = registry::attestation_target(&env.cluster, &env.network, &f.key())
        .await
        .unwrap();
    for nonce in [1, 2, 3] {
        let signed =
            registry::Attestation::work_report(nonce, [nonce as u8; 32]).sign(&target, &f.device);
        env.send(&signed, &[]).await.unwrap();
    }
    let operator = Keypair::new().pubkey();
    let ix = registry::set_device_operator(&f.owner.pubkey(), &env.network, &f.key(), &operator);
    env.send(&[ix], &[&f.owner]).await.unwrap();
    assert_eq!(f.stored().await.attestation_nonce, 3);
    f.retire(&f.owner).await.unwrap();
    f.close(&f.owner).await.unwrap();

    let new_owner = env.wallet().await;
    let second_maker = env.maker(5).await;
    let (_, mut new) = Env::new_device(&new_owner.pubkey());
    new.device_key = f.key();
    new.location = 0;
    new.capacity = 1;
    let ix = registry::register_device(
        &env.payer(),
        &env.network,
        &second_maker.pubkey(),
        &new,
        None,
    );
    env.send(&[ix], &[&f.device, &second_maker]).await.unwrap();

    let device = f.stored().await;
    assert_eq!(device.attestation_nonce, 0);
    assert_eq!(device.status, DeviceStatus::Active);
    assert_eq!(device.owner, new_owner.pubkey());
    assert_eq!(device.operator, Pubkey::default());
    assert_eq!(device.maker_id, 1);
    assert_eq!((device.location, device.capacity), (0, 1));
    assert_eq!(f.device_count().await, 1);
    assert_eq!(
        registry::maker(&env.cluster, &env.network, &f.maker.pubkey())
            .await
            .unwrap()
            .devices_onboarded,
        1
    );
    assert_eq!(
        registry::maker(&env.cluster, &env.network, &second_maker.pubkey())
            .await
            .unwrap()
            .devices_onboarded,
        1
    );
    // A new registration: nonces restart, and signatures name it.
    assert_eq!(device.registration, target.registration + 1);
    let target = registry::attestation_target(&env.cluster, &env.network, &f.key())
        .await
        .unwrap();
    let signed = registry::Attestation::location(1, SF_CELL).sign(&target, &f.device);
    env.send(&signed, &[]).await.unwrap();
    assert_eq!(f.stored().await.attestation_nonce, 1);
}
