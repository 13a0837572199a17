//! What the Lambda binaries' tests share: a fake Lambda Runtime API ([`start`]) and a
//! [`Bootstrap`] that runs a built binary against it, as Lambda runs a `provided.al2023`
//! bootstrap. A `[dev-dependencies]` crate only; nothing here ships.

mod bootstrap;
mod runtime_api;

pub use bootstrap::Bootstrap;
pub use runtime_api::{FakeRuntime, Posted, lambda_env, start};
