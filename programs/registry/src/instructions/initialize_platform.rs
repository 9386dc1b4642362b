use anchor_lang::prelude::*;

use crate::events::PlatformInitialized;
use crate::pda::PLATFORM_SEED;
use crate::state::Platform;

#[derive(Accounts)]
pub struct InitializePlatform<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(init, payer = payer, space = 8 + Platform::INIT_SPACE, seeds = [PLATFORM_SEED], bump)]
    pub platform: Account<'info, Platform>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializePlatform>) -> Result<()> {
    let platform = &mut ctx.accounts.platform;
    platform.network_count = 0;
    platform.bump = ctx.bumps.platform;
    emit!(PlatformInitialized {
        platform: platform.key()
    });
    Ok(())
}
