//! Printing: JSON for scripts, lines for people, and never a control character from
//! contact data on a terminal (a name holding an escape sequence could repaint or
//! retitle it).

use serde::Serialize;
use serde_json::Value;

/// Where a command's result goes.
pub struct Out {
    json: bool,
}

/// `text` with every control character (C0, DEL, C1) written as a visible escape.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON on one line with DEL and C1 controls escaped too (serde escapes only C0).
pub fn json_line(value: &Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

impl Out {
    /// Output in JSON when `json`.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints `value` as JSON, or `human()` cleaned of control characters.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            let value = serde_json::to_value(value).unwrap_or(Value::Null);
            println!("{}", json_line(&value));
        } else {
            println!("{}", clean(&human()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_reach_the_terminal() {
        assert_eq!(clean("Ada\u{1b}]0;pwned\u{7}"), "Ada\\u{1b}]0;pwned\\u{7}");
        assert_eq!(clean("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(clean("Zoë 🙂"), "Zoë 🙂");
        let line = json_line(&serde_json::json!({ "n": "x\u{1b}[2J\u{9b}\u{7f}" }));
        assert!(!line.chars().any(char::is_control), "{line:?}");
        assert_eq!(line, r#"{"n":"x\u001b[2J\u009b\u007f"}"#);
    }
}
