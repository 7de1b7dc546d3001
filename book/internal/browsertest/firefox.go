package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Firefox is the Firefox ESR the file:// smoke test drives; FIREFOX
// overrides it.
func Firefox() string {
	if p := os.Getenv("FIREFOX"); p != "" {
		return p
	}
	return "/usr/bin/firefox-esr"
}

// PuppeteerCore is where .ci/deps installs puppeteer-core (npm, tests only),
// which drives Firefox over WebDriver BiDi.
func PuppeteerCore() string {
	return filepath.Join(ModuleRoot(), ".cache", "npm", "node_modules", "puppeteer-core")
}

// RequireFirefox skips the test when Firefox ESR, Xvfb, Node or
// puppeteer-core is missing, or fails it under CI. Headless Firefox has no
// WebGL2 on Debian, so Ebiten cannot start there: the test runs a real
// (headful) Firefox inside xvfb-run, which renders through Mesa llvmpipe.
func RequireFirefox(t testing.TB) {
	t.Helper()
	var missing []string
	if _, err := os.Stat(Firefox()); err != nil {
		missing = append(missing, "firefox-esr ("+Firefox()+")")
	}
	for _, bin := range []string{"xvfb-run", "node"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if _, err := os.Stat(filepath.Join(PuppeteerCore(), "package.json")); err != nil {
		missing = append(missing, "puppeteer-core (npm, in .cache/npm)")
	}
	if len(missing) > 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the Firefox test lacks %v: run .ci/deps", missing)
		}
		t.Skipf("Firefox test skipped, missing %v (.ci/deps installs them; it runs in CI)", missing)
	}
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test skipped in -short mode")
	}
}

// FirefoxEnv is the environment of a Firefox script (testdata/firefox):
// where puppeteer-core and Firefox are, and how many pictures a second its
// labs may paint (TestFPS).
func FirefoxEnv() []string {
	return append(os.Environ(), "PUPPETEER_CORE="+PuppeteerCore(), "FIREFOX="+Firefox(), "SCALINGDATA_MAX_FPS="+FormatFPS())
}
