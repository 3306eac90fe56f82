//! Requirements several checks cite, quoted once.

use crate::check::SpecRef;

/// MCP adopts JSON-RPC 2.0 as a whole (and with it every rule below that starts "the Server MUST").
pub(crate) const MCP_FOLLOWS_JSONRPC: SpecRef = SpecRef {
    anchor: "basic#messages",
    quote: "All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification.",
};

/// JSON-RPC's duty to answer every request.
pub(crate) const JSONRPC_MUST_REPLY: SpecRef = SpecRef {
    anchor: "https://www.jsonrpc.org/specification#response_object",
    quote: "When a rpc call is made, the Server MUST reply with a Response, except for in the case of Notifications.",
};

/// Streamable HTTP's way of refusing a POST body.
pub(crate) const HTTP_MUST_REFUSE_WITH_STATUS: SpecRef = SpecRef {
    anchor: "basic/transports#sending-messages-to-the-server",
    quote: "If the server cannot accept the input, it MUST return an HTTP error status code (e.g., 400 Bad Request).",
};
