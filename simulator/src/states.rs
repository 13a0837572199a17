//! State types whose behaviour is more than input/output processing: Task, Wait, Map, Parallel.

mod map;
mod parallel;
pub(crate) mod task;
mod wait;
