//! The typed, spanned syntax tree of a `.flow` file.
//!
//! The tree says what the author wrote, not what ASL needs: names are still strings, durations
//! keep their unit, paths are unparsed text. `flowc::lower` resolves names, checks values and
//! builds the ASL model. Every node that a diagnostic may point at is `Spanned`.

use serde_json::Value;

/// A byte range into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.len())
    }
}

/// A node together with the source range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

/// A source comment (`# ...` or `// ...`), kept so that `flowc fmt` can print it back.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// The comment text including its `#` or `//` marker, without the line break.
    pub text: String,
    pub span: Span,
    /// An empty line follows the comment in the source; `flowc fmt` keeps it.
    pub blank_line_after: bool,
    /// An empty line precedes the comment in the source (a comment that introduces what
    /// follows it): `flowc fmt` keeps it, even between declarations it prints as one group.
    pub blank_line_before: bool,
    /// Code precedes the comment on its line: `flowc fmt` keeps it at the end of that line.
    pub trailing: bool,
}

/// A whole `.flow` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workflow {
    /// Top-level items in source order: settings, declarations and the states. The first state
    /// is where the machine starts.
    pub items: Vec<Item>,
    /// Every source comment, in source order.
    pub comments: Vec<Comment>,
    /// Every JSONata expression written in the file (`{% ... %}`, or a JSON string holding
    /// one), in source order: where its text is, so a problem inside an expression is pointed
    /// at in the `.flow` source.
    pub expressions: Vec<ExpressionSite>,
}

/// Where a JSONata expression was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressionSite {
    /// The whole literal: `{% ... %}`, or the JSON string with its quotes.
    pub span: Span,
    /// The string AWS sees (`{% ... %}` with its delimiters), as decoded.
    pub written: String,
    /// Byte offset in the source where `written` starts, when `written` is the source text
    /// byte for byte (a bare expression, or a JSON string without escapes): offsets inside the
    /// expression are then offsets in the file. `None` when escapes make them differ.
    pub verbatim_at: Option<usize>,
}

/// A JSONata expression as AWS writes it: the string with its `{%` `%}` delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression(pub String);

/// `query_language jsonata` / `query_language jsonpath`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
    pub fn word(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "jsonpath",
            QueryLanguage::Jsonata => "jsonata",
        }
    }
}

impl Workflow {
    /// The top-level states, in order.
    pub fn states(&self) -> impl Iterator<Item = &State> {
        self.items.iter().filter_map(|item| match item {
            Item::State(state) => Some(state),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `comment "..."`: the machine's Comment.
    Comment(Spanned<String>),
    /// `version "1.0"`: the machine's Version.
    Version(Spanned<String>),
    /// `timeout 2h`: the machine's TimeoutSeconds.
    Timeout(Spanned<Duration>),
    /// `query_language jsonata`: the machine's QueryLanguage.
    QueryLanguage(Spanned<QueryLanguage>),
    Resource(ResourceDecl),
    RetryPolicy(RetryPolicyDecl),
    State(State),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Comment(c) => c.span,
            Item::Version(v) => v.span,
            Item::Timeout(t) => t.span,
            Item::QueryLanguage(q) => q.span,
            Item::Resource(r) => r.span,
            Item::RetryPolicy(p) => p.span,
            Item::State(s) => s.span,
        }
    }
}

/// `resource provisioning = lambda "tenant-provisioning"` or `resource q = "arn:..."`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDecl {
    pub name: Spanned<String>,
    pub kind: ResourceKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResourceKind {
    /// A Lambda function, named for people; its ARN comes from `--bind name=ARN`, or the
    /// output holds a `${name}` placeholder for Terraform's templatefile().
    Lambda(Spanned<String>),
    /// A fixed resource ARN (any service integration), used as written unless bound.
    Arn(Spanned<String>),
}

/// `retry policy NAME on ... every ... attempts ...`: a named Retry rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicyDecl {
    pub name: Spanned<String>,
    pub rule: RetryRule,
    pub span: Span,
}

/// One Retry rule. Absent clauses stay absent in the ASL (AWS defaults apply).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryRule {
    /// ErrorEquals.
    pub errors: Vec<Spanned<String>>,
    /// IntervalSeconds.
    pub every: Option<Spanned<Duration>>,
    /// MaxAttempts.
    pub attempts: Option<Spanned<Number>>,
    /// BackoffRate.
    pub backoff: Option<Spanned<Number>>,
    /// MaxDelaySeconds.
    pub max_delay: Option<Spanned<Duration>>,
    /// JitterStrategy.
    pub jitter: Option<Spanned<Jitter>>,
    /// The rule's Comment.
    pub comment: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    Full,
    None,
}

/// A number as written (`6`, `2.5`, `-1`), kept as text so printing gives it back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(pub String);

/// A duration as written: `60s`, `5m`, `2h`, `1d`, or a bare number of seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    pub amount: Number,
    pub unit: TimeUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// No unit written: seconds.
    Bare,
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub fn seconds(self) -> u64 {
        match self {
            TimeUnit::Bare | TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3_600,
            TimeUnit::Days => 86_400,
        }
    }
    pub fn suffix(self) -> &'static str {
        match self {
            TimeUnit::Bare => "",
            TimeUnit::Seconds => "s",
            TimeUnit::Minutes => "m",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
        }
    }
}

/// Unparsed JSONPath / reference path text (`$.a.b`, `$$.Execution.Id`); `flowc::lower` parses
/// it with `asl::path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathText(pub String);

/// A path field that may also be `null` (InputPath, OutputPath, ResultPath).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathOrNull {
    Path(PathText),
    Null,
}

/// Either a fixed duration or a path to one (TimeoutSeconds / TimeoutSecondsPath, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationOrPath {
    Duration(Duration),
    Path(PathText),
    /// JSONata: `{% ... %}`.
    Expression(Expression),
}

/// Either a fixed number or a path to one (MaxConcurrency / MaxConcurrencyPath, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberOrPath {
    Number(Number),
    Path(PathText),
    /// JSONata: `{% ... %}`.
    Expression(Expression),
}

/// Where a Task's Resource comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceRef {
    /// The name of a `resource` declaration.
    Named(String),
    /// An ARN written in place.
    Arn(String),
}

/// Fail's Error / Cause: a literal, a reference path, or an intrinsic function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailText {
    Literal(String),
    Path(PathText),
    Intrinsic(String),
    /// JSONata: `{% ... %}`.
    Expression(Expression),
}

/// A Wait's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitFor {
    /// `for 60s`: Seconds.
    Seconds(Duration),
    /// `for $.delay`: SecondsPath.
    SecondsPath(PathText),
    /// `until "2026-01-01T00:00:00Z"`: Timestamp.
    Timestamp(String),
    /// `until $.at`: TimestampPath.
    TimestampPath(PathText),
    /// JSONata `for {% ... %}`: Seconds as an expression.
    SecondsExpression(Expression),
    /// JSONata `until {% ... %}`: Timestamp as an expression.
    TimestampExpression(Expression),
}

/// A state. Fields are kept in source order; which fields a state kind accepts is checked by
/// `flowc::lower`, so the grammar stays small and errors can say what is wrong in words.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub name: Spanned<String>,
    pub kind: StateKind,
    pub fields: Vec<Spanned<Field>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    /// `task Name = resource { ... }`.
    Task { resource: Spanned<ResourceRef> },
    /// `pass Name { ... }`.
    Pass,
    /// `choice Name { when ... -> X  otherwise -> Y }`.
    Choice,
    /// `wait Name for 60s`.
    Wait { wait_for: Spanned<WaitFor> },
    /// `succeed Name`.
    Succeed,
    /// `fail Name error "E" cause "C"`.
    Fail {
        error: Option<Spanned<FailText>>,
        cause: Option<Spanned<FailText>>,
    },
    /// `parallel Name { branch { ... } ... }`.
    Parallel,
    /// `map Name over $.items { process { ... } ... }`.
    Map {
        /// `over $.items` (ItemsPath).
        items_path: Option<Spanned<PathText>>,
        /// JSONata `over {% ... %}` or `over [ ... ]` (Items).
        items: Option<Spanned<Value>>,
    },
    /// `poll Name every 60s at most 15 times { wait W  check T = r {..}  choice C {..}
    /// exhausted -> X }`: lowers to a counter Pass, Wait, Task, counter Pass and Choice.
    Poll(Box<Poll>),
}

impl StateKind {
    /// The keyword that introduces this kind of state.
    pub fn keyword(&self) -> &'static str {
        match self {
            StateKind::Task { .. } => "task",
            StateKind::Pass => "pass",
            StateKind::Choice => "choice",
            StateKind::Wait { .. } => "wait",
            StateKind::Succeed => "succeed",
            StateKind::Fail { .. } => "fail",
            StateKind::Parallel => "parallel",
            StateKind::Map { .. } => "map",
            StateKind::Poll(_) => "poll",
        }
    }
}

/// The parts of a `poll` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    /// The Wait between checks.
    pub every: Spanned<Duration>,
    /// At most this many checks.
    pub at_most: Spanned<Number>,
    /// The name of the generated Wait state.
    pub wait: Spanned<String>,
    /// The Task that checks (always a `task` state).
    pub check: State,
    /// The Choice that decides (always a `choice` state; no `otherwise`: the default polls
    /// again).
    pub decide: State,
    /// Where to go once the bound is reached.
    pub exhausted: Spanned<String>,
    /// Where the counter lives; `$.polls.<PollName>` when not written.
    pub counter: Option<Spanned<PathText>>,
}

/// One field of a state body.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// `comment "..."`.
    Comment(String),
    InputPath(PathOrNull),
    OutputPath(PathOrNull),
    ResultPath(PathOrNull),
    Parameters(Value),
    ResultSelector(Value),
    /// Pass `result { ... }`.
    Result(Value),
    ItemSelector(Value),
    /// `timeout 30s` / `timeout $.t`.
    Timeout(DurationOrPath),
    /// `heartbeat 10s` / `heartbeat $.h`.
    Heartbeat(DurationOrPath),
    /// `retry transient` or `retry on ... every ...`.
    Retry(Retry),
    /// `catch E1, E2 into $.error -> Target`.
    Catch(Catch),
    /// `next Target`.
    Next(Spanned<String>),
    /// `end`.
    End,
    /// Choice `when <condition> -> Target`.
    When(ChoiceRule),
    /// Choice `otherwise -> Target` (Default).
    Otherwise(Spanned<String>),
    /// Parallel `branch { states }`.
    Branch(Vec<State>),
    /// Map `process { states }` (ItemProcessor).
    Process(Process),
    MaxConcurrency(NumberOrPath),
    ToleratedFailurePercentage(NumberOrPath),
    ToleratedFailureCount(NumberOrPath),
    /// Distributed Map `item_reader { ... }`: ASL's ItemReader object.
    ItemReader(Value),
    /// Distributed Map `item_batcher { ... }`: ASL's ItemBatcher object.
    ItemBatcher(Value),
    /// Distributed Map `result_writer { ... }`: ASL's ResultWriter object.
    ResultWriter(Value),
    /// Distributed Map `label "..."`: the Map Run's label.
    Label(String),
    /// `query_language jsonata|jsonpath`: the state's QueryLanguage.
    QueryLanguage(QueryLanguage),
    /// `arguments { ... }`: JSONata Arguments.
    Arguments(Value),
    /// `output { ... }`: JSONata Output.
    Output(Value),
    /// `assign { ... }`: Assign (variables), in either query language.
    Assign(Value),
}

impl Field {
    /// The keyword that introduces this field, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            Field::Comment(_) => "comment",
            Field::InputPath(_) => "input_path",
            Field::OutputPath(_) => "output_path",
            Field::ResultPath(_) => "result_path",
            Field::Parameters(_) => "parameters",
            Field::ResultSelector(_) => "result_selector",
            Field::Result(_) => "result",
            Field::ItemSelector(_) => "item_selector",
            Field::Timeout(_) => "timeout",
            Field::Heartbeat(_) => "heartbeat",
            Field::Retry(_) => "retry",
            Field::Catch(_) => "catch",
            Field::Next(_) => "next",
            Field::End => "end",
            Field::When(_) => "when",
            Field::Otherwise(_) => "otherwise",
            Field::Branch(_) => "branch",
            Field::Process(p) if p.legacy_iterator => "iterator",
            Field::Process(_) => "process",
            Field::MaxConcurrency(_) => "max_concurrency",
            Field::ToleratedFailurePercentage(_) => "tolerated_failure_percentage",
            Field::ToleratedFailureCount(_) => "tolerated_failure_count",
            Field::ItemReader(_) => "item_reader",
            Field::ItemBatcher(_) => "item_batcher",
            Field::ResultWriter(_) => "result_writer",
            Field::Label(_) => "label",
            Field::QueryLanguage(_) => "query_language",
            Field::Arguments(_) => "arguments",
            Field::Output(_) => "output",
            Field::Assign(_) => "assign",
        }
    }
}

// One Retry per written field, built once: boxing the inline rule would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    /// `retry transient`: a declared policy.
    Policy(Spanned<String>),
    /// `retry on ... every ...`.
    Inline(RetryRule),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catch {
    pub errors: Vec<Spanned<String>>,
    /// `into $.error` (ResultPath).
    pub result_path: Option<Spanned<PathOrNull>>,
    /// `comment "..."` before the arrow: the rule's Comment.
    pub comment: Option<Spanned<String>>,
    /// `assign { ... }` before the arrow: the rule's Assign.
    pub assign: Option<Spanned<Value>>,
    /// `output { ... }` before the arrow: the rule's Output (JSONata).
    pub output: Option<Spanned<Value>>,
    pub target: Spanned<String>,
}

/// Map's `process { ... }`: the ItemProcessor.
#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    /// `config { "Mode": "INLINE" }`: ProcessorConfig, written as JSON.
    pub config: Option<Spanned<Value>>,
    pub states: Vec<State>,
    /// Written `iterator { ... }`: the legacy `Iterator` field, which has no config.
    pub legacy_iterator: bool,
}

/// A top-level Choice rule: a condition and where it leads.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    pub condition: Spanned<Condition>,
    /// `comment "..."` before the arrow: the rule's Comment.
    pub comment: Option<Spanned<String>>,
    /// `assign { ... }` before the arrow: the rule's Assign.
    pub assign: Option<Spanned<Value>>,
    /// `output { ... }` before the arrow: the rule's Output (JSONata).
    pub output: Option<Spanned<Value>>,
    pub target: Spanned<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// JSONata `{% ... %}`: the rule's Condition (a top-level rule only).
    Expression(Expression),
    /// `$.a == "x"`, `$.n >= 3`, `$.a < number($.b)`.
    Compare {
        left: Spanned<PathText>,
        op: CompareOp,
        right: Spanned<Operand>,
    },
    /// `$.a is present`, `$.a is not null`, ...
    Is {
        path: Spanned<PathText>,
        negated: bool,
        test: TypeTest,
    },
    /// `$.a matches "log-*.txt"` (StringMatches).
    Matches {
        path: Spanned<PathText>,
        pattern: Spanned<String>,
    },
    /// `a and b` or `all(a, b)`.
    And(Vec<Spanned<Condition>>),
    /// `a or b` or `any(a, b)`.
    Or(Vec<Spanned<Condition>>),
    /// `not a`.
    Not(Box<Spanned<Condition>>),
    /// `(a comment "why")`: a nested rule with its own Comment.
    Commented {
        condition: Box<Spanned<Condition>>,
        comment: Spanned<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    /// Lowers to `Not` over the `Equals` rule: ASL has no inequality operator.
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeTest {
    Present,
    Null,
    String,
    Numeric,
    Boolean,
    Timestamp,
}

impl TypeTest {
    pub fn word(self) -> &'static str {
        match self {
            TypeTest::Present => "present",
            TypeTest::Null => "null",
            TypeTest::String => "string",
            TypeTest::Numeric => "numeric",
            TypeTest::Boolean => "boolean",
            TypeTest::Timestamp => "timestamp",
        }
    }
}

/// The right-hand side of a comparison; its type picks the ASL operator family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    String(String),
    Number(Number),
    Bool(bool),
    /// `timestamp("2026-01-01T00:00:00Z")`.
    Timestamp(String),
    /// `string($.b)`, `number($.b)`, `boolean($.b)`, `timestamp($.b)`: the `*Path` forms.
    Path(OperandType, PathText),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandType {
    String,
    Number,
    Boolean,
    Timestamp,
}

impl OperandType {
    pub fn word(self) -> &'static str {
        match self {
            OperandType::String => "string",
            OperandType::Number => "number",
            OperandType::Boolean => "boolean",
            OperandType::Timestamp => "timestamp",
        }
    }
}
