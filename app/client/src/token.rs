//! SPL Token helpers (the real token program) for setting up mints and
//! accounts and reading balances.

use anchor_lang::prelude::{ProgramError, Pubkey};
use anchor_lang::AccountDeserialize;
use anchor_spl::token::spl_token;
use anchor_spl::token::{Mint, TokenAccount};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::cluster::{fetch, Cluster};
use crate::error::ClientError;

pub const TOKEN_PROGRAM_ID: Pubkey = spl_token::ID;
/// Bytes of an SPL mint account.
pub const MINT_LEN: usize = 82;
const ACCOUNT_LEN: usize = 165;

/// Creates a token-program-owned account of `len` bytes at `account`'s
/// address and initializes it with `init(address)`.
async fn create_initialized(
    cluster: &impl Cluster,
    account: &Keypair,
    len: usize,
    init: impl FnOnce(&Pubkey) -> Result<Instruction, ProgramError>,
) -> Result<Pubkey, ClientError> {
    let lamports = cluster.minimum_balance(len).await?;
    let create = anchor_lang::solana_program::system_instruction::create_account(
        &cluster.payer().pubkey(),
        &account.pubkey(),
        lamports,
        len as u64,
        &TOKEN_PROGRAM_ID,
    );
    let init = init(&account.pubkey()).map_err(|e| ClientError::Cluster(e.to_string()))?;
    cluster.send(&[create, init], &[account]).await?;
    Ok(account.pubkey())
}

/// The instructions that create a mint at `mint` (which signs) with
/// `decimals` and mint authority `authority`; `payer` pays `lamports` of rent
/// ([`Cluster::minimum_balance`] of [`MINT_LEN`]).
pub fn create_mint_instructions(
    payer: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
    decimals: u8,
    lamports: u64,
) -> [Instruction; 2] {
    [
        anchor_lang::solana_program::system_instruction::create_account(
            payer,
            mint,
            lamports,
            MINT_LEN as u64,
            &TOKEN_PROGRAM_ID,
        ),
        spl_token::instruction::initialize_mint2(
            &TOKEN_PROGRAM_ID,
            mint,
            authority,
            None,
            decimals,
        )
        .expect("initialize_mint2 of the SPL token program is always valid"),
    ]
}

/// Mints `amount` base units of `mint` into `to`, signed by `authority`.
pub fn mint_to_instruction(
    mint: &Pubkey,
    to: &Pubkey,
    authority: &Pubkey,
    amount: u64,
) -> Instruction {
    spl_token::instruction::mint_to(&TOKEN_PROGRAM_ID, mint, to, authority, &[], amount)
        .expect("a mint_to with no multisig signers is always valid")
}

/// Creates a mint at the address of `mint` (a fixed key gives repeatable
/// PDAs derived from it); its mint authority is `authority`.
pub async fn create_mint_at(
    cluster: &impl Cluster,
    mint: &Keypair,
    authority: &Pubkey,
    decimals: u8,
) -> Result<Pubkey, ClientError> {
    let lamports = cluster.minimum_balance(MINT_LEN).await?;
    let payer = cluster.payer().pubkey();
    let instructions =
        create_mint_instructions(&payer, &mint.pubkey(), authority, decimals, lamports);
    cluster.send(&instructions, &[mint]).await?;
    Ok(mint.pubkey())
}

/// Creates a mint whose mint authority is `authority`; returns its address.
pub async fn create_mint(
    cluster: &impl Cluster,
    authority: &Pubkey,
    decimals: u8,
) -> Result<Pubkey, ClientError> {
    create_mint_at(cluster, &Keypair::new(), authority, decimals).await
}

/// Creates a token account of `mint` owned by `owner`; returns its address.
pub async fn create_token_account(
    cluster: &impl Cluster,
    mint: &Pubkey,
    owner: &Pubkey,
) -> Result<Pubkey, ClientError> {
    create_initialized(cluster, &Keypair::new(), ACCOUNT_LEN, |account| {
        spl_token::instruction::initialize_account3(&TOKEN_PROGRAM_ID, account, mint, owner)
    })
    .await
}

pub async fn mint_to(
    cluster: &impl Cluster,
    mint: &Pubkey,
    to: &Pubkey,
    mint_authority: &Keypair,
    amount: u64,
) -> Result<(), ClientError> {
    let ix = mint_to_instruction(mint, to, &mint_authority.pubkey(), amount);
    cluster.send(&[ix], &[mint_authority]).await.map(|_| ())
}

pub async fn balance(cluster: &impl Cluster, token_account: &Pubkey) -> Result<u64, ClientError> {
    Ok(fetch::<TokenAccount>(cluster, token_account).await?.amount)
}

pub async fn mint_supply(cluster: &impl Cluster, mint: &Pubkey) -> Result<u64, ClientError> {
    Ok(fetch::<Mint>(cluster, mint).await?.supply)
}

/// The decimals of `mint` (amounts in UI units are scaled by them).
pub async fn mint_decimals(cluster: &impl Cluster, mint: &Pubkey) -> Result<u8, ClientError> {
    Ok(fetch::<Mint>(cluster, mint).await?.decimals)
}

/// A token account's mint, owner and balance; `None` when no token account
/// is at `address` (missing, or another kind of account).
pub async fn token_account_info(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<Option<TokenAccountInfo>, ClientError> {
    let Some(account) = cluster.get_account(address).await? else {
        return Ok(None);
    };
    if account.owner != TOKEN_PROGRAM_ID {
        return Ok(None);
    }
    Ok(decode_account(&account.data).map(|t| TokenAccountInfo {
        mint: t.mint,
        owner: t.owner,
        amount: t.amount,
    }))
}

/// What [`token_account_info`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenAccountInfo {
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}

/// Decodes a token account from raw data (for callers holding the bytes).
pub fn decode_account(data: &[u8]) -> Option<TokenAccount> {
    TokenAccount::try_deserialize(&mut &data[..]).ok()
}

/// A plain SPL transfer of `amount` from `source` (owned by `owner`).
pub fn transfer(source: &Pubkey, destination: &Pubkey, owner: &Pubkey, amount: u64) -> Instruction {
    spl_token::instruction::transfer(&TOKEN_PROGRAM_ID, source, destination, owner, &[], amount)
        .expect("a transfer with no multisig signers is always valid")
}

/// The Associated Token Account program (deployed on every cluster, and at
/// genesis of `solana-test-validator`).
pub const ASSOCIATED_TOKEN_PROGRAM_ID: Pubkey =
    Pubkey::from_str_const("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/// Where a token account's mint and owner sit in its 165 bytes (SPL layout):
/// the filters of [`accounts_of`].
pub const ACCOUNT_MINT_OFFSET: usize = 0;
pub const ACCOUNT_OWNER_OFFSET: usize = 32;

/// `owner`'s associated token account of `mint` (SPL Token): where wallets
/// and the `spl-token` CLI keep a mint's tokens by default.
pub fn associated_address(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    associated_address_for(owner, mint, &TOKEN_PROGRAM_ID)
}

/// `owner`'s associated token account of `mint` under `token_program`
/// (SPL Token or Token-2022).
pub fn associated_address_for(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[owner.as_ref(), token_program.as_ref(), mint.as_ref()],
        &ASSOCIATED_TOKEN_PROGRAM_ID,
    )
    .0
}

/// Creates `owner`'s associated token account of `mint` unless it exists
/// (`CreateIdempotent`); `payer` pays its rent. Nobody but the payer signs.
pub fn create_associated_idempotent(payer: &Pubkey, owner: &Pubkey, mint: &Pubkey) -> Instruction {
    Instruction {
        program_id: ASSOCIATED_TOKEN_PROGRAM_ID,
        accounts: vec![
            solana_instruction::AccountMeta::new(*payer, true),
            solana_instruction::AccountMeta::new(associated_address(owner, mint), false),
            solana_instruction::AccountMeta::new_readonly(*owner, false),
            solana_instruction::AccountMeta::new_readonly(*mint, false),
            solana_instruction::AccountMeta::new_readonly(
                anchor_lang::solana_program::system_program::ID,
                false,
            ),
            solana_instruction::AccountMeta::new_readonly(TOKEN_PROGRAM_ID, false),
        ],
        // AssociatedTokenAccountInstruction::CreateIdempotent
        data: vec![1],
    }
}

/// Every SPL token account `owner` holds, of `mint` if given (one
/// `getProgramAccounts` with size and memcmp filters), sorted by address.
pub async fn accounts_of(
    cluster: &impl Cluster,
    owner: &Pubkey,
    mint: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, TokenAccount)>, ClientError> {
    use crate::cluster::AccountFilter;
    let mut filters = vec![
        AccountFilter::DataSize(ACCOUNT_LEN as u64),
        AccountFilter::Memcmp {
            offset: ACCOUNT_OWNER_OFFSET,
            bytes: owner.to_bytes().to_vec(),
        },
    ];
    if let Some(mint) = mint {
        filters.push(AccountFilter::Memcmp {
            offset: ACCOUNT_MINT_OFFSET,
            bytes: mint.to_bytes().to_vec(),
        });
    }
    let mut found: Vec<(Pubkey, TokenAccount)> = cluster
        .get_program_accounts(&TOKEN_PROGRAM_ID, &filters)
        .await?
        .into_iter()
        .filter_map(|(address, account)| decode_account(&account.data).map(|a| (address, a)))
        .collect();
    found.sort_by_key(|(address, _)| *address);
    Ok(found)
}

/// The token account of `mint` that `owner` uses by default: its
/// associated account if it exists, else the one holding the most, else
/// `None`.
pub async fn default_account(
    cluster: &impl Cluster,
    owner: &Pubkey,
    mint: &Pubkey,
) -> Result<Option<(Pubkey, TokenAccount)>, ClientError> {
    let accounts = accounts_of(cluster, owner, Some(mint)).await?;
    let associated = associated_address(owner, mint);
    if let Some(found) = accounts.iter().find(|(address, _)| *address == associated) {
        return Ok(Some(*found));
    }
    Ok(accounts
        .into_iter()
        .max_by_key(|(_, account)| account.amount))
}

/// An account of `mint` for `owner` to receive into: its default account
/// ([`default_account`]) or, when it has none, its associated account with
/// the instruction that creates it (paid by `payer`) to run first.
pub async fn receiving_account(
    cluster: &impl Cluster,
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
) -> Result<(Pubkey, Option<Instruction>), ClientError> {
    let address = payout_address(cluster, owner, mint).await?;
    let create = if address == associated_address(owner, mint)
        && cluster.get_account(&address).await?.is_none()
    {
        Some(create_associated_idempotent(payer, owner, mint))
    } else {
        None
    };
    Ok((address, create))
}

/// The account of `mint` that pays `owner`: its associated account when it
/// exists, else its [`default_account`], else its associated account (still
/// to be created). When the accounts cannot be listed, the associated one.
pub async fn payout_address(
    cluster: &impl Cluster,
    owner: &Pubkey,
    mint: &Pubkey,
) -> Result<Pubkey, ClientError> {
    let associated = associated_address(owner, mint);
    if cluster.get_account(&associated).await?.is_some() {
        return Ok(associated);
    }
    // Listing accounts is optional here: the in-process bank cannot, and
    // public RPC nodes often refuse `getProgramAccounts`; the associated
    // account is the owner's in any case.
    match default_account(cluster, owner, mint).await {
        Ok(Some((address, _))) => Ok(address),
        Ok(None) | Err(_) => Ok(associated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_account_filter_offsets_match_the_spl_layout() {
        // Bytes laid out by hand, read back by the token program's own
        // decoder: the filter offsets are where it finds mint and owner.
        let mint = Pubkey::new_unique();
        let owner = Pubkey::new_unique();
        let mut data = vec![0u8; ACCOUNT_LEN];
        data[ACCOUNT_MINT_OFFSET..][..32].copy_from_slice(mint.as_ref());
        data[ACCOUNT_OWNER_OFFSET..][..32].copy_from_slice(owner.as_ref());
        data[64..72].copy_from_slice(&7u64.to_le_bytes());
        data[108] = 1; // AccountState::Initialized
        let decoded = decode_account(&data).unwrap();
        assert_eq!((decoded.mint, decoded.owner), (mint, owner));
        assert_eq!(&data[ACCOUNT_MINT_OFFSET..][..32], mint.as_ref());
        assert_eq!(&data[ACCOUNT_OWNER_OFFSET..][..32], owner.as_ref());
        assert_eq!(decode_account(&data).unwrap().amount, 7);
    }

    #[test]
    fn create_associated_targets_the_derived_address() {
        let owner = Pubkey::new_unique();
        let mint = Pubkey::new_unique();
        let ix = create_associated_idempotent(&owner, &owner, &mint);
        assert_eq!(ix.accounts[1].pubkey, associated_address(&owner, &mint));
        assert_eq!(ix.data, vec![1]);
        assert!(!associated_address(&owner, &mint).is_on_curve());
    }
}
