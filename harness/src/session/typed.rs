//! rmcp's typed client on top of our wire: an [`rmcp::transport::Transport`] over a [`Connection`], so the
//! positive paths can use an official SDK client while every byte still goes through (and is recorded by) the
//! harness's own wire layer.

use std::time::Duration;

use rmcp::model::{ClientJsonRpcMessage, ProtocolVersion, ServerJsonRpcMessage};
use rmcp::service::{RoleClient, RunningService, RxJsonRpcMessage, ServiceExt as _, TxJsonRpcMessage};
use rmcp::{ClientCacheConfig, ClientHandler};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::blocker::Blocker;
use super::connection::{Connection, Inbound};
use super::error::SessionError;

/// Messages buffered between the pump task and rmcp, each way.
const CHANNEL_CAP: usize = 256;

/// An rmcp client transport backed by a harness [`Connection`].
#[derive(Debug)]
pub struct WireTransport {
    outgoing: mpsc::Sender<Value>,
    incoming: mpsc::Receiver<Value>,
    pump: Option<JoinHandle<Connection>>,
}

impl WireTransport {
    /// Wraps an open, not yet initialised connection. A task owns it and moves messages both ways.
    pub fn new(conn: Connection) -> Self {
        let (outgoing, mut out_rx) = mpsc::channel::<Value>(CHANNEL_CAP);
        let (in_tx, incoming) = mpsc::channel::<Value>(CHANNEL_CAP);
        let pump = tokio::spawn(async move {
            let mut conn = conn;
            let mut initialize_id: Option<Value> = None;
            loop {
                tokio::select! {
                    out = out_rx.recv() => {
                        let Some(msg) = out else { break };
                        if msg.get("method").and_then(Value::as_str) == Some("initialize") {
                            initialize_id = msg.get("id").cloned();
                        }
                        if conn.send(&msg).await.is_err() {
                            break;
                        }
                    }
                    inbound = conn.recv(Duration::from_secs(3600)) => match inbound {
                        Ok(Inbound::Message(v, _)) => {
                            if initialize_id.is_some() && v.get("id") == initialize_id.as_ref() {
                                // The negotiated version goes into MCP-Protocol-Version from now on.
                                let version = v.pointer("/result/protocolVersion").and_then(Value::as_str).map(str::to_owned);
                                if let (Some(http), Some(version)) = (conn.http(), version)
                                    && version.as_str() >= "2025-06-18" {
                                        http.protocol_header = Some(version);
                                    }
                                initialize_id = None;
                            }
                            if in_tx.send(v).await.is_err() {
                                break;
                            }
                        }
                        Ok(_) => {}
                        Err(e) if e.is_timeout() => {}
                        Err(_) => break,
                    },
                }
            }
            conn
        });
        WireTransport { outgoing, incoming, pump: Some(pump) }
    }
}

impl rmcp::transport::Transport<RoleClient> for WireTransport {
    type Error = SessionError;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let tx = self.outgoing.clone();
        let value = serde_json::to_value::<ClientJsonRpcMessage>(item);
        async move {
            let harness = |detail: String| SessionError::Blocked(Blocker::Harness(detail));
            let value = value.map_err(|e| harness(format!("failed to serialize a typed message: {e}")))?;
            tx.send(value).await.map_err(|_| harness("the wire pump stopped".to_owned()))
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            let v = self.incoming.recv().await?;
            // Messages rmcp cannot decode are dropped here; the raw checks judge them.
            if let Ok(msg) = serde_json::from_value::<ServerJsonRpcMessage>(v) {
                return Some(msg);
            }
        }
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let pump = self.pump.take();
        async move {
            if let Some(pump) = pump {
                pump.abort();
            }
            Ok(())
        }
    }
}

/// An initialised rmcp client over our wire, speaking `version`, with rmcp's response cache off (it would
/// otherwise serve cached lists instead of asking the server).
pub async fn typed_client<H: ClientHandler>(
    conn: Connection,
    handler: H,
    timeout: Duration,
) -> Result<RunningService<RoleClient, H>, SessionError> {
    let served = tokio::time::timeout(timeout, handler.serve(WireTransport::new(conn)))
        .await
        .map_err(|_| {
            SessionError::Blocked(Blocker::Silent { method: "initialize (typed client)".to_owned(), waited: timeout })
        })?
        .map_err(|e| SessionError::Handshake(e.to_string()))?;
    served.peer().set_response_cache_config(ClientCacheConfig::disabled()).await;
    Ok(served)
}

/// rmcp's client configuration pinned to `version` (rmcp would otherwise put 2026-07-28 into `initialize`).
pub fn client_config(version: ProtocolVersion) -> rmcp::model::ClientConfig {
    rmcp::model::ClientConfig::default().with_protocol_version(version)
}
