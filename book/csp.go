package book

import "strings"

// MetaContentSecurityPolicy is ContentSecurityPolicy as every page carries
// it in <meta http-equiv="Content-Security-Policy">, so the offline bundle,
// SCORM packages and any static host get the same policy as our server.
// Directives a <meta> cannot carry (frame-ancestors, report-uri, report-to,
// sandbox) are left out.
func MetaContentSecurityPolicy() string {
	var keep []string
	for _, d := range strings.Split(ContentSecurityPolicy, ";") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(d, " ")
		switch strings.ToLower(name) {
		case "", "frame-ancestors", "report-uri", "report-to", "sandbox":
			continue
		}
		keep = append(keep, d)
	}
	return strings.Join(keep, "; ")
}
