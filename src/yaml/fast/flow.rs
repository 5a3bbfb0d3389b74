//! The fast reader's flow collections (`[a, b]`, `{k: v}`, JSON), on one line or several.

use super::{flow_indicator, indicator, Bail, Read, Reader, MAX_KEY};

impl Reader<'_> {
    /// Reads the flow collection whose `[` or `{` is at `start`, in a block collection at
    /// column `parent` (its lines must be indented more); where it ends (after its `]` or
    /// `}`). JSON is such a collection.
    pub(super) fn flow_collection(&mut self, start: usize, parent: isize) -> Read<usize> {
        let sequence = self.bytes[start] == b'[';
        let close = if sequence { b']' } else { b'}' };
        self.builder.open(start, sequence, 0, None)?;
        let mut at = self.flow_space(start + 1, parent)?;
        if self.byte(at) == Some(close) {
            self.builder.close_at(at);
            return Ok(at + 1);
        }
        loop {
            if !sequence {
                let key = at;
                let quoted = matches!(self.byte(at), Some(b'"' | b'\''));
                at = self.flow_node(at, parent, true)?;
                at = self.skip_spaces(at);
                // `"key":value` (JSON) needs no blank after the colon; a plain key does.
                if self.byte(at) != Some(b':')
                    || !(quoted || self.blank(at + 1))
                    || at - key > MAX_KEY
                {
                    return Err(Bail);
                }
                at = self.flow_space(at + 1, parent)?;
            }
            at = self.flow_node(at, parent, false)?;
            at = self.flow_space(at, parent)?;
            match self.byte(at) {
                Some(b',') => {
                    at = self.flow_space(at + 1, parent)?;
                    if matches!(self.byte(at), Some(b']' | b'}' | b',')) {
                        return Err(Bail);
                    }
                }
                Some(b) if b == close => {
                    self.builder.close_at(at);
                    return Ok(at + 1);
                }
                _ => return Err(Bail),
            }
        }
    }

    /// Past the blanks and line breaks from `at` inside a flow collection of a block
    /// collection at column `parent`; where the next token is. Left to yaml-rust2: a comment,
    /// a line indented no more than `parent`, a document marker.
    pub(super) fn flow_space(&mut self, from: usize, parent: isize) -> Read<usize> {
        let mut at = self.skip_spaces(from);
        while self.byte(at) == Some(b'\n') {
            let line = at + 1;
            at = self.skip_spaces(line);
            let blank = matches!(self.byte(at), None | Some(b'\n'));
            if !blank
                && ((at - line) as isize <= parent
                    || (at == line && (self.marker(at, false) || self.marker(at, true))))
            {
                return Err(Bail);
            }
        }
        if self.byte(at) == Some(b'#') {
            return Err(Bail);
        }
        Ok(at)
    }

    /// Reads the node at `at` of a flow collection in a block collection at column `parent`
    /// (a `key`: a scalar on one line); where it ends.
    pub(super) fn flow_node(&mut self, at: usize, parent: isize, key: bool) -> Read<usize> {
        match self.byte(at).ok_or(Bail)? {
            b'"' | b'\'' => {
                let close = self.closing_quote(at).ok_or(Bail)?;
                self.quoted(at, -1, Some(close))
            }
            b'[' | b'{' if !key => self.flow_collection(at, parent),
            b'-' if self.blank(at + 1) || self.byte(at + 1).is_some_and(flow_indicator) => {
                Err(Bail)
            }
            b if b != b'-' && indicator(b) => Err(Bail),
            _ => {
                let mut end = at;
                while let Some(b) = self.byte(end) {
                    match b {
                        b',' | b'[' | b']' | b'{' | b'}' => break,
                        b':' if self.byte(end + 1) == Some(b' ') => break,
                        b':' if self.blank(end + 1)
                            || self.byte(end + 1).is_some_and(flow_indicator) =>
                        {
                            return Err(Bail)
                        }
                        b'#' if self.bytes[end - 1] == b' ' => return Err(Bail),
                        // The scalar ends at its line's end only before the collection's next
                        // `,` or end; on the next line it would go on.
                        b'\n' if key => return Err(Bail),
                        b'\n' => {
                            let next = self.flow_space(end, parent)?;
                            if !matches!(self.byte(next), Some(b',' | b']' | b'}')) {
                                return Err(Bail);
                            }
                            break;
                        }
                        _ => end += 1,
                    }
                }
                let end = self.trim_end(at, self.walked(at, end));
                self.add_plain(at, end, None)?;
                Ok(end)
            }
        }
    }
}
