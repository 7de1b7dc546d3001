package book

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Front matter is YAML between a first line "---" and the next line "---"
// (or "..."). It is strict: only the keys of Meta, each once, and errors
// carry the line in the chapter file. An unclosed block is an error rather
// than a chapter that silently renders empty.

// splitFrontMatter returns the YAML of src's front matter, the lines of
// the chapter where the YAML starts and where the front matter closes, and
// the chapter with the front matter replaced by blank lines, so byte
// offsets and line numbers in the body stay those of the file. ok is false
// when src opens front matter that is never closed.
func splitFrontMatter(src []byte) (yml []byte, firstLine, closeLine int, body []byte, ok bool) {
	first, rest, found := bytes.Cut(src, []byte("\n"))
	if !found || string(bytes.TrimRight(first, " \t\r")) != "---" {
		return nil, 0, 0, src, true
	}
	off := len(first) + 1
	ln := 2
	for len(rest) > 0 {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		if t := string(bytes.TrimRight(line, " \t\r")); t == "---" || t == "..." {
			end := off + len(line)
			yml = src[len(first)+1 : off]
			body = bytes.Clone(src)
			for i := 0; i < end; i++ {
				if body[i] != '\n' {
					body[i] = ' '
				}
			}
			return yml, 2, ln, body, true
		}
		off += len(line) + 1
		rest = next
		ln++
	}
	return nil, 0, 0, src, false
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// parseFrontMatter decodes src's front matter into meta. Errors are
// "file:line: front matter: …" with the line in the chapter.
func parseFrontMatter(file string, src []byte, meta *Meta) (body []byte, errs []error) {
	yml, first, last, body, ok := splitFrontMatter(src)
	if !ok {
		return src, []error{fmt.Errorf("%s:1: front matter is not closed: add a line \"---\" after it (the chapter would be empty)", file)}
	}
	if first == 0 || len(bytes.TrimSpace(yml)) == 0 {
		return body, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(yml))
	dec.KnownFields(true)
	err := dec.Decode(meta)
	if err == nil || errors.Is(err, io.EOF) { // EOF: only comments
		return body, nil
	}
	var msgs []string
	if te, isType := err.(*yaml.TypeError); isType {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	for _, m := range msgs {
		line := first
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			n, _ := strconv.Atoi(g[1])
			line, m = first+n-1, g[2]
			if strings.HasPrefix(m, "did not find expected") {
				line++ // the YAML parser's (not scanner's) lines count from 0
			}
			line = min(line, last)
		}
		if g := unknownField.FindStringSubmatch(m); g != nil {
			m = fmt.Sprintf("unknown key %q (known: title, summary)", g[1])
		}
		errs = append(errs, fmt.Errorf("%s:%d: front matter: %s", file, line, m))
	}
	return body, errs
}

var unknownField = regexp.MustCompile(`^field (\S+) not found in type`)
