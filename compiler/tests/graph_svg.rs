//! `flowc graph --format svg` goldens: the tenant workflow and a Parallel/Map-heavy flow,
//! drawn by the binary. Regenerate with `SNAPSHOTS=overwrite cargo test -p flowc --test
//! graph_svg` and look at the pictures (e.g. `rsvg-convert -w 1600 FILE.svg -o FILE.png`)
//! before committing them.

mod support;

use support::repo_root;

fn graph(file: &str) -> snapbox::cmd::OutputAssert {
    snapbox::cmd::Command::new(snapbox::cmd::cargo_bin!("flowc"))
        .args(["graph", file, "--format", "svg"])
        .current_dir(repo_root())
        .assert()
        .success()
}

#[test]
fn tenant_workflow_svg() {
    graph("workflows/tenant_provisioning.flow")
        .stdout_eq(snapbox::file!["graph_svg/tenant_provisioning.svg"]);
}

#[test]
fn parallel_and_map_svg() {
    graph("compiler/tests/corpus/ok/parallel_map.flow")
        .stdout_eq(snapbox::file!["graph_svg/parallel_map.svg"]);
}

#[test]
fn fan_out_svg() {
    graph("simulator/benches/fanout/fanout.asl.json")
        .stdout_eq(snapbox::file!["graph_svg/fanout.svg"]);
}

#[test]
fn every_choice_edge_is_labelled_by_its_condition() {
    let out = snapbox::cmd::Command::new(snapbox::cmd::cargo_bin!("flowc"))
        .args([
            "graph",
            "workflows/tenant_provisioning.flow",
            "--format",
            "svg",
        ])
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let svg = String::from_utf8_lossy(&out.stdout);
    for condition in [
        "$.health.backend.status == &quot;healthy&quot;",
        "$.health.backend.status == &quot;unhealthy&quot;",
        ">default</text>",
        "BackendHealth (poll)",
    ] {
        assert!(svg.contains(condition), "no {condition} in the picture");
    }
    assert!(
        !svg.contains("rule 1"),
        "a Choice edge fell back to its number"
    );
}
