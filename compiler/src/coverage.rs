//! Coverage of simulation tests (`flowc test --coverage`): which states were entered, which
//! transitions taken, which Choice rules (and Defaults) matched, which Retriers and Catchers
//! used, per workflow, over every test that ran it.
//!
//! What can be covered comes from the machine as flowc-asl loads it ([`Universe`]); what was
//! covered comes from the simulator itself, through its observer hook ([`Recorder`] is a
//! `flowc_sim::Observer`): no second interpreter, and nothing re-derived from the history (which
//! cannot tell two Choice rules with the same Next apart, nor which Retrier took an error).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use flowc_asl::{State, StateKind, StateMachine, StateName, Transition};
use indexmap::IndexMap;
use serde_json::{Value, json};

/// What one item of coverage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    State,
    Transition,
    ChoiceRule,
    Retrier,
    Catcher,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::State,
        Kind::Transition,
        Kind::ChoiceRule,
        Kind::Retrier,
        Kind::Catcher,
    ];

    /// The plural, as the summary and the JSON name the kind.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::State => "states",
            Kind::Transition => "transitions",
            Kind::ChoiceRule => "choice_rules",
            Kind::Retrier => "retriers",
            Kind::Catcher => "catchers",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Kind::State => "state",
            Kind::Transition => "transition",
            Kind::ChoiceRule => "choice rule",
            Kind::Retrier => "retrier",
            Kind::Catcher => "catcher",
        }
    }
}

/// One thing a test can cover. `state` is the state it belongs to (a transition's source);
/// `index` a rule's, retrier's or catcher's position (a Choice's Default is `None`); `to` a
/// transition's target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub kind: Kind,
    pub state: String,
    pub index: Option<usize>,
    pub to: Option<String>,
}

impl Key {
    pub fn new(kind: Kind, state: &str, index: Option<usize>, to: Option<&str>) -> Self {
        Self {
            kind,
            state: state.to_string(),
            index,
            to: to.map(str::to_string),
        }
    }
}

/// An item with what the reader needs to recognise it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub key: Key,
    /// `$.status == "healthy"`, `default`, `Lambda.ServiceException, ...`, `next`,
    /// `catch States.ALL`: short, for the summary and the picture.
    pub label: String,
}

/// Everything a machine offers to cover, in written order (nested states after their
/// Parallel or Map).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Universe {
    pub items: Vec<Item>,
    /// The transitions in `items`, so a second edge between the same states is found without
    /// a scan (a scan per edge took 27 s on a 16,500-state machine).
    transitions: BTreeSet<Key>,
}

impl Universe {
    pub fn of(machine: &StateMachine) -> Self {
        let mut universe = Self::default();
        universe.scope(&machine.states);
        universe
    }

    fn scope(&mut self, states: &IndexMap<StateName, State>) {
        for (name, state) in states {
            self.state(name.as_str(), state);
        }
    }

    fn push(
        &mut self,
        kind: Kind,
        state: &str,
        index: Option<usize>,
        to: Option<&str>,
        label: String,
    ) {
        let key = Key::new(kind, state, index, to);
        // Two edges between the same states (a rule and the Default to one target) are one
        // transition.
        if kind == Kind::Transition && !self.transitions.insert(key.clone()) {
            return;
        }
        self.items.push(Item { key, label });
    }

    fn state(&mut self, name: &str, state: &State) {
        self.push(
            Kind::State,
            name,
            None,
            None,
            state.kind.type_name().to_string(),
        );
        if let Some(Transition::Next(next)) = state.transition() {
            self.push(
                Kind::Transition,
                name,
                None,
                Some(next.as_str()),
                "next".into(),
            );
        }
        if let StateKind::Choice(choice) = &state.kind {
            for (index, rule) in choice.choices.iter().enumerate() {
                let label = crate::decompile::condition_text(&rule.condition)
                    .unwrap_or_else(|| format!("rule {}", index + 1));
                self.push(Kind::ChoiceRule, name, Some(index), None, label.clone());
                self.push(
                    Kind::Transition,
                    name,
                    None,
                    Some(rule.next.as_str()),
                    label,
                );
            }
            if let Some(default) = &choice.default {
                self.push(Kind::ChoiceRule, name, None, None, "default".into());
                self.push(
                    Kind::Transition,
                    name,
                    None,
                    Some(default.as_str()),
                    "default".into(),
                );
            }
        }
        for (index, retrier) in state.retry().iter().enumerate() {
            self.push(
                Kind::Retrier,
                name,
                Some(index),
                None,
                errors(&retrier.error_equals),
            );
        }
        for (index, catcher) in state.catch().iter().enumerate() {
            let label = format!("catch {}", errors(&catcher.error_equals));
            self.push(Kind::Catcher, name, Some(index), None, label.clone());
            self.push(
                Kind::Transition,
                name,
                None,
                Some(catcher.next.as_str()),
                label,
            );
        }
        for branch in state.branches() {
            self.scope(&branch.states);
        }
    }
}

fn errors(names: &[flowc_asl::ErrorName]) -> String {
    names
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What runs covered: hits per item, as the simulator reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorder {
    pub hits: BTreeMap<Key, u64>,
}

impl Recorder {
    fn hit(&mut self, kind: Kind, state: &str, index: Option<usize>, to: Option<&str>) {
        *self
            .hits
            .entry(Key::new(kind, state, index, to))
            .or_default() += 1;
    }
}

impl flowc_sim::Observer for Recorder {
    fn entered(&mut self, from: Option<&str>, state: &str) {
        self.hit(Kind::State, state, None, None);
        if let Some(from) = from {
            self.hit(Kind::Transition, from, None, Some(state));
        }
    }

    fn chose(&mut self, state: &str, rule: Option<usize>) {
        self.hit(Kind::ChoiceRule, state, rule, None);
    }

    fn retried(&mut self, state: &str, index: usize) {
        self.hit(Kind::Retrier, state, Some(index), None);
    }

    fn caught(&mut self, state: &str, index: usize) {
        self.hit(Kind::Catcher, state, Some(index), None);
    }
}

/// One workflow's coverage over the tests that ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowCoverage {
    /// The machine file, as the test files name it (`..` resolved).
    pub machine: PathBuf,
    pub universe: Universe,
    pub recorded: Recorder,
    /// Tests that ran it.
    pub tests: usize,
}

/// Covered and total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub covered: usize,
    pub total: usize,
}

impl Count {
    /// Per cent covered; 100 for nothing to cover.
    pub fn percent(self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.covered as f64 * 100.0 / self.total as f64
        }
    }
}

impl WorkflowCoverage {
    pub fn new(machine: &Path, universe: Universe) -> Self {
        Self {
            machine: normalize(machine),
            universe,
            recorded: Recorder::default(),
            tests: 0,
        }
    }

    pub fn hits(&self, key: &Key) -> u64 {
        self.recorded.hits.get(key).copied().unwrap_or(0)
    }

    pub fn count(&self, kind: Option<Kind>) -> Count {
        let mut count = Count::default();
        for item in &self.universe.items {
            if kind.is_none_or(|k| k == item.key.kind) {
                count.total += 1;
                if self.hits(&item.key) > 0 {
                    count.covered += 1;
                }
            }
        }
        count
    }

    pub fn uncovered(&self) -> impl Iterator<Item = &Item> {
        self.universe
            .items
            .iter()
            .filter(|item| self.hits(&item.key) == 0)
    }

    fn to_json(&self) -> Value {
        let mut summary = serde_json::Map::new();
        for kind in Kind::ALL {
            let c = self.count(Some(kind));
            summary.insert(
                kind.plural().into(),
                json!({"covered": c.covered, "total": c.total}),
            );
        }
        let all = self.count(None);
        summary.insert(
            "total".into(),
            json!({"covered": all.covered, "total": all.total, "percent": round1(all.percent())}),
        );
        let items: Vec<Value> = self
            .universe
            .items
            .iter()
            .map(|item| {
                let mut entry = serde_json::Map::new();
                entry.insert(
                    "kind".into(),
                    item.key.kind.singular().replace(' ', "_").into(),
                );
                entry.insert("state".into(), item.key.state.clone().into());
                if let Some(to) = &item.key.to {
                    entry.insert("to".into(), to.clone().into());
                }
                match (item.key.kind, item.key.index) {
                    (Kind::ChoiceRule, None) => {
                        entry.insert("default".into(), true.into());
                    }
                    (_, Some(index)) => {
                        entry.insert("index".into(), index.into());
                    }
                    _ => {}
                }
                entry.insert("label".into(), item.label.clone().into());
                entry.insert("hits".into(), self.hits(&item.key).into());
                Value::Object(entry)
            })
            .collect();
        json!({
            "machine": self.machine.display().to_string(),
            "tests": self.tests,
            "summary": summary,
            "items": items,
        })
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `workflows/tests/../tenant_provisioning.flow` -> `workflows/tenant_provisioning.flow`:
/// test files name their machine relative to themselves, and two files naming one machine
/// add up to one workflow.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// The JSON a CI keeps (`--coverage-json`): `{"version": 1, "workflows": [...]}`, each with
/// its summary per kind and every item with its hits.
pub fn render_json(workflows: &[WorkflowCoverage]) -> String {
    let doc = json!({
        "version": 1,
        "workflows": workflows.iter().map(WorkflowCoverage::to_json).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// At most this many uncovered items are listed per workflow; the JSON has them all.
const LISTED: usize = 25;

/// The summary `flowc test --coverage` prints after the test results.
pub fn render_summary(workflows: &[WorkflowCoverage]) -> String {
    let mut out = String::from(
        "\ncoverage (states entered, transitions taken, Choice rules matched, Retriers and Catchers used):\n",
    );
    for w in workflows {
        let tests = if w.tests == 1 { "test" } else { "tests" };
        let _ = writeln!(out, "  {} ({} {tests})", w.machine.display(), w.tests);
        let parts: Vec<String> = Kind::ALL
            .iter()
            .map(|k| {
                let c = w.count(Some(*k));
                format!("{} {}/{}", k.plural().replace('_', " "), c.covered, c.total)
            })
            .collect();
        let all = w.count(None);
        let _ = writeln!(
            out,
            "    {}; total {}/{} ({:.1}%)",
            parts.join(", "),
            all.covered,
            all.total,
            all.percent()
        );
        let uncovered: Vec<&Item> = w.uncovered().collect();
        for item in uncovered.iter().take(LISTED) {
            let _ = writeln!(out, "    not covered: {}", describe(item));
        }
        if uncovered.len() > LISTED {
            let _ = writeln!(
                out,
                "    ... and {} more (--coverage-json lists every item)",
                uncovered.len() - LISTED
            );
        }
    }
    out
}

/// `retrier #2 of CheckBackendHealth (Tenant.AwsTransient)`, `transition A -> B (catch ...)`.
pub fn describe(item: &Item) -> String {
    let key = &item.key;
    match (key.kind, key.index, &key.to) {
        (Kind::State, _, _) => format!("state {} ({})", key.state, item.label),
        (Kind::Transition, _, Some(to)) => {
            format!("transition {} -> {to} ({})", key.state, item.label)
        }
        (Kind::ChoiceRule, None, _) => format!("the Default of {}", key.state),
        (kind, Some(index), _) => format!(
            "{} #{} of {} ({})",
            kind.singular(),
            index + 1,
            key.state,
            item.label
        ),
        (kind, None, _) => format!("{} of {}", kind.singular(), key.state),
    }
}

/// The workflows under `min` per cent (all items together), for `--min`.
pub fn under(workflows: &[WorkflowCoverage], min: f64) -> Vec<&WorkflowCoverage> {
    workflows
        .iter()
        .filter(|w| w.count(None).percent() + 1e-9 < min)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowc_sim::Observer;

    fn machine() -> StateMachine {
        let text = r#"{"StartAt": "Check", "States": {
            "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                      "Retry": [{"ErrorEquals": ["Throttled"]}, {"ErrorEquals": ["States.ALL"]}],
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                      "Next": "Ready?"},
            "Ready?": {"Type": "Choice",
                       "Choices": [{"Variable": "$.ready", "BooleanEquals": true, "Next": "Done"},
                                   {"Variable": "$.ready", "IsNull": true, "Next": "Done"}],
                       "Default": "Failed"},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail"}}}"#;
        match flowc_asl::load(text, "m.asl.json") {
            Ok(loaded) => loaded.machine,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn the_universe_lists_every_state_edge_rule_retrier_and_catcher_once() {
        let universe = Universe::of(&machine());
        let mut coverage = WorkflowCoverage::new(Path::new("m.asl.json"), universe);
        let count = |c: &WorkflowCoverage, k| c.count(Some(k)).total;
        assert_eq!(count(&coverage, Kind::State), 4);
        // Check -> Ready?, Check -> Failed (catch), Ready? -> Done (twice: one transition),
        // Ready? -> Failed (default).
        assert_eq!(count(&coverage, Kind::Transition), 4);
        assert_eq!(count(&coverage, Kind::ChoiceRule), 3);
        assert_eq!(count(&coverage, Kind::Retrier), 2);
        assert_eq!(count(&coverage, Kind::Catcher), 1);
        let labels: Vec<&str> = coverage
            .universe
            .items
            .iter()
            .filter(|i| i.key.kind == Kind::ChoiceRule)
            .map(|i| i.label.as_str())
            .collect();
        assert_eq!(labels, ["$.ready == true", "$.ready is null", "default"]);

        coverage.recorded.entered(None, "Check");
        coverage.recorded.retried("Check", 0);
        coverage.recorded.entered(Some("Check"), "Ready?");
        coverage.recorded.chose("Ready?", Some(1));
        coverage.recorded.entered(Some("Ready?"), "Done");
        assert_eq!(coverage.count(Some(Kind::State)).covered, 3);
        assert_eq!(coverage.count(Some(Kind::ChoiceRule)).covered, 1);
        let uncovered: Vec<String> = coverage.uncovered().map(describe).collect();
        assert_eq!(
            uncovered,
            [
                "retrier #2 of Check (States.ALL)",
                "catcher #1 of Check (catch States.ALL)",
                "transition Check -> Failed (catch States.ALL)",
                "choice rule #1 of Ready? ($.ready == true)",
                "the Default of Ready?",
                "transition Ready? -> Failed (default)",
                "state Failed (Fail)",
            ]
        );
        assert_eq!(
            coverage.count(None),
            Count {
                covered: 7,
                total: 14
            }
        );
        assert_eq!(under(std::slice::from_ref(&coverage), 50.0).len(), 0);
        assert_eq!(under(std::slice::from_ref(&coverage), 50.1).len(), 1);
    }

    #[test]
    fn machine_paths_lose_their_dot_dots() {
        assert_eq!(
            normalize(Path::new("workflows/tests/../tenant.flow")),
            PathBuf::from("workflows/tenant.flow")
        );
        assert_eq!(normalize(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }
}
