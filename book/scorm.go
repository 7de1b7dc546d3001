package book

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scaling-data/book/sim/labs"
)

// SCORM 1.2 packages let a learning platform (Moodle, Canvas, Blackboard,
// Open edX) import a lab or a chapter as an activity. Each package holds the
// site, a small launch page (scorm.html) that shows the lab's embed page or
// the chapter in a frame and talks to the platform's SCORM API, and the
// manifest imsmanifest.xml.

// Manifest is the part of imsmanifest.xml we write and check.
type Manifest struct {
	XMLName        xml.Name `xml:"manifest"`
	Identifier     string   `xml:"identifier,attr"`
	Version        string   `xml:"version,attr"`
	Xmlns          string   `xml:"xmlns,attr"`
	XmlnsADLCP     string   `xml:"xmlns:adlcp,attr"`
	XmlnsXSI       string   `xml:"xmlns:xsi,attr"`
	SchemaLocation string   `xml:"xsi:schemaLocation,attr"`
	Metadata       struct {
		Schema        string `xml:"schema"`
		SchemaVersion string `xml:"schemaversion"`
	} `xml:"metadata"`
	Organizations struct {
		Default      string `xml:"default,attr"`
		Organization []struct {
			Identifier string `xml:"identifier,attr"`
			Title      string `xml:"title"`
			Items      []struct {
				Identifier    string `xml:"identifier,attr"`
				IdentifierRef string `xml:"identifierref,attr"`
				IsVisible     string `xml:"isvisible,attr"`
				Title         string `xml:"title"`
			} `xml:"item"`
		} `xml:"organization"`
	} `xml:"organizations"`
	Resources struct {
		Resource []struct {
			Identifier string `xml:"identifier,attr"`
			Type       string `xml:"type,attr"`
			ScormType  string `xml:"http://www.adlnet.org/xsd/adlcp_rootv1p2 scormtype,attr"`
			Href       string `xml:"href,attr"`
			Files      []struct {
				Href string `xml:"href,attr"`
			} `xml:"file"`
		} `xml:"resource"`
	} `xml:"resources"`
}

// scormPackage is one activity: what it opens and how completion is
// decided.
type scormPackage struct {
	ID     string // "lab-quorum", "chapter-quorums"
	Title  string
	Target string // page to show, relative to the package root
	Kind   string // "lab" or "chapter"
}

func manifestXML(p scormPackage, files []string) []byte {
	var b bytes.Buffer
	esc := html.EscapeString
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="scalingdata-` + esc(p.ID) + `" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org-` + esc(p.ID) + `">
    <organization identifier="org-` + esc(p.ID) + `">
      <title>` + esc(BookTitle+": "+p.Title) + `</title>
      <item identifier="item-` + esc(p.ID) + `" identifierref="res-` + esc(p.ID) + `" isvisible="true">
        <title>` + esc(p.Title) + `</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-` + esc(p.ID) + `" type="webcontent" adlcp:scormtype="sco" href="scorm.html">
`)
	for _, f := range files {
		b.WriteString(`      <file href="` + esc(f) + `"/>` + "\n")
	}
	b.WriteString("    </resource>\n  </resources>\n</manifest>\n")
	return b.Bytes()
}

func launchPage(p scormPackage) []byte {
	esc := html.EscapeString
	return []byte(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="` + esc(MetaContentSecurityPolicy()) + `">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + esc(p.Title) + ` · ` + BookTitle + `</title>
<link rel="stylesheet" href="assets/scorm.css">
<script src="assets/scorm.js" defer></script>
</head>
<body>
<iframe id="activity" src="` + esc(p.Target) + `" title="` + esc(p.Title) + `" data-kind="` + esc(p.Kind) + `" allow="fullscreen"></iframe>
</body>
</html>
`)
}

// Scorm builds the site and writes one SCORM 1.2 zip per lab and per
// chapter into outDir. It returns the zips written.
func Scorm(cfg Config, outDir string) ([]string, error) {
	tmp, err := os.MkdirTemp("", "scalingdata-scorm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cfg.Out = filepath.Join(tmp, "site")
	cfg.Offline = true // no precompressed copies; the platform serves the files
	res, err := Build(cfg)
	if err != nil {
		return nil, err
	}
	// Files every package carries: the site without the script copy of the
	// binary (platforms serve packages over http, same-origin, where the
	// frame fetches it) and without the service worker.
	var files []string
	err = filepath.WalkDir(cfg.Out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(cfg.Out, p)
		rel = filepath.ToSlash(rel)
		if rel == BuildMarker {
			return nil // the build's own note, not part of the site
		}
		if isWasmPart(rel) || rel == "sw.js" {
			return os.Remove(p)
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var pkgs []scormPackage
	for _, l := range labs.All() {
		s := l.Schema
		pkgs = append(pkgs, scormPackage{ID: "lab-" + s.Name, Title: "Lab: " + s.Title, Target: "embed/" + s.Name + ".html?seed=1", Kind: "lab"})
	}
	for _, href := range res.HTML {
		title, ok := res.Titles[href]
		if !ok {
			continue // embed pages, the frame, the print page
		}
		pkgs = append(pkgs, scormPackage{ID: "chapter-" + strings.TrimSuffix(href, ".html"), Title: title, Target: href, Kind: "chapter"})
	}
	var written []string
	for _, p := range pkgs {
		all := append(slices.Clone(files), "scorm.html", "imsmanifest.xml")
		slices.Sort(all)
		extra := map[string][]byte{
			"scorm.html":      launchPage(p),
			"imsmanifest.xml": nil,
		}
		extra["imsmanifest.xml"] = manifestXML(p, all)
		out := filepath.Join(outDir, "scaling-data-"+p.ID+".zip")
		if err := ZipDir(cfg.Out, "", out, extra); err != nil {
			return nil, fmt.Errorf("scorm %s: %w", p.ID, err)
		}
		written = append(written, out)
	}
	return written, nil
}
