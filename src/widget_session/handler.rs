//! Handling of each widget frame. One handler per connection; its state is the
//! session that `hello` opened or resumed.

use chrono_tz::Tz;
use tokio::sync::Mutex;

use super::hub::SlotsTaken;
use super::protocol::{BookingConfirmed, ClientFrame, ErrorFrame, IdentifyFrame, PageInfo, ServerFrame};
use crate::startup::AppState;
use crate::storage::widget_sessions::{NewWidgetSession, WidgetSession};
use crate::storage::workspaces::Site;
use crate::{booking, crypto};

/// Maximum length of an accepted locale tag (real BCP 47 tags are far shorter).
const MAX_LOCALE_LEN: usize = 35;

/// Handles the frames of one connection.
pub struct SessionHandler {
    pub(crate) state: AppState,
    pub(crate) site: Site,
    session: Mutex<Option<WidgetSession>>,
    /// The widget's own visitor id from `hello`, which page views key on.
    anonymous_id: std::sync::Mutex<Option<String>>,
    /// Meeting links whose slots this widget was shown, for `slots_changed`.
    viewed_links: std::sync::Mutex<Vec<String>>,
}

impl SessionHandler {
    /// A handler for a new connection to `site`.
    pub fn new(state: AppState, site: Site) -> Self {
        Self {
            state,
            site,
            session: Mutex::new(None),
            anonymous_id: Default::default(),
            viewed_links: Default::default(),
        }
    }

    /// Parses and handles one text frame, returning the frames to send back.
    pub async fn handle_text(&self, text: &str) -> Vec<ServerFrame> {
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(frame) => frame,
            Err(error) => {
                let message = format!("frame is not a valid widget message: {error}");
                return vec![ServerFrame::Error(ErrorFrame::new("invalid_frame", message))];
            }
        };
        match self.handle_frame(frame).await {
            Ok(frames) => frames,
            Err(error) => {
                tracing::error!(error = ?error, site_id = %self.site.id, "widget frame failed");
                let request_id = crate::telemetry::new_request_id();
                let message = format!("The server failed to handle this request (reference {request_id}); try again.");
                tracing::error!(reference = %request_id, "reference of the failed widget frame");
                vec![ServerFrame::Error(ErrorFrame::new("internal", message))]
            }
        }
    }

    async fn handle_frame(&self, frame: ClientFrame) -> anyhow::Result<Vec<ServerFrame>> {
        if let ClientFrame::Hello { time_zone, locale, resume_token, anonymous_id, page } = frame {
            return self.hello(time_zone, locale, resume_token, anonymous_id, page).await;
        }
        let Some(session) = self.session.lock().await.clone() else {
            let error = ErrorFrame::new("hello_required", "send a hello frame first");
            return Ok(vec![ServerFrame::Error(error)]);
        };
        match frame {
            ClientFrame::Hello { .. } => unreachable!("handled above"),
            ClientFrame::ListMeetingTypes {} => {
                let items = self.state.catalogue.meeting_types(&self.site.workspace_id).await;
                Ok(vec![ServerFrame::MeetingTypes { items }])
            }
            ClientFrame::GetSlots { meeting_type_id, duration_ms } => {
                self.remember_viewed(&meeting_type_id);
                let zone = parse_zone(&session.time_zone)?;
                let frame = self
                    .state
                    .catalogue
                    .slots_frame(&self.site.workspace_id, &meeting_type_id, duration_ms, zone)
                    .await;
                Ok(vec![frame])
            }
            ClientFrame::Book(book) => {
                self.remember_viewed(&book.meeting_type_id);
                Ok(booking::book_from_widget(&self.state, &self.site, &session, book).await)
            }
            ClientFrame::SetTimeZone { time_zone } => {
                if time_zone.parse::<Tz>().is_err() {
                    return Ok(vec![invalid_time_zone(&time_zone)]);
                }
                let mut guard = self.session.lock().await;
                if let Some(session) = guard.as_mut() {
                    session.time_zone = time_zone;
                    self.state.db.touch_widget_session(session, self.state.clock.now_ms()).await?;
                }
                Ok(vec![])
            }
            ClientFrame::PageView { url, title } => {
                let mut session = session;
                self.record_page_view(&mut session, PageInfo { url, title }).await?;
                *self.session.lock().await = Some(session);
                Ok(vec![])
            }
            ClientFrame::Identify(frame) => self.identify(session, frame).await,
        }
    }

    /// Stores who the widget visitor is, links its anonymous visitor to
    /// that person, points the session at the person and runs the
    /// workflows with the trigger `identify`.
    async fn identify(&self, mut session: WidgetSession, frame: IdentifyFrame) -> anyhow::Result<Vec<ServerFrame>> {
        let input = match super::identify::identify_input(frame) {
            Ok(input) => input,
            Err(error) => return Ok(vec![ServerFrame::Error(error)]),
        };
        let anonymous_id = self.anonymous_id.lock().expect("anonymous id lock is never poisoned").clone();
        let workspace_id = &self.site.workspace_id;
        let now = self.state.clock.now_ms();
        let db = &self.state.db;
        let visitor_id = match anonymous_id {
            Some(anonymous_id) => db.identify_anonymous_visitor(workspace_id, &anonymous_id, &input, now).await?.visitor.id,
            None => db.save_visitor(workspace_id, &input, now).await?.id,
        };
        tracing::info!(session_id = %session.id, visitor_id, "widget visitor {visitor_id} identified");
        session.visitor_id = Some(visitor_id.clone());
        db.touch_widget_session(&session, now).await?;
        *self.session.lock().await = Some(session);
        if let Err(error) = crate::workflows::evaluate_visitor(&self.state, workspace_id, &visitor_id, "identify").await {
            tracing::error!(visitor_id, error = %error, "workflow evaluation after identify failed");
        }
        Ok(vec![ServerFrame::Identified {}])
    }

    async fn hello(
        &self,
        time_zone: String,
        locale: String,
        resume_token: Option<String>,
        anonymous_id: Option<String>,
        page: Option<PageInfo>,
    ) -> anyhow::Result<Vec<ServerFrame>> {
        if time_zone.parse::<Tz>().is_err() {
            return Ok(vec![invalid_time_zone(&time_zone)]);
        }
        if locale.is_empty() || locale.len() > MAX_LOCALE_LEN || !locale.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            let error = ErrorFrame::invalid_field(
                "locale",
                format!("locale must be a BCP 47 tag such as en-US, got `{locale}`"),
            );
            return Ok(vec![ServerFrame::Error(error)]);
        }
        if let Some(id) = &anonymous_id {
            if !is_client_token(id) {
                let error = ErrorFrame::invalid_field(
                    "anonymous_id",
                    "anonymous_id must be 8 to 64 characters of A-Z, a-z, 0-9, - and _",
                );
                return Ok(vec![ServerFrame::Error(error)]);
            }
        }

        let now = self.state.clock.now_ms();
        let resumed = match &resume_token {
            Some(token) => self.resume(token, now).await?,
            None => None,
        };
        let (mut session, token, resumed_flag) = match resumed {
            Some((session, token)) => (session, token, true),
            None => {
                let token = crypto::random_token();
                let new = NewWidgetSession {
                    site_id: &self.site.id,
                    workspace_id: &self.site.workspace_id,
                    resume_token: &token,
                    visitor_id: None,
                    time_zone: &time_zone,
                    locale: &locale,
                };
                (self.state.db.create_widget_session(new, now).await?, token, false)
            }
        };
        session.time_zone = time_zone;
        session.locale = locale;
        *self.anonymous_id.lock().expect("anonymous id lock is never poisoned") = anonymous_id;
        self.state.db.touch_widget_session(&session, now).await?;
        tracing::Span::current().record("session_id", session.id.as_str());
        tracing::info!(session_id = %session.id, resumed = resumed_flag, "widget session opened");

        let bookings = self.confirmed_bookings(&session).await?;
        let booking_available = self.state.hubspot_connected(&self.site.workspace_id).await;
        if let Some(page) = page {
            self.record_page_view(&mut session, page).await?;
        }
        *self.session.lock().await = Some(session.clone());
        Ok(vec![ServerFrame::Welcome {
            session_id: session.id.clone(),
            resume_token: token,
            resumed: resumed_flag,
            time_zone: session.time_zone.clone(),
            locale: session.locale.clone(),
            booking_available,
            bookings,
        }])
    }

    async fn resume(&self, token: &str, now: i64) -> anyhow::Result<Option<(WidgetSession, String)>> {
        let window_ms = (self.state.settings.widget_session_resume_secs * 1000) as i64;
        let session = self
            .state
            .db
            .resumable_widget_session(&self.site.id, token, now - window_ms)
            .await?;
        Ok(session.map(|session| (session, token.to_string())))
    }

    async fn confirmed_bookings(&self, session: &WidgetSession) -> anyhow::Result<Vec<BookingConfirmed>> {
        let bookings = self.state.db.confirmed_bookings_of_session(&session.id).await?;
        Ok(bookings.iter().map(booking::confirmation_frame).collect())
    }

    /// Stores a page view of the widget's anonymous visitor and runs the
    /// workflows on it. Without an `anonymous_id` there is no one to
    /// attribute the view to, so it is dropped.
    async fn record_page_view(&self, session: &mut WidgetSession, page: PageInfo) -> anyhow::Result<()> {
        let anonymous_id = self.anonymous_id.lock().expect("anonymous id lock is never poisoned").clone();
        let Some(anonymous_id) = anonymous_id else {
            return Ok(());
        };
        let Some((url, title)) = checked_page(&page) else {
            tracing::debug!(session_id = %session.id, "page view with an invalid URL ignored");
            return Ok(());
        };
        let now = self.state.clock.now_ms();
        let workspace_id = &self.site.workspace_id;
        let visitor_id = self
            .state
            .db
            .record_page_view(workspace_id, &self.site.id, &anonymous_id, &url, title.as_deref(), now)
            .await?;
        // The anonymous id may have been linked to an identified visitor
        // since the last view, by this widget or another tab.
        if session.visitor_id.as_deref() != Some(visitor_id.as_str()) {
            session.visitor_id = Some(visitor_id.clone());
            self.state.db.touch_widget_session(session, now).await?;
        }
        if let Err(error) = crate::workflows::evaluate_visitor(&self.state, workspace_id, &visitor_id, "page_view").await {
            tracing::error!(visitor_id, error = %error, "workflow evaluation after a page view failed");
        }
        Ok(())
    }

    fn remember_viewed(&self, slug: &str) {
        let mut viewed = self.viewed_links.lock().expect("viewed links lock is never poisoned");
        if !viewed.iter().any(|viewed| viewed == slug) {
            viewed.push(slug.to_string());
        }
    }

    /// Builds the `slots_changed` frame for `event` when it concerns a
    /// meeting type this widget showed.
    pub fn slots_changed_frame(&self, event: &SlotsTaken) -> Option<ServerFrame> {
        if event.workspace_id != self.site.workspace_id {
            return None;
        }
        let viewed = self.viewed_links.lock().expect("viewed links lock is never poisoned");
        viewed.iter().any(|slug| *slug == event.slug).then(|| ServerFrame::SlotsChanged {
            meeting_type_id: event.slug.clone(),
            removed: event.removed.clone(),
        })
    }

    /// Records the session's last activity when the connection ends.
    pub async fn on_disconnect(&self) {
        let guard = self.session.lock().await;
        if let Some(session) = guard.as_ref() {
            if let Err(error) = self.state.db.touch_widget_session(session, self.state.clock.now_ms()).await {
                tracing::warn!(error = %error, session_id = %session.id, "failed to store the session's last activity");
            }
        }
    }
}

/// Maximum length of a stored page URL, in bytes.
const MAX_URL_LEN: usize = 2048;
/// Maximum length of a stored page title, in characters.
const MAX_TITLE_CHARS: usize = 300;

/// Whether `value` is 8 to 64 characters of `A-Z a-z 0-9 - _`, the rule for
/// ids the widget makes (anonymous ids, idempotency keys).
pub fn is_client_token(value: &str) -> bool {
    (8..=64).contains(&value.len())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Returns the page's URL when it is an http(s) URL within limits, and its
/// title cut to the limit.
fn checked_page(page: &PageInfo) -> Option<(String, Option<String>)> {
    if page.url.len() > MAX_URL_LEN {
        return None;
    }
    let url = url::Url::parse(&page.url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let title = page
        .title
        .as_deref()
        .map(|title| title.trim().chars().take(MAX_TITLE_CHARS).collect::<String>())
        .filter(|title| !title.is_empty());
    Some((url.to_string(), title))
}

fn parse_zone(name: &str) -> anyhow::Result<Tz> {
    name.parse::<Tz>().map_err(|_| anyhow::anyhow!("stored time zone `{name}` is invalid"))
}

fn invalid_time_zone(time_zone: &str) -> ServerFrame {
    ServerFrame::Error(ErrorFrame::invalid_field(
        "time_zone",
        format!("time_zone must be an IANA zone name such as Europe/Madrid, got `{time_zone}`"),
    ))
}
