//! Any bytes as a preset: parse, resolve against its built-in model and set up the
//! run; every error must name the file, and a valid preset must take a few steps.
#![no_main]

use fuzz_shim::io::preset::Preset;
use fuzz_shim::sim::session::Session;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Preset::parse("fuzz.ron", data) {
        Ok(p) => match p.resolve("fuzz.ron", &String::from_utf8_lossy(data), None) {
            Ok(r) => {
                if let Ok(mut s) = Session::new(&r, 1) {
                    for _ in 0..5 {
                        s.step();
                    }
                }
                let _ = p.to_ron();
            }
            Err(e) => assert!(e.to_string().starts_with("fuzz.ron"), "{e}"),
        },
        Err(e) => assert!(e.to_string().starts_with("fuzz.ron"), "{e}"),
    }
});
