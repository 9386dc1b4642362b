//! The committed Anchor IDLs in `idl/`, built the way `anchor build` builds
//! them, without the anchor CLI.
//!
//! `anchor build` calls anchor-lang-idl's `IdlBuilder`, which runs
//! `cargo test __anchor_private_print_idl --features idl-build` in the
//! program's directory: Anchor's macros, under the program's `idl-build`
//! feature, generate tests that print the IDL's parts, and the builder joins,
//! sorts and checks them. This crate calls the same builder with the settings
//! of `Anchor.toml` (`resolution = true`, `skip-lint = false`, docs included)
//! and writes what `anchor build` writes to `target/idl/<lib>.json`,
//! pretty-printed, with a trailing newline.

use anchor_lang_idl::build::IdlBuilder;
use anyhow::{ensure, Context, Result};
use std::path::{Path, PathBuf};

/// The command that rewrites every committed IDL.
pub const WRITE_COMMAND: &str = "cargo run -p depin-idl-gen -- --write";

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Every program crate: each directory under `programs/` with a Cargo.toml,
/// sorted.
pub fn program_dirs(root: &Path) -> Result<Vec<PathBuf>> {
    let programs = root.join("programs");
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(&programs).with_context(|| format!("{}", programs.display()))? {
        let dir = entry?.path();
        if dir.join("Cargo.toml").is_file() {
            dirs.push(dir);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// A program's IDL as `anchor build` would produce it.
pub struct GeneratedIdl {
    /// The program's lib name (`depin_registry`), the IDL's `metadata.name`.
    pub name: String,
    /// Pretty-printed JSON with a trailing newline.
    pub json: String,
}

/// Builds the IDL of the program crate in `program_dir` (one nested
/// `cargo test --features idl-build` in that directory).
pub fn generate(program_dir: &Path) -> Result<GeneratedIdl> {
    // rustup sets RUSTUP_TOOLCHAIN for the processes it starts; anchor-lang-idl
    // 0.1.4 then runs `cargo <toolchain>` and `cargo "+{toolchain}"` (a
    // literal, unformatted string), which fails. Without it, the nested cargo
    // takes the toolchain from rust-toolchain.toml like every other build.
    // Edition 2021: `remove_var` is safe; callers are single-threaded here.
    std::env::remove_var("RUSTUP_TOOLCHAIN");

    let idl = IdlBuilder::new()
        .program_path(program_dir.to_path_buf())
        .resolution(true)
        .skip_lint(false)
        .no_docs(false)
        // `--lib`: only the lib's unit tests hold the print tests; same
        // output, less to build. `--locked`: an IDL check never rewrites
        // Cargo.lock. `--target <host>`: the idl-build artifacts go to
        // target/<host>/ instead of target/debug/. Without it they would
        // overwrite the programs' un-hashed `libdepin_*.rlib` (cargo gives a
        // path crate with a cdylib no hash in its file name) there, and every
        // normal build after an IDL check would rebuild the programs and all
        // that depends on them.
        .cargo_args(vec![
            "--locked".into(),
            "--lib".into(),
            "--target".into(),
            env!("DEPIN_IDL_GEN_TARGET").into(),
        ])
        .build()
        .with_context(|| format!("building the IDL of {}", program_dir.display()))?;
    ensure!(
        !idl.address.is_empty(),
        "the IDL of {} has no address (no declare_id!?)",
        program_dir.display()
    );
    let mut json = serde_json::to_string_pretty(&idl)?;
    json.push('\n');
    Ok(GeneratedIdl {
        name: idl.metadata.name,
        json,
    })
}

/// Where a program's IDL is committed: `idl/<lib_name>.json`.
pub fn idl_path(root: &Path, name: &str) -> PathBuf {
    root.join("idl").join(format!("{name}.json"))
}

/// Writes every program's IDL to `idl/`; returns the paths written.
pub fn write_all(root: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(root.join("idl"))?;
    let mut written = Vec::new();
    for dir in program_dirs(root)? {
        let idl = generate(&dir)?;
        let path = idl_path(root, &idl.name);
        std::fs::write(&path, &idl.json).with_context(|| format!("{}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Regenerates every IDL in memory and compares it with the committed file.
/// Returns one line per problem (empty: all fresh): a program whose IDL
/// differs or is missing, and a committed IDL that no program produces.
pub fn stale(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut expected = Vec::new();
    for dir in program_dirs(root)? {
        let idl = generate(&dir)?;
        let path = idl_path(root, &idl.name);
        let shown = format!("idl/{}.json", idl.name);
        let program = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
        match std::fs::read_to_string(&path) {
            Err(_) => problems.push(format!("{shown}: missing ({program} has no committed IDL)")),
            Ok(committed) if committed != idl.json => problems.push(format!(
                "{shown}: stale, differs from what {program} builds ({})",
                first_difference(&committed, &idl.json)
            )),
            Ok(_) => {}
        }
        expected.push(path);
    }
    if let Ok(entries) = std::fs::read_dir(root.join("idl")) {
        let mut extra: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json") && !expected.contains(p))
            .collect();
        extra.sort();
        for path in extra {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            problems.push(format!(
                "idl/{name}: no program under programs/ produces it (delete it)"
            ));
        }
    }
    Ok(problems)
}

/// "line N: committed `...`, built `...`" for the first line that differs.
fn first_difference(committed: &str, built: &str) -> String {
    let (mut a, mut b) = (committed.lines(), built.lines());
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                return format!(
                    "line {line}: committed `{}`, built `{}`",
                    x.unwrap_or("<end of file>").trim(),
                    y.unwrap_or("<end of file>").trim()
                )
            }
        }
    }
}
