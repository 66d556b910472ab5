//! Writes that never destroy: every file the app writes (presets, CSV, sidecars, PNG,
//! tables, the autosave) goes to a temporary file in the same folder, is flushed to
//! disk and then renamed over the target. A failure at any point (disk full,
//! permission, file-size limit) leaves the old file as it was and removes the
//! temporary one; the error names the target and the reason.
//!
//! The same folder matters: `rename` is atomic only within one file system.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A file being written; becomes `target` only on [`AtomicFile::commit`].
/// Dropped without commit, the temporary file is removed and the target untouched.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

/// Wraps an I/O error so that it names the file and what was being done.
fn context(e: io::Error, what: &str, path: &Path) -> io::Error {
    let reason = match e.raw_os_error() {
        // ENOSPC and EFBIG say it plainly; EFBIG comes from a file-size limit.
        Some(28) => "no space left on the device".to_owned(),
        Some(27) => "file too large (a file-size limit was reached)".to_owned(),
        _ => e.to_string(),
    };
    io::Error::new(
        e.kind(),
        format!(
            "cannot {what} {}: {reason} (any existing file is unchanged)",
            path.display()
        ),
    )
}

/// A temporary name beside `target`, unique within this process and across processes.
fn temp_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |s| s.to_string_lossy().into_owned());
    let temp_name = format!(".{name}.{}.{n}.tmp", std::process::id());
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(temp_name),
        _ => PathBuf::from(temp_name),
    }
}

impl AtomicFile {
    /// Opens a temporary file beside `target` (beside the file a symbolic link points
    /// to, so the link survives). Only regular files are replaced: a folder or a
    /// device (`/dev/full`, `/dev/null`) is refused, never renamed over.
    pub fn create(target: &Path) -> io::Result<Self> {
        let target = match std::fs::canonicalize(target) {
            Ok(real) if target.is_symlink() => real,
            _ => target.to_owned(),
        };
        if let Ok(meta) = std::fs::metadata(&target)
            && !meta.is_file()
        {
            let what = if meta.is_dir() {
                "a folder"
            } else {
                "not a regular file"
            };
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "cannot write {}: it is {what}; choose a file name",
                    target.display()
                ),
            ));
        }
        let temp = temp_path(&target);
        let file = File::create(&temp).map_err(|e| context(e, "write", &target))?;
        Ok(Self::with_temp(target, temp, file))
    }

    fn with_temp(target: PathBuf, temp: PathBuf, file: File) -> Self {
        Self {
            target,
            temp,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        }
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes and syncs what is written so far, so that a later
    /// [`AtomicFile::commit`] is only the rename (a sidecar is prepared while its
    /// run steps, and put in place once the run's CSV is).
    pub fn sync(&mut self) -> io::Result<()> {
        let target = &self.target;
        match &mut self.writer {
            Some(w) => w
                .flush()
                .and_then(|()| w.get_ref().sync_all())
                .map_err(|e| context(e, "write", target)),
            None => Err(io::Error::other("already committed")),
        }
    }

    /// Flushes, syncs and renames over the target. On error the target is unchanged
    /// and the temporary file removed.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(writer) = self.writer.take() else {
            return Err(io::Error::other("already committed"));
        };
        let target = self.target.clone();
        let finish = || -> io::Result<()> {
            let file = writer
                .into_inner()
                .map_err(|e| context(e.into_error(), "write", &target))?;
            file.sync_all().map_err(|e| context(e, "write", &target))?;
            drop(file);
            std::fs::rename(&self.temp, &target).map_err(|e| context(e, "replace", &target))
        };
        let result = finish();
        if result.is_err() {
            let _ = std::fs::remove_file(&self.temp);
        }
        result
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let target = &self.target;
        match &mut self.writer {
            Some(w) => w.write(buf).map_err(|e| context(e, "write", target)),
            None => Err(io::Error::other("already committed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let target = &self.target;
        match &mut self.writer {
            Some(w) => w.write_all(buf).map_err(|e| context(e, "write", target)),
            None => Err(io::Error::other("already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let target = &self.target;
        match &mut self.writer {
            Some(w) => w.flush().map_err(|e| context(e, "write", target)),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            // Not committed: the target keeps its old contents.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `path` atomically (temporary file, sync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_full_disk_leaves_the_old_file_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"old").unwrap();
        // /dev/full stands in for the temporary file: every write to it fails
        // with ENOSPC, as on a full disk.
        let Ok(full) = File::options().write(true).open("/dev/full") else {
            return;
        };
        let mut f = AtomicFile::with_temp(path.clone(), dir.path().join("t.tmp"), full);
        let err = f
            .write_all(&vec![b'x'; 4 << 20])
            .and_then(|()| f.commit())
            .unwrap_err();
        assert!(err.to_string().contains("no space left"), "{err}");
        assert!(err.to_string().contains("a.csv"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
    }

    #[test]
    fn devices_and_folders_are_never_replaced() {
        let err = write_atomic(Path::new("/dev/full"), b"x").unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");
    }

    #[test]
    fn a_symbolic_link_keeps_pointing_at_the_new_contents() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.ron");
        let link = dir.path().join("link.ron");
        write_atomic(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn an_uncommitted_file_leaves_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"old").unwrap();
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
