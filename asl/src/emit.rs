//! Canonical ASL JSON: pretty-printed with 2-space indentation and a trailing newline, keys in a
//! fixed order, byte-identical for equal machines.
//!
//! Key order:
//! - machine: Comment, QueryLanguage, StartAt, States, TimeoutSeconds, Version;
//! - branch / ItemProcessor / Iterator: Comment, QueryLanguage, ProcessorConfig, StartAt, States;
//! - every state: Type, Comment, QueryLanguage, then its own fields, then Retry, Catch, and
//!   Next or End last. Own fields follow the type's AWS reference page, with the input/output
//!   fields in processing order (InputPath, Parameters/Arguments, ResultSelector, ResultPath,
//!   OutputPath, Output, Assign):
//!   - Task: Resource, TimeoutSeconds(Path), HeartbeatSeconds(Path), Credentials, I/O fields;
//!   - Pass: InputPath, Parameters, Result, ResultPath, OutputPath, Output, Assign;
//!   - Choice: InputPath, OutputPath, Choices, Default, Output, Assign;
//!   - Wait: Seconds | SecondsPath | Timestamp | TimestampPath, InputPath, OutputPath, Output,
//!     Assign;
//!   - Succeed: InputPath, OutputPath, Output;  Fail: Error(Path), Cause(Path);
//!   - Parallel: Branches, I/O fields;
//!   - Map: ItemProcessor | Iterator, ItemReader, ItemsPath, Items, ItemSelector | Parameters,
//!     ItemBatcher, ResultWriter, MaxConcurrency(Path), ToleratedFailurePercentage(Path),
//!     ToleratedFailureCount(Path), Label, InputPath, ResultSelector, ResultPath, OutputPath,
//!     Output, Assign;
//! - Retry entries: ErrorEquals, Comment, IntervalSeconds, MaxAttempts, BackoffRate,
//!   MaxDelaySeconds, JitterStrategy; Catch entries: ErrorEquals, Comment, ResultPath, Output,
//!   Assign, Next;
//! - Choice rules: Comment, then the condition (Variable and its operator, or And / Or / Not /
//!   Condition), then Output, Assign, Next.
//!
//! Payload templates, Result and other raw JSON keep their own key order. Numbers are written
//! as they were written (BackoffRate `2.0` stays `2.0`, `2` stays `2`).

use crate::assign::Assign;
use crate::choice::{ChoiceRule, Condition, Operand};
use crate::jsonata_value::JsonataValue;
use crate::model::{
    Branch, IntegerField, ItemProcessor, Map, NumberField, PathOrNull, Payload, State, StateKind,
    StateMachine, TextField, TimestampField, Transition, WaitFor,
};
use crate::path::{JsonPath, ReferencePath};
use crate::retry::{Catcher, Retrier};
use crate::rules::JsonSize;
use crate::template::{Template, TemplateEntry, TemplateValue};
use indexmap::IndexMap;
use serde_json::Value;

/// Writes the machine as canonical JSON text.
///
/// The text is written straight into one buffer (no `Value` tree in between), laid out exactly
/// as `serde_json::to_string_pretty` lays out the same object; raw JSON (templates, Result,
/// Output, ...) goes through serde_json itself.
pub fn emit(machine: &StateMachine) -> String {
    let mut out = Vec::with_capacity(256 + 512 * machine.states.len());
    write_machine(&mut out, machine);
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// The size of the text [`emit`] writes, counted without holding it: deep nesting makes the
/// text mostly indentation (30 nested Parallels around 330,000 Pass states, 4 MiB of `.flow`,
/// emit 340 MB), and `flowc check` only needs its size for AWS's 1 MB quota.
pub fn emitted_size(machine: &StateMachine) -> JsonSize {
    let mut count = Count(JsonSize::default());
    write_machine(&mut count, machine);
    count.0.add(b"\n");
    count.0
}

/// Where emitted bytes go: the text itself (a `Vec<u8>`), or only their size ([`Count`]);
/// `io::Write` for the raw JSON serde_json writes.
trait Sink: std::io::Write {
    fn push(&mut self, byte: u8);
    fn extend_from_slice(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn push(&mut self, byte: u8) {
        Vec::push(self, byte);
    }
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        Vec::extend_from_slice(self, bytes);
    }
}

/// Measures what is written to it.
struct Count(JsonSize);

impl Sink for Count {
    fn push(&mut self, byte: u8) {
        self.0.add(&[byte]);
    }
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.0.add(bytes);
    }
}

impl std::io::Write for Count {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.add(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The machine as a JSON value, keys in canonical order (the text [`emit`] writes, read back).
pub fn machine_json(machine: &StateMachine) -> Value {
    let mut out = Vec::new();
    write_machine(&mut out, machine);
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// One state as JSON, keys in canonical order.
pub fn state_json(state: &State) -> Value {
    let mut out = Vec::new();
    write_state(&mut out, 0, state, Nested::Written);
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// The text of a state's own fields, as [`emit`] writes them, with the states of a Parallel's
/// branches and a Map's processor left out (`"States": {}`): for a caller that reads every
/// state of a machine, nested ones included, so each is written once. Writing each state
/// whole wrote a state nested `d` deep `d` times: 30 nested Parallels took 17 s to simulate.
pub fn state_own_text(state: &State) -> String {
    let mut out = Vec::new();
    write_state(&mut out, 0, state, Nested::Omitted);
    String::from_utf8(out).unwrap_or_default()
}

/// Whether a state's nested states (branches, a Map's processor) are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nested {
    Written,
    Omitted,
}

fn write_machine<W: Sink>(w: &mut W, machine: &StateMachine) {
    let mut out = Obj::begin(w, 0);
    out.opt_str("Comment", machine.comment.as_deref());
    out.opt_str("QueryLanguage", machine.query_language.map(|q| q.as_str()));
    out.str("StartAt", machine.start_at.as_str());
    let depth = out.key("States");
    write_states(out.w, depth, &machine.states);
    if let Some(seconds) = machine.timeout_seconds {
        out.u64("TimeoutSeconds", seconds);
    }
    out.opt_str("Version", machine.version.as_deref());
    out.end();
}

/// Writes `"  "` `depth` times.
fn indent<W: Sink>(w: &mut W, depth: usize) {
    const SPACES: &[u8; 64] = b"                                                                ";
    let mut width = depth * 2;
    while width > 0 {
        let step = width.min(SPACES.len());
        w.extend_from_slice(SPACES.get(..step).unwrap_or_default());
        width -= step;
    }
}

/// `,` when `comma`, then a newline and `depth` levels of indentation, in one copy.
fn new_line<W: Sink>(w: &mut W, comma: bool, depth: usize) {
    const LINE: &[u8; 66] = b",\n                                                                ";
    let start = usize::from(!comma);
    match LINE.get(start..2 + depth * 2) {
        Some(bytes) => w.extend_from_slice(bytes),
        None => {
            w.extend_from_slice(LINE.get(start..2).unwrap_or_default());
            indent(w, depth);
        }
    }
}

/// True when serde_json writes `text` as is between quotes: no control character, quote or
/// backslash (the only characters it escapes). Eight bytes at a time.
fn needs_no_escape(text: &str) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether some byte of `word` is below `n` (n <= 0x80): the classic SWAR test, exact.
    let has_less = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0;
    let has_byte = |word: u64, byte: u8| has_less(word ^ (ONES * u64::from(byte)), 1);
    let plain = |b: &u8| *b >= 0x20 && *b != b'"' && *b != b'\\';
    let mut chunks = text.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            return chunk.iter().all(plain);
        };
        let word = u64::from_ne_bytes(bytes);
        if has_less(word, 0x20) || has_byte(word, b'"') || has_byte(word, b'\\') {
            return false;
        }
    }
    chunks.remainder().iter().all(plain)
}

/// A JSON string, escaped as serde_json escapes it.
fn write_str<W: Sink>(w: &mut W, text: &str) {
    if needs_no_escape(text) {
        w.push(b'"');
        w.extend_from_slice(text.as_bytes());
        w.push(b'"');
    } else {
        // Writing to a Vec cannot fail, and a &str always serializes.
        let _ = serde_json::to_writer(&mut *w, text);
    }
}

/// The JSON string `text` followed by `suffix` (`Resource` + `Path`, `key` + `.$`), escaped as
/// serde_json escapes the whole.
fn write_str_suffixed<W: Sink>(w: &mut W, text: &str, suffix: &str) {
    if needs_no_escape(text) && needs_no_escape(suffix) {
        w.push(b'"');
        w.extend_from_slice(text.as_bytes());
        w.extend_from_slice(suffix.as_bytes());
        w.push(b'"');
    } else {
        write_str(w, &format!("{text}{suffix}"));
    }
}

/// Any JSON value, pretty-printed at `depth`: serde_json's layout (`{}` and `[]` when empty,
/// else one entry per line, two spaces deeper), indented to where it sits.
fn write_value<W: Sink>(w: &mut W, depth: usize, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut out = Obj::begin(w, depth);
            for (key, value) in map {
                let depth = out.name_key(key);
                write_value(out.w, depth, value);
            }
            out.end();
        }
        Value::Array(items) => write_array(w, depth, items, write_value),
        Value::String(text) => write_str(w, text),
        Value::Null => w.extend_from_slice(b"null"),
        Value::Bool(flag) => w.extend_from_slice(if *flag { b"true" } else { b"false" }),
        Value::Number(number) => {
            let _ = serde_json::to_writer(&mut *w, number);
        }
    }
}

/// A payload template as the JSON [`Template::to_json`] gives, written without building it.
fn write_template<W: Sink>(w: &mut W, depth: usize, template: &Template) {
    match template {
        // Two entries with one written key collapse into one JSON member: leave that to the
        // JSON map (no template read from JSON has them).
        Template::Object(entries) if has_duplicate_keys(entries) => {
            write_value(w, depth, &template.to_json())
        }
        Template::Object(entries) => {
            let mut out = Obj::begin(w, depth);
            for entry in entries {
                match &entry.value {
                    TemplateValue::Static(inner) => {
                        let depth = out.name_key(&entry.key);
                        write_template(out.w, depth, inner);
                    }
                    TemplateValue::Path(path) => {
                        out.name_key_suffixed(&entry.key, ".$");
                        write_str(out.w, path.as_str());
                    }
                    TemplateValue::Intrinsic(call) => {
                        out.name_key_suffixed(&entry.key, ".$");
                        write_str(out.w, call.as_str());
                    }
                }
            }
            out.end();
        }
        Template::Array(items) => write_array(w, depth, items, write_template),
        Template::Literal(value) => write_value(w, depth, value),
    }
}

/// Whether two entries have the same written key (`key`, or `key.$` when dynamic).
fn has_duplicate_keys(entries: &[TemplateEntry]) -> bool {
    fn written(entry: &TemplateEntry) -> (&str, bool) {
        (
            entry.key.as_str(),
            matches!(entry.value, TemplateValue::Static(_)),
        )
    }
    if entries.len() <= 16 {
        entries.iter().enumerate().any(|(index, entry)| {
            entries
                .get(index + 1..)
                .unwrap_or_default()
                .iter()
                .any(|other| written(other) == written(entry))
        })
    } else {
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        !entries.iter().all(|entry| seen.insert(written(entry)))
    }
}

/// An object being written: `{`, then `"key": value` entries, then `}`, as serde_json's pretty
/// printer lays them out. Keys are written in call order; no key is written twice.
struct Obj<'w, W: Sink> {
    w: &'w mut W,
    depth: usize,
    empty: bool,
}

impl<'w, W: Sink> Obj<'w, W> {
    fn begin(w: &'w mut W, depth: usize) -> Self {
        w.push(b'{');
        Self {
            w,
            depth,
            empty: true,
        }
    }
    /// The separator and indentation before an entry's key.
    fn next_entry(&mut self) {
        new_line(self.w, !self.empty, self.depth + 1);
        self.empty = false;
    }
    /// Starts an entry whose key is an ASL field name; returns the depth its value is written
    /// at.
    fn key(&mut self, key: &'static str) -> usize {
        self.key_suffixed(key, "")
    }
    /// Starts an entry whose key is the ASL field name `key` followed by `suffix` (`Path`).
    /// Field names are ASCII letters: nothing to escape.
    fn key_suffixed(&mut self, key: &'static str, suffix: &'static str) -> usize {
        debug_assert!(needs_no_escape(key) && needs_no_escape(suffix));
        self.next_entry();
        self.w.push(b'"');
        self.w.extend_from_slice(key.as_bytes());
        if !suffix.is_empty() {
            self.w.extend_from_slice(suffix.as_bytes());
        }
        self.w.extend_from_slice(b"\": ");
        self.depth + 1
    }
    /// Starts an entry whose key is text from the machine (a state name, a template key),
    /// escaped as needed.
    fn name_key(&mut self, key: &str) -> usize {
        self.name_key_suffixed(key, "")
    }
    /// [`Obj::name_key`] for `key` followed by `suffix` (`.$`).
    fn name_key_suffixed(&mut self, key: &str, suffix: &'static str) -> usize {
        self.next_entry();
        write_str_suffixed(self.w, key, suffix);
        self.w.extend_from_slice(b": ");
        self.depth + 1
    }
    /// An entry `key` + `suffix` with a string value.
    fn str_suffixed(&mut self, key: &'static str, suffix: &'static str, value: &str) {
        self.key_suffixed(key, suffix);
        write_str(self.w, value);
    }
    fn end(self) {
        if !self.empty {
            new_line(self.w, false, self.depth);
        }
        self.w.push(b'}');
    }
    fn put(&mut self, key: &'static str, value: &Value) {
        let depth = self.key(key);
        write_value(self.w, depth, value);
    }
    fn str(&mut self, key: &'static str, value: &str) {
        self.key(key);
        write_str(self.w, value);
    }
    fn opt_str(&mut self, key: &'static str, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }
    fn u64(&mut self, key: &'static str, value: u64) {
        self.key(key);
        let _ = serde_json::to_writer(&mut *self.w, &value);
    }
    fn opt_u64(&mut self, key: &'static str, value: Option<u64>) {
        if let Some(value) = value {
            self.u64(key, value);
        }
    }
    fn null(&mut self, key: &'static str) {
        self.key(key);
        self.w.extend_from_slice(b"null");
    }
    fn raw(&mut self, key: &'static str, value: Option<&Value>) {
        if let Some(value) = value {
            self.put(key, value);
        }
    }
    fn jsonata(&mut self, key: &'static str, value: Option<&JsonataValue>) {
        if let Some(value) = value {
            self.put(key, &value.to_json());
        }
    }
    fn assign(&mut self, value: Option<&Assign>) {
        match value {
            Some(Assign::JsonPath(template)) => self.template("Assign", Some(template)),
            Some(Assign::Jsonata(_)) => self.raw("Assign", value.map(Assign::to_json).as_ref()),
            None => {}
        }
    }
    fn payload(&mut self, key: &'static str, value: Option<&Payload>) {
        match value {
            Some(Payload::Template(template)) => self.template(key, Some(template)),
            Some(Payload::Jsonata(value)) => self.jsonata(key, Some(value)),
            None => {}
        }
    }
    fn template(&mut self, key: &'static str, value: Option<&Template>) {
        if let Some(template) = value {
            let depth = self.key(key);
            write_template(self.w, depth, template);
        }
    }
    fn path_or_null(&mut self, key: &'static str, value: Option<&PathOrNull<JsonPath>>) {
        match value {
            Some(PathOrNull::Path(path)) => self.str(key, path.as_str()),
            Some(PathOrNull::Null) => self.null(key),
            None => {}
        }
    }
    fn result_path(&mut self, value: Option<&PathOrNull<ReferencePath>>) {
        match value {
            Some(PathOrNull::Path(path)) => self.str("ResultPath", path.as_str()),
            Some(PathOrNull::Null) => self.null("ResultPath"),
            None => {}
        }
    }
    fn integer(&mut self, key: &'static str, value: Option<&IntegerField>) {
        match value {
            Some(IntegerField::Value(number)) => self.u64(key, *number),
            Some(IntegerField::Path(path)) => self.str_suffixed(key, "Path", path.as_str()),
            Some(IntegerField::Jsonata(text)) => self.str(key, text.written()),
            None => {}
        }
    }
    fn number(&mut self, key: &'static str, value: Option<&NumberField>) {
        match value {
            Some(NumberField::Value(number)) => self.put(key, &Value::Number(number.clone())),
            Some(NumberField::Path(path)) => self.str_suffixed(key, "Path", path.as_str()),
            Some(NumberField::Jsonata(text)) => self.str(key, text.written()),
            None => {}
        }
    }
    fn text(&mut self, key: &'static str, value: Option<&TextField>) {
        match value {
            Some(TextField::Value(text)) => self.str(key, text),
            Some(TextField::Path(path)) => self.str_suffixed(key, "Path", path.as_str()),
            Some(TextField::Intrinsic(call)) => self.str_suffixed(key, "Path", call.as_str()),
            Some(TextField::Jsonata(text)) => self.str(key, text.written()),
            None => {}
        }
    }
    fn retry_catch(&mut self, retry: &[Retrier], catch: &[Catcher]) {
        if !retry.is_empty() {
            let depth = self.key("Retry");
            write_array(self.w, depth, retry, write_retrier);
        }
        if !catch.is_empty() {
            let depth = self.key("Catch");
            write_array(self.w, depth, catch, write_catcher);
        }
    }
    fn transition(&mut self, transition: &Transition) {
        match transition {
            Transition::Next(next) => self.str("Next", next.as_str()),
            Transition::End => {
                self.key("End");
                self.w.extend_from_slice(b"true");
            }
        }
    }
}

/// `[`, the items, `]`, as serde_json's pretty printer lays them out.
fn write_array<T, W: Sink>(
    w: &mut W,
    depth: usize,
    items: &[T],
    mut item: impl FnMut(&mut W, usize, &T),
) {
    w.push(b'[');
    for (i, value) in items.iter().enumerate() {
        new_line(w, i > 0, depth + 1);
        item(w, depth + 1, value);
    }
    if !items.is_empty() {
        new_line(w, false, depth);
    }
    w.push(b']');
}

fn write_states<W: Sink>(w: &mut W, depth: usize, states: &IndexMap<crate::StateName, State>) {
    let mut out = Obj::begin(w, depth);
    for (name, state) in states {
        let depth = out.name_key(name.as_str());
        write_state(out.w, depth, state, Nested::Written);
    }
    out.end();
}

fn write_branch<W: Sink>(
    w: &mut W,
    depth: usize,
    branch: &Branch,
    processor: Option<&ItemProcessor>,
    nested: Nested,
) {
    let mut out = Obj::begin(w, depth);
    out.opt_str("Comment", branch.comment.as_deref());
    out.opt_str("QueryLanguage", branch.query_language.map(|q| q.as_str()));
    if let Some(config) = processor.and_then(|p| p.processor_config.as_ref()) {
        let depth = out.key("ProcessorConfig");
        let mut cfg = Obj::begin(out.w, depth);
        cfg.opt_str("Mode", config.mode.map(|m| m.as_str()));
        cfg.opt_str("ExecutionType", config.execution_type.map(|e| e.as_str()));
        cfg.end();
    }
    out.str("StartAt", branch.start_at.as_str());
    let depth = out.key("States");
    match nested {
        Nested::Written => write_states(out.w, depth, &branch.states),
        Nested::Omitted => write_states(out.w, depth, &IndexMap::new()),
    }
    out.end();
}

/// One state, keys in canonical order.
fn write_state<W: Sink>(w: &mut W, depth: usize, state: &State, nested: Nested) {
    let mut out = Obj::begin(w, depth);
    out.str("Type", state.kind.type_name());
    out.opt_str("Comment", state.comment.as_deref());
    out.opt_str("QueryLanguage", state.query_language.map(|q| q.as_str()));
    let input = state.input_path.as_ref();
    let output_path = state.output_path.as_ref();
    match &state.kind {
        StateKind::Task(task) => {
            out.str("Resource", &task.resource);
            out.integer("TimeoutSeconds", task.timeout.as_ref());
            out.integer("HeartbeatSeconds", task.heartbeat.as_ref());
            out.template("Credentials", task.credentials.as_ref());
            out.path_or_null("InputPath", input);
            out.template("Parameters", task.parameters.as_ref());
            out.jsonata("Arguments", task.arguments.as_ref());
            out.template("ResultSelector", task.result_selector.as_ref());
            out.result_path(task.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.retry_catch(&task.retry, &task.catch);
            out.transition(&task.transition);
        }
        StateKind::Pass(pass) => {
            out.path_or_null("InputPath", input);
            out.template("Parameters", pass.parameters.as_ref());
            out.raw("Result", pass.result.as_ref());
            out.result_path(pass.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.transition(&pass.transition);
        }
        StateKind::Choice(choice) => {
            out.path_or_null("InputPath", input);
            out.path_or_null("OutputPath", output_path);
            let depth = out.key("Choices");
            write_array(out.w, depth, &choice.choices, write_rule);
            out.opt_str("Default", choice.default.as_ref().map(|d| d.as_str()));
            common_tail(&mut out, state);
        }
        StateKind::Wait(wait) => {
            match &wait.wait_for {
                WaitFor::Seconds(seconds) => out.integer("Seconds", Some(seconds)),
                WaitFor::Timestamp(TimestampField::Value(text)) => out.str("Timestamp", text),
                WaitFor::Timestamp(TimestampField::Jsonata(text)) => {
                    out.str("Timestamp", text.written())
                }
                WaitFor::Timestamp(TimestampField::Path(path)) => {
                    out.str("TimestampPath", path.as_str())
                }
            }
            out.path_or_null("InputPath", input);
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.transition(&wait.transition);
        }
        StateKind::Succeed => {
            out.path_or_null("InputPath", input);
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
        }
        StateKind::Fail(fail) => {
            out.text("Error", fail.error.as_ref());
            out.text("Cause", fail.cause.as_ref());
            common_tail(&mut out, state);
        }
        StateKind::Parallel(parallel) => {
            let depth = out.key("Branches");
            write_array(out.w, depth, &parallel.branches, |w, depth, branch| {
                write_branch(w, depth, branch, None, nested);
            });
            out.path_or_null("InputPath", input);
            out.template("Parameters", parallel.parameters.as_ref());
            out.jsonata("Arguments", parallel.arguments.as_ref());
            out.template("ResultSelector", parallel.result_selector.as_ref());
            out.result_path(parallel.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.retry_catch(&parallel.retry, &parallel.catch);
            out.transition(&parallel.transition);
        }
        StateKind::Map(map) => {
            map_fields(&mut out, map, nested);
            out.path_or_null("InputPath", input);
            out.template("ResultSelector", map.result_selector.as_ref());
            out.result_path(map.result_path.as_ref());
            out.path_or_null("OutputPath", output_path);
            common_tail(&mut out, state);
            out.retry_catch(&map.retry, &map.catch);
            out.transition(&map.transition);
        }
    }
    out.end();
}

/// Output and Assign, after the type's own fields.
fn common_tail<W: Sink>(out: &mut Obj<'_, W>, state: &State) {
    out.jsonata("Output", state.output.as_ref());
    out.assign(state.assign.as_ref());
}

fn map_fields<W: Sink>(out: &mut Obj<'_, W>, map: &Map, nested: Nested) {
    let processor = &map.item_processor;
    let key = if processor.is_legacy_iterator {
        "Iterator"
    } else {
        "ItemProcessor"
    };
    let depth = out.key(key);
    write_branch(out.w, depth, &processor.branch, Some(processor), nested);
    if let Some(reader) = &map.item_reader {
        let depth = out.key("ItemReader");
        let mut obj = Obj::begin(out.w, depth);
        obj.str("Resource", &reader.resource);
        obj.raw("ReaderConfig", reader.reader_config.as_ref());
        obj.template("Parameters", reader.parameters.as_ref());
        obj.raw("Arguments", reader.arguments.as_ref());
        obj.end();
    }
    if let Some(path) = &map.items_path {
        out.str("ItemsPath", path.as_str());
    }
    out.jsonata("Items", map.items.as_ref());
    let selector_key = if map.selector_is_legacy_parameters {
        "Parameters"
    } else {
        "ItemSelector"
    };
    out.payload(selector_key, map.item_selector.as_ref());
    if let Some(batcher) = &map.item_batcher {
        let depth = out.key("ItemBatcher");
        let mut obj = Obj::begin(out.w, depth);
        obj.integer("MaxItemsPerBatch", batcher.max_items_per_batch.as_ref());
        obj.integer(
            "MaxInputBytesPerBatch",
            batcher.max_input_bytes_per_batch.as_ref(),
        );
        obj.raw("BatchInput", batcher.batch_input.as_ref());
        obj.end();
    }
    if let Some(writer) = &map.result_writer {
        let depth = out.key("ResultWriter");
        let mut obj = Obj::begin(out.w, depth);
        obj.opt_str("Resource", writer.resource.as_deref());
        obj.template("Parameters", writer.parameters.as_ref());
        obj.raw("Arguments", writer.arguments.as_ref());
        obj.raw("WriterConfig", writer.writer_config.as_ref());
        obj.end();
    }
    out.integer("MaxConcurrency", map.max_concurrency.as_ref());
    out.number(
        "ToleratedFailurePercentage",
        map.tolerated_failure_percentage.as_ref(),
    );
    out.integer(
        "ToleratedFailureCount",
        map.tolerated_failure_count.as_ref(),
    );
    out.opt_str("Label", map.label.as_deref());
}

fn write_retrier<W: Sink>(w: &mut W, depth: usize, retrier: &Retrier) {
    let mut out = Obj::begin(w, depth);
    let depth = out.key("ErrorEquals");
    write_array(out.w, depth, &retrier.error_equals, write_error_name);
    out.opt_str("Comment", retrier.comment.as_deref());
    out.opt_u64("IntervalSeconds", retrier.interval_seconds);
    out.opt_u64("MaxAttempts", retrier.max_attempts);
    if let Some(rate) = &retrier.backoff_rate {
        out.put("BackoffRate", &Value::Number(rate.clone()));
    }
    out.opt_u64("MaxDelaySeconds", retrier.max_delay_seconds);
    out.opt_str(
        "JitterStrategy",
        retrier.jitter_strategy.map(|j| j.as_str()),
    );
    out.end();
}

fn write_catcher<W: Sink>(w: &mut W, depth: usize, catcher: &Catcher) {
    let mut out = Obj::begin(w, depth);
    let depth = out.key("ErrorEquals");
    write_array(out.w, depth, &catcher.error_equals, write_error_name);
    out.opt_str("Comment", catcher.comment.as_deref());
    out.result_path(catcher.result_path.as_ref());
    out.jsonata("Output", catcher.output.as_ref());
    out.assign(catcher.assign.as_ref());
    out.str("Next", catcher.next.as_str());
    out.end();
}

fn write_error_name<W: Sink>(w: &mut W, _depth: usize, name: &crate::ErrorName) {
    write_str(w, name.as_str());
}

fn write_rule<W: Sink>(w: &mut W, depth: usize, rule: &ChoiceRule) {
    let mut out = Obj::begin(w, depth);
    condition_into(&mut out, rule.comment.as_deref(), &rule.condition);
    out.jsonata("Output", rule.output.as_ref());
    out.assign(rule.assign.as_ref());
    out.str("Next", rule.next.as_str());
    out.end();
}

fn write_condition<W: Sink>(w: &mut W, depth: usize, condition: &Condition) {
    let mut out = Obj::begin(w, depth);
    condition_into(&mut out, None, condition);
    out.end();
}

/// A condition's keys, after `comment` (the rule's own). A commented condition and the rule
/// share one object: its `Comment` is written once, first, holding the innermost comment (the
/// one written last in the source of truth the model holds).
fn condition_into<W: Sink>(out: &mut Obj<'_, W>, comment: Option<&str>, condition: &Condition) {
    let mut comment = comment;
    let mut condition = condition;
    while let Condition::Commented {
        comment: inner_comment,
        condition: inner,
    } = condition
    {
        comment = Some(inner_comment.as_str());
        condition = inner.as_ref();
    }
    out.opt_str("Comment", comment);
    match condition {
        Condition::And(items) => {
            let depth = out.key("And");
            write_array(out.w, depth, items, write_condition);
        }
        Condition::Or(items) => {
            let depth = out.key("Or");
            write_array(out.w, depth, items, write_condition);
        }
        Condition::Not(inner) => {
            let depth = out.key("Not");
            write_condition(out.w, depth, inner);
        }
        Condition::Jsonata(text) => out.str("Condition", text.written()),
        // Peeled off above.
        Condition::Commented { .. } => {}
        Condition::Compare(comparison) => {
            out.str("Variable", comparison.variable.as_str());
            // The operator's field: its name, with `Path` for a path operand (`field_name`).
            let key = comparison.operator.name();
            match &comparison.operand {
                Operand::String(text) | Operand::Timestamp(text) => out.str(key, text),
                Operand::Number(number) => {
                    out.key(key);
                    let _ = serde_json::to_writer(&mut *out.w, number);
                }
                Operand::Bool(flag) => {
                    out.key(key);
                    out.w
                        .extend_from_slice(if *flag { b"true" } else { b"false" });
                }
                Operand::Path(path) => out.str_suffixed(key, "Path", path.as_str()),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::{emit, write_template, write_value};
    use crate::load;
    use crate::rules::JsonSize;
    use crate::template::{Template, TemplateEntry, TemplateValue};
    use serde_json::{Value, json};

    /// serde_json's pretty layout, every line after the first indented `depth` levels.
    fn serde_pretty(depth: usize, value: &Value) -> String {
        let text = serde_json::to_string_pretty(value).unwrap();
        text.replace('\n', &format!("\n{}", "  ".repeat(depth)))
    }

    #[test]
    fn the_escape_test_agrees_with_serde_json() {
        let texts = [
            "",
            "a",
            "abcdefgh",
            "abcdefghi",
            "S9999",
            "$.tenant_id",
            "quote\" in the middle",
            "back\\slash after eight",
            "tab\tx",
            "\u{1f}",
            "\u{7f}\u{80}é😀 and more text",
            "0123456\"",
            "01234567\n",
            " !#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}~",
        ];
        for text in texts {
            let simple = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
            assert_eq!(super::needs_no_escape(text), simple, "{text:?}");
            let mut out = Vec::new();
            super::write_str(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
        // Every ASCII byte at every place of a word and of the tail.
        for byte in 0..0x80u8 {
            for place in 0..10 {
                let mut bytes = *b"abcdefghij";
                if let Some(slot) = bytes.get_mut(place) {
                    *slot = byte;
                }
                let text = std::str::from_utf8(&bytes).unwrap();
                let simple = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
                assert_eq!(super::needs_no_escape(text), simple, "{text:?}");
            }
        }
    }

    #[test]
    fn the_counted_length_is_the_length_of_the_text() {
        let text = r#"{"Comment": "é \"quoted\"", "StartAt": "Par", "States": {"Par": {
            "Type": "Parallel", "Branches": [{"StartAt": "Inner", "States": {"Inner": {
                "Type": "Pass", "Parameters": {"x.$": "$$.Execution.Id", "n": [1, 2.50, {}]},
                "Result": {"deep": [[{"a": null}]]}, "End": true}}}],
            "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 2.0}],
            "ResultPath": "$.out", "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 5, "End": true}}}"#;
        let machine = load(text, "m.asl.json").unwrap().machine;
        let text = emit(&machine);
        assert_eq!(super::emitted_size(&machine), JsonSize::of(&text));
        assert!(JsonSize::of(&text).compact < text.len());
    }

    #[test]
    fn a_states_own_text_leaves_its_nested_states_out() {
        let text = r#"{"StartAt": "Par", "States": {"Par": {"Type": "Parallel",
            "Branches": [{"StartAt": "Inner", "States": {"Inner": {"Type": "Pass",
                "Parameters": {"x.$": "$$.Execution.Id"}, "End": true}}}],
            "ResultPath": "$.out", "End": true}}}"#;
        let machine = load(text, "m.asl.json").unwrap().machine;
        let state = machine.states.values().next().unwrap();
        let own = super::state_own_text(state);
        let own: Value = serde_json::from_str(&own).unwrap();
        let mut whole = super::state_json(state);
        assert_eq!(own["ResultPath"], "$.out");
        assert_eq!(own["Branches"][0]["States"], json!({}));
        // The rest is the state as written.
        whole["Branches"][0]["States"] = json!({});
        assert_eq!(own, whole);
    }

    #[test]
    fn values_are_laid_out_as_serde_json_lays_them_out() {
        let values = [
            json!(null),
            json!({}),
            json!([]),
            json!({"a": {}, "b": [], "c": [{}], "d": [[1, 2.5, -3], {"e": null}]}),
            json!({"quote\"": "back\\slash", "ctl\u{1}\n\t": "\u{7f}é😀", "": ""}),
            json!([
                true,
                false,
                1e300,
                0.1,
                -0.0,
                18446744073709551615u64,
                -9223372036854775808i64
            ]),
        ];
        for depth in [0, 1, 3, 40] {
            for value in &values {
                let mut out = Vec::new();
                write_value(&mut out, depth, value);
                assert_eq!(String::from_utf8(out).unwrap(), serde_pretty(depth, value));
            }
        }
    }

    #[test]
    fn templates_are_written_as_their_json() {
        let path = |p: &str| TemplateValue::Path(crate::path::JsonPath::parse(p).unwrap());
        let entry = |key: &str, value| TemplateEntry {
            key: key.to_string(),
            value,
        };
        let literal = |v: Value| TemplateValue::Static(Template::Literal(v));
        let templates = [
            Template::Object(vec![]),
            Template::Array(vec![]),
            Template::Object(vec![
                entry("a", path("$.a")),
                entry("a", literal(json!(1))),
                entry("q\"", path("$['x\"y']")),
                entry(
                    "nested",
                    TemplateValue::Static(Template::Array(vec![
                        Template::Object(vec![entry("n", path("$$.Map.Item.Value"))]),
                        Template::Literal(json!("s")),
                    ])),
                ),
            ]),
            // The same written key twice: the JSON object keeps one member.
            Template::Object(vec![
                entry("a", literal(json!(1))),
                entry("b", path("$.b")),
                entry("a", literal(json!(2))),
            ]),
        ];
        for depth in [0, 2] {
            for template in &templates {
                let mut out = Vec::new();
                write_template(&mut out, depth, template);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_pretty(depth, &template.to_json())
                );
            }
        }
    }

    #[test]
    fn state_keys_follow_the_documented_order() {
        let text = r#"{"States": {"A": {"End": true, "Retry": [{"MaxAttempts": 1, "ErrorEquals": ["E"]}],
            "ResultPath": "$.r", "Parameters": {"b": 1, "a.$": "$.x"}, "Resource": "arn:x",
            "Comment": "c", "Type": "Task", "InputPath": "$"}}, "StartAt": "A", "Comment": "m"}"#;
        let emitted = emit(&load(text, "t").unwrap().machine);
        let expected = r#"{
  "Comment": "m",
  "StartAt": "A",
  "States": {
    "A": {
      "Type": "Task",
      "Comment": "c",
      "Resource": "arn:x",
      "InputPath": "$",
      "Parameters": {
        "b": 1,
        "a.$": "$.x"
      },
      "ResultPath": "$.r",
      "Retry": [
        {
          "ErrorEquals": [
            "E"
          ],
          "MaxAttempts": 1
        }
      ],
      "End": true
    }
  }
}
"#;
        assert_eq!(emitted, expected);
    }

    #[test]
    fn explicit_null_paths_survive_emission() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": null,
            "ResultPath": null, "OutputPath": null, "End": true}}}"#;
        let emitted = emit(&load(text, "t").unwrap().machine);
        assert!(emitted.contains("\"InputPath\": null"));
        assert!(emitted.contains("\"ResultPath\": null"));
        assert!(emitted.contains("\"OutputPath\": null"));
    }

    #[test]
    fn numbers_are_written_as_they_were_written() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r",
            "Retry": [{"ErrorEquals": ["E"], "BackoffRate": 2.0}, {"ErrorEquals": ["F"], "BackoffRate": 1.5}],
            "End": true}}}"#;
        let emitted = emit(&load(text, "t").unwrap().machine);
        assert!(emitted.contains("\"BackoffRate\": 2.0\n"), "{emitted}");
        assert!(emitted.contains("\"BackoffRate\": 1.5\n"), "{emitted}");
    }

    #[test]
    fn choice_rules_keep_path_operators_and_nested_comments() {
        let text = r#"{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
            {"Not": {"Comment": "n", "Variable": "$.a", "NumericLessThanPath": "$.b"}, "Next": "C"}],
            "Default": "C"}}}"#;
        let machine = load(text, "t").unwrap().machine;
        let emitted = emit(&machine);
        assert!(emitted.contains("\"NumericLessThanPath\": \"$.b\""));
        assert!(emitted.contains("\"Comment\": \"n\""));
        assert_eq!(load(&emitted, "again").unwrap().machine, machine);
    }
}
