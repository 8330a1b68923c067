package conformance

// Adversarial input, sent the way Grafana forwards it from users: each case is
// a defect a Grafana-client test once found in this backend (issue 7, item 9).
// Every case must come back as its refId's own answer — a 400 naming what is
// wrong — and never as a 500, a gRPC error, a missing refId or a wrong answer.

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// robustnessCase is one query of the adversarial request.
type robustnessCase struct {
	RefID string
	JSON  string
	// FromMS/ToMS, when non-zero, replace the time range on the wire. Go's
	// time.Time → epoch-ms conversion (UnixNano) itself wraps beyond 2262, so
	// out-of-span times are written into the protobuf message directly.
	FromMS, ToMS int64
	// Names: the error must contain every one of these.
	Names []string
}

// invalidModel is refused by the query validation before any I/O, so its 400
// shows that the request, refId and headers reached the data source intact.
const invalidModel = `{"model":"svm"}`

func robustnessCases(now time.Time) []robustnessCase {
	nowMS := now.UnixMilli()
	hourMS := time.Hour.Milliseconds()
	deep := `{"sensors":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`
	return []robustnessCase{
		{RefID: "deep", JSON: deep, Names: []string{"query.sensors[0]", "nested more than"}},
		{RefID: "backwards", JSON: `{}`, FromMS: nowMS, ToMS: nowMS - hourMS, Names: []string{"timeRange", `"from"`, `"to"`}},
		{RefID: "after2262", JSON: `{}`, FromMS: nowMS, ToMS: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC).Unix() * 1000, Names: []string{"timeRange", "2300-01-01"}},
		{RefID: "before1677", JSON: `{}`, FromMS: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC).Unix() * 1000, ToMS: nowMS, Names: []string{"timeRange", "1600-01-01"}},
		{RefID: "__proto__", JSON: invalidModel, Names: []string{"model"}},
		{RefID: "constructor", JSON: invalidModel, Names: []string{"model"}},
	}
}

// TestRobustness sends every adversarial query in ONE request with headers
// named like Object.prototype's members, as a proxy in front of Grafana may
// forward them.
func TestRobustness(t *testing.T) {
	p := launch(t)
	now := timeNowMillis()
	cases := robustnessCases(now)

	req := &backend.QueryDataRequest{
		PluginContext: pluginContext(validSettings),
		Headers: map[string]string{
			"__proto__":        "polluted",
			"constructor":      "polluted",
			"http_constructor": "polluted",
			"FromAlert":        "true",
		},
	}
	for _, c := range cases {
		req.Queries = append(req.Queries, backend.DataQuery{RefID: c.RefID, TimeRange: queryRange(now), JSON: []byte(c.JSON)})
	}
	raw := backend.ToProto().QueryDataRequest(req)
	for i, c := range cases {
		if c.FromMS != 0 || c.ToMS != 0 {
			raw.Queries[i].TimeRange = &pluginv2.TimeRange{FromEpochMS: c.FromMS, ToEpochMS: c.ToMS}
		}
	}

	started := time.Now()
	answer, err := p.Data.QueryData(rpcContext(t), raw)
	if err != nil {
		t.Fatalf("QueryData returned a gRPC error (Grafana fails every query of the request): %v", err)
	}
	t.Logf("adversarial QueryData answered in %d ms", time.Since(started).Milliseconds())
	res := decodeQueryData(t, answer)
	if len(res.Responses) != len(cases) {
		t.Errorf("%d answers for %d refIds", len(res.Responses), len(cases))
	}
	for _, c := range cases {
		t.Run(c.RefID, func(t *testing.T) {
			dr, ok := res.Responses[c.RefID]
			if !ok {
				t.Fatalf("refId %q missing from the response: Grafana shows no data, alerting reports NoData", c.RefID)
			}
			checkRefused(t, dr, c.Names)
		})
	}

	// The plugin is still healthy afterwards: nothing above crashed it.
	health, err := p.Diagnostics.CheckHealth(rpcContext(t), &pluginv2.CheckHealthRequest{
		PluginContext: backend.ToProto().PluginContext(pluginContext(validSettings)),
	})
	if err != nil {
		t.Fatalf("CheckHealth after the adversarial request: %v", err)
	}
	t.Logf("health afterwards: %s %q", health.Status, truncate(health.Message, 120))
}

// checkRefused: a 400 from the plugin whose message names every one of names.
func checkRefused(t *testing.T, dr backend.DataResponse, names []string) {
	t.Helper()
	if dr.Status != backend.StatusBadRequest {
		t.Errorf("status %d, want 400 (the query is the user's to fix)", dr.Status)
	}
	if dr.Error == nil {
		t.Fatalf("no error, %d frames", len(dr.Frames))
	}
	if dr.ErrorSource != backend.ErrorSourcePlugin {
		t.Errorf("error source %q, want %q", dr.ErrorSource, backend.ErrorSourcePlugin)
	}
	t.Logf("error: %s", truncate(dr.Error.Error(), 200))
	for _, name := range names {
		if !strings.Contains(dr.Error.Error(), name) {
			t.Errorf("error %q does not name %q", truncate(dr.Error.Error(), 200), name)
		}
	}
	if len(dr.Frames) != 0 {
		t.Errorf("%d frames next to the error, want none", len(dr.Frames))
	}
}

// TestRobustnessResourceHeaders: Grafana forwards the browser's HTTP headers
// to CallResource, canonicalised ("Constructor"); names like Object.prototype's
// members must stay headers and the route must still answer.
func TestRobustnessResourceHeaders(t *testing.T) {
	p := launch(t)
	req := backend.ToProto().CallResourceRequest(&backend.CallResourceRequest{
		PluginContext: pluginContext(validSettings),
		Path:          "defaults",
		Method:        "GET",
		URL:           "defaults?__proto__=x&constructor=y",
		Headers: map[string][]string{
			"Accept":      {"application/json"},
			"Constructor": {"x"},
			"__proto__":   {"y"},
			"Tostring":    {"z"},
		},
	})
	stream, err := p.Resource.CallResource(rpcContext(t), req)
	if err != nil {
		t.Fatalf("CallResource: %v", err)
	}
	code := 0
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("CallResource stream: %v", err)
		}
		if code == 0 {
			code = int(msg.Code)
		}
	}
	if code != 200 {
		t.Errorf("GET defaults with headers named constructor/__proto__: code %d, want 200", code)
	}
}
