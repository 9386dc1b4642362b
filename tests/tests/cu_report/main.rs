//! Runs every instruction of every program once and, in SBF mode
//! (`DEPIN_PROGRAM_MODE=sbf`), writes the compute units each one spent to
//! `target/cu-report.md` (or `$DEPIN_CU_REPORT`), checks each emitted its
//! event, and checks the figures against budgets. Figures from the real VM
//! are deterministic (with the fixed keys used here), so a budget overrun is
//! a regression, not noise.

mod fractional;
mod payments;
mod registry;
mod report;
mod rewards;
mod staking;

use report::Budget;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_units() {
    let mut rows = vec![];
    registry::measure(&mut rows).await;
    rewards::measure(&mut rows).await;
    staking::measure(&mut rows).await;
    fractional::measure(&mut rows).await;
    payments::measure(&mut rows).await;
    let sbf = depin_client::local::ProgramMode::from_env().is_sbf();

    let budgets: Vec<Budget> = [
        registry::BUDGETS,
        rewards::BUDGETS,
        staking::BUDGETS,
        fractional::BUDGETS,
        payments::BUDGETS,
    ]
    .concat();
    report::check_coverage_and_events(&rows, &budgets, sbf);
    if sbf {
        report::write_report(&rows, &budgets);
        report::check_budgets(&rows, &budgets);
        rewards::check_claim_target(&rows);
        payments::check_settle_target(&rows);
    }
}
