//! What can be checked in a program's ELF before paying to deploy it.

use anchor_lang::prelude::Pubkey;

use super::error::DeployError;

/// `e_machine` of an SBF ELF (EM_BPF).
const EM_BPF: u16 = 247;

/// Refuses anything but a 64-bit little-endian BPF ELF, which is all the
/// loader accepts (it would refuse it too, but only after the buffer was paid).
pub fn check_sbf(name: &str, elf: &[u8]) -> Result<(), DeployError> {
    let is_sbf = elf.len() > 20
        && elf.starts_with(b"\x7fELF\x02\x01")
        && u16::from_le_bytes([elf[18], elf[19]]) == EM_BPF;
    if is_sbf {
        Ok(())
    } else {
        Err(DeployError::NotSbf {
            program: name.to_string(),
        })
    }
}

/// Whether the ELF holds these 32 bytes: Anchor compiles `declare_id!` into
/// the program (it refuses to run at any other address), so a build for
/// `id` contains it, and a build for another id almost surely does not.
pub fn embeds_id(elf: &[u8], id: &Pubkey) -> bool {
    let id = id.to_bytes();
    elf.windows(id.len()).any(|window| window == id)
}

/// Checks that the program keypair, the source's `declare_id!` (when known)
/// and the build agree, so nothing is deployed at an address where it would
/// refuse every call (Anchor's `DeclaredProgramIdMismatch`).
pub fn check_program_id(
    name: &str,
    elf: &[u8],
    keypair_id: &Pubkey,
    source_id: Option<&Pubkey>,
) -> Result<(), DeployError> {
    let source_matches = source_id.is_none_or(|id| id == keypair_id);
    let elf_matches = embeds_id(elf, keypair_id);
    if source_matches && elf_matches {
        return Ok(());
    }
    Err(DeployError::IdMismatch {
        program: name.to_string(),
        keypair_id: *keypair_id,
        source_id: source_id.copied(),
        elf_built_for_source: source_id.is_some_and(|id| embeds_id(elf, id)),
        elf_matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_elf(id: &Pubkey) -> Vec<u8> {
        let mut elf = b"\x7fELF\x02\x01".to_vec();
        elf.resize(18, 0);
        elf.extend_from_slice(&EM_BPF.to_le_bytes());
        elf.resize(100, 7);
        elf.extend_from_slice(id.as_ref());
        elf.resize(200, 9);
        elf
    }

    #[test]
    fn finds_the_embedded_id() {
        let id = Pubkey::new_unique();
        let elf = fake_elf(&id);
        assert!(check_sbf("p", &elf).is_ok());
        assert!(embeds_id(&elf, &id));
        assert!(!embeds_id(&elf, &Pubkey::new_unique()));
        assert!(check_program_id("p", &elf, &id, Some(&id)).is_ok());
        assert!(check_program_id("p", &elf, &id, None).is_ok());
    }

    #[test]
    fn refuses_a_build_for_another_id() {
        let built_for = Pubkey::new_unique();
        let keypair = Pubkey::new_unique();
        let elf = fake_elf(&built_for);
        let error = check_program_id("depin_registry", &elf, &keypair, Some(&built_for))
            .unwrap_err()
            .to_string();
        assert!(error.contains("depin keys sync"), "{error}");
        assert!(error.contains(&keypair.to_string()), "{error}");
        // Source already synced, build stale: only a rebuild is needed.
        let error = check_program_id("depin_registry", &elf, &keypair, Some(&keypair))
            .unwrap_err()
            .to_string();
        assert!(error.contains("rebuild"), "{error}");
    }

    #[test]
    fn refuses_what_is_not_sbf() {
        assert!(check_sbf("p", b"#!/bin/sh\n").is_err());
    }
}
