//! CLI tests for this stage.
