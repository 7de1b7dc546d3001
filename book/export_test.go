package book

// LaunchPage is a SCORM package's launch page showing target, for the
// browser tests (which live in package book_test).
func LaunchPage(title, target, kind string) []byte {
	return launchPage(scormPackage{ID: "test", Title: title, Target: target, Kind: kind})
}
