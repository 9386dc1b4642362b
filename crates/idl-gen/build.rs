// The host triple, for the nested IDL builds' `--target` (see src/lib.rs).
fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=DEPIN_IDL_GEN_TARGET={target}");
}
