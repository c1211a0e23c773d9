//! A WebSocket client that speaks the widget protocol, for tests.

#![allow(dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::{SITE_ORIGIN, TestApp};

/// How long a test waits for one frame before failing.
const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

pub struct WidgetClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Opens the socket, returning a client or the HTTP status of the rejected
/// upgrade.
pub async fn try_connect(app: &TestApp, site_key: &str, origin: &str) -> Result<WidgetClient, u16> {
    let url = format!("{}/ws?site_key={site_key}", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().expect("valid WebSocket URL");
    request.headers_mut().insert("Origin", origin.parse().expect("valid origin header"));
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _response)) => Ok(WidgetClient { socket }),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("WebSocket connect failed: {other}"),
    }
}

impl WidgetClient {
    /// Opens the test site's socket from its allowed origin.
    pub async fn connect(app: &TestApp) -> Self {
        try_connect(app, &app.site.site_key, SITE_ORIGIN).await.expect("socket upgrade accepted")
    }

    /// Opens a socket and sends `hello` in `time_zone`, returning the welcome.
    pub async fn start(app: &TestApp, time_zone: &str) -> (Self, Value) {
        let mut client = Self::connect(app).await;
        let welcome = client.hello(time_zone, None).await;
        (client, welcome)
    }

    pub async fn send(&mut self, frame: Value) {
        self.socket.send(Message::Text(frame.to_string())).await.expect("send frame");
    }

    /// Reads until the server closes the socket and returns the close code,
    /// or `None` when the connection dropped before a close frame could be
    /// read (the client's pong to a buffered ping can hit the closed socket).
    /// Fails if a text frame arrives first or nothing happens in time.
    pub async fn expect_close(&mut self, within: Duration) -> Option<u16> {
        loop {
            let message = tokio::time::timeout(within, self.socket.next())
                .await
                .expect("the server closed the socket in time");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => return Some(u16::from(frame.code)),
                Some(Ok(Message::Text(text))) => panic!("expected a close, got {text}"),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Reads the next JSON text frame.
    pub async fn next_frame(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(FRAME_TIMEOUT, self.socket.next())
                .await
                .expect("a frame arrived in time")
                .expect("the socket is open")
                .expect("a valid WebSocket message");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).expect("server frames are JSON"),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Reads the next frame of `frame_type` (or an error), skipping others (for example
    /// `slots_changed` broadcasts).
    pub async fn next_of_type(&mut self, frame_type: &str) -> Value {
        loop {
            let frame = self.next_frame().await;
            if frame["type"] == frame_type || frame["type"] == "error" {
                return frame;
            }
        }
    }

    pub async fn hello(&mut self, time_zone: &str, resume_token: Option<&str>) -> Value {
        let mut frame = json!({"type": "hello", "time_zone": time_zone, "locale": "en-US"});
        if let Some(token) = resume_token {
            frame["resume_token"] = json!(token);
        }
        self.send(frame).await;
        self.next_of_type("welcome").await
    }

    pub async fn meeting_types(&mut self) -> Vec<Value> {
        self.send(json!({"type": "list_meeting_types"})).await;
        let frame = self.next_of_type("meeting_types").await;
        frame["items"].as_array().expect("items is an array").clone()
    }

    pub async fn slots(&mut self, meeting_type_id: &str, duration_ms: Option<i64>) -> Value {
        let mut frame = json!({"type": "get_slots", "meeting_type_id": meeting_type_id});
        if let Some(duration) = duration_ms {
            frame["duration_ms"] = json!(duration);
        }
        self.send(frame).await;
        self.next_of_type("slots").await
    }

    /// Returns the first slot's start of a `slots` frame.
    pub fn first_start(slots: &Value) -> String {
        slots["days"][0]["slots"][0]["start"].as_str().expect("at least one slot").to_string()
    }

    /// Lists every start of a `slots` frame.
    pub fn all_starts(slots: &Value) -> Vec<String> {
        slots["days"]
            .as_array()
            .expect("days is an array")
            .iter()
            .flat_map(|day| day["slots"].as_array().expect("slots is an array").clone())
            .map(|slot| slot["start"].as_str().expect("start is a string").to_string())
            .collect()
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// Builds a `book` frame for a booker named Maria Lopez.
pub fn book_frame(key: &str, meeting_type_id: &str, start: &str, duration_ms: i64, email: &str) -> Value {
    json!({
        "type": "book",
        "idempotency_key": key,
        "meeting_type_id": meeting_type_id,
        "start": start,
        "duration_ms": duration_ms,
        "first_name": "Maria",
        "last_name": "Lopez",
        "email": email,
        "answers": [],
        "consents": []
    })
}
