//! Calendar facts of the centre: which days and slots are open.
