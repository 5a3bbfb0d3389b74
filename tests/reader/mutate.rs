//! Deterministic mutants of YAML files for the differential mutation run: bytes inserted,
//! deleted and replaced, with a bias towards what YAML readers disagree on (line breaks go-yaml
//! knows and yaml-rust2 does not, control characters, tabs, tags, merge keys, indicators,
//! document markers, indentation changes).

/// A small deterministic generator (splitmix64): the same seed gives the same mutants.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Byte strings inserted or substituted: the classes of issue 9 and 12 first.
const INTERESTING: &[&[u8]] = &[
    b"\xC2\x85",     // U+0085 NEL
    b"\xE2\x80\xA8", // U+2028 LS
    b"\xE2\x80\xA9", // U+2029 PS
    b"\xEF\xBB\xBF", // BOM
    b"\0",
    b"\x01",
    b"\x7F",
    b"\xC2\x80",
    b"\xEF\xBF\xBE",
    b"\t",
    b"\r",
    b"\r\n",
    b"\n",
    b" ",
    b"  ",
    b"#",
    b" #",
    b":",
    b": ",
    b"-",
    b"- ",
    b"---\n",
    b"--- ",
    b"...\n",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"\"",
    b"'",
    b"\\",
    b"&a ",
    b"*a",
    b"!!bool ",
    b"!!int ",
    b"!!str ",
    b"!!binary ",
    b"!foo ",
    b"<<: ",
    b"? ",
    b"|",
    b">",
    b"%",
    b"~",
];

/// Scalars substituted for a value: what resolves differently between YAML 1.1 and 1.2, or
/// between tags and quoting.
const SCALARS: &[&[u8]] = &[
    b"yes",
    b"no",
    b"on",
    b"Off",
    b"y",
    b"0755",
    b"08",
    b"0o17",
    b"0x1F",
    b"1_000",
    b"1e3",
    b".inf",
    b".nan",
    b"~",
    b"null",
    b"!!bool \"true\"",
    b"!!bool yes",
    b"!!int \"3\"",
    b"!!str true",
    b"\"true\"",
    b"2001-12-14",
    b"-",
    b"9223372036854775808",
];

/// One mutant of `source`.
pub fn mutate(source: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = source.to_vec();
    let edits = 1 + rng.below(3);
    for _ in 0..edits {
        let at = if out.is_empty() {
            0
        } else {
            rng.below(out.len() + 1)
        };
        match rng.below(8) {
            0 | 1 => {
                let insert = rng.pick(INTERESTING);
                out.splice(at..at, insert.iter().copied());
            }
            2 => {
                let end = (at + 1 + rng.below(4)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let end = (at + 1).min(out.len());
                let insert = rng.pick(INTERESTING);
                out.splice(at.min(end)..end, insert.iter().copied());
            }
            4 => indent_line(&mut out, at, rng),
            5 => replace_value(&mut out, at, rng),
            6 => duplicate_line(&mut out, at),
            _ => {
                // A line break of another kind where a line ends.
                if let Some(nl) = out[at.min(out.len())..].iter().position(|&b| b == b'\n') {
                    let pos = at + nl;
                    let with: &[&[u8]] = &[b"\xC2\x85", b"\xE2\x80\xA8", b"\r", b"\r\n"];
                    out.splice(pos..pos + 1, rng.pick(with).iter().copied());
                }
            }
        }
    }
    out
}

fn line_bounds(bytes: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(bytes.len());
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i);
    (start, end)
}

/// Adds or removes up to four spaces at the start of the line holding `at`.
fn indent_line(bytes: &mut Vec<u8>, at: usize, rng: &mut Rng) {
    let (start, _) = line_bounds(bytes, at);
    let change = rng.below(9) as isize - 4;
    if change > 0 {
        bytes.splice(start..start, std::iter::repeat(b' ').take(change as usize));
    } else {
        let spaces = bytes[start..].iter().take_while(|&&b| b == b' ').count();
        let remove = (-change as usize).min(spaces);
        bytes.drain(start..start + remove);
    }
}

/// Replaces the value after the first `: ` on the line holding `at` with a tricky scalar.
fn replace_value(bytes: &mut Vec<u8>, at: usize, rng: &mut Rng) {
    let (start, end) = line_bounds(bytes, at);
    let Some(colon) = bytes[start..end].windows(2).position(|w| w == b": ") else {
        return;
    };
    let value = start + colon + 2;
    bytes.splice(value..end, rng.pick(SCALARS).iter().copied());
}

fn duplicate_line(bytes: &mut Vec<u8>, at: usize) {
    let (start, end) = line_bounds(bytes, at);
    let mut line = bytes[start..end].to_vec();
    line.push(b'\n');
    bytes.splice(start..start, line);
}
