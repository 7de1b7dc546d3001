package book

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScormPackages checks each package against the structure SCORM 1.2
// requires: a manifest at the root with ADL SCORM 1.2 metadata, a default
// organization whose item points at a resource, a SCO resource whose
// launch href and every listed file exist in the zip.
func TestScormPackages(t *testing.T) {
	dir := writeBook(t, okBook())
	out := t.TempDir()
	zips, err := Scorm(Config{Chapters: dir, Version: "test"}, out)
	require.NoError(t, err)
	names := map[string]bool{}
	for _, z := range zips {
		names[filepath.Base(z)] = true
	}
	require.True(t, names["scaling-data-lab-quorum.zip"], "a package per lab")
	require.True(t, names["scaling-data-chapter-quorums.zip"], "a package per chapter")
	require.True(t, names["scaling-data-chapter-index.zip"])

	for _, z := range zips {
		t.Run(filepath.Base(z), func(t *testing.T) {
			zr, err := zip.OpenReader(z)
			require.NoError(t, err)
			defer zr.Close()
			files := map[string]*zip.File{}
			for _, f := range zr.File {
				files[f.Name] = f
			}
			mf, ok := files["imsmanifest.xml"]
			require.True(t, ok, "imsmanifest.xml at the root")
			r, err := mf.Open()
			require.NoError(t, err)
			data, _ := io.ReadAll(r)
			r.Close()
			var m Manifest
			require.NoError(t, xml.Unmarshal(data, &m))
			require.Equal(t, "ADL SCORM", m.Metadata.Schema)
			require.Equal(t, "1.2", m.Metadata.SchemaVersion)
			require.Equal(t, "http://www.imsproject.org/xsd/imscp_rootv1p1p2", m.XMLName.Space)
			require.NotEmpty(t, m.Identifier)
			require.Len(t, m.Organizations.Organization, 1)
			org := m.Organizations.Organization[0]
			require.Equal(t, m.Organizations.Default, org.Identifier, "the default organization exists")
			require.NotEmpty(t, org.Title)
			require.Len(t, org.Items, 1)
			require.Len(t, m.Resources.Resource, 1)
			res := m.Resources.Resource[0]
			require.Equal(t, org.Items[0].IdentifierRef, res.Identifier, "the item points at the resource")
			require.Equal(t, "sco", res.ScormType)
			require.Equal(t, "webcontent", res.Type)
			require.Contains(t, files, res.Href, "the launch page is in the zip")
			require.NotEmpty(t, res.Files)
			for _, f := range res.Files {
				require.Contains(t, files, f.Href, "listed file %s is in the zip", f.Href)
			}
			require.Len(t, res.Files, len(files), "every file in the zip is listed")

			launch, err := files[res.Href].Open()
			require.NoError(t, err)
			page, _ := io.ReadAll(launch)
			launch.Close()
			require.Contains(t, string(page), `src="assets/scorm.js"`)
			target := between(string(page), `<iframe id="activity" src="`, `"`)
			target = strings.ReplaceAll(strings.SplitN(target, "?", 2)[0], "&amp;", "&")
			require.Contains(t, files, target, "the launch page frames a page in the zip")
			require.NotContains(t, files, "sw.js", "no service worker inside a platform")
		})
	}
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}
