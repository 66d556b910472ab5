//! `neuron-explorer lessons` and the errors of `neuron-explorer lesson` (the window
//! itself is tested in tests/ui_lessons.rs).

use std::process::Command;

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
}

#[test]
fn lessons_lists_name_title_and_steps() {
    let out = exe().arg("lessons").output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), neuron_explorer::lesson::BUILTIN.len());
    assert!(lines.len() >= 8);
    let first: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(first[0], "01_action_potential");
    assert!(first[1].contains("action potential"), "{}", first[1]);
    assert!(first[2].ends_with(" steps"), "{}", first[2]);
}

#[test]
fn a_bad_lesson_file_is_refused_with_file_line_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.ron");
    let text = "(\n  title: \"T\",\n  citation: \"C\",\n  steps: [\n    (title: \"A\", text: \"x\", model: \"Izhikevich2007\",\n     check: Param(name: \"I_ap\", min: 0.0, max: 1.0)),\n  ],\n)\n";
    std::fs::write(&path, text).expect("write");
    let out = exe().arg("lesson").arg(&path).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.ron:6: field `steps[0].check.name`: `I_ap` is not a parameter"),
        "{err}"
    );
    let out = exe()
        .args(["lesson", "no_such_lesson"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
