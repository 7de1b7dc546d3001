package bridge

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/views"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
	"github.com/scaling-data/book/sim/labs"
)

// TestEveryLabReplaysWhatWasPlayed: every lab, from its defaults and from
// each preset, is played live as a page plays it (frames of uneven length,
// a reader pressing random buttons between them); then the share link of
// that moment opens in a new controller and must reach the same moment
// with the same metrics and the same narration. Seeking back half-way and
// forward again must give the same run once more. Time travel and share
// links rest on this: a run is its parameters, its seed and its timed
// inputs, whatever the frame rate it was played at.
func TestEveryLabReplaysWhatWasPlayed(t *testing.T) {
	for _, l := range labs.All() {
		s := l.Schema
		view, ok := views.For(s.Name)
		require.True(t, ok, s.Name)
		starts := map[string]lab.Values{"defaults": s.Defaults()}
		for _, p := range s.Presets {
			v, err := s.Parse(p.Values)
			require.NoError(t, err, "%s preset %s", s.Name, p.Name)
			starts["preset "+p.Name] = v
		}
		for name, v := range starts {
			t.Run(s.Name+"/"+name, func(t *testing.T) {
				t.Parallel()
				open := func(query string) *Controller {
					q, err := url.ParseQuery(query)
					require.NoError(t, err)
					return New(l, view, q)
				}
				r := rand.New(rand.NewPCG(uint64(len(name)), 5))
				live := open("lab=" + s.Name + "&" + s.Encode(v) + "&seed=3&autoplay=1")
				for frame := 0; frame < 240; frame++ {
					live.Tick(0.004 + r.Float64()*0.05)
					if len(s.Actions) > 0 && r.IntN(12) == 0 {
						a, arg := labtest.RandomAction(r, s, v)
						handle(t, live, fmt.Sprintf(`{"type":"scalingdata:action","name":%q,"arg":%d}`, a, arg))
					}
					live.Outbox()
				}
				at := live.Model().Now()
				require.Positive(t, at, "%s: the live run never moved", s.Name)
				want := runState(live.Model())
				link := live.Query() + "&do=" + FormatInputs(live.Run().Inputs) + "&t=" + strconv.FormatFloat(ms(at), 'f', -1, 64)

				again := open(link)
				settle(t, again)
				require.Equal(t, at, again.Model().Now(), "%s: the link reopens the same moment", link)
				require.Equal(t, want, runState(again.Model()), "%s: the link replays the same run", link)

				handle(t, again, fmt.Sprintf(`{"type":"scalingdata:seek","value":%v}`, ms(at/2)))
				settle(t, again)
				handle(t, again, fmt.Sprintf(`{"type":"scalingdata:seek","value":%v}`, ms(at)))
				settle(t, again)
				require.Equal(t, want, runState(again.Model()), "%s: back half-way and forward again", link)
			})
		}
	}
}

// runState is what two runs at the same moment must agree on: the
// metrics and the narration so far.
func runState(m lab.Model) string {
	out := fmt.Sprint(m.Metrics())
	for _, e := range m.Log().Since(0) {
		out += fmt.Sprintf("\n%v %s %s", e.At, e.Kind, e.Text)
	}
	return out
}
