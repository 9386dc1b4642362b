//! grant_role and revoke_role: permission bits, admin_count, closing records.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::registry::{self, permission};
use depin_client::{Cluster, Keypair, Pubkey, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_tests::*;

const UNKNOWN_BIT: u16 = 1 << 7;

async fn permissions_of(env: &Env, network: &Pubkey, who: &Pubkey) -> Option<u16> {
    let member = env.member_state_in(network, who).await;
    member.map(|m| m.permissions)
}

async fn admin_count(env: &Env) -> u16 {
    env.network_state().await.admin_count
}

async fn grant(
    env: &Env,
    by: &Keypair,
    to: &Pubkey,
    bits: u16,
) -> Result<depin_client::Sent, depin_client::ClientError> {
    let ix = registry::grant_role(&env.payer(), &by.pubkey(), &env.network, to, bits);
    env.send(&[ix], &[by]).await
}

async fn revoke(
    env: &Env,
    by: &Keypair,
    from: &Pubkey,
    bits: u16,
) -> Result<depin_client::Sent, depin_client::ClientError> {
    let ix = registry::revoke_role(&by.pubkey(), &env.network, from, bits, &env.payer());
    env.send(&[ix], &[by]).await
}

// ---- grant_role ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_creates_the_member_record() {
    let env = Env::new().await;
    let who = Keypair::new().pubkey();
    grant(&env, &env.admin, &who, permission::ORACLE)
        .await
        .unwrap();

    let (address, bump) = pda::member(&env.network, &who);
    let member = env.member_state(&who).await.unwrap();
    assert_eq!(member.network, env.network);
    assert_eq!(member.authority, who);
    assert_eq!(member.permissions, permission::ORACLE);
    assert_eq!(member.bump, bump);
    let account = env.cluster.get_account(&address).await.unwrap().unwrap();
    assert_eq!(account.owner, depin_registry::ID);
    // Not an admin grant: the count stays.
    assert_eq!(admin_count(&env).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_adds_bits_to_an_existing_record() {
    let env = Env::new().await;
    let who = Keypair::new().pubkey();
    grant(&env, &env.admin, &who, permission::ORACLE)
        .await
        .unwrap();
    grant(
        &env,
        &env.admin,
        &who,
        permission::TREASURY | permission::SLASHER,
    )
    .await
    .unwrap();
    // Granting a bit already held changes nothing.
    grant(&env, &env.admin, &who, permission::ORACLE)
        .await
        .unwrap();
    assert_eq!(
        permissions_of(&env, &env.network, &who).await,
        Some(permission::ORACLE | permission::TREASURY | permission::SLASHER)
    );
    assert_eq!(admin_count(&env).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granting_admin_counts_each_admin_once() {
    let env = Env::new().await;
    let who = Keypair::new().pubkey();
    grant(&env, &env.admin, &who, permission::ORACLE)
        .await
        .unwrap();
    assert_eq!(admin_count(&env).await, 1);
    grant(
        &env,
        &env.admin,
        &who,
        permission::ADMIN | permission::ORACLE,
    )
    .await
    .unwrap();
    assert_eq!(admin_count(&env).await, 2);
    grant(&env, &env.admin, &who, permission::ADMIN)
        .await
        .unwrap();
    grant(&env, &env.admin, &who, permission::ALL)
        .await
        .unwrap();
    assert_eq!(admin_count(&env).await, 2);
    // Re-granting ADMIN to the creator (already admin) does not count either.
    grant(&env, &env.admin, &env.admin.pubkey(), permission::ADMIN)
        .await
        .unwrap();
    assert_eq!(admin_count(&env).await, 2);
    assert_eq!(
        permissions_of(&env, &env.network, &who).await,
        Some(permission::ALL)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_granted_admin_can_grant() {
    let env = Env::new().await;
    let second = env.member(permission::ADMIN).await;
    let who = Keypair::new().pubkey();
    grant(&env, &second, &who, permission::DEVICE_MANAGER)
        .await
        .unwrap();
    assert_eq!(
        permissions_of(&env, &env.network, &who).await,
        Some(permission::DEVICE_MANAGER)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_rejects_empty_and_unknown_bits() {
    let env = Env::new().await;
    let who = Keypair::new().pubkey();
    assert_error(
        grant(&env, &env.admin, &who, 0).await,
        RegistryError::EmptyPermissions,
    );
    for bad in [
        UNKNOWN_BIT,
        permission::ALL | UNKNOWN_BIT,
        1 << 15,
        u16::MAX,
    ] {
        assert_error(
            grant(&env, &env.admin, &who, bad).await,
            RegistryError::UnknownPermission,
        );
    }
    assert_eq!(permissions_of(&env, &env.network, &who).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_requires_authority_signature() {
    let env = Env::new().await;
    let who = Keypair::new().pubkey();
    let ix = registry::grant_role(
        &env.payer(),
        &env.admin.pubkey(),
        &env.network,
        &who,
        permission::ORACLE,
    );
    assert_requires_signature(&env, ix, &env.admin.pubkey()).await;
    assert_eq!(permissions_of(&env, &env.network, &who).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_requires_the_admin_permission() {
    let env = Env::new().await;
    let who = Keypair::new().pubkey();
    let almost = env.member(permission::ALL & !permission::ADMIN).await;
    assert_error(
        grant(&env, &almost, &who, permission::ORACLE).await,
        RegistryError::MissingPermission,
    );
    // Nor can a non-admin raise itself.
    assert_error(
        grant(&env, &almost, &almost.pubkey(), permission::ADMIN).await,
        RegistryError::MissingPermission,
    );
    assert_eq!(
        permissions_of(&env, &env.network, &almost.pubkey()).await,
        Some(permission::ALL & !permission::ADMIN)
    );
    assert_eq!(admin_count(&env).await, 1);
    assert_eq!(permissions_of(&env, &env.network, &who).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_rejects_an_admin_record_of_another_network() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let who = Keypair::new().pubkey();
    let ix = registry::grant_role(
        &env.payer(),
        &other.admin.pubkey(),
        &env.network,
        &who,
        permission::ADMIN,
    );
    let ix = env.cross_network(ix, pda::member, &other.admin.pubkey(), &other.network);
    assert_error(
        env.send(&[ix], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );
    assert_eq!(permissions_of(&env, &env.network, &who).await, None);
    assert_eq!(admin_count(&env).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_rejects_someone_elses_admin_record() {
    let env = Env::new().await;
    let stranger = env.wallet().await;
    let accomplice = Keypair::new().pubkey();
    let ix = registry::grant_role(
        &env.payer(),
        &stranger.pubkey(),
        &env.network,
        &accomplice,
        permission::ADMIN,
    );
    let ix = env.borrow_record(ix, &stranger.pubkey(), &env.admin.pubkey());
    assert_error(
        env.send(&[ix], &[&stranger]).await,
        RegistryError::MissingPermission,
    );
    assert_eq!(permissions_of(&env, &env.network, &accomplice).await, None);
    assert_eq!(admin_count(&env).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_role_rejects_fake_and_cosplaying_accounts() {
    let env = Env::new().await;
    let admin = env.admin.pubkey();
    let who = Keypair::new().pubkey();
    let admin_member = pda::member(&env.network, &admin).0;
    let ix = registry::grant_role(&env.payer(), &admin, &env.network, &who, permission::ORACLE);

    // A Device record as the admin's Member record.
    let maker = env.maker(1).await;
    let device = pda::device(&env.network, &env.device(&maker, &admin).await.pubkey()).0;
    assert_rejects_cosplay(&env, &ix, &admin_member, &device, &[&env.admin]).await;
    // A system-owned account as the network.
    assert_rejects_fake(&env, &ix, &env.network, &[&env.admin]).await;
    // A nonexistent account as the admin record.
    let missing = substitute(ix, &admin_member, &Keypair::new().pubkey());
    assert_error(
        env.send(&[missing], &[&env.admin]).await,
        AnchorError::AccountNotInitialized,
    );
    assert_eq!(permissions_of(&env, &env.network, &who).await, None);
}

// ---- revoke_role ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_role_removes_only_the_given_bits() {
    let env = Env::new().await;
    let who = env
        .member(permission::ORACLE | permission::TREASURY | permission::SLASHER)
        .await;
    revoke(&env, &env.admin, &who.pubkey(), permission::TREASURY)
        .await
        .unwrap();
    assert_eq!(
        permissions_of(&env, &env.network, &who.pubkey()).await,
        Some(permission::ORACLE | permission::SLASHER)
    );
    // Revoking bits the member does not hold is a no-op that keeps the record.
    revoke(
        &env,
        &env.admin,
        &who.pubkey(),
        permission::TREASURY | permission::ADMIN,
    )
    .await
    .unwrap();
    assert_eq!(
        permissions_of(&env, &env.network, &who.pubkey()).await,
        Some(permission::ORACLE | permission::SLASHER)
    );
    assert_eq!(admin_count(&env).await, 1);
    let member = env.member_state(&who.pubkey()).await.unwrap();
    assert_eq!(member.authority, who.pubkey());
    assert_eq!(member.network, env.network);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_the_last_bits_closes_the_record_and_refunds_rent() {
    let env = Env::new().await;
    let who = env.member(permission::ORACLE | permission::TREASURY).await;
    let record = pda::member(&env.network, &who.pubkey()).0;
    let rent = env.lamports(&record).await;
    assert!(rent > 0);
    let receiver = Keypair::new().pubkey();
    assert_eq!(env.lamports(&receiver).await, 0);

    let ix = registry::revoke_role(
        &env.admin.pubkey(),
        &env.network,
        &who.pubkey(),
        permission::ALL,
        &receiver,
    );
    env.send(&[ix], &[&env.admin]).await.unwrap();

    assert!(!env.exists(&record).await, "member record still exists");
    assert_eq!(env.lamports(&receiver).await, rent);
    assert_eq!(admin_count(&env).await, 1);

    // The record can be created again from scratch.
    grant(&env, &env.admin, &who.pubkey(), permission::COMPLIANCE)
        .await
        .unwrap();
    let member = env.member_state(&who.pubkey()).await.unwrap();
    assert_eq!(member.permissions, permission::COMPLIANCE);
    assert_eq!(member.authority, who.pubkey());
    assert_eq!(member.network, env.network);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_admin_cannot_drop_admin() {
    let env = Env::new().await;
    let me = env.admin.pubkey();
    assert_error(
        revoke(&env, &env.admin, &me, permission::ADMIN).await,
        RegistryError::LastAdmin,
    );
    assert_error(
        revoke(&env, &env.admin, &me, permission::ALL).await,
        RegistryError::LastAdmin,
    );
    // Other bits can go.
    revoke(&env, &env.admin, &me, permission::ORACLE)
        .await
        .unwrap();
    assert_eq!(
        permissions_of(&env, &env.network, &me).await,
        Some(permission::ALL & !permission::ORACLE)
    );
    assert_eq!(admin_count(&env).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_can_be_dropped_while_another_admin_exists() {
    let env = Env::new().await;
    let creator = env.admin.pubkey();
    let second = env.member(permission::ADMIN | permission::ORACLE).await;
    assert_eq!(admin_count(&env).await, 2);

    // The creator removes the second admin's ADMIN bit.
    revoke(&env, &env.admin, &second.pubkey(), permission::ADMIN)
        .await
        .unwrap();
    assert_eq!(admin_count(&env).await, 1);
    assert_eq!(
        permissions_of(&env, &env.network, &second.pubkey()).await,
        Some(permission::ORACLE)
    );

    // Promoted again, the second admin demotes the creator entirely.
    grant(&env, &env.admin, &second.pubkey(), permission::ADMIN)
        .await
        .unwrap();
    assert_eq!(admin_count(&env).await, 2);
    revoke(&env, &second, &creator, permission::ALL)
        .await
        .unwrap();
    assert_eq!(admin_count(&env).await, 1);
    assert_eq!(permissions_of(&env, &env.network, &creator).await, None);

    // Now the second admin is the last one.
    assert_error(
        revoke(&env, &second, &second.pubkey(), permission::ADMIN).await,
        RegistryError::LastAdmin,
    );
    assert_eq!(admin_count(&env).await, 1);
    // The creator (no record any more) cannot act.
    assert_error(
        grant(&env, &env.admin, &creator, permission::ADMIN).await,
        AnchorError::AccountNotInitialized,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_may_drop_its_own_admin_bit_when_not_last() {
    let env = Env::new().await;
    let _second = env.member(permission::ADMIN).await;
    revoke(&env, &env.admin, &env.admin.pubkey(), permission::ADMIN)
        .await
        .unwrap();
    assert_eq!(admin_count(&env).await, 1);
    assert_eq!(
        permissions_of(&env, &env.network, &env.admin.pubkey()).await,
        Some(permission::ALL & !permission::ADMIN)
    );
    // Without ADMIN it can no longer revoke.
    assert_error(
        revoke(&env, &env.admin, &env.admin.pubkey(), permission::ORACLE).await,
        RegistryError::MissingPermission,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_may_revoke_all_its_own_bits_and_close_its_record() {
    let env = Env::new().await;
    let second = env.member(permission::ADMIN | permission::ORACLE).await;
    let record = pda::member(&env.network, &second.pubkey()).0;
    let rent = env.lamports(&record).await;
    let receiver = Keypair::new().pubkey();
    // Its own record is both the acting admin and the target.
    let ix = registry::revoke_role(
        &second.pubkey(),
        &env.network,
        &second.pubkey(),
        permission::ALL,
        &receiver,
    );
    env.send(&[ix], &[&second]).await.unwrap();
    assert!(!env.exists(&record).await);
    assert_eq!(env.lamports(&receiver).await, rent);
    assert_eq!(admin_count(&env).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_role_rejects_empty_and_unknown_bits() {
    let env = Env::new().await;
    let who = env.member(permission::ORACLE).await;
    assert_error(
        revoke(&env, &env.admin, &who.pubkey(), 0).await,
        RegistryError::EmptyPermissions,
    );
    for bad in [UNKNOWN_BIT, permission::ORACLE | UNKNOWN_BIT, u16::MAX] {
        assert_error(
            revoke(&env, &env.admin, &who.pubkey(), bad).await,
            RegistryError::UnknownPermission,
        );
    }
    assert_eq!(
        permissions_of(&env, &env.network, &who.pubkey()).await,
        Some(permission::ORACLE)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_role_requires_signature_and_admin_permission() {
    let env = Env::new().await;
    let who = env.member(permission::ORACLE).await;
    let ix = registry::revoke_role(
        &env.admin.pubkey(),
        &env.network,
        &who.pubkey(),
        permission::ORACLE,
        &env.payer(),
    );
    assert_requires_signature(&env, ix, &env.admin.pubkey()).await;

    let almost = env.member(permission::ALL & !permission::ADMIN).await;
    assert_error(
        revoke(&env, &almost, &who.pubkey(), permission::ORACLE).await,
        RegistryError::MissingPermission,
    );
    // A member cannot strip another's bits by presenting the admin's record.
    let ix = registry::revoke_role(
        &almost.pubkey(),
        &env.network,
        &who.pubkey(),
        permission::ORACLE,
        &env.payer(),
    );
    let ix = env.borrow_record(ix, &almost.pubkey(), &env.admin.pubkey());
    assert_error(
        env.send(&[ix], &[&almost]).await,
        RegistryError::MissingPermission,
    );
    assert_eq!(
        permissions_of(&env, &env.network, &who.pubkey()).await,
        Some(permission::ORACLE)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_role_rejects_records_of_another_network() {
    let env = Env::new().await;
    let other = env.other_network().await;
    let who = env.member(permission::ORACLE).await;

    // The other network's admin acting in this network.
    let ix = registry::revoke_role(
        &other.admin.pubkey(),
        &env.network,
        &who.pubkey(),
        permission::ORACLE,
        &env.payer(),
    );
    let ix = env.cross_network(ix, pda::member, &other.admin.pubkey(), &other.network);
    assert_error(
        env.send(&[ix], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    // This network's admin targeting a member record of the other network:
    // it must not be able to strip (or close) it.
    let ix = registry::revoke_role(
        &env.admin.pubkey(),
        &env.network,
        &other.admin.pubkey(),
        permission::ALL,
        &env.payer(),
    );
    let ix = env.cross_network(ix, pda::member, &other.admin.pubkey(), &other.network);
    assert_error(
        env.send(&[ix], &[&env.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    assert_eq!(
        permissions_of(&env, &env.network, &who.pubkey()).await,
        Some(permission::ORACLE)
    );
    assert_eq!(
        permissions_of(&env, &other.network, &other.admin.pubkey()).await,
        Some(permission::ALL)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_role_rejects_a_device_as_the_member() {
    let env = Env::new().await;
    let admin = env.admin.pubkey();
    let who = env.member(permission::ORACLE).await;
    let maker = env.maker(1).await;
    let device = pda::device(&env.network, &env.device(&maker, &admin).await.pubkey()).0;
    let ix = registry::revoke_role(
        &admin,
        &env.network,
        &who.pubkey(),
        permission::ORACLE,
        &env.payer(),
    );
    let member = pda::member(&env.network, &who.pubkey()).0;
    assert_rejects_cosplay(&env, &ix, &member, &device, &[&env.admin]).await;
    assert!(env.exists(&device).await);
}
