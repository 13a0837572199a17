//! The observer hook: what a run tells a caller as it goes, beyond the history. It exists for
//! coverage (`flowc test --coverage` counts the states, transitions, Choice rules, Retriers and
//! Catchers an execution used); the history alone cannot say which of two Choice rules with the
//! same Next matched, or which Retrier took an error.
//!
//! The engine holds an `Option<&mut dyn Observer>`: with none (every run but a coverage run),
//! each report costs one branch on `None`, never a name lookup or an allocation.

/// Receives a run's decisions. Every method has an empty default, so an observer implements
/// only what it needs. State names are the program's; Distributed Map child executions
/// report to the same observer.
pub trait Observer {
    /// A state was entered. `from` is the state its strand was in before (the state whose
    /// Next, Choice rule, Default or Catcher led here); `None` for the first state of the
    /// machine, of a Parallel branch, of a Map iteration or of a child execution.
    fn entered(&mut self, from: Option<&str>, state: &str) {
        let _ = (from, state);
    }

    /// A Choice state chose: `Some(i)` for its rule `i` (from 0), `None` for its Default.
    fn chose(&mut self, state: &str, rule: Option<usize>) {
        let _ = (state, rule);
    }

    /// The state's Retrier `index` (from 0) took an error: the state runs again.
    fn retried(&mut self, state: &str, index: usize) {
        let _ = (state, index);
    }

    /// The state's Catcher `index` (from 0) took an error.
    fn caught(&mut self, state: &str, index: usize) {
        let _ = (state, index);
    }
}
