//! One widget's WebSocket connection: reads frames, writes queued frames,
//! forwards "slots taken" events and keeps the heartbeat.
//!
//! Frames are handled in order by one worker task per connection, which
//! answers through a bounded queue, so a slow HubSpot call never stalls the
//! heartbeat. A client that floods the inbound queue, or lets the outbound
//! queue fill up, is closed rather than buffered without limit. The worker
//! outlives a dropped connection until its current frame is done, so a
//! booking in flight is finished and stored.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use futures_util::StreamExt;
use tokio::sync::{broadcast, mpsc};
use tracing::Instrument;

use super::handler::SessionHandler;
use super::hub::SlotsTaken;
use super::protocol::{ErrorFrame, ServerFrame};

/// Frames waiting to be written to one client.
pub const OUTBOUND_QUEUE_CAPACITY: usize = 64;
/// Frames received from one client and not yet handled.
pub const INBOUND_QUEUE_CAPACITY: usize = 16;

/// Runs the connection until either side closes it.
pub async fn run_connection(
    handler: Arc<SessionHandler>,
    mut session: Session,
    mut stream: AggregatedMessageStream,
    mut slots_rx: broadcast::Receiver<SlotsTaken>,
    heartbeat_interval: Duration,
    client_timeout: Duration,
) {
    let (out_tx, mut out_rx) = mpsc::channel::<ServerFrame>(OUTBOUND_QUEUE_CAPACITY);
    let in_tx = spawn_worker(Arc::clone(&handler), out_tx.clone());
    let mut heartbeat = tokio::time::interval(heartbeat_interval);
    let mut last_seen = Instant::now();
    tracing::info!("widget connected");

    let close_reason = loop {
        tokio::select! {
            message = stream.next() => {
                last_seen = Instant::now();
                match message {
                    Some(Ok(AggregatedMessage::Text(text))) => {
                        if in_tx.try_send(text.to_string()).is_err() {
                            break Some(overloaded());
                        }
                    }
                    Some(Ok(AggregatedMessage::Binary(_))) => {
                        let frame = ErrorFrame::new("invalid_frame", "binary frames are not accepted; send JSON text");
                        if out_tx.try_send(ServerFrame::Error(frame)).is_err() {
                            break Some(overloaded());
                        }
                    }
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => {}
                    Some(Ok(AggregatedMessage::Close(reason))) => break reason,
                    Some(Err(error)) => {
                        tracing::debug!(error = %error, "widget protocol error");
                        break Some(protocol_close(&error));
                    }
                    None => break None,
                }
            }
            Some(frame) = out_rx.recv() => {
                let text = serde_json::to_string(&frame).expect("server frames serialize to JSON");
                if session.text(text).await.is_err() {
                    break None;
                }
            }
            event = slots_rx.recv() => {
                match event {
                    Ok(event) => {
                        if let Some(frame) = handler.slots_changed_frame(&event) {
                            if out_tx.try_send(frame).is_err() {
                                break Some(overloaded());
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "widget connection missed slot events");
                    }
                    Err(broadcast::error::RecvError::Closed) => {}
                }
            }
            _ = heartbeat.tick() => {
                if last_seen.elapsed() > client_timeout {
                    tracing::info!("widget timed out");
                    break Some(CloseReason { code: CloseCode::Away, description: Some("heartbeat timeout".into()) });
                }
                if session.ping(b"").await.is_err() {
                    break None;
                }
            }
        }
    };

    let _ = session.close(close_reason).await;
    tracing::info!("widget disconnected");
}

fn spawn_worker(
    handler: Arc<SessionHandler>,
    out_tx: mpsc::Sender<ServerFrame>,
) -> mpsc::Sender<String> {
    let (in_tx, mut in_rx) = mpsc::channel::<String>(INBOUND_QUEUE_CAPACITY);
    let span = tracing::Span::current();
    tokio::spawn(
        async move {
            while let Some(text) = in_rx.recv().await {
                for frame in handler.handle_text(&text).await {
                    // A send error means the connection ended; whatever the
                    // frame reports (a booking, say) is already stored.
                    let _ = out_tx.send(frame).await;
                }
            }
            handler.on_disconnect().await;
        }
        .instrument(span),
    );
    in_tx
}

fn overloaded() -> CloseReason {
    CloseReason { code: CloseCode::Policy, description: Some("client is not reading its frames".into()) }
}

fn protocol_close(error: &actix_ws::ProtocolError) -> CloseReason {
    match error {
        actix_ws::ProtocolError::Overflow => {
            CloseReason { code: CloseCode::Size, description: Some("frame too large".into()) }
        }
        _ => CloseReason { code: CloseCode::Protocol, description: Some("protocol error".into()) },
    }
}
