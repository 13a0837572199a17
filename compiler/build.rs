//! Puts the commit flowc is built from into `flowc --version` (`FLOWC_VERSION`).
//!
//! The build script reruns only when git's HEAD or the branch it names moves (or this script
//! changes), so editing sources does not rerun it; a commit does, and rebuilds this crate once.

#[path = "src/build_info.rs"]
mod build_info;

use std::path::PathBuf;

fn main() {
    let package_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    // Outside git (a tarball) or without git on the PATH, say so rather than guess.
    let commit = build_info::commit(&package_dir).unwrap_or_else(|| "unknown commit".to_owned());
    println!("cargo::rustc-env=FLOWC_VERSION={version} ({commit})");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/build_info.rs");
    for path in build_info::watched(&package_dir) {
        println!("cargo::rerun-if-changed={}", path.display());
    }
}
