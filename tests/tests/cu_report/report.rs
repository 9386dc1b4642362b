//! Recording compute units and checking events and budgets.

use std::fmt::Write as _;

use depin_client::events::event_names;
use depin_client::registry::NewDevice;
use depin_client::{Instruction, Keypair, Pubkey, Sent, Signer};
use depin_tests::Env;

/// (instruction, upper bound in compute units, the event it must emit).
/// Budgets are about 25% above the figures measured when they were set
/// (SBPF v3 build from scripts/build-sbf). Figures move with the program
/// ids: an instruction that derives a PDA with `find_program_address` pays
/// about 1,500 CU per bump tried, and the bumps change with the ids (new ids
/// in `keys/localnet` moved rows by -7,500 to +10,500), so a budget keeps
/// room for a few bumps more.
pub type Budget = (&'static str, u64, &'static str);

pub struct Measured {
    pub program: &'static str,
    pub instruction: &'static str,
    pub note: String,
    pub compute_units: u64,
    pub events: Vec<&'static str>,
}

pub struct Recorder<'a> {
    env: &'a Env,
    program: &'static str,
    rows: &'a mut Vec<Measured>,
}

impl<'a> Recorder<'a> {
    pub fn new(env: &'a Env, program: &'static str, rows: &'a mut Vec<Measured>) -> Self {
        Recorder { env, program, rows }
    }

    pub async fn run(
        &mut self,
        instruction: &'static str,
        note: impl Into<String>,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Sent {
        let sent = self
            .env
            .send(ixs, signers)
            .await
            .unwrap_or_else(|e| panic!("{instruction}: {e}\n{}", e.logs().join("\n")));
        self.record(instruction, note, &sent);
        sent
    }

    pub fn record(&mut self, instruction: &'static str, note: impl Into<String>, sent: &Sent) {
        self.rows.push(Measured {
            program: self.program,
            instruction,
            note: note.into(),
            compute_units: sent.compute_units,
            events: event_names(&sent.logs),
        });
    }
}

/// Keys that go into PDA seeds are fixed: Anchor's `init` searches for the
/// canonical bump (about 1,500 CU per try), so random keys would make the
/// figures wander from run to run.
pub fn fixed_key(seed: u8) -> Keypair {
    Keypair::new_from_array([seed; 32])
}

/// A device with a fixed key (its PDA, and PDAs derived from it, repeat).
pub fn fixed_device(seed: u8, owner: &Pubkey) -> (Keypair, NewDevice) {
    let key = fixed_key(seed);
    let (_, mut device) = Env::new_device(owner);
    device.device_key = key.pubkey();
    (key, device)
}

/// Registers a device with a fixed key ([`fixed_device`]) for `owner`,
/// co-signed by `maker`: its key and its record's address.
pub async fn register_fixed(
    env: &Env,
    maker: &Keypair,
    owner: &Pubkey,
    seed: u8,
) -> (Keypair, Pubkey) {
    let (key, device) = fixed_device(seed, owner);
    let ix = depin_client::registry::register_device(
        &env.payer(),
        &env.network,
        &maker.pubkey(),
        &device,
        None,
    );
    env.send(&[ix], &[&key, maker]).await.unwrap();
    let address = depin_client::depin_registry::pda::device(&env.network, &key.pubkey()).0;
    (key, address)
}

fn budget_of(budgets: &[Budget], instruction: &str) -> Budget {
    *budgets
        .iter()
        .find(|(name, _, _)| *name == instruction)
        .unwrap_or_else(|| panic!("{instruction} has no budget"))
}

/// Every instruction was measured, and (in the VM, where events are logged:
/// natively Anchor's `emit!` is a no-op) each emitted its event.
pub fn check_coverage_and_events(rows: &[Measured], budgets: &[Budget], sbf: bool) {
    for (name, _, _) in budgets {
        assert!(
            rows.iter().any(|m| m.instruction == *name),
            "{name} was not measured"
        );
    }
    if sbf {
        for m in rows {
            let (_, _, event) = budget_of(budgets, m.instruction);
            assert!(
                m.events.contains(&event),
                "{} ({}) emitted {:?}, expected {event}",
                m.instruction,
                m.note,
                m.events
            );
        }
    }
}

pub fn check_budgets(rows: &[Measured], budgets: &[Budget]) {
    let over: Vec<String> = rows
        .iter()
        .filter_map(|m| {
            let (_, budget, _) = budget_of(budgets, m.instruction);
            (m.compute_units > budget).then(|| {
                format!(
                    "{} ({}): {} CU > budget {budget}",
                    m.instruction, m.note, m.compute_units
                )
            })
        })
        .collect();
    assert!(
        over.is_empty(),
        "compute-unit budgets exceeded:\n{}",
        over.join("\n")
    );
}

pub fn write_report(rows: &[Measured], budgets: &[Budget]) {
    let mut md = String::from("# Compute units (SBPF v3 build from scripts/build-sbf, real VM)\n");
    let mut program = "";
    for m in rows {
        if m.program != program {
            program = m.program;
            write!(md, "\n## {program}\n\n| instruction | case | compute units | budget |\n|---|---|---:|---:|\n").unwrap();
        }
        let (_, budget, _) = budget_of(budgets, m.instruction);
        writeln!(
            md,
            "| {} | {} | {} | {} |",
            m.instruction, m.note, m.compute_units, budget
        )
        .unwrap();
    }
    let path = std::env::var("DEPIN_CU_REPORT").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/cu-report.md").to_string()
    });
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, &md).unwrap();
    println!("{md}\nwritten to {path}");
}
