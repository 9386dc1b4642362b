//! The compute budget a send asks for: a unit limit from simulation plus a
//! margin, and a unit price from recent prioritization fees.

use anchor_lang::prelude::Pubkey;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;
use solana_message::Message;

use super::config::ComputeUnitMargin;

/// The most compute units a transaction may ask for.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;

/// `getRecentPrioritizationFees` accepts at most this many accounts.
pub const MAX_FEE_ACCOUNTS: usize = 128;

const SET_COMPUTE_UNIT_LIMIT: u8 = 2;
const SET_COMPUTE_UNIT_PRICE: u8 = 3;

/// The limit for a transaction that consumed `simulated` units in
/// simulation: plus `margin`, at most [`MAX_COMPUTE_UNIT_LIMIT`].
pub fn compute_unit_limit(simulated: u64, margin: ComputeUnitMargin) -> u32 {
    let proportional = simulated.saturating_mul(u64::from(margin.percent)) / 100;
    let limit = simulated.saturating_add(proportional.max(u64::from(margin.at_least)));
    u32::try_from(limit)
        .unwrap_or(MAX_COMPUTE_UNIT_LIMIT)
        .min(MAX_COMPUTE_UNIT_LIMIT)
}

/// The median of `values` (the mean of the two middle ones, rounded up, for
/// an even count); `None` when empty.
pub fn median(values: &mut [u64]) -> Option<u64> {
    values.sort_unstable();
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => values.get(middle).copied(),
        _ => {
            let (low, high) = (*values.get(middle.checked_sub(1)?)?, *values.get(middle)?);
            // low + ceil((high - low) / 2), which cannot overflow.
            Some(low + (high - low).div_ceil(2))
        }
    }
}

/// The unit price (micro-lamports) from recent fees: their median, at least
/// `floor`, at most `cap` (the cap wins over the floor).
pub fn priority_price(mut recent: Vec<u64>, floor: u64, cap: u64) -> u64 {
    median(&mut recent).unwrap_or(0).max(floor).min(cap)
}

/// Whether the caller already set the limit or the price itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallerBudget {
    /// A `SetComputeUnitLimit` is among the caller's instructions.
    pub sets_limit: bool,
    /// A `SetComputeUnitPrice` is among the caller's instructions.
    pub sets_price: bool,
}

impl CallerBudget {
    /// Looks for compute budget instructions among `instructions`.
    pub fn of(instructions: &[Instruction]) -> Self {
        let sets = |kind: u8| {
            instructions.iter().any(|ix| {
                ix.program_id == solana_compute_budget_interface::ID
                    && ix.data.first() == Some(&kind)
            })
        };
        CallerBudget {
            sets_limit: sets(SET_COMPUTE_UNIT_LIMIT),
            sets_price: sets(SET_COMPUTE_UNIT_PRICE),
        }
    }
}

/// The compute budget instructions to put in front of the caller's.
pub fn budget_instructions(limit: Option<u32>, price: Option<u64>) -> Vec<Instruction> {
    let mut instructions = Vec::with_capacity(2);
    if let Some(limit) = limit {
        instructions.push(ComputeBudgetInstruction::set_compute_unit_limit(limit));
    }
    if let Some(price) = price {
        instructions.push(ComputeBudgetInstruction::set_compute_unit_price(price));
    }
    instructions
}

/// The accounts a message may write (the fee payer first), at most
/// [`MAX_FEE_ACCOUNTS`]: whose recent fees say what priority it competes with.
pub fn writable_accounts(message: &Message) -> Vec<Pubkey> {
    let reserved: Option<&std::collections::HashSet<Pubkey>> = None;
    message
        .account_keys
        .iter()
        .enumerate()
        .filter(|(index, _)| message.is_maybe_writable_with_reserved_addresses(*index, reserved))
        .map(|(_, key)| *key)
        .take(MAX_FEE_ACCOUNTS)
        .collect()
}

/// The program of each of the message's instructions, in order.
pub fn message_programs(message: &Message) -> Vec<Pubkey> {
    message
        .instructions
        .iter()
        .map(|ix| {
            message
                .account_keys
                .get(usize::from(ix.program_id_index))
                .copied()
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARGIN: ComputeUnitMargin = ComputeUnitMargin {
        percent: 10,
        at_least: 1_000,
    };

    #[test]
    fn limit_is_simulation_plus_margin_capped() {
        assert_eq!(compute_unit_limit(0, MARGIN), 1_000);
        assert_eq!(compute_unit_limit(5_000, MARGIN), 6_000);
        assert_eq!(compute_unit_limit(10_000, MARGIN), 11_000);
        assert_eq!(compute_unit_limit(123_456, MARGIN), 135_801);
        assert_eq!(
            compute_unit_limit(1_300_000, MARGIN),
            MAX_COMPUTE_UNIT_LIMIT
        );
        assert_eq!(compute_unit_limit(u64::MAX, MARGIN), MAX_COMPUTE_UNIT_LIMIT);
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [7]), Some(7));
        assert_eq!(median(&mut [9, 1, 5]), Some(5));
        assert_eq!(median(&mut [0, 0, 10, 20]), Some(5));
        assert_eq!(median(&mut [1, 2]), Some(2));
        assert_eq!(median(&mut [u64::MAX, u64::MAX - 1]), Some(u64::MAX));
    }

    #[test]
    fn price_is_the_median_with_a_floor_and_a_cap() {
        // Mostly idle slots: the median is 0, the floor applies.
        assert_eq!(
            priority_price(vec![0, 0, 0, 50_000], 1_000, 1_000_000),
            1_000
        );
        assert_eq!(priority_price(vec![], 1_000, 1_000_000), 1_000);
        assert_eq!(
            priority_price(vec![20_000, 30_000, 40_000], 1_000, 1_000_000),
            30_000
        );
        // A spike is cut to the cap, even a cap below the floor.
        assert_eq!(
            priority_price(vec![9_000_000; 3], 1_000, 1_000_000),
            1_000_000
        );
        assert_eq!(priority_price(vec![0], 1_000, 500), 500);
    }

    #[test]
    fn caller_budget_instructions_are_recognised() {
        let ixs = budget_instructions(Some(50_000), None);
        assert_eq!(
            CallerBudget::of(&ixs),
            CallerBudget {
                sets_limit: true,
                sets_price: false
            }
        );
        let ixs = budget_instructions(None, Some(5));
        assert!(CallerBudget::of(&ixs).sets_price);
        assert_eq!(CallerBudget::of(&[]), CallerBudget::default());
        assert_eq!(ixs[0].data, [3, 5, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn writable_accounts_start_with_the_payer_and_skip_readonly() {
        let payer = Pubkey::new_unique();
        let written = Pubkey::new_unique();
        let read = Pubkey::new_unique();
        let program = Pubkey::new_unique();
        let ix = Instruction {
            program_id: program,
            accounts: vec![
                solana_instruction::AccountMeta::new(written, false),
                solana_instruction::AccountMeta::new_readonly(read, false),
            ],
            data: vec![],
        };
        let message = Message::new(&[ix], Some(&payer));
        assert_eq!(writable_accounts(&message), vec![payer, written]);
        assert_eq!(message_programs(&message), vec![program]);
    }
}
