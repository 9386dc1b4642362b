//! The registry's instructions, each run once.

use depin_client::registry::{
    self, permission, Attestation, FeePayment, UpdateDeviceArgs, UpdateNetworkArgs,
};
use depin_client::{token, Cluster, Keypair, Signer};
use depin_registry::pda;
use depin_tests::*;

use crate::report::{fixed_device, fixed_key, Budget, Measured, Recorder};

/// Instruction, upper bound in compute units, the event it must emit.
/// Budgets (SBPF v3 build from scripts/build-sbf),
/// about 25% above the figures measured when they were set.
pub const BUDGETS: &[Budget] = &[
    ("initialize_platform", 9000, "PlatformInitialized"),
    ("create_network", 21900, "NetworkCreated"),
    ("update_network", 3800, "NetworkUpdated"),
    ("set_network_paused", 3800, "NetworkPauseSet"),
    ("set_onboarding_fee", 5600, "OnboardingFeeSet"),
    ("grant_role", 17400, "RoleGranted"),
    ("revoke_role", 5400, "RoleRevoked"),
    ("approve_maker", 15700, "MakerApproved"),
    ("set_maker_quota", 4000, "MakerQuotaSet"),
    ("revoke_maker", 4100, "MakerRevoked"),
    ("register_device", 21900, "DeviceRegistered"),
    ("update_device", 4000, "DeviceUpdated"),
    ("transfer_device", 3800, "DeviceTransferred"),
    ("set_device_operator", 3800, "DeviceOperatorSet"),
    ("suspend_device", 4300, "DeviceSuspended"),
    ("resume_device", 4300, "DeviceResumed"),
    ("retire_device", 3600, "DeviceRetired"),
    ("close_device", 4600, "DeviceClosed"),
    ("attest_device", 4300, "DeviceAttested"),
];

/// Runs every registry instruction once, recording compute units.
pub async fn measure(rows: &mut Vec<Measured>) {
    // Env::new() creates the platform and the network outside the recorder;
    // a second network below measures create_network.
    let env = Env::with_admin(fixed_key(1)).await;
    let admin = env.admin.pubkey();
    let payer = env.payer();
    let net = env.network;
    let mut r = Recorder::new(&env, "registry", rows);

    // initialize_platform is measured on a fresh cluster: Env made one already.
    let fresh = depin_client::local::LocalCluster::start().await;
    let init = registry::initialize_platform(&fresh.payer().pubkey());
    let sent = fresh.send(&[init], &[]).await.unwrap();
    r.record("initialize_platform", "", &sent);

    let id = registry::next_network_id(&env.cluster).await.unwrap();
    let args = registry::CreateNetworkArgs {
        name: "second".into(),
        epoch_length_secs: 3_600,
        min_operator_bond: 0,
    };
    r.run(
        "create_network",
        "creates network + creator member",
        &[registry::create_network(
            &payer,
            &admin,
            id,
            &env.reward_mint,
            args,
        )],
        &[&env.admin],
    )
    .await;
    let args = UpdateNetworkArgs {
        epoch_length_secs: Some(7_200),
        min_operator_bond: Some(5),
    };
    r.run(
        "update_network",
        "",
        &[registry::update_network(&admin, &net, args)],
        &[&env.admin],
    )
    .await;
    r.run(
        "set_network_paused",
        "pause",
        &[registry::set_network_paused(&admin, &net, true)],
        &[&env.admin],
    )
    .await;
    r.run(
        "set_network_paused",
        "unpause",
        &[registry::set_network_paused(&admin, &net, false)],
        &[&env.admin],
    )
    .await;

    let officer = fixed_key(2);
    r.run(
        "grant_role",
        "creates the member",
        &[registry::grant_role(
            &payer,
            &admin,
            &net,
            &officer.pubkey(),
            permission::ORACLE,
        )],
        &[&env.admin],
    )
    .await;
    r.run(
        "grant_role",
        "adds a bit",
        &[registry::grant_role(
            &payer,
            &admin,
            &net,
            &officer.pubkey(),
            permission::COMPLIANCE,
        )],
        &[&env.admin],
    )
    .await;
    r.run(
        "revoke_role",
        "removes a bit",
        &[registry::revoke_role(
            &admin,
            &net,
            &officer.pubkey(),
            permission::ORACLE,
            &admin,
        )],
        &[&env.admin],
    )
    .await;
    r.run(
        "revoke_role",
        "last bit: closes the member",
        &[registry::revoke_role(
            &admin,
            &net,
            &officer.pubkey(),
            permission::COMPLIANCE,
            &admin,
        )],
        &[&env.admin],
    )
    .await;

    let maker = fixed_key(3);
    let args = registry::ApproveMakerArgs {
        maker_authority: maker.pubkey(),
        name: "Acme".into(),
        quota: 5,
    };
    r.run(
        "approve_maker",
        "",
        &[registry::approve_maker(&payer, &admin, &net, args)],
        &[&env.admin],
    )
    .await;
    r.run(
        "set_maker_quota",
        "",
        &[registry::set_maker_quota(&admin, &net, &maker.pubkey(), 10)],
        &[&env.admin],
    )
    .await;

    let owner = env.wallet().await;
    let (device, new_device) = fixed_device(4, &owner.pubkey());
    r.run(
        "register_device",
        "no fee",
        &[registry::register_device(
            &payer,
            &net,
            &maker.pubkey(),
            &new_device,
            None,
        )],
        &[&device, &maker],
    )
    .await;
    let fee_mint = token::create_mint(&env.cluster, &admin, 6).await.unwrap();
    let treasury = token::create_token_account(&env.cluster, &fee_mint, &admin)
        .await
        .unwrap();
    let source = token::create_token_account(&env.cluster, &fee_mint, &payer)
        .await
        .unwrap();
    token::mint_to(&env.cluster, &fee_mint, &source, &env.admin, 1_000)
        .await
        .unwrap();
    r.run(
        "set_onboarding_fee",
        "",
        &[registry::set_onboarding_fee(
            &admin,
            &net,
            Some((fee_mint, treasury)),
            10,
        )],
        &[&env.admin],
    )
    .await;

    let (device2, new_device2) = fixed_device(5, &owner.pubkey());
    let fee = FeePayment {
        mint: fee_mint,
        source,
        treasury,
        token_program: token::TOKEN_PROGRAM_ID,
    };
    r.run(
        "register_device",
        "with onboarding fee (token CPI)",
        &[registry::register_device(
            &payer,
            &net,
            &maker.pubkey(),
            &new_device2,
            Some(fee),
        )],
        &[&device2, &maker],
    )
    .await;
    assert_eq!(token::balance(&env.cluster, &treasury).await.unwrap(), 10);

    let key = device.pubkey();
    let args = UpdateDeviceArgs {
        location: Some(SF_CELL_RES5),
        capacity: Some(10_000),
    };
    r.run(
        "update_device",
        "",
        &[registry::update_device(&owner.pubkey(), &net, &key, args)],
        &[&owner],
    )
    .await;
    let target = registry::attestation_target(&env.cluster, &net, &key)
        .await
        .unwrap();
    r.run(
        "attest_device",
        "location assertion (ed25519 precompile + sysvar read)",
        &Attestation::location(1, SF_CELL).sign(&target, &device),
        &[],
    )
    .await;
    r.run(
        "attest_device",
        "work report",
        &Attestation::work_report(2, [1; 32]).sign(&target, &device),
        &[],
    )
    .await;
    let operator = Keypair::new();
    r.run(
        "set_device_operator",
        "",
        &[registry::set_device_operator(
            &owner.pubkey(),
            &net,
            &key,
            &operator.pubkey(),
        )],
        &[&owner],
    )
    .await;
    r.run(
        "suspend_device",
        "",
        &[registry::suspend_device(&admin, &net, &key, 1)],
        &[&env.admin],
    )
    .await;
    r.run(
        "resume_device",
        "",
        &[registry::resume_device(&admin, &net, &key)],
        &[&env.admin],
    )
    .await;
    let buyer = env.wallet().await;
    r.run(
        "transfer_device",
        "",
        &[registry::transfer_device(
            &owner.pubkey(),
            &net,
            &key,
            &buyer.pubkey(),
        )],
        &[&owner],
    )
    .await;
    r.run(
        "retire_device",
        "",
        &[registry::retire_device(&buyer.pubkey(), &net, &key)],
        &[&buyer],
    )
    .await;
    r.run(
        "close_device",
        "",
        &[registry::close_device(&buyer.pubkey(), &net, &key)],
        &[&buyer],
    )
    .await;
    r.run(
        "revoke_maker",
        "",
        &[registry::revoke_maker(&admin, &net, &maker.pubkey())],
        &[&env.admin],
    )
    .await;
    assert!(env
        .cluster
        .get_account(&pda::device(&net, &key).0)
        .await
        .unwrap()
        .is_none());
}
