use anchor_lang::prelude::*;

#[error_code]
pub enum FractionalError {
    #[msg("The signer lacks the permission this instruction needs in this network")]
    MissingPermission,
    #[msg("Only the device's registered owner may tokenize it")]
    NotDeviceOwner,
    #[msg("The device is not active")]
    DeviceNotActive,
    #[msg("The network is paused")]
    NetworkPaused,
    #[msg("The asset is retired")]
    AssetRetired,
    #[msg("Only the asset's authority may do this")]
    NotAssetAuthority,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Offering fee above 10%")]
    FeeTooHigh,
    #[msg("Offering terms are invalid (price, shares, soft cap or deadline)")]
    InvalidTerms,
    #[msg("Not enough unissued shares for this offering")]
    NotEnoughShares,
    #[msg("The asset already has an open offering")]
    OfferingAlreadyOpen,
    #[msg("The offering is not open")]
    OfferingNotOpen,
    #[msg("The offering's deadline has passed")]
    DeadlinePassed,
    #[msg("The offering cannot close before its deadline unless sold out")]
    TooEarlyToClose,
    #[msg("Not enough shares left in the offering")]
    SoldOut,
    #[msg("This purchase would exceed the per-investor cap")]
    InvestorCapExceeded,
    #[msg("The buyer is not on the network's allowlist")]
    NotAllowlisted,
    #[msg("Refunds are only for failed offerings")]
    NotFailed,
    #[msg("Purchases are delivered only after the offering succeeded")]
    NotSucceeded,
    #[msg("An offering can only be cancelled before any sale")]
    AlreadySold,
    #[msg("The account does not match the offering, asset or network")]
    WrongAccount,
    #[msg("The fee account must be the market's fee recipient's, in the payment mint")]
    WrongFeeAccount,
    #[msg("Proceeds must go to a token account of the asset's authority")]
    WrongProceedsAccount,
    #[msg("Offerings must sell in the revenue pool's payment mint")]
    WrongPaymentMint,
    #[msg("The refund must go to a token account of the buyer in the payment mint")]
    WrongRefundAccount,
    #[msg("The rent goes back to the account that paid it")]
    WrongRentPayer,
    #[msg("The new authority must differ from the current one")]
    AuthorityUnchanged,
    #[msg("Internal accounting is inconsistent")]
    AccountingInconsistent,
    #[msg("Arithmetic overflow")]
    Overflow,
}
