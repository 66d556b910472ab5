//! `neuron-explorer map`: the firing class and rate over a grid of two parameters
//! (`src/analysis/map.rs`), as CSV and optionally as a PNG coloured by class.

use std::path::PathBuf;

use anyhow::Result;

use super::{SweepBase, UsageError, sweep_error, sweep_preset, sweep_threads, write_table};
use crate::analysis::map::{Axis, MapConfig, class_image, map_csv, map_sweep};
use crate::analysis::{Control, linspace};

#[derive(clap::Args, Debug)]
pub struct MapArgs {
    #[command(flatten)]
    pub base: SweepBase,
    /// The parameter along x.
    #[arg(long)]
    pub x: String,
    #[arg(long, allow_hyphen_values = true)]
    pub x_from: f64,
    #[arg(long, allow_hyphen_values = true)]
    pub x_to: f64,
    #[arg(long, default_value_t = 64)]
    pub x_steps: usize,
    /// The parameter along y.
    #[arg(long)]
    pub y: String,
    #[arg(long, allow_hyphen_values = true)]
    pub y_from: f64,
    #[arg(long, allow_hyphen_values = true)]
    pub y_to: f64,
    #[arg(long, default_value_t = 64)]
    pub y_steps: usize,
    /// Also write the map as a PNG coloured by firing class (8×8 pixels per cell).
    #[arg(long)]
    pub png: Option<PathBuf>,
}

pub fn map_cmd(args: &MapArgs) -> Result<()> {
    let preset = sweep_preset(&args.base)?;
    let axis = |name: &str, from: f64, to: f64, steps: usize, flag: &str| {
        linspace(from, to, steps)
            .map(|values| Axis {
                param: name.to_owned(),
                values,
            })
            .map_err(|e| UsageError(format!("--{flag}-from/--{flag}-to/--{flag}-steps: {e}")))
    };
    let cfg = MapConfig {
        x: axis(&args.x, args.x_from, args.x_to, args.x_steps, "x")?,
        y: axis(&args.y, args.y_from, args.y_to, args.y_steps, "y")?,
        threads: sweep_threads(&args.base)?,
    };
    let m = map_sweep(&preset, &cfg, &Control::default(), |_| {}).map_err(sweep_error)?;
    write_table(&args.base.run.out, &map_csv(&m))?;
    if !m.protocol_applied {
        println!(
            "note: the protocol drives a swept parameter, so both are held from t = 0 without it"
        );
    }
    if let Some(path) = &args.png {
        let (w, h, px) = class_image(&m, 8);
        let img = image::RgbImage::from_raw(w, h, px)
            .ok_or_else(|| UsageError("map image has the wrong size".into()))?;
        let mut bytes = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .map_err(|e| UsageError(format!("cannot encode {}: {e}", path.display())))?;
        crate::io::csv::write_file(path, &bytes).map_err(|e| UsageError(e.to_string()))?;
    }
    Ok(())
}
