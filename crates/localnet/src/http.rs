//! Just enough HTTP/1.1 for a JSON-RPC health check and a proxy: one
//! request per connection, `Content-Length` bodies (what Solana RPC
//! clients send and validators answer).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{err, Result};

/// A request or response as read off the wire: the head (start line and
/// headers, without the blank line) and the body.
pub struct Message {
    pub head: String,
    pub body: Vec<u8>,
}

impl Message {
    /// The message with `Connection: close` (one exchange per connection)
    /// and no keep-alive header, ready to write.
    pub fn to_bytes_closing(&self) -> Vec<u8> {
        let mut head = String::new();
        for line in self.head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
                continue;
            }
            head.push_str(line);
            head.push_str("\r\n");
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Reads one message: the head up to the blank line, then `Content-Length`
/// bytes of body (or everything until EOF when there is no length).
pub async fn read_message(stream: &mut (impl AsyncRead + Unpin)) -> Result<Message> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|e| err(format!("reading an HTTP message: {e}")))?;
        if read == 0 {
            return Err(err("connection closed before a complete HTTP head"));
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut body = buffer[head_end + 4..].to_vec();
    match content_length(&head) {
        Some(length) => {
            while body.len() < length {
                let read = stream
                    .read(&mut chunk)
                    .await
                    .map_err(|e| err(format!("reading an HTTP body: {e}")))?;
                if read == 0 {
                    return Err(err("connection closed inside an HTTP body"));
                }
                body.extend_from_slice(&chunk[..read]);
            }
            body.truncate(length);
        }
        None => {
            stream
                .read_to_end(&mut body)
                .await
                .map_err(|e| err(format!("reading an HTTP body: {e}")))?;
        }
    }
    Ok(Message { head, body })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &str) -> Option<usize> {
    head.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// POSTs a JSON-RPC call to `127.0.0.1:port` and returns the response body.
pub async fn json_rpc(port: u16, method: &str, params: serde_json::Value) -> Result<String> {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        .to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| err(format!("connecting to 127.0.0.1:{port}: {e}")))?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| err(format!("sending {method}: {e}")))?;
    let response = read_message(&mut stream).await?;
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_a_message_with_a_length_and_rewrites_connection() {
        let raw = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello and more";
        let message = read_message(&mut &raw[..]).await.unwrap();
        assert_eq!(message.body, b"hello");
        let out = String::from_utf8(message.to_bytes_closing()).unwrap();
        assert!(out.contains("Connection: close\r\n\r\nhello"));
        assert!(!out.contains("keep-alive"));
        assert_eq!(content_length("A: b\r\ncontent-length:  12"), Some(12));
    }
}
