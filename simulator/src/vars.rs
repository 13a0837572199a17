//! Workflow variables as one strand of a run sees them (AWS's "Passing data between states with
//! variables"):
//!
//! - the top-level states share one scope; every Parallel branch and inline Map iteration runs
//!   in a scope of its own on top of the enclosing one: it reads the outer variables, and what
//!   it assigns (an outer name included) stays in its own scope and is gone when it ends;
//! - a state reads the variables as they were when it was entered; its `Assign` takes effect
//!   when it leaves (so `"Assign": {"x": "{% $x + 1 %}"}` reads the old `$x`).
//!
//! A scope is a persistent chain of frames shared by reference count: a strand's scope is a
//! value it carries from state to state, a child strand's scope points at its parent's, and an
//! assignment makes a new frame instead of changing one another strand may be reading.

use indexmap::IndexMap;
use serde_json::Value;
use std::sync::Arc;

/// AWS's limit on one variable and on one `Assign`: 256 KiB of JSON text.
pub(crate) const MAX_ASSIGN_BYTES: usize = flowc_asl::assign::MAX_ASSIGN_BYTES;

/// AWS's limit on all the variables an execution keeps at one time: 10 MiB of JSON text.
pub(crate) const MAX_TOTAL_BYTES: usize = 10 * 1024 * 1024;

/// What a state assigns: each name with its value, in written order.
pub(crate) type Assigned = Vec<(String, Value)>;

/// What a StateExited event records of them: each name with its value's JSON text.
pub(crate) type AssignedTexts = Box<[(String, String)]>;

/// The variables one strand can see.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars(Option<Arc<Frame>>);

#[derive(Debug)]
struct Frame {
    /// The enclosing scope (a branch's or iteration's parent), read but never written.
    outer: Vars,
    own: IndexMap<String, Variable>,
    /// JSON text bytes of every variable visible from this frame, outer ones included.
    bytes: usize,
}

#[derive(Debug, Clone)]
struct Variable {
    value: Arc<Value>,
    /// The value's JSON text length.
    bytes: usize,
}

/// An assignment refused for its size: the variable (or `None` for the whole `Assign`) and
/// the bytes it would take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TooLarge {
    Variable { name: String, bytes: usize },
    Assign { bytes: usize },
    Total { bytes: usize },
}

impl Vars {
    /// The value of `$name`, looked up from the innermost scope out.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let mut scope = self;
        while let Some(frame) = &scope.0 {
            if let Some(variable) = frame.own.get(name) {
                return Some(&variable.value);
            }
            scope = &frame.outer;
        }
        None
    }

    /// Every visible variable once (an inner one hides an outer one of the same name).
    pub fn visible(&self) -> Vec<(&str, &Value)> {
        let mut out: IndexMap<&str, &Value> = IndexMap::new();
        let mut scope = self;
        while let Some(frame) = &scope.0 {
            for (name, variable) in &frame.own {
                out.entry(name.as_str()).or_insert(&variable.value);
            }
            scope = &frame.outer;
        }
        out.into_iter().collect()
    }

    /// The scope of a Parallel branch or Map iteration started from this one.
    pub fn child(&self) -> Vars {
        if self.0.is_none() {
            return Vars::default();
        }
        Vars(Some(Arc::new(Frame {
            outer: self.clone(),
            own: IndexMap::new(),
            bytes: self.bytes(),
        })))
    }

    fn bytes(&self) -> usize {
        self.0.as_ref().map_or(0, |frame| frame.bytes)
    }

    /// This scope with `values` assigned (each with its JSON text length), checked against
    /// AWS's limits: 256 KiB per variable, 256 KiB per `Assign`, 10 MiB in all.
    pub fn assign(&self, values: Vec<(String, Value, usize)>) -> Result<Vars, TooLarge> {
        if values.is_empty() {
            return Ok(self.clone());
        }
        let mut total = 0;
        for (name, _, bytes) in &values {
            if *bytes > MAX_ASSIGN_BYTES {
                return Err(TooLarge::Variable {
                    name: name.clone(),
                    bytes: *bytes,
                });
            }
            total += bytes;
        }
        if total > MAX_ASSIGN_BYTES {
            return Err(TooLarge::Assign { bytes: total });
        }
        let (outer, mut own, mut bytes) = match &self.0 {
            Some(frame) => (frame.outer.clone(), frame.own.clone(), frame.bytes),
            None => (Vars::default(), IndexMap::new(), 0),
        };
        for (name, value, size) in values {
            // A name assigned again in this scope replaces its value; an outer one is hidden.
            let replaced = own.get(&name).map(|v| v.bytes).unwrap_or(0);
            bytes = bytes - replaced + size;
            own.insert(
                name,
                Variable {
                    value: Arc::new(value),
                    bytes: size,
                },
            );
        }
        if bytes > MAX_TOTAL_BYTES {
            return Err(TooLarge::Total { bytes });
        }
        Ok(Vars(Some(Arc::new(Frame { outer, own, bytes }))))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assign(vars: &Vars, pairs: &[(&str, Value)]) -> Vars {
        let values = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone(), v.to_string().len()))
            .collect();
        vars.assign(values).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn an_assignment_makes_a_new_scope_and_leaves_the_old_one_as_it_was() {
        let before = assign(&Vars::default(), &[("x", json!(1))]);
        let after = assign(&before, &[("x", json!(2)), ("y", json!("a"))]);
        assert_eq!(before.get("x"), Some(&json!(1)));
        assert_eq!(before.get("y"), None);
        assert_eq!(after.get("x"), Some(&json!(2)));
        assert_eq!(after.get("y"), Some(&json!("a")));
    }

    #[test]
    fn a_child_scope_reads_outer_variables_and_keeps_its_own() {
        let outer = assign(&Vars::default(), &[("x", json!(1)), ("y", json!(2))]);
        let child = assign(&outer.child(), &[("x", json!(10)), ("z", json!(3))]);
        assert_eq!(child.get("x"), Some(&json!(10)));
        assert_eq!(child.get("y"), Some(&json!(2)));
        assert_eq!(outer.get("x"), Some(&json!(1)));
        assert_eq!(outer.get("z"), None);
        let visible: Vec<(&str, &Value)> = child.visible();
        assert_eq!(
            visible,
            [("x", &json!(10)), ("z", &json!(3)), ("y", &json!(2))]
        );
    }

    #[test]
    fn sizes_are_held_to_aws_limits() {
        let big = MAX_ASSIGN_BYTES + 1;
        let error = Vars::default()
            .assign(vec![("b".into(), json!(null), big)])
            .unwrap_err();
        assert_eq!(
            error,
            TooLarge::Variable {
                name: "b".into(),
                bytes: big
            }
        );
        let half = MAX_ASSIGN_BYTES / 2 + 1;
        let error = Vars::default()
            .assign(vec![
                ("a".into(), json!(null), half),
                ("b".into(), json!(null), half),
            ])
            .unwrap_err();
        assert_eq!(error, TooLarge::Assign { bytes: 2 * half });
        let mut vars = Vars::default();
        for i in 0..40 {
            vars = vars
                .assign(vec![(format!("v{i}"), json!(null), MAX_ASSIGN_BYTES)])
                .unwrap_or_else(|e| panic!("{i}: {e:?}"));
        }
        assert!(matches!(
            vars.assign(vec![("last".into(), json!(null), MAX_ASSIGN_BYTES)]),
            Err(TooLarge::Total { .. })
        ));
    }
}
