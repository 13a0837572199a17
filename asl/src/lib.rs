//! flowc-asl: the Amazon States Language data model shared by the compiler and the simulator.
//!
//! Module ownership while the foundation is built (see the issue notes):
//! - `path`, `intrinsic`: JSONPath (Jayway dialect), reference paths, intrinsic functions.
//! - everything else: the typed model, loading with spans, canonical emission, names.

pub mod intrinsic;
pub mod path;
