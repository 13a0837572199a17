//! flowc-dsl
