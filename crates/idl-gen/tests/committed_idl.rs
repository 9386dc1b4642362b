//! The committed IDLs (idl/*.json) match the programs' source: each is built
//! again in memory, as `anchor build` would, and compared with the file.

#[test]
fn committed_idls_match_the_programs() {
    let root = depin_idl_gen::workspace_root();
    let problems = depin_idl_gen::stale(&root).expect("building the IDLs failed");
    assert!(
        problems.is_empty(),
        "committed IDLs out of date:\n  {}\nregenerate with: {}",
        problems.join("\n  "),
        depin_idl_gen::WRITE_COMMAND
    );
}
