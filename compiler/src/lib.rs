//! flowc: .flow -> ASL compiler
