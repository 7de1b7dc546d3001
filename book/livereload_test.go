package book

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readSSE parses a server-sent event stream as a browser does (lines end
// at \r\n, \r or \n) and returns its events as name → data.
func readSSE(t *testing.T, body *bufio.Reader, n int) [][2]string {
	t.Helper()
	var out [][2]string
	var name string
	var data []string
	var line strings.Builder
	for len(out) < n {
		b, err := body.ReadByte()
		require.NoError(t, err)
		if b == '\r' {
			if next, err := body.Peek(1); err == nil && next[0] == '\n' {
				_, _ = body.ReadByte()
			}
			b = '\n'
		}
		if b != '\n' {
			line.WriteByte(b)
			continue
		}
		l := line.String()
		line.Reset()
		switch {
		case l == "":
			if data != nil {
				out = append(out, [2]string{name, strings.Join(data, "\n")})
			}
			name, data = "", nil
		case strings.HasPrefix(l, "event: "):
			name = strings.TrimPrefix(l, "event: ")
		case strings.HasPrefix(l, "data: "):
			data = append(data, strings.TrimPrefix(l, "data: "))
		case strings.HasPrefix(l, "data:"):
			data = append(data, strings.TrimPrefix(l, "data:"))
		}
	}
	return out
}

// TestLiveReloadFraming: a build error with \r, \r\n or \n in it arrives
// as one event with its lines intact, and the stream's next event is still
// read as its own.
func TestLiveReloadFraming(t *testing.T) {
	lr := NewLiveReload(Config{}, "b1")
	srv := httptest.NewServer(lr)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body := bufio.NewReader(resp.Body)
	require.Equal(t, [][2]string{{"build", "b1"}}, readSSE(t, body, 1))

	lr.broadcast(event{"broken", "chapters/a.md:3: bad\revent: build\rdata: evil\r\rsecond\r\nthird\nfourth"})
	lr.broadcast(event{"ok", ""})
	got := readSSE(t, body, 2)
	require.Equal(t, [2]string{"broken", "chapters/a.md:3: bad\nevent: build\ndata: evil\n\nsecond\nthird\nfourth"}, got[0])
	require.Equal(t, [2]string{"ok", ""}, got[1])

	// Only loopback Host names may listen.
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	req.Host = "evil.example"
	resp2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp2.Body.Close()
	require.Equal(t, http.StatusMisdirectedRequest, resp2.StatusCode)
}
