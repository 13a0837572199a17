//! `flowc graph FILE --format dot|mermaid|svg [-o OUT]`: the state graph, Parallel branches and
//! Map processors drawn as nested clusters; `svg` is drawn by flowc itself (`picture`), laid
//! out, with Choice conditions on their edges. Output is deterministic (written order).

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use flowc_asl::{State, StateKind, StateMachine, StateName, Transition};
use indexmap::IndexMap;

use super::output::{print_stdout, report, write_file};
use super::pipeline::{load_reported, summary};
use super::{EXIT_INPUT, Global, display_path, emitter_for};
use crate::lower::Bindings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    /// A picture, laid out and drawn by flowc (no Graphviz needed).
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// A .flow or .asl.json file.
    pub file: PathBuf,
    /// Graphviz `dot`, a Mermaid `flowchart`, or an SVG picture.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Write the graph here instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub fn run(args: GraphArgs, global: &Global) -> ExitCode {
    let mut emitter = emitter_for(global);
    // A definition that loaded whole is drawn even when the checks found errors in it (exit 1
    // all the same); one whose states did not all load is not (see `pipeline`).
    let loaded = load_reported(&args.file, &Bindings::new(), &mut emitter);
    summary(&emitter, &display_path(&args.file));
    let Some(machine) = loaded else {
        return ExitCode::from(EXIT_INPUT);
    };
    let text = render(&machine, args.format);
    let result = match &args.output {
        Some(out) => write_file(out, text.as_bytes()),
        None => print_stdout(&text),
    };
    match result {
        Ok(()) if emitter.errors() > 0 => ExitCode::from(EXIT_INPUT),
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let target = args
                .output
                .as_deref()
                .map_or("<stdout>".to_owned(), display_path);
            report(&mut emitter, &err, &target);
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// Renders the machine's graph in `format`.
pub fn render(machine: &StateMachine, format: GraphFormat) -> String {
    if format == GraphFormat::Svg {
        return crate::picture::render_svg(machine, None);
    }
    let mut graph = Graph::default();
    graph.scope(&machine.states, &machine.start_at, None);
    match format {
        GraphFormat::Dot => graph.dot(),
        GraphFormat::Mermaid => graph.mermaid(),
        GraphFormat::Svg => crate::picture::render_svg(machine, None),
    }
}

/// A flattened drawing: node ids are `n0`, `n1`... in written order, so names need no escaping
/// in identifiers (only in labels).
#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// Clusters: label and the nodes directly inside, nested by `parent`.
    clusters: Vec<Cluster>,
    start: Option<usize>,
}

struct Node {
    label: String,
    shape: Shape,
    cluster: Option<usize>,
}

#[derive(Clone, Copy)]
enum Shape {
    Plain,
    Choice,
    End,
}

struct Edge {
    from: usize,
    to: usize,
    label: Option<String>,
    dashed: bool,
}

struct Cluster {
    label: String,
    parent: Option<usize>,
}

impl Graph {
    /// Adds a scope's states and edges; returns the node of its StartAt.
    fn scope(
        &mut self,
        states: &IndexMap<StateName, State>,
        start_at: &StateName,
        cluster: Option<usize>,
    ) -> Option<usize> {
        let first = self.nodes.len();
        for (name, state) in states {
            let shape = match (&state.kind, state.transition()) {
                (StateKind::Choice(_), _) => Shape::Choice,
                (StateKind::Succeed | StateKind::Fail(_), _) | (_, Some(Transition::End)) => {
                    Shape::End
                }
                _ => Shape::Plain,
            };
            self.nodes.push(Node {
                label: format!("{name}\n{}", state.kind.type_name()),
                shape,
                cluster,
            });
        }
        let id = |name: &StateName| states.get_index_of(name).map(|i| first + i);
        for (index, state) in states.values().enumerate() {
            let from = first + index;
            let mut add = |to: Option<usize>, label: Option<String>| {
                if let Some(to) = to {
                    self.edges.push(Edge {
                        from,
                        to,
                        label,
                        dashed: false,
                    });
                }
            };
            if let Some(Transition::Next(next)) = state.transition() {
                add(id(next), None);
            }
            if let StateKind::Choice(choice) = &state.kind {
                for (rule, choice_rule) in choice.choices.iter().enumerate() {
                    add(id(&choice_rule.next), Some(format!("rule {}", rule + 1)));
                }
                if let Some(default) = &choice.default {
                    add(id(default), Some("default".to_owned()));
                }
            }
            for catcher in state.catch() {
                let errors: Vec<&str> = catcher.error_equals.iter().map(|e| e.as_str()).collect();
                add(
                    id(&catcher.next),
                    Some(format!("catch {}", errors.join(", "))),
                );
            }
            for (branch_index, branch) in state.branches().into_iter().enumerate() {
                let name = states.get_index(index).map_or("", |(n, _)| n.as_str());
                let label = match &state.kind {
                    StateKind::Map(_) => format!("{name}: item processor"),
                    _ => format!("{name}: branch {branch_index}"),
                };
                self.clusters.push(Cluster {
                    label,
                    parent: cluster,
                });
                let inner = self.clusters.len() - 1;
                if let Some(start) = self.scope(&branch.states, &branch.start_at, Some(inner)) {
                    self.edges.push(Edge {
                        from,
                        to: start,
                        label: None,
                        dashed: true,
                    });
                }
            }
        }
        let start = id(start_at);
        if cluster.is_none() {
            self.start = start;
        }
        start
    }

    fn dot(&self) -> String {
        let mut out = String::from("digraph flow {\n  node [shape=box, style=rounded];\n");
        out.push_str("  __start [shape=point];\n");
        self.dot_cluster(None, 1, &mut out);
        if let Some(start) = self.start {
            let _ = writeln!(out, "  __start -> n{start};");
        }
        for edge in &self.edges {
            let mut attrs = Vec::new();
            if let Some(label) = &edge.label {
                attrs.push(format!("label={}", dot_quote(label)));
            }
            if edge.dashed {
                attrs.push("style=dashed".to_owned());
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(", "))
            };
            let _ = writeln!(out, "  n{} -> n{}{attrs};", edge.from, edge.to);
        }
        out.push_str("}\n");
        out
    }

    fn dot_cluster(&self, cluster: Option<usize>, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        for (id, node) in self.nodes.iter().enumerate() {
            if node.cluster != cluster {
                continue;
            }
            let shape = match node.shape {
                Shape::Plain => "",
                Shape::Choice => ", shape=diamond, style=\"\"",
                Shape::End => ", peripheries=2",
            };
            let _ = writeln!(out, "{pad}n{id} [label={}{shape}];", dot_quote(&node.label));
        }
        for (id, inner) in self.clusters.iter().enumerate() {
            if inner.parent != cluster {
                continue;
            }
            let _ = writeln!(out, "{pad}subgraph cluster_{id} {{");
            let _ = writeln!(out, "{pad}  label={};", dot_quote(&inner.label));
            self.dot_cluster(Some(id), depth + 1, out);
            let _ = writeln!(out, "{pad}}}");
        }
    }

    fn mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        out.push_str("  __start((start))\n");
        self.mermaid_cluster(None, 1, &mut out);
        if let Some(start) = self.start {
            let _ = writeln!(out, "  __start --> n{start}");
        }
        for edge in &self.edges {
            let arrow = if edge.dashed { "-.->" } else { "-->" };
            match &edge.label {
                Some(label) => {
                    let _ = writeln!(
                        out,
                        "  n{} {arrow}|\"{}\"| n{}",
                        edge.from,
                        mermaid_escape(label),
                        edge.to
                    );
                }
                None => {
                    let _ = writeln!(out, "  n{} {arrow} n{}", edge.from, edge.to);
                }
            }
        }
        out
    }

    fn mermaid_cluster(&self, cluster: Option<usize>, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        for (id, node) in self.nodes.iter().enumerate() {
            if node.cluster != cluster {
                continue;
            }
            let label = mermaid_escape(&node.label);
            let _ = match node.shape {
                Shape::Plain => writeln!(out, "{pad}n{id}(\"{label}\")"),
                Shape::Choice => writeln!(out, "{pad}n{id}{{\"{label}\"}}"),
                Shape::End => writeln!(out, "{pad}n{id}(((\"{label}\")))"),
            };
        }
        for (id, inner) in self.clusters.iter().enumerate() {
            if inner.parent != cluster {
                continue;
            }
            let _ = writeln!(
                out,
                "{pad}subgraph c{id} [\"{}\"]",
                mermaid_escape(&inner.label)
            );
            self.mermaid_cluster(Some(id), depth + 1, out);
            let _ = writeln!(out, "{pad}end");
        }
    }
}

fn dot_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Mermaid labels in quotes: `"` becomes `#quot;`, newlines `<br>`.
fn mermaid_escape(text: &str) -> String {
    text.replace('"', "#quot;").replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> StateMachine {
        let text = r#"{"StartAt":"A","States":{
            "A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"P"}],"Default":"Done"},
            "P":{"Type":"Parallel","Branches":[{"StartAt":"In \"q\"","States":{"In \"q\"":{"Type":"Succeed"}}}],"Next":"Done"},
            "Done":{"Type":"Succeed"}}}"#;
        match flowc_asl::load(text, "t.asl.json") {
            Ok(loaded) => loaded.machine,
            Err(err) => panic!("{err:?}"),
        }
    }

    #[test]
    fn dot_draws_states_edges_and_branch_clusters() {
        let expected = r#"digraph flow {
  node [shape=box, style=rounded];
  __start [shape=point];
  n0 [label="A\nChoice", shape=diamond, style=""];
  n1 [label="P\nParallel"];
  n2 [label="Done\nSucceed", peripheries=2];
  subgraph cluster_0 {
    label="P: branch 0";
    n3 [label="In \"q\"\nSucceed", peripheries=2];
  }
  __start -> n0;
  n0 -> n1 [label="rule 1"];
  n0 -> n2 [label="default"];
  n1 -> n2;
  n1 -> n3 [style=dashed];
}
"#;
        assert_eq!(render(&machine(), GraphFormat::Dot), expected);
    }

    #[test]
    fn mermaid_escapes_quotes_in_labels() {
        let expected = r#"flowchart TD
  __start((start))
  n0{"A<br>Choice"}
  n1("P<br>Parallel")
  n2((("Done<br>Succeed")))
  subgraph c0 ["P: branch 0"]
    n3((("In #quot;q#quot;<br>Succeed")))
  end
  __start --> n0
  n0 -->|"rule 1"| n1
  n0 -->|"default"| n2
  n1 --> n2
  n1 -.-> n3
"#;
        assert_eq!(render(&machine(), GraphFormat::Mermaid), expected);
    }
}
