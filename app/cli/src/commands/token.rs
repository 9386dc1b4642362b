//! `depin token ...`: the SPL Token steps a depin user needs without the
//! `spl-token` CLI (test mints on a local validator, funding accounts,
//! paying someone): create-mint, create-account, mint, transfer, balance.
//! Accounts are associated token accounts, created when missing.
//!
//! JSON: create-mint `{"mint", "decimals", "authority"}`; create-account
//! `{"account", "owner", "mint", "created"}`; mint `{"mint", "to", "owner",
//! "amount": AMOUNT}`; transfer `{"mint", "from", "to", "recipient",
//! "amount": AMOUNT}`; balance `{"owner", "mint", "accounts": [{"address",
//! "amount": AMOUNT}], "total": AMOUNT}` where AMOUNT is `{"amount",
//! "ui_amount", "decimals"}`. Sends add `"transaction"`.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Subcommand;
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use serde_json::json;

use crate::config::{read_keypair, Source};
use crate::output::{amount_json, parse_ui_amount, ui_amount};
use crate::tx::{Session, SignerSource, TxArgs};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Creates a mint (you hold its mint authority unless --authority says otherwise).
    CreateMint {
        #[arg(long, default_value_t = 6)]
        decimals: u8,
        /// The new mint's keypair file (a vanity address) [default: a new key]
        #[arg(long, value_name = "KEYPAIR")]
        mint_keypair: Option<PathBuf>,
        /// The mint authority [default: the fee payer]
        #[arg(long, value_name = "PUBKEY")]
        authority: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Creates OWNER's associated token account of MINT (nothing if it exists).
    CreateAccount {
        mint: Pubkey,
        /// [default: the fee payer]
        #[arg(long)]
        owner: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Mints AMOUNT (UI units, e.g. 2.5) to a wallet's associated account (created if missing).
    Mint {
        mint: Pubkey,
        amount: String,
        /// The wallet receiving [default: the fee payer]
        #[arg(long, value_name = "OWNER")]
        to: Option<Pubkey>,
        /// The mint authority (a keypair file, or a public key when signing offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        authority: Option<String>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Sends AMOUNT (UI units) of MINT from your associated account to RECIPIENT's (created if missing).
    Transfer {
        mint: Pubkey,
        amount: String,
        recipient: Pubkey,
        /// The sender (a keypair file, or a public key when signing offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        from: Option<String>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// OWNER's balance of MINT, per token account and in all.
    Balance {
        mint: Pubkey,
        /// [default: the -k keypair's address]
        owner: Option<Pubkey>,
    },
}

impl TokenCommand {
    pub fn tx_args(&self) -> TxArgs {
        match self {
            TokenCommand::CreateMint { tx, .. }
            | TokenCommand::CreateAccount { tx, .. }
            | TokenCommand::Mint { tx, .. }
            | TokenCommand::Transfer { tx, .. } => tx.clone(),
            TokenCommand::Balance { .. } => TxArgs::default(),
        }
    }
}

pub async fn run(session: &Session, command: TokenCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        TokenCommand::CreateMint {
            decimals,
            mint_keypair,
            authority,
            ..
        } => {
            let mint = match mint_keypair {
                Some(path) => read_keypair(&path, &Source::Flag)?,
                None => Keypair::new(),
            };
            let authority = authority.unwrap_or(payer);
            let rent = session.cluster()?.minimum_balance(token::MINT_LEN).await?;
            let instructions =
                token::create_mint_instructions(&payer, &mint.pubkey(), &authority, decimals, rent);
            let address = mint.pubkey();
            let summary = json!({ "mint": address.to_string(), "decimals": decimals,
                "authority": authority.to_string() });
            let signer = SignerSource::Keypair(mint);
            session
                .run(&instructions, &[&signer], summary, || {
                    format!("Mint {address} ({decimals} decimals), authority {authority}")
                })
                .await?;
            Ok(())
        }
        TokenCommand::CreateAccount { mint, owner, .. } => {
            let owner = owner.unwrap_or(payer);
            let account = token::associated_address(&owner, &mint);
            let exists = session.cluster()?.get_account(&account).await?.is_some();
            let summary = json!({ "account": account.to_string(), "owner": owner.to_string(),
                "mint": mint.to_string(), "created": !exists });
            if exists {
                session
                    .output
                    .print(&summary, || format!("{account} already exists"));
                return Ok(());
            }
            let ix = token::create_associated_idempotent(&payer, &owner, &mint);
            session
                .run(&[ix], &[], summary, || {
                    format!("Token account {account} of {mint} for {owner}")
                })
                .await?;
            Ok(())
        }
        TokenCommand::Mint {
            mint,
            amount,
            to,
            authority,
            ..
        } => {
            let authority =
                SignerSource::or_default(authority.as_deref(), "--authority", &session.settings)?;
            let decimals = token::mint_decimals(session.cluster()?, &mint).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let owner = to.unwrap_or(payer);
            let account = token::associated_address(&owner, &mint);
            let instructions = [
                token::create_associated_idempotent(&payer, &owner, &mint),
                token::mint_to_instruction(&mint, &account, &authority.pubkey(), amount),
            ];
            let summary = json!({ "mint": mint.to_string(), "to": account.to_string(),
                "owner": owner.to_string(), "amount": amount_json(amount, decimals) });
            session
                .run(&instructions, &[&authority], summary, || {
                    format!("Minted {} to {owner}", ui_amount(amount, decimals))
                })
                .await?;
            Ok(())
        }
        TokenCommand::Transfer {
            mint,
            amount,
            recipient,
            from,
            ..
        } => {
            let sender = SignerSource::or_default(from.as_deref(), "--from", &session.settings)?;
            let cluster = session.cluster()?;
            let decimals = token::mint_decimals(cluster, &mint).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let source = token::associated_address(&sender.pubkey(), &mint);
            let held = match token::token_account_info(cluster, &source).await? {
                Some(info) => info.amount,
                None => bail!(
                    "{} has no token account of {mint} (its associated account {source} does not exist)",
                    sender.pubkey()
                ),
            };
            if held < amount {
                bail!(
                    "not enough tokens: {source} holds {} of {mint}, the transfer needs {}",
                    ui_amount(held, decimals),
                    ui_amount(amount, decimals)
                );
            }
            let destination = token::associated_address(&recipient, &mint);
            let instructions = [
                token::create_associated_idempotent(&payer, &recipient, &mint),
                token::transfer(&source, &destination, &sender.pubkey(), amount),
            ];
            let summary = json!({ "mint": mint.to_string(), "from": source.to_string(),
                "to": destination.to_string(), "recipient": recipient.to_string(),
                "amount": amount_json(amount, decimals) });
            session
                .run(&instructions, &[&sender], summary, || {
                    format!("Sent {} to {recipient}", ui_amount(amount, decimals))
                })
                .await?;
            Ok(())
        }
        TokenCommand::Balance { mint, owner } => {
            let owner = owner.unwrap_or(payer);
            let cluster = session.cluster()?;
            let decimals = token::mint_decimals(cluster, &mint).await?;
            let accounts = token::accounts_of(cluster, &owner, Some(&mint)).await?;
            let total = accounts
                .iter()
                .try_fold(0u64, |sum, (_, a)| sum.checked_add(a.amount))
                .ok_or_else(|| anyhow::anyhow!("balances overflow"))?;
            let json = json!({
                "owner": owner.to_string(),
                "mint": mint.to_string(),
                "accounts": accounts.iter().map(|(address, a)| json!({
                    "address": address.to_string(),
                    "amount": amount_json(a.amount, decimals),
                })).collect::<Vec<_>>(),
                "total": amount_json(total, decimals),
            });
            session.output.print(&json, || ui_amount(total, decimals));
            Ok(())
        }
    }
}
