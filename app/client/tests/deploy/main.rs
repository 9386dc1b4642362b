//! Deploying the real SBF builds through the upgradeable loader on an
//! in-process bank, then calling them. Needs `scripts/build-sbf` and runs
//! with `DEPIN_PROGRAM_MODE=sbf` (like the other real-VM tests); otherwise
//! each test says it was skipped.

mod bank;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

use bank::{Bank, Interrupted};
use depin_client::deploy::{self, keyfile, Action, DeployError, Options, Program, Progress};
use depin_client::{registry, ClientError, Cluster, Keypair, Pubkey, Signer};
use solana_loader_v3_interface::get_program_data_address;

const REGISTRY: &str = "depin_registry";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The SBF builds' folder, or `None` (and a note) outside SBF mode.
fn sbf_builds() -> Option<PathBuf> {
    if std::env::var("DEPIN_PROGRAM_MODE").as_deref() != Ok("sbf") {
        eprintln!("skipped: deploy tests need DEPIN_PROGRAM_MODE=sbf and scripts/build-sbf");
        return None;
    }
    Some(
        std::env::var_os("SBF_OUT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target/deploy")),
    )
}

fn elf(builds: &Path, name: &str) -> Vec<u8> {
    let path = builds.join(format!("{name}.so"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A scratch folder for buffer keypair files, new for each test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("depin-deploy-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `elf` at `name`'s committed localnet address.
fn program(name: &str, elf: Vec<u8>, scratch: &Path) -> Program {
    let keypair =
        keyfile::read(&workspace().join(format!("keys/localnet/{name}-keypair.json"))).unwrap();
    Program {
        name: name.into(),
        elf,
        keypair,
        buffer_keypair_path: scratch.join(format!("{name}-buffer-keypair.json")),
    }
}

fn options(authority: &Keypair) -> Options<'_> {
    Options {
        upgrade_authority: authority,
        max_len: None,
        finalize: false,
        concurrency: 8,
    }
}

/// Remembers the buffer's address (from its keypair file) once writing starts.
#[derive(Default)]
struct BufferWatch {
    path: PathBuf,
    buffer: Mutex<Option<Pubkey>>,
}

impl Progress for BufferWatch {
    fn step(&self, _program: &str, step: &str) {
        if step == "writing" {
            *self.buffer.lock().unwrap() = Some(keyfile::read(&self.path).unwrap().pubkey());
        }
    }
}

/// Plans, checks the funds and executes, as `depin deploy` does.
async fn deploy(
    cluster: &impl Cluster,
    program: &Program,
    options: &Options<'_>,
) -> Result<deploy::Report, DeployError> {
    let plan = deploy::plan(cluster, program, options).await?;
    deploy::check_funds(cluster, std::slice::from_ref(&plan)).await?;
    deploy::execute(cluster, program, plan, options, &()).await
}

/// Bytes 12..45 of programdata: the upgrade authority (`Option<Pubkey>`).
async fn upgrade_authority(bank: &Bank, program: &Pubkey) -> Option<Pubkey> {
    let data = bank
        .get_account(&get_program_data_address(program))
        .await
        .unwrap()
        .expect("programdata")
        .data;
    (data[12] == 1).then(|| Pubkey::new_from_array(data[13..45].try_into().unwrap()))
}

async fn programdata_capacity(bank: &Bank, program: &Pubkey) -> usize {
    let account = bank
        .get_account(&get_program_data_address(program))
        .await
        .unwrap()
        .unwrap();
    account.data.len() - 45
}

/// Calls the deployed registry: creates the platform account.
async fn call_registry(bank: &Bank) -> Result<(), ClientError> {
    bank.send(
        &[registry::initialize_platform(&bank.payer().pubkey())],
        &[],
    )
    .await
    .map(|_| ())
}

#[tokio::test]
async fn deploys_a_real_program_and_calls_it() {
    let Some(builds) = sbf_builds() else { return };
    let bank = Bank::start().await;
    let dir = scratch("fresh");
    let registry = program(REGISTRY, elf(&builds, REGISTRY), &dir);
    let authority = bank.payer().insecure_clone();
    let options = options(&authority);

    let plan = deploy::plan(&bank, &registry, &options).await.unwrap();
    let elf_len = registry.elf.len();
    assert_eq!(plan.action, Action::Deploy { max_len: elf_len });
    assert!(!plan.resuming);
    let estimate = plan.cost.clone();
    let before = bank.lamports(&authority.pubkey()).await;
    let watch = BufferWatch {
        path: registry.buffer_keypair_path.clone(),
        ..Default::default()
    };
    let report = deploy::execute(&bank, &registry, plan, &options, &watch)
        .await
        .unwrap();
    let after = bank.lamports(&authority.pubkey()).await;

    // What was estimated is what was spent, to the lamport: the bank charges
    // 5,000 lamports per signature and no priority fee.
    assert_eq!(i128::from(before - after), estimate.net());
    assert_eq!(report.lamports_spent, estimate.net());
    assert_eq!(
        estimate.peak as i128,
        estimate.net(),
        "the peak is the final rent plus fees"
    );
    let programdata_rent = bank.minimum_balance(45 + elf_len).await.unwrap();
    let program_rent = bank.minimum_balance(36).await.unwrap();
    assert_eq!(estimate.rent, programdata_rent + program_rent);
    assert_eq!(report.transactions, estimate.transactions);
    assert_eq!(
        report.chunks_written + report.chunks_skipped,
        report.chunks_total
    );
    println!(
        "{REGISTRY}: {elf_len} bytes, {} transactions ({} chunks of {}), {} lamports, {:?}",
        report.transactions,
        report.chunks_written,
        report.chunks_total,
        report.lamports_spent,
        report.elapsed
    );

    // Nothing left behind: the buffer is closed and its keypair file gone.
    let buffer = watch.buffer.lock().unwrap().expect("a buffer was written");
    assert!(bank.get_account(&buffer).await.unwrap().is_none());
    assert!(!registry.buffer_keypair_path.exists());

    // The program runs at its address, upgradeable by the payer.
    assert_eq!(
        upgrade_authority(&bank, &registry.address()).await,
        Some(authority.pubkey())
    );
    assert!(registry::platform(&bank).await.unwrap().is_none());
    call_registry(&bank).await.unwrap();
    assert!(registry::platform(&bank).await.unwrap().is_some());

    // A second run finds the same code: nothing to send.
    let plan = deploy::plan(&bank, &registry, &options).await.unwrap();
    assert_eq!(plan.action, Action::Unchanged);
    assert_eq!(plan.cost.transactions, 0);
}

#[tokio::test]
async fn upgrades_and_sizes_programdata_for_the_new_code() {
    let Some(builds) = sbf_builds() else { return };
    let bank = Bank::start().await;
    let dir = scratch("upgrade");
    let authority = bank.payer().insecure_clone();
    let registry_elf = elf(&builds, REGISTRY);
    let larger = elf(&builds, "depin_fractional");
    assert!(larger.len() > registry_elf.len());

    // Sized to the ELF by default: a larger version needs the programdata
    // grown first, by at least the loader's 10 KiB step.
    let address = program(REGISTRY, vec![], &dir).address();
    let small = Bank::start().await;
    let small_authority = small.payer().insecure_clone();
    deploy(
        &small,
        &program(REGISTRY, registry_elf.clone(), &dir),
        &options(&small_authority),
    )
    .await
    .unwrap();
    assert_eq!(
        programdata_capacity(&small, &address).await,
        registry_elf.len()
    );
    let plan = deploy::plan(
        &small,
        &program(REGISTRY, larger.clone(), &dir),
        &options(&small_authority),
    )
    .await
    .unwrap();
    let growth = larger.len() - registry_elf.len();
    assert_eq!(plan.action, Action::Upgrade { extend_by: growth });
    let grown_rent = small.minimum_balance(45 + larger.len()).await.unwrap();
    let current_rent = small
        .get_account(&get_program_data_address(&address))
        .await
        .unwrap()
        .unwrap()
        .lamports;
    assert_eq!(plan.cost.rent, grown_rent - current_rent);
    assert!(
        plan.cost.peak > plan.cost.rent,
        "the buffer's rent is held until the upgrade"
    );
    let tiny = vec![0u8; registry_elf.len() + 100];
    let mut tiny_growth = registry_elf.clone();
    tiny_growth.extend_from_slice(&tiny[..100]);
    let plan = deploy::plan(
        &small,
        &program(REGISTRY, tiny_growth, &dir),
        &options(&small_authority),
    )
    .await
    .unwrap();
    assert_eq!(plan.action, Action::Upgrade { extend_by: 10_240 });
    let larger_at_registry = program(REGISTRY, larger.clone(), &dir);
    let plan = deploy::plan(&small, &larger_at_registry, &options(&small_authority))
        .await
        .unwrap();
    let estimate = plan.cost.clone();
    let report = deploy::execute(
        &small,
        &larger_at_registry,
        plan,
        &options(&small_authority),
        &(),
    )
    .await
    .unwrap();
    assert_eq!(report.lamports_spent, estimate.net());
    assert_eq!(programdata_capacity(&small, &address).await, larger.len());

    // Room for the larger version from the start (--max-len): the upgrade
    // replaces the code in place.
    let options = Options {
        max_len: Some(larger.len()),
        ..options(&authority)
    };
    deploy(
        &bank,
        &program(REGISTRY, registry_elf.clone(), &dir),
        &options,
    )
    .await
    .unwrap();
    assert_eq!(programdata_capacity(&bank, &address).await, larger.len());
    call_registry(&bank).await.unwrap();
    let replaced = program(REGISTRY, larger.clone(), &dir);
    let plan = deploy::plan(&bank, &replaced, &options).await.unwrap();
    assert_eq!(plan.action, Action::Upgrade { extend_by: 0 });
    let estimate = plan.cost.clone();
    let before = bank.lamports(&authority.pubkey()).await;
    let report = deploy::execute(&bank, &replaced, plan, &options, &())
        .await
        .unwrap();
    assert_eq!(
        i128::from(before - bank.lamports(&authority.pubkey()).await),
        estimate.net()
    );
    assert_eq!(report.lamports_spent, estimate.net());
    assert_eq!(estimate.rent, 0);
    assert!(!replaced.buffer_keypair_path.exists());
    // The new code runs: it is built for another id, so Anchor refuses.
    let error = call_registry(&bank).await.unwrap_err();
    assert_eq!(
        error
            .tx()
            .and_then(|f| f.anchor.as_ref())
            .map(|a| a.name.as_str()),
        Some("DeclaredProgramIdMismatch"),
        "{error}"
    );

    // Back to the registry: its code runs again (and finds the platform
    // made by the first call).
    let back = program(REGISTRY, registry_elf, &dir);
    let report = deploy(&bank, &back, &options).await.unwrap();
    assert_eq!(report.action, Action::Upgrade { extend_by: 0 });
    assert_eq!(report.lamports_spent, report.estimate.net());
    let error = call_registry(&bank).await.unwrap_err();
    assert!(
        error
            .logs()
            .iter()
            .any(|l| l.contains("Instruction: InitializePlatform"))
            && error.logs().iter().any(|l| l.contains("already in use")),
        "{:?}",
        error.logs()
    );

    // Only the upgrade authority may upgrade.
    let stranger = Keypair::new();
    let refused = deploy::plan(
        &bank,
        &program(REGISTRY, larger, &dir),
        &Options {
            upgrade_authority: &stranger,
            ..options
        },
    )
    .await
    .err()
    .expect("a stranger cannot upgrade");
    assert!(
        matches!(refused, DeployError::WrongAuthority { .. }),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("--upgrade-authority"),
        "{refused}"
    );
}

#[tokio::test]
async fn final_programs_have_no_upgrade_authority() {
    let Some(builds) = sbf_builds() else { return };
    let bank = Bank::start().await;
    let dir = scratch("final");
    let authority = bank.payer().insecure_clone();

    // Deployed final in one go.
    let final_options = Options {
        finalize: true,
        ..options(&authority)
    };
    let registry = program(REGISTRY, elf(&builds, REGISTRY), &dir);
    deploy(&bank, &registry, &final_options).await.unwrap();
    assert_eq!(upgrade_authority(&bank, &registry.address()).await, None);
    call_registry(&bank).await.unwrap();
    let other_code = program(REGISTRY, elf(&builds, "depin_rewards"), &dir);
    let refused = deploy::plan(&bank, &other_code, &options(&authority))
        .await
        .err()
        .expect("a final program cannot change");
    assert!(matches!(refused, DeployError::Final { .. }), "{refused}");
    let again = deploy::plan(&bank, &registry, &final_options)
        .await
        .unwrap();
    assert_eq!(again.action, Action::Unchanged);

    // Deployed upgradeable, then made final without new code.
    let rewards = program("depin_rewards", elf(&builds, "depin_rewards"), &dir);
    deploy(&bank, &rewards, &options(&authority)).await.unwrap();
    let plan = deploy::plan(&bank, &rewards, &final_options).await.unwrap();
    assert_eq!(plan.action, Action::Finalize);
    assert_eq!(plan.cost.transactions, 1);
    deploy::execute(&bank, &rewards, plan, &final_options, &())
        .await
        .unwrap();
    assert_eq!(upgrade_authority(&bank, &rewards.address()).await, None);
}

#[tokio::test]
async fn an_interrupted_deploy_resumes_where_it_stopped() {
    let Some(builds) = sbf_builds() else { return };
    let bank = Bank::start().await;
    let dir = scratch("resume");
    let authority = bank.payer().insecure_clone();
    let options = options(&authority);
    let registry = program(REGISTRY, elf(&builds, REGISTRY), &dir);
    let fresh = deploy::plan(&bank, &registry, &options).await.unwrap();

    // The connection drops after the buffer and 100 writes.
    let interrupted = Interrupted {
        inner: &bank,
        sends_left: AtomicU64::new(101),
    };
    let error = deploy(&interrupted, &registry, &options)
        .await
        .expect_err("the interrupted deploy fails");
    assert!(
        matches!(error, DeployError::WriteIncomplete { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("run the same command again"),
        "{error}"
    );
    assert!(
        registry.buffer_keypair_path.exists(),
        "the buffer keypair is kept"
    );
    assert!(bank
        .get_account(&registry.address())
        .await
        .unwrap()
        .is_none());

    // The rerun finds the buffer and sends only what it lacks.
    let plan = deploy::plan(&bank, &registry, &options).await.unwrap();
    assert!(plan.resuming);
    assert_eq!(plan.chunks_to_write, fresh.chunks_to_write - 100);
    let estimate = plan.cost.clone();
    assert!(
        estimate.refund > 0,
        "the earlier run's buffer rent comes back"
    );
    let report = deploy::execute(&bank, &registry, plan, &options, &())
        .await
        .unwrap();
    assert_eq!(report.chunks_written, fresh.chunks_to_write - 100);
    assert!(report.chunks_skipped >= 100);
    assert_eq!(report.lamports_spent, estimate.net());
    assert!(!registry.buffer_keypair_path.exists());
    call_registry(&bank).await.unwrap();
}

#[tokio::test]
async fn refuses_a_build_for_another_id_and_an_underfunded_payer() {
    let Some(builds) = sbf_builds() else { return };
    let registry_elf = elf(&builds, REGISTRY);
    let declared = program(REGISTRY, vec![], &scratch("ids")).address();
    assert!(deploy::embeds_id(&registry_elf, &declared));

    // A keypair that is not the declared id.
    let other = Keypair::new().pubkey();
    let error =
        deploy::check_program_id(REGISTRY, &registry_elf, &other, Some(&declared)).unwrap_err();
    assert!(error.to_string().contains("depin keys sync"), "{error}");
    // Sources synced to the keypair, build not redone.
    let error =
        deploy::check_program_id(REGISTRY, &registry_elf, &other, Some(&other)).unwrap_err();
    assert!(error.to_string().contains("rebuild"), "{error}");
    // Another program's build (the registry knows nothing of the rewards
    // program; the other way round the rewards build embeds the registry's id).
    let rewards = program("depin_rewards", vec![], &scratch("ids")).address();
    assert!(!deploy::embeds_id(&registry_elf, &rewards));
    assert!(
        deploy::check_program_id("depin_rewards", &registry_elf, &rewards, Some(&rewards)).is_err()
    );
    assert!(deploy::check_program_id(REGISTRY, &registry_elf, &declared, Some(&declared)).is_ok());

    // A payer with 1 SOL cannot fund the registry's ~2.2 SOL of rent.
    let bank = Bank::start().await;
    let poor = Keypair::new();
    bank.fund(&poor.pubkey(), 1_000_000_000).await;
    let bank = bank.paid_by(poor.insecure_clone());
    // Programdata rent: 6,960 lamports per byte (data plus 128 of overhead).
    let rent_floor = (registry_elf.len() as u64 + 128) * 6_960;
    let registry = program(REGISTRY, registry_elf, &scratch("poor"));
    let error = deploy(&bank, &registry, &options(&poor))
        .await
        .expect_err("not enough SOL");
    let DeployError::InsufficientFunds {
        needed, balance, ..
    } = error
    else {
        panic!("{error}")
    };
    assert_eq!(balance, 1_000_000_000);
    assert!(needed > rent_floor, "{needed} <= {rent_floor}");
    assert!(error.to_string().contains("fund it"));
    assert!(
        !registry.buffer_keypair_path.exists(),
        "nothing was started"
    );
}

#[tokio::test]
async fn deploys_all_six_one_at_a_time_within_the_estimate() {
    let Some(builds) = sbf_builds() else { return };
    let bank = Bank::start().await;
    let dir = scratch("all");
    let authority = bank.payer().insecure_clone();
    let options = options(&authority);
    let programs: Vec<Program> = [
        "depin_registry",
        "depin_rewards",
        "depin_staking",
        "depin_revenue",
        "depin_fractional",
        "depin_payments",
    ]
    .iter()
    .map(|name| program(name, elf(&builds, name), &dir))
    .collect();
    let mut plans = vec![];
    for program in &programs {
        plans.push(deploy::plan(&bank, program, &options).await.unwrap());
    }
    let funds = deploy::check_funds(&bank, &plans).await.unwrap();
    let needed = deploy::required_balance(plans.iter().map(|p| &p.cost));
    let estimated: i128 = plans.iter().map(|p| p.cost.net()).sum();
    let before = bank.lamports(&authority.pubkey()).await;
    let started = std::time::Instant::now();
    let mut transactions = 0;
    for (plan, program) in plans.into_iter().zip(&programs) {
        let report = deploy::execute(&bank, program, plan, &options, &())
            .await
            .unwrap();
        assert_eq!(
            report.lamports_spent,
            report.estimate.net(),
            "{}",
            report.program
        );
        transactions += report.transactions;
        println!(
            "{:18} {:>8} bytes {:>5} tx {:>14} lamports {:>6.2} s",
            report.program,
            report.elf_len,
            report.transactions,
            report.lamports_spent,
            report.elapsed.as_secs_f64()
        );
    }
    let spent = i128::from(before - bank.lamports(&authority.pubkey()).await);
    println!(
        "all six: {transactions} transactions, {spent} lamports spent (estimated {estimated}, \
         peak needed {needed} + payer reserve = {}), {:.1} s",
        funds.needed,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(spent, estimated);
    // New deploys: the peak is the final rent plus fees (the loader hands
    // each buffer back before it takes the programdata's rent).
    assert_eq!(i128::from(needed), estimated);
    for program in &programs {
        assert!(
            bank.get_account(&program.address())
                .await
                .unwrap()
                .unwrap()
                .executable
        );
    }
}
