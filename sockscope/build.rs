//! Builds the eBPF programs (crate `sockscope-ebpf`) with aya-build and places the object in
//! OUT_DIR. With AYA_BUILD_SKIP=1 (pure decoding work without the eBPF toolchain) an empty
//! placeholder is written instead; the loader then refuses to run with a clear error.
use anyhow::{Context as _, anyhow};

/// The commit this binary is built from, for `--version`: SOCKSCOPE_COMMIT when set (a build
/// from a tarball), else `git rev-parse --short=12 HEAD`, else "unknown". Rebuilt when HEAD
/// moves.
fn commit() -> String {
    println!("cargo:rerun-if-env-changed=SOCKSCOPE_COMMIT");
    if let Ok(c) = std::env::var("SOCKSCOPE_COMMIT")
        && !c.is_empty()
    {
        return c;
    }
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"])
            && let Some(common) = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"])
        {
            println!("cargo:rerun-if-changed={common}/{r}");
            println!("cargo:rerun-if-changed={common}/packed-refs");
        }
    }
    git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into())
}

fn main() -> anyhow::Result<()> {
    println!("cargo:rustc-env=SOCKSCOPE_COMMIT={}", commit());
    let out_dir = std::path::PathBuf::from(std::env::var_os("OUT_DIR").context("OUT_DIR")?);
    let skip =
        std::env::var("AYA_BUILD_SKIP").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    if skip {
        std::fs::write(out_dir.join("sockscope"), [])?;
    }
    let meta = cargo_metadata::MetadataCommand::new().no_deps().exec()?;
    let pkg = meta
        .packages
        .into_iter()
        .find(|p| p.name.as_str() == "sockscope-ebpf")
        .ok_or_else(|| anyhow!("sockscope-ebpf package not found"))?;
    let root = pkg.manifest_path.parent().context("ebpf manifest dir")?;
    aya_build::build_ebpf(
        [aya_build::Package {
            name: pkg.name.as_str(),
            root_dir: root.as_str(),
            ..Default::default()
        }],
        aya_build::Toolchain::default(),
    )
}
