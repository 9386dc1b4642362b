//! Token movements out of a session's escrow, signed by the session PDA, and
//! the checks on the accounts they pay.

use anchor_lang::prelude::*;
use anchor_spl::token::{close_account, CloseAccount, TokenAccount};

use crate::errors::PaymentsError;
use crate::events::{SessionClosed, SessionEnd};
use crate::pda::SESSION_SEED;
use crate::state::Session;

/// The session's signer seeds (stored bump: no address search on chain).
pub struct SessionSeeds {
    device: [u8; 32],
    customer: [u8; 32],
    id: [u8; 8],
    bump: [u8; 1],
}

impl SessionSeeds {
    pub fn of(session: &Session) -> Self {
        SessionSeeds {
            device: session.device.to_bytes(),
            customer: session.customer.to_bytes(),
            id: session.id.to_le_bytes(),
            bump: [session.bump],
        }
    }

    pub fn seeds(&self) -> [&[u8]; 5] {
        [
            SESSION_SEED,
            &self.device,
            &self.customer,
            &self.id,
            &self.bump,
        ]
    }
}

/// Pays `amount` from the escrow to `to` (nothing when 0).
pub fn pay<'info>(
    session: &AccountInfo<'info>,
    seeds: &SessionSeeds,
    escrow: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    depin_token_cpi::transfer_signed(escrow, to, session, token_program, amount, &seeds.seeds())
}

/// Closes the (empty) escrow; its rent goes to `rent_payer`.
pub fn close_escrow<'info>(
    session: &AccountInfo<'info>,
    seeds: &SessionSeeds,
    escrow: &AccountInfo<'info>,
    rent_payer: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
) -> Result<()> {
    let accounts = CloseAccount {
        account: escrow.clone(),
        destination: rent_payer.clone(),
        authority: session.clone(),
    };
    close_account(CpiContext::new_with_signer(
        token_program.key(),
        accounts,
        &[&seeds.seeds()],
    ))
}

/// `account` is a token account of `mint` owned by `owner`: payouts reach
/// the payee they are meant for, in the session's currency.
pub fn require_token_account(account: &AccountInfo, mint: &Pubkey, owner: &Pubkey) -> Result<()> {
    require_keys_eq!(
        *account.owner,
        anchor_spl::token::ID,
        PaymentsError::WrongPayoutAccount
    );
    let data = account.try_borrow_data()?;
    let token = TokenAccount::try_deserialize(&mut &data[..])
        .map_err(|_| error!(PaymentsError::WrongPayoutAccount))?;
    require!(
        token.mint == *mint && token.owner == *owner,
        PaymentsError::WrongPayoutAccount
    );
    Ok(())
}

/// Ends a session: everything left in the escrow (the unsettled deposit,
/// and anything sent there since, so nobody can block the close) goes back
/// to the refund account, then the escrow and the session close with their
/// rent to the payer.
pub fn end_session<'info>(
    session: &mut Account<'info, Session>,
    escrow: &mut Account<'info, TokenAccount>,
    refund_account: &AccountInfo<'info>,
    rent_payer: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    end: SessionEnd,
) -> Result<()> {
    escrow.reload()?;
    let refunded = escrow.amount;
    let seeds = SessionSeeds::of(session);
    let session_info = session.to_account_info();
    let escrow_info = escrow.to_account_info();
    pay(
        &session_info,
        &seeds,
        &escrow_info,
        refund_account,
        token_program,
        refunded,
    )?;
    close_escrow(
        &session_info,
        &seeds,
        &escrow_info,
        rent_payer,
        token_program,
    )?;
    emit!(SessionClosed {
        session: session.key(),
        end,
        settled: session.settled,
        refunded,
    });
    session.close(rent_payer.clone())
}
