// Command yaml-oracle reads YAML files the way `kubectl apply` does and prints what it read.
//
// It is the reference reading for k8sec's differential tests (tests/reader.rs): the stream is
// cut into documents the way apimachinery's YAMLReader cuts it (pkg/util/yaml/decoder.go:
// lines read one at a time, a line starting with "---" followed only by blanks or a comment
// separates documents, "---" followed by anything else is an error), and each document goes
// through sigs.k8s.io/yaml's YAMLToJSON (gopkg.in/yaml.v2, then JSON), as kubectl does before
// it sends an object. A stream whose first non-blank byte is '{' is first read as a stream of
// JSON values, falling back to YAML as apimachinery's YAMLOrJSONDecoder does.
//
// Usage: yaml-oracle FILE... (or file names on stdin, one per line, when no argument is
// given). Output: one JSON line per file:
//
//	{"file": "...", "docs": [{"offset": 0, "line": 1, "json": {...}}, {"offset": 40, "line": 5, "error": "..."}]}
//
// `offset` and `line` (1-based, counting '\n') locate the first line of the document in the
// file; a document that is only blanks and comments reads as JSON null (kubectl skips it).
// Every document is read, also after an error; kubectl stops at the first one.
//
// Build (Debian: golang-go golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v2-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o yaml-oracle ./tools/yaml-oracle
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"sigs.k8s.io/yaml"
)

// doc is what one document of a file reads as.
type doc struct {
	Offset int             `json:"offset"`
	Line   int             `json:"line"`
	JSON   json.RawMessage `json:"json,omitempty"`
	Error  string          `json:"error,omitempty"`
}

type result struct {
	File  string `json:"file"`
	Docs  []doc  `json:"docs"`
	Error string `json:"error,omitempty"`
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	emit := func(path string) {
		line, err := json.Marshal(readFile(path))
		if err != nil {
			line, _ = json.Marshal(result{File: path, Error: err.Error()})
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	if len(os.Args) > 1 {
		for _, path := range os.Args[1:] {
			emit(path)
		}
		return
	}
	names := bufio.NewScanner(os.Stdin)
	names.Buffer(make([]byte, 1<<16), 1<<20)
	for names.Scan() {
		if name := names.Text(); name != "" {
			emit(name)
		}
	}
}

func readFile(path string) result {
	data, err := os.ReadFile(path)
	if err != nil {
		return result{File: path, Error: err.Error()}
	}
	docs, streamErr := readStream(data)
	r := result{File: path, Docs: docs}
	if streamErr != nil {
		r.Error = streamErr.Error()
	}
	return r
}

// readStream reads a whole file: JSON values first when it looks like JSON, YAML otherwise.
func readStream(data []byte) ([]doc, error) {
	start := 0
	var docs []doc
	trimmed := bytes.TrimLeftFunc(data, unicode.IsSpace)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var err error
		docs, start, err = readJSONValues(data)
		if err != nil {
			return docs, err
		}
		if start >= len(data) {
			return docs, nil
		}
	}
	yamlDocs, err := readYAMLDocuments(data, start)
	return append(docs, yamlDocs...), err
}

// readJSONValues decodes JSON values from the start of data. Like YAMLOrJSONDecoder, it
// gives up on JSON (and leaves the rest to YAML) when the first or second value fails, and
// fails when a later one does. It returns where YAML reading must start.
func readJSONValues(data []byte) ([]doc, int, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var docs []doc
	consumed := 0
	for {
		var value interface{}
		err := decoder.Decode(&value)
		if err == io.EOF {
			return docs, len(data), nil
		}
		if err != nil {
			if len(docs) > 1 {
				return docs, consumed, err
			}
			// Ambiguous: YAML from where JSON stopped, after blanks up to one line break.
			rest := consumed
			for rest < len(data) && (data[rest] == ' ' || data[rest] == '\t' || data[rest] == '\r') {
				rest++
			}
			if rest < len(data) && data[rest] == '\n' {
				rest++
			}
			return docs, rest, nil
		}
		raw, _ := json.Marshal(value)
		docs = append(docs, doc{Offset: consumed, Line: lineOf(data, consumed), JSON: raw})
		consumed = int(decoder.InputOffset())
	}
}

// readYAMLDocuments cuts data[start:] into documents and converts each to JSON.
func readYAMLDocuments(data []byte, start int) ([]doc, error) {
	var docs []doc
	var buffer bytes.Buffer
	docOffset := -1
	flush := func() {
		if buffer.Len() == 0 {
			return
		}
		docs = append(docs, convert(buffer.Bytes(), docOffset, lineOf(data, docOffset)))
		buffer.Reset()
		docOffset = -1
	}
	for pos := start; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(data)
		}
		// The line without its "\n" or "\r\n", then "\n" (as bufio.ReadLine + LineReader).
		content := data[pos:end]
		if end < len(data) && bytes.HasSuffix(content, []byte("\r")) {
			content = content[:len(content)-1]
		}
		if bytes.HasPrefix(content, []byte("---")) {
			rest := strings.TrimSpace(string(content[3:]))
			if rest != "" && rest[0] != '#' {
				// The document read so far is dropped with the error, as apimachinery does.
				return docs, fmt.Errorf("line %d: invalid Yaml document separator: %s", lineOf(data, pos), rest)
			}
			flush()
			pos = next
			continue
		}
		if docOffset < 0 {
			docOffset = pos
		}
		buffer.Write(content)
		buffer.WriteByte('\n')
		pos = next
	}
	flush()
	return docs, nil
}

// convert is sigs.k8s.io/yaml's reading of one document, as kubectl sends it.
func convert(document []byte, offset, line int) doc {
	converted, err := yaml.YAMLToJSON(document)
	if err != nil {
		return doc{Offset: offset, Line: line, Error: err.Error()}
	}
	return doc{Offset: offset, Line: line, JSON: converted}
}

// lineOf is the 1-based line of a byte offset, counting '\n'.
func lineOf(data []byte, offset int) int {
	if offset > len(data) {
		offset = len(data)
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
