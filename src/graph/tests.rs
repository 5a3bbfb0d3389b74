//! Graph construction on small units.
