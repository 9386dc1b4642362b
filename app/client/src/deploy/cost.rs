//! What a deployment costs the payer: the balance changes it makes, in the
//! order it makes them, so both the final cost and the peak (the most the
//! balance is ever down) are exact.

/// The base fee per signature. Priority fees, if the sender adds any, are
/// on top and not counted here.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;

/// The payer's balance changes of one program's deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cost {
    /// Rent that stays in accounts after success: programdata and program
    /// account for a new deploy, the programdata's growth for an upgrade.
    pub rent: u64,
    /// Rent held by the buffer while the program is written (it comes back
    /// to the payer when the program is deployed or upgraded).
    pub buffer_rent: u64,
    /// Lamports coming back from accounts an earlier run left (its buffer).
    pub refund: u64,
    /// Base fees of every transaction.
    pub fees: u64,
    pub transactions: u64,
    /// How far the balance drops below where it started, at worst.
    pub peak: u64,
    /// Running total (positive = spent) while the steps are recorded.
    running: i128,
}

impl Cost {
    /// What the payer is down after success (negative: it got more back).
    pub fn net(&self) -> i128 {
        self.running
    }

    pub(super) fn transaction(&mut self, signatures: u64) {
        self.transactions += 1;
        self.fees += signatures * LAMPORTS_PER_SIGNATURE;
        self.pay(signatures * LAMPORTS_PER_SIGNATURE);
    }

    /// Rent that stays locked.
    pub(super) fn lock_rent(&mut self, lamports: u64) {
        self.rent += lamports;
        self.pay(lamports);
    }

    /// Funds a new buffer.
    pub(super) fn fund_buffer(&mut self, lamports: u64) {
        self.buffer_rent += lamports;
        self.pay(lamports);
    }

    /// A buffer's lamports coming back; `funded_earlier` when an earlier
    /// run paid for it (then it is a refund of this run).
    pub(super) fn return_buffer(&mut self, lamports: u64, funded_earlier: bool) {
        if funded_earlier {
            self.refund += lamports;
        }
        self.running -= i128::from(lamports);
    }

    fn pay(&mut self, lamports: u64) {
        self.running += i128::from(lamports);
        self.peak = self.peak.max(u64::try_from(self.running).unwrap_or(0));
    }
}

/// The balance the payer needs to deploy `costs` one after the other: each
/// program's peak on top of what the earlier ones left spent.
pub fn required_balance<'a>(costs: impl IntoIterator<Item = &'a Cost>) -> u64 {
    let mut spent: i128 = 0;
    let mut needed: i128 = 0;
    for cost in costs {
        needed = needed.max(spent + i128::from(cost.peak));
        spent += cost.net();
    }
    u64::try_from(needed.max(0)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deploy_peaks_at_its_final_rent_and_an_upgrade_at_its_buffer() {
        // Deploy: buffer 100, two writes, then program 10 + fee, buffer back, programdata 120.
        let mut deploy = Cost::default();
        deploy.transaction(2);
        deploy.fund_buffer(100);
        deploy.transaction(1);
        deploy.transaction(1);
        deploy.transaction(2);
        deploy.lock_rent(10);
        deploy.return_buffer(100, false);
        deploy.lock_rent(120);
        let fees = 6 * LAMPORTS_PER_SIGNATURE;
        assert_eq!(deploy.net(), i128::from(130 + fees));
        assert_eq!(deploy.peak, 130 + fees);

        // Upgrade: buffer 100 out and back.
        let mut upgrade = Cost::default();
        upgrade.transaction(2);
        upgrade.fund_buffer(100);
        upgrade.transaction(1);
        upgrade.return_buffer(100, false);
        assert_eq!(upgrade.net(), i128::from(3 * LAMPORTS_PER_SIGNATURE));
        assert_eq!(upgrade.peak, 100 + 3 * LAMPORTS_PER_SIGNATURE);

        // In sequence: the deploy's net, then the upgrade's peak on top.
        assert_eq!(
            required_balance([&deploy, &upgrade]),
            130 + fees + 100 + 3 * LAMPORTS_PER_SIGNATURE
        );
        assert_eq!(
            required_balance([&upgrade, &deploy]),
            (130 + fees) + 3 * LAMPORTS_PER_SIGNATURE
        );
    }

    #[test]
    fn a_resumed_buffer_is_a_refund() {
        let mut resumed = Cost::default();
        resumed.transaction(1);
        resumed.return_buffer(100, true);
        assert_eq!(resumed.refund, 100);
        assert_eq!(resumed.net(), i128::from(LAMPORTS_PER_SIGNATURE) - 100);
        assert_eq!(resumed.peak, LAMPORTS_PER_SIGNATURE);
    }
}
