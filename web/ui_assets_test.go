package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/scheduler"
)

// getPage fetches a UI page with the client's session.
func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Issue 10's pages: the assets list, an asset's events with their sources
// and triggered runs, the DAG page's "scheduled on", and the events an
// asset-triggered run covered. Everything the tasks wrote is escaped.
func TestAssetPagesShowEventsSourcesAndTriggeredRuns(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, assetRegistry(t), true)
	st := runAssetStory(t, h)
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/assets")
	base := h.srv.URL
	tablePath := "/assets/" + assetPath(tableAsset)

	status, body := getPage(t, c, base+"/assets")
	for _, want := range []string{`href="` + tablePath + `"`, `href="/dags/consumer"`, `href="/dags/streamer"`, "producer.write",
		"delta_table", "kafka_topic", "kafka://orders", `href="/assets"`, `href="/runs/` + url.PathEscape(st.consumerRun) + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("assets page (%d) lacks %s", status, want)
		}
	}

	status, body = getPage(t, c, base+tablePath)
	if status != 200 || strings.Count(body, `<tr class="event"`) != 2 {
		t.Fatalf("asset page: %d, %d event rows", status, strings.Count(body, `<tr class="event"`))
	}
	for _, run := range st.producerRuns {
		if want := `href="/dags/producer/runs/` + url.PathEscape(run) + `"`; !strings.Contains(body, want) {
			t.Errorf("asset page does not link the source run: %s", want)
		}
	}
	if want := `href="/dags/producer/runs/` + url.PathEscape(st.producerRuns[0]) + `/tasks/write?try=1"`; !strings.Contains(body, want) {
		t.Errorf("asset page does not link the source try: %s", want)
	}
	if n := strings.Count(body, `href="/runs/`+url.PathEscape(st.consumerRun)+`"`); n != 2 {
		t.Errorf("the triggered run is linked %d times, want 2 (once per event)", n)
	}

	status, body = getPage(t, c, base+"/dags/"+consumerDAG)
	if i := strings.Index(body, `id="scheduled-on"`); status != 200 || i < 0 || !strings.Contains(body[i:], `href="`+tablePath+`"`) {
		t.Errorf("consumer's DAG page (%d) does not say it is scheduled on %s", status, tableAsset)
	}
	_, body = getPage(t, c, base+"/dags/"+streamerDAG)
	if !strings.Contains(body, "<code>@daily</code> or new data in") || !strings.Contains(body, `href="/assets/orders"`) {
		t.Errorf("streamer's DAG page does not say @daily or the topic")
	}

	if _, body = getPage(t, c, base+"/dags"); !strings.Contains(body, `<a class="asset" href="`+tablePath+`"`) {
		t.Errorf("the DAGs list does not say what consumer is scheduled on")
	}

	runPath := "/dags/" + consumerDAG + "/runs/" + url.PathEscape(st.consumerRun)
	status, body = getPage(t, c, base+runPath)
	if i := strings.Index(body, `id="run-events"`); status != 200 || i < 0 || strings.Count(body[i:], `<tr class="event"`) != 2 {
		t.Errorf("consumer's run page (%d) does not list the two events it covered", status)
	}
	_, body = getPage(t, c, base+"/dags/"+producerDAG+"/runs/"+url.PathEscape(st.producerRuns[0]))
	if strings.Contains(body, `id="run-events"`) {
		t.Error("a manual run's page lists asset events")
	}

	resp, err := c.Get(base + "/runs/" + url.PathEscape(st.consumerRun))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != runPath {
		t.Errorf("/runs/<id>: %d → %q, want 303 → %q", resp.StatusCode, resp.Header.Get("Location"), runPath)
	}
	for path, want := range map[string]int{
		"/runs/nope": 404, "/assets/nope": 404, tablePath + "?before=x": 400, tablePath + "?before=0": 400,
		tablePath + "?limit=0": 400, tablePath + "?limit=9999": 400, "/assets/%00": 404,
		tablePath + "?fragment=eventsLive": 200, "/assets?fragment=assetsLive": 200,
	} {
		if status, body := getPage(t, c, base+path); status != want || (want != 200 && !strings.Contains(body, "<h1>")) {
			t.Errorf("GET %s: %d, want %d (an error page)", path, status, want)
		}
	}
	if status, body := getPage(t, c, base+tablePath+"?before=1"); status != 200 || !strings.Contains(body, "No events older") {
		t.Errorf("a page past the oldest event: %d", status)
	}
}

// What a task attached to its event, and an asset's description, are shown
// as text: a <script> in them is escaped, on every page that shows them.
func TestAssetHostileExtraAndDescriptionAreEscaped(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, assetRegistry(t), true)
	st := runAssetStory(t, h)
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/assets")
	pages := []string{"/assets", "/assets/" + assetPath(tableAsset), "/dags/" + consumerDAG + "/runs/" + url.PathEscape(st.consumerRun)}
	for _, p := range pages {
		status, body := getPage(t, c, h.srv.URL+p)
		if status != 200 {
			t.Fatalf("GET %s: %d", p, status)
		}
		for _, raw := range []string{hostileExtra, hostileDesc, "<script>", "<img"} {
			if strings.Contains(body, raw) {
				t.Errorf("GET %s shows %s unescaped", p, raw)
			}
		}
	}
	_, body := getPage(t, c, h.srv.URL+pages[1])
	for _, want := range []string{`&lt;script&gt;alert(\&#34;extra\&#34;)&lt;/script&gt;`, `&lt;img src=x onerror=alert(1)&gt;`} {
		if !strings.Contains(body, want) {
			t.Errorf("the asset page does not show %s as text", want)
		}
	}
}

// A DAG on several assets says whether it waits for all of them (Airflow's
// default) or runs on any one, on its page and in the API.
func TestAssetConditionIsShown(t *testing.T) {
	t.Parallel()
	mk := func(id string, anyOf bool) *scheduler.DAG {
		d := scheduler.NewDAG(id, scheduler.DAGOptions{StartDate: future, Assets: []string{tableAsset, topicAsset}, AssetsAny: anyOf})
		d.Task("t", func(context.Context, *scheduler.TaskContext) error { return nil }, scheduler.TaskOptions{})
		return d
	}
	h := newHarnessWith(t, assetRegistry(t, mk("joins_all", false), mk("joins_any", true)), false)
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/dags")
	for id, want := range map[string]string{"joins_all": "new data in all of", "joins_any": "new data in any of"} {
		if status, body := getPage(t, c, h.srv.URL+"/dags/"+id); status != 200 || !strings.Contains(body, want) {
			t.Errorf("DAG page of %s (%d) does not say %q", id, status, want)
		}
		d, err := h.store.GetDAG(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if wantCond := map[bool]string{false: "all", true: "any"}[id == "joins_any"]; d.AssetCondition != wantCond {
			t.Errorf("%s: asset_condition %q, want %q", id, d.AssetCondition, wantCond)
		}
	}
}
