//! How the agent reaches the eID card, from `agent.toml`.

use crate::agent_config::AgentConfig;

/// PIV over PC/SC unless a PKCS#11 module is configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardSettings {
    /// Path of the PKCS#11 module (`.so`) to use; `None` for PIV over PC/SC.
    pub module: Option<String>,
    /// The reader (or PKCS#11 slot) to use; `None` for the first with a card.
    pub reader: Option<String>,
}

impl From<&AgentConfig> for CardSettings {
    fn from(c: &AgentConfig) -> CardSettings {
        CardSettings {
            module: c.card_module.clone(),
            reader: c.card_reader.clone(),
        }
    }
}
