//! Reading and parsing files in parallel.

use std::path::PathBuf;

use rayon::prelude::*;

use super::read::read_file;
use super::{IoProblem, Origin, Overlays, SourceFile};
use crate::yaml::{parse_stream, parse_valid_prefix, FileId, ParsedStream};

/// One file after reading and parsing.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: SourceFile,
    pub stream: ParsedStream,
}

/// Reads and parses `paths` in parallel, taking a file's text from `overlays` when it has one.
/// Results keep the order of `paths`, so file ids are stable whatever the thread count. Files
/// that cannot be read (or are larger than `max_size` bytes) become [`IoProblem`]s.
pub fn load_files(
    paths: &[PathBuf],
    first_id: u32,
    overlays: &Overlays<'_>,
    max_size: u64,
) -> (Vec<LoadedFile>, Vec<IoProblem>) {
    let results: Vec<Result<(PathBuf, Vec<u8>), IoProblem>> = paths
        .par_iter()
        .map(|path| {
            let overlay = overlays.text(path).map(|text| Ok(text.as_bytes().to_vec()));
            overlay
                .unwrap_or_else(|| read_file(path, max_size))
                .map(|bytes| (path.clone(), bytes))
                .map_err(|error| IoProblem {
                    path: path.clone(),
                    message: error.to_string(),
                })
        })
        .collect();
    let mut problems = Vec::new();
    let readable: Vec<(PathBuf, Vec<u8>)> = results
        .into_iter()
        .filter_map(|r| r.map_err(|p| problems.push(p)).ok())
        .collect();
    let loaded = readable
        .into_par_iter()
        .enumerate()
        .map(|(i, (path, bytes))| {
            load_bytes(path, bytes, Origin::File, FileId(first_id + i as u32))
        })
        .collect();
    (loaded, problems)
}

/// Parses text that did not come from a walk (stdin, an editor buffer).
pub fn load_text(path: PathBuf, bytes: Vec<u8>, origin: Origin, id: FileId) -> LoadedFile {
    load_bytes(path, bytes, origin, id)
}

fn load_bytes(path: PathBuf, bytes: Vec<u8>, origin: Origin, id: FileId) -> LoadedFile {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let source = SourceFile::new(path, text, origin);
            let stream = parse_stream(&source.text, id, &source.line_index);
            LoadedFile { source, stream }
        }
        Err(error) => {
            // The documents before the bad bytes are read (kubectl reads them); the error is at
            // the first bad byte, shown with its line and column.
            let valid = error.utf8_error().valid_up_to();
            let mut bytes = error.into_bytes();
            bytes.truncate(valid);
            let text = String::from_utf8(bytes).unwrap_or_default();
            let source = SourceFile::new(path, text, origin);
            let stream = parse_valid_prefix(&source.text, id, &source.line_index);
            LoadedFile { source, stream }
        }
    }
}
