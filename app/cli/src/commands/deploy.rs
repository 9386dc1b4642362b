//! `depin deploy`: the SBF builds through the upgradeable loader (the work
//! is `depin_client::deploy`'s; this reads files, prints and asks nothing).
//!
//! JSON shape: `{"cluster", "payer", "upgrade_authority", "dry_run",
//! "balance_lamports", "needed_lamports", "programs": [{"program",
//! "program_id", "size", "action" (deploy|upgrade|unchanged|finalize),
//! "extend_by", "max_len", "chunks_total", "chunks_to_write", "resuming",
//! "estimate": {"rent_lamports", "buffer_rent_lamports", "refund_lamports",
//! "fee_lamports", "transactions", "peak_lamports", "net_lamports"},
//! and once carried out: "chunks_written", "chunks_skipped", "transactions",
//! "lamports_spent", "fees_reported_lamports", "elapsed_ms"}],
//! "total": {"transactions", "lamports_spent", "elapsed_ms"}}`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use depin_client::deploy::{self, keyfile, Action, Options, Plan, Program, Report};
use depin_client::{Cluster, Keypair, Pubkey, Signer};
use serde_json::{json, Value};

use super::keys::{keypair_path, KeyDir};
use crate::output::{sol, sol_signed, OutputFormat};
use crate::progress::Bar;
use crate::table::Table;
use crate::workspace::{ProgramSource, Workspace};

/// How long `depin deploy` waits at the end for the last program to run.
pub const RUNNABLE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Args)]
pub struct DeployArgs {
    /// Programs to deploy (`registry` or `depin_registry`); all six when none is named.
    pub programs: Vec<String>,
    /// Leave the programs without an upgrade authority: they can never change.
    #[arg(long = "final")]
    pub finalize: bool,
    /// Programdata room for code, in bytes [default: the program's size].
    #[arg(long, value_name = "BYTES")]
    pub max_len: Option<usize>,
    #[command(flatten)]
    pub keypair_dir: KeyDir,
    /// Folder of the SBF builds, <program>.so [default: target/deploy].
    #[arg(long, value_name = "DIR")]
    pub program_dir: Option<PathBuf>,
    /// Keypair file of the upgrade authority [default: the payer].
    #[arg(long, value_name = "KEYPAIR")]
    pub upgrade_authority: Option<PathBuf>,
    /// Buffer writes in flight at once [default: 64 on a local validator, else 16]
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Print the plan and its cost; send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The programs' files, checked before anything is sent. An unfinished
/// deploy's buffer keypair is kept per cluster (`cluster_url`), so deploys to
/// several clusters (or test validators) never pick up each other's buffer.
pub fn load_programs(
    workspace: &Workspace,
    args: &DeployArgs,
    cluster_url: &str,
) -> Result<Vec<Program>> {
    let keypair_dir = args.keypair_dir.resolve(workspace);
    let program_dir = args
        .program_dir
        .clone()
        .unwrap_or_else(|| workspace.deploy_dir());
    workspace
        .select(&args.programs)?
        .iter()
        .map(|source| load_program(source, &program_dir, &keypair_dir, cluster_url))
        .collect()
}

/// A local validator confirms in a few hundred milliseconds and has no
/// request limit: more writes in flight finish sooner (all six programs:
/// 76 s at 64, 211 s at 16). Remote endpoints are limited by their request
/// rate, which the RPC client keeps to, so more in flight gains nothing.
fn default_concurrency(cluster_url: &str) -> usize {
    let host = cluster_url
        .split_once("://")
        .map_or(cluster_url, |(_, rest)| rest);
    if ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|local| host.starts_with(local))
    {
        64
    } else {
        deploy::DEFAULT_CONCURRENCY
    }
}

/// FNV-1a: a short, stable tag of the cluster URL for file names.
fn cluster_tag(url: &str) -> String {
    let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:08x}", hash >> 32)
}

fn load_program(
    source: &ProgramSource,
    program_dir: &Path,
    keypair_dir: &Path,
    cluster_url: &str,
) -> Result<Program> {
    let name = &source.lib_name;
    let so = program_dir.join(format!("{name}.so"));
    let elf = std::fs::read(&so).with_context(|| {
        format!(
            "cannot read {}: build the programs first (scripts/build-sbf)",
            so.display()
        )
    })?;
    let keypair_file = keypair_path(keypair_dir, name);
    if !keypair_file.exists() {
        anyhow::bail!(
            "{name}: no program keypair at {}; run `depin keys sync` (it creates one and sets \
             declare_id! to it), or pass --keypair-dir",
            keypair_file.display()
        );
    }
    let keypair = keyfile::read(&keypair_file)?;
    deploy::check_program_id(name, &elf, &keypair.pubkey(), source.declared_id.as_ref())?;
    Ok(Program {
        name: name.clone(),
        elf,
        keypair,
        buffer_keypair_path: program_dir.join(format!(
            "{name}-buffer-{}-keypair.json",
            cluster_tag(cluster_url)
        )),
    })
}

/// Ids this binary was built with that differ from the keypairs: commands
/// other than deploy would talk to the old addresses until it is rebuilt.
pub fn stale_builtin_ids(programs: &[Program]) -> Vec<(String, Pubkey, Pubkey)> {
    programs
        .iter()
        .filter_map(|program| {
            let (_, built_in) = depin_client::local::PROGRAMS
                .iter()
                .find(|(name, _)| *name == program.name)?;
            (*built_in != program.address())
                .then(|| (program.name.clone(), *built_in, program.address()))
        })
        .collect()
}

pub async fn run(
    cluster: &impl Cluster,
    cluster_url: &str,
    programs: Vec<Program>,
    upgrade_authority: &Keypair,
    args: &DeployArgs,
    output: OutputFormat,
) -> Result<()> {
    let started = Instant::now();
    let options = Options {
        upgrade_authority,
        max_len: args.max_len,
        finalize: args.finalize,
        concurrency: args
            .concurrency
            .unwrap_or_else(|| default_concurrency(cluster_url)),
    };
    for (name, built_in, keypair) in stale_builtin_ids(&programs) {
        eprintln!(
            "warning: this depin binary was built for {name} at {built_in}, the keypair is {keypair}; \
             rebuild it (cargo build --release -p depin-cli) before `depin init` and other commands"
        );
    }
    let payer = cluster.payer().pubkey();
    output.say(format!(
        "Cluster {cluster_url}\nPayer {payer}, upgrade authority {}\n",
        upgrade_authority.pubkey()
    ));

    let mut plans = Vec::with_capacity(programs.len());
    for program in &programs {
        plans.push(deploy::plan(cluster, program, &options).await?);
    }
    let balance = cluster.get_balance(&payer).await?;
    let needed = deploy::required_balance(plans.iter().map(|p| &p.cost));
    output.say(plan_table(&plans));
    output.say(format!(
        "\nNeeds {} SOL at its peak (programs one at a time, base fees of 5,000 lamports a \
         signature; priority fees on top), payer has {} SOL.",
        sol(needed),
        sol(balance)
    ));
    let mut json_programs: Vec<Value> = plans
        .iter()
        .zip(&programs)
        .map(|(p, program)| plan_json(p, program))
        .collect();
    let head = json!({
        "cluster": cluster_url,
        "payer": payer.to_string(),
        "upgrade_authority": upgrade_authority.pubkey().to_string(),
        "dry_run": args.dry_run,
        "balance_lamports": balance,
        "needed_lamports": needed,
    });
    if args.dry_run {
        let mut json = head;
        json["programs"] = json!(json_programs);
        output.print(&json, || "Dry run: nothing sent.".into());
        return Ok(());
    }
    deploy::check_funds(cluster, &plans).await?;

    let bar = Bar::new(output.wants_progress());
    let mut reports = Vec::with_capacity(plans.len());
    for (plan, program) in plans.into_iter().zip(&programs) {
        let report = deploy::execute(cluster, program, plan, &options, &bar).await?;
        bar.finish(&format!(
            "{}: {} ({} transactions)",
            report.program,
            report.action.name(),
            report.transactions
        ));
        reports.push(report);
    }
    // The next command (`depin init`, a call) may come at once: return when
    // the new code runs.
    for report in &reports {
        if matches!(
            report.action,
            Action::Deploy { .. } | Action::Upgrade { .. }
        ) && !deploy::wait_until_runnable(cluster, &report.address, RUNNABLE_WAIT).await?
        {
            eprintln!(
                "warning: {} is deployed but the cluster has not yet moved past its deployment slot; \
                 calls fail with \"Unsupported program id\" until it does",
                report.program
            );
        }
    }
    for (json, report) in json_programs.iter_mut().zip(&reports) {
        add_report(json, report);
    }
    let total_transactions: u64 = reports.iter().map(|r| r.transactions).sum();
    let total_spent: i128 = reports.iter().map(|r| r.lamports_spent).sum();
    let mut json = head;
    json["programs"] = json!(json_programs);
    json["total"] = json!({
        "transactions": total_transactions,
        "lamports_spent": total_spent,
        "elapsed_ms": started.elapsed().as_millis() as u64,
    });
    output.print(&json, || {
        format!(
            "\n{}\n\nTotal: {} transactions, {} SOL spent, {:.1} s",
            report_table(&reports),
            total_transactions,
            sol_signed(total_spent),
            started.elapsed().as_secs_f64()
        )
    });
    Ok(())
}

fn action_text(action: &Action) -> String {
    match action {
        Action::Upgrade { extend_by } if *extend_by > 0 => format!("upgrade (+{extend_by} B)"),
        other => other.name().into(),
    }
}

fn plan_table(plans: &[Plan]) -> String {
    let mut table = Table::new(&[
        "program",
        "address",
        "size",
        "action",
        "chunks",
        "rent (SOL)",
        "fees (SOL)",
        "peak (SOL)",
    ]);
    for plan in plans {
        let chunks = if plan.resuming {
            format!("{}/{} (resuming)", plan.chunks_to_write, plan.chunks_total)
        } else {
            format!("{}/{}", plan.chunks_to_write, plan.chunks_total)
        };
        table.row(vec![
            plan.program.clone(),
            plan.address.to_string(),
            plan.elf_len.to_string(),
            action_text(&plan.action),
            chunks,
            sol(plan.cost.rent),
            sol(plan.cost.fees),
            sol(plan.cost.peak),
        ]);
    }
    table.render()
}

fn plan_json(plan: &Plan, program: &Program) -> Value {
    let (extend_by, max_len) = match plan.action {
        Action::Upgrade { extend_by } => (Some(extend_by), None),
        Action::Deploy { max_len } => (None, Some(max_len)),
        _ => (None, None),
    };
    json!({
        "program": plan.program,
        "program_id": program.address().to_string(),
        "size": plan.elf_len,
        "action": plan.action.name(),
        "extend_by": extend_by,
        "max_len": max_len,
        "chunks_total": plan.chunks_total,
        "chunks_to_write": plan.chunks_to_write,
        "resuming": plan.resuming,
        "estimate": {
            "rent_lamports": plan.cost.rent,
            "buffer_rent_lamports": plan.cost.buffer_rent,
            "refund_lamports": plan.cost.refund,
            "fee_lamports": plan.cost.fees,
            "transactions": plan.cost.transactions,
            "peak_lamports": plan.cost.peak,
            "net_lamports": plan.cost.net() as i64,
        },
    })
}

fn add_report(json: &mut Value, report: &Report) {
    json["chunks_written"] = json!(report.chunks_written);
    json["chunks_skipped"] = json!(report.chunks_skipped);
    json["transactions"] = json!(report.transactions);
    json["lamports_spent"] = json!(report.lamports_spent as i64);
    json["fees_reported_lamports"] = json!(report.fees_reported);
    json["elapsed_ms"] = json!(report.elapsed.as_millis() as u64);
}

fn report_table(reports: &[Report]) -> String {
    let mut table = Table::new(&[
        "program",
        "size",
        "action",
        "transactions",
        "chunks sent",
        "SOL spent",
        "time",
    ]);
    for report in reports {
        table.row(vec![
            report.program.clone(),
            report.elf_len.to_string(),
            action_text(&report.action),
            report.transactions.to_string(),
            format!("{}/{}", report.chunks_written, report.chunks_total),
            sol_signed(report.lamports_spent),
            format!("{:.1} s", report.elapsed.as_secs_f64()),
        ]);
    }
    table.render()
}

#[cfg(test)]
mod tests {
    #[test]
    fn more_writes_in_flight_on_a_local_validator() {
        assert_eq!(super::default_concurrency("http://127.0.0.1:8899"), 64);
        assert_eq!(super::default_concurrency("http://localhost:8899"), 64);
        assert_eq!(
            super::default_concurrency("https://api.devnet.solana.com"),
            16
        );
    }

    #[test]
    fn cluster_tags_are_stable_and_differ() {
        assert_eq!(
            super::cluster_tag("http://127.0.0.1:8899"),
            super::cluster_tag("http://127.0.0.1:8899")
        );
        assert_ne!(
            super::cluster_tag("http://127.0.0.1:8899"),
            super::cluster_tag("http://127.0.0.1:8999")
        );
        assert_eq!(super::cluster_tag("").len(), 8);
    }
}
