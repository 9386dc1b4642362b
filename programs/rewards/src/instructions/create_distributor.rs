use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use depin_registry::state::{permission, Member, Network};

use crate::errors::RewardsError;
use crate::events::DistributorCreated;
use crate::pda::{DISTRIBUTOR_SEED, ROOT_PROPOSAL_SEED, VAULT_SEED};
use crate::state::{Distributor, Guards, OutflowBreaker, RootProposal};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateDistributorArgs {
    pub pool_id: u16,
    /// Unix seconds; 0 = never expires.
    pub expires_at: i64,
    /// How many oracles must approve a root, how long an admin may veto it,
    /// and how much claims may take per window.
    pub guards: Guards,
}

/// A member with the treasury permission opens a reward pool of `mint` in
/// its network, with a vault owned by the distributor and the root proposal
/// account through which oracles approve its roots.
#[derive(Accounts)]
#[instruction(args: CreateDistributorArgs)]
pub struct CreateDistributor<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Box<Account<'info, Member>>,
    pub network: Box<Account<'info, Network>>,
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        space = Distributor::SIZE,
        seeds = [DISTRIBUTOR_SEED, network.key().as_ref(), mint.key().as_ref(), &args.pool_id.to_le_bytes()],
        bump
    )]
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, distributor.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = distributor,
        token::token_program = token_program
    )]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        space = 8 + RootProposal::INIT_SPACE,
        seeds = [ROOT_PROPOSAL_SEED, distributor.key().as_ref()],
        bump
    )]
    pub root_proposal: Box<Account<'info, RootProposal>>,
    #[account(constraint = treasury.mint == mint.key() @ RewardsError::InvalidTreasury)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateDistributor<'_> {
    pub fn validate(&self, args: &CreateDistributorArgs) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::TREASURY)?;
        let now = Clock::get()?.unix_timestamp;
        require!(
            args.expires_at == 0 || args.expires_at > now,
            RewardsError::InvalidExpiry
        );
        args.guards.validate()
    }
}

pub fn handler(ctx: Context<CreateDistributor>, args: CreateDistributorArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let guards = args.guards;
    {
        // A fresh account is all zero: only the non-zero fields are set.
        let mut distributor = accounts.distributor.load_init()?;
        distributor.network = accounts.network.key();
        distributor.mint = accounts.mint.key();
        distributor.vault = accounts.vault.key();
        distributor.treasury = accounts.treasury.key();
        distributor.pool_id = args.pool_id;
        distributor.bump = ctx.bumps.distributor;
        distributor.vault_bump = ctx.bumps.vault;
        distributor.expires_at = args.expires_at;
        distributor.breaker = OutflowBreaker::new(&guards);
    }
    accounts.root_proposal.set_inner(RootProposal::new(
        accounts.distributor.key(),
        ctx.bumps.root_proposal,
        &guards,
    ));
    emit!(DistributorCreated {
        distributor: accounts.distributor.key(),
        network: accounts.network.key(),
        mint: accounts.mint.key(),
        pool_id: args.pool_id,
        vault: accounts.vault.key(),
        treasury: accounts.treasury.key(),
        expires_at: args.expires_at,
        root_proposal: accounts.root_proposal.key(),
        guards,
    });
    Ok(())
}
