//! JSON-RPC framing over a byte stream: `Content-Length` headers, then the JSON body.
//!
//! `lsp-server`'s own reader stops for good at the first malformed message; this one reports it
//! and reads on. A body that is not JSON is answered with a parse error; a frame without a usable
//! `Content-Length` is reported, and the reader finds the next header even when that frame's body
//! ran into it (a body has no line terminator of its own).

use lsp_server::{ErrorCode, Message};
use std::io::{self, BufRead, Read, Write};

/// Bodies larger than this are skipped unread: no editor sends a 64 MiB message, and a garbled
/// `Content-Length` must not make the server allocate whatever it says.
const MAX_BODY: usize = 64 * 1024 * 1024;

const CONTENT_LENGTH: &str = "content-length:";

/// What one frame held.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Not a JSON-RPC message: answered with this error (and a `null` id, as JSON-RPC asks).
    Malformed {
        code: ErrorCode,
        reason: String,
    },
}

/// Reads the next frame; `None` when the input ends.
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut in_header = false;
    let mut line = Vec::new();
    let length = loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let header = text.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            match length.take() {
                Some(Ok(length)) => break length,
                Some(Err(reason)) => return Ok(Some(malformed(ErrorCode::InvalidRequest, reason))),
                None if in_header => return Ok(Some(malformed(ErrorCode::InvalidRequest, "a message has no Content-Length header"))),
                // Blank lines between messages.
                None => continue,
            }
        }
        in_header = true;
        // Other headers (Content-Type) say nothing we need.
        if let Some(at) = header.to_ascii_lowercase().find(CONTENT_LENGTH) {
            let value = header[at + CONTENT_LENGTH.len()..].trim();
            length = Some(value.parse::<usize>().map_err(|_| format!("invalid Content-Length `{value}`")));
        }
    };
    if length > MAX_BODY {
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Some(malformed(ErrorCode::InvalidRequest, format!("a message of {length} bytes is over the {MAX_BODY}-byte limit"))));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => return Ok(Some(malformed(ErrorCode::ParseError, format!("the message is not JSON: {e}")))),
    };
    Ok(Some(match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(_) => malformed(ErrorCode::InvalidRequest, "the message is not a JSON-RPC request, response or notification"),
    }))
}

fn malformed(code: ErrorCode, reason: impl Into<String>) -> Incoming {
    Incoming::Malformed { code, reason: reason.into() }
}

pub fn write(output: &mut impl Write, message: Message) -> io::Result<()> {
    message.write(output)
}

/// The answer to a message that could not be read: JSON-RPC's error response with a `null` id,
/// which `lsp_server::Response` cannot express.
pub fn write_error_without_id(output: &mut impl Write, code: ErrorCode, reason: &str) -> io::Result<()> {
    let body = serde_json::json!({ "jsonrpc": "2.0", "id": null, "error": { "code": code as i32, "message": reason } }).to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(stream: &str) -> Vec<Incoming> {
        let mut input = stream.as_bytes();
        std::iter::from_fn(|| read(&mut input).unwrap()).collect()
    }

    fn method(incoming: &Incoming) -> &str {
        match incoming {
            Incoming::Message(Message::Request(r)) => &r.method,
            Incoming::Message(Message::Notification(n)) => &n.method,
            other => panic!("not a request or notification: {other:?}"),
        }
    }

    #[test]
    fn reads_framed_messages_with_other_headers() {
        let stream = format!(
            "{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 33\r\n\r\n{}",
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#),
            r#"{"jsonrpc":"2.0","method":"exit"}"#
        );
        let messages = read_all(&stream);
        assert_eq!(messages.iter().map(method).collect::<Vec<_>>(), ["initialize", "exit"]);
    }

    #[test]
    fn malformed_frames_are_reported_and_reading_goes_on() {
        let exit = frame(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let stream = format!(
            "{}{}{}Content-Length: x\r\n\r\n{exit}\r\nContent-Type: text/plain\r\n\r\n{{\"no\":\"length\"}}{exit}",
            frame("{not json"),
            frame("[1, 2]"),
            exit
        );
        let messages = read_all(&stream);
        let kinds: Vec<String> = messages
            .iter()
            .map(|m| match m {
                Incoming::Malformed { code, .. } => format!("error {}", *code as i32),
                other => method(other).to_string(),
            })
            .collect();
        assert_eq!(kinds, ["error -32700", "error -32600", "exit", "error -32600", "exit", "error -32600", "exit"]);
    }

    #[test]
    fn oversized_and_truncated_bodies() {
        let stream = format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1);
        assert!(matches!(read_all(&stream)[..], [Incoming::Malformed { .. }]));
        assert!(read_all("Content-Length: 100\r\n\r\n{\"jsonrpc\"").is_empty());
    }
}
