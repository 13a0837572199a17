//! flowc as an installed user meets it: `--version` names the commit it was built from, the
//! completion scripts load in bash and complete, the man pages render.

use std::path::Path;
use std::process::{Command, Output};

fn flowc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("running flowc: {e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// git's answer for this checkout, asked independently of build.rs; `None` outside git (a
/// tarball), where flowc must say it does not know.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[test]
fn version_names_the_package_version_and_the_commit_built_from() {
    let out = flowc(&["--version"]);
    assert_success(&out);
    let commit = match (
        git(&["rev-parse", "--short=12", "HEAD"]),
        git(&["show", "-s", "--format=%cs", "HEAD"]),
    ) {
        (Some(hash), Some(date)) => format!("{hash} {date}"),
        _ => "unknown commit".to_owned(),
    };
    let version = format!("{} ({commit})\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout(&out), format!("flowc {version}"));
    // Subcommands answer the same, under their clap name (propagate_version).
    let sub = flowc(&["check", "--version"]);
    assert_success(&sub);
    assert_eq!(stdout(&sub), format!("flowc-check {version}"));
}

/// Runs `script` in bash with the completion script flowc prints loaded, as `source <(flowc
/// completions bash)` in ~/.bashrc does.
fn bash_with_completions(script: &str) -> Output {
    let completions = flowc(&["completions", "bash"]);
    assert_success(&completions);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let file = dir.path().join("flowc.bash");
    std::fs::write(&file, &completions.stdout).unwrap_or_else(|e| panic!("write: {e}"));
    Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(format!("source '{}' && {script}", file.display()))
        .output()
        .unwrap_or_else(|e| panic!("bash must be installed to test the completions: {e}"))
}

/// The words bash offers after `flowc <words>` (the last word is the one being completed).
fn bash_offers(words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let out = bash_with_completions(&format!(
        "COMP_WORDS=(flowc {words}); COMP_CWORD={cword}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; \
         COMP_POINT=${{#COMP_LINE}}; _flowc flowc '{last}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = quoted.join(" "),
        cword = words.len(),
        last = words.last().copied().unwrap_or_default(),
        prev = words
            .len()
            .checked_sub(2)
            .and_then(|i| words.get(i))
            .copied()
            .unwrap_or("flowc"),
    ));
    assert_success(&out);
    stdout(&out).lines().map(str::to_owned).collect()
}

#[test]
fn bash_completions_load_and_complete_subcommands_and_options() {
    let registered = bash_with_completions("complete -p flowc");
    assert_success(&registered);
    assert!(
        stdout(&registered).contains("_flowc")
            && stdout(&registered).trim_end().ends_with(" flowc"),
        "{}",
        stdout(&registered)
    );

    let mut offered = bash_offers(&["co"]);
    offered.sort();
    assert_eq!(offered, ["compile", "completions", "conformance"]);
    assert!(bash_offers(&["compile", "--"]).contains(&"--check".to_owned()));
    let mut shells: Vec<String> = bash_offers(&["completions", ""])
        .into_iter()
        .filter(|word| !word.starts_with('-'))
        .collect();
    shells.sort();
    assert_eq!(shells, ["bash", "elvish", "fish", "powershell", "zsh"]);
}

#[test]
fn zsh_fish_and_powershell_completions_name_every_subcommand() {
    // zsh, fish and pwsh are not on the test machines, so their scripts are checked as text:
    // each shell's entry point, and every subcommand flowc has.
    let subcommands = [
        "compile",
        "check",
        "decompile",
        "graph",
        "fmt",
        "simulate",
        "test",
        "explore",
        "run-case",
        "conformance",
        "lsp",
        "completions",
        "man",
    ];
    for (shell, entry) in [
        ("zsh", "#compdef flowc"),
        ("fish", "complete -c flowc"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'flowc'",
        ),
    ] {
        let out = flowc(&["completions", shell]);
        assert_success(&out);
        let script = stdout(&out);
        assert!(script.contains(entry), "{shell}: no `{entry}`");
        for sub in subcommands {
            assert!(script.contains(sub), "{shell}: no `{sub}`");
        }
    }
    let bad = flowc(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Renders a man page as `man` shows it, through the first renderer the machine has, as its
/// words separated by single spaces; no renderer is a failure, not a skip.
fn render_man(page: &Path) -> String {
    let attempts: [(&str, Vec<&std::ffi::OsStr>); 3] = [
        ("man", vec!["-l".as_ref(), page.as_os_str()]),
        (
            "groff",
            vec![
                "-man".as_ref(),
                "-Tutf8".as_ref(),
                "-ww".as_ref(),
                page.as_os_str(),
            ],
        ),
        (
            "mandoc",
            vec!["-Tutf8".as_ref(), "-Wwarning".as_ref(), page.as_os_str()],
        ),
    ];
    for (program, args) in attempts {
        let Ok(out) = Command::new(program)
            .args(args)
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
        else {
            continue;
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "{program} failed on {}: {stderr}",
            page.display()
        );
        // Overstrike bold/underline, should the renderer use it: keep the letters.
        let text = String::from_utf8_lossy(&out.stdout);
        let mut plain = String::new();
        for c in text.chars() {
            if c == '\u{8}' {
                plain.pop();
            } else {
                plain.push(c);
            }
        }
        // Justified lines space words unevenly: compare words, not columns.
        return plain.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    panic!("no man page renderer on this machine: install man-db, groff or mandoc");
}

#[test]
fn man_page_renders_with_every_subcommand() {
    let out = flowc(&["man"]);
    assert_success(&out);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let page = dir.path().join("flowc.1");
    std::fs::write(&page, &out.stdout).unwrap_or_else(|e| panic!("write: {e}"));
    let text = render_man(&page);
    assert!(text.contains("NAME"), "{text}");
    assert!(
        text.contains("flowc - A toolchain for AWS Step Functions"),
        "{text}"
    );
    for sub in [
        "compile",
        "check",
        "simulate",
        "test",
        "completions",
        "man",
        "help",
    ] {
        assert!(
            text.contains(&format!("flowc-{sub}(1)")),
            "no flowc-{sub}(1):\n{text}"
        );
    }
}

#[test]
fn man_out_dir_writes_a_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    // Made if missing, as ~/.local/share/man/man1 often is.
    let man1 = dir.path().join("share/man/man1");
    let out = flowc(&["man", "--out-dir", &man1.display().to_string()]);
    assert_success(&out);
    let mut names: Vec<String> = std::fs::read_dir(&man1)
        .unwrap_or_else(|e| panic!("read_dir: {e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec![
        "flowc-aws.1",
        "flowc-check.1",
        "flowc-compile.1",
        "flowc-completions.1",
        "flowc-conformance.1",
        "flowc-decompile.1",
        "flowc-explore.1",
        "flowc-fmt.1",
        "flowc-graph.1",
        "flowc-help.1",
        "flowc-lsp.1",
        "flowc-man.1",
        "flowc-replay.1",
        "flowc-run-case.1",
        "flowc-simulate.1",
        "flowc-test.1",
        "flowc.1",
    ];
    // `flowc aws` exists only with the `aws` feature (on by default).
    if !cfg!(feature = "aws") {
        expected.retain(|name| *name != "flowc-aws.1");
    }
    assert_eq!(names, expected);
    let compile = render_man(&man1.join("flowc-compile.1"));
    assert!(
        compile.contains(
            "NAME flowc-compile - Compile a .flow file to ASL JSON SYNOPSIS flowc compile"
        ),
        "{compile}"
    );
    assert!(compile.contains("--check"), "{compile}");
    assert!(compile.contains("--message-format"), "{compile}");
}
