//! Writes never destroy: a preset, CSV or sidecar written over an existing file
//! either replaces it whole or leaves it exactly as it was, with a message saying
//! why. Faults are real: a read-only folder (as an unprivileged user when the tests
//! run as root), a file-size limit (`RLIMIT_FSIZE` in a child process, SIGXFSZ
//! ignored, so writes fail with EFBIG), and a full disk (`/dev/full`, in the unit
//! tests of `src/io/atomic.rs`).

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_neuron-explorer");
const OLD: &str = "t,v,spike\n0,-65,0\n";

fn preset(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("p.ron");
    std::fs::write(
        &p,
        r#"(model: "Izhikevich2007", duration_ms: 2000.0, events: [(t_ms: 10.0, set: {"I_app": 80.0})])"#,
    )
    .unwrap();
    p
}

/// Runs the CLI with `limit` applied to the child only (before exec).
fn run_cli(args: &[&str], limit: impl Fn() + Send + Sync + 'static) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    // SAFETY: the closure only calls async-signal-safe libc functions.
    unsafe {
        cmd.pre_exec(move || {
            limit();
            Ok(())
        });
    }
    cmd.output().unwrap()
}

/// In the child: become `nobody` if we are root, so permissions apply.
fn as_unprivileged() {
    // SAFETY: plain libc calls between fork and exec.
    unsafe {
        if libc::geteuid() == 0 {
            libc::setgroups(0, std::ptr::null());
            libc::setgid(65534);
            libc::setuid(65534);
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder anyone may enter and read (the child may run as `nobody`).
fn open_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn a_read_only_folder_keeps_the_old_csv_and_preset() {
    let dir = open_dir();
    let p = preset(dir.path());
    let out_csv = dir.path().join("trace.csv");
    std::fs::write(&out_csv, OLD).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = run_cli(
        &[
            "run",
            p.to_str().unwrap(),
            "--out",
            out_csv.to_str().unwrap(),
        ],
        as_unprivileged,
    );
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("trace.csv") && err.contains("ermission denied"),
        "{err}"
    );
    assert!(err.contains("unchanged"), "{err}");
    assert_eq!(std::fs::read_to_string(&out_csv).unwrap(), OLD);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file left"
    );
}

#[test]
fn a_file_size_limit_keeps_the_old_csv() {
    let dir = open_dir();
    let p = preset(dir.path());
    let out_csv = dir.path().join("trace.csv");
    std::fs::write(&out_csv, OLD).unwrap();
    let out = run_cli(
        &[
            "run",
            p.to_str().unwrap(),
            "--out",
            out_csv.to_str().unwrap(),
        ],
        || {
            // SAFETY: plain libc calls between fork and exec; SIG_IGN survives exec,
            // so the write fails with EFBIG instead of killing the process.
            unsafe {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let limit = libc::rlimit {
                    rlim_cur: 100_000,
                    rlim_max: 100_000,
                };
                libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            }
        },
    );
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("file too large"), "{err}");
    assert!(err.contains("trace.csv"), "{err}");
    assert_eq!(std::fs::read_to_string(&out_csv).unwrap(), OLD);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

#[test]
fn a_successful_run_replaces_the_old_csv_whole() {
    let dir = open_dir();
    let p = preset(dir.path());
    let out_csv = dir.path().join("trace.csv");
    std::fs::write(&out_csv, OLD).unwrap();
    let out = run_cli(
        &[
            "run",
            p.to_str().unwrap(),
            "--out",
            out_csv.to_str().unwrap(),
        ],
        || {},
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&out_csv).unwrap();
    assert_eq!(text.lines().count(), 20_002, "header + rows 0..=20000");
    assert!(dir.path().join("trace.csv.json").exists());
}

#[test]
fn writing_over_a_device_is_refused() {
    let dir = open_dir();
    let p = preset(dir.path());
    let out = run_cli(&["run", p.to_str().unwrap(), "--out", "/dev/full"], || {});
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}
