//! Any bytes as a preset: parse, resolve against its built-in model and set up the
//! run; every error must name the file, and a valid preset must take a few steps.
//! Differential: where the fast event-list reader answers, `ron` must agree, and
//! a preset written out must read back the same.
#![no_main]

use fuzz_shim::io::event_list::split_events;
use fuzz_shim::io::preset::Preset;
use fuzz_shim::sim::run::Event;
use fuzz_shim::sim::session::Session;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some((range, events)) = split_events(text) {
            let ron: Result<Vec<Event>, _> = ron::Options::default()
                .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
                .from_str(&text[range]);
            assert_eq!(ron.ok(), Some(events), "the fast reader and ron disagree");
        }
    }
    match Preset::parse("fuzz.ron", data) {
        Ok(p) => match p.resolve("fuzz.ron", &String::from_utf8_lossy(data), None) {
            Ok(r) => {
                if let Ok(mut s) = Session::new(&r, 1) {
                    for _ in 0..5 {
                        s.step();
                    }
                }
                let again = Preset::parse("again.ron", p.to_ron().as_bytes());
                // NaN never equals itself; a checked preset has none.
                assert_eq!(again.ok(), Some(p), "a written preset reads back the same");
            }
            Err(e) => assert!(e.to_string().starts_with("fuzz.ron"), "{e}"),
        },
        Err(e) => assert!(e.to_string().starts_with("fuzz.ron"), "{e}"),
    }
});
