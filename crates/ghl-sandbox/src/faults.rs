//! Faults injected on demand, set at start-up or at run time through the control API.

use serde::{Deserialize, Serialize};

/// The faults in force. Counters (`burst429`, `resetBeforeCommit`, …) apply to the next
/// N matching requests and count down; probabilities apply to every request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every API request before it is handled.
    pub latency_ms: u64,
    /// Probability (0–1) that an API request answers 500, 502 or 503 without being handled.
    pub error_rate: f64,
    /// The next N API requests answer 429.
    #[serde(rename = "burst429")]
    pub burst_429: u32,
    /// The next N writes lose their connection before the write is applied.
    pub reset_before_commit: u32,
    /// The next N writes are applied, then lose their connection before the answer.
    pub reset_after_commit: u32,
    /// The next N contact creates store the contact but answer 422 (a known GHL fault).
    #[serde(rename = "create422ButCreated")]
    pub create_422_but_created: u32,
    /// Answers carry what the spec allows and careless data produces: both id spellings
    /// on notes and tasks, and some contacts with odd values ([`crate::shapes::oddity`]).
    pub odd_records: bool,
}

impl Faults {
    /// Checks the values are usable.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(format!(
                "errorRate must be between 0 and 1, not {}",
                self.error_rate
            ));
        }
        Ok(())
    }
}

/// Takes one from a countdown; `true` when the fault fires.
pub fn take(counter: &mut u32) -> bool {
    if *counter > 0 {
        *counter -= 1;
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_control_api_spelling() {
        let f: Faults = serde_json::from_str(
            r#"{"latencyMs":5,"errorRate":0.5,"burst429":2,"resetBeforeCommit":1,"resetAfterCommit":3,"create422ButCreated":4,"oddRecords":true}"#,
        )
        .unwrap();
        assert_eq!(f.burst_429, 2);
        assert_eq!(f.create_422_but_created, 4);
        assert!(f.odd_records);
        assert!(serde_json::from_str::<Faults>(r#"{"nope":1}"#).is_err());
        assert!(Faults {
            error_rate: 1.5,
            ..Faults::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn countdowns_fire_n_times() {
        let mut n = 2;
        assert!(take(&mut n));
        assert!(take(&mut n));
        assert!(!take(&mut n));
    }
}
