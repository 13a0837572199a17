//! `flowc graph --format svg`: a picture of a state machine, drawn without external programs,
//! and the same picture coloured by coverage (`flowc test --coverage --svg`).
//!
//! - Choice edges carry their condition as `.flow` writes it (`$.status == "healthy"`, cut to
//!   a readable length), `default` on the Default.
//! - Catch edges are dashed red; those that catch States.ALL into one handler run as one line
//!   (the tenant workflow's thirteen catchers into MarkTenantFailed would otherwise fill the
//!   page); a Retry is a loop beside its state (`retry 6`).
//! - Parallel and Map states are boxes holding their branches / item processor, each laid out
//!   on its own; loops (a poll's Wait, check and Choice) are drawn inside a box of their own,
//!   titled by the poll's counter state when a `.flow` poll made them.
//!
//! The layout is flowc's own layered layout (`picture/layout.rs`, behind the `Layout` trait).
//! layout-rs 0.1.3 was measured against it on the tenant workflow's DOT: it does not draw
//! Graphviz clusters (Parallel branches and Map processors), and its edge labels sat on
//! other edges; see README ("Pictures") for the figures.

mod layout;
mod svg;

use flowc_asl::{State, StateKind, StateMachine, StateName, Transition};
use indexmap::IndexMap;

use self::layout::{LEdge, LGraph, LNode, Layered, Layout, Placement};
use crate::coverage::{Key, Kind, WorkflowCoverage};

/// Longest condition label before it is cut with `…`.
const LABEL_CHARS: usize = 44;

/// Renders `machine` as SVG text; with `coverage`, what the tests covered is green and what
/// they did not is red.
pub fn render_svg(machine: &StateMachine, coverage: Option<&WorkflowCoverage>) -> String {
    let scope = Scope::build(&machine.states, &machine.start_at, coverage, &Layered);
    svg::document(
        &scope,
        coverage.map(|_| ("covered by the tests", "not covered")),
    )
}

/// [`render_svg`] coloured by `reached` (`flowc explore --svg`), the legend saying what green
/// (`covered`) and red (`uncovered`) mean.
pub fn render_svg_reached(
    machine: &StateMachine,
    reached: &WorkflowCoverage,
    covered: &str,
    uncovered: &str,
) -> String {
    let scope = Scope::build(&machine.states, &machine.start_at, Some(reached), &Layered);
    svg::document(&scope, Some((covered, uncovered)))
}

/// How a text measures: an estimate for the sans-serif fonts SVG viewers fall back to
/// (DejaVu Sans, Arial, Helvetica), on the wide side so text stays inside its box.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.34,
            'm' | 'w' | 'M' | 'W' => 0.92,
            c if c.is_ascii_uppercase() => 0.72,
            c if c.is_ascii_digit() => 0.62,
            _ => 0.60,
        })
        .sum::<f64>()
        * size
}

/// Whether an item was covered: `None` when no coverage is drawn.
type Covered = Option<bool>;

/// A state as drawn.
pub(crate) struct Node {
    pub name: String,
    pub type_name: &'static str,
    pub look: Look,
    pub covered: Covered,
    /// `retry 6`, and whether every retrier was used.
    pub retry: Option<(String, Covered)>,
    /// Parallel branches / the Map's item processor.
    pub inner: Vec<(String, Scope)>,
    /// Size of the box (without the retry loop beside it).
    pub w: f64,
    pub h: f64,
    /// Room taken beside the box on each side (for the retry loop).
    pub side: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    Start,
    Plain,
    Choice,
    Succeed,
    Fail,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    Next,
    Rule,
    Default,
    Catch,
}

pub(crate) struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub label: Option<String>,
    /// The transition's coverage; a rule's or catcher's own for its label.
    pub covered: Covered,
    pub label_covered: Covered,
}

/// A loop drawn in a box.
pub(crate) struct Group {
    pub title: String,
    pub members: Vec<usize>,
}

/// One scope (the machine, a branch, an item processor), laid out.
pub(crate) struct Scope {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub groups: Vec<Group>,
    pub placement: Placement,
    pub width: f64,
    pub height: f64,
}

/// Header height of a Parallel / Map box, and the padding inside it.
pub(crate) const HEADER: f64 = 44.0;
pub(crate) const PAD: f64 = 14.0;
/// Plain node height.
const NODE_H: f64 = 42.0;

impl Scope {
    fn build(
        states: &IndexMap<StateName, State>,
        start_at: &StateName,
        coverage: Option<&WorkflowCoverage>,
        engine: &dyn Layout,
    ) -> Self {
        let hit = |key: Key| coverage.map(|c| c.hits(&key) > 0);
        let key = Key::new;
        // Node 0 is the start marker; states follow in written order.
        let mut nodes = vec![Node {
            name: String::new(),
            type_name: "",
            look: Look::Start,
            covered: None,
            retry: None,
            inner: Vec::new(),
            w: 12.0,
            h: 12.0,
            side: 0.0,
        }];
        for (name, state) in states {
            nodes.push(node(name.as_str(), state, coverage, engine, &hit));
        }
        let id = |name: &StateName| states.get_index_of(name).map(|i| i + 1);
        let mut edges = Vec::new();
        if let Some(start) = id(start_at) {
            edges.push(Edge {
                from: 0,
                to: start,
                kind: EdgeKind::Next,
                label: None,
                covered: None,
                label_covered: None,
            });
        }
        for (index, (name, state)) in states.iter().enumerate() {
            let from = index + 1;
            let name = name.as_str();
            let transition =
                |to: &StateName| hit(key(Kind::Transition, name, None, Some(to.as_str())));
            if let Some(Transition::Next(next)) = state.transition()
                && let Some(to) = id(next)
            {
                edges.push(Edge {
                    from,
                    to,
                    kind: EdgeKind::Next,
                    label: None,
                    covered: transition(next),
                    label_covered: None,
                });
            }
            if let StateKind::Choice(choice) = &state.kind {
                for (rule_index, rule) in choice.choices.iter().enumerate() {
                    let Some(to) = id(&rule.next) else { continue };
                    let text = crate::decompile::condition_text(&rule.condition)
                        .unwrap_or_else(|| format!("rule {}", rule_index + 1));
                    edges.push(Edge {
                        from,
                        to,
                        kind: EdgeKind::Rule,
                        label: Some(shorten(&text)),
                        covered: transition(&rule.next),
                        label_covered: hit(key(Kind::ChoiceRule, name, Some(rule_index), None)),
                    });
                }
                if let Some(default) = &choice.default
                    && let Some(to) = id(default)
                {
                    edges.push(Edge {
                        from,
                        to,
                        kind: EdgeKind::Default,
                        label: Some("default".into()),
                        covered: transition(default),
                        label_covered: hit(key(Kind::ChoiceRule, name, None, None)),
                    });
                }
            }
            for (catch_index, catcher) in state.catch().iter().enumerate() {
                let Some(to) = id(&catcher.next) else {
                    continue;
                };
                let errors: Vec<&str> = catcher.error_equals.iter().map(|e| e.as_str()).collect();
                // States.ALL is what a catch edge means unless it says otherwise.
                let label = (errors != [flowc_asl::ErrorName::ALL])
                    .then(|| shorten(&format!("catch {}", errors.join(", "))));
                let covered = hit(key(Kind::Catcher, name, Some(catch_index), None));
                edges.push(Edge {
                    from,
                    to,
                    kind: EdgeKind::Catch,
                    label,
                    covered,
                    label_covered: covered,
                });
            }
        }
        let groups = loops(&nodes, &edges);
        let mut graph = LGraph::default();
        for (i, n) in nodes.iter().enumerate() {
            graph.nodes.push(LNode {
                w: n.w + 2.0 * n.side,
                h: n.h,
                group: groups.iter().position(|g| g.members.contains(&i)),
            });
        }
        for e in &edges {
            graph.edges.push(LEdge {
                from: e.from,
                to: e.to,
                label: e
                    .label
                    .as_ref()
                    .map(|l| (text_width(l, svg::LABEL_SIZE) + 8.0, svg::LABEL_SIZE + 6.0)),
                // Unlabelled catch edges into one handler share their way there.
                bundle: (e.kind == EdgeKind::Catch && e.label.is_none()).then_some(0),
                // The main flow runs straight; a catch barely pulls its state aside.
                weight: if e.kind == EdgeKind::Catch { 0.05 } else { 1.0 },
            });
        }
        let placement = engine.place(&graph);
        let (width, height) = (placement.width, placement.height);
        Self {
            nodes,
            edges,
            groups,
            placement,
            width,
            height,
        }
    }
}

fn node(
    name: &str,
    state: &State,
    coverage: Option<&WorkflowCoverage>,
    engine: &dyn Layout,
    hit: &dyn Fn(Key) -> Covered,
) -> Node {
    let key = Key::new;
    let look = match (&state.kind, state.transition()) {
        (StateKind::Choice(_), _) => Look::Choice,
        (StateKind::Succeed, _) => Look::Succeed,
        (StateKind::Fail(_), _) => Look::Fail,
        (_, Some(Transition::End)) => Look::End,
        _ => Look::Plain,
    };
    let type_name = state.kind.type_name();
    let retry = (!state.retry().is_empty()).then(|| {
        let attempts: Vec<String> = state
            .retry()
            .iter()
            .map(|r| r.max_attempts.unwrap_or(3).to_string())
            .collect();
        let all = coverage.map(|_| {
            (0..state.retry().len())
                .all(|i| hit(key(Kind::Retrier, name, Some(i), None)) == Some(true))
        });
        (format!("retry {}", attempts.join(", ")), all)
    });
    let side = retry
        .as_ref()
        .map_or(0.0, |(text, _)| text_width(text, svg::LABEL_SIZE) + 26.0);
    let inner: Vec<(String, Scope)> = state
        .branches()
        .into_iter()
        .enumerate()
        .map(|(i, branch)| {
            let title = match &state.kind {
                StateKind::Map(_) => "item processor".to_string(),
                _ => format!("branch {}", i + 1),
            };
            (
                title,
                Scope::build(&branch.states, &branch.start_at, coverage, engine),
            )
        })
        .collect();
    let title_w = text_width(name, svg::NAME_SIZE).max(text_width(type_name, svg::TYPE_SIZE));
    let (w, h) = if inner.is_empty() {
        let extra = if look == Look::Choice { 28.0 } else { 24.0 };
        (title_w + extra, NODE_H)
    } else {
        let inner_w: f64 = inner.iter().map(|(_, s)| s.width + 2.0 * PAD).sum::<f64>()
            + PAD * (inner.len() as f64 + 1.0);
        let inner_h = inner
            .iter()
            .map(|(_, s)| s.height + 2.0 * PAD + svg::LABEL_SIZE)
            .fold(0.0, f64::max);
        ((title_w + 24.0).max(inner_w), HEADER + inner_h + PAD)
    };
    Node {
        name: name.to_string(),
        type_name,
        look,
        covered: hit(key(Kind::State, name, None, None)),
        retry,
        inner,
        w,
        h,
        side,
    }
}

/// Cut to [`LABEL_CHARS`] characters with `…`.
fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > LABEL_CHARS {
        format!(
            "{}…",
            text.chars().take(LABEL_CHARS - 1).collect::<String>()
        )
    } else {
        text
    }
}

/// Loops of the scope (strongly connected sets of more than one state), each with the Pass
/// that alone leads into it when there is one (a `.flow` poll's counter, which names it).
fn loops(nodes: &[Node], edges: &[Edge]) -> Vec<Group> {
    let n = nodes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges {
        out[e.from].push(e.to);
    }
    let components = strongly_connected(&out);
    let mut groups = Vec::new();
    for mut members in components.into_iter().filter(|c| c.len() > 1) {
        members.sort_unstable();
        let outside_into: Vec<usize> = edges
            .iter()
            .filter(|e| members.contains(&e.to) && !members.contains(&e.from))
            .map(|e| e.from)
            .collect();
        let mut title = if members.iter().any(|m| nodes[*m].type_name == "Wait") {
            "poll".to_string()
        } else {
            "loop".to_string()
        };
        if let [only] = outside_into.as_slice()
            && nodes[*only].type_name == "Pass"
            && out[*only].iter().all(|t| members.contains(t))
        {
            title = format!("{} ({title})", nodes[*only].name);
            members.insert(0, *only);
        }
        groups.push(Group { title, members });
    }
    groups
}

/// Tarjan's strongly connected components, iteratively (no recursion on user input).
fn strongly_connected(out: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = out.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut components = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, i)) = work.last() {
            if let Some(&w) = out[v].get(i) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    components.push(component);
                }
            }
        }
    }
    components
}
