//! A project: one workspace folder linted as `k8sec lint .` run in it, or one file opened
//! outside every folder, linted alone (as `k8sec lint <file>` in its directory).
//!
//! Its configuration is found as the command line finds it (`.k8sec.toml` in the root or
//! above), its charts are rendered with the same options ([`LoadOptions::from_config`]), and
//! what it holds is a [`LiveWorkspace`]. Paths in reports, `exclude` and `per-path-ignores` are
//! relative to the working directory, so the server works in a project's root while it loads
//! or updates that project (one project at a time: the server runs on one thread).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{self, Config, ConfigError, Overrides};
use crate::pipeline::live::{LiveWorkspace, Refresh};
use crate::pipeline::load::{HelmFlags, LoadOptions};
use crate::workspace::Inputs;

/// One workspace folder, or one lone file.
pub(crate) struct Project {
    /// An absolute directory: the folder, or the lone file's directory.
    pub(crate) root: PathBuf,
    /// The lone file this project lints, when it is not a folder.
    pub(crate) lone: Option<PathBuf>,
    /// The configuration the workspace was linted with.
    pub(crate) config: Option<Config>,
    /// Why the configuration file could not be used (the last good one, if any, stays).
    pub(crate) config_error: Option<ConfigError>,
    pub(crate) live: Option<LiveWorkspace>,
}

/// What loading or updating a project did, for the log.
pub(crate) struct Outcome {
    pub(crate) refresh: Refresh,
    pub(crate) took: Duration,
}

impl Project {
    pub(crate) fn folder(root: PathBuf) -> Project {
        Project {
            root,
            lone: None,
            config: None,
            config_error: None,
            live: None,
        }
    }

    pub(crate) fn lone(file: PathBuf) -> Project {
        let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
        Project {
            lone: Some(file),
            ..Project::folder(root)
        }
    }

    /// Whether `path` is this project's to lint.
    pub(crate) fn contains(&self, path: &Path) -> bool {
        match &self.lone {
            Some(file) => file == path,
            None => path.starts_with(&self.root),
        }
    }

    /// Works in the root (see the module's doc); `false` when the root is gone.
    fn enter(&self) -> bool {
        std::env::set_current_dir(&self.root).is_ok()
    }

    /// Reads the configuration and loads and lints everything, with `buffers` (the open
    /// documents) read instead of the disk. With a configuration that cannot be used, the last
    /// good one is kept (nothing is linted until there is one).
    pub(crate) fn load(&mut self, buffers: BTreeMap<PathBuf, String>) -> Outcome {
        let started = Instant::now();
        if !self.enter() {
            self.live = None;
            return self.outcome(Refresh::Reloaded, started);
        }
        let found = config::find(&self.root);
        match Config::load(found.as_deref(), &Overrides::default()) {
            Ok(config) => {
                self.config = Some(config);
                self.config_error = None;
            }
            Err(error) => self.config_error = Some(error),
        }
        let Some(config) = &self.config else {
            self.live = None;
            return self.outcome(Refresh::Reloaded, started);
        };
        let options = LoadOptions::from_config(config, &HelmFlags::default());
        let path = match &self.lone {
            Some(file) => PathBuf::from(file.file_name().unwrap_or_default()),
            None => PathBuf::from("."),
        };
        let inputs = Inputs {
            paths: vec![path],
            stdin: None,
            overlays: self.relative(buffers),
        };
        let root = self.root.clone();
        self.live = Some(LiveWorkspace::load(inputs, options, config, root));
        self.outcome(Refresh::Reloaded, started)
    }

    /// Takes the new texts of `changes` (with `buffers`, the open documents, for a reload).
    pub(crate) fn update(
        &mut self,
        buffers: BTreeMap<PathBuf, String>,
        changes: Vec<(PathBuf, String)>,
    ) -> Outcome {
        let started = Instant::now();
        let (Some(live), Some(config)) = (&mut self.live, &self.config) else {
            return self.load(buffers);
        };
        if !changes.is_empty() && std::env::set_current_dir(&self.root).is_ok() {
            *live.overlays_mut() = relative(&self.root, buffers);
            let refresh = live.update(changes, config);
            return self.outcome(refresh, started);
        }
        self.outcome(Refresh::Unchanged, started)
    }

    fn relative(&self, buffers: BTreeMap<PathBuf, String>) -> BTreeMap<PathBuf, String> {
        relative(&self.root, buffers)
    }

    fn outcome(&self, refresh: Refresh, started: Instant) -> Outcome {
        Outcome {
            refresh,
            took: started.elapsed(),
        }
    }

    /// The configuration file in use, or the one that could not be used.
    pub(crate) fn config_path(&self) -> Option<&Path> {
        self.config_error
            .as_ref()
            .and_then(|e| e.path.as_deref())
            .or_else(|| self.config.as_ref().and_then(|c| c.path.as_deref()))
    }
}

/// The buffers under `root` keyed by their path relative to it, as the loader reads them against
/// the working directory (the root, whose path the process may see without the symlinks the
/// editor's paths go through).
fn relative(root: &Path, buffers: BTreeMap<PathBuf, String>) -> BTreeMap<PathBuf, String> {
    buffers
        .into_iter()
        .map(|(path, text)| match path.strip_prefix(root) {
            Ok(inside) => (inside.to_path_buf(), text),
            Err(_) => (path, text),
        })
        .collect()
}
