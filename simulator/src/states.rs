//! State types whose behaviour is more than input/output processing, each awaiting the
//! scheduler: Task (calls that take time, timeouts, Retry pauses), Wait, Map and Parallel
//! (strands of their own).

pub(crate) mod distributed_map;
pub(crate) mod map;
pub(crate) mod parallel;
pub(crate) mod task;
pub(crate) mod wait;
