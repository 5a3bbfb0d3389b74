//! Leniency and evasion cases: small files where YAML readers are known to disagree, each
//! with the outcome k8sec must have against the Kubernetes reader.

/// What a case must show against the Kubernetes reader.
#[derive(Clone, Copy, Debug)]
pub enum Expect {
    /// The same objects (or the same refusal).
    Same,
    /// k8sec reads a file kubectl refuses: why that is fine.
    K8secOnlyAccepts(&'static str),
    /// Both read it, with a difference: why that is fine.
    DataDiffers(&'static str),
    /// k8sec reads documents kubectl skips: why that is fine.
    K8secReadsMore(&'static str),
    /// Both read the same objects; k8sec also reports the text kubectl skips.
    K8secFlagsIgnoredText(&'static str),
    /// kubectl reads a document that is no object (a bare string) where k8sec reports
    /// `invalid-yaml`; every object is read by both.
    KubectlOnlyAcceptsNoObject(&'static str),
}

/// U+2028/U+2029 inside a scalar: a line break for both, but go-yaml keeps the character in
/// the value where yaml-rust2 (given a line break) folds it; the structure is the same.
pub const LS_IN_SCALAR: &str = "a U+2028/U+2029 inside a quoted or block scalar: kubectl keeps \
     the character where k8sec reads a line break (folded to a space or a `\\n`); the \
     objects and their keys are the same, one string differs";

/// Text after the first YAML document between two `---` lines.
pub const SKIPPED_TEXT: &str = "go-yaml reads one YAML document between two `---` lines and \
     skips the rest without a word (an indented first line, content after `...`): k8sec reads \
     the same objects and reports `invalid-yaml` on the skipped text";

/// `--- content` on one line: kubectl (1.27+) refuses it, kustomize reads it.
pub const CONTENT_AFTER_SEPARATOR: &str = "kubectl refuses content after `---` on its line, but \
     kustomize reads it and applies the object of a Kustomize build: k8sec lints it";

impl Expect {
    /// The outcome class (as `compare::Outcome::class` names it) and the reason.
    pub fn class(self) -> (&'static str, &'static str) {
        match self {
            Expect::Same => ("same", ""),
            Expect::K8secOnlyAccepts(why) => ("k8sec-only-accepts", why),
            Expect::DataDiffers(why) => ("data-differs", why),
            Expect::K8secReadsMore(why) => ("k8sec-reads-more", why),
            Expect::K8secFlagsIgnoredText(why) => ("k8sec-flags-ignored-text", why),
            Expect::KubectlOnlyAcceptsNoObject(why) => ("kubectl-only-accepts-no-object", why),
        }
    }
}

pub struct Case {
    pub name: &'static str,
    pub text: &'static [u8],
    pub expect: Expect,
}

const fn same(name: &'static str, text: &'static [u8]) -> Case {
    Case {
        name,
        text,
        expect: Expect::Same,
    }
}

pub const CASES: &[Case] = &[
    // --- Flow scalars and collections closing at or below the block indentation (issue 12).
    same(
        "quoted-flow-item-closing-at-block-indentation",
        b"spec:\n  containers:\n  - name: c\n    image: busybox\n    args: [\"\n      echo hello\n    \"]\n",
    ),
    same(
        "quoted-flow-item-closing-below-block-indentation",
        b"spec:\n  containers:\n  - name: c\n    args: [\"sh\", \"-c\", \"\n      echo hello\n  \"]\n",
    ),
    same(
        "flow-sequence-closing-at-key-indentation",
        b"spec:\n  args: [\n      \"--port\", \"8080\",\n  ]\n",
    ),
    same(
        "flow-sequence-closing-at-column-0",
        b"spec:\n  args: [\n    a, b\n]\n",
    ),
    same(
        "flow-mapping-closing-below",
        b"spec:\n  env: {\n    a: b\n }\n",
    ),
    same(
        "flow-items-below-key-indentation",
        b"spec:\n  args: [\n\"a\", \"b\"]\n",
    ),
    same(
        "flow-plain-multiline-below",
        b"spec:\n  args: [a\nb, c]\n",
    ),
    same(
        "double-quoted-continuation-below-indentation",
        b"spec:\n  x: \"one\ntwo\"\n  y: 1\n",
    ),
    same(
        "single-quoted-continuation-below-indentation",
        b"spec:\n  x: 'one\ntwo'\n  y: 1\n",
    ),
    same(
        "double-quoted-continuation-at-key-indentation",
        b"a:\n  b: \"one\n  two\"\n",
    ),
    same(
        "nested-flow-closing-below",
        b"a:\n  b: [[1,\n2], {c: [\n3]}\n]\n",
    ),
    // --- Tabs.
    same("tab-after-colon", b"a:\tb\nc: \td\n"),
    same("tab-after-dash", b"a:\n  -\tb\n  - \tc\n"),
    same("tab-after-dash-second-item", b"a:\n  - b\n  - \tc\n"),
    same("tab-after-dash-mapping", b"- name: a\n-\tname: b\n"),
    same("tab-before-comment", b"a: b\t# c\n"),
    same("tab-indentation", b"a:\n\tb: c\n"),
    same("tab-in-flow", b"a: [\tb,\tc\t]\n"),
    same("tab-after-key-before-colon", b"a\t: b\n"),
    same("tab-trailing", b"a: b\t\nc: d\n"),
    same("tab-starts-quoted-continuation", b"foo: \"bar\n\tbaz\"\n"),
    same("tab-starts-flow-line", b"a:\n- [\n\tfoo,\n bar\n ]\n"),
    same("tab-in-block-scalar", b"a: |\n  x\ty\n  \tz\n"),
    // --- `---` and `...` variants.
    same("separator-trailing-space", b"a: 1\n--- \nb: 2\n"),
    same("separator-trailing-tab", b"a: 1\n---\t\nb: 2\n"),
    same("separator-comment", b"a: 1\n--- # next\nb: 2\n"),
    same("separator-crlf", b"a: 1\r\n---\r\nb: 2\r\n"),
    same("separators-repeated", b"---\n---\na: 1\n---\n---\n"),
    same("separator-at-eof", b"a: 1\n---"),
    same("separator-comment-no-space", b"a: 1\n---# next\nb: 2\n"),
    same("separator-glued", b"a: 1\n---\nb: 2\n---b\nc: 3\n"),
    Case {
        name: "separator-with-content",
        text: b"a: 1\n--- {b: 2}\n",
        expect: Expect::K8secOnlyAccepts(CONTENT_AFTER_SEPARATOR),
    },
    Case {
        name: "trailing-content-after-document",
        text: b"  a: 1\nb: 2\n---\nc: 3\n",
        expect: Expect::K8secFlagsIgnoredText(SKIPPED_TEXT),
    },
    same("cr-before-crlf", b"a: |\r\n  x\r\r\n  y\r\n"),
    same("document-end-marker", b"a: 1\n...\n---\nb: 2\n"),
    same("comment-only-file", b"# nothing\n"),
    same("empty-file", b""),
    same("block-scalar-empty-at-eof", b"a: |\n"),
    same("block-scalar-empty-keep-at-eof", b"a: |+\n"),
    same("block-scalars-empty", b"strip: >-\n\nclip: >\n\nkeep: |+\n\n"),
    same("colon-before-flow-indicator", b"a: {x:, y: 1}\nb: [x:, y]\nc: [x:]\n"),
    same("json-then-yaml", b"{\"a\": 1}\nb: 2\n"),
    same("json-with-line-separator", b"{\"a\": 1}\n{\"\xC2\x85b\": \"\xE2\x80\xA8\"}\n"),
    same("json-with-fffe", b"{\"a\": \"\xEF\xBF\xBEx\"}\n"),
    same("directive-after-next-line", b"%YAML 1.1\xC2\x85---\na: 1\n"),
    Case {
        name: "document-end-with-content",
        text: b"a:\n  - b\n... x\n---\nc: 1\n",
        expect: Expect::K8secFlagsIgnoredText(SKIPPED_TEXT),
    },
    same("odd-tags", b"a: !!bo!!str ol\nb: !'!int 1.5\nc: !&a int \"3\"\nd: - !!str, x\n"),
    same("lone-dash-in-flow", b"a: [-]\nb: [-, x]\n"),
    // --- Block scalars.
    same("literal-trailing-spaces", b"a: |\n  x  \n  y \n"),
    same("literal-trailing-spaces-lines", b"a: |\n  x\n   \n  y\n    \nb: 1\n"),
    same("literal-keep-at-eof", b"a: |+\n  x\n\n"),
    same("literal-strip", b"a: |-\n  x\n\nb: 1\n"),
    same("folded-more-indented", b"a: >\n  x\n    y\n  z\n"),
    same("literal-at-eof-without-newline", b"a: |\n  text"),
    same("literal-keep-at-eof-without-newline", b"a: |+\n  text"),
    same("folded-at-eof-without-newline", b"a: >\n  one\n  two"),
    same("literal-explicit-indentation", b"a: |2\n    x\n  y\n"),
    // --- Byte order marks.
    same("bom", b"\xEF\xBB\xBFa: 1\n"),
    same("bom-second-document", b"a: 1\n---\n\xEF\xBB\xBFb: 2\n"),
    same("bom-mid-line", b"a: x\xEF\xBB\xBFy\n"),
    // --- Duplicate keys.
    same("duplicate-key", b"a: 1\nb: 2\na: 3\n"),
    same("duplicate-key-different-shapes", b"a: {x: 1}\na: [2]\n"),
    same("duplicate-key-spelled-differently", b"1: a\n0x1: b\n"),
    // --- Merge keys.
    same("merge", b"base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n"),
    same("merge-overrides-earlier-key", b"base: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b\n"),
    same("merge-list-first-wins", b"a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n"),
    same("merge-nested", b"a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nm:\n  <<: *b\n  z: 3\n"),
    same("merge-inline", b"m:\n  <<: {x: 1}\n  y: 2\n"),
    same("merge-quoted-is-a-key", b"m:\n  \"<<\": {x: 1}\n"),
    same("merge-of-scalar", b"a: &a 1\nm:\n  <<: *a\n"),
    same("merge-of-null", b"m:\n  <<:\n  x: 1\n"),
    same("merge-of-list-with-scalar", b"a: &a {x: 1}\nm:\n  <<: [*a, 2]\n"),
    same("merge-tagged", b"a: &a {x: 1}\nm:\n  !!merge <<: *a\n"),
    // --- Numbers and words.
    same(
        "octal-looking-numbers",
        b"a: 0755\nb: 08\nc: 0o17\nd: 0x1F\ne: 1_000\nf: +1\ng: .5\nh: 1e3\ni: 1.0\nj: 0b101\nk: 012345678\nl: -0\nm: 1.\n",
    ),
    same(
        "big-numbers",
        b"a: 9223372036854775807\nb: 9223372036854775808\nc: -9223372036854775809\nd: 18446744073709551616\ne: 1e21\nf: 123456789012345678901\ng: 1e400\n",
    ),
    same(
        "yes-no-on-off",
        b"a: yes\nb: No\nc: ON\nd: off\ne: y\nf: N\ng: yES\nh: True\ni: tRUE\n",
    ),
    same("null-words", b"a: ~\nb: null\nc: Null\nd: NULL\ne: nULL\nf:\n"),
    same("nan-value", b"a: .nan\n"),
    same("nan-replaced-by-duplicate", b"a: .nan\nb: [.inf]\na: 1\nb: 2\n"),
    same("nan-replaced-by-merge", b"m:\n  a: -.inf\n  <<: {a: 1}\n"),
    same("nan-merged-in", b"x: &x {a: .inf}\nm:\n  <<: *x\n"),
    same("inf-value", b"a: -.Inf\n"),
    same("timestamps", b"a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10\n"),
    same(
        "keys-that-are-not-strings",
        b"1: a\ny: b\n1.5: c\n0x10: d\n.inf: e\n1e6: f\nfalse: g\n",
    ),
    same("null-key", b"~: a\n"),
    same("empty-key", b": a\n"),
    same("collection-key", b"? [a]\n: b\n"),
    same("unrendered-template-braces", b"a: {{b}}\n"),
    same("big-unsigned-key", b"18446744073709551615: a\n"),
    // --- Long keys.
    same("key-1000-chars", LONG_KEY_1000),
    same("key-1100-chars", LONG_KEY_1100),
    // --- Tags (issue 9).
    same(
        "tags-standard",
        b"a: !!bool true\nb: !!bool \"true\"\nc: !!int \"3\"\nd: !!str true\ne: !!float 1\nf: !!null ''\ng: !!str 010\nh: !!bool yes\n",
    ),
    same("tag-bool-mismatch", b"a: !!bool maybe\n"),
    same("tag-int-mismatch", b"a: !!int 1.5\n"),
    same("tag-custom", b"a: !foo true\nb: ! true\nc: !<tag:yaml.org,2002:bool> \"yes\"\n"),
    same("tag-binary", b"a: !!binary dHJ1ZQ==\nb: !!binary |\n  aGVs\n  bG8=\n"),
    same("tag-binary-invalid", b"a: !!binary '%%%'\n"),
    same("tag-binary-key", b"!!binary cHJpdmlsZWdlZA==: true\n"),
    same("tag-on-collection", b"a: !!map {b: 1}\nc: !!seq [1]\n"),
    same("tag-str-on-map", b"a: !!str {b: 1}\n"),
    same("tag-directive", b"%TAG !e! tag:yaml.org,2002:\n---\na: !e!bool \"true\"\n"),
    // --- Anchors and aliases.
    same("alias-to-scalar", b"a: &x 1\nb: *x\n"),
    same("alias-self", b"a: &x [*x]\n"),
    same("alias-unknown", b"a: *x\n"),
    same("anchor-redefined", b"a: &x 1\nb: &x 2\nc: *x\n"),
    same("alias-as-key", b"a: &k key\n*k : v\n"),
    same("alias-bomb", ALIAS_BOMB),
    // --- Line breaks and characters go-yaml refuses or reads differently (issue 9).
    same("nul-byte", b"a: 1\nb: 2\x00\nc: 3\n"),
    same("nul-byte-second-document", b"a: 1\n---\nb: 2\x00\n"),
    same("control-character", b"a: 1\x01\n"),
    same("delete-character", b"a: 1\x7f\n"),
    same("c1-control", b"a: \xC2\x80\n"),
    same("next-line-in-comment", b"a: 1 # c\xC2\x85b: 2\n"),
    same("line-separator-in-comment", b"a: 1 # c\xE2\x80\xA8b: 2\n"),
    same("paragraph-separator-in-comment", b"a: 1 # c\xE2\x80\xA9b: 2\n"),
    same("next-line-in-value", b"a: x\xC2\x85b: 2\n"),
    Case {
        name: "line-separator-in-quoted",
        text: b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \"x\xE2\x80\xA8y\"\n",
        expect: Expect::DataDiffers(LS_IN_SCALAR),
    },
    Case {
        name: "line-separator-in-block",
        text: b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    x\xE2\x80\xA8    y\n",
        expect: Expect::DataDiffers(LS_IN_SCALAR),
    },
    same("fffe", b"a: \xEF\xBF\xBE\n"),
    same("non-bmp", b"a: \xF0\x9F\x98\x80\n"),
    same("invalid-utf8", b"a: \xff\n"),
    same("cr-only", b"a: 1\rb: 2\r"),
    Case {
        name: "cr-only-separator",
        text: b"a: 1\r---\rb: 2\r",
        expect: Expect::K8secReadsMore(
            "kubectl cuts documents at `\\n` only: in a CR-only file it reads the first document \
             and ignores the rest; k8sec reads every document (more is linted, never less)",
        ),
    },
    same("mixed-line-endings", b"a: 1\r\nb: |\r\n  x\r\n  y\nc: 3\r"),
    // --- Found by the differential mutation run (scripts/reader-mutants.sh).
    same("tabs-and-indentation-on-one-flow-line", b"a:\n- [\n\t\tfoo,\n bar\n]\n"),
    same("binary-key-not-utf8", b"a:\n  !!binary  requests: 1\n"),
    same("mend-then-later-error", b"a: [\n\"x\",\n]\nb: [\n"),
    same("block-header-at-column-0", b"data:\n|# note\n  key: x\nb: 1\n"),
    same("json-values-then-text", b"{\"a\": 1}\n{\"b\": 2}\nc: 3\n"),
    same("quoted-continuation-after-next-line", b"hosts:\n  - \"a\xC2\x85l\"\n  - b\n"),
    Case {
        name: "quoted-document-then-text",
        text: b"\"AS IS\" BASIS,\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
        expect: Expect::KubectlOnlyAcceptsNoObject(
            "a quoted string as a whole document followed by text on its line: go-yaml reads the \
             string (no object: kubectl cannot apply it) and skips the text; k8sec reports the \
             text and reads the documents after it",
        ),
    },
    Case {
        name: "line-separator-before-dashes",
        text: b"a: 1\xE2\x80\xA8---\nb: 2\n---\nc: 3\n",
        expect: Expect::K8secReadsMore(
            "`---` after U+2028 starts a YAML document but is no `---` line for apimachinery: \
             kubectl reads the first document of that piece only, k8sec both",
        ),
    },
    // --- Lists (the objects are the items; the data is the same).
    same(
        "list-in-list",
        b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n",
    ),
    // --- JSON.
    same("json", b"{\"a\": 1, \"b\": [true, null], \"c\": \"\\u00e9\\/\"}\n"),
    same("json-duplicate-keys", b"{\"a\": 1, \"a\": 2}\n"),
    same("json-stream", b"{\"a\": 1}\n{\"b\": 2}\n"),
    same("json-trailing-comma", b"{\"a\": [1, 2,]}\n"),
    // --- Odds and ends.
    same("directive", b"%YAML 1.1\n---\na: 1\n"),
    same("directive-second-document", b"a: 1\n---\nb: 2\n...\n%YAML 1.1\n---\nc: 3\n"),
    same("key-without-space", b"a:b\nc: d:e\n"),
    same("explicit-key", b"? a\n: b\n"),
    same("flow-implicit-null", b"{a, b: c}\n"),
    same("plain-multiline", b"a: one\n  two\n\n  three\nb: 1\n"),
    same("space-before-colon", b"a   : b\n"),
    same("sequence-zero-indent", b"a:\n- 1\n- 2\nb: 3\n"),
    same("nested-sequences", b"- - a\n  - b\n- - c\n"),
    same("top-level-scalar", b"hello\n"),
    same("escapes", b"a: \"\\x41\\u00e9\\U0001F600\\t\\ \\_\\N\\L\\P\"\n"),
    same("escape-slash", b"a: 1\n---\nb: \"x\\/y\"\n"),
    same("json-escape-slash", b"{\"a\": \"x\\/y\"}\n"),
    same("escaped-line-break", b"a: \"one \\\n  two\"\n"),
    same("comment-without-space", b"a: b#c\n"),
    same("comment-right-after-quote", b"a: \"b\"# c\nd: [e]# f\ng: >#h\n  i\n"),
    same("escaped-single-quote", b"a: \"it\\'s\"\n"),
    same("indented-document", b"  a: 1\n  b: 2\n"),
    Case {
        name: "anchor-on-document",
        text: b"--- &a\nb: 1\n",
        expect: Expect::K8secOnlyAccepts(CONTENT_AFTER_SEPARATOR),
    },
];

const LONG_KEY_1000: &[u8] = concat!(
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    ": v\n"
)
.as_bytes();

const LONG_KEY_1100: &[u8] = concat!(
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
    ": v\n"
)
.as_bytes();

/// Nine levels of ten aliases each: 10^9 nodes once expanded.
const ALIAS_BOMB: &[u8] = b"a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
";
