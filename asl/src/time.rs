//! ASL timestamps: RFC 3339 with an uppercase `T` separating date and time and an uppercase `Z`
//! when there is no numeric offset. One parser for load-time checks (Wait `Timestamp`,
//! `Timestamp*` literals) and for the simulator (`IsTimestamp`, comparisons, `TimestampPath`).

use chrono::{DateTime, FixedOffset};

/// Parses an ASL timestamp; `None` when AWS would not accept it.
pub fn parse_timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    // chrono also accepts a space or lowercase `t`/`z`, which ASL does not.
    let separator_ok = text.as_bytes().get(10) == Some(&b'T');
    if !separator_ok || text.ends_with('z') {
        return None;
    }
    DateTime::parse_from_rfc3339(text).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn accepts_zulu_offsets_and_fractions() {
        assert!(parse_timestamp("2016-03-14T01:59:00Z").is_some());
        assert!(parse_timestamp("2016-03-05T21:29:29.243167252Z").is_some());
        assert!(parse_timestamp("2016-03-14T01:59:00+02:00").is_some());
    }

    #[test]
    fn rejects_lowercase_space_and_missing_zone() {
        assert!(parse_timestamp("2016-03-14t01:59:00Z").is_none());
        assert!(parse_timestamp("2016-03-14 01:59:00Z").is_none());
        assert!(parse_timestamp("2016-03-14T01:59:00z").is_none());
        assert!(parse_timestamp("2016-03-14T01:59:00").is_none());
        assert!(parse_timestamp("").is_none());
    }

    #[test]
    fn offsets_compare_as_instants() {
        let a = parse_timestamp("2016-03-14T01:00:00+01:00");
        let b = parse_timestamp("2016-03-14T00:00:00Z");
        assert_eq!(a, b);
    }
}
