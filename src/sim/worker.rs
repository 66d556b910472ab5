//! The background simulation thread that feeds the GUI.
