//! User-facing errors.
//!
//! Bad input is the user's to fix, so its message names the file, the row as a
//! spreadsheet shows it (1-based, header is row 1), the column or config key,
//! the offending value and what was expected. The binary maps every
//! [`InputError`] to exit code 2.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based row as a spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    /// Column name, or config key such as `service.target_sl`.
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(r) = self.row {
            write!(f, ":{r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column '{c}'")?;
        }
        Ok(())
    }
}

/// A problem with user input: a file, a row, a value or a rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct InputError {
    pub at: Location,
    pub message: String,
}

impl InputError {
    pub fn file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self { at: Location { file: file.as_ref().to_path_buf(), row: None, column: None }, message: message.into() }
    }
    pub fn cell(file: impl AsRef<Path>, row: usize, column: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: Location { file: file.as_ref().to_path_buf(), row: Some(row), column: Some(column.into()) },
            message: message.into(),
        }
    }
    pub fn row(file: impl AsRef<Path>, row: usize, message: impl Into<String>) -> Self {
        Self {
            at: Location { file: file.as_ref().to_path_buf(), row: Some(row), column: None },
            message: message.into(),
        }
    }
    pub fn key(file: impl AsRef<Path>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: Location { file: file.as_ref().to_path_buf(), row: None, column: Some(key.into()) },
            message: message.into(),
        }
    }
    /// A cell whose value could not be read: names the value and what was expected.
    pub fn bad_value(
        file: impl AsRef<Path>,
        row: usize,
        column: impl Into<String>,
        value: &str,
        expected: impl fmt::Display,
    ) -> Self {
        Self::cell(file, row, column, format!("got '{value}', expected {expected}"))
    }
}

/// Result for functions that validate user input.
pub type InputResult<T> = Result<T, InputError>;

/// Exit code for user errors (bad input, impossible goals).
pub const EXIT_USER_ERROR: i32 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_file_row_column_value_and_expectation() {
        let e = InputError::bad_value("h.csv", 7, "calls", "-3", "a call count >= 0");
        assert_eq!(e.to_string(), "h.csv:7: column 'calls': got '-3', expected a call count >= 0");
    }
}
