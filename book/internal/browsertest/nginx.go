package browsertest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nginxBin is Debian's nginx (.ci/deps installs it); NGINX overrides it.
func NginxBin() string {
	if p := os.Getenv("NGINX"); p != "" {
		return p
	}
	return "/usr/sbin/nginx"
}

// Nginx runs nginx, as the user running the test, on a loopback port with
// the hosting guide's nginx.conf exactly as shipped (site/hosting; only its
// listen and root lines changed), serving dir, and returns its URL. It
// skips the test without nginx, except under CI=true, where it fails.
func Nginx(t testing.TB, dir string) string {
	t.Helper()
	if _, err := os.Stat(NginxBin()); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but nginx is not at %s: install the nginx package (.ci/deps does)", NginxBin())
		}
		t.Skipf("nginx not found at %s; the nginx test runs in CI", NginxBin())
	}
	shipped, err := os.ReadFile(filepath.Join(ModuleRoot(), "site", "hosting", "nginx.conf"))
	check(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	addr := l.Addr().String()
	check(t, l.Close())
	conf := string(shipped)
	for old, repl := range map[string]string{
		"    listen 80;\n":                  "    listen " + addr + ";\n",
		"    root /var/www/scaling-data;\n": "    root " + dir + ";\n",
	} {
		if strings.Count(conf, old) != 1 {
			t.Fatalf("the shipped nginx.conf should have one %q", old)
		}
		conf = strings.Replace(conf, old, repl, 1)
	}
	prefix := t.TempDir()
	check(t, os.WriteFile(filepath.Join(prefix, "site.conf"), []byte(conf), 0o644))
	main := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	include %[1]s/site.conf;
}
`, prefix)
	check(t, os.WriteFile(filepath.Join(prefix, "nginx.conf"), []byte(main), 0o644))
	var stderr bytes.Buffer
	cmd := exec.Command(NginxBin(), "-p", prefix, "-c", filepath.Join(prefix, "nginx.conf"))
	cmd.Stderr = &stderr
	check(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not start: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return url
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
