//! Files: presets (RON), stimulus waveforms, trace CSV and sidecars.

pub mod atomic;
pub mod csv;
pub mod preset;
pub mod preset_dir;
pub mod protocol;
pub mod read;
pub mod ron_path;
pub mod stimulus;
