//! Errors by layer, and the exit code of each.
//!
//! Bad input is the user's to fix, so its message names the file, the row as a
//! spreadsheet shows it (1-based, header is row 1), the column or config key,
//! the offending value and what was expected ([`InputError`]). A plan that
//! cannot be built as asked says which rule or interval stands in the way. Any
//! other failure is ringcast's own, and says which stage it came from.
//!
//! | kind | exit code |
//! |---|---|
//! | bad input file, config key or flag ([`Error::Input`], [`Error::Config`], [`Error::Usage`]) | 2 |
//! | plan cannot be built as asked ([`Error::Infeasible`], [`Error::Solver`]) | 3 |
//! | internal error, I/O ([`Error::Internal`], anything else) | 1 |

use std::fmt;
use std::path::{Path, PathBuf};

/// Why the rules and the demand admit no plan: the intervals that cannot be
/// met and the rules that bind them, as a solver's irreducible infeasible
/// set names its rows and bounds, with the explanation in planner's words.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Infeasibility {
    /// The intervals that cannot be met, counted from the first interval of
    /// the series or week being planned (empty: none in particular).
    pub intervals: Vec<usize>,
    /// The config keys or flags whose rules bind (`scheduling.shifts`,
    /// `--target-busy`).
    pub rules: Vec<String>,
    /// What stands in the way and what to change.
    pub message: String,
}

impl Infeasibility {
    pub fn new(intervals: Vec<usize>, rules: &[&str], message: impl Into<String>) -> Self {
        Self { intervals, rules: rules.iter().map(|r| r.to_string()).collect(), message: message.into() }
    }
}

impl fmt::Display for Infeasibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where in an input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based row as a spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    /// Column name, or config key such as `service.target_sl`.
    pub column: Option<String>,
    /// Whether `column` is a config key (said as "key", not "column").
    pub is_key: bool,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(r) = self.row {
            write!(f, ":{r}")?;
        }
        if let Some(c) = &self.column {
            let what = if self.is_key { "key" } else { "column" };
            write!(f, ": {what} '{c}'")?;
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
        Self {
            at: Location { file: file.as_ref().to_path_buf(), row: None, column: None, is_key: false },
            message: message.into(),
        }
    }
    pub fn cell(file: impl AsRef<Path>, row: usize, column: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: Location {
                file: file.as_ref().to_path_buf(),
                row: Some(row),
                column: Some(column.into()),
                is_key: false,
            },
            message: message.into(),
        }
    }
    pub fn row(file: impl AsRef<Path>, row: usize, message: impl Into<String>) -> Self {
        Self {
            at: Location { file: file.as_ref().to_path_buf(), row: Some(row), column: None, is_key: false },
            message: message.into(),
        }
    }
    pub fn key(file: impl AsRef<Path>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: Location { file: file.as_ref().to_path_buf(), row: None, column: Some(key.into()), is_key: true },
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
        Self::cell(file, row, column, format!("got '{}', expected {expected}", shortened(value)))
    }
}

/// A message from a parser, which may quote a whole value: its first 300
/// characters and its length beyond.
pub fn shortened_message(message: &str) -> String {
    let n = message.chars().count();
    if n <= 300 {
        message.to_string()
    } else {
        format!("{}… ({n} characters)", message.chars().take(300).collect::<String>())
    }
}

/// Longest value echoed whole in a message, in characters.
const ECHO_CHARS: usize = 60;

/// A value as a message echoes it: whole when short, else its start and its
/// length (a 1 MB cell must not become a 1 MB message).
pub fn shortened(value: &str) -> String {
    let n = value.chars().count();
    if n <= ECHO_CHARS {
        value.to_string()
    } else {
        format!("{}… ({n} characters)", value.chars().take(ECHO_CHARS).collect::<String>())
    }
}

/// Result for functions that validate user input.
pub type InputResult<T> = Result<T, InputError>;

/// Exit code for bad input, config or flags.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for a plan that cannot be built as asked.
pub const EXIT_CANNOT_PLAN: i32 = 3;
/// Exit code for internal errors (and failures to write outputs).
pub const EXIT_INTERNAL: i32 = 1;

/// Every failure a stage of ringcast reports, by layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem in an input file: its path, row and column.
    #[error(transparent)]
    Input(InputError),
    /// A problem in the centre configuration: its path and key.
    #[error(transparent)]
    Config(InputError),
    /// A command-line flag with a value ringcast cannot use.
    #[error("{0}")]
    Usage(String),
    /// The rules and the demand admit no plan (which rules, which intervals).
    #[error("the plan cannot be built as asked: {0}")]
    Infeasible(Infeasibility),
    /// The solver stopped without any solution.
    #[error("the solver found no solution: {0}")]
    Solver(String),
    /// A stage produced something it never should (a bug in ringcast).
    #[error("internal error in the {stage} stage: {message}")]
    Internal { stage: &'static str, message: String },
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e)
    }
}

impl Error {
    /// A config-key error.
    pub fn config(file: impl AsRef<Path>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config(InputError::key(file, key, message))
    }
    /// A flag error.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }
    /// The process exit code for this kind of failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Config(_) | Error::Usage(_) => EXIT_BAD_INPUT,
            Error::Infeasible(_) | Error::Solver(_) => EXIT_CANNOT_PLAN,
            Error::Internal { .. } => EXIT_INTERNAL,
        }
    }
}

/// The exit code of a failure anywhere in a cause chain: the first typed error
/// decides; an untyped one (I/O while writing outputs) is internal.
pub fn exit_code_of(e: &anyhow::Error) -> i32 {
    for cause in e.chain() {
        if let Some(t) = cause.downcast_ref::<Error>() {
            return t.exit_code();
        }
        if cause.downcast_ref::<InputError>().is_some() {
            return EXIT_BAD_INPUT;
        }
    }
    EXIT_INTERNAL
}

/// Result of a pipeline stage.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_name_a_key() {
        let e = Error::config("c.toml", "service.target_sl", "got 80");
        assert_eq!(e.to_string(), "c.toml: key 'service.target_sl': got 80");
    }

    #[test]
    fn exit_codes_by_kind() {
        assert_eq!(exit_code_of(&anyhow::Error::from(InputError::file("h.csv", "empty"))), 2);
        assert_eq!(exit_code_of(&anyhow::Error::from(Error::config("c.toml", "service.target_sl", "x"))), 2);
        assert_eq!(
            exit_code_of(&anyhow::Error::from(Error::Infeasible(Infeasibility::new(vec![36], &[], "Mon 09:00")))),
            3
        );
        assert_eq!(exit_code_of(&anyhow::Error::from(Error::Solver("time limit".into()))), 3);
        let internal = Error::Internal { stage: "forecast", message: "NaN".into() };
        assert_eq!(exit_code_of(&anyhow::Error::from(internal).context("planning")), 1);
        assert_eq!(exit_code_of(&anyhow::anyhow!("cannot write out/x.csv")), 1);
    }

    #[test]
    fn message_names_file_row_column_value_and_expectation() {
        let e = InputError::bad_value("h.csv", 7, "calls", "-3", "a call count >= 0");
        assert_eq!(e.to_string(), "h.csv:7: column 'calls': got '-3', expected a call count >= 0");
    }
}
