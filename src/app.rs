//! The live explorer window (owned by the GUI work; placeholder until it lands).

/// Opens the explorer window and blocks until it is closed.
pub fn run_gui() -> anyhow::Result<()> {
    anyhow::bail!("the GUI is not built yet")
}
