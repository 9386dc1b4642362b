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
const MINT_LEN: usize = 82;
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

/// Creates a mint at the address of `mint` (a fixed key gives repeatable
/// PDAs derived from it); its mint authority is `authority`.
pub async fn create_mint_at(
    cluster: &impl Cluster,
    mint: &Keypair,
    authority: &Pubkey,
    decimals: u8,
) -> Result<Pubkey, ClientError> {
    create_initialized(cluster, mint, MINT_LEN, |mint| {
        spl_token::instruction::initialize_mint2(&TOKEN_PROGRAM_ID, mint, authority, None, decimals)
    })
    .await
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
    let ix = spl_token::instruction::mint_to(
        &TOKEN_PROGRAM_ID,
        mint,
        to,
        &mint_authority.pubkey(),
        &[],
        amount,
    )
    .map_err(|e| ClientError::Cluster(e.to_string()))?;
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

/// The associated token program (the `spl-token` CLI's default accounts).
pub const ASSOCIATED_TOKEN_PROGRAM_ID: Pubkey =
    anchor_lang::pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/// The associated token account of `owner` for `mint` (where wallets and
/// the `spl-token` CLI keep a mint's tokens by default).
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[owner.as_ref(), TOKEN_PROGRAM_ID.as_ref(), mint.as_ref()],
        &ASSOCIATED_TOKEN_PROGRAM_ID,
    )
    .0
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
