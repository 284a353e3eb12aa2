//! Named rosters (in progress).
