//! attest_device: Ed25519-verified device attestations and their replay guard.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::registry::{self, permission, Attestation, AttestationTarget};
use depin_client::{ClientError, Instruction, Keypair, Pubkey, Sent, Signer};
use depin_registry::attestation::{
    ed25519_instruction_data, ED25519_PROGRAM_ID, INSTRUCTIONS_SYSVAR_ID,
};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_registry::state::{AttestationKind, DeviceStatus};
use depin_tests::*;

/// Ed25519 instruction data: the instruction indexes of the signature,
/// public key and message (u16 little endian, after the 2-byte header).
const SIGNATURE_IX_INDEX: usize = 4;
const PUBKEY_IX_INDEX: usize = 8;
const MESSAGE_IX_INDEX: usize = 14;
/// Where the signature bytes start in our Ed25519 instruction data.
const SIGNATURE_OFFSET: usize = 16 + 32;
/// The Ed25519 precompile's errors (`PrecompileError` as custom codes).
const PRECOMPILE_INVALID_SIGNATURE: u32 = 2;
const PRECOMPILE_INVALID_DATA_OFFSETS: u32 = 3;
const PRECOMPILE_INVALID_DATA_SIZE: u32 = 4;

/// A registered device and what its attestations must name.
struct Fixture {
    base: DeviceFixture,
    target: AttestationTarget,
}

async fn fixture() -> Fixture {
    let base = DeviceFixture::new().await;
    let target = base.attestation_target().await;
    Fixture { base, target }
}

impl std::ops::Deref for Fixture {
    type Target = DeviceFixture;

    fn deref(&self) -> &DeviceFixture {
        &self.base
    }
}

impl Fixture {
    fn sign(&self, attestation: &Attestation) -> [Instruction; 2] {
        attestation.sign(&self.target, &self.device)
    }

    async fn send(&self, instructions: &[Instruction]) -> Result<Sent, ClientError> {
        self.env.send(instructions, &[]).await
    }

    /// An Ed25519 instruction proving `signer` signed `message`.
    fn ed25519(signer: &Keypair, message: &[u8]) -> Instruction {
        let signature = signer.sign_message(message);
        Instruction {
            program_id: ED25519_PROGRAM_ID,
            accounts: vec![],
            data: ed25519_instruction_data(
                &signer.pubkey().to_bytes(),
                signature.as_array(),
                message,
            ),
        }
    }
}

fn set_u16(data: &mut [u8], at: usize, value: u16) {
    data[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

// ---- success ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_location_attestation_moves_the_device() {
    let f = fixture().await;
    f.send(&f.sign(&Attestation::location(1, SF_CELL_RES5)))
        .await
        .unwrap();
    let device = f.stored().await;
    assert_eq!(device.location, SF_CELL_RES5);
    assert_eq!(device.attestation_nonce, 1);
    assert_eq!(device.status, DeviceStatus::Active);
    assert_eq!((device.owner, device.capacity), (f.owner.pubkey(), 13_500));

    // Nonces may skip ahead.
    f.send(&f.sign(&Attestation::location(1_000, SF_CELL)))
        .await
        .unwrap();
    let device = f.stored().await;
    assert_eq!(
        (device.location, device.attestation_nonce),
        (SF_CELL, 1_000)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_work_report_stores_the_nonce_and_keeps_the_location() {
    let f = fixture().await;
    f.send(&f.sign(&Attestation::work_report(5, [0xAB; 32])))
        .await
        .unwrap();
    let device = f.stored().await;
    assert_eq!(device.location, SF_CELL);
    assert_eq!(device.attestation_nonce, 5);
    // A work report's payload is free-form (no location rules).
    f.send(&f.sign(&Attestation::work_report(6, [0xFF; 32])))
        .await
        .unwrap();
    assert_eq!(f.stored().await.attestation_nonce, 6);
    assert_eq!(f.stored().await.location, SF_CELL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_may_submit_and_the_nonce_reaches_u32_max() {
    let f = fixture().await;
    // The payer signs the transaction; the device signed only the message.
    f.send(&f.sign(&Attestation::work_report(u32::MAX, [1; 32])))
        .await
        .unwrap();
    assert_eq!(f.stored().await.attestation_nonce, u32::MAX);
    // Nothing is above u32::MAX: the device can attest no more.
    assert_error(
        f.send(&f.sign(&Attestation::work_report(u32::MAX, [2; 32])))
            .await,
        RegistryError::AttestationReplayed,
    );
}

// ---- replay ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaying_an_attestation_fails() {
    let f = fixture().await;
    let signed = f.sign(&Attestation::location(3, SF_CELL_RES5));
    f.send(&signed).await.unwrap();
    // The same instructions again (a fresh blockhash makes it a new transaction).
    assert_error(f.send(&signed).await, RegistryError::AttestationReplayed);
    // A lower nonce, freshly signed, and nonce 0 fail too.
    assert_error(
        f.send(&f.sign(&Attestation::location(2, SF_CELL))).await,
        RegistryError::AttestationReplayed,
    );
    assert_error(
        f.send(&f.sign(&Attestation::work_report(0, [0; 32]))).await,
        RegistryError::AttestationReplayed,
    );
    let device = f.stored().await;
    assert_eq!(
        (device.location, device.attestation_nonce),
        (SF_CELL_RES5, 3)
    );
}

// ---- signature checks ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_by_another_key_fails() {
    let f = fixture().await;
    let attestation = Attestation::location(1, SF_CELL_RES5);
    let message = attestation.message(&f.target);
    let impostor = Keypair::new();
    // A valid Ed25519 proof, but by the impostor's key over the device's message.
    let [_, attest] = f.sign(&attestation);
    let forged = [Fixture::ed25519(&impostor, &message), attest];
    assert_error(
        f.send(&forged).await,
        RegistryError::AttestationSignerMismatch,
    );

    // The owner's key is not the device key either.
    let [_, attest] = f.sign(&attestation);
    let by_owner = [Fixture::ed25519(&f.owner, &message), attest];
    assert_error(
        f.send(&by_owner).await,
        RegistryError::AttestationSignerMismatch,
    );
    let device = f.stored().await;
    assert_eq!((device.location, device.attestation_nonce), (SF_CELL, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signed_message_must_be_this_attestation() {
    let f = fixture().await;
    // Signed nonce 5, claimed nonce 6.
    let [verify5, _] = f.sign(&Attestation::location(5, SF_CELL_RES5));
    let [_, attest6] = f.sign(&Attestation::location(6, SF_CELL_RES5));
    assert_error(
        f.send(&[verify5, attest6]).await,
        RegistryError::AttestationMessageMismatch,
    );

    // Signed one location, claimed another.
    let [verify, _] = f.sign(&Attestation::location(7, SF_CELL));
    let [_, attest] = f.sign(&Attestation::location(7, SF_CELL_RES5));
    assert_error(
        f.send(&[verify, attest]).await,
        RegistryError::AttestationMessageMismatch,
    );

    // Signed a work report, claimed a location with the same payload.
    let payload = depin_registry::state::location_payload(SF_CELL_RES5);
    let [verify, _] = f.sign(&Attestation::work_report(8, payload));
    let [_, attest] = f.sign(&Attestation {
        nonce: 8,
        kind: AttestationKind::Location,
        payload,
    });
    assert_error(
        f.send(&[verify, attest]).await,
        RegistryError::AttestationMessageMismatch,
    );

    // The device key's signature over the same attestation for another device
    // account (its registration in another network).
    let other = f.env.other_network().await;
    let maker = f.env.maker_in(&other.network, &other.admin, 1).await;
    let (_, mut new) = Env::new_device(&f.owner.pubkey());
    new.device_key = f.device.pubkey();
    f.env
        .register_in(&other.network, &maker, &f.device, &new, None)
        .await
        .unwrap();
    let attestation = Attestation::location(9, SF_CELL_RES5);
    let elsewhere =
        registry::attestation_target(&f.env.cluster, &other.network, &f.device.pubkey())
            .await
            .unwrap();
    let [verify_elsewhere, _] = attestation.sign(&elsewhere, &f.device);
    let [_, attest_here] = f.sign(&attestation);
    assert_error(
        f.send(&[verify_elsewhere, attest_here]).await,
        RegistryError::AttestationMessageMismatch,
    );

    let device = f.stored().await;
    assert_eq!((device.location, device.attestation_nonce), (SF_CELL, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ed25519_check_must_come_right_before() {
    let f = fixture().await;
    let [verify, attest] = f.sign(&Attestation::location(1, SF_CELL_RES5));
    // Alone.
    assert_error(
        f.send(std::slice::from_ref(&attest)).await,
        RegistryError::MissingEd25519Instruction,
    );
    // After something else.
    let transfer = anchor_lang::solana_program::system_instruction::transfer(
        &f.env.payer(),
        &f.owner.pubkey(),
        1,
    );
    assert_error(
        f.send(&[transfer.clone(), attest.clone()]).await,
        RegistryError::MissingEd25519Instruction,
    );
    // The check present but not directly before.
    assert_error(
        f.send(&[verify.clone(), transfer, attest.clone()]).await,
        RegistryError::MissingEd25519Instruction,
    );
    // After it, not before.
    assert_error(
        f.send(&[attest, verify]).await,
        RegistryError::MissingEd25519Instruction,
    );
    assert_eq!(f.stored().await.attestation_nonce, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_signature_fails_in_the_precompile() {
    let f = fixture().await;
    let [mut verify, attest] = f.sign(&Attestation::location(1, SF_CELL_RES5));
    verify.data[SIGNATURE_OFFSET] ^= 1;
    // Instruction 0 (the precompile) fails, so the registry never runs.
    assert_instruction_error(
        f.send(&[verify, attest.clone()]).await,
        0,
        InstructionError::Custom(PRECOMPILE_INVALID_SIGNATURE),
    );

    // A signature over other bytes than the message in the instruction.
    let [mut verify, _] = f.sign(&Attestation::location(1, SF_CELL_RES5));
    let len = verify.data.len();
    verify.data[len - 1] ^= 1;
    assert_instruction_error(
        f.send(&[verify, attest]).await,
        0,
        InstructionError::Custom(PRECOMPILE_INVALID_SIGNATURE),
    );
    let device = f.stored().await;
    assert_eq!((device.location, device.attestation_nonce), (SF_CELL, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ed25519_offsets_pointing_at_another_instruction_fail() {
    let f = fixture().await;
    // Index 0 is the Ed25519 instruction itself, so the precompile still
    // verifies; the registry only accepts "this instruction" (u16::MAX).
    for field in [SIGNATURE_IX_INDEX, PUBKEY_IX_INDEX, MESSAGE_IX_INDEX] {
        let [mut verify, attest] = f.sign(&Attestation::location(1, SF_CELL_RES5));
        set_u16(&mut verify.data, field, 0);
        assert_error(
            f.send(&[verify, attest]).await,
            RegistryError::MalformedEd25519Instruction,
        );
    }
    // A signature count other than one is rejected by the precompile already.
    let [mut verify, attest] = f.sign(&Attestation::location(1, SF_CELL_RES5));
    verify.data[0] = 2;
    assert_instruction_error(
        f.send(&[verify, attest]).await,
        0,
        InstructionError::Custom(PRECOMPILE_INVALID_DATA_OFFSETS),
    );
    let [mut verify, attest] = f.sign(&Attestation::location(1, SF_CELL_RES5));
    verify.data[0] = 0;
    assert_instruction_error(
        f.send(&[verify, attest]).await,
        0,
        InstructionError::Custom(PRECOMPILE_INVALID_DATA_SIZE),
    );
    assert_eq!(f.stored().await.attestation_nonce, 0);
}

// ---- device and network state ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspended_and_retired_devices_cannot_attest() {
    let f = fixture().await;
    let env = &f.env;
    let manager = env.member(permission::DEVICE_MANAGER).await;
    f.suspend(&manager).await.unwrap();
    assert_error(
        f.send(&f.sign(&Attestation::location(1, SF_CELL_RES5)))
            .await,
        RegistryError::DeviceNotActive,
    );

    f.resume(&manager).await.unwrap();
    f.send(&f.sign(&Attestation::location(1, SF_CELL_RES5)))
        .await
        .unwrap();

    f.retire(&f.owner).await.unwrap();
    assert_error(
        f.send(&f.sign(&Attestation::location(2, SF_CELL))).await,
        RegistryError::DeviceNotActive,
    );
    let device = f.stored().await;
    assert_eq!(
        (device.location, device.attestation_nonce),
        (SF_CELL_RES5, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_network_rejects_attestations() {
    let f = fixture().await;
    let signed = f.sign(&Attestation::work_report(1, [1; 32]));
    f.env.set_paused(true).await;
    assert_error(f.send(&signed).await, RegistryError::NetworkPaused);
    assert_eq!(f.stored().await.attestation_nonce, 0);
    f.env.set_paused(false).await;
    f.send(&signed).await.unwrap();
    assert_eq!(f.stored().await.attestation_nonce, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_payloads_must_be_valid_cells() {
    let f = fixture().await;
    // Not an H3 cell.
    let bad_cell = Attestation::location(1, 0x8928308280ffffe);
    assert_error(
        f.send(&f.sign(&bad_cell)).await,
        RegistryError::InvalidLocation,
    );
    // Unknown (0) is not an assertion of a location.
    assert_error(
        f.send(&f.sign(&Attestation::location(1, 0))).await,
        RegistryError::InvalidAttestationPayload,
    );
    // Bytes past the u64 must be zero.
    let mut payload = depin_registry::state::location_payload(SF_CELL_RES5);
    payload[31] = 1;
    let trailing = Attestation {
        nonce: 1,
        kind: AttestationKind::Location,
        payload,
    };
    assert_error(
        f.send(&f.sign(&trailing)).await,
        RegistryError::InvalidAttestationPayload,
    );
    let device = f.stored().await;
    assert_eq!((device.location, device.attestation_nonce), (SF_CELL, 0));
}

// ---- substituted accounts ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instructions_sysvar_cannot_be_replaced() {
    let f = fixture().await;
    let [verify, attest] = f.sign(&Attestation::location(1, SF_CELL_RES5));
    let fake = f.env.wallet().await.pubkey();
    let spoofed = substitute(attest.clone(), &INSTRUCTIONS_SYSVAR_ID, &fake);
    assert_error(
        f.send(&[verify.clone(), spoofed]).await,
        AnchorError::ConstraintAddress,
    );
    let clock =
        <anchor_lang::prelude::Clock as anchor_lang::solana_program::sysvar::SysvarId>::id();
    let spoofed = substitute(attest, &INSTRUCTIONS_SYSVAR_ID, &clock);
    assert_error(
        f.send(&[verify, spoofed]).await,
        AnchorError::ConstraintAddress,
    );
    assert_eq!(f.stored().await.attestation_nonce, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_of_another_network_fails() {
    let f = fixture().await;
    let (other, foreign) = f.foreign_device().await;
    // Correctly signed for its own network, but submitted with this network.
    let target = registry::attestation_target(&f.env.cluster, &other.network, &foreign.pubkey())
        .await
        .unwrap();
    let [verify, attest] = Attestation::location(1, SF_CELL_RES5).sign(&target, &foreign);
    let attest = substitute(attest, &other.network, &f.env.network);
    assert_error(
        f.send(&[verify, attest]).await,
        RegistryError::DeviceNetworkMismatch,
    );
    let stored = f
        .env
        .device_state_in(&other.network, &foreign.pubkey())
        .await;
    assert_eq!(stored.attestation_nonce, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_and_cosplaying_accounts_fail() {
    let f = fixture().await;
    let env = &f.env;
    let device = pda::device(&env.network, &f.device.pubkey()).0;
    let fake = env.wallet().await.pubkey();
    let signed = || f.sign(&Attestation::location(1, SF_CELL_RES5));

    let [verify, attest] = signed();
    assert_error(
        f.send(&[verify, substitute(attest, &device, &fake)]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    let [verify, attest] = signed();
    assert_error(
        f.send(&[verify, substitute(attest, &env.network, &fake)])
            .await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    let member = pda::member(&env.network, &env.admin.pubkey()).0;
    let [verify, attest] = signed();
    assert_error(
        f.send(&[verify, substitute(attest, &device, &member)])
            .await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    let [verify, attest] = signed();
    assert_error(
        f.send(&[verify, substitute(attest, &env.network, &device)])
            .await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    let [verify, attest] = signed();
    let nowhere = Pubkey::new_unique();
    assert_error(
        f.send(&[verify, substitute(attest, &device, &nowhere)])
            .await,
        AnchorError::AccountNotInitialized,
    );
    assert_eq!(f.stored().await.attestation_nonce, 0);
}

// ---- re-registration ----

/// Closing a device and registering the same key again restarts its nonce at
/// 0, but every signature names the registration it was made for, so nothing
/// accepted before the close verifies again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attestations_from_before_a_close_do_not_replay_after_re_registration() {
    let f = fixture().await;
    let env = &f.env;
    let old = f.sign(&Attestation::work_report(1, [7; 32]));
    f.send(&old).await.unwrap();
    f.retire(&f.owner).await.unwrap();
    f.close(&f.owner).await.unwrap();

    let maker = env.maker(1).await;
    let (_, mut new) = Env::new_device(&f.owner.pubkey());
    new.device_key = f.device.pubkey();
    env.register(&maker, &f.device, &new).await.unwrap();
    let stored = f.stored().await;
    assert_eq!(stored.attestation_nonce, 0);
    assert_eq!(stored.registration, f.target.registration + 1);

    assert_error(
        f.send(&old).await,
        RegistryError::AttestationMessageMismatch,
    );
    assert_eq!(f.stored().await.attestation_nonce, 0);

    // The same report signed for the new registration is accepted.
    let target = f.attestation_target().await;
    f.send(&Attestation::work_report(1, [7; 32]).sign(&target, &f.device))
        .await
        .unwrap();
    assert_eq!(f.stored().await.attestation_nonce, 1);
}
