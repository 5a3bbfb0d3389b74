//! LSP messages over standard input and output: one thread reads, one writes.
//!
//! lsp-server's own stdio transport ends the connection at the first payload that is not a
//! JSON-RPC message, and a language server must survive a client's bad message. So the framing
//! (`Content-Length` headers, then the payload) is read here, and each payload is decoded into
//! an [`lsp_server::Message`]: one that is not JSON is answered with JSON-RPC's parse error
//! (-32700), JSON that is not a message with an invalid-request error (-32600), and reading goes
//! on. Only the end of input (or the `exit` notification) stops the reader.

use std::io::{self, BufRead, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use lsp_server::{ErrorCode, Message};
use serde_json::Value;

/// The largest payload read: a longer one is skipped and answered with an error.
const MAX_PAYLOAD: usize = 256 * 1024 * 1024;

/// What the writer sends.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Message(Message),
    /// An error answer to a payload that was not a request (so it may have no usable id).
    Error {
        id: Value,
        code: i32,
        message: String,
    },
}

impl From<Message> for Outgoing {
    fn from(message: Message) -> Outgoing {
        Outgoing::Message(message)
    }
}

/// The two threads and their channels.
pub(crate) struct Transport {
    pub(crate) incoming: Receiver<Message>,
    pub(crate) outgoing: Sender<Outgoing>,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Transport {
    /// Reads messages from stdin and writes them to stdout.
    pub(crate) fn stdio() -> Transport {
        let (out_tx, out_rx) = mpsc::channel::<Outgoing>();
        let (in_tx, in_rx) = mpsc::channel::<Message>();
        let errors = out_tx.clone();
        let reader = std::thread::spawn(move || {
            let stdin = io::stdin();
            read_messages(&mut stdin.lock(), &in_tx, &errors);
        });
        let writer = std::thread::spawn(move || {
            let stdout = io::stdout();
            let mut stdout = stdout.lock();
            for outgoing in out_rx {
                if write_one(&mut stdout, &outgoing).is_err() {
                    break; // the client is gone
                }
            }
        });
        Transport {
            incoming: in_rx,
            outgoing: out_tx,
            reader,
            writer,
        }
    }

    /// Waits for the writer to send what is queued. The reader is not waited for: after `exit`
    /// it has stopped, and otherwise it may be blocked on a stdin that never closes.
    pub(crate) fn finish(self) {
        drop(self.outgoing);
        drop(self.reader);
        let _ = self.writer.join();
    }
}

/// Reads framed messages until the end of input or `exit`, sending each decoded one to
/// `incoming` and an error for each one that does not decode to `errors`.
pub(crate) fn read_messages(
    input: &mut impl BufRead,
    incoming: &Sender<Message>,
    errors: &Sender<Outgoing>,
) {
    loop {
        let payload = match read_payload(input) {
            Ok(Some(Ok(payload))) => payload,
            Ok(Some(Err(problem))) => {
                let _ = errors.send(error(Value::Null, ErrorCode::ParseError, problem));
                continue;
            }
            Ok(None) | Err(_) => return,
        };
        match decode(&payload) {
            Ok(message) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if incoming.send(message).is_err() || exit {
                    return;
                }
            }
            Err(answer) => {
                let _ = errors.send(answer);
            }
        }
    }
}

fn error(id: Value, code: ErrorCode, message: String) -> Outgoing {
    Outgoing::Error {
        id,
        code: code as i32,
        message,
    }
}

/// A payload as a message, or the error that answers it.
fn decode(payload: &[u8]) -> Result<Message, Outgoing> {
    let value: Value = serde_json::from_slice(payload)
        .map_err(|e| error(Value::Null, ErrorCode::ParseError, format!("not JSON: {e}")))?;
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    serde_json::from_value(value).map_err(|e| {
        error(
            id,
            ErrorCode::InvalidRequest,
            format!("not a JSON-RPC message: {e}"),
        )
    })
}

/// One payload: `Ok(None)` at the end of input, `Ok(Some(Err(_)))` for a frame whose headers
/// give no usable length (or too long a one, whose payload is skipped).
fn read_payload(input: &mut impl BufRead) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = String::new();
    let mut any = false;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if any {
                break;
            }
            continue; // blank lines between messages
        }
        any = true;
        // Found anywhere on the line, so that reading finds its feet again after garbage.
        let lower = header.to_ascii_lowercase();
        if let Some(at) = lower.rfind("content-length:") {
            let value = header[at + "content-length:".len()..].trim();
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length header: {value:?}")),
            );
        }
    }
    let length = match length {
        Some(Ok(length)) => length,
        Some(Err(problem)) => return Ok(Some(Err(problem))),
        None => return Ok(Some(Err("a message without Content-Length".to_string()))),
    };
    if length > MAX_PAYLOAD {
        io::copy(
            &mut io::Read::take(&mut *input, length as u64),
            &mut io::sink(),
        )?;
        return Ok(Some(Err(format!(
            "a message of {length} bytes is too long"
        ))));
    }
    let mut payload = vec![0; length];
    input.read_exact(&mut payload)?;
    Ok(Some(Ok(payload)))
}

/// Writes one message, framed, and flushes.
fn write_one(out: &mut impl Write, outgoing: &Outgoing) -> io::Result<()> {
    match outgoing {
        Outgoing::Message(message) => message.write(out),
        Outgoing::Error { id, code, message } => {
            let text = serde_json::json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": {"code": code, "message": message},
            })
            .to_string();
            write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
            out.flush()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(payload: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{payload}", payload.len())
    }

    /// What reading `input` passes on: methods of messages, and error codes.
    fn read(input: &str) -> (Vec<String>, Vec<(Value, i32)>) {
        let (in_tx, in_rx) = mpsc::channel();
        let (err_tx, err_rx) = mpsc::channel();
        read_messages(&mut input.as_bytes(), &in_tx, &err_tx);
        drop((in_tx, err_tx));
        let methods = in_rx
            .iter()
            .map(|m| match m {
                Message::Request(r) => r.method,
                Message::Notification(n) => n.method,
                Message::Response(r) => format!("response {}", r.id),
            })
            .collect();
        let errors = err_rx
            .iter()
            .map(|e| match e {
                Outgoing::Error { id, code, .. } => (id, code),
                Outgoing::Message(m) => panic!("unexpected {m:?}"),
            })
            .collect();
        (methods, errors)
    }

    #[test]
    fn bad_payloads_are_answered_and_reading_goes_on() {
        let input = [
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#),
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":3}"#),
            "Content-Length: x\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"b"}"#),
        ]
        .concat();
        let (methods, errors) = read(&input);
        assert_eq!(methods, ["a", "b"]);
        assert_eq!(
            errors,
            [
                (Value::Null, -32700),
                (Value::from(7), -32600),
                (Value::Null, -32700)
            ]
        );
    }

    #[test]
    fn reading_finds_its_feet_after_a_frame_without_length() {
        // The body of a frame without a length runs into the next frame's header line.
        let input = [
            "Content-Type: x\r\n\r\n{\"a\":1}".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"after"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"never"}"#),
        ]
        .concat();
        let (methods, errors) = read(&input);
        assert_eq!(methods, ["after", "exit"]);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn a_truncated_payload_ends_reading() {
        let (methods, errors) = read("Content-Length: 100\r\n\r\n{\"a\"");
        assert!(methods.is_empty() && errors.is_empty());
    }
}
