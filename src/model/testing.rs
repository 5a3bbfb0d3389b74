//! Parsing YAML texts into the objects of one deployment unit, for the unit tests of the model,
//! the graph and the checks: no discovery, no pipeline.

use std::path::PathBuf;
use std::sync::Arc;

use super::{resources_of, Resource};
use crate::source::{Origin, SourceFile, Sources};
use crate::yaml::{parse_stream, FileId};

/// The sources and resources of `files` (path, text), in that order. Panics on a YAML error:
/// a test's input must parse.
pub(crate) fn unit(files: &[(&str, &str)]) -> (Sources, Vec<Resource>) {
    let mut sources = Sources::default();
    let mut resources = Vec::new();
    for (path, text) in files {
        let file = SourceFile::new(PathBuf::from(path), text.to_string(), Origin::File);
        let stream = parse_stream(&file.text, FileId(sources.len() as u32), &file.line_index);
        assert!(stream.error.is_none(), "{path}: {:?}", stream.error);
        sources.push(file);
        for document in stream.documents {
            resources.extend(resources_of(&Arc::new(document.tree)));
        }
    }
    (sources, resources)
}
