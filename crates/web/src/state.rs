use ecp_app::App;
use std::sync::Arc;

/// Web settings from the server's configuration.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Set the `Secure` flag on cookies: on whenever the site is reached
    /// over HTTPS (directly or behind a proxy).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    /// When this node last wrote each user's last-seen time (Users Online).
    pub seen: Arc<crate::ui::presence::SeenWrites>,
}
