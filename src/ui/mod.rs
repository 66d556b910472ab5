//! GUI panels.
