//! How a program is cut into buffer writes: each write is one transaction,
//! as large as the 1,232-byte packet allows.

use std::ops::Range;

/// The largest serialized transaction a validator accepts.
const PACKET_DATA_SIZE: usize = 1232;
const SIGNATURE_LEN: usize = 64;
const KEY_LEN: usize = 32;
/// Room kept for the two compute-budget instructions an RPC sender may
/// prepend (unit limit and unit price): their program's key (32) and the
/// instructions (8 and 12 bytes).
const COMPUTE_BUDGET_ROOM: usize = KEY_LEN + 8 + 12;

/// Bytes of program per write transaction. The transaction: signatures
/// (payer, plus the buffer authority when it is another key), the message
/// header (3), the keys (payer, buffer, loader, and the authority when it is
/// another key), a blockhash, and one `Write` instruction (program index,
/// 2 account indexes, and the data: a u32 tag, a u32 offset, a u64 length,
/// the bytes), with compact-u16 lengths.
pub fn chunk_len(authority_is_payer: bool) -> usize {
    let signers = if authority_is_payer { 1 } else { 2 };
    let keys = signers + 2;
    let fixed = 1 + signers * SIGNATURE_LEN // signatures
        + 3 // header
        + 1 + keys * KEY_LEN // account keys
        + KEY_LEN // recent blockhash
        + 1 // instruction count
        + 1 + 1 + 2 // program index, account indexes
        + 2 // data length (compact-u16 of a value above 127)
        + 4 + 4 + 8; // tag, offset, byte count
    PACKET_DATA_SIZE - fixed - COMPUTE_BUDGET_ROOM
}

/// The byte range of every chunk of a `len`-byte program.
pub fn ranges(len: usize, chunk: usize) -> Vec<Range<usize>> {
    (0..len)
        .step_by(chunk)
        .map(|start| start..(start + chunk).min(len))
        .collect()
}

/// Chunks whose bytes in `written` (the buffer's data so far) differ from
/// `elf`. A new buffer is zero-filled, so all-zero chunks never need a write.
pub fn pending(elf: &[u8], written: &[u8], chunk: usize) -> Vec<usize> {
    ranges(elf.len(), chunk)
        .into_iter()
        .enumerate()
        .filter(|(_, range)| written.get(range.clone()) != Some(&elf[range.clone()]))
        .map(|(index, _)| index)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use solana_instruction::{AccountMeta, Instruction};
    use solana_keypair::Keypair;
    use solana_signer::Signer;
    use solana_transaction::Transaction;

    fn compute_budget(data: Vec<u8>) -> Instruction {
        Instruction {
            program_id: Pubkey::new_unique(),
            accounts: vec![],
            data,
        }
    }

    fn serialized_len(authority_is_payer: bool) -> usize {
        let payer = Keypair::new();
        let authority = Keypair::new();
        let authority_key = if authority_is_payer {
            payer.pubkey()
        } else {
            authority.pubkey()
        };
        let write = solana_loader_v3_interface::instruction::write(
            &Pubkey::new_unique(),
            &authority_key,
            0,
            vec![1; chunk_len(authority_is_payer)],
        );
        let budget_program = Pubkey::new_unique();
        let limit = Instruction {
            program_id: budget_program,
            ..compute_budget(vec![2; 5])
        };
        let price = Instruction {
            program_id: budget_program,
            ..compute_budget(vec![3; 9])
        };
        let tx = Transaction::new_with_payer(&[limit, price, write], Some(&payer.pubkey()));
        let signatures = tx.message.header.num_required_signatures as usize;
        1 + signatures * SIGNATURE_LEN + tx.message.serialize().len()
    }

    #[test]
    fn a_full_write_with_compute_budget_fills_one_packet() {
        assert_eq!(serialized_len(true), PACKET_DATA_SIZE);
        assert_eq!(serialized_len(false), PACKET_DATA_SIZE);
        assert_eq!(chunk_len(true), 960);
        // The accounts of the write: buffer writable, authority signer.
        let write = solana_loader_v3_interface::instruction::write(
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            0,
            vec![],
        );
        assert_eq!(write.accounts.len(), 2);
        assert!(matches!(
            write.accounts[1],
            AccountMeta {
                is_signer: true,
                ..
            }
        ));
    }

    #[test]
    fn only_differing_chunks_are_pending() {
        let elf: Vec<u8> = (0..25u8).map(|i| if i < 10 { 0 } else { i }).collect();
        assert_eq!(ranges(25, 10), vec![0..10, 10..20, 20..25]);
        let fresh = vec![0; 25];
        assert_eq!(pending(&elf, &fresh, 10), vec![1, 2]);
        let mut half = fresh.clone();
        half[10..20].copy_from_slice(&elf[10..20]);
        assert_eq!(pending(&elf, &half, 10), vec![2]);
        assert!(pending(&elf, &elf, 10).is_empty());
        assert_eq!(pending(&elf, &[], 10), vec![0, 1, 2]);
    }
}
