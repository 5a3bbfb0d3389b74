//! The repository boundary and the one way k8sec reads a file of the repository.
//!
//! The scanned repository is untrusted: a file in it may be a FIFO that never ends, a symlink
//! to `/dev/zero` or to a credentials file outside it, or simply enormous. Every reader (the
//! walk, explicit paths, the Kustomize builder's file store) goes through [`read_file`], which
//! opens regular files only (never blocking on a FIFO), reads at most the size limit, and
//! says why it refused; the walk also keeps to [`boundary_of`] the repository.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest file read by default (`--max-file-size`): far above any real manifest, low
/// enough that a run over a hostile repository stays within memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Not a regular file (after following symlinks): a FIFO, socket or device.
    NotRegular(&'static str),
    /// Larger than the limit.
    TooLarge {
        limit: u64,
    },
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(
                f,
                "not a regular file ({kind}): not read (pipe a stream to `k8sec lint -` instead)"
            ),
            ReadError::TooLarge { limit } => write!(
                f,
                "larger than the {} MB limit: not read (raise it with `--max-file-size`)",
                limit / (1024 * 1024)
            ),
            ReadError::Io(error) => write!(f, "{error}"),
        }
    }
}

/// What kind of special file `file_type` is, or `None` for a regular file, directory or
/// symlink.
pub(crate) fn special_kind(file_type: fs::FileType) -> Option<&'static str> {
    if file_type.is_file() || file_type.is_dir() || file_type.is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

/// Reads the regular file at `path` (symlinks followed), at most `limit` bytes.
///
/// The file is opened without blocking (a FIFO would otherwise wait for a writer forever) and
/// checked on the open handle, so nothing can be swapped in between the check and the read.
pub(crate) fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        if meta.is_dir() {
            return Err(ReadError::Io(io::Error::other("is a directory")));
        }
        return Err(ReadError::NotRegular(
            special_kind(meta.file_type()).unwrap_or("a special file"),
        ));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read: never take more than the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// The repository a path belongs to, which nothing k8sec reads or writes may leave: the
/// nearest ancestor of `dir` holding `.git`, else the linted path (among `inputs`) that
/// contains `dir` (a file's directory for a file), else `dir` itself. Canonical.
pub fn boundary_of(dir: &Path, inputs: &[PathBuf]) -> PathBuf {
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for ancestor in real.ancestors() {
        if ancestor.join(".git").exists() {
            return ancestor.to_path_buf();
        }
    }
    inputs
        .iter()
        .filter_map(|i| {
            let input = i.canonicalize().ok()?;
            let input = if input.is_file() {
                input.parent()?.to_path_buf()
            } else {
                input
            };
            real.starts_with(&input).then_some(input)
        })
        .max_by_key(|p| p.as_os_str().len())
        .unwrap_or(real)
}

/// Where the symlink at `path` leads when that is outside `boundary` (canonical), else `None`
/// (inside, or dangling: reading it then fails on its own).
pub(crate) fn escapes(path: &Path, boundary: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    (!real.starts_with(boundary)).then_some(real)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.yaml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let error = read_file(&fifo, DEFAULT_MAX_FILE_SIZE).unwrap_err();
        assert!(error.to_string().contains("a FIFO"), "{error}");
        let error = read_file(Path::new("/dev/zero"), DEFAULT_MAX_FILE_SIZE).unwrap_err();
        assert!(error.to_string().contains("a device"), "{error}");
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        fs::write(&path, "a: 1\n".repeat(100)).unwrap();
        assert_eq!(read_file(&path, 500).unwrap().len(), 500);
        let error = read_file(&path, 499).unwrap_err();
        assert!(
            matches!(error, ReadError::TooLarge { limit: 499 }),
            "{error}"
        );
    }
}
