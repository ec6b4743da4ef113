//! Warnings and notes about the analysed project (not about our own failures).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
}

/// A message about a file of the project: a syntax error, a skipped bundle, a symlink not
/// followed. `line` is 1-based; 0 when the message is about the whole file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl Diagnostic {
    pub fn warning(file: impl Into<String>, line: u32, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    pub fn note(file: impl Into<String>, line: u32, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Note,
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
        };
        if self.line > 0 {
            write!(f, "{level}: {}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{level}: {}: {}", self.file, self.message)
        }
    }
}
