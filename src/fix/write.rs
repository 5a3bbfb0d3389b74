//! Writing fixed files: atomically, keeping permissions, never over a file that changed.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replaces the file at `path`, whose content was `original` when it was read, with `fixed`.
///
/// The new text goes to a temporary file in the same directory (same filesystem, so the final
/// rename is atomic), is flushed to disk, gets the original's permissions (and owner, where
/// allowed), and is renamed over the original: a crash or a full disk leaves either the old
/// file or the new one, never a truncated one. A symlink is followed, so the link stays a link,
/// but only within the file's repository (the nearest directory holding `.git`, else its own
/// directory): never through a link out of it.
///
/// Refused, with the file untouched: a read-only file (the user said it must not change), a
/// file that changed on disk since it was read (checked again right before the rename: a file
/// changed or deleted meanwhile stays as the user left it), an unwritable directory.
pub fn write_fixed(path: &Path, original: &[u8], fixed: &[u8]) -> io::Result<()> {
    write_fixed_with(path, original, fixed, |_| Ok(()))
}

/// [`write_fixed`], with a hook run between writing the temporary file and renaming it (tests
/// make it fail to show that the original survives).
pub(crate) fn write_fixed_with(
    path: &Path,
    original: &[u8],
    fixed: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !target.starts_with(crate::source::boundary_of(dir, &[])) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is a symlink that leads out of the repository: not written",
        ));
    }
    let metadata = fs::metadata(&target)?;
    if metadata.permissions().readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    // Opening for writing (without truncating) tells whether we may change it at all.
    fs::OpenOptions::new().write(true).open(&target)?;
    if fs::read(&target)? != original {
        return Err(io::Error::other(
            "the file changed on disk since it was read",
        ));
    }
    let dir = target
        .parent()
        .ok_or_else(|| io::Error::other("the file has no parent directory"))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".k8sec-fix-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(fixed)?;
    temp.as_file().sync_all()?;
    fs::set_permissions(temp.path(), metadata.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Only root may give a file away; for anyone else it is already theirs.
        let _ = std::os::unix::fs::chown(temp.path(), Some(metadata.uid()), Some(metadata.gid()));
    }
    before_rename(temp.path())?;
    // The user may have saved the file (or deleted it) while it was being fixed: theirs wins.
    match fs::read(&target) {
        Ok(now) if now == original => {}
        Ok(_) => {
            return Err(io::Error::other(
                "the file changed on disk while it was being fixed: left as it is",
            ))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(io::Error::other(
                "the file was deleted while it was being fixed: not written",
            ))
        }
        Err(error) => return Err(error),
    }
    // On failure the temporary file is removed when `temp` drops.
    temp.persist(&target).map_err(|e| e.error)?;
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all(); // make the rename itself durable where the platform allows
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_before_the_rename_leaves_the_original_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pod.yaml");
        fs::write(&path, "privileged: true\n").unwrap();
        let error = write_fixed_with(
            &path,
            b"privileged: true\n",
            b"privileged: false\n",
            |temp| {
                assert_eq!(fs::read(temp).unwrap(), b"privileged: false\n");
                Err(io::Error::other("disk full"))
            },
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "disk full");
        assert_eq!(fs::read(&path).unwrap(), b"privileged: true\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["pod.yaml"]);
    }

    #[test]
    fn writes_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pod.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_fixed(&path, b"a: 1\n", b"a: 2\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a: 2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
    }

    #[test]
    fn refuses_read_only_files_and_files_changed_since_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pod.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        let error = write_fixed(&path, b"a: 0\n", b"a: 2\n").unwrap_err();
        assert!(error.to_string().contains("changed on disk"), "{error}");
        let mut permissions = fs::metadata(&path).unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&path, permissions).unwrap();
        let error = write_fixed(&path, b"a: 1\n", b"a: 2\n").unwrap_err();
        assert!(error.to_string().contains("read-only"), "{error}");
        assert_eq!(fs::read(&path).unwrap(), b"a: 1\n");
    }

    #[test]
    fn a_file_changed_or_deleted_before_the_rename_is_left_as_the_user_left_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pod.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        let error = write_fixed_with(&path, b"a: 1\n", b"a: 2\n", |_| fs::write(&path, "a: 3\n"))
            .unwrap_err();
        assert!(error.to_string().contains("changed on disk"), "{error}");
        assert_eq!(fs::read(&path).unwrap(), b"a: 3\n");
        let error =
            write_fixed_with(&path, b"a: 3\n", b"a: 2\n", |_| fs::remove_file(&path)).unwrap_err();
        assert!(error.to_string().contains("deleted"), "{error}");
        assert!(!path.exists());
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn never_through_a_symlink_out_of_the_repository() {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("victim.yaml");
        fs::write(&target, "a: 1\n").unwrap();
        let repo = tempfile::tempdir().unwrap();
        fs::create_dir(repo.path().join(".git")).unwrap();
        let link = repo.path().join("pod.yaml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = write_fixed(&link, b"a: 1\n", b"a: 2\n").unwrap_err();
        assert!(
            error.to_string().contains("out of the repository"),
            "{error}"
        );
        assert_eq!(fs::read(&target).unwrap(), b"a: 1\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        let link = dir.path().join("link.yaml");
        fs::write(&real, "a: 1\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_fixed(&link, b"a: 1\n", b"a: 2\n").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"a: 2\n");
    }
}
