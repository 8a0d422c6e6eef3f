//! Account Options: the owner's switches for the whole account.

use crate::plan::Plan;
use crate::time_zone::TimeZoneName;
use crate::validation::ValidationError;
use serde::Serialize;

/// 1 (almost everything is spam) to 10 (almost nothing is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SpamThreshold(u8);

impl SpamThreshold {
    pub const DEFAULT: SpamThreshold = SpamThreshold(5);

    pub fn new(value: i64) -> Result<Self, ValidationError> {
        if (1..=10).contains(&value) {
            Ok(Self(value as u8))
        } else {
            Err(ValidationError::new(
                "spam_threshold",
                "The spam threshold must be a whole number from 1 to 10.",
            ))
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountOptions {
    pub time_zone: TimeZoneName,
    pub ssl_required: bool,
    pub maintain_assignments: bool,
    pub admin_only_dashboards: bool,
    pub rss_enabled: bool,
    pub api_enabled: bool,
    pub spam_threshold: SpamThreshold,
}

impl AccountOptions {
    pub fn defaults() -> Self {
        Self {
            time_zone: TimeZoneName::default_zone(),
            ssl_required: false,
            maintain_assignments: false,
            admin_only_dashboards: false,
            rss_enabled: false,
            api_enabled: false,
            spam_threshold: SpamThreshold::DEFAULT,
        }
    }

    /// Options that the plan cannot have are refused, with the reason.
    pub fn check_against(&self, plan: Plan) -> Result<(), ValidationError> {
        if self.api_enabled && !plan.limits().api {
            return Err(ValidationError::new(
                "api_enabled",
                format!(
                    "The API is available on paid plans only; this account is on the {} plan.",
                    plan.label()
                ),
            ));
        }
        Ok(())
    }
}

/// Why the API refuses an account, in words for the caller.
pub fn api_access(plan: Plan, options: &AccountOptions) -> Result<(), String> {
    if !plan.limits().api {
        return Err(format!(
            "The API is not included in the {} plan. The account owner can upgrade to Standard or Premium.",
            plan.label()
        ));
    }
    if !options.api_enabled {
        return Err(
            "The API is turned off for this account. The account owner can turn on \"Enable API\" in Account Options."
                .to_string(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_bounds() {
        assert!(SpamThreshold::new(0).is_err());
        assert!(SpamThreshold::new(11).is_err());
        assert_eq!(SpamThreshold::new(7).unwrap().value(), 7);
    }

    #[test]
    fn api_needs_plan_and_switch() {
        let mut o = AccountOptions::defaults();
        assert!(
            api_access(Plan::Standard, &o)
                .unwrap_err()
                .contains("turned off")
        );
        o.api_enabled = true;
        assert!(api_access(Plan::Standard, &o).is_ok());
        assert!(
            api_access(Plan::Free, &o)
                .unwrap_err()
                .contains("Free plan")
        );
        assert!(o.check_against(Plan::Free).is_err());
        assert!(o.check_against(Plan::Premium).is_ok());
    }
}
