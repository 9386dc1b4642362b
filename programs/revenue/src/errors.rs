use anchor_lang::prelude::*;

#[error_code]
pub enum RevenueError {
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Only the pool's issuer may do this")]
    NotIssuer,
    #[msg("The issuer must be the share mint's mint authority")]
    IssuerMustBeMintAuthority,
    #[msg("The account is not this pool's vault or mint")]
    WrongPool,
    #[msg("Only the holding's owner may do this")]
    NotOwner,
    #[msg("No revenue to claim")]
    NothingToClaim,
    #[msg("The holding has fewer shares than requested")]
    InsufficientShares,
    #[msg("The share vault does not hold the shares being credited")]
    SharesNotInVault,
    #[msg("No shares earn in this pool yet: revenue would go to whoever buys the first share")]
    NoSharesEarning,
    #[msg("The holding has less unclaimed revenue than requested")]
    InsufficientRevenue,
    #[msg("Source and destination holdings must differ")]
    SameHolding,
    #[msg("Arithmetic overflow")]
    Overflow,
    #[msg("Internal accounting is inconsistent")]
    AccountingInconsistent,
}
