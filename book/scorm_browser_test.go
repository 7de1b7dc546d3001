package book_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book"
	"github.com/scaling-data/book/book/internal/browsertest"
)

// lmsPage is a learning platform's page: a SCORM 1.2 API whose
// LMSInitialize answers as the test says, recording every call, around the
// package's launch page.
const lmsPage = `<!doctype html><meta charset="utf-8"><title>LMS</title>
<script>
const mode = new URLSearchParams(location.search).get('init');
window.calls = [];
window.API = {
  LMSInitialize: () => { calls.push('LMSInitialize'); if (mode === 'throw') throw new Error('no session'); return mode; },
  LMSGetLastError: () => { calls.push('LMSGetLastError'); return '101'; },
  LMSGetErrorString: (c) => { calls.push('LMSGetErrorString'); return 'General exception'; },
  LMSGetValue: (k) => { calls.push('LMSGetValue ' + k); return ''; },
  LMSSetValue: (k, v) => { calls.push('LMSSetValue ' + k + ' ' + v); return 'true'; },
  LMSCommit: () => { calls.push('LMSCommit'); return 'true'; },
  LMSFinish: () => { calls.push('LMSFinish'); return 'true'; },
};
</script>
<iframe id="sco" src="/__launch.html" width="1000" height="700"></iframe>`

// TestScormInitializeFails: when the platform's LMSInitialize fails (or
// throws), the launch page calls nothing else and tells the learner their
// progress is not recorded; when it succeeds, it marks the activity
// incomplete as before.
func TestScormInitializeFails(t *testing.T) {
	t.Parallel()
	site := browsertest.Site(t)
	mux := http.NewServeMux()
	mux.Handle("/", book.Handler(book.DirFS(site)))
	mux.HandleFunc("/__lms.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(lmsPage))
	})
	mux.HandleFunc("/__launch.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(book.LaunchPage("Quorums", "embed/quorum.html", "lab"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := browsertest.Browser(t, 1000, 800)
	const sco = `document.getElementById('sco').contentDocument`
	for _, tc := range []struct {
		init     string
		tracking bool
		calls    string
	}{
		{"false", false, "LMSInitialize LMSGetLastError LMSGetErrorString"},
		{"throw", false, "LMSInitialize"},
		{"true", true, "LMSInitialize,LMSGetValue cmi.core.lesson_status,LMSSetValue cmi.core.lesson_status incomplete,LMSCommit"},
	} {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/__lms.html?init="+tc.init),
			waitFor(sco+` && `+sco+`.body && `+sco+`.body.dataset.scorm`),
		), tc.init)
		type result struct {
			Scorm, Warning string
			Calls          []string
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[result](`({scorm: `+sco+`.body.dataset.scorm, warning: (`+sco+`.querySelector('.scorm-warning[role=alert]') || {}).textContent || '', calls: window.calls})`))
		require.NoError(t, err, tc.init)
		want := strings.Split(tc.calls, " ")
		if tc.tracking {
			want = strings.Split(tc.calls, ",")
			require.Equal(t, "tracking", got.Scorm)
			require.Empty(t, got.Warning)
		} else {
			require.Equal(t, "not-tracking", got.Scorm, tc.init)
			require.Contains(t, got.Warning, "progress will not be saved", tc.init)
			shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			require.NoError(t, err)
			browsertest.Shot(t, "scorm-not-tracking-"+tc.init, shot)
		}
		require.Equal(t, want, got.Calls, "LMSInitialize %s: the calls the platform saw", tc.init)
	}
}
