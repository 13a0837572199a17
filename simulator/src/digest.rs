//! A digest of an execution's whole state at a Task call, for a caller that searches many runs
//! of one program (`flowc explore`) and must not expand the same state twice
//! ([`Simulation::state_digests`]).
//!
//! Two runs of one [`Simulation`] set-up (program, seed, start time, context, task source
//! kind) whose digests at a call are equal continue alike when their sources answer alike from
//! there on. What goes in is everything the rest of the execution reads:
//!
//! - where the run is: the Task state (only the root strand is digested: outside Parallel and
//!   Map there is no other strand and no enclosing state waiting for this one);
//! - the data: the state's input (its JSON text, key order included), the variables in scope
//!   and the context object the state sees (`$$.State.EnteredTime` among them);
//! - the clock (simulated milliseconds), the random generator's position (retry jitter,
//!   `States.UUID`) and the count of JSONata evaluations (which seeds `$random`);
//! - the history's length: the 25,000-event limit, and the task tokens, count events.
//!
//! Left out, on purpose: the path and events so far (what the run did, not what it will do),
//! the per-state invocation counts a MockConfigFile answers by (the digest is for sources
//! that answer by their own state, which they key themselves), the transition count (billing),
//! and the bytes of payload text the history keeps (flowc's guard on its own memory, not an
//! AWS rule). A call made inside a Parallel branch or a Map iteration, a retry, or one made
//! after a Distributed Map ran has no digest.
//!
//! [`Simulation`]: crate::Simulation
//! [`Simulation::state_digests`]: crate::Simulation::state_digests

use std::hash::{Hash, Hasher};

use serde_json::Value;

use crate::run::Engine;
use crate::run::Entry;

/// The digest of an execution's state at a Task call ([`crate::TaskCall::state`]): 128 bits
/// of two SipHash passes, so two different states share one with a probability of about
/// 2^-128 per pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateDigest(u64, u64);

impl Engine<'_> {
    /// The digest of the execution at a first attempt of `state` on the root strand, when the
    /// simulation asked for digests; `None` otherwise.
    pub(crate) fn state_digest(
        &self,
        state: &str,
        entry: &Entry,
        attempt: u32,
    ) -> Option<StateDigest> {
        if !self.digests || attempt != 0 || self.concurrent() || !self.map_runs.is_empty() {
            return None;
        }
        let input = self.history.texts.to_cow(&entry.input_text.text);
        let mut halves = [0u64; 2];
        for (salt, half) in halves.iter_mut().enumerate() {
            // DefaultHasher::new has fixed keys: the digest is the same in every process.
            let mut h = std::collections::hash_map::DefaultHasher::new();
            salt.hash(&mut h);
            state.hash(&mut h);
            input.as_ref().hash(&mut h);
            let visible = entry.ctx.vars.visible();
            visible.len().hash(&mut h);
            for (name, value) in visible {
                name.hash(&mut h);
                hash_value(value, &mut h);
            }
            hash_value(&entry.ctx.context, &mut h);
            self.sched.now_ms().hash(&mut h);
            self.rng.get_word_pos().hash(&mut h);
            self.evaluations.get().hash(&mut h);
            self.history.len().hash(&mut h);
            *half = h.finish();
        }
        let [a, b] = halves;
        Some(StateDigest(a, b))
    }
}

/// Hashes a JSON value structurally (object members in their order: two orders are two
/// states, as their texts differ).
fn hash_value(value: &Value, h: &mut impl Hasher) {
    match value {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => {
            1u8.hash(h);
            b.hash(h);
        }
        Value::Number(n) => {
            2u8.hash(h);
            n.to_string().hash(h);
        }
        Value::String(s) => {
            3u8.hash(h);
            s.hash(h);
        }
        Value::Array(items) => {
            4u8.hash(h);
            items.len().hash(h);
            for item in items {
                hash_value(item, h);
            }
        }
        Value::Object(members) => {
            5u8.hash(h);
            members.len().hash(h);
            for (key, member) in members {
                key.hash(h);
                hash_value(member, h);
            }
        }
    }
}
