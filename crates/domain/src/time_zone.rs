//! IANA time zone names, checked against the tz database bundled in the
//! binary so that a server without /usr/share/zoneinfo behaves the same.

use crate::validation::ValidationError;
use serde::Serialize;

pub const DEFAULT_TIME_ZONE: &str = "America/Los_Angeles";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let name = input.trim();
        if name.is_empty() || name.len() > 64 || jiff::tz::db().get(name).is_err() {
            return Err(ValidationError::new(
                "time_zone",
                format!(
                    "\"{}\" is not a known time zone: pick one from the list, e.g. America/Los_Angeles.",
                    name.chars().take(64).collect::<String>()
                ),
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn default_zone() -> Self {
        Self(DEFAULT_TIME_ZONE.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Every zone a person can choose, sorted, for the pickers.
    pub fn all() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_string())
            .filter(|n| {
                n.contains('/')
                    && !n.starts_with("Etc/")
                    && !n.starts_with("posix/")
                    && !n.starts_with("right/")
            })
            .collect();
        names.push("UTC".to_string());
        names.sort();
        names.dedup();
        names
    }

    /// Formats an epoch-milliseconds instant in this zone for people.
    pub fn format_ms(&self, epoch_ms: i64) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(epoch_ms) else {
            return String::new();
        };
        let tz = jiff::tz::db()
            .get(&self.0)
            .unwrap_or(jiff::tz::TimeZone::UTC);
        ts.to_zoned_datetime(tz)
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

impl std::fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown() {
        assert!(TimeZoneName::parse("Europe/Berlin").is_ok());
        assert!(TimeZoneName::parse("UTC").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("").is_err());
        let all = TimeZoneName::all();
        assert!(all.iter().any(|z| z == DEFAULT_TIME_ZONE));
        assert!(all.len() > 300);
    }

    #[test]
    fn formats_in_zone() {
        let la = TimeZoneName::parse("America/Los_Angeles").unwrap();
        // 2026-01-01T00:00:00Z is the evening before in Los Angeles.
        assert_eq!(la.format_ms(1_767_225_600_000), "2025-12-31 16:00 PST");
    }
}
