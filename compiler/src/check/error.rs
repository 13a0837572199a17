//! Graph-check diagnostics: the `flowc::check::*` codes.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// One problem in the shape of a state machine. Checks collect every problem of a run.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum CheckError {
    #[error("`{from}` goes to `{name}`, but there is no state called `{name}`")]
    #[diagnostic(code(flowc::check::unknown_target), help("{help}"))]
    UnknownTarget {
        from: String,
        name: String,
        help: String,
        #[label("no state `{name}` here")]
        span: SourceSpan,
    },

    #[error("`{from}` goes to `{name}`, which is {place}")]
    #[diagnostic(
        code(flowc::check::escapes_branch),
        help(
            "states in a Parallel branch or Map processor can only go to states of the same branch; end the branch and continue from the state after the Parallel or Map"
        )
    )]
    EscapesBranch {
        from: String,
        name: String,
        /// Where the target is, seen from the source: "outside its Parallel branch", "outside
        /// its Map item processor", or "inside a Parallel or Map branch" (from the top level).
        place: String,
        #[label("`{name}` is not in this branch")]
        span: SourceSpan,
    },

    #[error("state `{name}` is unreachable")]
    #[diagnostic(
        code(flowc::check::unreachable_state),
        help(
            "no transition leads here from `{start}`; go to it from another state or delete it (AWS rejects unreachable states)"
        )
    )]
    UnreachableState {
        name: String,
        start: String,
        #[label("nothing goes to this state")]
        span: SourceSpan,
    },

    #[error("the {scope} has no terminal state")]
    #[diagnostic(
        code(flowc::check::no_terminal_state),
        help(
            "every execution must be able to end: add a Succeed or Fail state, or mark the last state with `End: true`"
        )
    )]
    NoTerminalState {
        scope: String,
        #[label("execution starts here and can never end")]
        span: SourceSpan,
    },

    #[error("no terminal state can be reached from `{name}`")]
    #[diagnostic(
        code(flowc::check::dead_end),
        help(
            "once here the execution loops through {states} forever; add a transition that leads to a Succeed, Fail or End state"
        )
    )]
    DeadEnd {
        name: String,
        states: String,
        #[label("the execution cannot end after this state")]
        span: SourceSpan,
    },

    #[error("Choice state `{name}` has no Default")]
    #[diagnostic(
        code(flowc::check::choice_without_default),
        severity(Warning),
        help(
            "when no rule matches, the execution fails with States.NoChoiceMatched; add a Default (`otherwise` in .flow) if that is not what you want"
        )
    )]
    ChoiceWithoutDefault {
        name: String,
        #[label("no rule may match")]
        span: SourceSpan,
    },

    #[error(
        "States.ALL is not alone in `ErrorEquals` of {field} entry {number} of `{name}`",
        number = .index + 1
    )]
    #[diagnostic(
        code(flowc::check::states_all_not_alone),
        help(
            "States.ALL matches every error, so it must be the only name in its ErrorEquals; remove the other names"
        )
    )]
    StatesAllNotAlone {
        field: &'static str,
        name: String,
        index: usize,
        #[label("States.ALL must be the only error name here")]
        span: SourceSpan,
    },

    #[error("the States.ALL {field} entry of `{name}` is not the last one")]
    #[diagnostic(
        code(flowc::check::states_all_not_last),
        help(
            "entries are tried in order and States.ALL matches every error, so the entries after it never run; move it to the end"
        )
    )]
    StatesAllNotLast {
        field: &'static str,
        name: String,
        #[label("States.ALL here")]
        span: SourceSpan,
        #[label("never reached")]
        after: SourceSpan,
    },

    #[error("`{field}` of `{name}` is {value}, more than AWS allows ({limit})")]
    #[diagnostic(code(flowc::check::over_limit), help("{help}"))]
    OverLimit {
        field: &'static str,
        name: String,
        value: u64,
        limit: u64,
        help: &'static str,
        #[label("at most {limit}")]
        span: SourceSpan,
    },

    #[error("loop through {states} has no bound")]
    #[diagnostic(
        code(flowc::check::unbounded_loop),
        severity(Warning),
        help(
            "this polling loop runs until the execution hits the 25,000-event history limit; count iterations and exit through a Choice (the .flow `poll ... at most N times` construct does this)"
        )
    )]
    UnboundedLoop {
        states: String,
        #[label("the loop waits here on every round")]
        span: SourceSpan,
    },

    /// A loop with no Wait: it walks data (a `NextToken` page, a list it pops), not time.
    #[error("loop through {states} has no bound")]
    #[diagnostic(
        code(flowc::check::unbounded_loop),
        severity(Warning),
        help(
            "this loop has no Wait, so it walks data (pages by NextToken, items popped from a list) and ends when the data does: make sure every round moves forward and a Choice leaves when nothing is left; an execution stops at 25,000 history events (a round of a Task and a Choice writes 7: about 3,500 rounds), so a long walk belongs in a Distributed Map or a child execution per page"
        )
    )]
    UnboundedDataLoop {
        states: String,
        #[label("the loop calls a task here on every round")]
        span: SourceSpan,
    },

    #[error("state `{state}` reads `${name}`, which no state before it assigns")]
    #[diagnostic(
        code(flowc::check::unassigned_variable),
        severity(Warning),
        help("{help}")
    )]
    UnassignedVariable {
        state: String,
        name: String,
        help: String,
        #[label(
            "`${name}` is undefined here: a JSONata expression returns nothing (States.QueryEvaluationError), a JSONPath path finds nothing (States.Runtime)"
        )]
        span: SourceSpan,
    },

    #[error("state name `{name}` is used more than once")]
    #[diagnostic(
        code(flowc::check::duplicate_state),
        help(
            "state names must be unique in the whole state machine, Parallel branches and Map processors included; rename one"
        )
    )]
    DuplicateState {
        name: String,
        #[label("used again here")]
        span: SourceSpan,
        #[label("first used here")]
        first: SourceSpan,
    },

    #[error(
        "the definition is {size} bytes {as_what}, over AWS's 1 MB quota on a state machine definition ({limit} bytes)"
    )]
    #[diagnostic(
        code(flowc::check::definition_too_large),
        severity(Warning),
        help("{help}")
    )]
    DefinitionTooLarge {
        size: usize,
        /// "as written" (an ASL file, measured as it is deployed) or "as compiled".
        as_what: &'static str,
        limit: usize,
        help: String,
        #[label("CreateStateMachine refuses a definition this size")]
        span: SourceSpan,
    },
}
