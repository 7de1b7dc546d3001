package book

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// What is published from chapters/: the chapters SUMMARY.md lists and the
// files they link to (images and downloads), nothing else. Every such path
// must be a regular file inside chapters/, reached without a symlink and
// without a hidden (dot) file or folder, so .git/config, .env, an editor's
// swap file or a link to /etc/passwd never reach the site, the bundle, the
// SCORM packages or a release binary.

// publishable checks rel (slash-separated, relative to the chapters
// directory) and says why it may not be published, or "" if it may.
func publishable(root, rel string) string {
	clean := path.Clean(rel)
	switch {
	case path.IsAbs(rel) || clean == ".." || strings.HasPrefix(clean, "../"):
		return "outside " + filepath.ToSlash(filepath.Base(root)) + "/"
	case !fs.ValidPath(clean) || clean == "." || strings.ContainsAny(clean, `\:`):
		return "not a plain relative path"
	}
	elems := strings.Split(clean, "/")
	for _, e := range elems {
		if strings.HasPrefix(e, ".") {
			return "a hidden file or folder (names starting with a dot are never published)"
		}
	}
	p := root
	for i, e := range elems {
		p = filepath.Join(p, e)
		st, err := os.Lstat(p)
		switch {
		case os.IsNotExist(err):
			return "no such file in " + root
		case err != nil:
			return err.Error()
		case st.Mode()&fs.ModeSymlink != 0:
			return "a symlink (only regular files inside " + root + " are published)"
		case i < len(elems)-1 && !st.IsDir():
			return "no such file in " + root
		case i == len(elems)-1 && !st.Mode().IsRegular():
			return "not a regular file"
		}
	}
	return ""
}

// readPublishable reads rel from root if publishable allows it.
func readPublishable(root, rel string) ([]byte, error) {
	if why := publishable(root, rel); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	return os.ReadFile(filepath.Join(root, filepath.FromSlash(path.Clean(rel))))
}

// reservedPages are pages the compiler writes itself: no chapter may map to
// them.
var reservedPages = map[string]string{
	"index.html":  "the home page, which is the first chapter",
	"lab.html":    "the lab frame",
	"print.html":  "the whole book on one page",
	"search.html": "reserved for search",
	"404.html":    "reserved for the not-found page",
}
