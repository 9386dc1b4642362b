//! Names of well-known programs and the error codes of those that do not log
//! their errors Anchor's way (SPL Token, Token-2022, System, Associated
//! Token Account). Anchor programs are named from their log line instead.

use anchor_lang::prelude::Pubkey;
use anchor_lang::pubkey;
use anchor_lang::solana_program::{bpf_loader_upgradeable, system_program};
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;

const ASSOCIATED_TOKEN_PROGRAM: Pubkey = pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
const COMPUTE_BUDGET_PROGRAM: Pubkey = solana_compute_budget_interface::ID;

/// A readable name for a program id the client knows.
pub fn program_name(program: &Pubkey) -> Option<&'static str> {
    const NAMED: &[(Pubkey, &str)] = &[
        (depin_registry::ID, "depin_registry"),
        (depin_rewards::ID, "depin_rewards"),
        (depin_staking::ID, "depin_staking"),
        (depin_revenue::ID, "depin_revenue"),
        (depin_fractional::ID, "depin_fractional"),
        (depin_payments::ID, "depin_payments"),
        (spl_token::ID, "spl_token"),
        (spl_token_2022::ID, "spl_token_2022"),
        (ASSOCIATED_TOKEN_PROGRAM, "associated_token"),
        (system_program::ID, "system"),
        (COMPUTE_BUDGET_PROGRAM, "compute_budget"),
        (bpf_loader_upgradeable::ID, "bpf_loader_upgradeable"),
    ];
    NAMED
        .iter()
        .find(|(id, _)| id == program)
        .map(|(_, name)| *name)
}

/// `(name, message)` of custom error `code` of a well-known non-Anchor
/// program; `None` for other programs and unknown codes.
pub fn known_program_error(program: &Pubkey, code: u32) -> Option<(String, String)> {
    if *program == spl_token::ID {
        let error = spl_token::error::TokenError::try_from(code).ok()?;
        Some((format!("{error:?}"), error.to_string()))
    } else if *program == spl_token_2022::ID {
        let error = spl_token_2022::error::TokenError::try_from(code).ok()?;
        Some((format!("{error:?}"), error.to_string()))
    } else if *program == system_program::ID {
        lookup(SYSTEM_ERRORS, code)
    } else if *program == ASSOCIATED_TOKEN_PROGRAM {
        lookup(ASSOCIATED_TOKEN_ERRORS, code)
    } else {
        None
    }
}

fn lookup(table: &[(&str, &str)], code: u32) -> Option<(String, String)> {
    let (name, message) = table.get(usize::try_from(code).ok()?)?;
    Some((name.to_string(), message.to_string()))
}

/// `SystemError`, by code (a stable on-chain ABI).
const SYSTEM_ERRORS: &[(&str, &str)] = &[
    (
        "AccountAlreadyInUse",
        "an account with the same address already exists",
    ),
    (
        "ResultWithNegativeLamports",
        "account does not have enough SOL to perform the operation",
    ),
    (
        "InvalidProgramId",
        "cannot assign account to this program id",
    ),
    (
        "InvalidAccountDataLength",
        "cannot allocate account data of this length",
    ),
    (
        "MaxSeedLengthExceeded",
        "length of requested seed is too long",
    ),
    (
        "AddressWithSeedMismatch",
        "provided address does not match addressed derived from seed",
    ),
    (
        "NonceNoRecentBlockhashes",
        "advancing stored nonce requires a populated RecentBlockhashes sysvar",
    ),
    (
        "NonceBlockhashNotExpired",
        "stored nonce is still in recent_blockhashes",
    ),
    (
        "NonceUnexpectedBlockhashValue",
        "specified nonce does not match stored nonce",
    ),
];

/// `AssociatedTokenAccountError`, by code.
const ASSOCIATED_TOKEN_ERRORS: &[(&str, &str)] = &[(
    "InvalidOwner",
    "Associated token account owner does not match address derivation",
)];
