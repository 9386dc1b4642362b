//! `depin-idl-gen`: the programs' Anchor IDLs, without the anchor CLI.
//!
//!   cargo run -p depin-idl-gen              check idl/*.json (exit 1 if stale)
//!   cargo run -p depin-idl-gen -- --write   rewrite idl/*.json from the source

use std::process::ExitCode;

fn main() -> ExitCode {
    let write = match std::env::args().nth(1).as_deref() {
        None | Some("--check") => false,
        Some("--write") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}; usage: depin-idl-gen [--check | --write]");
            return ExitCode::from(2);
        }
    };
    let root = depin_idl_gen::workspace_root();
    let result = if write {
        depin_idl_gen::write_all(&root).map(|written| {
            for path in written {
                println!(
                    "wrote {}",
                    path.strip_prefix(&root).unwrap_or(&path).display()
                );
            }
            Vec::new()
        })
    } else {
        depin_idl_gen::stale(&root)
    };
    match result {
        Ok(problems) if problems.is_empty() => {
            if !write {
                println!("idl/: every committed IDL matches its program");
            }
            ExitCode::SUCCESS
        }
        Ok(problems) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            eprintln!("regenerate with: {}", depin_idl_gen::WRITE_COMMAND);
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
