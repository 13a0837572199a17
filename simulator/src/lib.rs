//! flowc-sim
