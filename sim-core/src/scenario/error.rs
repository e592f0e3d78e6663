//! Errors: [`ScenarioError`], what a caller sees, and [`Invalid`], a failed rule of the
//! resolve stage before the loader gives it a file, a line or the `--set` that caused it.

use std::fmt::Write as _;

/// Why a scenario could not be loaded. Every variant displays as a complete message that
/// names the file and line (or the `--set` assignment), the key path and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The scenario file could not be read.
    #[error("{file}: cannot read the scenario file: {error}")]
    Read {
        /// The file as named by the caller.
        file: String,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// The text is not valid TOML.
    #[error("{}: TOML syntax error: {message}", location(.file, .line, ""))]
    Syntax {
        /// The file label.
        file: String,
        /// 1-based line of the error, when known.
        line: Option<usize>,
        /// The parser's explanation, on one line.
        message: String,
    },
    /// A key is unknown or missing, a value is malformed, or keys contradict each other.
    #[error("{}: {message}", location(.file, .line, .path))]
    Invalid {
        /// The file label.
        file: String,
        /// 1-based line of the key (or of the nearest enclosing table), when known.
        line: Option<usize>,
        /// Dotted key path such as `protocol.upload_slots` or `classes[1].share`.
        path: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A `--set` assignment is malformed, or the value it sets is invalid.
    #[error("--set {assignment}: {message}")]
    Override {
        /// The assignment as `path=value`.
        assignment: String,
        /// What is wrong (prefixed with the key path when it is not the assigned key).
        message: String,
    },
}

/// `file:line: path`, leaving out what is unknown.
fn location(file: &str, line: &Option<usize>, path: &str) -> String {
    let mut out = file.to_string();
    if let Some(line) = line {
        let _ = write!(out, ":{line}");
    }
    if !path.is_empty() {
        let _ = write!(out, ": {path}");
    }
    out
}

/// A failed check of the resolved scenario.
#[derive(Debug)]
pub(super) struct Invalid {
    /// Key path the message is about.
    pub(super) path: String,
    /// Other keys involved: an override of any of them is blamed, and their lines are used
    /// when `path` is not in the file.
    pub(super) related: Vec<String>,
    /// What is wrong and what was expected.
    pub(super) message: String,
}

impl Invalid {
    /// `message` about the key at `path`.
    pub(super) fn new(path: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            path: path.into(),
            related: Vec::new(),
            message: message.into(),
        }
    }

    /// Names another key involved in the failed rule.
    pub(super) fn also(mut self, path: impl Into<String>) -> Invalid {
        self.related.push(path.into());
        self
    }
}

/// A required key that is absent: "missing; expected {expected}".
pub(super) fn missing(path: impl Into<String>, expected: &str) -> Invalid {
    Invalid::new(path, format!("missing; expected {expected}"))
}
