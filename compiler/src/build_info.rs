//! Which commit a `flowc` binary was built from, for `flowc --version`.
//!
//! Shared by `build.rs` (which runs it at build time, through `#[path]`) and the unit tests below
//! (which run it on scratch repositories), so the fallbacks are tested without rebuilding flowc.
//! Only `std`: a build script's dependencies lengthen every cold build.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The commit `package_dir` was built from: `<12-hex hash> <commit date>` from git, or the hash
/// cargo recorded in `.cargo_vcs_info.json` when the crate was packaged, or `None`.
///
/// git's answer counts only if `package_dir/Cargo.toml` is tracked in the repository git finds:
/// a tarball unpacked inside someone else's repository must not report *their* commit.
pub(crate) fn commit(package_dir: &Path) -> Option<String> {
    from_git(package_dir).or_else(|| from_cargo_vcs_info(package_dir))
}

/// Files whose change means the commit may have changed: the build script reruns when one does.
/// Empty outside git.
///
/// Only paths that exist: cargo treats a missing one as changed on every build, which reran
/// this script and recompiled flowc on every `cargo build` in a repository without
/// `packed-refs` (any repository `git init` made and never packed).
pub(crate) fn watched(package_dir: &Path) -> Vec<PathBuf> {
    let git_path = |name: &str| {
        git(package_dir, &["rev-parse", "--git-path", name]).map(|path| package_dir.join(path))
    };
    let mut paths: Vec<PathBuf> = ["HEAD", "packed-refs"]
        .into_iter()
        .filter_map(git_path)
        .collect();
    // HEAD names a branch, whose ref file moves on every commit (detached HEAD: HEAD itself).
    // A packed branch has no file until its next commit writes one: then its folder is watched
    // (cargo watches a folder's files, the new one included).
    if let Some(branch) =
        git(package_dir, &["symbolic-ref", "-q", "HEAD"]).and_then(|b| git_path(&b))
    {
        match branch.parent() {
            Some(folder) if !branch.exists() => paths.push(folder.to_path_buf()),
            _ => paths.push(branch),
        }
    }
    paths.retain(|path| path.exists());
    paths
}

fn from_git(package_dir: &Path) -> Option<String> {
    git(package_dir, &["ls-files", "--error-unmatch", "Cargo.toml"])?;
    let hash = git(package_dir, &["rev-parse", "--short=12", "HEAD"])?;
    let date = git(package_dir, &["show", "-s", "--format=%cs", "HEAD"])?;
    Some(format!("{hash} {date}"))
}

/// `cargo package` writes `{"git": {"sha1": "<40 hex>"}, ...}` beside the packaged manifest.
fn from_cargo_vcs_info(package_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(package_dir.join(".cargo_vcs_info.json")).ok()?;
    let after_key = text.split_once("\"sha1\"")?.1;
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    let hash = value.strip_prefix('"')?.split('"').next()?;
    let valid = hash.len() >= 12 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| hash.chars().take(12).collect())
}

/// Runs git in `dir`; its trimmed stdout if it succeeded and printed something. The variables a
/// git hook sets are dropped: the repository is the one found from `dir`, whoever runs cargo.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("git must be installed to test build_info: {e}"));
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn scratch_repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        run_git(dir.path(), &["init", "-q", "-b", "main"]);
        dir
    }

    #[test]
    fn a_commit_in_git_is_its_short_hash_and_date_and_head_files_are_watched() {
        let repo = scratch_repo();
        let package = repo.path().join("compiler");
        std::fs::create_dir(&package).unwrap_or_else(|e| panic!("mkdir: {e}"));
        std::fs::write(package.join("Cargo.toml"), "[package]\n")
            .unwrap_or_else(|e| panic!("write: {e}"));
        run_git(repo.path(), &["add", "."]);
        run_git(repo.path(), &["commit", "-q", "-m", "first"]);
        let hash = run_git(repo.path(), &["rev-parse", "--short=12", "HEAD"]);
        let date = run_git(repo.path(), &["show", "-s", "--format=%cs", "HEAD"]);

        assert_eq!(commit(&package), Some(format!("{hash} {date}")));
        let watched = watched(&package);
        assert!(
            watched.iter().any(|p| p.ends_with(".git/HEAD")),
            "{watched:?}"
        );
        assert!(
            watched.iter().any(|p| p.ends_with(".git/refs/heads/main")),
            "{watched:?}"
        );
        // No packed-refs yet: not watched, or cargo would rerun the build script every time.
        assert!(watched.iter().all(|p| p.exists()), "{watched:?}");

        // Packed, the branch has no file of its own: packed-refs and the branch's folder are
        // watched, so the next commit (which writes refs/heads/main again) is seen.
        run_git(repo.path(), &["pack-refs", "--all", "--prune"]);
        let watched = super::watched(&package);
        assert!(
            watched.iter().any(|p| p.ends_with(".git/packed-refs")),
            "{watched:?}"
        );
        assert!(
            watched.iter().any(|p| p.ends_with(".git/refs/heads")),
            "{watched:?}"
        );
        assert!(watched.iter().all(|p| p.exists()), "{watched:?}");
    }

    #[test]
    fn a_package_untracked_in_the_enclosing_repository_has_no_commit() {
        // A release tarball unpacked inside a user's own repository.
        let repo = scratch_repo();
        std::fs::write(repo.path().join("README"), "theirs\n")
            .unwrap_or_else(|e| panic!("write: {e}"));
        run_git(repo.path(), &["add", "."]);
        run_git(repo.path(), &["commit", "-q", "-m", "theirs"]);
        let package = repo.path().join("flowc-0.1.0");
        std::fs::create_dir(&package).unwrap_or_else(|e| panic!("mkdir: {e}"));
        std::fs::write(package.join("Cargo.toml"), "[package]\n")
            .unwrap_or_else(|e| panic!("write: {e}"));

        assert_eq!(commit(&package), None);
    }

    #[test]
    fn outside_git_the_commit_cargo_packaged_is_used_or_none() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        assert_eq!(commit(dir.path()), None);
        assert!(watched(dir.path()).is_empty());

        std::fs::write(
            dir.path().join(".cargo_vcs_info.json"),
            "{\n  \"git\": {\n    \"sha1\": \"f962e3e0123456789abcdef0123456789abcdef0\"\n  },\n  \"path_in_vcs\": \"compiler\"\n}",
        )
        .unwrap_or_else(|e| panic!("write: {e}"));
        assert_eq!(commit(dir.path()), Some("f962e3e01234".to_owned()));

        std::fs::write(dir.path().join(".cargo_vcs_info.json"), "{\"git\":{}}")
            .unwrap_or_else(|e| panic!("write: {e}"));
        assert_eq!(commit(dir.path()), None);
    }
}
