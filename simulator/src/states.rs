//! State types whose behaviour is more than input/output processing: Task, Wait, Map, Parallel.

mod map;
mod parallel;
mod task;
mod wait;
