//! Files: presets (RON), trace CSV and sidecars, atomic writes, bounded reads.

pub mod atomic;
pub mod csv;
pub mod event_list;
pub mod folder;
pub mod json_layout;
pub mod preset;
pub mod preset_dir;
pub mod protocol;
pub mod read;
pub mod ron_path;
