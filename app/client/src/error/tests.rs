use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use solana_instruction::error::InstructionError;
use solana_transaction_error::TransactionError;

use super::*;

const TOKEN: &str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const BUDGET: &str = "ComputeBudget111111111111111111111111111111";

fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim().to_string()).collect()
}

fn custom(index: u8, code: u32) -> TransactionError {
    TransactionError::InstructionError(index, InstructionError::Custom(code))
}

#[test]
fn parses_anchor_log_line() {
    let logs = vec![
        "Program log: Instruction: TransferDevice".to_string(),
        "Program log: AnchorError thrown in programs/registry/src/state/device.rs:80. Error Code: NotDeviceOwner. Error Number: 6018. Error Message: Only the device owner may do this.".to_string(),
    ];
    let failure = AnchorFailure::from_logs(&logs).unwrap();
    assert_eq!(failure.name, "NotDeviceOwner");
    assert_eq!(failure.number, 6018);
    assert_eq!(failure.message, "Only the device owner may do this");
    assert!(AnchorFailure::from_logs(&["Program log: hi".to_string()]).is_none());
}

/// Logs of a registry `transfer_device` by a non-owner, as
/// `solana-test-validator` 4.2.2 returned them to `RpcCluster`'s simulation
/// (two compute budget instructions in front).
fn registry_refusal_logs() -> Vec<String> {
    let registry = depin_registry::ID;
    lines(&format!(
        "Program {BUDGET} invoke [1]
         Program {BUDGET} success
         Program {BUDGET} invoke [1]
         Program {BUDGET} success
         Program {registry} invoke [1]
         Program log: Instruction: TransferDevice
         Program log: AnchorError thrown in programs/registry/src/state/device.rs:71. Error Code: NotDeviceOwner. Error Number: 6018. Error Message: Only the device owner may do this.
         Program log: Left:
         Program log: 8rQbrhXF5PsoBkYwbTpnD5C6LhEVpqvP1du6DbrbXd5J
         Program log: Right:
         Program log: ESeDFNrCRhuf1XPRWSchptbN54Y4YNDFjRYQLUudF9fT
         Program {registry} consumed 4900 of 1399700 compute units
         Program {registry} failed: custom program error: 0x1782"
    ))
}

#[test]
fn anchor_error_is_named_with_its_instruction_in_the_callers_numbering() {
    let programs = [
        Pubkey::from_str(BUDGET).unwrap(),
        Pubkey::from_str(BUDGET).unwrap(),
        depin_registry::ID,
    ];
    let failure = TxFailure::new(custom(2, 6018), registry_refusal_logs())
        .at(FailureStage::Simulation)
        .with_programs(&programs, 2);
    let named = failure.named.as_ref().unwrap();
    assert_eq!(named.name, "NotDeviceOwner");
    assert_eq!(named.program_id, Some(depin_registry::ID));
    let instruction = failure.instruction.as_ref().unwrap();
    assert_eq!(instruction.index, Some(0));
    let text = failure.to_string();
    assert!(
        text.starts_with(
            "simulation failed, nothing was sent: instruction 0 (depin_registry): \
             NotDeviceOwner: Only the device owner may do this (error 6018)"
        ),
        "{text}"
    );
    assert!(text.contains("Program log: Left:"), "{text}");
    assert!(!text.contains("Error Code"), "{text}");
    assert!(!text.contains("Custom"), "{text}");
}

/// An SPL Token transfer of more than the balance, as the validator (which
/// runs p-token) logged it in simulation.
#[test]
fn spl_token_error_is_named_from_the_table() {
    let logs = lines(&format!(
        "Program {BUDGET} invoke [1]
         Program {BUDGET} success
         Program {BUDGET} invoke [1]
         Program {BUDGET} success
         Program {TOKEN} invoke [1]
         Program log: Error: insufficient funds
         Program {TOKEN} consumed 181 of 1399700 compute units
         Program {TOKEN} failed: custom program error: 0x1"
    ));
    let failure = TxFailure::new(custom(2, 1), logs);
    let named = failure.named.as_ref().unwrap();
    assert_eq!(
        (named.name.as_str(), named.message.as_str()),
        ("InsufficientFunds", "Insufficient funds")
    );
    // Without the message's programs, the instruction is found in the logs.
    assert_eq!(
        failure.instruction.as_ref().unwrap().program_id,
        Some(spl_token::ID)
    );
    let text = failure.to_string();
    assert!(
        text.starts_with(
            "instruction 2 (spl_token): InsufficientFunds: Insufficient funds (error 1)"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("\n    Program log: Error: insufficient funds"),
        "{text}"
    );
}

/// The shape of a token error raised inside a CPI (the caller fails with
/// the token program's code).
#[test]
fn token_error_inside_a_cpi_names_the_token_program_not_the_caller() {
    let caller = depin_revenue::ID;
    let logs = lines(&format!(
        "Program {caller} invoke [1]
         Program log: Instruction: Deposit
         Program {TOKEN} invoke [2]
         Program log: Instruction: Transfer
         Program log: Error: owner does not match
         Program {TOKEN} consumed 1200 of 190000 compute units
         Program {TOKEN} failed: custom program error: 0x4
         Program {caller} consumed 9000 of 200000 compute units
         Program {caller} failed: custom program error: 0x4"
    ));
    let failure = TxFailure::new(custom(0, 4), logs).with_programs(&[caller], 0);
    let named = failure.named.as_ref().unwrap();
    assert_eq!(named.name, "OwnerMismatch");
    assert_eq!(named.program_id, Some(spl_token::ID));
    let text = failure.to_string();
    assert!(
        text.starts_with(
            "instruction 0 (depin_revenue): OwnerMismatch: Owner does not match (error 4 from spl_token)"
        ),
        "{text}"
    );
}

#[test]
fn system_program_errors_are_named() {
    let system = anchor_lang::solana_program::system_program::ID;
    let logs = lines(&format!(
        "Program {system} invoke [1]
         Transfer: insufficient lamports 10, need 20
         Program {system} failed: custom program error: 0x1"
    ));
    let failure = TxFailure::new(custom(0, 1), logs);
    assert_eq!(
        failure.named.as_ref().unwrap().name,
        "ResultWithNegativeLamports"
    );
}

#[test]
fn unknown_custom_codes_say_which_program_raised_them() {
    let program = Pubkey::new_unique();
    let logs = lines(&format!(
        "Program {program} invoke [1]
         Program {program} failed: custom program error: 0x2a"
    ));
    let failure = TxFailure::new(custom(0, 42), logs);
    assert!(failure.named.is_none());
    assert!(failure
        .to_string()
        .contains(&format!("custom program error 42 (0x2a) of {program}")));
}

#[test]
fn non_instruction_errors_read_as_the_runtime_says() {
    let failure = TxFailure::new(TransactionError::InsufficientFundsForFee, vec![]);
    assert!(failure.instruction.is_none());
    assert_eq!(
        failure.to_string(),
        TransactionError::InsufficientFundsForFee.to_string()
    );
}

#[test]
fn failure_in_a_prepended_instruction_has_no_caller_index() {
    let programs = [Pubkey::from_str(BUDGET).unwrap(), depin_registry::ID];
    let error = TransactionError::InstructionError(0, InstructionError::InvalidInstructionData);
    let failure = TxFailure::new(error, vec![]).with_programs(&programs, 1);
    assert_eq!(failure.instruction.as_ref().unwrap().index, None);
    assert!(failure
        .to_string()
        .starts_with("a compute budget instruction (compute_budget): "));
}
