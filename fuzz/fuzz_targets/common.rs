//! What the targets share: the configuration they lint with (every check).

use std::sync::OnceLock;

use k8sec::config::{Config, Overrides};

/// The default configuration with every check selected, loaded once.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let all = Overrides {
            select: Some(vec!["all".to_string()]),
            ..Overrides::default()
        };
        Config::load(None, &all).expect("the default configuration loads")
    })
}
