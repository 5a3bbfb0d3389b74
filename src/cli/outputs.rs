//! Where `k8sec lint` writes its reports: `--format X` alone prints X on stdout (human by
//! default); `--format X --output FILE` writes X to FILE. The pairs repeat, so one run prints
//! the human report on the terminal and writes SARIF for code scanning:
//! `k8sec lint --format human --format sarif --output k8sec.sarif`.
//!
//! Each `--output` belongs to the `--format` just before it on the command line (clap records
//! where each value stood); at most one format goes to stdout.

use std::path::PathBuf;

use clap::ArgMatches;

use k8sec::report::Format;

use super::args::OutputFormat;
use super::error::Error;

/// One report of the run: its format, and the file it goes to (`None`: stdout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// The reports `lint`'s flags ask for, from where each `--format` and `--output` stood.
pub(crate) fn targets(matches: &ArgMatches) -> Result<Vec<Target>, Error> {
    let formats = values::<OutputFormat>(matches, "format");
    let outputs = values::<PathBuf>(matches, "output");
    pair(
        formats.into_iter().map(|(i, f)| (i, f.into())).collect(),
        outputs,
    )
}

/// The values of `id`, each with its position among the arguments.
fn values<T: Clone + Send + Sync + 'static>(matches: &ArgMatches, id: &str) -> Vec<(usize, T)> {
    match (matches.indices_of(id), matches.get_many::<T>(id)) {
        (Some(indices), Some(values)) => indices.zip(values.cloned()).collect(),
        _ => Vec::new(),
    }
}

/// Pairs each output with the format before it.
fn pair(
    formats: Vec<(usize, Format)>,
    outputs: Vec<(usize, PathBuf)>,
) -> Result<Vec<Target>, Error> {
    if formats.is_empty() && !outputs.is_empty() {
        return Err(Error::Usage(
            "`--output FILE` writes the `--format` given just before it: `--format sarif --output k8sec.sarif`",
        ));
    }
    let mut targets: Vec<Target> = Vec::new();
    let mut outputs = outputs.into_iter().peekable();
    for (n, (at, format)) in formats.iter().enumerate() {
        if n == 0 && outputs.peek().is_some_and(|(o, _)| o < at) {
            return Err(Error::Usage(
                "`--output FILE` writes the `--format` given just before it: `--format sarif --output k8sec.sarif`",
            ));
        }
        let next = formats.get(n + 1).map_or(usize::MAX, |(i, _)| *i);
        let mut file = None;
        while let Some((_, path)) = outputs.next_if(|(o, _)| o < &next) {
            if file.replace(path).is_some() {
                return Err(Error::Usage("each `--format` takes at most one `--output`"));
            }
        }
        targets.push(Target {
            format: *format,
            file,
        });
    }
    if targets.is_empty() {
        targets.push(Target {
            format: Format::Human,
            file: None,
        });
    }
    if targets.iter().filter(|t| t.file.is_none()).count() > 1 {
        return Err(Error::Usage(
            "only one `--format` can print to stdout: give the others an `--output FILE`",
        ));
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(format: Format, file: Option<&str>) -> Target {
        Target {
            format,
            file: file.map(PathBuf::from),
        }
    }

    #[test]
    fn outputs_pair_with_the_format_before_them() {
        let paired = pair(
            vec![(1, Format::Human), (3, Format::Sarif), (7, Format::Junit)],
            vec![(5, "k.sarif".into()), (9, "k.xml".into())],
        )
        .unwrap();
        assert_eq!(
            paired,
            [
                target(Format::Human, None),
                target(Format::Sarif, Some("k.sarif")),
                target(Format::Junit, Some("k.xml")),
            ]
        );
        assert_eq!(pair(vec![], vec![]).unwrap(), [target(Format::Human, None)]);
    }

    #[test]
    fn ambiguous_pairs_are_usage_errors() {
        // An output before any format, two outputs for one format, two formats on stdout.
        assert!(pair(vec![(3, Format::Sarif)], vec![(1, "a".into())]).is_err());
        assert!(pair(vec![], vec![(1, "a".into())]).is_err());
        assert!(pair(
            vec![(1, Format::Sarif)],
            vec![(3, "a".into()), (5, "b".into())]
        )
        .is_err());
        assert!(pair(vec![(1, Format::Sarif), (3, Format::Json)], vec![]).is_err());
    }
}
