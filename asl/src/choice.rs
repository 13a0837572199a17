//! Choice rules as a typed tree: comparisons (every operator, its `*Path` form, the `Is*`
//! tests), `And` / `Or` / `Not`, and JSONata `Condition` strings; and their evaluation
//! ([`Condition::evaluate`], in `choice/eval.rs`), the one the simulator runs. The caller reads
//! paths through [`ChoiceInput`], so the rule model never sees how it keeps its document.

mod eval;

pub use eval::{ChoiceEvalError, ChoiceInput};

use crate::names::StateName;
use crate::path::ReferencePath;
use serde_json::Number;

/// A top-level Choice rule: a condition and the state to go to when it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: StateName,
    pub comment: Option<String>,
    /// Variables assigned when this rule matches (instead of the state's own `Assign`, which
    /// applies when the Default is taken).
    pub assign: Option<crate::assign::Assign>,
    /// JSONata mode: the state output when this rule matches.
    pub output: Option<crate::jsonata_value::JsonataValue>,
}

/// A boolean expression over the state input.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare(Comparison),
    /// JSONata mode: `"Condition": "{% ... %}"`.
    Jsonata(crate::jsonata_value::JsonataString),
    /// A nested rule (inside And / Or / Not) that carries a `Comment`; evaluates as `condition`.
    /// Top-level rules keep their comment in [`ChoiceRule::comment`] instead.
    Commented {
        comment: String,
        condition: Box<Condition>,
    },
}

/// `"Variable": path, "<Operator>": operand`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub variable: ReferencePath,
    pub operator: Operator,
    pub operand: Operand,
}

/// The right-hand side of a comparison. Its variant matches the operator's family
/// (see [`Operator::family`]); `Path` is the `*Path` form of the operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    String(String),
    /// Kept as a JSON number so integers stay integers.
    Number(Number),
    Bool(bool),
    /// A timestamp literal as written; AWS compares RFC 3339 instants.
    Timestamp(String),
    /// `...Path` operators: the value is read from the input at this path.
    Path(ReferencePath),
}

/// The kind of literal an operator takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandFamily {
    String,
    Number,
    Bool,
    Timestamp,
    /// `Is*` tests take `true` or `false`.
    Test,
}

/// How a comparison's two sides must relate for it to hold (`Is*` tests and `StringMatches`
/// have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

impl Relation {
    /// Whether `ordering` (left side against right side) satisfies the relation.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        match self {
            Relation::Equals => ordering.is_eq(),
            Relation::LessThan => ordering.is_lt(),
            Relation::GreaterThan => ordering.is_gt(),
            Relation::LessThanEquals => ordering.is_le(),
            Relation::GreaterThanEquals => ordering.is_ge(),
        }
    }
}

macro_rules! operators {
    ($( $variant:ident => $name:literal, $family:ident, $has_path:literal, $relation:expr; )*) => {
        /// A comparison operator without its `Path` suffix.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operator {
            $( $variant, )*
        }

        impl Operator {
            /// Every operator, in AWS documentation order.
            pub const ALL: &'static [Operator] = &[$( Operator::$variant, )*];

            /// The field name of the literal form, e.g. `StringEquals`.
            pub fn name(self) -> &'static str {
                match self { $( Operator::$variant => $name, )* }
            }

            pub fn family(self) -> OperandFamily {
                match self { $( Operator::$variant => OperandFamily::$family, )* }
            }

            /// Whether a `<name>Path` form exists (all but `StringMatches` and the `Is*` tests).
            pub fn has_path_form(self) -> bool {
                match self { $( Operator::$variant => $has_path, )* }
            }

            /// The relation an ordering comparison tests; `None` for `StringMatches` and the
            /// `Is*` tests.
            pub fn relation(self) -> Option<Relation> {
                match self { $( Operator::$variant => $relation, )* }
            }
        }
    };
}

operators! {
    StringEquals => "StringEquals", String, true, Some(Relation::Equals);
    StringLessThan => "StringLessThan", String, true, Some(Relation::LessThan);
    StringGreaterThan => "StringGreaterThan", String, true, Some(Relation::GreaterThan);
    StringLessThanEquals => "StringLessThanEquals", String, true, Some(Relation::LessThanEquals);
    StringGreaterThanEquals => "StringGreaterThanEquals", String, true, Some(Relation::GreaterThanEquals);
    StringMatches => "StringMatches", String, false, None;
    NumericEquals => "NumericEquals", Number, true, Some(Relation::Equals);
    NumericLessThan => "NumericLessThan", Number, true, Some(Relation::LessThan);
    NumericGreaterThan => "NumericGreaterThan", Number, true, Some(Relation::GreaterThan);
    NumericLessThanEquals => "NumericLessThanEquals", Number, true, Some(Relation::LessThanEquals);
    NumericGreaterThanEquals => "NumericGreaterThanEquals", Number, true, Some(Relation::GreaterThanEquals);
    BooleanEquals => "BooleanEquals", Bool, true, Some(Relation::Equals);
    TimestampEquals => "TimestampEquals", Timestamp, true, Some(Relation::Equals);
    TimestampLessThan => "TimestampLessThan", Timestamp, true, Some(Relation::LessThan);
    TimestampGreaterThan => "TimestampGreaterThan", Timestamp, true, Some(Relation::GreaterThan);
    TimestampLessThanEquals => "TimestampLessThanEquals", Timestamp, true, Some(Relation::LessThanEquals);
    TimestampGreaterThanEquals => "TimestampGreaterThanEquals", Timestamp, true, Some(Relation::GreaterThanEquals);
    IsNull => "IsNull", Test, false, None;
    IsPresent => "IsPresent", Test, false, None;
    IsNumeric => "IsNumeric", Test, false, None;
    IsString => "IsString", Test, false, None;
    IsBoolean => "IsBoolean", Test, false, None;
    IsTimestamp => "IsTimestamp", Test, false, None;
}

impl Operator {
    /// Parses a field name: `StringEquals` gives `(StringEquals, false)`, `StringEqualsPath`
    /// gives `(StringEquals, true)`. `None` for anything else.
    pub fn from_field(field: &str) -> Option<(Operator, bool)> {
        if let Some(op) = Operator::ALL.iter().find(|op| op.name() == field) {
            return Some((*op, false));
        }
        let base = field.strip_suffix("Path")?;
        Operator::ALL
            .iter()
            .find(|op| op.has_path_form() && op.name() == base)
            .map(|op| (*op, true))
    }

    /// The field name for this operator with the given operand (`...Path` for paths).
    pub fn field_name(self, operand: &Operand) -> String {
        match operand {
            Operand::Path(_) => format!("{}Path", self.name()),
            _ => self.name().to_string(),
        }
    }

    /// Every valid operator field name (literal and `Path` forms), for "did you mean".
    pub fn all_field_names() -> Vec<String> {
        let mut names = Vec::new();
        for op in Operator::ALL {
            names.push(op.name().to_string());
            if op.has_path_form() {
                names.push(format!("{}Path", op.name()));
            }
        }
        names
    }
}

impl Condition {
    /// Every comparison in this condition, depth first.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Comparison>) {
        match self {
            Condition::And(items) | Condition::Or(items) => {
                items.iter().for_each(|item| item.collect(out))
            }
            Condition::Not(inner) => inner.collect(out),
            Condition::Commented { condition, .. } => condition.collect(out),
            Condition::Compare(comparison) => out.push(comparison),
            Condition::Jsonata(_) => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn path_forms_parse_to_base_operator() {
        assert_eq!(
            Operator::from_field("NumericLessThanEqualsPath"),
            Some((Operator::NumericLessThanEquals, true))
        );
        assert_eq!(
            Operator::from_field("IsPresent"),
            Some((Operator::IsPresent, false))
        );
    }

    #[test]
    fn operators_without_path_form_reject_path_suffix() {
        assert_eq!(Operator::from_field("StringMatchesPath"), None);
        assert_eq!(Operator::from_field("IsNullPath"), None);
        assert_eq!(Operator::from_field("Variable"), None);
    }

    #[test]
    fn field_names_cover_every_form() {
        let names = Operator::all_field_names();
        // 23 operators, 16 of which have a Path form.
        assert_eq!(names.len(), 23 + 16);
        assert!(names.contains(&"TimestampGreaterThanEqualsPath".to_string()));
    }
}
