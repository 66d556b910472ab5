//! Bounded reads: a model file or preset is read only up to its size limit, so a
//! path like `/dev/zero` or a multi-gigabyte file is refused instead of filling memory.

use std::io::{self, Read};
use std::path::Path;

/// Reads at most `max_bytes` from `path`; a larger file is an error saying both sizes.
pub fn read_limited(path: &Path, max_bytes: usize) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max_bytes as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the file is larger than the limit of {max_bytes} bytes"),
        ));
    }
    Ok(bytes)
}

/// [`read_limited`] as UTF-8 text.
pub fn read_text_limited(path: &Path, max_bytes: usize) -> io::Result<String> {
    String::from_utf8(read_limited(path, max_bytes)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_endless_file_is_refused() {
        let err = super::read_limited(std::path::Path::new("/dev/zero"), 1000).unwrap_err();
        assert!(err.to_string().contains("1000 bytes"), "{err}");
    }
}
