//! Size caps on everything read from a target.

/// Hard caps on what the wire layer buffers or records. The defaults suit conformance runs against any server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest stdio line kept (bytes, newline excluded); longer lines are discarded while counting. Also the largest
    /// SSE event (sum of its field lines).
    pub max_line_bytes: usize,
    /// Largest HTTP response body read; reading stops there and the body is marked truncated.
    pub max_body_bytes: usize,
    /// Most SSE events read from one stream; the reader then ends with an error.
    pub max_sse_events: usize,
    /// Bytes of a stdio target's stderr kept (the tail).
    pub max_stderr_bytes: usize,
    /// Bytes of text stored per transcript entry.
    pub transcript_text_bytes: usize,
    /// Transcript entries kept; the oldest are dropped first.
    pub transcript_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 16 << 20,
            max_body_bytes: 16 << 20,
            max_sse_events: 10_000,
            max_stderr_bytes: 64 << 10,
            transcript_text_bytes: 4 << 10,
            transcript_entries: 10_000,
        }
    }
}
