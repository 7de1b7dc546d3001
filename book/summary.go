package book

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Entry is one line of SUMMARY.md: a chapter (or part page) in reading order.
type Entry struct {
	Title string // as written in SUMMARY.md
	File  string // relative to chapters/: "04-quorums.md"
	Level int    // 0 for top level, 1 for a chapter inside a part …
	Line  int    // line in SUMMARY.md, for messages
	// Back is true for entries after the "---" separator (glossary,
	// references): listed in the sidebar but outside the prev/next chain's
	// main parts.
	Back bool
}

var summaryLink = regexp.MustCompile(`^\[([^\]]+)\]\(([^)\s]+)\)\s*$`)

// ParseSummary reads an mdBook-style SUMMARY.md: a "# Summary" heading,
// optional unnumbered links on their own lines, a nested "- [Title](file.md)"
// list (two spaces per level), and "---" separating back matter.
func ParseSummary(name string, src []byte) ([]Entry, error) {
	var entries []Entry
	seen := map[string]int{}
	back := false
	sc := bufio.NewScanner(bytes.NewReader(src))
	for ln := 1; sc.Scan(); ln++ {
		raw := strings.TrimRight(sc.Text(), " \t")
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "# "):
			continue
		case line == "---":
			back = true
			continue
		}
		level := 0
		if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") {
			indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
			if strings.Contains(raw[:indent], "\t") {
				return nil, fmt.Errorf("%s:%d: indent nested entries with spaces, not tabs", name, ln)
			}
			level = indent / 2
			line = strings.TrimSpace(line[2:])
		}
		m := summaryLink.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: want a link like [Title](file.md), got %q", name, ln, line)
		}
		file := m[2]
		if !strings.HasSuffix(file, ".md") || strings.Contains(file, "..") || strings.HasPrefix(file, "/") {
			return nil, fmt.Errorf("%s:%d: %q: want a .md file inside chapters/", name, ln, file)
		}
		if prev, dup := seen[file]; dup {
			return nil, fmt.Errorf("%s:%d: %s is already listed on line %d", name, ln, file, prev)
		}
		if len(entries) > 0 && level > entries[len(entries)-1].Level+1 {
			return nil, fmt.Errorf("%s:%d: %s is nested two levels below the entry before it", name, ln, file)
		}
		seen[file] = ln
		entries = append(entries, Entry{Title: m[1], File: file, Level: level, Line: ln, Back: back})
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: no chapters listed", name)
	}
	return entries, nil
}

// Slug is the page name for a chapter file: "04-quorums.md" → "quorums".
// Leading ordering digits are dropped so reordering chapters keeps URLs.
func Slug(file string) string {
	base := strings.TrimSuffix(file, ".md")
	if i := strings.IndexByte(base, '/'); i >= 0 {
		base = base[strings.LastIndexByte(base, '/')+1:]
	}
	trimmed := strings.TrimLeft(base, "0123456789")
	if trimmed != base && strings.HasPrefix(trimmed, "-") && len(trimmed) > 1 {
		return trimmed[1:]
	}
	return base
}
